// SPDX-License-Identifier: MIT
/*
 * Padding: the .debug_line program (DWARF 4 and 5).  Between two rows the
 * address advances by one or more opcodes (special opcodes, advance_pc,
 * fixed_advance_pc, const_add_pc); when code moves, the last adjustable one
 * of each step takes the whole change, so that every row lands on the
 * mapped address of its instruction.  Only the row addresses matter; every
 * one is a reference into the code.
 */
#include <string.h>

#include "dwarf_fix.h"

struct line_hdr {
	uint8_t opcode_base, line_range;
	int8_t line_base;
	uint8_t std_len[256];
};

/* The address steps since the last row, and the op that will absorb. */
struct step {
	struct place start;	/* address of the last row */
	uint64_t addr;		/* current address */
	struct dfix adj;	/* the adjustable op; .len == 0: none yet */
	bool has_adj;
	uint64_t adj_adv;	/* its own advance */
	uint64_t const_at;	/* offset of a const_add_pc, or 0 */
	uint64_t const_adv;
};

static int close_step(struct dwarf_fixes *dw, struct step *s, bool reset,
		      struct dreader *r)
{
	uint64_t total = s->addr - s->start.off;
	struct dfix f;

	if (s->start.ps && total) {
		if (s->has_adj) {
			f = s->adj;
			f.extra = total - s->adj_adv;
		} else {
			/* only const_add_pc: the step must not change */
			f = (struct dfix){ .dsec = r->sec, .off = r->pos,
					   .kind = DFIX_FIXED, .len = 0,
					   .extra = total };
		}
		f.ps = s->start.ps;
		f.base = s->start.off;
		f.end = s->addr;
		if (dwarf_add_fix(dw, &f))
			return -1;
	}
	s->start.off = s->addr;
	s->has_adj = false;
	s->const_at = 0;
	if (reset)
		s->start = (struct place){ NULL, 0, false };
	return 0;
}

static void adjustable(struct step *s, struct dreader *r, uint64_t at,
		       uint8_t kind, uint64_t adv, bool weak)
{
	/* A special opcode absorbs only when no advance_pc precedes it. */
	if (weak && s->has_adj)
		return;
	s->adj = (struct dfix){ .dsec = r->sec, .off = at, .kind = kind,
				.len = r->pos - at };
	s->has_adj = true;
	s->adj_adv = adv;
}

static int extended(struct dwarf_fixes *dw, struct dreader *r,
		    struct step *s, struct pad_sec **secs, size_t nsecs)
{
	uint64_t len = dr_uleb(r), next;
	uint8_t sub;

	if (r->bad || !len || len > r->end - r->pos)
		return r->bad = true, 0;
	next = r->pos + len;
	sub = dr_u(r, 1);
	if (sub == 1) {
		if (close_step(dw, s, true, r))
			return -1;
	} else if (sub == 2) {
		/* a 4-byte address (ILP32 DWARF) would need its own reader */
		if (len != 9) {
			if (!dw->why)
				dw->why = "DW_LNE_set_address with an address "
					  "that is not 8 bytes";
			return 0;
		}
		if (close_step(dw, s, false, r))
			return -1;
		s->start = dr_addr(r, secs, nsecs, 8);
		s->addr = s->start.off;
	}
	r->pos = next;
	return 0;
}

