// SPDX-License-Identifier: MIT
/*
 * scpatch: annotate x86-64 relocatable objects with a .static_call_sites
 * table, and list, check and decode what is there.  main() only picks the
 * subcommand; each lives in its own file.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "diag.h"

static const char usage_text[] =
"Usage: scpatch [--no-align] [-v] FILE.o...     annotate (and pad) in place\n"
"       scpatch [--no-align] [-v] -o OUT FILE.o one input, written to OUT\n"
"       scpatch list [--why] [--json] FILE      one line per static call site\n"
"       scpatch check [--json|--sarif] FILE...  CI gate: exit 1 on unaligned\n"
"                                               or invalid sites\n"
"       scpatch decode FILE [SECTION]           one instruction per line:\n"
"           <section>+0x<off> <len> <kind> [0x<target>] (target: a section\n"
"           offset in .o files, an address in linked files)\n"
"       scpatch --help | --version\n"
"\n"
"Exit status: 0 fine, 1 check found problems, 2 bad usage or bad input.\n";

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "list", cmd_list },
	{ "check", cmd_check },
	{ "decode", cmd_decode },
};

/* A listing or a SARIF file cut short by a full disk must not pass a CI
 * gate: a failed write to standard output is bad output, exit 2. */
static int flushed(int status)
{
	if (fflush(stdout) || ferror(stdout)) {
		error_at(NULL, "write error on standard output");
		return EXIT_BAD;
	}
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("no input files");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("scpatch %s\n", SCPATCH_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return flushed(commands[i].run(argc - 1, argv + 1));
	return flushed(cmd_annotate(argc, argv));
}
