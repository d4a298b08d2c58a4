// SPDX-License-Identifier: MIT
/*
 * Padding: C++ exception tables.  The LSDA of a function (in
 * .gcc_except_table, reached through its FDE) lists call sites as offsets
 * from the function start: start, length and landing pad.  They are
 * recorded as fixes written in place, keeping their field sizes (growing
 * one in place would move the type table, whose offset is another field,
 * and every later LSDA).  When a number outgrows its field in an LSDA
 * without a type table and without actions (C code with cleanups, and
 * C++ functions that only run destructors), the LSDA is written anew at
 * the end of its section with longer fields and its FDE points there; in
 * other LSDAs such a number drops the sites that move it.  An LSDA this
 * reader does not understand (an LPStart, an unusual encoding, a call site
 * outside its function) leaves its function frozen.
 */
#include <stdlib.h>
#include <string.h>

#include "dwarf_fix.h"
#include "leb128.h"

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
			  .no_grow = true, .lsda = dw->nlsdas + 1 };

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

/* The relocation of F's pointer to its LSDA, when it points there
 * directly (not through a slot: DW_EH_PE_indirect). */
static struct reloc *lsda_pointer(struct obj *obj, struct eh_frame *eh,
				  const struct eh_fde *f)
{
	uint64_t at = f->range_off + f->range_size;
	struct reloc *r = obj_find_reloc_range(obj, eh->sec, at,
					       f->insns_off - at);

	if (!r || !r->sym || r->sym->sec != f->lsda_sec)
		return NULL;
	if (r->type != R_X86_64_PC32 && r->type != R_X86_64_32 &&
	    r->type != R_X86_64_64)
		return NULL;
	return r;
}

static int add_lsda(struct dwarf_fixes *dw, const struct lsda *l)
{
	struct lsda *p = realloc(dw->lsdas, (dw->nlsdas + 1) * sizeof(*p));

	if (!p)
		return -1;
	dw->lsdas = p;
	p[dw->nlsdas++] = *l;
	return 0;
}

/* 1: followed, 0: not understood, -1: out of memory. */
static int read_lsda(struct obj *obj, struct eh_frame *eh,
		     struct dwarf_fixes *dw, struct eh_fde *f)
{
	struct dreader r = { obj, f->lsda_sec, NULL, f->lsda_off, 0, false };
	struct lsda l = { .f = f, .start = f->lsda_off, .first = dw->n,
			  .movable = true };
	uint64_t fs = f->begin, end;
	uint8_t enc;

	if (!(r.data = obj_section_data(obj, f->lsda_sec)))
		return 0;
	r.end = f->lsda_sec->size;
	if (dr_u(&r, 1) != 0xff)		/* LPStart: the function */
		return 0;
	if (dr_u(&r, 1) != 0xff) {		/* TType */
		dr_uleb(&r);
		l.movable = false;
	}
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
		if (dr_uleb(&r))		/* action */
			l.movable = false;
		if (r.bad || r.pos > end || !inside(f, st, ln, lp))
			return 0;
		if (add(dw, f, a0, k0, l0, fs, fs + st) ||
		    add(dw, f, a1, k1, l1, fs + st, fs + st + ln) ||
		    (lp && add(dw, f, a2, k2, l2, fs, fs + lp)))
			return -1;
	}
	l.end = end;
	l.n = dw->n - l.first;
	l.ptr = lsda_pointer(obj, eh, f);
	l.ptr_sec = eh->sec;
	l.movable = l.movable && l.ptr;
	return add_lsda(dw, &l) ? -1 : 1;
}

int lsda_read(struct obj *obj, struct eh_frame *eh, struct dwarf_fixes *dw)
{
	for (size_t i = 0; i < eh->n; i++) {
		struct eh_fde *f = &eh->fdes[i];
		size_t n = dw->n;
		int ok;

		if (!f->lsda || !f->lsda_sec || f->ps->why)
			continue;
		ok = read_lsda(obj, eh, dw, f);
		if (ok < 0)
			return -1;
		if (ok)
			f->lsda = false;
		else
			dw->n = n;	/* not understood: frozen, no fixes */
	}
	return 0;
}

