// SPDX-License-Identifier: MIT
/*
 * scpatch [--no-align] [-v] FILE.o...  and  scpatch [--no-align] -o OUT FILE.o
 *
 * Finds the static call sites of each object (refs.c), rewrites -fno-plt
 * GOT calls of trampolines into direct calls, pads the code so that each
 * site's rel32 is aligned (pad.h; not with --no-align), merges the sites
 * with any table already there (objtable.c) and writes the table fragments
 * (table.c).  An object with no sites and no table is not touched at all.
 *
 * Each object is opened once, with the object model (OBJ_MODIFY).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "big_alloc.h"
#include "commands.h"
#include "diag.h"
#include "elf.h"
#include "objtable.h"
#include "pad.h"
#include "refs.h"
#include "static_call_table.h"
#include "table.h"

/*
 * Keys by trampoline: the first lookup of a trampoline scans the __SCK__
 * symbols once into a table by name, and each trampoline's key is kept,
 * so that 300K sites cost 300K pointer lookups (and the model builds no
 * name hash of every symbol for them).
 */
struct key_map {
	struct symbol **by_name;	/* __SCK__ symbols, open addressing */
	size_t name_mask;
	const struct symbol **tramps;	/* trampolines resolved so far */
	struct symbol **tramp_keys;
	size_t tramp_mask, ntramps;
	bool scanned;
};

struct annotation {
	struct obj *obj;
	const char *path;
	struct tramp_set t;
	struct obj_ref *refs;
	size_t nrefs;
	struct obj_entry *old;
	size_t nold;
	struct table_site *sites;
	size_t nsites;
	struct section **old_tables;
	size_t nold_tables;
	size_t rewrites;
	struct key_map keys;
	struct pad_pass *pad;	/* when padding: its decode serves the
				 * site finder too */
};

