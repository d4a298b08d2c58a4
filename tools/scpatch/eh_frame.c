// SPDX-License-Identifier: MIT
/*
 * Padding: .eh_frame.  An FDE's pc_begin is a relocation (fixed with the
 * others in pad_relocs.c); its pc_range and the DW_CFA_advance_loc* deltas
 * of its instructions are plain numbers that change when code moves inside
 * the function.  Every row address is a reference into the code; a delta
 * that would no longer fit its encoding drops the sites that move it.
 * C++ exception tables (LSDA) are rewritten by pad_lsda.c; a function
 * whose LSDA that reader does not understand is frozen.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "leb128.h"
#include "pad_internal.h"

struct cie {
	uint64_t off;
	uint64_t caf;
	uint8_t fde_enc;
	bool aug_z, lsda;
};

struct reader {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t rd_uleb(struct reader *r)
{
	uint64_t v;
	size_t n = leb128_decode(r->p, r->end - r->p, 0, &v);

	if (!n) {
		r->bad = true;
		r->p = r->end;
		return 0;
	}
	r->p += n;
	return v;
}

static uint64_t rd_n(struct reader *r, unsigned n)
{
	uint64_t v = 0;

	if (r->end - r->p < n) {
		r->bad = true;
		r->p = r->end;
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	return v;
}

/* Skips N bytes; false (and R bad) when they are not all there. */
static bool rd_skip(struct reader *r, uint64_t n)
{
	if (r->bad || n > (uint64_t)(r->end - r->p)) {
		r->bad = true;
		r->p = r->end;
		return false;
	}
	r->p += n;
	return true;
}

static unsigned enc_size(uint8_t enc)
{
	switch (enc & 0x0f) {
	case 0x00: case 0x04: case 0x0c:
		return 8;
	case 0x02: case 0x0a:
		return 2;
	case 0x03: case 0x0b:
		return 4;
	}
	return 0;
}

static bool parse_cie(struct reader *r, struct cie *c)
{
	const char *aug;
	uint8_t version = rd_n(r, 1);

	aug = (const char *)r->p;
	while (r->p < r->end && *r->p)
		r->p++;
	if (r->p++ >= r->end || (version != 1 && version != 3))
		return false;
	c->caf = rd_uleb(r);
	rd_uleb(r);			/* data alignment (sleb, same length) */
	if (version == 1)
		rd_n(r, 1);
	else
		rd_uleb(r);
	c->fde_enc = 0;
	if (*aug != 'z')
		return !*aug && !r->bad;
	c->aug_z = true;
	rd_uleb(r);
	for (aug++; *aug && !r->bad; aug++) {
		uint8_t enc;

		switch (*aug) {
		case 'R':
			c->fde_enc = rd_n(r, 1);
			break;
		case 'L':
			rd_n(r, 1);
			c->lsda = true;
			break;
		case 'P':
			enc = rd_n(r, 1);
			if (!enc_size(enc))
				return false;
			rd_n(r, enc_size(enc));
			break;
		case 'S': case 'B':
			break;
		default:
			return false;
		}
	}
	return !r->bad && enc_size(c->fde_enc);
}

static int add_fde(struct eh_frame *eh, const struct eh_fde *f)
{
	if (eh->n == eh->cap) {
		size_t cap = eh->cap ? 2 * eh->cap : 64;
		struct eh_fde *p = realloc(eh->fdes, cap * sizeof(*p));

		if (!p)
			return -1;
		eh->fdes = p;
		eh->cap = cap;
	}
	eh->fdes[eh->n++] = *f;
	return 0;
}

static int parse_fde(struct obj *obj, struct eh_frame *eh, struct reader *r,
		     const struct cie *c, struct pad_sec **secs, size_t nsecs)
{
	const uint8_t *base = obj_section_data(obj, eh->sec);
	uint64_t at = r->p - base;
	unsigned sz = enc_size(c->fde_enc);
	struct reloc *rel = obj_find_reloc(obj, eh->sec, at);
	struct eh_fde f = { 0 };
	uint64_t auglen;

	rd_n(r, sz);
	f.range_off = r->p - base;
	f.range_size = sz;
	f.end = rd_n(r, sz);
	if (c->aug_z) {
		auglen = rd_uleb(r);
		struct reloc *l = c->lsda ? obj_find_reloc_range(obj, eh->sec,
						r->p - base, auglen) : NULL;

		f.lsda = l;
		if (l && l->sym && l->sym->sec) {
			f.lsda_sec = l->sym->sec;
			f.lsda_off = (l->sym->type == STT_SECTION ? 0 :
				      l->sym->sym.st_value) + l->addend;
		}
		r->p += auglen <= (uint64_t)(r->end - r->p) ? auglen : 0;
	}
	f.insns_off = r->p - base;
	f.insns_end = r->end - base;
	if (r->bad || !rel || !rel->sym || !rel->sym->sec)
		return 0;
	f.ps = pad_find_sec(secs, nsecs, rel->sym->sec->idx);
	if (!f.ps)
		return 0;
	if (c->caf != 1) {
		pad_refuse(f.ps, "unusual .eh_frame", "code alignment %" PRIu64,
			   c->caf);
		return 0;
	}
	f.begin = (rel->sym->type == STT_SECTION ? 0 :
		   rel->sym->sym.st_value) + rel->addend;
	f.end += f.begin;
	return add_fde(eh, &f);
}

