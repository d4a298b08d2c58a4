// SPDX-License-Identifier: MIT
/*
 * The sites.h API: tables and trampoline references of objects (through
 * relocations: objtable.c, refs.c) and of linked files (linked.c).
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "linked.h"
#include "objtable.h"
#include "refs.h"
#include "sites.h"
#include "static_call_table.h"

struct sc_file {
	struct view v;
	struct sc_entry *entries;
	size_t nentries;
	bool have_entries;
	struct sc_ref *refs;
	size_t nrefs;
	bool have_refs;
};

struct sc_file *sc_open(const char *path)
{
	struct sc_file *f = calloc(1, sizeof(*f));

	if (!f) {
		error_at(path, "out of memory");
		return NULL;
	}
	if (view_open(&f->v, path, true)) {
		free(f);
		return NULL;
	}
	return f;
}

void sc_close(struct sc_file *f)
{
	if (!f)
		return;
	free(f->entries);
	free(f->refs);
	view_close(&f->v);
	free(f);
}

bool sc_is_linked(const struct sc_file *f)
{
	return f->v.eh.e_type != ET_REL;
}

const char *sc_path(const struct sc_file *f)
{
	return f->v.path;
}

const char *sc_ref_kind_name(enum sc_ref_kind kind)
{
	switch (kind) {
	case SC_REF_SITE:
		return "site";
	case SC_REF_GOT_CALL:
		return "got-call";
	case SC_REF_GOT_LOAD:
		return "got-load";
	default:
		return "other";
	}
}

static void locate_in_object(struct view *v, unsigned sec, uint64_t off,
			     const char **func, uint64_t *func_offset)
{
	long s = view_sym_at(v, sec, off, true);

	*func = NULL;
	*func_offset = 0;
	if (s >= 0 && ELF64_ST_TYPE(v->syms[s].st_info) == STT_FUNC) {
		*func = view_sym_name(v, s);
		*func_offset = off - v->syms[s].st_value;
	}
}

/* The trampoline that the site's rel32 relocation names, or -1. */
static long site_tramp(const struct obj_ref *refs, size_t n, unsigned sec,
		       uint64_t field)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (refs[mid].sec < sec ||
		    (refs[mid].sec == sec && refs[mid].off < field))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && refs[lo].sec == sec && refs[lo].off == field)
		return refs[lo].sym;
	return -1;
}

static void fill_object_entry(struct view *v, const struct obj_entry *oe,
			      const struct obj_ref *refs, size_t nrefs,
			      struct sc_entry *e)
{
	const struct view_sec *s = &v->secs[oe->text_sec];
	const struct insn *in = &e->insn;
	long tramp;

	memset(e, 0, sizeof(*e));
	e->table_section = v->secs[oe->table_sec].name;
	e->table_pos = oe->table_off;
	e->flags = oe->flags;
	if (oe->key_sym >= 0) {
		e->key = view_sym_name(v, oe->key_sym);
		e->name = e->key + STATIC_CALL_KEY_PREFIX_LEN;
	}
	if (!oe->text_sec)
		return;
	e->section = s->name;
	e->section_index = oe->text_sec;
	e->offset = e->addr = oe->site;
	if (!(s->sh.sh_flags & SHF_EXECINSTR) || !s->data || oe->site >= s->size)
		return;
	e->valid = true;
	locate_in_object(v, oe->text_sec, oe->site, &e->func, &e->func_offset);
	arch_decode(s->data + oe->site, s->size - oe->site, oe->site, &e->insn);
	e->insn_ok = (in->kind == INSN_CALL || in->kind == INSN_JMP ||
		      in->kind == INSN_JCC) && in->disp_size == 4;
	if (!e->insn_ok)
		return;
	e->rel32_pos = oe->site + in->disp_off;
	e->aligned = !(e->rel32_pos % 4) && s->sh.sh_addralign >= 4;
	tramp = site_tramp(refs, nrefs, oe->text_sec, e->rel32_pos);
	if (tramp >= 0) {
		e->tramp = view_sym_name(v, tramp);
		e->name = e->tramp + STATIC_CALL_TRAMP_PREFIX_LEN;
	}
}

