// SPDX-License-Identifier: MIT
/*
 * Padding: DWARF 4 and 5 in relocatable objects (see dwarf_fix.h).
 *
 * Every compile unit of .debug_info is walked with its abbreviations;
 * values are read through their relocations (in an object, section offsets
 * and addresses are relocation addends).  Recorded as fixes: DW_AT_high_pc
 * lengths, the lengths and offset pairs of range lists (.debug_rnglists,
 * .debug_ranges) and location lists (.debug_loclists, .debug_loc) that DIEs
 * refer to, .debug_aranges lengths, and the line program (dwarf_line.c).
 * Anything not understood (a form, a list entry, split DWARF, 64-bit
 * DWARF) sets ->why, and then no section that the
 * DWARF describes is padded.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "big_alloc.h"
#include "diag.h"
#include "dwarf_fix.h"
#include "leb128.h"

uint64_t dr_u(struct dreader *r, unsigned n)
{
	uint64_t v = 0;

	if (r->bad || r->end - r->pos < n) {
		r->bad = true;
		r->pos = r->end;
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)r->data[r->pos + i] << (8 * i);
	r->pos += n;
	return v;
}

void dr_skip(struct dreader *r, uint64_t n)
{
	if (r->bad || n > r->end - r->pos) {
		r->bad = true;
		r->pos = r->end;
		return;
	}
	r->pos += n;
}

/* A number that runs past the end makes R bad and leaves it at the end. */
static uint64_t dr_leb(struct dreader *r, int is_signed)
{
	uint64_t v;
	size_t n = r->bad ? 0 : leb128_decode(r->data + r->pos,
					      r->end - r->pos, is_signed, &v);

	if (!n) {
		r->bad = true;
		r->pos = r->end;
		return 0;
	}
	r->pos += n;
	return v;
}

uint64_t dr_uleb(struct dreader *r)
{
	return dr_leb(r, 0);
}

int64_t dr_sleb(struct dreader *r)
{
	return (int64_t)dr_leb(r, 1);
}

static uint64_t sym_value(const struct symbol *sym)
{
	return sym->type == STT_SECTION ? 0 : sym->sym.st_value;
}

struct place dr_addr(struct dreader *r, struct pad_sec **secs, size_t nsecs,
		     unsigned n)
{
	struct reloc *rel = obj_find_reloc(r->obj, r->sec, r->pos);
	struct place p = { NULL, dr_u(r, n), false };

	if (!rel || !rel->sym || !rel->sym->sec)
		return p;
	p.known = true;
	p.off = sym_value(rel->sym) + rel->addend;
	p.ps = pad_find_sec(secs, nsecs, rel->sym->sec->idx);
	return p;
}

uint64_t dr_offset(struct dreader *r, unsigned n)
{
	struct reloc *rel = obj_find_reloc(r->obj, r->sec, r->pos);
	uint64_t v = dr_u(r, n);

	return rel && rel->sym ? v + sym_value(rel->sym) + rel->addend : v;
}

int dwarf_add_fix(struct dwarf_fixes *dw, const struct dfix *f)
{
	if (!f->ps)
		return 0;
	/* A ULEB128 of a 64-bit value takes at most 10 bytes; a longer
	 * (padded) field is not ours to rewrite, and the splice keeps a
	 * field's bytes in a small fixed buffer. */
	if (f->len > 10) {
		if (!dw->why)
			dw->why = "a DWARF number is encoded in more than 10 bytes";
		return 0;
	}
	if (dw->n == dw->cap) {
		size_t cap = dw->cap ? 2 * dw->cap : 64;
		void *p = big_realloc(dw->fixes, cap * sizeof(*dw->fixes));

		if (!p)
			return -1;
		dw->fixes = p;
		dw->cap = cap;
	}
	dw->fixes[dw->n++] = *f;
	pad_mark_debug_point(f->ps, f->base, f->dsec->name);
	pad_mark_debug_point(f->ps, f->end, f->dsec->name);
	return 0;
}

/* ---- abbreviations and DIEs --------------------------------------------- */

struct attr_spec {
	uint64_t name, form;
	int64_t implicit;
};

struct abbrev {
	uint64_t code;
	bool children;
	struct attr_spec *attrs;
	size_t nattrs;
};