int eh_frame_read(struct obj *obj, struct eh_frame *eh,
		  struct pad_sec **secs, size_t nsecs)
{
	struct cie *cies = NULL;
	size_t ncies = 0, cies_cap = 0;
	const uint8_t *d;
	uint64_t off = 0;
	int ret = 0;

	if (!(d = obj_section_data(obj, eh->sec)))
		return -1;
	while (off + 4 <= eh->sec->size && !ret && !eh->why) {
		struct reader r = { d + off + 4, NULL, false };
		uint64_t len = rd_n(&(struct reader){ d + off, d + off + 4, false }, 4);
		uint64_t id, start = off;
		size_t k;

		if (len == 0xffffffff || len > eh->sec->size - off - 4) {
			eh->why = "malformed .eh_frame";
			break;
		}
		off += 4 + len;
		r.end = d + off;
		if (!len)
			continue;
		id = rd_n(&r, 4);
		if (!id) {
			if (ncies == cies_cap) {
				struct cie *p;

				cies_cap = cies_cap ? 2 * cies_cap : 16;
				p = realloc(cies, cies_cap * sizeof(*p));
				if (!p) {
					ret = -1;
					break;
				}
				cies = p;
			}
			cies[ncies] = (struct cie){ .off = start };
			if (!parse_cie(&r, &cies[ncies++]))
				eh->why = "unsupported .eh_frame CIE";
			continue;
		}
		/* ld -r keeps a CIE per input object, before its FDEs */
		for (k = ncies; k && cies[k - 1].off != start + 4 - id; k--)
			;
		if (!k--) {
			eh->why = "malformed .eh_frame";
			break;
		}
		ret = parse_fde(obj, eh, &r, &cies[k], secs, nsecs);
	}
	free(cies);
	return ret;
}

enum cfa_mode { CFA_MARK, CFA_CHECK, CFA_WRITE };

/* Every row address was marked (a boundary, or frozen around it). */
static bool map_loc(const struct pad_sec *ps, uint64_t off, uint64_t *out)
{
	*out = pad_map_ref(ps, off);
	return true;
}

/*
 * Writes the advance from LOC by DELTA (originally SIZE operand bytes, 0
 * for the 6-bit form) with its new delta into OUT; the original form when
 * the delta still fits, else the smallest that does.  Returns its length,
 * 0 when LOC cannot be mapped.
 */
static unsigned advance(struct eh_fde *f, enum cfa_mode mode, uint8_t *out,
			uint8_t op, unsigned size, uint64_t loc, uint64_t delta)
{
	uint64_t a, b, nd;
	unsigned n;

	if (mode == CFA_MARK)
		return pad_mark_point(f->ps, loc + delta, "CFA row") ? 1 : 0;
	if (!map_loc(f->ps, loc, &a) || !map_loc(f->ps, loc + delta, &b) || b < a)
		return 0;
	nd = b - a;
	if (!size && nd <= 63) {
		out[0] = (op & 0xc0) | nd;
		return 1;
	}
	if (nd >> 32)
		return 0;
	n = nd <= 0xff && size <= 1 ? 1 : nd <= 0xffff && size <= 2 ? 2 : 4;
	out[0] = n == 4 ? 0x04 : n + 1;
	for (unsigned k = 0; k < n; k++)
		out[1 + k] = nd >> (8 * k);
	return 1 + n;
}

static bool skip_operands(struct reader *r, uint8_t op)
{
	switch (op) {
	case 0x00: case 0x0a: case 0x0b:
		return true;
	case 0x06: case 0x07: case 0x08: case 0x0d: case 0x0e: case 0x13:
	case 0x2e:
		rd_uleb(r);
		return true;
	case 0x05: case 0x09: case 0x0c: case 0x11: case 0x12: case 0x14:
	case 0x15: case 0x2f:
		rd_uleb(r);
		rd_uleb(r);
		return true;
	case 0x0f:
		return rd_skip(r, rd_uleb(r));
	case 0x10: case 0x16:
		rd_uleb(r);
		return rd_skip(r, rd_uleb(r));
	}
	return false;
}

