// SPDX-License-Identifier: MIT
/*
 * Table writer (see table.h).  Each fragment is planned first, compared
 * with the table section it reuses, and only written when it differs, so
 * that annotating an annotated object changes nothing and the object model
 * writes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "big_alloc.h"
#include "diag.h"
#include "static_call_table.h"
#include "table.h"

#define TABLE_FLAGS	(SHF_ALLOC | SHF_WRITE | SHF_LINK_ORDER)
#define TABLE_ALIGN	4

struct fragment {
	struct section *text;
	const struct table_site *sites;
	struct symbol **keys;		/* resolved before any symbol is added */
	size_t count;
	struct section *table;		/* existing section reused, or NULL */
};

struct emitter {
	struct obj *obj;
	struct symbol *anchor;
	struct section *slots;
	struct symbol **slot_keys;	/* key of each slot, by slot number */
	size_t nslots;
};

static int fail(struct obj *obj)
{
	error_at(obj_path(obj), "%s", obj_errmsg());
	return -1;
}

static bool binds_locally(const struct symbol *s)
{
	return s->bind == STB_LOCAL || s->vis == STV_HIDDEN ||
	       s->vis == STV_INTERNAL;
}

static int find_anchor(struct emitter *em)
{
	struct symbol *s = obj_find_symbol(em->obj, STATIC_CALL_STUB_ANCHOR);

	if (!s)
		s = obj_add_symbol(em->obj, STATIC_CALL_STUB_ANCHOR, NULL, 0, 0,
				   STB_GLOBAL, STT_NOTYPE, STV_HIDDEN);
	em->anchor = s;
	return s ? 0 : fail(em->obj);
}

/* Existing slots: R_X86_64_64 relocations at 8-byte steps. */
static int load_slots(struct emitter *em)
{
	struct obj *obj = em->obj;
	struct reloc *r;
	long n;

	em->slots = obj_find_section(obj, KEYREF_SECTION);
	if (!em->slots)
		return 0;
	em->nslots = em->slots->size / 8;
	em->slot_keys = calloc(em->nslots + 1, sizeof(*em->slot_keys));
	if (!em->slot_keys)
		return error_at(obj_path(obj), "out of memory"), -1;
	n = obj_nrelocs(obj, em->slots);
	if (n < 0)
		return fail(obj);
	obj_for_each_reloc(obj, em->slots, r)
		if (r->type == R_X86_64_64 && !(r->offset % 8) && !r->addend &&
		    r->offset / 8 < em->nslots && !em->slot_keys[r->offset / 8])
			em->slot_keys[r->offset / 8] = r->sym;
	return 0;
}

/* Offset of KEY's slot, created when missing; -1 on error. */
static int64_t slot_of(struct emitter *em, struct symbol *key)
{
	struct obj *obj = em->obj;
	struct symbol **keys;
	int64_t off;

	for (size_t i = 0; i < em->nslots; i++)
		if (em->slot_keys[i] == key)
			return 8 * i;
	if (!em->slots) {
		em->slots = obj_create_section(obj, KEYREF_SECTION, SHT_PROGBITS,
					       SHF_ALLOC | SHF_WRITE, 0, 8,
					       NULL, 0);
		if (!em->slots)
			return fail(obj);
	}
	off = obj_section_append(obj, em->slots, NULL, 8);
	if (off < 0 || off != (int64_t)(8 * em->nslots) ||
	    !obj_add_reloc(obj, em->slots, off, R_X86_64_64, key, 0))
		return off < 0 || off == (int64_t)(8 * em->nslots) ? fail(obj) :
			(error_at(obj_path(obj), "section %s is not made of "
				  "8-byte slots", KEYREF_SECTION), -1);
	keys = realloc(em->slot_keys, (em->nslots + 1) * sizeof(*keys));
	if (!keys)
		return error_at(obj_path(obj), "out of memory"), -1;
	em->slot_keys = keys;
	em->slot_keys[em->nslots++] = key;
	return off;
}