static int cmp_entry(const void *a, const void *b)
{
	const struct sc_entry *x = a, *y = b;

	if (x->section_index != y->section_index)
		return x->section_index < y->section_index ? -1 : 1;
	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return 0;
}

static int object_entries(struct sc_file *f)
{
	struct view *v = &f->v;
	struct obj_entry *oe;
	struct obj_ref *refs = NULL;
	struct tramp_set t;
	size_t n, nrefs = 0;

	if (obj_read_tables(v, &oe, &n))
		return -1;
	if (tramp_set_build(v, &t) || obj_find_refs(v, &t, &refs, &nrefs)) {
		tramp_set_free(&t);
		free(oe);
		return -1;
	}
	f->entries = calloc(n ? n : 1, sizeof(*f->entries));
	if (!f->entries) {
		error_at(v->path, "out of memory");
		n = 0;
	}
	for (size_t i = 0; f->entries && i < n; i++)
		fill_object_entry(v, &oe[i], refs, nrefs, &f->entries[i]);
	f->nentries = f->entries ? n : 0;
	free(oe);
	free(refs);
	tramp_set_free(&t);
	return f->entries ? 0 : -1;
}

int sc_table_entries(struct sc_file *f, struct sc_entry **out, size_t *count)
{
	int ret = 0;

	if (!f->have_entries) {
		if (sc_is_linked(f))
			ret = linked_table_entries(&f->v, &f->entries, &f->nentries);
		else
			ret = object_entries(f);
		if (ret)
			return ret;
		qsort(f->entries, f->nentries, sizeof(*f->entries), cmp_entry);
		f->have_entries = true;
	}
	*out = f->entries;
	*count = f->nentries;
	return 0;
}

static void fill_object_ref(struct view *v, const struct obj_ref *r,
			    struct sc_ref *o)
{
	const struct view_sec *s = &v->secs[r->sec];

	memset(o, 0, sizeof(*o));
	o->kind = r->kind;
	o->section = s->name;
	o->section_index = r->sec;
	o->offset = o->addr = r->kind == SC_REF_SITE ? r->site :
			      r->decoded ? r->insn.addr : r->off;
	o->tramp = view_sym_name(v, r->sym);
	o->name = o->tramp + STATIC_CALL_TRAMP_PREFIX_LEN;
	o->in_code = r->in_code;
	o->insn = r->insn;
	o->field_pos = r->off;
	o->reloc_type = r->type;
	o->flags = r->flags;
	if (r->kind == SC_REF_SITE)
		o->aligned = !(r->off % 4) && s->sh.sh_addralign >= 4;
	if (r->in_code)
		locate_in_object(v, r->sec, o->offset, &o->func, &o->func_offset);
}

static int object_refs(struct sc_file *f)
{
	struct obj_ref *refs;
	struct tramp_set t;
	size_t n;

	if (tramp_set_build(&f->v, &t) || obj_find_refs(&f->v, &t, &refs, &n)) {
		tramp_set_free(&t);
		return -1;
	}
	tramp_set_free(&t);
	f->refs = calloc(n ? n : 1, sizeof(*f->refs));
	if (!f->refs) {
		free(refs);
		error_at(f->v.path, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		fill_object_ref(&f->v, &refs[i], &f->refs[i]);
	f->nrefs = n;
	free(refs);
	return 0;
}

int sc_find_refs(struct sc_file *f, struct sc_ref **out, size_t *count)
{
	if (!f->have_refs) {
		int ret = sc_is_linked(f) ?
			linked_find_refs(&f->v, &f->refs, &f->nrefs) :
			object_refs(f);

		if (ret)
			return ret;
		f->have_refs = true;
	}
	*out = f->refs;
	*count = f->nrefs;
	return 0;
}
