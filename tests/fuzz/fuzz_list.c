// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the read-only commands on any file: list (plain, --why,
 * --json), check (text and SARIF) and decode.  Exit status must be one of
 * those documented; the file must not change.
 */
#define _GNU_SOURCE
#include <string.h>

#include "fuzz_common.h"
#include "commands.h"

/* ALLOWED: bit N set when exit status N is documented for the command. */
static void run(int (*cmd)(int, char **), char **argv, unsigned allowed)
{
	int argc = 0, rc;

	while (argv[argc])
		argc++;
	rc = cmd(argc, argv);
	if (rc < 0 || rc > 2 || !(allowed & (1u << rc)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[64];
	int fd = fuzz_memfd(data, size, in, sizeof(in));
	char *list[] = { "list", in, NULL };
	char *why[] = { "list", "--why", "--json", in, NULL };
	char *check[] = { "check", in, NULL };
	char *sarif[] = { "check", "--sarif", in, NULL };
	char *decode[] = { "decode", in, NULL };
	uint8_t *now;

	run(cmd_list, list, 1 << 0 | 1 << 2);
	run(cmd_list, why, 1 << 0 | 1 << 2);
	run(cmd_check, check, 7);
	run(cmd_check, sarif, 7);
	/* decode prints every instruction: only small inputs, or it dominates. */
	if (size < 16384)
		run(cmd_decode, decode, 1 << 0 | 1 << 2);
	now = malloc(size ? size : 1);
	if (!now || pread(fd, now, size, 0) != (ssize_t)size || memcmp(now, data, size))
		abort();
	free(now);
	close(fd);
	return 0;
}