/* The relocations fragment F wants, in W[0 .. 1 + 2 * F->count). */
static int plan_relocs(struct emitter *em, const struct fragment *f,
		       struct reloc *w)
{
	struct obj *obj = em->obj;
	struct symbol *text_sym = obj_section_symbol(obj, f->text);

	if (!text_sym)
		return fail(obj);
	w[0] = (struct reloc){ .offset = 0, .type = R_X86_64_NONE,
			       .sym = em->anchor };
	for (size_t i = 0; i < f->count; i++) {
		const struct table_site *s = &f->sites[i];
		struct symbol *key = f->keys[i];
		struct reloc *a = &w[1 + 2 * i], *k = a + 1;

		*a = (struct reloc){ .offset = 8 * i, .type = R_X86_64_PC32,
				     .sym = text_sym, .addend = (int64_t)s->site };
		*k = (struct reloc){ .offset = 8 * i + 4, .type = R_X86_64_PC32,
				     .sym = key, .addend = s->flags };
		if (binds_locally(key))
			continue;
		int64_t slot = slot_of(em, key);

		if (slot < 0)
			return -1;
		k->sym = obj_section_symbol(obj, em->slots);
		if (!k->sym)
			return fail(obj);
		k->addend = slot + (s->flags | STATIC_CALL_SITE_KEYREF);
	}
	return 0;
}

