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

bool is_table_section(const struct view *v, unsigned sec)
{
	const struct view_sec *s = &v->secs[sec];

	return s->sh.sh_type == SHT_PROGBITS &&
	       !strcmp(s->name, STATIC_CALL_SITES_SECTION);
}

static const Elf64_Rela *sorted_base;

static int cmp_rela_off(const void *a, const void *b)
{
	const Elf64_Rela *x = &sorted_base[*(const size_t *)a];
	const Elf64_Rela *y = &sorted_base[*(const size_t *)b];

	if (x->r_offset != y->r_offset)
		return x->r_offset < y->r_offset ? -1 : 1;
	/* Same offset (R_X86_64_NONE markers): real relocations first. */
	return (ELF64_R_TYPE(x->r_info) == R_X86_64_NONE) -
	       (ELF64_R_TYPE(y->r_info) == R_X86_64_NONE);
}

/* The first non-NONE relocation at OFF in a sorted index, or NULL. */
static const Elf64_Rela *rela_at(const Elf64_Rela *rela, const size_t *idx,
				 size_t n, uint64_t off)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (rela[idx[mid]].r_offset < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && rela[idx[lo]].r_offset == off; lo++)
		if (ELF64_R_TYPE(rela[idx[lo]].r_info) != R_X86_64_NONE)
			return &rela[idx[lo]];
	return NULL;
}

static bool is_key_name(const char *name)
{
	return !strncmp(name, STATIC_CALL_KEY_PREFIX, STATIC_CALL_KEY_PREFIX_LEN);
}

/* The key held by the KEYREF slot at OFF in section SEC, or -1. */
static long slot_key(struct view *v, unsigned sec, uint64_t off)
{
	size_t n;
	const Elf64_Rela *r = view_relas(v, v->secs[sec].rela, &n);

	for (size_t i = 0; i < n; i++) {
		unsigned sym = ELF64_R_SYM(r[i].r_info);

		if (r[i].r_offset == off &&
		    ELF64_R_TYPE(r[i].r_info) == R_X86_64_64 &&
		    sym < v->nsyms && !r[i].r_addend &&
		    is_key_name(view_sym_name(v, sym)))
			return sym;
	}
	return -1;
}

static void decode_key(struct view *v, const Elf64_Rela *r,
		       struct obj_entry *e)
{
	unsigned sym = ELF64_R_SYM(r->r_info);
	uint64_t at;
	unsigned sec;
	long s;

	if (sym >= v->nsyms)
		return;
	at = v->syms[sym].st_value + r->r_addend;
	e->flags = at & STATIC_CALL_SITE_FLAGS;
	at &= ~STATIC_CALL_SITE_FLAGS;
	if (is_key_name(view_sym_name(v, sym))) {
		e->key_sym = sym;
		return;
	}
	sec = view_sym_shndx(v, sym);
	if (!sec)
		return;
	e->key_sym = slot_key(v, sec, at);
	if (e->key_sym >= 0)
		return;
	s = view_sym_at(v, sec, at, false);
	if (s >= 0 && v->syms[s].st_value == at && is_key_name(view_sym_name(v, s)))
		e->key_sym = s;
}

static int read_one(struct view *v, unsigned t, struct obj_entry **out,
		    size_t *count, size_t *cap)
{
	const struct view_sec *ts = &v->secs[t];
	size_t nrela, nent = ts->size / 8;
	const Elf64_Rela *rela = view_relas(v, ts->rela, &nrela);
	size_t *idx = malloc((nrela + 1) * sizeof(*idx));

	if (!idx || (nent && *count + nent > *cap &&
		     !(*out = realloc(*out, (*cap = *count + nent + 16) *
					    sizeof(**out))))) {
		free(idx);
		error_at(v->path, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < nrela; i++)
		idx[i] = i;
	sorted_base = rela;
	qsort(idx, nrela, sizeof(*idx), cmp_rela_off);
	for (size_t i = 0; i < nent; i++) {
		struct obj_entry *e = &(*out)[(*count)++];
		const Elf64_Rela *a = rela_at(rela, idx, nrela, 8 * i);
		const Elf64_Rela *k = rela_at(rela, idx, nrela, 8 * i + 4);

		memset(e, 0, sizeof(*e));
		e->table_sec = t;
		e->table_off = 8 * i;
		e->key_sym = -1;
		if (a && ELF64_R_SYM(a->r_info) < v->nsyms) {
			unsigned sym = ELF64_R_SYM(a->r_info);

			e->text_sec = view_sym_shndx(v, sym);
			e->site = v->syms[sym].st_value + a->r_addend;
		}
		if (k)
			decode_key(v, k, e);
	}
	free(idx);
	return 0;
}

int obj_read_tables(struct view *v, struct obj_entry **out, size_t *count)
{
	size_t cap = 0;

	*out = NULL;
	*count = 0;
	for (size_t t = 1; t < v->nsecs; t++) {
		if (!is_table_section(v, t))
			continue;
		if (v->secs[t].size % 8) {
			error_at(v->path, "section %s: size %zu is not a multiple "
				 "of 8", v->secs[t].name, v->secs[t].size);
			goto fail;
		}
		if (read_one(v, t, out, count, &cap))
			goto fail;
	}
	return 0;
fail:
	free(*out);
	*out = NULL;
	*count = 0;
	return -1;
}