static int program(struct dwarf_fixes *dw, struct dreader *r,
		   const struct line_hdr *h, struct pad_sec **secs,
		   size_t nsecs)
{
	struct step s = { 0 };

	while (r->pos < r->end && !r->bad && !dw->why) {
		uint64_t at = r->pos;
		uint8_t op = dr_u(r, 1);
		uint64_t adv;

		if (op >= h->opcode_base) {
			adv = (op - h->opcode_base) / h->line_range;
			s.addr += adv;
			s.adj.opcode_base = h->opcode_base;
			adjustable(&s, r, at, DFIX_SPECIAL, adv, true);
			if (s.adj.kind == DFIX_SPECIAL && s.adj.off == at) {
				s.adj.span = 1;
				if (s.const_at && s.const_at + 1 == at) {
					/* fold it: the step may shrink */
					s.adj.off = s.const_at;
					s.adj.span = 2;
					s.adj_adv += s.const_adv;
				}
				s.adj.line_range = h->line_range;
				s.adj.line_base = h->line_base;
				s.adj.opcode_base = h->opcode_base;
				s.adj.line_adv = h->line_base +
					(op - h->opcode_base) % h->line_range;
			}
			if (close_step(dw, &s, false, r))
				return -1;
			continue;
		}
		switch (op) {
		case 0:
			if (extended(dw, r, &s, secs, nsecs))
				return -1;
			break;
		case 1:		/* copy */
			if (close_step(dw, &s, false, r))
				return -1;
			break;
		case 2:		/* advance_pc */
			adv = dr_uleb(r);
			s.addr += adv;
			adjustable(&s, r, at + 1, DFIX_ULEB, adv, false);
			s.adj.len = r->pos - (at + 1);
			break;
		case 8:		/* const_add_pc */
			adv = (255 - h->opcode_base) / h->line_range;
			s.addr += adv;
			if (!s.const_at) {
				s.const_at = at;
				s.const_adv = adv;
			} else {
				s.const_at = ~0ull;	/* two: not folded */
			}
			break;
		case 9:		/* fixed_advance_pc */
			adv = dr_u(r, 2);
			s.addr += adv;
			adjustable(&s, r, at + 1, DFIX_FIXED, adv, false);
			s.adj.len = 2;
			break;
		default:
			for (unsigned k = 0; k < h->std_len[op]; k++)
				dr_uleb(r);
		}
	}
	if (r->bad)
		dw->why = dw->why ? dw->why : "truncated .debug_line";
	return 0;
}

static bool read_header(struct dreader *r, struct line_hdr *h,
			uint64_t *prog)
{
	unsigned version = dr_u(r, 2);
	uint64_t hlen;

	if (version < 2 || version > 5)
		return false;
	if (version == 5 && (dr_u(r, 1) != 8 || dr_u(r, 1)))
		return false;
	hlen = dr_u(r, 4);
	*prog = r->pos + hlen;
	if (dr_u(r, 1) != 1)			/* minimum_instruction_length */
		return false;
	if (version >= 4 && dr_u(r, 1) != 1)	/* maximum_operations */
		return false;
	dr_u(r, 1);
	h->line_base = (int8_t)dr_u(r, 1);
	h->line_range = dr_u(r, 1);
	h->opcode_base = dr_u(r, 1);
	if (!h->line_range || !h->opcode_base)
		return false;
	memset(h->std_len, 0, sizeof(h->std_len));
	for (unsigned i = 1; i < h->opcode_base; i++)
		h->std_len[i] = dr_u(r, 1);
	/* the standard opcodes this walk interprets must be standard */
	return !r->bad && *prog <= r->end && h->opcode_base >= 10 &&
	       h->std_len[2] == 1 && h->std_len[9] == 1 && h->std_len[8] == 0;
}

int dwarf_read_line(struct obj *obj, struct dwarf_fixes *dw,
		    struct pad_sec **secs, size_t nsecs)
{
	struct section *sec = obj_find_section(obj, ".debug_line");
	struct dreader r = { obj, sec, NULL, 0, sec ? sec->size : 0, false };

	if (!sec || !(r.data = obj_section_data(obj, sec)))
		return 0;
	while (r.pos + 4 <= sec->size && !dw->why) {
		uint64_t len = dr_u(&r, 4), end = r.pos + len, prog;
		struct line_hdr h;

		if (len >= 0xfffffff0 || end > sec->size) {
			dw->why = "64-bit or malformed .debug_line";
			break;
		}
		r.end = end;
		if (!read_header(&r, &h, &prog)) {
			dw->why = "unusual .debug_line header";
			break;
		}
		r.pos = prog;
		if (program(dw, &r, &h, secs, nsecs))
			return -1;
		r.pos = end;
		r.end = sec->size;
	}
	return 0;
}
