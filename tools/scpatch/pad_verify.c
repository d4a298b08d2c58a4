// SPDX-License-Identifier: MIT
/*
 * Padding: translation validation of the fix-ups (pad_verify.h).
 *
 * pad_validate.c proved, per section, that every original instruction is
 * in the new bytes where the plan put it (its label: the NOP put before
 * it, or the instruction itself).  That placement is the only thing taken
 * from the pass here.  Just before the commit, every relocation in or into
 * padded code, every symbol defined there and every FDE describing it is
 * read from the object as it is, and what it must become is worked out
 * from the validated placement alone: the relocated field of an
 * instruction moves with the instruction; a reference (symbol + addend +
 * the bias of its type: the end of the instruction for a PC-relative field
 * in code, the table base for a PC-relative jump table entry) goes where
 * the place it pointed at went; a reference into an instruction maps byte
 * for byte only when that instruction's bytes did not change.  After the
 * commit the object is read again and compared; a mismatch is an error
 * naming the place, and the object is not written.  Here: the driver,
 * symbols and the JCC note; pad_verify_map.c maps places,
 * pad_verify_reloc.c checks relocations, pad_verify_cfi.c .eh_frame.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "pad_verify_internal.h"

bool pv_fail(struct pad_verify *pv, const char *fmt, ...)
{
	va_list ap;

	if (pv->failure[0])
		return false;
	va_start(ap, fmt);
	vsnprintf(pv->failure, sizeof(pv->failure), fmt, ap);
	va_end(ap);
	return false;
}

static int collect_symbols(struct pad_verify *pv)
{
	struct symtab *tab = obj_symtab(pv->obj);
	struct symbol *sym;
	size_t cap = 0;

	obj_for_each_symbol(tab, sym) {
		struct vsym *v;

		if (!sym->sec || sym->type == STT_SECTION ||
		    !pad_find_sec(pv->secs, pv->nsecs, sym->sec->idx))
			continue;
		if (pv->nsyms == cap) {
			cap = cap ? 2 * cap : 256;
			v = realloc(pv->syms, cap * sizeof(*v));
			if (!v)
				return -1;
			pv->syms = v;
		}
		pv->syms[pv->nsyms++] = (struct vsym){ .sym = sym,
			.value = sym->sym.st_value, .size = sym->sym.st_size,
			.sec = sym->sec->idx, .idx = obj_symbol_index(sym) };
	}
	return 0;
}

static void map_symbol(struct pad_verify *pv, struct vsym *v, long *hints)
{
	struct pad_sec *s = pad_find_sec(pv->secs, pv->nsecs, v->sec);
	uint64_t end;

	if (!pv_map_near(s, v->value, REF_POINT, &v->new_value, &hints[0]) ||
	    !pv_map_near(s, v->value + v->size, REF_POINT, &end, &hints[1])) {
		pv_fail(pv, "symbol %s (%s+0x%" PRIx64 ", size %" PRIu64
			") does not map to whole instructions", v->sym->name,
			s->sec->name, v->value, v->size);
		return;
	}
	if (v->size)
		v->new_size = end - v->new_value;
	/* sections of 1 GiB are not padded: this is for a broken pass */
	if (v->new_value >= UINT32_MAX) {
		pv_fail(pv, "symbol %s (%s+0x%" PRIx64 ") is now at +0x%"
			PRIx64 ", beyond 4 GiB", v->sym->name, s->sec->name,
			v->value, v->new_value);
		return;
	}
	if (v->idx < pv->nsymmap)
		pv->symmap[v->idx] = v->new_value + 1;
}

/* What mapping the symbols reads, asked for ahead: their cache misses then
 * overlap.  The symbol AHEAD after, its instructions half as far, and the
 * NOP run its function ends at (the instruction's record read by then). */
#define AHEAD 16

static void look_ahead(struct pad_verify *pv, const struct kv *order, size_t i)
{
	const struct vsym *v;
	struct pad_sec *s;

	if (i + AHEAD < pv->nsyms)
		__builtin_prefetch(&pv->syms[order[i + AHEAD].val]);
	if (i + AHEAD / 2 < pv->nsyms) {
		v = &pv->syms[order[i + AHEAD / 2].val];
		s = pad_find_sec(pv->secs, pv->nsecs, v->sec);
		pv_insn_ahead(s, v->value);
		pv_insn_ahead(s, v->value + v->size);
	}
	if (i + AHEAD / 4 < pv->nsyms) {
		v = &pv->syms[order[i + AHEAD / 4].val];
		s = pad_find_sec(pv->secs, pv->nsecs, v->sec);
		pv_run_ahead(s, v->value + v->size);
	}
}

/* Symbols are sorted by section and value: as few bits of the value as
 * the largest needs (a radix sort pass for 11 bits), at most 44. */
static uint64_t sym_key(const struct pad_verify *pv, uint32_t sec,
			uint64_t value)
{
	return (uint64_t)sec << pv->sym_bits |
	       (value & ((1ull << pv->sym_bits) - 1));
}

/* Symbols are mapped in address order: random lookups into millions of
 * instructions cost a cache miss each. */
