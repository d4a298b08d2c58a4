// SPDX-License-Identifier: MIT
/*
 * Padding, step two: the plan.  One walk over the instructions gives every
 * one its new offset: a site gets the NOP that aligns its rel32 field, the
 * bytes owed are taken out of the next usable run, rel8 branches that no
 * longer reach are relaxed and the walk is repeated until nothing changes.
 * Sites whose move would break something the pass cannot fix (a loop or
 * jrcxz out of range, an edit inside a function with an exception table)
 * are dropped from the plan with a reason, and the plan is made again.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "pad_internal.h"

#define UNMAPPED UINT64_MAX

bool pad_map(const struct pad_sec *ps, uint64_t off, uint64_t *out)
{
	long i;

	if (off == ps->size) {
		*out = ps->new_size;
		return true;
	}
	i = pad_insn_at(ps, off);
	if (i < 0 || ps->insns[i].label == UNMAPPED)
		return false;
	*out = ps->insns[i].label;
	return true;
}

uint64_t pad_map_byte(const struct pad_sec *ps, uint64_t off)
{
	long i = pad_insn_covering(ps, off);
	const struct pad_insn *in;

	if (i < 0)
		return off >= ps->size ? off - ps->size + ps->new_size : off;
	in = &ps->insns[i];
	if (in->new_off == UNMAPPED)
		return ps->runs[in->run].new_start;
	return in->new_off + (off - in->off);
}

uint64_t pad_map_ref(const struct pad_sec *ps, uint64_t off)
{
	uint64_t out;

	return pad_map(ps, off, &out) ? out : pad_map_byte(ps, off);
}

bool pad_freeze(struct pad_sec *ps, uint64_t start, uint64_t end,
		const char *why, bool opaque)
{
	struct pad_range *p = realloc(ps->frozen,
				      (ps->nfrozen + 1) * sizeof(*p));

	if (!p) {
		pad_refuse(ps, "out of memory", "%s", "freezing code");
		return false;
	}
	ps->frozen = p;
	p[ps->nfrozen++] = (struct pad_range){ start, end, why, opaque };
	return true;
}

/*
 * The smallest region that keeps a reference into instruction I right:
 * its function, or outside every function the instruction with its
 * NOP/int3 run.  Frozen opaque, the region moves as one block, so the
 * reference maps byte for byte (pad_map_ref).
 */
static bool freeze_around(struct pad_sec *ps, long i, uint64_t off,
			  const char *what)
{
	const struct pad_insn *in = &ps->insns[i];
	struct symbol *fn = obj_find_func_containing(ps->obj, ps->sec, off);
	uint64_t start = in->off, end = in->off + in->d.len;

	if (fn && fn->sym.st_value <= in->off &&
	    fn->sym.st_value + fn->sym.st_size >= end) {
		start = fn->sym.st_value;
		end = start + fn->sym.st_size;
	} else if (in->run >= 0) {
		start = ps->runs[in->run].start;
		end = ps->runs[in->run].end;
	}
	note_at(obj_path(ps->obj), "%s+0x%" PRIx64 ": %s is not an instruction "
		"boundary: +0x%" PRIx64 "..+0x%" PRIx64 " (%s) is not changed",
		ps->sec->name, off, what, start, end, fn ? fn->name : "no function");
	return pad_freeze(ps, start, end,
			  "a reference points inside an instruction", true);
}

bool pad_mark_point(struct pad_sec *ps, uint64_t off, const char *what)
{
	long i;

	if (off == ps->size)
		return true;
	i = pad_insn_at(ps, off);
	if (i < 0) {
		i = pad_insn_covering(ps, off);
		if (i < 0) {
			pad_refuse(ps, "a reference points inside an instruction",
				   "%s +0x%" PRIx64 " is outside the section",
				   what, off);
			return false;
		}
		return freeze_around(ps, i, off, what);
	}
	ps->insns[i].referenced = true;
	return true;
}

/* gcc's DWARF ends a location range at a call's return address - 1: the
 * last byte of an instruction, which maps with the instruction. */
bool pad_mark_debug_point(struct pad_sec *ps, uint64_t off, const char *what)
{
	long i = pad_insn_covering(ps, off);

	if (i >= 0 && ps->insns[i].off != off && ps->insns[i].run < 0 &&
	    off == ps->insns[i].off + ps->insns[i].d.len - 1 &&
	    !ps->insns[i].relaxed)
		return true;
	return pad_mark_point(ps, off, what);
}

