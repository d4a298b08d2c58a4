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
	struct obj *obj;
	const char *path;
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
	f->path = path;
	f->obj = open_code_object(path, OBJ_READ);
	if (!f->obj) {
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
	obj_close(f->obj);
	free(f);
}

bool sc_is_linked(const struct sc_file *f)
{
	return !obj_is_relocatable(f->obj);
}

const char *sc_path(const struct sc_file *f)
{
	return f->path;
}

struct obj *sc_obj(struct sc_file *f)
{
	return f->obj;
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

static void locate_in_object(struct obj *obj, struct section *sec,
			     uint64_t off, const char **func,
			     uint64_t *func_offset)
{
	struct symbol *s = obj_find_func_containing(obj, sec, off);

	*func = s ? s->name : NULL;
	*func_offset = s ? off - s->sym.st_value : 0;
}

/* The trampoline that the site's rel32 relocation names, or NULL. */
static struct symbol *site_tramp(const struct obj_ref *refs, size_t n,
				 unsigned sec, uint64_t field)
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
	return NULL;
}

static void fill_object_entry(struct obj *obj, const struct obj_entry *oe,
			      const struct obj_ref *refs, size_t nrefs,
			      struct sc_entry *e)
{
	struct section *s = oe->text;
	const struct insn *in = &e->insn;
	struct symbol *tramp;
	const uint8_t *data;

	memset(e, 0, sizeof(*e));
	e->table_section = oe->table->name;
	e->table_pos = oe->table_off;
	if (oe->table->sh.sh_flags & SHF_LINK_ORDER)
		e->table_link = oe->table->sh.sh_link;
	e->flags = oe->flags;
	if (oe->key) {
		e->key = oe->key->name;
		e->name = e->key + STATIC_CALL_KEY_PREFIX_LEN;
	}
	if (!s)
		return;
	e->section = s->name;
	e->section_index = s->idx;
	e->offset = e->addr = oe->site;
	if (!(s->sh.sh_flags & SHF_EXECINSTR) || s->sh.sh_type == SHT_NOBITS ||
	    oe->site >= s->size)
		return;
	data = obj_section_data(obj, s);
	if (!data)
		return;
	e->valid = true;
	locate_in_object(obj, s, oe->site, &e->func, &e->func_offset);
	arch_decode(data + oe->site, s->size - oe->site, oe->site, &e->insn);
	e->insn_ok = (in->kind == INSN_CALL || in->kind == INSN_JMP ||
		      in->kind == INSN_JCC) && in->disp_size == 4;
	if (!e->insn_ok)
		return;
	e->rel32_pos = oe->site + in->disp_off;
	e->aligned = !(e->rel32_pos % 4) && s->sh.sh_addralign >= 4;
	tramp = site_tramp(refs, nrefs, s->idx, e->rel32_pos);
	if (tramp) {
		e->tramp = tramp->name;
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

static int find_object_refs(struct sc_file *f, struct obj_ref **refs,
			    size_t *n)
{
	struct tramp_set t;
	int ret;

	if (tramp_set_build(f->obj, &t))
		return -1;
	ret = obj_find_refs(f->obj, &t, NULL, refs, n);
	tramp_set_free(&t);
	return ret;
}

static int object_entries(struct sc_file *f)
{
	struct obj_entry *oe;
	struct obj_ref *refs = NULL;
	size_t n, nrefs = 0;

	if (obj_read_tables(f->obj, &oe, &n))
		return -1;
	if (find_object_refs(f, &refs, &nrefs)) {
		free(oe);
		return -1;
	}
	f->entries = calloc(n ? n : 1, sizeof(*f->entries));
	if (!f->entries) {
		error_at(f->path, "out of memory");
		n = 0;
	}
	for (size_t i = 0; f->entries && i < n; i++)
		fill_object_entry(f->obj, &oe[i], refs, nrefs, &f->entries[i]);
	f->nentries = f->entries ? n : 0;
	free(oe);
	free(refs);
	return f->entries ? 0 : -1;
}

int sc_table_entries(struct sc_file *f, struct sc_entry **out, size_t *count)
{
	int ret = 0;

	if (!f->have_entries) {
		if (sc_is_linked(f))
			ret = linked_table_entries(f->obj, &f->entries,
						   &f->nentries);
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

static void fill_object_ref(struct obj *obj, const struct obj_ref *r,
			    struct sc_ref *o)
{
	struct section *s = obj_section(obj, r->sec);

	memset(o, 0, sizeof(*o));
	o->kind = r->kind;
	o->section = s->name;
	o->section_index = r->sec;
	o->offset = o->addr = r->kind == SC_REF_SITE ? obj_ref_site(r) :
			      r->decoded ? obj_ref_insn_addr(r) : r->off;
	o->tramp = r->sym->name;
	o->name = o->tramp + STATIC_CALL_TRAMP_PREFIX_LEN;
	o->in_code = r->in_code;
	obj_ref_insn(obj, r, &o->insn);
	o->field_pos = r->off;
	o->reloc_type = r->type;
	o->flags = r->flags;
	if (r->kind == SC_REF_SITE)
		o->aligned = !(r->off % 4) && s->sh.sh_addralign >= 4;
	if (r->in_code)
		locate_in_object(obj, s, o->offset, &o->func, &o->func_offset);
}

static int object_refs(struct sc_file *f)
{
	struct obj_ref *refs;
	size_t n;

	if (find_object_refs(f, &refs, &n))
		return -1;
	f->refs = calloc(n ? n : 1, sizeof(*f->refs));
	if (!f->refs) {
		free(refs);
		error_at(f->path, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		fill_object_ref(f->obj, &refs[i], &f->refs[i]);
	f->nrefs = n;
	free(refs);
	return 0;
}

int sc_find_refs(struct sc_file *f, struct sc_ref **out, size_t *count)
{
	if (!f->have_refs) {
		int ret = sc_is_linked(f) ?
			linked_find_refs(f->obj, &f->refs, &f->nrefs) :
			object_refs(f);

		if (ret)
			return ret;
		f->have_refs = true;
	}
	*out = f->refs;
	*count = f->nrefs;
	return 0;
}
