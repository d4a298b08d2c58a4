// SPDX-License-Identifier: MIT
/*
 * scpatch check: the CI gate.  For each file it verifies every table entry
 * against the code (sites.h reads both), reports unaligned sites, calls to
 * trampolines that no table covers or that can never be patched, and
 * trampolines whose own jmp cannot be retargeted atomically
 * (check_tramp.c).  Positions come from DWARF (srcpos.c) when there is
 * any; report.c writes text, JSON or SARIF.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "commands.h"
#include "diag.h"
#include "elf.h"
#include "report.h"
#include "sites.h"
#include "srcpos.h"
#include "static_call_table.h"

/*
 * Debug information is read on the first finding that wants a position:
 * relocating the DWARF of a large object costs more than the whole check,
 * and a clean file needs none.  No debug information is not an error.
 */
static bool open_debug_info(struct check_file *c)
{
	if (c->pos_tried)
		return c->pos != NULL;
	c->pos_tried = true;
	c->pos = srcpos_open(c->path);
	if (c->pos && !srcpos_has_lines(c->pos)) {
		srcpos_close(c->pos);
		c->pos = NULL;
	}
	return c->pos != NULL;
}

/* Fill the source position of a finding from its place in the file. */
static void locate(struct check_file *c, struct finding *f,
		   unsigned section_index)
{
	struct srcpos pos;
	bool found;

	if (!f->section || !open_debug_info(c))
		return;
	if (c->linked)
		found = srcpos_at_addr(c->pos, f->addr, &pos);
	else
		found = srcpos_at_section(c->pos, section_index, f->offset, &pos);
	if (!found)
		return;
	f->src_file = pos.file;
	f->line = pos.line;
	f->column = pos.column;
}

void check_emit(struct check_file *c, enum report_rule rule,
		const struct check_place *where, const char *name,
		const char *detail, const char *fmt, ...)
{
	struct finding f = {
		.rule = rule,
		.object = c->path,
		.linked = c->linked,
		.name = name,
		.detail = detail,
	};
	char *message = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&message, fmt, ap) < 0)
		message = NULL;
	va_end(ap);
	f.message = message ? message : fmt;
	if (where) {
		f.section = where->section;
		f.offset = where->offset;
		f.addr = where->addr;
		f.func = where->func;
		f.func_offset = where->func_offset;
		locate(c, &f, where->section_index);
	}
	report_finding(&f);
	free(message);
}

/* ---- table entries ------------------------------------------------------ */

static void entry_place(const struct sc_entry *e, struct check_place *p)
{
	*p = (struct check_place){
		.section = e->section,
		.section_index = e->section_index,
		.offset = e->offset,
		.addr = e->addr,
		.func = e->func,
		.func_offset = e->func_offset,
	};
}

static const char *entry_name(const struct sc_entry *e)
{
	return e->name ? e->name : "?";
}

/* The reference (decoded from its function's start, so on an instruction
 * boundary) whose field is the entry's rel32, or NULL. */
static struct sc_ref *ref_at_field(struct check_file *c, unsigned section_index,
				   uint64_t field)
{
	size_t lo = 0, hi = c->nrefs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct sc_ref *r = c->by_field[mid];

		if (r->section_index < section_index ||
		    (r->section_index == section_index && r->field_pos < field))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->nrefs && c->by_field[lo]->section_index == section_index &&
	    c->by_field[lo]->field_pos == field)
		return c->by_field[lo];
	return NULL;
}

static bool is_jump(const struct insn *in)
{
	return in->kind == INSN_JMP || in->kind == INSN_JCC;
}

/*
 * Why an entry does not match the code, or NULL when it does.  Checked in
 * the order in which one failure makes the later checks meaningless.
 */