static bool in_frozen(const struct pad_sec *ps, uint64_t start, uint64_t end)
{
	for (size_t f = 0; f < ps->nfrozen; f++)
		if (start < ps->frozen[f].end && end > ps->frozen[f].start)
			return true;
	return false;
}

/* A run pads to an alignment boundary, nothing points inside it and no
 * function starts with it (patchable entries, hot-patch NOPs). */
static void find_usable_runs(struct pad_sec *ps)
{
	for (size_t r = 0; r < ps->nruns; r++) {
		struct pad_run *run = &ps->runs[r];
		struct symbol *sym;

		run->usable = (run->end % 8 == 0 || run->end == ps->size) &&
			      !in_frozen(ps, run->start, run->end);
		for (size_t i = run->first + 1; i < run->last; i++)
			if (ps->insns[i].referenced)
				run->usable = false;
		sym = obj_find_symbol_at(ps->obj, ps->sec, run->start);
		if (sym && sym->type == STT_FUNC)
			run->usable = false;
	}
}

static unsigned relaxed_len(const struct pad_insn *in)
{
	return in->d.kind == INSN_JMP ? 5 : 6;
}

static void close_sites(struct pad_sec *ps, size_t *open, size_t nopen,
			uint64_t end)
{
	for (size_t k = 0; k < nopen; k++)
		ps->sites[open[k]].moved_end = end;
}

static uint64_t place_run(struct pad_sec *ps, struct pad_run *run,
			  uint64_t pos, uint64_t *pending)
{
	uint64_t len = run->end - run->start;
	uint64_t take = run->usable && *pending < len ? *pending :
			run->usable ? len : 0;

	run->absorbed = take;
	run->new_start = pos;
	*pending -= take;
	for (size_t i = run->first; i < run->last; i++) {
		struct pad_insn *in = &ps->insns[i];

		in->pad = 0;
		in->new_len = in->d.len;
		if (take && i != run->first)
			in->label = in->new_off = UNMAPPED;
		else
			in->label = in->new_off = pos + (in->off - run->start);
	}
	return pos + len - take;
}

static void layout(struct pad_sec *ps, size_t *open)
{
	uint64_t pos = 0, pending = 0;
	size_t nopen = 0;

	for (size_t i = 0; i < ps->n;) {
		struct pad_insn *in = &ps->insns[i];

		if (in->run >= 0) {
			struct pad_run *run = &ps->runs[in->run];
			bool owed = pending;

			pos = place_run(ps, run, pos, &pending);
			if (owed && !pending) {
				close_sites(ps, open, nopen, run->end);
				nopen = 0;
			}
			i = run->last;
			continue;
		}
		in->pad = 0;
		if (in->site >= 0 && !ps->sites[in->site].skip) {
			in->pad = -(pos + in->d.disp_off) & 3;
			if (in->pad) {
				ps->sites[in->site].moved_start = in->off;
				open[nopen++] = in->site;
			}
		}
		in->label = pos;
		pos += in->pad;
		in->new_off = pos;
		in->new_len = in->relaxed ? relaxed_len(in) : in->d.len;
		pending += in->pad + in->new_len - in->d.len;
		pos += in->new_len;
		i++;
	}
	close_sites(ps, open, nopen, ps->size);
	ps->new_size = pos;
}

bool pad_skip_overlapping(struct pad_sec *ps, uint64_t start, uint64_t end,
			  const char *why)
{
	bool any = false;

	for (size_t s = 0; s < ps->nsites; s++) {
		struct pad_sec_site *st = &ps->sites[s];

		if (st->skip || !ps->insns[st->insn].pad ||
		    st->moved_start > end || st->moved_end <= start)
			continue;
		st->skip = true;
		st->why = why;
		any = true;
		note_at(obj_path(ps->obj), "%s+0x%" PRIx64 ": not padded: %s",
			ps->sec->name, st->site, why);
	}
	return any;
}

/*
 * A distance between two places of [START, END) grows only through sites
 * (or relaxed branches) between them: skip the sites padded inside first;
 * only when there is none, every site whose moved code overlaps.  A site
 * inside already skipped this round counts: the plan is redone.
 */
