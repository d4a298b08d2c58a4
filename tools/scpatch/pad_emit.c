// SPDX-License-Identifier: MIT
/*
 * Padding, step three: the new bytes of a planned section.  Instructions
 * are copied; inserted NOPs, relaxed branches and shrunk runs are written
 * fresh; displacements the assembler resolved are recomputed from the
 * mapped targets.  Nothing is committed to the object here.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "big_alloc.h"
#include "pad_internal.h"

const uint8_t *const pad_nops[10] = {
	NULL,
	(const uint8_t *)"\x90",
	(const uint8_t *)"\x66\x90",
	(const uint8_t *)"\x0f\x1f\x00",
	(const uint8_t *)"\x0f\x1f\x40\x00",
	(const uint8_t *)"\x0f\x1f\x44\x00\x00",
	(const uint8_t *)"\x66\x0f\x1f\x44\x00\x00",
	(const uint8_t *)"\x0f\x1f\x80\x00\x00\x00\x00",
	(const uint8_t *)"\x0f\x1f\x84\x00\x00\x00\x00\x00",
	(const uint8_t *)"\x66\x0f\x1f\x84\x00\x00\x00\x00\x00",
};

void pad_fill_nops(uint8_t *p, uint64_t len)
{
	while (len) {
		unsigned k = len > 9 ? 9 : len;

		memcpy(p, pad_nops[k], k);
		p += k;
		len -= k;
	}
}

static void put_le(uint8_t *p, int64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		p[i] = (uint64_t)v >> (8 * i);
}

static bool fits(int64_t v, unsigned size)
{
	if (size >= 8)
		return true;
	return v >= -((int64_t)1 << (8 * size - 1)) &&
	       v < ((int64_t)1 << (8 * size - 1));
}

/* Laid-out instruction IN, its NOP at LABEL */
static int emit_insn(struct pad_sec *ps, const struct pad_insn *in,
		     uint64_t label, size_t *nres)
{
	uint64_t new_off = label + in->pad;
	uint8_t *p = ps->new_data + new_off;
	uint64_t t;
	int64_t disp;

	if (in->pad)
		memcpy(ps->new_data + label, pad_nops[in->pad], in->pad);
	if (!pad_resolved_here(in)) {
		memcpy(p, ps->data + in->off, in->d.len);
		return 0;
	}
	/* targets are marked: boundaries, or inside frozen code */
	t = pad_map_target(ps, in);
	/* in the order of the walk, which the validation's follows */
	ps->targets[(*nres)++] = t;
	disp = (int64_t)(t - (new_off + pad_new_len(in)));
	if (in->relaxed) {
		uint8_t op = ps->data[in->off];

		if (in->d.kind == INSN_JMP) {
			p[0] = 0xe9;
		} else {
			p[0] = 0x0f;
			p[1] = 0x80 | (op & 0x0f);
		}
		put_le(p + pad_new_len(in) - 4, disp, 4);
		return 0;
	}
	if (!fits(disp, in->d.disp_size))
		return -1;
	memcpy(p, ps->data + in->off, in->d.len);
	put_le(p + in->d.disp_off, disp, in->d.disp_size);
	return 0;
}

static void emit_run(struct pad_sec *ps, const struct pad_run *run)
{
	uint8_t *p = ps->new_data + run->new_start;
	uint64_t len = run->end - run->start - run->absorbed;

	if (!run->absorbed)
		memcpy(p, ps->data + run->start, len);
	else if (run->int3)
		memset(p, 0xcc, len);
	else
		pad_fill_nops(p, len);
}

/* Laid-out instruction IN is copied as it is, and the code after it moves
 * with it (SHIFT, its shift, is BEFORE, the one before it): it is part of
 * the block being copied. */
static bool in_block(const struct pad_insn *in, int32_t shift, int64_t before)
{
	return !in->run && !in->pad && !in->relaxed && !in->wide &&
	       !pad_resolved_here(in) && shift == before;
}

/* Bytes the plan placed past the end: a plan bug. */
static int past_end(struct pad_sec *ps, uint64_t from)
{
	pad_refuse(ps, "translation validation failed", "code at original +0x%"
		   PRIx64 " would be placed past the end", from);
	return 0;
}

/*
 * Each laid-out instruction, and before it the block of code that moves
 * with the one before it: most of the code, one copy.  The walk is in
 * order, so it counts the shifts and runs it passes instead of ranking
 * each laid-out instruction.
 */
int pad_build(struct pad_sec *ps)
{
	/* the code from FROM on goes to AT (FROM plus BEFORE, the shift of
	 * the last laid-out instruction before it) */
	uint64_t at = 0, from = 0;
	int64_t before = 0;
	const int32_t *shift = ps->shifts;
	const struct pad_run *run = ps->runs;
	size_t nres = 0;

	ps->new_data = big_malloc(ps->new_size ? ps->new_size : 1);
	/* at most one per pc-relative instruction; only what is written is
	 * touched */
	ps->targets = big_malloc((ps->npcrel + 1) * sizeof(*ps->targets));
	if (!ps->new_data || !ps->targets)
		return -1;
	for (size_t i = pad_next_laid(ps, 0);; i = pad_next_laid(ps, i)) {
		const struct pad_insn *in = &ps->insns[i];
		uint64_t end = i < ps->n ? in->off : ps->size;

		if (i < ps->n && in_block(in, *shift, before)) {
			shift++;
			i++;
			continue;
		}
		if (at + (end - from) > ps->new_size)
			return past_end(ps, from);
		memcpy(ps->new_data + at, ps->data + from, end - from);
		if (i == ps->n)
			break;
		if (in->run) {
			emit_run(ps, run);
			shift += run->last - run->first;
			from = run->end;
			i = run->last;
			run++;
		} else {
			uint64_t label = in->off + before;

			if (label + in->pad + pad_new_len(in) > ps->new_size)
				return past_end(ps, in->off);
			if (emit_insn(ps, in, label, &nres)) {
				pad_refuse(ps, "a displacement does not fit "
					   "after the move", "instruction at +0x%"
					   PRIx64, (uint64_t)in->off);
				return 0;
			}
			shift++;
			from = in->off + in->d.len;
			i++;
		}
		before = shift[-1];
		at = from + before;
	}
	return 0;
}