static uint64_t wanted_flags(const struct fragment *f)
{
	return TABLE_FLAGS | (f->text->group ? SHF_GROUP : 0);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static bool table_matches(struct obj *obj, const struct fragment *f,
			  const struct reloc *w, size_t nw)
{
	struct section *t = f->table;
	const uint8_t *data;

	if (!t || t->sh.sh_flags != wanted_flags(f) ||
	    t->sh.sh_link != f->text->idx || t->sh.sh_entsize != 8 ||
	    t->sh.sh_addralign != TABLE_ALIGN || t->size != 8 * f->count ||
	    t->group != f->text->group || obj_nrelocs(obj, t) != (long)nw)
		return false;
	data = obj_section_data(obj, t);
	if (!data || !all_zero(data, t->size))
		return false;
	for (size_t i = 0; i < nw; i++) {
		const struct reloc *r = obj_reloc(obj, t, i);

		if (!r || r->offset != w[i].offset || r->type != w[i].type ||
		    r->sym != w[i].sym || r->addend != w[i].addend)
			return false;
	}
	return true;
}

static int rewrite_table(struct obj *obj, const struct fragment *f,
			 const struct reloc *w, size_t nw)
{
	struct section *t = f->table;
	long have = obj_nrelocs(obj, t);

	if (have < 0 || !obj_section_set_data(obj, t, NULL, 8 * f->count) ||
	    obj_section_set_flags(obj, t, wanted_flags(f)) ||
	    obj_section_set_link(obj, t, f->text->idx) ||
	    obj_section_set_align(obj, t, TABLE_ALIGN) ||
	    obj_section_set_entsize(obj, t, 8))	/* ld -r writes 0 */
		return fail(obj);
	/* A shrunk table drops its leftover relocations, so that the next
	 * run finds the table as it wants it and writes nothing. */
	if ((size_t)have > nw) {
		if (obj_truncate_relocs(obj, t, nw))
			return fail(obj);
		have = nw;
	}
	for (size_t i = 0; i < (size_t)have; i++) {
		struct reloc *r = obj_reloc(obj, t, i);

		r->offset = w[i].offset;
		r->type = w[i].type;
		r->sym = w[i].sym;
		r->addend = w[i].addend;
	}
	obj_relocs_changed(obj, t);
	for (size_t i = have; i < nw; i++)
		if (!obj_add_reloc(obj, t, w[i].offset, w[i].type, w[i].sym,
				   w[i].addend))
			return fail(obj);
	return 0;
}

/* Takes W over (frees it on failure). */
static int create_table(struct obj *obj, const struct fragment *f,
			struct reloc *w, size_t nw)
{
	struct section *t;

	t = obj_create_section(obj, STATIC_CALL_SITES_SECTION, SHT_PROGBITS,
			       TABLE_FLAGS, 8, TABLE_ALIGN, NULL, 8 * f->count);
	if (!t || obj_section_set_link(obj, t, f->text->idx) ||
	    /* Into the group before the .rela section exists, so that it
	     * follows the table into the group. */
	    (f->text->group && obj_group_add(obj, f->text->group, t)) ||
	    !obj_take_relocs(obj, t, w, nw)) {
		free(w);
		return fail(obj);
	}
	return 0;
}

/* The planned relocations of a new table become its relocations. */
static int emit_fragment(struct emitter *em, const struct fragment *f)
{
	size_t nw = 1 + 2 * f->count;
	struct reloc *w = big_malloc(nw * sizeof(*w));
	int ret = -1;

	if (!w)
		return error_at(obj_path(em->obj), "out of memory"), -1;
	if (plan_relocs(em, f, w))
		goto out;
	if (!f->table)
		return create_table(em->obj, f, w, nw);
	if (table_matches(em->obj, f, w, nw))
		ret = 0;
	else
		ret = rewrite_table(em->obj, f, w, nw);
out:
	free(w);
	return ret;
}

/* The text section an old table belongs to: its link, or the section
 * its first entry names (objtool and ld -r tables have no link). */
static struct section *old_table_text(struct obj *obj, struct section *t)
{
	struct reloc *r;

	if ((t->sh.sh_flags & SHF_LINK_ORDER) && t->sh.sh_link)
		return obj_section(obj, t->sh.sh_link);
	r = obj_find_reloc(obj, t, 0);
	return r && r->sym ? r->sym->sec : NULL;
}

static int assign_old_tables(struct obj *obj, struct fragment *frags,
			     size_t nfrags, struct section *const *old,
			     size_t nold)
{
	struct section **left = calloc(nold + 1, sizeof(*left));
	size_t nleft = 0;
	int ret = 0;

	if (!left)
		return error_at(obj_path(obj), "out of memory"), -1;
	for (size_t i = 0; i < nold; i++) {
		struct section *t = old[i];
		struct section *text = old_table_text(obj, t);
		size_t k;

		for (k = 0; k < nfrags; k++)
			if (frags[k].text == text && !frags[k].table &&
			    frags[k].text->group == t->group)
				break;
		if (k < nfrags)
			frags[k].table = t;
		else
			left[nleft++] = t;
	}
	/* A table of some other text (merged by ld -r) goes to the first
	 * fragment that has none yet. */
	for (size_t i = 0; i < nleft; i++) {
		size_t k;

		for (k = 0; k < nfrags; k++)
			if (!frags[k].table && frags[k].text->group == left[i]->group)
				break;
		if (k == nfrags) {
			error_at(obj_path(obj), "table section [%u] %s has no "
				 "text section left to describe: cannot merge it",
				 left[i]->idx, left[i]->name);
			ret = -1;
			break;
		}
		frags[k].table = left[i];
	}
	free(left);
	return ret;
}


/*
 * EXPORT_STATIC_CALL_TRAMP(name) exports the trampoline only: another
 * image calls it, but its KEYREF slot names a key that no image exports.
 * Where the object's own code never names the key (only the runtime
 * header's R_X86_64_NONE markers and the slots do), a weak reference lets
 * the slot resolve to 0, which the runtime skips.  A key the code uses
 * (static_call_update here) stays strong: its absence is a link error.
 */
struct key_use {
	struct symbol **keys;		/* candidates, sorted by address */
	bool *used;
	size_t n;
};

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a;
	uintptr_t y = (uintptr_t)*(void *const *)b;

	return (x > y) - (x < y);
}

