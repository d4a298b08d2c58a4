// SPDX-License-Identifier: MIT
/*
 * Padding: where an original place in padded code went, for the fix-up
 * validation (pad_verify.c).  Only the placement pad_validate.c proved is
 * used: each original instruction's label (the NOP put before it, or the
 * instruction) and new offset, and each NOP run's new start.  A place
 * inside an instruction maps byte for byte only when the instruction's
 * bytes did not change.  The lookups are the pass's, and checked.
 */
#include <string.h>
#include <stdlib.h>

#include "pad_verify_internal.h"

/* The instruction covering ORIG, checked: the lookup is the pass's. */
static long insn_of(const struct pad_sec *ps, uint64_t orig)
{
	long i = pad_insn_covering(ps, orig);

	if (i < 0 || ps->insns[i].off > orig ||
	    orig - ps->insns[i].off >= ps->insns[i].d.len)
		return -1;
	return i;
}

static bool same_bytes(const struct pad_sec *ps, size_t i)
{
	const struct pad_insn *in = &ps->insns[i];

	return pad_new_len(in) == in->d.len &&
	       !memcmp(ps->data + in->off, ps->new_data + pad_new_off(ps, i),
		       in->d.len);
}

static bool map_in_run(const struct pad_sec *ps, const struct pad_insn *in,
		       uint64_t orig, uint64_t *out)
{
	const struct pad_run *run = &ps->runs[pad_run_of(ps, in)];

	/* an unshrunk run was copied as it was; a shrunk one was rewritten
	 * and only its start is still a place */
	if (run->absorbed && orig != run->start)
		return false;
	*out = run->new_start + (orig - run->start);
	return true;
}

/* insn_of(), from *HINT when it or the one after covers ORIG (the
 * instruction asked for ahead, pv_insn_ahead(); the next field or row).
 * Else the lookup by offset: two reads of bitmaps, where a scan forward
 * from the hint read every record in between (CFA rows are tens of
 * instructions apart). */
long pv_insn_near(const struct pad_sec *ps, uint64_t orig, long *hint)
{
	long i = hint ? *hint : -1;

	if (i >= 0 && (size_t)i < ps->n && ps->insns[i].off <= orig &&
	    orig - ps->insns[i].off >= ps->insns[i].d.len)
		i++;
	if (i < 0 || (size_t)i >= ps->n || ps->insns[i].off > orig ||
	    orig - ps->insns[i].off >= ps->insns[i].d.len)
		i = insn_of(ps, orig);
	if (hint)
		*hint = i;
	return i;
}

long pv_insn_ahead(const struct pad_sec *ps, uint64_t orig)
{
	long i = orig < ps->size ? pad_insn_covering(ps, orig) : -1;

	if (i >= 0 && (size_t)i < ps->n) {
		__builtin_prefetch(&ps->insns[i]);
		__builtin_prefetch((const char *)&ps->insns[i + 1] - 1);
	}
	return i;
}

void pv_run_ahead(const struct pad_sec *ps, uint64_t orig)
{
	long i = orig < ps->size ? pad_insn_covering(ps, orig) : -1;
	int32_t run;

	if (i >= 0 && (size_t)i < ps->n &&
	    (run = pad_run_of(ps, &ps->insns[i])) >= 0)
		__builtin_prefetch(&ps->runs[run]);
}

static void prefetch_span(const void *begin, const void *end)
{
	const char *p = begin, *e = end;

	for (; p < e; p += 64)
		__builtin_prefetch(p);
	__builtin_prefetch(e - 1);	/* BEGIN need not start a line */
}

void pv_range_ahead(const struct pad_sec *ps, uint64_t begin, uint64_t end)
{
	long i, last;

	if (begin >= end || end > ps->size)
		return;
	i = pad_insn_covering(ps, begin);
	last = pad_insn_covering(ps, end - 1);
	if (i < 0 || last < i || (size_t)last >= ps->n)
		return;
	if (last - i > PV_RANGE_AHEAD)
		last = i + PV_RANGE_AHEAD;
	prefetch_span(&ps->insns[i], &ps->insns[last + 1]);
}

bool pv_map_near(const struct pad_sec *ps, uint64_t orig, enum ref_kind kind,
		 uint64_t *out, long *hint)
{
	const struct pad_insn *in;
	long i;

	if (orig >= ps->size) {
		*out = ps->new_size;
		return orig == ps->size;
	}
	i = pv_insn_near(ps, orig, hint);
	if (i < 0)
		return false;
	in = &ps->insns[i];
	if (in->run)
		return map_in_run(ps, in, orig, out);
	if (orig == in->off) {
		*out = kind == REF_INSN ? pad_new_off(ps, i) : pad_label(ps, i);
		return true;
	}
	*out = pad_new_off(ps, i) + (orig - in->off);
	if (kind == REF_DEBUG && orig == in->off + in->d.len - 1u &&
	    pad_new_len(in) == in->d.len)
		return true;
	return same_bytes(ps, i);
}

bool pv_map(const struct pad_sec *ps, uint64_t orig, enum ref_kind kind,
	    uint64_t *out)
{
	return pv_map_near(ps, orig, kind, out, NULL);
}

/* Where a relocated field at ORIG went: it moves with its instruction,
 * which ends at *END (0 when there is none). */
bool pv_map_field(const struct pad_sec *ps, uint64_t orig, uint32_t type,
		  uint64_t *out, uint64_t *end, long *hint)
{
	const struct pad_insn *in;
	long i;

	*end = 0;
	if (orig >= ps->size) {
		*out = orig - ps->size + ps->new_size;
		return type == R_X86_64_NONE;
	}
	i = pv_insn_near(ps, orig, hint);
	if (i < 0)
		return false;
	in = &ps->insns[i];
	*end = in->off + in->d.len;
	if (in->run)
		return map_in_run(ps, in, orig, out) || type == R_X86_64_NONE;
	*out = pad_new_off(ps, i) + (orig - in->off);
	return !in->relaxed;
}
