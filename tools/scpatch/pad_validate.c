// SPDX-License-Identifier: MIT
/*
 * Padding: translation validation.  Before anything is committed, the new
 * bytes of a section are walked beside the original instructions,
 * independently of how they were produced: every original instruction
 * must be there, with the same length and bytes except a displacement the
 * assembler resolved, whose target, decoded afresh, must be the mapped
 * original target; a relaxed branch must decode as the same branch with a
 * rel32; inserted and shrunk padding must decode as NOPs (int3 between
 * functions); the section must end where the plan says; every aligned site
 * must have its rel32 at a multiple of 4; every shift must be where the
 * code after it went.  Bytes that did not change are compared, not
 * decoded: the same bytes at a proved boundary decode to the same
 * instructions as the original decode found.  Any mismatch leaves the
 * whole section unpadded.  What refers to the bytes (relocations, symbols,
 * .eh_frame) is proved after the commit, from the placement proved here,
 * by pad_verify.c.
 */
#include <inttypes.h>
#include <string.h>

#include "pad_internal.h"

static bool fail(struct pad_sec *ps, uint64_t off, const char *what)
{
	pad_refuse(ps, "translation validation failed",
		   "%s at original +0x%" PRIx64, what, off);
	return false;
}

static bool decode_new(const struct pad_sec *ps, uint64_t at, struct insn *d)
{
	return at < ps->new_size &&
	       arch_decode(ps->new_data + at, ps->new_size - at, at, d);
}

static bool check_run(struct pad_sec *ps, const struct pad_run *run)
{
	uint64_t at = run->new_start;
	uint64_t end = at + (run->end - run->start) - run->absorbed;
	struct insn d;

	if (!run->absorbed)
		return !memcmp(ps->new_data + at, ps->data + run->start,
			       end - at) || fail(ps, run->start, "run changed");
	while (at < end) {
		if (!decode_new(ps, at, &d) || at + d.len > end ||
		    (run->int3 ? ps->new_data[at] != 0xcc : d.kind != INSN_NOP))
			return fail(ps, run->start, "padding is not NOPs");
		at += d.len;
	}
	return true;
}

/* IN (resolved here), placed at NEW_OFF: the same bytes but the
 * displacement; compared where they are, without a call per instruction. */