static size_t name_hash(const char *s)
{
	size_t h = 14695981039346656037ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static size_t ptr_hash(const void *p)
{
	return (size_t)(((uintptr_t)p >> 4) * 0x9e3779b97f4a7c15ull >> 16);
}

static const char *key_call_name(const struct symbol *key)
{
	return key->name + STATIC_CALL_KEY_PREFIX_LEN;
}

static int count_key(struct symbol *sym, void *arg)
{
	if (sym->type != STT_SECTION)
		++*(size_t *)arg;
	return 0;
}

/* The first (lowest index) non-section symbol of each __SCK__ name, as a
 * lookup by name would find it. */
static int map_key(struct symbol *sym, void *arg)
{
	struct key_map *m = arg;
	size_t i;

	if (sym->type == STT_SECTION)
		return 0;
	for (i = name_hash(key_call_name(sym)) & m->name_mask; m->by_name[i];
	     i = (i + 1) & m->name_mask)
		if (!strcmp(m->by_name[i]->name, sym->name))
			return 0;
	m->by_name[i] = sym;
	return 0;
}

static int scan_keys(struct obj *obj, struct key_map *m, size_t ntramps)
{
	size_t n = 0, size = 16;

	obj_for_each_symbol_prefixed(obj, obj_symtab(obj),
				     STATIC_CALL_KEY_PREFIX, count_key, &n);
	while (size < 2 * n)
		size *= 2;
	m->by_name = calloc(size, sizeof(*m->by_name));
	m->name_mask = size - 1;
	for (size = 16; size < 2 * ntramps; size *= 2)
		;
	m->tramps = calloc(size, sizeof(*m->tramps));
	m->tramp_keys = calloc(size, sizeof(*m->tramp_keys));
	m->tramp_mask = size - 1;
	if (!m->by_name || !m->tramps || !m->tramp_keys)
		return -1;
	obj_for_each_symbol_prefixed(obj, obj_symtab(obj),
				     STATIC_CALL_KEY_PREFIX, map_key, m);
	m->scanned = true;
	return 0;
}

static struct symbol *key_by_name(const struct key_map *m, const char *call)
{
	for (size_t i = name_hash(call) & m->name_mask; m->by_name[i];
	     i = (i + 1) & m->name_mask)
		if (!strcmp(key_call_name(m->by_name[i]), call))
			return m->by_name[i];
	return NULL;
}

/* The key of trampoline TRAMP: the first __SCK__ symbol of its name.
 * NULL when there is none; *NOMEM when that is for want of memory. */
static struct symbol *key_of(struct annotation *an, const struct symbol *tramp,
			     bool *nomem)
{
	struct key_map *m = &an->keys;
	struct symbol *key;
	size_t i;

	*nomem = !m->scanned && scan_keys(an->obj, m, an->t.count);
	if (*nomem)
		return NULL;
	for (i = ptr_hash(tramp) & m->tramp_mask; m->tramps[i];
	     i = (i + 1) & m->tramp_mask)
		if (m->tramps[i] == tramp)
			return m->tramp_keys[i];
	key = key_by_name(m, tramp_call_name(tramp));
	/* Kept while the table is at most half full (always, as every
	 * trampoline is in the set; a miss only costs a lookup by name). */
	if (key && 2 * (m->ntramps + 1) <= m->tramp_mask + 1) {
		m->tramps[i] = tramp;
		m->tramp_keys[i] = key;
		m->ntramps++;
	}
	return key;
}

static void key_map_free(struct key_map *m)
{
	free(m->by_name);
	free(m->tramps);
	free(m->tramp_keys);
}

static void describe(const struct annotation *an, const struct obj_ref *r,
		     const char *what)
{
	note_at(an->path, "%s+0x%" PRIx64 ": %s %s",
		obj_section(an->obj, r->sec)->name,
		r->decoded ? obj_ref_insn_addr(r) : r->off, r->sym->name, what);
}

/* Room for every site: one per reference and per old entry at most. */
static int reserve_sites(struct annotation *an)
{
	an->sites = big_malloc((an->nrefs + an->nold + 1) *
				    sizeof(*an->sites));
	if (!an->sites)
		return error_at(an->path, "out of memory"), -1;
	return 0;
}

static void add_site(struct annotation *an, struct section *text,
		     uint64_t site, struct symbol *key, unsigned flags,
		     bool from_table)
{
	an->sites[an->nsites++] = (struct table_site){ text, site, key, flags,
						       from_table };
}

static int sites_from_refs(struct annotation *an)
{
	for (size_t i = 0; i < an->nrefs; i++) {
		const struct obj_ref *r = &an->refs[i];
		uint64_t site = obj_ref_site(r);
		struct symbol *key;
		bool nomem;

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
		key = key_of(an, r->sym, &nomem);
		if (nomem)
			return error_at(an->path, "out of memory"), -1;
		if (!key) {
			error_at(an->path, "trampoline %s has no key %s%s in "
				 "this object", r->sym->name,
				 STATIC_CALL_KEY_PREFIX, tramp_call_name(r->sym));
			return -1;
		}
		if (r->kind == SC_REF_GOT_CALL) {
			/* call: 67 e8 rel32 (opcode at +1); jmp: e9 rel32 90 */
			if (!(r->flags & STATIC_CALL_SITE_TAIL))
				site++;
			an->rewrites++;
		}
		add_site(an, obj_section(an->obj, r->sec), site, key, r->flags,
			 false);
	}
	return 0;
}

static int sites_from_old_table(struct annotation *an)
{
	for (size_t i = 0; i < an->nold; i++) {
		const struct obj_entry *e = &an->old[i];

		if (!e->text || !e->key ||
		    !(e->text->sh.sh_flags & SHF_EXECINSTR) ||
		    e->site >= e->text->size) {
			note_at(an->path, "old table entry %s+0x%" PRIx64
				" names no site or no key: dropped",
				e->table->name, e->table_off);
			continue;
		}
		add_site(an, e->text, e->site, e->key,
			 e->flags & STATIC_CALL_SITE_TAIL, true);
	}
	return 0;
}

static int cmp_place(const struct table_site *x, const struct table_site *y)
{
	if (x->text != y->text)
		return x->text->idx < y->text->idx ? -1 : 1;
	return (x->site > y->site) - (x->site < y->site);
}

static int cmp_site(const void *a, const void *b)
{
	const struct table_site *x = a, *y = b;

	return cmp_place(x, y) ? cmp_place(x, y) : x->from_table - y->from_table;
}

/* Sites come from relocations in offset order: sorting them again costs
 * more than this check on a large object. */
static bool sites_sorted(const struct annotation *an)
{
	for (size_t i = 1; i < an->nsites; i++)
		if (cmp_site(&an->sites[i - 1], &an->sites[i]) > 0)
			return false;
	return true;
}

/*
 * Sort and merge: the code decides.  An old entry is kept only where the
 * code has the same site (it then adds nothing); one that names no site
 * any more is stale and dropped.
 */
static void sort_sites(struct annotation *an)
{
	size_t k = 0;

	if (!sites_sorted(an))	/* also: qsort(NULL, 0) is undefined */
		qsort(an->sites, an->nsites, sizeof(*an->sites), cmp_site);
	for (size_t i = 0; i < an->nsites; i++) {
		const struct table_site *s = &an->sites[i];

		if (k && !cmp_place(&an->sites[k - 1], s))
			continue;
		if (s->from_table) {
			note_at(an->path, "old table entry for %s+0x%" PRIx64
				" names no static call site: dropped",
				s->text->name, s->site);
			continue;
		}
		an->sites[k++] = *s;
	}
	an->nsites = k;
}

static int list_old_tables(struct annotation *an)
{
	struct section *t;

	for (t = obj_find_section(an->obj, STATIC_CALL_SITES_SECTION); t;
	     t = obj_find_next_section(an->obj, t)) {
		struct section **p;

		if (!is_table_section(t))
			continue;
		p = realloc(an->old_tables, (an->nold_tables + 1) * sizeof(*p));
		if (!p)
			return error_at(an->path, "out of memory"), -1;
		an->old_tables = p;
		an->old_tables[an->nold_tables++] = t;
	}
	return 0;
}

/* -fno-plt GOT calls of trampolines become what ld's GOTPCRELX
 * relaxation writes, so that they are sites like any other. */
static int rewrite_got_calls(struct annotation *an)
{
	struct obj *obj = an->obj;

	for (size_t i = 0; i < an->nrefs; i++) {
		const struct obj_ref *r = &an->refs[i];
		struct section *sec;
		struct reloc *rel;
		uint8_t *p;
		bool tail = r->flags & STATIC_CALL_SITE_TAIL;

		if (r->kind != SC_REF_GOT_CALL)
			continue;
		sec = obj_section(obj, r->sec);
		rel = obj_find_reloc(obj, sec, r->off);
		p = rel ? obj_section_data_writable(obj, sec) : NULL;
		if (!p) {
			error_at(an->path, "%s", obj_errmsg());
			return -1;
		}
		if (an->pad)	/* its decode of SEC is out of date */
			pad_forget(an->pad, sec);
		p += obj_ref_site(r);
		memcpy(p, tail ? "\xe9\0\0\0\0\x90" : "\x67\xe8\0\0\0\0", 6);
		rel->offset = obj_ref_site(r) + (tail ? 1 : 2);
		rel->type = R_X86_64_PLT32;
		rel->sym = r->sym;
		rel->addend = -4;
		obj_relocs_changed(obj, sec);
	}
	return 0;
}

static const uint64_t *pass_starts(void *pad, struct section *sec)
{
	return pad_insn_starts(pad, sec);
}

static int find_sites(struct annotation *an)
{
	struct insn_starts_source src = { pass_starts, an->pad };

	if (tramp_set_build(an->obj, &an->t) ||
	    obj_find_refs(an->obj, &an->t, an->pad ? &src : NULL, &an->refs,
			  &an->nrefs) ||
	    obj_read_tables(an->obj, &an->old, &an->nold) ||
	    list_old_tables(an) || reserve_sites(an) || sites_from_refs(an) ||
	    sites_from_old_table(an))
		return -1;
	sort_sites(an);
	note_at(an->path, "%zu static call sites (%zu -fno-plt calls rewritten)",
		an->nsites, an->rewrites);
	return 0;
}

static bool align = true;	/* cleared by --no-align */

/* Pads the code so that each site's rel32 is aligned (pad.h); sites move
 * with their code, and the ones left unaligned say why with -v. */
static int pad_all(struct annotation *an)
{
	struct pad_site *ps = big_malloc((an->nsites + 1) * sizeof(*ps));
	int ret;

	if (!ps)
		return error_at(an->path, "out of memory"), -1;
	ps[an->nsites] = (struct pad_site){ 0 };
	for (size_t i = 0; i < an->nsites; i++)
		ps[i] = (struct pad_site){ an->sites[i].text->idx,
					   an->sites[i].site, NULL };
	ret = pad_run(an->pad, ps, an->nsites);
	pad_end(an->pad);	/* its memory, before the table is made */
	an->pad = NULL;
	if (!ret) {
		for (size_t i = 0; i < an->nsites; i++) {
			an->sites[i].site = ps[i].site;
			if (ps[i].why)
				note_at(an->path, "%s+0x%" PRIx64 ": stays "
					"unaligned: %s", an->sites[i].text->name,
					ps[i].site, ps[i].why);
		}
	}
	free(ps);
	return ret;
}

static int emit_and_write(struct annotation *an, const char *out)
{
	struct table_input in = {
		.sites = an->sites, .n = an->nsites,
		.old_tables = an->old_tables, .nold = an->nold_tables,
	};

	if (table_emit(an->obj, &in))
		return -1;
	if (obj_write(an->obj, out, 0)) {
		error_at(out ? out : an->path, "%s", obj_errmsg());
		return -1;
	}
	return 0;
}

static void annotation_free(struct annotation *an)
{
	free(an->refs);
	free(an->old);
	free(an->sites);
	free(an->old_tables);
	key_map_free(&an->keys);
	tramp_set_free(&an->t);
	pad_end(an->pad);
	obj_close(an->obj);
}

/* read -> find sites -> (pad) -> emit table -> write */
static int annotate_one(const char *path, const char *out)
{
	struct annotation an = { .path = path };
	int ret = EXIT_BAD;

	an.obj = open_code_object(path, OBJ_MODIFY);
	if (!an.obj)
		return EXIT_BAD;
	if (align && !(an.pad = pad_begin(an.obj))) {
		error_at(path, "out of memory");
		goto out;
	}
	if (find_sites(&an))
		goto out;
	if (!an.nsites && !an.nold_tables && !out) {
		ret = 0;
		goto out;
	}
	if (rewrite_got_calls(&an))
		goto out;
	/* The references are spent (13 MB on c.o): not kept through the
	 * padding pass, the largest user of memory. */
	free(an.refs);
	an.refs = NULL;
	an.nrefs = 0;
	if (align && pad_all(&an))
		goto out;
	if (emit_and_write(&an, out))
		goto out;
	ret = 0;
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
	opterr = 0;	/* one line, ours, names the option */
	/* Options may follow the files, as with most tools: "scpatch IN -o
	 * OUT" must not annotate IN in place and then fail on "-o". */
	while ((c = getopt_long(argc, argv, "o:v", opts, NULL)) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == 'v')
			verbose = true;
		else if (c == 'n')
			align = false;
		else
			return usage_error("unknown option '%s'", argv[optind - 1]);
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