/*
 * Walks the CFA program of F.  CHECK and WRITE re-encode it into a buffer
 * with the new advances; an advance that outgrows its form takes bytes
 * from the DW_CFA_nop padding at the end of the FDE, so that no length
 * changes.  False when the program cannot be followed or does not fit.
 */
static bool cfa_walk(struct eh_fde *f, uint8_t *d, enum cfa_mode mode)
{
	struct reader r = { d + f->insns_off, d + f->insns_end, false };
	uint64_t room = f->insns_end - f->insns_off, used = 0, loc = f->begin;
	uint8_t buf[room <= 4096 ? room + 8 : 1];

	if (room > 4096)
		return false;

	while (r.p < r.end && !r.bad) {
		const uint8_t *at = r.p;
		uint8_t op = *r.p++;
		uint64_t delta;
		unsigned size = 0, n;

		if ((op & 0xc0) == 0x40) {
			delta = op & 0x3f;
		} else if (op >= 0x02 && op <= 0x04) {
			size = op == 0x04 ? 4 : op - 1;
			delta = rd_n(&r, size);
		} else {
			if ((op & 0xc0) == 0x80)
				rd_uleb(&r);
			else if (!(op & 0xc0) && !skip_operands(&r, op))
				return false;
			if (op == 0x00)		/* padding: room to grow */
				continue;
			if (used + (r.p - at) > room)
				return false;
			memcpy(buf + used, at, r.p - at);
			used += r.p - at;
			continue;
		}
		n = advance(f, mode, buf + used, op, size, loc, delta);
		if (!n || used + n > room)
			return false;
		used += mode == CFA_MARK ? 0 : n;
		loc += delta;
	}
	if (r.bad)
		return false;
	if (mode == CFA_WRITE) {
		memcpy(d + f->insns_off, buf, used);
		memset(d + f->insns_off + used, 0, room - used);
	}
	return true;
}

void eh_frame_mark(struct eh_frame *eh)
{
	for (size_t i = 0; i < eh->n; i++) {
		struct eh_fde *f = &eh->fdes[i];
		uint8_t *d = (uint8_t *)obj_section_data(f->ps->obj, eh->sec);

		if (f->ps->why)
			continue;
		if (eh->why) {
			pad_refuse(f->ps, eh->why, "in %s", eh->sec->name);
			continue;
		}
		pad_mark_point(f->ps, f->begin, "FDE start");
		pad_mark_point(f->ps, f->end, "FDE end");
		if (!cfa_walk(f, d, CFA_MARK))
			pad_refuse(f->ps, "unsupported CFA instructions",
				   "FDE at +0x%" PRIx64, f->range_off);
		if (f->lsda) {
			struct pad_range *p = realloc(f->ps->frozen,
				(f->ps->nfrozen + 1) * sizeof(*p));

			if (!p) {
				pad_refuse(f->ps, "out of memory", "%s", "");
				continue;
			}
			f->ps->frozen = p;
			p[f->ps->nfrozen++] = (struct pad_range){
				f->begin, f->end,
				"the function has a C++ exception table "
				"(.gcc_except_table is not rewritten yet)", false };
		}
	}
}

bool eh_frame_check(struct eh_frame *eh, struct pad_sec *ps)
{
	bool skipped = false;

	for (size_t i = 0; i < eh->n; i++) {
		struct eh_fde *f = &eh->fdes[i];
		uint8_t *d = (uint8_t *)obj_section_data(ps->obj, eh->sec);

		if (f->ps != ps || ps->why)
			continue;
		if (cfa_walk(f, d, CFA_CHECK))
			continue;
		if (!pad_skip_growing(ps, f->begin, f->end, "a CFA advance "
				      "would not fit in its FDE"))
			pad_refuse(ps, "a CFA advance would not fit in its FDE",
				   "FDE at +0x%" PRIx64, f->range_off);
		skipped = true;
	}
	return skipped;
}

int eh_frame_rewrite(struct obj *obj, struct eh_frame *eh)
{
	uint8_t *d = NULL;

	for (size_t i = 0; i < eh->n; i++) {
		struct eh_fde *f = &eh->fdes[i];
		uint64_t a, b;

		if (!pad_find_sec(&f->ps, 1, 0))
			continue;
		if (!d && !(d = obj_section_data_writable(obj, eh->sec)))
			return -1;
		if (!map_loc(f->ps, f->begin, &a) || !map_loc(f->ps, f->end, &b) ||
		    !cfa_walk(f, d, CFA_WRITE))
			return -1;
		for (unsigned k = 0; k < f->range_size; k++)
			d[f->range_off + k] = (b - a) >> (8 * k);
	}
	return 0;
}

void eh_frame_free(struct eh_frame *eh)
{
	free(eh->fdes);
	eh->fdes = NULL;
	eh->n = eh->cap = 0;
}