static bool same_bytes_but_disp(const struct pad_sec *ps,
				const struct pad_insn *in, uint64_t new_off)
{
	const uint8_t *a = ps->data + in->off;
	const uint8_t *b = ps->new_data + new_off;
	unsigned skip_from = in->d.disp_off;
	unsigned skip_to = skip_from + in->d.disp_size;

	for (unsigned i = 0; i < skip_from; i++)
		if (a[i] != b[i])
			return false;
	for (unsigned i = skip_to; i < in->d.len; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* A relaxed branch: the same condition, now with a rel32. */
static bool same_branch(const struct pad_sec *ps, const struct pad_insn *in,
			uint64_t new_off, const struct insn *d)
{
	const uint8_t *p = ps->new_data + new_off;
	uint8_t op = ps->data[in->off];

	if (d->disp_size != 4)
		return false;
	if (in->d.kind == INSN_JMP)
		return p[0] == 0xe9;
	return p[0] == 0x0f && p[1] == (0x80 | (op & 0x0f));
}

/* Where the target of IN (resolved here) must be: as pad_build() encoded
 * it when it recorded it (one per instruction resolved here, in the order
 * of both walks: *NRES counts them), else mapped again. */
static uint64_t new_target(const struct pad_sec *ps, const struct pad_insn *in,
			   size_t *nres)
{
	if (ps->targets && *nres < ps->npcrel)
		return ps->targets[(*nres)++];
	return pad_map_ref(ps, pad_old_target(ps, in));
}

/*
 * Whether the bytes of laid-out instruction IN are the original ones: not
 * relaxed, no displacement to recompute.  Then they are proved by one
 * comparison, not decoded again: as the original decode says, the same
 * bytes at a proved boundary decode to the same instruction (the argument
 * the stretches between laid-out instructions rest on).
 */
static bool unchanged(const struct pad_insn *in)
{
	return !in->relaxed && !in->wide && !pad_resolved_here(in);
}

/* ... and it was copied right where the code before it went, with no NOP
 * before it: it is proved with the stretch around it. */
static bool copied(const struct pad_insn *in)
{
	return !in->pad && unchanged(in);
}

/* Laid-out instruction IN, not copied(), its NOP at LABEL: the NOP and a
 * changed instruction are decoded afresh. */
static bool check_insn(struct pad_sec *ps, const struct pad_insn *in,
		       uint64_t label, size_t *nres)
{
	uint64_t new_off = label + in->pad;
	struct insn d;

	if (in->pad && (!decode_new(ps, label, &d) ||
			d.kind != INSN_NOP || d.len != in->pad))
		return fail(ps, in->off, "inserted NOP");
	if (unchanged(in))
		return (new_off + in->d.len <= ps->new_size &&
			!memcmp(ps->data + in->off, ps->new_data + new_off,
				in->d.len)) ||
		       fail(ps, in->off, "instruction bytes");
	if (!decode_new(ps, new_off, &d) || d.len != pad_new_len(in) ||
	    d.kind != in->d.kind)
		return fail(ps, in->off, "instruction");
	if (in->relaxed ? !same_branch(ps, in, new_off, &d) :
	    pad_resolved_here(in) ? !same_bytes_but_disp(ps, in, new_off) :
	    memcmp(ps->data + in->off, ps->new_data + new_off, in->d.len))
		return fail(ps, in->off, in->relaxed ? "relaxed branch" :
			    "instruction bytes");
	if (pad_resolved_here(in) &&
	    (!d.has_target || d.target != new_target(ps, in, nres)))
		return fail(ps, in->off, "branch target");
	return true;
}

/*
 * The code from FROM up to END: no laid-out instruction, or only ones
 * copied() (as the original decode says, not the plan: no NOP, no
 * relaxed branch, no displacement the pass rewrites).  It was copied as a
 * block to AT: the same bytes at the same distances from a proved
 * boundary decode to the same instructions, so one comparison proves
 * them.
 */
static bool check_stretch(struct pad_sec *ps, uint64_t from, uint64_t end,
			  uint64_t at)
{
	if (at + (end - from) > ps->new_size ||
	    memcmp(ps->new_data + at, ps->data + from, end - from))
		return fail(ps, from, "instruction bytes");
	return true;
}

/*
 * The labels of the instructions in and after run RUN, placed at its new
 * start: each comes from the shift of the instruction before it, so each
 * shift must be where the next instruction was placed.  Inside a run that
 * gave bytes up, the labels are unmapped and the shifts unused.  SHIFTS:
 * those of its instructions.
 */
static bool check_run_shifts(struct pad_sec *ps, const struct pad_run *run,
			     const int32_t *shifts)
{
	int64_t inside = (int64_t)run->new_start - run->start;
	size_t n = run->last - run->first;

	for (size_t j = 0; j + 1 < n && !run->absorbed; j++)
		if (shifts[j] != inside)
			return fail(ps, ps->insns[run->first + j].off,
				    "placement in a run");
	return run->end + (int64_t)shifts[n - 1] ==
	       run->new_start + (run->end - run->start) - run->absorbed ||
	       fail(ps, run->start, "placement after a run");
}

/*
 * The walk goes from laid-out instruction to laid-out instruction in
 * order, so it counts them, their runs and their sites instead of
 * ranking each: R is the index of instruction I's shift, the shift before
 * it is the one at R - 1.  The counts are checked at the end against the
 * bitmaps', so that it proves the shifts the lookups by rank read.
 */
bool pad_validate(struct pad_sec *ps)
{
	/* original bytes before FROM are proved, FROM goes to AT */
	uint64_t at = 0, from = 0;
	size_t nres = 0, r = 0, nrun = 0, nsite = 0;

	for (size_t i = pad_next_laid(ps, 0);; i = pad_next_laid(ps, i)) {
		const struct pad_insn *in = &ps->insns[i];
		uint64_t end = i < ps->n ? in->off : ps->size;
		/* where original offset END went */
		uint64_t pos = at + (end - from);
		int64_t before = r ? ps->shifts[r - 1] : 0;

		if (i == ps->n) {
			if (!check_stretch(ps, from, end, at))
				return false;
			at = pos;
			break;
		}
		if (in->run) {
			const struct pad_run *run = &ps->runs[nrun++];

			if (nrun > ps->nruns || run->first != i)
				return fail(ps, in->off, "run");
			if (!check_stretch(ps, from, end, at))
				return false;
			if (run->new_start != pos || !check_run(ps, run))
				return fail(ps, run->start, "run placement");
			if (!check_run_shifts(ps, run, ps->shifts + r))
				return false;
			at = pos + (run->end - run->start) - run->absorbed;
			from = run->end;
			r += run->last - run->first;
			i = run->last;
			continue;
		}
		if ((uint64_t)(in->off + before) != pos)
			return fail(ps, in->off, "placement");
		if (in->site && !ps->sites[ps->site_at[nsite++]].skip &&
		    (pos + in->pad + in->d.disp_off) % 4)
			return fail(ps, in->off, "site not aligned");
		if (copied(in)) {
			/* proved with the stretch it is in: it stays open */
			pos += in->d.len;
		} else {
			if (!check_stretch(ps, from, end, at) ||
			    !check_insn(ps, in, pos, &nres))
				return false;
			pos += in->pad + pad_new_len(in);
			at = pos;
			from = in->off + in->d.len;
		}
		/* the labels of the stretch after it come from its shift */
		if ((uint64_t)(in->off + in->d.len + ps->shifts[r]) != pos)
			return fail(ps, in->off, "placement after it");
		r++;
		i++;
	}
	if (ps->n && (r != pad_rank_le(&ps->laid, ps->n - 1) ||
		      nrun != ps->nruns ||
		      nsite != pad_rank_le(&ps->site_insns, ps->n - 1)))
		return fail(ps, ps->size, "laid-out instructions");
	return at == ps->new_size || fail(ps, ps->size, "section end");
}
