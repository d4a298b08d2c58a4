// SPDX-License-Identifier: MIT
/*
 * Object table reader (see objtable.h).  Each field is decoded from its
 * relocation: addr = S + A names the site, key = S + A names the key (or
 * its KEYREF slot) with the flags in the low three bits.
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "objtable.h"
#include "static_call_table.h"

bool is_table_section(const struct section *sec)
{
	return sec->sh.sh_type == SHT_PROGBITS &&
	       !strcmp(sec->name, STATIC_CALL_SITES_SECTION);
}

static int cmp_reloc_off(const void *a, const void *b)
{
	const struct reloc *x = *(const struct reloc *const *)a;
	const struct reloc *y = *(const struct reloc *const *)b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	/* Same offset (R_X86_64_NONE markers): real relocations first. */
	return (x->type == R_X86_64_NONE) - (y->type == R_X86_64_NONE);
}

/* The first non-NONE relocation at OFF in a sorted index, or NULL. */
static const struct reloc *reloc_at(struct reloc *const *idx, size_t n,
				    uint64_t off)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (idx[mid]->offset < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && idx[lo]->offset == off; lo++)
		if (idx[lo]->type != R_X86_64_NONE)
			return idx[lo];
	return NULL;
}

static bool is_key(const struct symbol *sym)
{
	return sym && !strncmp(sym->name, STATIC_CALL_KEY_PREFIX,
			       STATIC_CALL_KEY_PREFIX_LEN);
}

/* The key held by the KEYREF slot at OFF in SEC, or NULL. */
static struct symbol *slot_key(struct obj *obj, struct section *sec,
			       uint64_t off)
{
	struct reloc *r = obj_nrelocs(obj, sec) > 0 ?
			  obj_find_reloc(obj, sec, off) : NULL;

	if (r && r->type == R_X86_64_64 && !r->addend && is_key(r->sym))
		return r->sym;
	return NULL;
}

static void decode_key(struct obj *obj, const struct reloc *r,
		       struct obj_entry *e)
{
	struct symbol *s;
	uint64_t at;

	if (!r->sym)
		return;
	at = r->sym->sym.st_value + r->addend;
	e->flags = at & STATIC_CALL_SITE_FLAGS;
	at &= ~(uint64_t)STATIC_CALL_SITE_FLAGS;
	if (is_key(r->sym)) {
		e->key = r->sym;
		return;
	}
	if (!r->sym->sec)
		return;
	e->key = slot_key(obj, r->sym->sec, at);
	if (e->key)
		return;
	s = obj_find_symbol_at(obj, r->sym->sec, at);
	if (is_key(s))
		e->key = s;
}

/* Relocations of table T sorted by offset, NONE markers last. */
static struct reloc **sorted_relocs(struct obj *obj, struct section *t,
				    size_t *n)
{
	long count = obj_nrelocs(obj, t);
	struct reloc **idx;

	*n = 0;
	if (count < 0) {
		error_at(obj_path(obj), "%s", obj_errmsg());
		return NULL;
	}
	idx = malloc((count + 1) * sizeof(*idx));
	if (!idx) {
		error_at(obj_path(obj), "out of memory");
		return NULL;
	}
	for (long i = 0; i < count; i++)
		idx[i] = obj_reloc(obj, t, i);
	qsort(idx, count, sizeof(*idx), cmp_reloc_off);
	*n = count;
	return idx;
}

/*
 * --gc-sections keeps or drops a fragment with the section it links to,
 * so that section must be code holding some of its sites: ours link to
 * the code of all their entries, and a fragment that `ld -r` merged from
 * several keeps the link of its first part, whose sites it holds (the
 * rest is check's finding, and annotate splits it again).  A fragment
 * linked elsewhere would outlive its code or die before it.  (sh_link out
 * of range or to itself the model refuses at open.)
 */
static int check_link_order(struct obj *obj, struct section *t,
			    const struct obj_entry *e, size_t n)
{
	struct section *link = obj_section(obj, t->sh.sh_link);

	if (!(t->sh.sh_flags & SHF_LINK_ORDER))
		return 0;
	if (link && (link->sh.sh_flags & SHF_EXECINSTR))
		for (size_t i = 0; i < n; i++)
			if (e[i].text == link)
				return 0;
	error_at(obj_path(obj), "section %u (%s): linked (SHF_LINK_ORDER) to "
		 "section %u (%s), which holds none of its sites", t->idx,
		 t->name, t->sh.sh_link, link ? link->name : "?");
	return -1;
}

static int read_one(struct obj *obj, struct section *t, struct obj_entry **out,
		    size_t *count, size_t *cap)
{
	size_t nrel, nent = t->size / 8;
	struct reloc **idx = sorted_relocs(obj, t, &nrel);

	if (!idx)
		return -1;
	if (*count + nent > *cap) {
		struct obj_entry *p;

		*cap = 2 * (*count + nent) + 16;
		p = realloc(*out, *cap * sizeof(*p));
		if (!p) {
			free(idx);
			return error_at(obj_path(obj), "out of memory"), -1;
		}
		*out = p;
	}
	for (size_t i = 0; i < nent; i++) {
		struct obj_entry *e = &(*out)[(*count)++];
		const struct reloc *a = reloc_at(idx, nrel, 8 * i);
		const struct reloc *k = reloc_at(idx, nrel, 8 * i + 4);

		memset(e, 0, sizeof(*e));
		e->table = t;
		e->table_off = 8 * i;
		if (a && a->sym) {
			e->text = a->sym->sec;
			e->site = a->sym->sym.st_value + a->addend;
		}
		if (k)
			decode_key(obj, k, e);
	}
	free(idx);
	return nent ? check_link_order(obj, t, *out + *count - nent, nent) : 0;
}

int obj_read_tables(struct obj *obj, struct obj_entry **out, size_t *count)
{
	struct section *t;
	size_t cap = 0;

	*out = NULL;
	*count = 0;
	for (t = obj_find_section(obj, STATIC_CALL_SITES_SECTION); t;
	     t = obj_find_next_section(obj, t)) {
		if (!is_table_section(t))
			continue;
		if (t->size % 8) {
			error_at(obj_path(obj), "section %s: size %zu is not a "
				 "multiple of 8", t->name, t->size);
			goto fail;
		}
		if (read_one(obj, t, out, count, &cap))
			goto fail;
	}
	return 0;
fail:
	free(*out);
	*out = NULL;
	*count = 0;
	return -1;
}
