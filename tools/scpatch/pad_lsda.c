// SPDX-License-Identifier: MIT
/*
 * Padding: C++ exception tables.  The LSDA of a function (in
 * .gcc_except_table, reached through its FDE) lists call sites as offsets
 * from the function start: start, length and landing pad.  They are
 * recorded as fixes that keep their field sizes (growing one would move
 * the type table, whose offset is another field): a number that would no
 * longer fit drops the sites that move it.  An LSDA this reader does not
 * understand (an LPStart, an unusual encoding) leaves its function frozen.
 */
#include "dwarf_fix.h"

/* Call-site table encodings gcc and clang use: uleb128 and udata4. */
static bool cs_field(struct dreader *r, uint8_t enc, uint64_t *v,
		     uint8_t *kind, uint8_t *len)
{
	uint64_t at = r->pos;

	if (enc == 0x01) {
		*v = dr_uleb(r);
		*kind = DFIX_ULEB;
	} else if (enc == 0x03) {
		*v = dr_u(r, 4);
		*kind = DFIX_FIXED;
	} else {
		return false;
	}
	*len = r->pos - at;
	return !r->bad;
}

static int add(struct dwarf_fixes *dw, struct eh_fde *f, uint64_t at,
	       uint8_t kind, uint8_t len, uint64_t base, uint64_t end)
{
	struct dfix x = { .dsec = f->lsda_sec, .off = at, .ps = f->ps,
			  .base = base, .end = end, .kind = kind, .len = len,
			  .no_grow = true };

	return dwarf_add_fix(dw, &x);
}

/* A call site [ST, ST + LN) and its landing pad LP (0: none) lie in the
 * function, without wrapping: else the LSDA is not understood. */
static bool inside(const struct eh_fde *f, uint64_t st, uint64_t ln,
		   uint64_t lp)
{
	uint64_t size = f->end - f->begin;

	return st <= size && ln <= size - st && lp < size;
}

/* 1: followed, 0: not understood, -1: out of memory. */
static int read_lsda(struct obj *obj, struct dwarf_fixes *dw,
		     struct eh_fde *f)
{
	struct dreader r = { obj, f->lsda_sec, NULL, f->lsda_off, 0, false };
	uint64_t fs = f->begin, end;
	uint8_t enc;

	if (!(r.data = obj_section_data(obj, f->lsda_sec)))
		return 0;
	r.end = f->lsda_sec->size;
	if (dr_u(&r, 1) != 0xff)		/* LPStart: the function */
		return 0;
	if (dr_u(&r, 1) != 0xff)		/* TType */
		dr_uleb(&r);
	enc = dr_u(&r, 1);
	end = dr_uleb(&r);
	end += r.pos;
	if (r.bad || end > r.end)
		return 0;
	while (r.pos < end) {
		uint64_t a0 = r.pos, st, a1, ln, a2, lp;
		uint8_t k0, l0, k1, l1, k2, l2;

		if (!cs_field(&r, enc, &st, &k0, &l0))
			return 0;
		a1 = r.pos;
		if (!cs_field(&r, enc, &ln, &k1, &l1))
			return 0;
		a2 = r.pos;
		if (!cs_field(&r, enc, &lp, &k2, &l2))
			return 0;
		dr_uleb(&r);			/* action */
		if (r.bad || !inside(f, st, ln, lp))
			return 0;
		if (add(dw, f, a0, k0, l0, fs, fs + st) ||
		    add(dw, f, a1, k1, l1, fs + st, fs + st + ln) ||
		    (lp && add(dw, f, a2, k2, l2, fs, fs + lp)))
			return -1;
	}
	return 1;
}

int lsda_read(struct obj *obj, struct eh_frame *eh, struct dwarf_fixes *dw)
{
	for (size_t i = 0; i < eh->n; i++) {
		struct eh_fde *f = &eh->fdes[i];
		size_t n = dw->n;
		int ok;

		if (!f->lsda || !f->lsda_sec || f->ps->why)
			continue;
		ok = read_lsda(obj, dw, f);
		if (ok < 0)
			return -1;
		if (ok)
			f->lsda = false;
		else
			dw->n = n;	/* not understood: frozen, no fixes */
	}
	return 0;
}