struct cu {
	struct obj *obj;
	struct pad_sec **secs;
	size_t nsecs;
	struct dwarf_fixes *dw;
	unsigned version;
	struct abbrev *abbrevs;
	size_t nabbrevs;
	struct place base;		/* CU DW_AT_low_pc */
	uint64_t addr_base, rnglists_base, loclists_base;
	uint64_t *rnglists, *loclists;	/* list offsets or (index | IDX) */
	size_t nrng, nloc;
};

#define IDX (1ull << 63)	/* a rnglistx/loclistx index, not an offset */

static void fail(struct dwarf_fixes *dw, const char *why)
{
	if (!dw->why)
		dw->why = why;
}

static struct section *debug_sec(struct obj *obj, const char *name)
{
	return obj_find_section(obj, name);
}

static bool reader_at(struct dreader *r, struct obj *obj, struct section *sec,
		      uint64_t pos)
{
	*r = (struct dreader){ obj, sec, NULL, pos, 0, false };
	if (!sec || !(r->data = obj_section_data(obj, sec)))
		return false;
	r->end = sec->size;
	return pos <= r->end;
}

static int read_abbrevs(struct cu *cu, uint64_t off)
{
	struct dreader r;

	if (!reader_at(&r, cu->obj, debug_sec(cu->obj, ".debug_abbrev"), off))
		return fail(cu->dw, "no .debug_abbrev"), 0;
	for (;;) {
		uint64_t code = dr_uleb(&r);
		struct abbrev *a;

		if (!code || r.bad)
			break;
		a = realloc(cu->abbrevs, (cu->nabbrevs + 1) * sizeof(*a));
		if (!a)
			return -1;
		cu->abbrevs = a;
		a = &cu->abbrevs[cu->nabbrevs++];
		*a = (struct abbrev){ .code = code };
		dr_uleb(&r);
		a->children = dr_u(&r, 1);
		for (;;) {
			struct attr_spec s = { dr_uleb(&r), dr_uleb(&r), 0 };
			void *p;

			if (r.bad || (!s.name && !s.form))
				break;
			if (s.form == 0x21)
				s.implicit = dr_sleb(&r);
			p = realloc(a->attrs, (a->nattrs + 1) * sizeof(s));
			if (!p)
				return -1;
			a->attrs = p;
			a->attrs[a->nattrs++] = s;
		}
	}
	if (r.bad)
		fail(cu->dw, "truncated .debug_abbrev");
	return 0;
}

static struct abbrev *find_abbrev(struct cu *cu, uint64_t code)
{
	if (code <= cu->nabbrevs && cu->abbrevs[code - 1].code == code)
		return &cu->abbrevs[code - 1];
	for (size_t i = 0; i < cu->nabbrevs; i++)
		if (cu->abbrevs[i].code == code)
			return &cu->abbrevs[i];
	return NULL;
}

/* Size of a fixed-size form, 0 for variable ones, -1 for unknown ones. */
static int form_size(uint64_t form)
{
	switch (form) {
	case 0x19: case 0x21:
		return 0;
	case 0x0b: case 0x0c: case 0x11: case 0x25: case 0x29:
		return 1;
	case 0x05: case 0x12: case 0x26: case 0x2a:
		return 2;
	case 0x27: case 0x2b:
		return 3;
	case 0x06: case 0x0e: case 0x10: case 0x13: case 0x17: case 0x1c:
	case 0x1d: case 0x1f: case 0x28: case 0x2c: case 0x1f20: case 0x1f21:
		return 4;
	case 0x01: case 0x07: case 0x14: case 0x20: case 0x24:
		return 8;
	case 0x1e:
		return 16;
	}
	return -1;
}

static bool skip_form(struct dreader *r, uint64_t form)
{
	int size = form_size(form);

	if (size >= 0) {
		dr_u(r, size > 8 ? 8 : size);
		if (size > 8)
			dr_u(r, size - 8);
		return true;
	}
	switch (form) {
	case 0x08:
		while (r->pos < r->end && r->data[r->pos])
			r->pos++;
		dr_u(r, 1);
		return true;
	case 0x0d:
		dr_sleb(r);
		return true;
	case 0x0f: case 0x15: case 0x1a: case 0x1b: case 0x22: case 0x23:
	case 0x1f01: case 0x1f02:
		dr_uleb(r);
		return true;
	case 0x03:
		dr_skip(r, dr_u(r, 2));
		break;
	case 0x04:
		dr_skip(r, dr_u(r, 4));
		break;
	case 0x09: case 0x18:
		dr_skip(r, dr_uleb(r));
		break;
	case 0x0a:
		dr_skip(r, dr_u(r, 1));
		break;
	default:
		return false;
	}
	if (r->pos > r->end)
		r->bad = true;
	return !r->bad;
}