/* ---- moving an LSDA ------------------------------------------------------ */

/* Appends V as a ULEB128 (uleb128 call sites) or 4 bytes (udata4). */
static size_t put(uint8_t *p, uint8_t enc, uint64_t v)
{
	if (enc == 0x01)
		return uleb128_encode(p, v, 1);
	for (int k = 0; k < 4; k++)
		p[k] = v >> (8 * k);
	return 4;
}

/* The LSDA L with its call sites mapped into BUF (lsda_size(L) bytes);
 * returns its length, 0 when it cannot be read again or a udata4 number
 * does not fit. */
static size_t encode(struct obj *obj, const struct lsda *l, uint8_t *buf)
{
	const struct eh_fde *f = l->f;
	struct dreader r = { obj, f->lsda_sec, obj_section_data(obj,
			     f->lsda_sec), l->start + 2, l->end, false };
	uint64_t fs = dwarf_map(f->ps, f->begin);
	uint8_t *cs = buf + 16, enc;
	size_t n = 0, len;

	if (!r.data)
		return 0;
	enc = dr_u(&r, 1);
	dr_uleb(&r);
	while (r.pos < l->end && !r.bad) {
		uint64_t st, ln, lp, v[3];
		uint8_t k, fl;

		if (!cs_field(&r, enc, &st, &k, &fl) ||
		    !cs_field(&r, enc, &ln, &k, &fl) ||
		    !cs_field(&r, enc, &lp, &k, &fl))
			return 0;
		dr_uleb(&r);
		v[0] = dwarf_map(f->ps, f->begin + st) - fs;
		v[1] = dwarf_map(f->ps, f->begin + st + ln) - fs - v[0];
		v[2] = lp ? dwarf_map(f->ps, f->begin + lp) - fs : 0;
		for (int i = 0; i < 3; i++) {
			if (enc == 0x03 && v[i] >> 32)
				return 0;
			n += put(cs + n, enc, v[i]);
		}
		cs[n++] = 0;			/* no action */
	}
	if (r.bad)
		return 0;
	buf[0] = 0xff;
	buf[1] = 0xff;
	buf[2] = enc;
	len = 3 + uleb128_encode(buf + 3, n, 1);
	memmove(buf + len, cs, n);
	return len + n;
}

/* A call-site record takes at least 4 bytes (13 as udata4) and at most
 * 31 once re-encoded; the header at most 13. */
static size_t lsda_size(const struct lsda *l)
{
	return 16 + 8 * (l->end - l->start);
}

static bool outgrown(const struct dwarf_fixes *dw, const struct lsda *l)
{
	for (size_t i = l->first; i < l->first + l->n; i++) {
		const struct dfix *x = &dw->fixes[i];
		uint64_t a = dwarf_map(x->ps, x->base);
		uint64_t b = dwarf_map(x->ps, x->end);

		if (x->kind == DFIX_ULEB && 7 * x->len < 64 &&
		    (b - a) >> (7 * x->len))
			return true;
	}
	return false;
}

int lsda_move(struct obj *obj, struct dwarf_fixes *dw)
{
	for (size_t i = 0; i < dw->nlsdas; i++) {
		struct lsda *l = &dw->lsdas[i];
		uint8_t *buf;
		size_t len;
		int64_t at;

		if (!l->movable || !pad_find_sec(&l->f->ps, 1, 0) ||
		    !outgrown(dw, l))
			continue;
		buf = malloc(lsda_size(l));
		len = buf ? encode(obj, l, buf) : 0;
		at = len ? obj_section_append(obj, l->f->lsda_sec, buf, len) : -1;
		free(buf);
		if (at < 0)
			return -1;
		l->ptr->addend = at - (l->ptr->sym->type == STT_SECTION ? 0 :
				       (int64_t)l->ptr->sym->sym.st_value);
		obj_relocs_changed(obj, l->ptr_sec);
		for (size_t k = l->first; k < l->first + l->n; k++)
			dw->fixes[k].done = true;
	}
	return 0;
}
