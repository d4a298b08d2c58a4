// SPDX-License-Identifier: MIT
/*
 * scpatch [--no-align] [-v] FILE.o...  and  scpatch [--no-align] -o OUT FILE.o
 *
 * Finds the static call sites of each object (refs.c), rewrites -fno-plt
 * GOT calls of trampolines into direct calls, merges them with any table
 * already there (objtable.c) and writes the table fragments (table.c).
 * An object with no sites and no table is not touched at all.
 *
 * Padding (issue 6) is not done here yet: --no-align is accepted and will
 * mean "do not pad" once padding exists.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "diag.h"
#include "objtable.h"
#include "refs.h"
#include "static_call_table.h"
#include "table.h"

struct key_name {
	const char *name;	/* after the __SCK__ prefix */
	unsigned sym;
};

struct annotation {
	struct view v;
	struct tramp_set t;
	struct obj_ref *refs;
	size_t nrefs;
	struct obj_entry *old;
	size_t nold;
	struct key_name *keys;
	size_t nkeys;
	struct table_site *sites;
	size_t nsites;
	unsigned *old_tables;
	size_t nold_tables;
	size_t rewrites;
};

static int cmp_key_name(const void *a, const void *b)
{
	const struct key_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->sym > y->sym) - (x->sym < y->sym);
}

static int collect_keys(struct annotation *an)
{
	struct view *v = &an->v;

	for (size_t i = 1; i < v->nsyms; i++) {
		const char *n = view_sym_name(v, i);
		struct key_name *k;

		if (strncmp(n, STATIC_CALL_KEY_PREFIX, STATIC_CALL_KEY_PREFIX_LEN) ||
		    ELF64_ST_TYPE(v->syms[i].st_info) == STT_SECTION)
			continue;
		k = realloc(an->keys, (an->nkeys + 1) * sizeof(*k));
		if (!k)
			return error_at(v->path, "out of memory"), -1;
		an->keys = k;
		an->keys[an->nkeys].name = n + STATIC_CALL_KEY_PREFIX_LEN;
		an->keys[an->nkeys++].sym = i;
	}
	qsort(an->keys, an->nkeys, sizeof(*an->keys), cmp_key_name);
	return 0;
}

/* The key of trampoline TRAMP: the first __SCK__ symbol of its name. */
static long key_of(const struct annotation *an, unsigned tramp)
{
	struct key_name k = { tramp_call_name(&an->v, tramp), 0 };
	size_t lo = 0, hi = an->nkeys;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cmp_key_name(&an->keys[mid], &k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < an->nkeys && !strcmp(an->keys[lo].name, k.name))
		return an->keys[lo].sym;
	return -1;
}

static void describe(const struct annotation *an, const struct obj_ref *r,
		     const char *what)
{
	const struct view *v = &an->v;

	note_at(v->path, "%s+0x%" PRIx64 ": %s %s", v->secs[r->sec].name,
		r->decoded ? r->insn.addr : r->off,
		view_sym_name(v, r->sym), what);
}

static int add_site(struct annotation *an, unsigned text, uint64_t site,
		    unsigned key, unsigned flags, bool from_table)
{
	struct table_site *s;

	s = realloc(an->sites, (an->nsites + 1) * sizeof(*s));
	if (!s)
		return error_at(an->v.path, "out of memory"), -1;
	an->sites = s;
	an->sites[an->nsites++] = (struct table_site){ text, site, key, flags,
						       from_table };
	return 0;
}

static int sites_from_refs(struct annotation *an)
{
	for (size_t i = 0; i < an->nrefs; i++) {
		const struct obj_ref *r = &an->refs[i];
		uint64_t site = r->site;
		long key;

		if (r->kind == SC_REF_GOT_LOAD) {
			describe(an, r, "is loaded from the GOT into a register "
				 "(clang -fno-plt): cannot be rewritten; it calls "
				 "through the trampoline");
			continue;
		}
		if (r->kind == SC_REF_OTHER) {
			describe(an, r, "is referenced but not called (address "
				 "taken, data or unusual instruction): not a site");
			continue;
		}
		key = key_of(an, r->sym);
		if (key < 0) {
			error_at(an->v.path, "trampoline %s has no key %s%s in "
				 "this object", view_sym_name(&an->v, r->sym),
				 STATIC_CALL_KEY_PREFIX,
				 tramp_call_name(&an->v, r->sym));
			return -1;
		}
		if (r->kind == SC_REF_GOT_CALL) {
			/* call: 67 e8 rel32 (opcode at +1); jmp: e9 rel32 90 */
			if (!(r->flags & STATIC_CALL_SITE_TAIL))
				site++;
			an->rewrites++;
		}
		if (add_site(an, r->sec, site, key, r->flags, false))
			return -1;
	}
	return 0;
}

static int sites_from_old_table(struct annotation *an)
{
	const struct view *v = &an->v;

	for (size_t i = 0; i < an->nold; i++) {
		const struct obj_entry *e = &an->old[i];

		if (!e->text_sec || e->key_sym < 0 ||
		    !(v->secs[e->text_sec].sh.sh_flags & SHF_EXECINSTR) ||
		    e->site >= v->secs[e->text_sec].size) {
			note_at(v->path, "old table entry %s+0x%" PRIx64
				" names no site or no key: dropped",
				v->secs[e->table_sec].name, e->table_off);
			continue;
		}
		if (add_site(an, e->text_sec, e->site, e->key_sym,
			     e->flags & STATIC_CALL_SITE_TAIL, true))
			return -1;
	}
	return 0;
}