static const char *entry_problem(struct check_file *c, const struct sc_entry *e,
				 char *buf, size_t size)
{
	const struct sc_entry *good = c->last_good;
	struct sc_ref *ref;
	bool tail = e->flags & STATIC_CALL_SITE_TAIL;

	if (!e->valid)
		return "points outside every code section";
	if (!e->insn_ok)
		return "does not point at a call, jmp or jcc with a 4-byte displacement";
	/* --gc-sections keeps or drops a fragment with the section it links
	 * to: linked to anything but its sites' code, it outlives them or
	 * dies before them. */
	if (e->table_link && e->table_link != e->section_index) {
		snprintf(buf, size, "lies in a table fragment linked "
			 "(SHF_LINK_ORDER) to section %u, not to its code in %s",
			 e->table_link, e->section);
		return buf;
	}
	if (!c->symtab && !e->tramp)
		goto flags;	/* stripped: targets and keys have no names */
	ref = ref_at_field(c, e->section_index, e->rel32_pos);
	if (!ref || ref->kind != SC_REF_SITE || !e->tramp)
		return "points at a branch that does not go to a static call trampoline";
	c->in_table[ref - c->refs] = true;
	if (!e->key)
		return "names no static call key";
	if (strncmp(e->key, STATIC_CALL_KEY_PREFIX, STATIC_CALL_KEY_PREFIX_LEN) ||
	    strcmp(e->key + STATIC_CALL_KEY_PREFIX_LEN,
		   e->tramp + STATIC_CALL_TRAMP_PREFIX_LEN)) {
		snprintf(buf, size, "names key '%s' but the branch goes to '%s'",
			 e->key, e->tramp);
		return buf;
	}
flags:
	if (tail != is_jump(&e->insn)) {
		snprintf(buf, size, "says %s but the instruction is a %s",
			 tail ? "tail call" : "call",
			 insn_kind_name(e->insn.kind));
		return buf;
	}
	/* Entries come sorted by site: a twin of a good entry follows it. */
	if (good && good->section_index == e->section_index &&
	    good->offset == e->offset && good->addr == e->addr)
		return "duplicates another entry for the same site";
	c->last_good = e;
	return NULL;
}

static void check_entry(struct check_file *c, const struct sc_entry *e)
{
	struct check_place where;
	const char *problem;
	char buf[256], what[300];

	entry_place(e, &where);
	problem = entry_problem(c, e, buf, sizeof(buf));
	if (problem) {
		c->counts.invalid++;
		snprintf(what, sizeof(what), "table entry %s", problem);
		if (!e->section) {
			check_emit(c, RULE_INVALID_SITE, NULL, e->name, what,
				   "invalid static call site '%s' (table entry "
				   "at %s+0x%llx)", entry_name(e),
				   e->table_section,
				   (unsigned long long)e->table_pos);
			return;
		}
		check_emit(c, RULE_INVALID_SITE, &where, e->name, what,
			   "invalid static call site '%s'", entry_name(e));
		return;
	}
	if (e->aligned) {
		c->counts.aligned++;
		return;
	}
	c->counts.unaligned++;
	check_emit(c, RULE_UNALIGNED_SITE, &where, e->name, NULL,
		   "unaligned static call site '%s'", entry_name(e));
}

/* ---- references that no entry covers ------------------------------------- */

static void ref_place(const struct sc_ref *r, struct check_place *p)
{
	*p = (struct check_place){
		.section = r->section,
		.section_index = r->section_index,
		.offset = r->offset,
		.addr = r->addr,
		.func = r->func,
		.func_offset = r->func_offset,
	};
}

/* Calls that annotate would have made sites: in a file without any table
 * they all say one thing, the file was never annotated. */
static bool annotate_would_take(const struct check_file *c,
				const struct sc_ref *r)
{
	return r->kind == SC_REF_SITE ||
	       (r->kind == SC_REF_GOT_CALL && !c->linked);
}

static void check_ref(struct check_file *c, const struct sc_ref *r)
{
	struct check_place where;

	ref_place(r, &where);
	if (annotate_would_take(c, r) && !c->in_table[r - c->refs]) {
		c->unannotated++;
		if (!c->nentries)
			return;
		c->counts.other++;
		check_emit(c, RULE_UNANNOTATED, &where, r->name,
			   "from an object that scpatch did not annotate?",
			   "static call site '%s' not in the table", r->name);
		return;
	}
	if (r->kind == SC_REF_GOT_CALL) {
		c->counts.other++;
		check_emit(c, RULE_UNPATCHABLE_CALL, &where, r->name,
			   "through the GOT, not rewritten (from an object "
			   "that scpatch did not annotate?)",
			   "unpatchable call to static call '%s'", r->name);
		return;
	}
	if (r->kind == SC_REF_GOT_LOAD) {
		c->counts.other++;
		check_emit(c, RULE_UNPATCHABLE_CALL, &where, r->name,
			   "trampoline address loaded from the GOT into a "
			   "register (clang -fno-plt)",
			   "unpatchable call to static call '%s'", r->name);
	}
}