static int prepare_symbols(struct pad_verify *pv)
{
	struct kv *order;
	long hints[2] = { -1, -1 };
	unsigned sec = 0;

	pv->nsymmap = obj_nsymbols(obj_symtab(pv->obj));
	/* only the pages of the symbols of padded code are touched */
	pv->symmap = calloc(pv->nsymmap + 1, sizeof(*pv->symmap));
	if (!pv->symmap || collect_symbols(pv))
		return -1;
	order = malloc((pv->nsyms + 1) * sizeof(*order));
	if (!order)
		return -1;
	pv->sym_order = order;
	pv->sym_bits = 1;
	for (size_t i = 0; i < pv->nsyms; i++)
		while (pv->sym_bits < 44 && pv->syms[i].value >> pv->sym_bits)
			pv->sym_bits++;
	for (size_t i = 0; i < pv->nsyms; i++)
		order[i] = (struct kv){ sym_key(pv, pv->syms[i].sec,
						pv->syms[i].value), i };
	if (sort_kv(order, pv->nsyms))
		return -1;
	for (size_t i = 0; i < pv->nsyms; i++) {
		struct vsym *v = &pv->syms[order[i].val];

		look_ahead(pv, order, i);

		if (v->sec != sec) {
			sec = v->sec;
			hints[0] = hints[1] = -1;
		}
		map_symbol(pv, v, hints);
	}
	return 0;
}

bool pv_sym_range(struct pad_verify *pv, uint32_t sec, uint64_t begin,
		  uint64_t end, uint64_t *new_begin, uint64_t *new_end,
		  size_t *cur)
{
	const struct kv *o = pv->sym_order;
	uint64_t key = sym_key(pv, sec, begin);
	size_t i = *cur, lo = 0, hi = pv->nsyms;

	for (int step = 0; i < hi && o[i].key < key; i++)
		if (++step == 16)
			break;
	if (i == hi || o[i].key < key || (i && o[i - 1].key >= key)) {
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (o[mid].key < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		i = lo;
	}
	*cur = i;
	for (; i < pv->nsyms && o[i].key == key; i++) {
		const struct vsym *v = &pv->syms[o[i].val];

		if (v->sec == sec && v->value == begin &&
		    v->value + v->size == end) {
			*new_begin = v->new_value;
			*new_end = v->new_value + v->new_size;
			return true;
		}
	}
	return false;
}

static void check_symbols(struct pad_verify *pv)
{
	for (size_t i = 0; i < pv->nsyms && !pv->failure[0]; i++) {
		const struct vsym *v = &pv->syms[i];
		const GElf_Sym *now = &v->sym->sym;

		if (now->st_value != v->new_value || now->st_size != v->new_size)
			pv_fail(pv, "symbol %s (%s+0x%" PRIx64 ", size %" PRIu64
				"): now +0x%" PRIx64 ", size %" PRIu64 ", but its "
				"instructions went to +0x%" PRIx64 ", size %"
				PRIu64, v->sym->name, v->sym->sec->name,
				v->value, v->size, (uint64_t)now->st_value,
				(uint64_t)now->st_size, v->new_value,
				v->new_size);
	}
}

#define JCC_MIN_JUMPS 32

static void prepare_jcc(struct pad_verify *pv)
{
	for (size_t i = 0; i < pv->nsecs; i++) {
		struct pad_sec *s = pad_find_sec(pv->secs, pv->nsecs, i);
		size_t broken = 0;

		if (!s)
			continue;
		if (!pad_jcc_count(s, &pv->jcc.jumps, &broken)) {
			pv->jcc.broken = 0;
			return;
		}
		if (broken && !pv->jcc.nsecs++)
			pv->jcc.first = s->sec;
		pv->jcc.broken += broken;
	}
	if (pv->jcc.jumps < JCC_MIN_JUMPS)
		pv->jcc.broken = 0;
}

static void say_jcc(struct pad_verify *pv)
{
	if (!pv->jcc.broken)
		return;
	error_at(obj_path(pv->obj), "%s%s: %zu of %zu jumps now cross or end "
		 "at a 32-byte boundary; the object was built with "
		 "-mbranches-within-32B-boundaries (none did), padding does "
		 "not keep that", pv->jcc.first->name,
		 pv->jcc.nsecs > 1 ? " and other sections" : "",
		 pv->jcc.broken, pv->jcc.jumps);
}

int pad_verify_prepare(struct obj *obj, struct pad_sec **secs, size_t nsecs,
		       struct pad_verify **out)
{
	struct pad_verify *pv;
	size_t i;

	*out = NULL;
	for (i = 0; i < nsecs && !pad_find_sec(secs, nsecs, i); i++)
		;
	if (i == nsecs)
		return 0;
	pv = calloc(1, sizeof(*pv));
	if (!pv)
		return -1;
	*pv = (struct pad_verify){ .obj = obj, .secs = secs, .nsecs = nsecs };
	*out = pv;
	pv->eh = obj_find_section(obj, ".eh_frame");
	if (prepare_symbols(pv) || pv_reloc_prepare(pv) || pv_cfi_prepare(pv))
		return -1;
	prepare_jcc(pv);
	return 0;
}

int pad_verify(struct pad_verify *pv)
{
	if (!pv)
		return 0;
	pv_inject_fault(pv);
	pv_reloc_check(pv);
	check_symbols(pv);
	if (!pv->failure[0])
		pv_cfi_check(pv);
	if (!pv->failure[0]) {
		say_jcc(pv);
		return 0;
	}
	error_at(obj_path(pv->obj), "padding: translation validation failed: "
		 "%s; nothing written", pv->failure);
	return -1;
}

void pad_verify_free(struct pad_verify *pv)
{
	if (!pv)
		return;
	if (pv->bases)
		for (unsigned i = 0; i < obj_nsections(pv->obj); i++) {
			free(pv->bases[i].bits);
			free(pv->bases[i].sum);
		}
	free(pv->bases);
	free(pv->active);
	free(pv->exp);
	free(pv->into);
	free(pv->wide);
	free(pv->symmap);
	free(pv->sym_order);
	free(pv->rsecs);
	free(pv->syms);
	free(pv->eh_old);
	pv_lsda_free(pv);
	free(pv->fdes);
	free(pv);
}