static int cmp_place(const struct table_site *x, const struct table_site *y)
{
	if (x->text != y->text)
		return x->text < y->text ? -1 : 1;
	return (x->site > y->site) - (x->site < y->site);
}

static int cmp_site(const void *a, const void *b)
{
	const struct table_site *x = a, *y = b;

	return cmp_place(x, y) ? cmp_place(x, y) : x->from_table - y->from_table;
}

/*
 * Sort and merge: the code decides.  An old entry is kept only where the
 * code has the same site (it then adds nothing); one that names no site
 * any more is stale and dropped.
 */
static void sort_sites(struct annotation *an)
{
	size_t k = 0;

	qsort(an->sites, an->nsites, sizeof(*an->sites), cmp_site);
	for (size_t i = 0; i < an->nsites; i++) {
		const struct table_site *s = &an->sites[i];

		if (k && !cmp_place(&an->sites[k - 1], s))
			continue;
		if (s->from_table) {
			note_at(an->v.path, "old table entry for %s+0x%" PRIx64
				" names no static call site: dropped",
				an->v.secs[s->text].name, s->site);
			continue;
		}
		an->sites[k++] = *s;
	}
	an->nsites = k;
}

static int list_old_tables(struct annotation *an)
{
	struct view *v = &an->v;

	for (unsigned s = 1; s < v->nsecs; s++) {
		unsigned *p;

		if (!is_table_section(v, s))
			continue;
		p = realloc(an->old_tables, (an->nold_tables + 1) * sizeof(*p));
		if (!p)
			return error_at(v->path, "out of memory"), -1;
		an->old_tables = p;
		an->old_tables[an->nold_tables++] = s;
	}
	return 0;
}

static int rewrite_got_calls(struct obj *obj, const struct annotation *an)
{
	for (size_t i = 0; i < an->nrefs; i++) {
		const struct obj_ref *r = &an->refs[i];
		struct section *sec;
		struct reloc *rel;
		uint8_t *p;
		bool tail = r->flags & STATIC_CALL_SITE_TAIL;

		if (r->kind != SC_REF_GOT_CALL)
			continue;
		sec = obj_section(obj, r->sec);
		rel = sec ? obj_find_reloc(obj, sec, r->off) : NULL;
		p = sec ? obj_section_data_writable(obj, sec) : NULL;
		if (!rel || !p) {
			error_at(an->v.path, "%s", obj_errmsg());
			return -1;
		}
		/* What ld's GOTPCRELX relaxation writes. */
		p += r->insn.addr;
		memcpy(p, tail ? "\xe9\0\0\0\0\x90" : "\x67\xe8\0\0\0\0", 6);
		rel->offset = r->insn.addr + (tail ? 1 : 2);
		rel->type = R_X86_64_PLT32;
		rel->addend = -4;
		obj_relocs_changed(obj, sec);
	}
	return 0;
}

static int write_object(struct annotation *an, const char *out)
{
	struct table_input in = {
		.sites = an->sites, .n = an->nsites,
		.old_tables = an->old_tables, .nold = an->nold_tables,
		.anchor = view_sym_by_name(&an->v, STATIC_CALL_STUB_ANCHOR),
		.keyref_sec = view_sec_by_name(&an->v, KEYREF_SECTION),
	};
	struct obj *obj = obj_open(an->v.path, OBJ_MODIFY);
	int ret = -1;

	if (!obj) {
		error_at(an->v.path, "%s", obj_errmsg());
		return -1;
	}
	if (!rewrite_got_calls(obj, an) && !table_emit(obj, &in)) {
		ret = obj_write(obj, out, 0);
		if (ret)
			error_at(out ? out : an->v.path, "%s", obj_errmsg());
	}
	obj_close(obj);
	return ret;
}

static void annotation_free(struct annotation *an)
{
	free(an->refs);
	free(an->old);
	free(an->keys);
	free(an->sites);
	free(an->old_tables);
	tramp_set_free(&an->t);
	view_close(&an->v);
}

static int annotate_one(const char *path, const char *out)
{
	struct annotation an;
	int ret = EXIT_BAD;

	memset(&an, 0, sizeof(an));
	if (view_open(&an.v, path, true))
		return EXIT_BAD;
	if (an.v.eh.e_type != ET_REL) {
		error_at(path, "not a relocatable object (annotate runs on .o "
			 "files, before the final link)");
		goto out;
	}
	if (tramp_set_build(&an.v, &an.t) ||
	    obj_find_refs(&an.v, &an.t, &an.refs, &an.nrefs) ||
	    obj_read_tables(&an.v, &an.old, &an.nold) ||
	    collect_keys(&an) || list_old_tables(&an) ||
	    sites_from_refs(&an) || sites_from_old_table(&an))
		goto out;
	sort_sites(&an);
	note_at(path, "%zu static call sites (%zu -fno-plt calls rewritten)",
		an.nsites, an.rewrites);
	if (!an.nsites && !an.nold_tables && !out) {
		ret = 0;
		goto out;
	}
	ret = write_object(&an, out) ? EXIT_BAD : 0;
out:
	annotation_free(&an);
	return ret;
}

int cmd_annotate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-align", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	int c, ret = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:v", opts, NULL)) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == 'v')
			verbose = true;
		else if (c != 'n')
			return usage_error("unknown option");
	}
	if (optind >= argc)
		return usage_error("no input files");
	if (out && optind != argc - 1)
		return usage_error("-o takes exactly one input file");
	for (int i = optind; i < argc; i++)
		if (annotate_one(argv[i], out))
			ret = EXIT_BAD;
	return ret;
}