static bool may_weaken(const struct symbol *key)
{
	return !key->sec && key->shndx == SHN_UNDEF &&
	       key->bind == STB_GLOBAL && !binds_locally(key);
}

static bool is_slot_reloc(const struct section *sec, const struct reloc *r)
{
	return r->type == R_X86_64_64 && !strcmp(sec->name, KEYREF_SECTION);
}

static int note_key_use(struct section *sec, const struct reloc *r, void *arg)
{
	struct key_use *u = arg;
	struct symbol **k;

	if (r->type == R_X86_64_NONE || is_slot_reloc(sec, r))
		return 0;
	k = bsearch(&r->sym, u->keys, u->n, sizeof(*u->keys), cmp_ptr);
	if (k)
		u->used[k - u->keys] = true;
	return 0;
}

static int collect_candidates(struct key_use *u,
			      const struct table_site *sites, size_t n)
{
	size_t k = 0;

	u->keys = calloc(n + 1, sizeof(*u->keys));
	u->used = calloc(n + 1, sizeof(*u->used));
	if (!u->keys || !u->used)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (may_weaken(sites[i].key))
			u->keys[k++] = sites[i].key;
	qsort(u->keys, k, sizeof(*u->keys), cmp_ptr);
	u->n = 0;
	for (size_t i = 0; i < k; i++)
		if (!u->n || u->keys[u->n - 1] != u->keys[i])
			u->keys[u->n++] = u->keys[i];
	return 0;
}

static int weaken_unexported_keys(struct obj *obj,
				  const struct table_site *sites, size_t n)
{
	struct key_use u = { 0 };
	int ret = -1;

	if (collect_candidates(&u, sites, n)) {
		error_at(obj_path(obj), "out of memory");
		goto out;
	}
	if (u.n && obj_scan_relocs_to(obj, u.keys, u.n, note_key_use, &u)) {
		fail(obj);
		goto out;
	}
	for (size_t i = 0; i < u.n; i++) {
		struct symbol *key = u.keys[i];

		if (u.used[i])
			continue;
		key->sym.st_info = GELF_ST_INFO(STB_WEAK, key->type);
		obj_symbol_changed(obj, key);
	}
	ret = 0;
out:
	free(u.keys);
	free(u.used);
	return ret;
}

int table_emit(struct obj *obj, const struct table_input *in)
{
	const struct table_site *sites = in->sites;
	size_t n = in->n;
	struct emitter em = { .obj = obj };
	struct fragment *frags = calloc(n + 1, sizeof(*frags));
	struct symbol **keys = calloc(n + 1, sizeof(*keys));
	size_t nfrags = 0;
	int ret = -1;

	if (!frags || !keys) {
		error_at(obj_path(obj), "out of memory");
		goto out;
	}
	if (!n && !in->nold) {
		ret = 0;
		goto out;
	}
	/* Before any relocation is added: the scan reads the input's. */
	if (weaken_unexported_keys(obj, sites, n))
		goto out;
	/* The anchor first: it is a global, appended without renumbering. */
	if (find_anchor(&em))
		goto out;
	for (size_t i = 0; i < n; i++) {
		keys[i] = sites[i].key;
		if (!nfrags || frags[nfrags - 1].text != sites[i].text) {
			frags[nfrags].text = sites[i].text;
			frags[nfrags].keys = &keys[i];
			frags[nfrags++].sites = &sites[i];
		}
		frags[nfrags - 1].count++;
	}
	if (assign_old_tables(obj, frags, nfrags, in->old_tables, in->nold) ||
	    load_slots(&em))
		goto out;
	for (size_t k = 0; k < nfrags; k++)
		if (emit_fragment(&em, &frags[k]))
			goto out;
	ret = 0;
out:
	free(em.slot_keys);
	free(keys);
	free(frags);
	return ret;
}