static bool is_addrx(uint64_t form)
{
	return form == 0x1b || (form >= 0x29 && form <= 0x2c) || form == 0x1f01;
}

static bool is_loc_attr(uint64_t name)
{
	switch (name) {
	case 0x02: case 0x19: case 0x2a: case 0x2e: case 0x38: case 0x40:
	case 0x48: case 0x4a: case 0x4d:
		return true;
	}
	return false;
}

static struct place addrx(struct cu *cu, uint64_t idx)
{
	struct dreader r;

	if (!reader_at(&r, cu->obj, debug_sec(cu->obj, ".debug_addr"),
		       cu->addr_base + 8 * idx))
		return (struct place){ NULL, 0, false };
	return dr_addr(&r, cu->secs, cu->nsecs, 8);
}

static int push_list(uint64_t **v, size_t *n, uint64_t off)
{
	uint64_t *p = realloc(*v, (*n + 1) * sizeof(**v));

	if (!p)
		return -1;
	*v = p;
	p[(*n)++] = off;
	return 0;
}

/* What one DIE says about code. */
struct die_code {
	struct place low;
	uint64_t low_idx;
	bool low_is_idx;
	uint64_t high_off;	/* field of a DW_AT_high_pc length */
	uint8_t high_kind, high_len;
	bool has_high_len;
	uint64_t high_len_val;
};

static uint64_t read_value(struct dreader *r, uint64_t form)
{
	switch (form) {
	case 0x0f: case 0x15: case 0x1a: case 0x1b: case 0x22: case 0x23:
	case 0x1f01:
		return dr_uleb(r);
	case 0x0d:
		return dr_sleb(r);
	}
	return dr_u(r, form_size(form));
}

static int read_attr(struct cu *cu, struct dreader *r, struct die_code *dc,
		     const struct attr_spec *s, bool is_cu)
{
	uint64_t form = s->form, at = r->pos, v;

	if (form == 0x16)
		form = dr_uleb(r);
	if (s->name == 0x11 && form == 0x01) {		/* low_pc */
		dc->low = dr_addr(r, cu->secs, cu->nsecs, 8);
		return 0;
	}
	if (s->name == 0x11 && is_addrx(form)) {
		dc->low_idx = read_value(r, form);
		dc->low_is_idx = true;
		return 0;
	}
	if (s->name == 0x12 && form != 0x01 && !is_addrx(form)) { /* length */
		if (form_size(form) <= 0 && form != 0x0f)
			return fail(cu->dw, "DW_AT_high_pc form not supported"), 0;
		dc->high_off = r->pos;
		dc->high_kind = form == 0x0f ? DFIX_ULEB : DFIX_FIXED;
		dc->high_len_val = read_value(r, form);
		dc->high_len = form == 0x0f ? r->pos - dc->high_off :
			       (uint64_t)form_size(form);
		dc->has_high_len = true;
		return 0;
	}
	if (s->name == 0x76 || s->name == 0x2130 || s->name == 0x2131)
		return fail(cu->dw, "split DWARF: offsets live in .dwo files "
			    "that cannot be rewritten"), 0;
	if (s->name == 0x52 && form != 0x01 && !is_addrx(form))
		return fail(cu->dw, "DW_AT_entry_pc as an offset not supported"), 0;
	if (form == 0x17 && (s->name == 0x55 || is_loc_attr(s->name))) {
		v = dr_offset(r, 4);
		return push_list(s->name == 0x55 ? &cu->rnglists : &cu->loclists,
				 s->name == 0x55 ? &cu->nrng : &cu->nloc, v);
	}
	if (form == 0x23 || form == 0x22) {
		v = dr_uleb(r) | IDX;
		return push_list(form == 0x23 ? &cu->rnglists : &cu->loclists,
				 form == 0x23 ? &cu->nrng : &cu->nloc, v);
	}
	if (is_cu && form == 0x17 &&
	    (s->name == 0x73 || s->name == 0x74 || s->name == 0x8c)) {
		v = dr_offset(r, 4);
		if (s->name == 0x73)
			cu->addr_base = v;
		else if (s->name == 0x74)
			cu->rnglists_base = v;
		else
			cu->loclists_base = v;
		return 0;
	}
	if ((form == 0x06 || form == 0x07) && cu->version < 4 &&
	    (s->name == 0x55 || is_loc_attr(s->name)))
		return fail(cu->dw, "DWARF 3 list pointers not supported"), 0;
	(void)at;
	if (!skip_form(r, form))
		fail(cu->dw, "a DWARF form is not supported");
	return 0;
}

