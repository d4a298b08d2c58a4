// SPDX-License-Identifier: MIT
/*
 * scpatch list [--why] [--json] FILE: one line per valid table entry,
 *	<section>+0x<hex offset> <name> <call|tail> <aligned|unaligned>
 * sorted by section and offset (by address in linked files).
 *
 * --why is accepted for the padding pass (issue 6), which will explain why
 * a site stayed unaligned; until it exists nothing extra is printed.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "diag.h"
#include "sites.h"
#include "static_call_table.h"

static void json_string(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static const char *kind_of(const struct sc_entry *e)
{
	return e->flags & STATIC_CALL_SITE_TAIL ? "tail" : "call";
}

static void print_text(const struct sc_entry *e)
{
	printf("%s+0x%" PRIx64 " %s %s %s\n", e->section, e->offset,
	       e->name ? e->name : "?", kind_of(e),
	       e->aligned ? "aligned" : "unaligned");
}

static void print_json(const struct sc_entry *e, bool first, bool linked)
{
	printf("%s\n  {\"section\": ", first ? "" : ",");
	json_string(e->section);
	printf(", \"offset\": %" PRIu64, e->offset);
	if (linked)
		printf(", \"address\": %" PRIu64, e->addr);
	printf(", \"name\": ");
	json_string(e->name ? e->name : "");
	printf(", \"kind\": \"%s\", \"aligned\": %s", kind_of(e),
	       e->aligned ? "true" : "false");
	printf(", \"keyref\": %s", e->flags & STATIC_CALL_SITE_KEYREF ?
	       "true" : "false");
	printf(", \"key\": ");
	json_string(e->key ? e->key : "");
	printf(", \"function\": ");
	json_string(e->func ? e->func : "");
	printf(", \"function_offset\": %" PRIu64 "}", e->func_offset);
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "why", no_argument, NULL, 'w' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, first = true;
	struct sc_entry *e;
	struct sc_file *f;
	size_t n;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+v", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'v')
			verbose = true;
		else if (c != 'w')
			return usage_error("list: unknown option");
	}
	if (optind != argc - 1)
		return usage_error("list: exactly one FILE expected");
	f = sc_open(argv[optind]);
	if (!f)
		return EXIT_BAD;
	if (sc_table_entries(f, &e, &n)) {
		sc_close(f);
		return EXIT_BAD;
	}
	if (json)
		putchar('[');
	for (size_t i = 0; i < n; i++) {
		if (!e[i].valid) {
			note_at(sc_path(f), "table entry at %s+0x%" PRIx64
				" names no code: skipped", e[i].table_section,
				e[i].table_pos);
			continue;
		}
		if (json)
			print_json(&e[i], first, sc_is_linked(f));
		else
			print_text(&e[i]);
		first = false;
	}
	if (json)
		printf("%s]\n", first ? "" : "\n");
	sc_close(f);
	return 0;
}