static void check_refs(struct check_file *c)
{
	for (size_t i = 0; i < c->nrefs; i++)
		check_ref(c, &c->refs[i]);
	if (c->nentries || !c->unannotated)
		return;
	c->counts.other++;
	check_emit(c, RULE_UNANNOTATED, NULL, NULL, "never annotated by scpatch",
		   "%zu call%s to static call trampolines but no %s table",
		   c->unannotated, c->unannotated == 1 ? "" : "s",
		   STATIC_CALL_SITES_SECTION);
}

/* ---- one file ------------------------------------------------------------ */

static int cmp_field(const void *a, const void *b)
{
	const struct sc_ref *x = *(const struct sc_ref *const *)a;
	const struct sc_ref *y = *(const struct sc_ref *const *)b;

	if (x->section_index != y->section_index)
		return x->section_index < y->section_index ? -1 : 1;
	if (x->field_pos != y->field_pos)
		return x->field_pos < y->field_pos ? -1 : 1;
	return 0;
}

static int index_refs(struct check_file *c)
{
	size_t n = c->nrefs ? c->nrefs : 1;

	c->by_field = calloc(n, sizeof(*c->by_field));
	c->in_table = calloc(n, sizeof(*c->in_table));
	if (!c->by_field || !c->in_table) {
		error_at(c->path, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < c->nrefs; i++)
		c->by_field[i] = &c->refs[i];
	if (c->nrefs)	/* qsort(NULL, 0) is undefined */
		qsort(c->by_field, c->nrefs, sizeof(*c->by_field), cmp_field);
	return 0;
}

static int read_file(struct check_file *c)
{
	c->sc = sc_open(c->path);
	if (!c->sc)
		return -1;
	c->linked = sc_is_linked(c->sc);
	c->obj = sc_obj(c->sc);	/* owned by c->sc: one open per file */
	c->symtab = obj_symtab(c->obj) != NULL;
	if (sc_table_entries(c->sc, &c->entries, &c->nentries) ||
	    sc_find_refs(c->sc, &c->refs, &c->nrefs) || index_refs(c))
		return -1;
	if (!c->symtab && c->nentries)
		error_at(c->path, "note: no symbol table: call targets and "
			 "keys are not verified, only instructions, flags and "
			 "alignment");
	return 0;
}

static void close_file(struct check_file *c)
{
	srcpos_close(c->pos);
	free(c->by_field);
	free(c->in_table);
	if (c->sc)
		sc_close(c->sc);
}

static int check_one(const char *path)
{
	struct check_file c = { .path = path };
	int status;

	report_file_begin(path);
	if (read_file(&c))
		goto bad;
	c.counts.sites = c.nentries;
	for (size_t i = 0; i < c.nentries; i++)
		check_entry(&c, &c.entries[i]);
	check_refs(&c);
	if (check_trampolines(&c))
		goto bad;
	report_file_end(&c.counts);
	status = c.counts.unaligned || c.counts.invalid || c.counts.other ?
		 EXIT_PROBLEMS : 0;
	close_file(&c);
	return status;
bad:
	report_file_bad();
	close_file(&c);
	return EXIT_BAD;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "sarif", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, sarif = false;
	int status = 0, i, c;

	optind = 1;
	opterr = 0;	/* one line, ours, names the option */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 's')
			sarif = true;
		else
			return usage_error("check: unknown option '%s'",
					   argv[optind - 1]);
	}
	i = optind;
	if (json && sarif)
		return usage_error("check: --json and --sarif exclude each other");
	if (i == argc)
		return usage_error("check: no input files");
	report_begin(json ? REPORT_JSON : sarif ? REPORT_SARIF : REPORT_TEXT);
	for (; i < argc; i++) {
		int one = check_one(argv[i]);

		if (one > status)
			status = one;
	}
	report_end();
	return status;
}