static int finish_die(struct cu *cu, struct dreader *r, struct die_code *dc,
		      bool is_cu)
{
	struct dfix f;

	if (dc->low_is_idx)
		dc->low = addrx(cu, dc->low_idx);
	if (is_cu)
		cu->base = dc->low;
	if (!dc->has_high_len || !dc->low.ps)
		return 0;
	f = (struct dfix){ .dsec = r->sec, .off = dc->high_off, .ps = dc->low.ps,
			   .base = dc->low.off,
			   .end = dc->low.off + dc->high_len_val,
			   .kind = dc->high_kind, .len = dc->high_len };
	return dwarf_add_fix(cu->dw, &f);
}

static int walk_dies(struct cu *cu, struct dreader *r)
{
	bool first = true;

	while (r->pos < r->end && !r->bad && !cu->dw->why) {
		uint64_t code = dr_uleb(r);
		struct abbrev *a;
		struct die_code dc = { 0 };

		if (!code)
			continue;
		a = find_abbrev(cu, code);
		if (!a)
			return fail(cu->dw, "bad abbreviation code"), 0;
		for (size_t i = 0; i < a->nattrs; i++)
			if (read_attr(cu, r, &dc, &a->attrs[i], first))
				return -1;
		if (finish_die(cu, r, &dc, first))
			return -1;
		first = false;
	}
	if (r->bad)
		fail(cu->dw, "truncated .debug_info");
	return 0;
}

/* ---- range and location lists ------------------------------------------ */

static int add_len(struct cu *cu, struct dreader *r, struct place start,
		   uint64_t at, uint64_t len)
{
	struct dfix f = { .dsec = r->sec, .off = at, .ps = start.ps,
			  .base = start.off, .end = start.off + len,
			  .kind = DFIX_ULEB, .len = r->pos - at };

	return dwarf_add_fix(cu->dw, &f);
}

static int add_pair(struct cu *cu, struct dreader *r, struct place base,
		    uint8_t kind, unsigned size)
{
	for (int k = 0; k < 2; k++) {
		uint64_t at = r->pos;
		uint64_t v = kind == DFIX_ULEB ? dr_uleb(r) : dr_u(r, size);
		struct dfix f = { .dsec = r->sec, .off = at, .ps = base.ps,
				  .base = base.off, .end = base.off + v,
				  .kind = kind, .len = r->pos - at };

		if (!base.known)
			return fail(cu->dw, "a list offset pair has no base"), 0;
		if (dwarf_add_fix(cu->dw, &f))
			return -1;
	}
	return 0;
}

static void skip_expr(struct dreader *r)
{
	dr_skip(r, dr_uleb(r));
}

/* One DWARF 5 list; LOC: a location list (expressions, other numbers). */
static int read_list5(struct cu *cu, struct dreader *r, bool loc)
{
	struct place base = cu->base, p;
	uint64_t at;

	for (;;) {
		uint8_t e = dr_u(r, 1);

		if (r->bad)
			return fail(cu->dw, "truncated DWARF list"), 0;
		if (!e)
			return 0;
		if (loc && e >= 5 && e <= 8) {
			/* loclists number these one higher than rnglists */
			if (e == 5) {
				skip_expr(r);
				continue;
			}
			e--;
		}
		switch (e) {
		case 1:
			base = addrx(cu, dr_uleb(r));
			continue;
		case 2:
			dr_uleb(r);
			dr_uleb(r);
			break;
		case 3:
			p = addrx(cu, dr_uleb(r));
			at = r->pos;
			if (add_len(cu, r, p, at, dr_uleb(r)))
				return -1;
			break;
		case 4:
			if (add_pair(cu, r, base, DFIX_ULEB, 0))
				return -1;
			break;
		case 5:
			base = dr_addr(r, cu->secs, cu->nsecs, 8);
			continue;
		case 6:
			dr_u(r, 8);
			dr_u(r, 8);
			break;
		case 7:
			p = dr_addr(r, cu->secs, cu->nsecs, 8);
			at = r->pos;
			if (add_len(cu, r, p, at, dr_uleb(r)))
				return -1;
			break;
		case 9:
			if (!loc)
				return fail(cu->dw, "unknown range list entry"), 0;
			dr_uleb(r);
			dr_uleb(r);
			continue;
		default:
			return fail(cu->dw, "unknown DWARF list entry"), 0;
		}
		if (loc)
			skip_expr(r);
	}
}

