// SPDX-License-Identifier: MIT
/*
 * scpatch list [--why] [--json] FILE: one line per valid table entry,
 *	<section>+0x<hex offset> <name> <call|tail> <aligned|unaligned>
 * sorted by section and offset.
 *
 * --why appends, to each unaligned site of an object, why it is unaligned:
 * the padding pass is run on a private copy of the object model (never
 * written), so the reason is the one annotate met, or that the object was
 * annotated with --no-align.  Linked files keep no reasons: padding
 * happens in their objects.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "diag.h"
#include "json.h"
#include "pad.h"
#include "sites.h"
#include "static_call_table.h"

static const char *kind_of(const struct sc_entry *e)
{
	return e->flags & STATIC_CALL_SITE_TAIL ? "tail" : "call";
}

static const char why_no_align[] =
	"not padded when annotated (--no-align, or an earlier pass left it): "
	"annotating again would align it";
static const char why_linked[] =
	"linked file: run 'scpatch list --why' on its objects";

/*
 * Fills why[i] for every unaligned valid entry of F: what the padding pass
 * says when asked to align it now.  Returns -1 after printing an error.
 */
static int explain_unaligned(struct sc_file *f, const struct sc_entry *e,
			     size_t n, const char **why)
{
	struct pad_site *ps;
	size_t *of, np = 0;
	struct obj *obj;
	int ret = -1;

	for (size_t i = 0; i < n; i++)
		why[i] = sc_is_linked(f) && !e[i].aligned ? why_linked : NULL;
	if (sc_is_linked(f))
		return 0;
	ps = calloc(n + 1, sizeof(*ps));
	of = calloc(n + 1, sizeof(*of));
	obj = obj_open(sc_path(f), OBJ_MODIFY);
	if (!ps || !of || !obj) {
		error_at(sc_path(f), "%s", obj ? "out of memory" : obj_errmsg());
		goto out;
	}
	/* Entries are sorted by section and offset, as pad_sites wants.  All
	 * sites go in, aligned ones too, so that the pass plans as annotate
	 * did: which sites it drops depends on the others. */
	for (size_t i = 0; i < n; i++) {
		if (!e[i].valid)
			continue;
		ps[np] = (struct pad_site){ e[i].section_index, e[i].offset, NULL };
		of[np++] = i;
	}
	if (np && pad_sites(obj, ps, np))
		goto out;
	for (size_t k = 0; k < np; k++)
		if (!e[of[k]].aligned)
			why[of[k]] = ps[k].why ? ps[k].why : why_no_align;
	ret = 0;
out:
	if (obj)
		obj_close(obj);
	free(of);
	free(ps);
	return ret;
}

static void print_text(const struct sc_entry *e, const char *why)
{
	printf("%s+0x%" PRIx64 " %s %s %s", e->section, e->offset,
	       e->name ? e->name : "?", kind_of(e),
	       e->aligned ? "aligned" : "unaligned");
	if (why)
		printf(": %s", why);
	putchar('\n');
}

static void print_json(const struct sc_entry *e, bool first, bool linked,
		       const char *why)
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
	printf(", \"function_offset\": %" PRIu64, e->func_offset);
	if (why) {
		printf(", \"why\": ");
		json_string(why);
	}
	putchar('}');
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "why", no_argument, NULL, 'w' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, want_why = false, first = true;
	const char **why = NULL;
	struct sc_entry *e;
	struct sc_file *f;
	size_t n;
	int c;

	optind = 1;
	opterr = 0;	/* one line, ours, names the option */
	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'v')
			verbose = true;
		else if (c == 'w')
			want_why = true;
		else
			return usage_error("list: unknown option '%s'",
					   argv[optind - 1]);
	}
	if (optind != argc - 1)
		return usage_error("list: exactly one FILE expected");
	f = sc_open(argv[optind]);
	if (!f)
		return EXIT_BAD;
	if (sc_table_entries(f, &e, &n))	/* said why */
		goto bad;
	if (want_why) {
		why = calloc(n + 1, sizeof(*why));
		if (!why) {
			error_at(sc_path(f), "out of memory");
			goto bad;
		}
		if (explain_unaligned(f, e, n, why))
			goto bad;
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
			print_json(&e[i], first, sc_is_linked(f),
				   why ? why[i] : NULL);
		else
			print_text(&e[i], why ? why[i] : NULL);
		first = false;
	}
	if (json)
		printf("%s]\n", first ? "" : "\n");
	free(why);
	sc_close(f);
	return 0;
bad:
	free(why);
	sc_close(f);
	return EXIT_BAD;
}