bool pad_skip_growing(struct pad_sec *ps, uint64_t start, uint64_t end,
		      const char *why)
{
	bool any = false;
	long i = pad_insn_covering(ps, start);

	for (size_t k = i < 0 ? 0 : i; k < ps->n && ps->insns[k].off < end; k++) {
		struct pad_insn *in = &ps->insns[k];
		struct pad_sec_site *st;

		if (in->site < 0 || !in->pad || in->off < start)
			continue;
		st = &ps->sites[in->site];
		any = true;
		if (st->skip)
			continue;
		st->skip = true;
		st->why = why;
		note_at(obj_path(ps->obj), "%s+0x%" PRIx64 ": not padded: %s",
			ps->sec->name, st->site, why);
	}
	return any || pad_skip_overlapping(ps, start, end, why);
}

static int64_t read_disp(const struct pad_sec *ps, const struct pad_insn *in)
{
	const uint8_t *p = ps->data + in->off + in->d.disp_off;

	switch (in->d.disp_size) {
	case 1:
		return (int8_t)p[0];
	case 2:
		return (int16_t)(p[0] | p[1] << 8);
	case 4:
		return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
				 (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
	}
	return 0;
}

bool pad_resolved_here(const struct pad_insn *in)
{
	return in->d.pc_relative && in->d.disp_size && !in->reloc_in_disp &&
	       in->d.disp_size != 8;
}

uint64_t pad_old_target(const struct pad_sec *ps, const struct pad_insn *in)
{
	return in->off + in->d.len + read_disp(ps, in);
}

uint64_t pad_map_target(const struct pad_sec *ps, const struct pad_insn *in)
{
	if (in->target != PAD_NO_INSN)
		return ps->insns[in->target].label;
	return pad_map_ref(ps, pad_old_target(ps, in));
}

static bool relaxable(const struct pad_sec *ps, const struct pad_insn *in)
{
	uint8_t op = ps->data[in->off];

	if (in->d.len != 2)
		return false;
	return (in->d.kind == INSN_JMP && op == 0xeb) ||
	       (in->d.kind == INSN_JCC && op >= 0x70 && op <= 0x7f);
}

/* Returns 1 when something was relaxed or skipped, 0 when all reach. */
static int check_branches(struct pad_sec *ps, const uint32_t *shorts,
			  size_t nshorts)
{
	int changed = 0;

	for (size_t k = 0; k < nshorts && !ps->why; k++) {
		struct pad_insn *in = &ps->insns[shorts[k]];
		uint64_t t, nt;
		int64_t nd, lim;

		if (in->relaxed)
			continue;
		t = pad_old_target(ps, in);
		if (in->target != PAD_NO_INSN &&
		    ps->insns[in->target].label == UNMAPPED) {
			pad_refuse(ps, "branch into moved padding",
				   "branch at +0x%" PRIx64, in->off);
			return 0;
		}
		nt = pad_map_target(ps, in);
		nd = (int64_t)(nt - (in->new_off + in->new_len));
		lim = in->d.disp_size == 1 ? 128 : 32768;
		if (nd >= -lim && nd < lim)
			continue;
		if (relaxable(ps, in)) {
			in->relaxed = true;
			changed = 1;
		} else if (pad_skip_overlapping(ps, in->off < t ? in->off : t,
						in->off < t ? t : in->off,
						"a loop/jrcxz/short branch that "
						"cannot be relaxed would go out of "
						"range")) {
			changed = 1;
		} else {
			pad_refuse(ps, "short branch out of range",
				   "branch at +0x%" PRIx64, in->off);
		}
	}
	return changed;
}

static bool edited(const struct pad_sec *ps, const struct pad_insn *in)
{
	if (in->run >= 0)
		return ps->runs[in->run].absorbed;
	return in->pad || in->relaxed;
}

/* A resolved displacement in an opaque range keeps its value: its target
 * moves with it.  Else returns the span whose sites cause the change. */
static bool same_disp(const struct pad_sec *ps, const struct pad_insn *in,
		      uint64_t *lo, uint64_t *hi)
{
	uint64_t t = pad_old_target(ps, in), nt;

	if (!pad_resolved_here(in))
		return true;
	nt = pad_map_target(ps, in);
	if ((int64_t)(nt - (in->new_off + in->new_len)) == read_disp(ps, in))
		return true;
	*lo = in->off < t ? in->off : t;
	*hi = in->off < t ? t : in->off;
	return false;
}

/* Skips the sites behind an edit inside frozen range FR, or refuses the
 * section when none is.  Returns true when sites were skipped. */
static bool thaw_edit(struct pad_sec *ps, const struct pad_range *fr,
		      const struct pad_insn *in, uint64_t lo, uint64_t hi)
{
	struct pad_sec_site *st = in->site >= 0 ? &ps->sites[in->site] : NULL;

	/* a site inside the range: leaving it alone undoes this edit (it
	 * may have been left already this round: the plan is redone) */
	if (st && in->pad && st->skip)
		return true;
	if (st && in->pad) {
		st->skip = true;
		st->why = fr->why;
		note_at(obj_path(ps->obj), "%s+0x%" PRIx64 ": not padded: %s",
			ps->sec->name, st->site, fr->why);
		return true;
	}
	if (pad_skip_overlapping(ps, lo, hi, fr->why))
		return true;
	pad_refuse(ps, fr->why, "edit at +0x%" PRIx64 " inside +0x%" PRIx64
		   "..+0x%" PRIx64, in->off, fr->start, fr->end);
	return false;
}

static bool check_range(struct pad_sec *ps, const struct pad_range *fr)
{
	long i = pad_insn_covering(ps, fr->start);

	for (size_t k = i < 0 ? 0 : i; k < ps->n; k++) {
		const struct pad_insn *in = &ps->insns[k];
		uint64_t lo = fr->start, hi = fr->end;

		/* the first may start before the range and reach into it */
		if (in->off >= fr->end)
			break;
		if (edited(ps, in) || (fr->opaque && !same_disp(ps, in, &lo, &hi)))
			return thaw_edit(ps, fr, in, lo, hi);
	}
	return false;
}

/* Returns true when sites were skipped. */
static bool check_frozen(struct pad_sec *ps)
{
	bool changed = false;

	for (size_t f = 0; f < ps->nfrozen && !ps->why; f++)
		changed |= check_range(ps, &ps->frozen[f]);
	return changed;
}

/* The branches with a rel8 or rel16 resolved here: only they can go out
 * of range. */
static uint32_t *short_branches(const struct pad_sec *ps, size_t *n)
{
	uint32_t *v = NULL;
	size_t cap = 0;

	*n = 0;
	for (size_t i = 0; i < ps->n && i < PAD_NO_INSN; i++) {
		const struct pad_insn *in = &ps->insns[i];

		if (!pad_resolved_here(in) || in->d.disp_size == 4)
			continue;
		if (*n == cap) {
			uint32_t *p;

			cap = cap ? 2 * cap : 1024;
			p = realloc(v, cap * sizeof(*v));
			if (!p) {
				free(v);
				return NULL;
			}
			v = p;
		}
		v[(*n)++] = i;
	}
	return v ? v : malloc(1);
}

int pad_plan(struct pad_sec *ps)
{
	size_t *open = malloc((ps->nsites + 1) * sizeof(*open)), nshorts;
	uint32_t *shorts = short_branches(ps, &nshorts);

	if (!open || !shorts || ps->n >= PAD_NO_INSN) {
		free(open);
		free(shorts);
		return -1;
	}
	find_usable_runs(ps);
	for (;;) {
		for (size_t k = 0; k < nshorts; k++)
			ps->insns[shorts[k]].relaxed = false;
		do
			layout(ps, open);
		while (check_branches(ps, shorts, nshorts) && !ps->why);
		if (ps->why || !check_frozen(ps) || ps->why)
			break;
	}
	free(open);
	free(shorts);
	return 0;
}

/* Branch targets resolved by the assembler are references too. */
void pad_mark_branches(struct pad_sec *ps)
{
	for (size_t i = 0; i < ps->n && !ps->why; i++) {
		struct pad_insn *in = &ps->insns[i];
		uint64_t t = pad_old_target(ps, in);

		if (!pad_resolved_here(in))
			continue;
		if (t > ps->size) {
			pad_refuse(ps, "a reference out of the section without "
				   "relocation", "instruction at +0x%" PRIx64,
				   in->off);
			return;
		}
		if (pad_mark_point(ps, t, "branch target") && t < ps->size) {
			long k = pad_insn_at(ps, t);

			in->target = k >= 0 && k < PAD_NO_INSN ? (uint32_t)k : PAD_NO_INSN;
		}
	}
}