/* One DWARF 4 list of address pairs (.debug_ranges, .debug_loc). */
static int read_list4(struct cu *cu, struct dreader *r, bool loc)
{
	struct place base = cu->base;

	for (;;) {
		uint64_t at = r->pos;
		struct reloc *rel = obj_find_reloc(r->obj, r->sec, at);
		uint64_t a = dr_u(r, 8), b;

		if (r->bad)
			return fail(cu->dw, "truncated DWARF list"), 0;
		if (a == ~0ull && !rel) {
			base = dr_addr(r, cu->secs, cu->nsecs, 8);
			continue;
		}
		b = dr_u(r, 8);
		if (!a && !b && !rel)
			return 0;
		if (!rel) {
			r->pos = at;
			if (add_pair(cu, r, base, DFIX_FIXED, 8))
				return -1;
		}
		if (loc) {
			dr_skip(r, dr_u(r, 2));
		}
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int read_lists(struct cu *cu, bool loc)
{
	uint64_t *v = loc ? cu->loclists : cu->rnglists;
	size_t n = loc ? cu->nloc : cu->nrng;
	const char *name = cu->version >= 5 ?
		(loc ? ".debug_loclists" : ".debug_rnglists") :
		(loc ? ".debug_loc" : ".debug_ranges");
	struct section *sec = debug_sec(cu->obj, name);
	uint64_t base = loc ? cu->loclists_base : cu->rnglists_base;

	if (n)
		qsort(v, n, sizeof(*v), cmp_u64);
	for (size_t i = 0; i < n && !cu->dw->why; i++) {
		struct dreader r;
		uint64_t off = v[i];

		if (i && v[i] == v[i - 1])
			continue;

		if (off & IDX) {
			if (!reader_at(&r, cu->obj, sec,
				       base + 4 * (off & ~IDX)))
				return fail(cu->dw, "bad list index"), 0;
			off = base + dr_u(&r, 4);
		}
		if (!reader_at(&r, cu->obj, sec, off))
			return fail(cu->dw, "bad list offset"), 0;
		if ((cu->version >= 5 ? read_list5 : read_list4)(cu, &r, loc))
			return -1;
	}
	return 0;
}

/* ---- .debug_aranges ----------------------------------------------------- */

static int read_aranges(struct obj *obj, struct dwarf_fixes *dw,
			struct pad_sec **secs, size_t nsecs)
{
	struct dreader r;
	struct section *sec = debug_sec(obj, ".debug_aranges");

	if (!reader_at(&r, obj, sec, 0))
		return 0;
	while (r.pos + 4 <= r.end && !dw->why) {
		uint64_t start = r.pos, len = dr_u(&r, 4), end = r.pos + len;

		if (len >= 0xfffffff0 || end > r.end)
			return fail(dw, "bad .debug_aranges"), 0;
		r.pos += 2 + 4;
		if (dr_u(&r, 1) != 8 || dr_u(&r, 1))
			return fail(dw, "unusual .debug_aranges"), 0;
		r.pos = start + ((r.pos - start + 15) & ~15ull);
		while (r.pos + 16 <= end) {
			struct place p = dr_addr(&r, secs, nsecs, 8);
			uint64_t at = r.pos, l = dr_u(&r, 8);
			struct dfix f = { .dsec = sec, .off = at, .ps = p.ps,
					  .base = p.off, .end = p.off + l,
					  .kind = DFIX_FIXED, .len = 8 };

			if (dwarf_add_fix(dw, &f))
				return -1;
		}
		r.pos = end;
	}
	return 0;
}

/* ---- the compile unit --------------------------------------------------- */

/* Bytes from R's position to the end of the unit there (0: malformed). */
static uint64_t get_len(struct dreader *r)
{
	uint64_t pos = r->pos, len = dr_u(r, 4);

	r->pos = pos;
	return len >= 0xfffffff0 || pos + 4 + len > r->end ? r->end - pos :
	       4 + len;
}

static int read_cu(struct cu *cu, struct dreader *r)
{
	uint64_t len = dr_u(r, 4), end = r->pos + len, abbrev;
	uint8_t unit_type = 1;

	if (len >= 0xfffffff0 || end > r->end)
		return fail(cu->dw, "64-bit or malformed DWARF"), 0;
	cu->version = dr_u(r, 2);
	if (cu->version < 4 || cu->version > 5)
		return fail(cu->dw, "DWARF version not 4 or 5"), 0;
	if (cu->version == 5) {
		unit_type = dr_u(r, 1);
		if (dr_u(r, 1) != 8)
			return fail(cu->dw, "address size not 8"), 0;
		abbrev = dr_offset(r, 4);
	} else {
		abbrev = dr_offset(r, 4);
		if (dr_u(r, 1) != 8)
			return fail(cu->dw, "address size not 8"), 0;
	}
	if (unit_type != 1)
		return fail(cu->dw, "split DWARF or type units: offsets live in "
			    ".dwo files that cannot be rewritten"), 0;
	if (read_abbrevs(cu, abbrev))
		return -1;
	r->end = end;
	if (walk_dies(cu, r) || read_lists(cu, false) || read_lists(cu, true))
		return -1;
	return 0;
}

static void cu_free(struct cu *cu)
{
	for (size_t i = 0; i < cu->nabbrevs; i++)
		free(cu->abbrevs[i].attrs);
	free(cu->abbrevs);
	free(cu->rnglists);
	free(cu->loclists);
}

/* Every compile unit (ld -r output has one per input object). */
static int read_cus(struct obj *obj, struct dwarf_fixes *dw,
		    struct pad_sec **secs, size_t nsecs, struct dreader *r)
{
	uint64_t size = r->end;
	int ret = 0;

	while (!ret && !dw->why && r->pos + 4 <= size) {
		struct cu cu = { .obj = obj, .secs = secs, .nsecs = nsecs,
				 .dw = dw };
		uint64_t start = r->pos, len = get_len(r);

		ret = read_cu(&cu, r);
		cu_free(&cu);
		r->pos = start + len;
		r->end = size;
		r->bad = false;
	}
	return ret;
}

static bool refers_to_code(struct obj *obj, struct pad_sec **secs,
			   size_t nsecs)
{
	struct section *t;
	struct reloc *r;

	obj_for_each_section(obj, t) {
		if (strncmp(t->name, ".debug_", 7) && strncmp(t->name, ".zdebug_", 8))
			continue;
		if (!t->rela || obj_nrelocs(obj, t) <= 0)
			continue;
		obj_for_each_reloc(obj, t, r)
			if (r->sym && r->sym->sec &&
			    pad_find_sec(secs, nsecs, r->sym->sec->idx))
				return true;
	}
	return false;
}

/* The sections that may grow: their unit headers must be followable. */
static void check_units(struct obj *obj, struct dwarf_fixes *dw)
{
	static const char *const growing[][2] = {
		{ ".debug_info", "malformed unit header in .debug_info" },
		{ ".debug_line", "malformed unit header in .debug_line" },
		{ ".debug_loclists", "malformed unit header in .debug_loclists" },
		{ ".debug_rnglists", "malformed unit header in .debug_rnglists" },
	};

	for (size_t i = 0; i < sizeof(growing) / sizeof(*growing); i++) {
		struct section *sec = obj_find_section(obj, growing[i][0]);

		if (sec && !dwarf_units_ok(obj, sec)) {
			fail(dw, growing[i][1]);
			return;
		}
	}
}

int dwarf_read(struct obj *obj, struct dwarf_fixes *dw,
	       struct pad_sec **secs, size_t nsecs)
{
	struct dreader r;
	int ret = 0;

	if (!refers_to_code(obj, secs, nsecs))
		return 0;
	dw->present = true;
	if (!reader_at(&r, obj, debug_sec(obj, ".debug_info"), 0)) {
		fail(dw, "debug information without .debug_info");
		return 0;
	}
	ret = read_cus(obj, dw, secs, nsecs, &r);
	if (!ret && !dw->why)
		ret = read_aranges(obj, dw, secs, nsecs);
	if (!ret && !dw->why)
		ret = dwarf_read_line(obj, dw, secs, nsecs);
	if (!ret && !dw->why)
		check_units(obj, dw);
	return ret;
}

bool dwarf_handled(const struct dwarf_fixes *dw, const struct section *sec)
{
	static const char *const names[] = {
		".debug_info", ".debug_addr", ".debug_line", ".debug_rnglists",
		".debug_loclists", ".debug_ranges", ".debug_loc",
		".debug_aranges",
	};

	if (dw->why)
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (!strcmp(sec->name, names[i]))
			return true;
	return false;
}

/* ---- check and rewrite ---------------------------------------------------- */

uint64_t dwarf_map(const struct pad_sec *ps, uint64_t off)
{
	uint64_t out;

	return pad_map(ps, off, &out) ? out : pad_map_byte(ps, off);
}

/* The new value of F; false when the places swapped. */
static bool new_value(const struct dfix *f, uint64_t *out)
{
	uint64_t a = dwarf_map(f->ps, f->base), b = dwarf_map(f->ps, f->end);

	if (b < a || b - a < f->extra)
		return false;
	*out = b - a - f->extra;
	return true;
}

/* The new advance or length a fix must hold; false when it cannot. */
static bool new_delta(const struct dfix *f, uint64_t *out)
{
	if (!new_value(f, out))
		return false;
	if (f->kind == DFIX_ULEB && f->no_grow)
		return 7 * f->len >= 64 || !(*out >> (7 * f->len));
	return f->kind != DFIX_FIXED || f->len >= 8 || !(*out >> (8 * f->len));
}

/* A number that outgrows its field in an LSDA that lsda_move() copies. */
static bool moves(const struct dwarf_fixes *dw, const struct dfix *f)
{
	uint64_t v;

	return f->lsda && dw->lsdas[f->lsda - 1].movable && new_value(f, &v);
}

bool dwarf_check(struct dwarf_fixes *dw, struct pad_sec *ps)
{
	bool skipped = false;
	uint64_t v;

	for (size_t k = 0; k < ps->fixes.n && !ps->why; k++) {
		struct dfix *f = &dw->fixes[ps->fixes.v[k]];
		const char *why = f->lsda ? "an exception table (LSDA) number "
			"would not fit its field" : "a DWARF number would not "
			"fit its field";

		if (new_delta(f, &v) || moves(dw, f))
			continue;
		note_at(obj_path(ps->obj), "%s+0x%" PRIx64 ": +0x%" PRIx64
			"..+0x%" PRIx64 " would not fit", f->dsec->name, f->off,
			f->base, f->end);
		if (pad_skip_growing(ps, f->base, f->end, why))
			skipped = true;
		else
			pad_refuse(ps, why, "%s+0x%" PRIx64, f->dsec->name,
				   f->off);
	}
	return skipped;
}

static int cmp_fix(const void *a, const void *b)
{
	const struct dfix *x = *(struct dfix *const *)a;
	const struct dfix *y = *(struct dfix *const *)b;

	if (x->dsec->idx != y->dsec->idx)
		return x->dsec->idx < y->dsec->idx ? -1 : 1;
	return (x->off > y->off) - (x->off < y->off);
}

int dwarf_rewrite(struct obj *obj, struct dwarf_fixes *dw)
{
	struct dfix **v = calloc(dw->n + 1, sizeof(*v));
	size_t n = 0, k = 0;
	int ret = 0;

	if (!v || lsda_move(obj, dw)) {
		free(v);
		return -1;
	}
	for (size_t i = 0; i < dw->n; i++)
		if (pad_find_sec(&dw->fixes[i].ps, 1, 0) && !dw->fixes[i].done)
			v[n++] = &dw->fixes[i];
	qsort(v, n, sizeof(*v), cmp_fix);
	/* A list reached twice (by offset and by index) gives its fields
	 * twice. */
	for (size_t i = 0; i < n; i++)
		if (!k || cmp_fix(&v[k - 1], &v[i]))
			v[k++] = v[i];
	n = k;
	for (size_t i = 0, j; i < n && !ret; i = j) {
		for (j = i; j < n && v[j]->dsec == v[i]->dsec; j++)
			;
		ret = dwarf_splice(obj, v[i]->dsec, v + i, j - i, new_delta);
	}
	free(v);
	return ret;
}

void dwarf_free(struct dwarf_fixes *dw)
{
	free(dw->fixes);
	free(dw->lsdas);
	memset(dw, 0, sizeof(*dw));
}
