// SPDX-License-Identifier: MIT
/*
 * Padding, step two: the plan.  One walk over the laid-out instructions
 * (pad_sec.laid: the others move with the one before them) gives every
 * one its new offset: a site gets the NOP that aligns its rel32 field, the
 * bytes owed are taken out of the next usable run, rel8 branches that no
 * longer reach are relaxed and the walk is repeated until nothing changes.
 * Sites whose move would break something the pass cannot fix (a loop or
 * jrcxz out of range, an edit inside a function with an exception table)
 * are dropped from the plan with a reason, and the plan is made again.
 *
 * Only the first walk covers the whole section.  After a run that absorbed
 * everything owed, the layout depends on nothing before it but the new
 * offset, so a change (a branch relaxed, a site dropped) is laid out again
 * from the last such run before it up to the first one after it where the
 * offset is the same as before; only the branches near what was laid out
 * again are checked again.  On a large object this is the difference
 * between one walk of the section and ten.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "big_alloc.h"
#include "diag.h"
#include "pad_internal.h"

#define UNMAPPED PAD_UNMAPPED

bool pad_map(const struct pad_sec *ps, uint64_t off, uint64_t *out)
{
	long i;

	if (off == ps->size) {
		*out = ps->new_size;
		return true;
	}
	i = pad_insn_at(ps, off);
	if (i < 0)
		return false;
	/* without a look at its record (a cache miss in a large array) */
	*out = pad_label_at(ps, i, off);
	return *out != UNMAPPED;
}

uint64_t pad_map_byte(const struct pad_sec *ps, uint64_t off)
{
	long i;
	const struct pad_insn *in;

	i = pad_insn_covering(ps, off);
	if (i < 0)
		return off >= ps->size ? off - ps->size + ps->new_size : off;
	if (!pad_is_laid(ps, i))	/* its bytes moved as a block */
		return off + pad_shift_before(ps, i);
	in = &ps->insns[i];
	if (pad_new_off(ps, i) == UNMAPPED)
		return ps->runs[pad_run_of(ps, in)].new_start;
	return pad_new_off(ps, i) + (off - in->off);
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
	} else if (in->run) {
		start = ps->runs[pad_run_of(ps, in)].start;
		end = ps->runs[pad_run_of(ps, in)].end;
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
	/* an instruction start, as millions of references are: its index
	 * is not needed */
	if (off < ps->size && ps->blocks && bitmap_test(ps->starts, off)) {
		bitmap_set(ps->refs, off);
		return true;
	}
	i = pad_insn_covering(ps, off);
	if (i < 0) {
		pad_refuse(ps, "a reference points inside an instruction",
			   "%s +0x%" PRIx64 " is outside the section", what, off);
		return false;
	}
	return freeze_around(ps, i, off, what);
}

/* gcc's DWARF ends a location range at a call's return address - 1: the
 * last byte of an instruction, which maps with the instruction. */
bool pad_mark_debug_point(struct pad_sec *ps, uint64_t off, const char *what)
{
	long i = pad_insn_covering(ps, off);
	const struct pad_insn *in = i >= 0 ? &ps->insns[i] : NULL;

	if (in && in->off != off && !in->run &&
	    off == in->off + in->d.len - 1 && !in->relaxed)
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

/* Something points at an instruction start in [FROM, TO). */
static bool any_ref(const struct pad_sec *ps, uint64_t from, uint64_t to)
{
	for (uint64_t off = from; off < to; off++)
		if (bitmap_test(ps->refs, off))
			return true;
	return false;
}

/*
 * A run pads to an alignment boundary, nothing points inside it and no
 * function starts with it (patchable entries, hot-patch NOPs).  Every
 * symbol of the section was marked as a reference (pad_relocs.c,
 * mark_symbols) before the plan: where no reference is, no symbol starts,
 * and the symbol lookup (a binary search, most of the cost) is not
 * needed.
 */
static void find_usable_runs(struct pad_sec *ps)
{
	for (size_t r = 0; r < ps->nruns; r++) {
		struct pad_run *run = &ps->runs[r];
		struct symbol *sym;

		run->usable = (run->end % 8 == 0 || run->end == ps->size) &&
			      !in_frozen(ps, run->start, run->end) &&
			      !any_ref(ps, run->start + 1, run->end);
		if (!run->usable || !bitmap_test(ps->refs, run->start))
			continue;
		sym = obj_find_symbol_at(ps->obj, ps->sec, run->start);
		if (sym && sym->type == STT_FUNC)
			run->usable = false;
	}
}

/* What the plan keeps between its walks and rounds. */
struct pad_plan_state {
	uint32_t *shorts;	/* rel8 branches resolved here, in order */
	size_t nshorts;
	uint32_t *wides;	/* rel16 ones: they reach anywhere */
	size_t nwides;
	size_t *open;		/* padded sites whose bytes are still owed */
	uint32_t *dirty;	/* instructions whose layout changed */
	size_t ndirty, dirty_cap;
	struct pad_span {
		size_t first, last;	/* laid out again: [first, last) */
	} *spans;
	size_t nspans, spans_cap;
	struct pad_changed {
		uint64_t start, end;	/* original offsets, [start, end] */
	} *changed;		/* laid out since the checks last ran */
	size_t nchanged, changed_cap;
	bool changed_all, changed_sorted;
	bool all;		/* lay out the whole section */
	bool unrelax;		/* sites were dropped: the branches laid out
				 * again start unrelaxed (they may no longer
				 * need it) */
};

static void mark_dirty(struct pad_sec *ps, size_t i, bool dropped)
{
	struct pad_plan_state *st = ps->plan;

	if (!st)		/* not planned yet */
		return;
	st->unrelax |= dropped;
	if (st->all)
		return;
	if (st->ndirty == st->dirty_cap) {
		size_t cap = st->dirty_cap ? 2 * st->dirty_cap : 256;
		uint32_t *p = big_realloc(st->dirty, cap * sizeof(*p));

		if (!p) {
			st->all = true;	/* no list needed then */
			return;
		}
		st->dirty = p;
		st->dirty_cap = cap;
	}
	st->dirty[st->ndirty++] = i;
}

static void skip_site(struct pad_sec *ps, struct pad_sec_site *st,
		      const char *why)
{
	st->skip = true;
	st->why = why;
	mark_dirty(ps, st->insn, true);
	note_at(obj_path(ps->obj), "%s+0x%" PRIx64 ": not padded: %s",
		ps->sec->name, (uint64_t)st->site, why);
}

static void close_sites(struct pad_sec *ps, size_t *open, size_t nopen,
			uint64_t end)
{
	for (size_t k = 0; k < nopen; k++)
		ps->sites[open[k]].moved_end = end;
}

/* SHIFT: those of its instructions (all laid out, so in a row) */
static uint64_t place_run(struct pad_sec *ps, struct pad_run *run,
			  int32_t *shift, uint64_t pos, uint64_t *pending)
{
	uint64_t len = run->end - run->start;
	uint64_t take = run->usable && *pending < len ? *pending :
			run->usable ? len : 0;

	/* inside the run the code moves with its start (the labels of what
	 * it gives up are unmapped), after it, less what it took */
	run->absorbed = take;
	run->new_start = pos;
	*pending -= take;
	run->owed = *pending;
	for (size_t i = run->first; i < run->last; i++) {
		ps->insns[i].pad = 0;
		*shift++ = (int64_t)pos - run->start -
			   (i + 1 == run->last ? (int64_t)take : 0);
	}
	return pos + len - take;
}

/* How many of the set bits of R are below I */
static uint32_t rank_below(const struct pad_rank *r, size_t i)
{
	return i ? pad_rank_le(r, i - 1) : 0;
}

/*
 * Lays out from instruction I, at new offset POS with PENDING bytes owed
 * by the NOPEN sites in plan->open.  Past
 * instruction UNTIL, it stops after the first run that leaves nothing owed
 * where the last layout left nothing owed and ended at the same offset:
 * from there on the layout is the last one.  Returns where it stopped.
 * The walk is in order: it counts the laid-out instructions (their
 * shifts), runs and sites it passes instead of ranking each.
 */
static size_t layout_from(struct pad_sec *ps, size_t i, uint64_t pos,
			  uint64_t pending, size_t nopen, size_t until,
			  bool unrelax)
{
	size_t *open = ps->plan->open;
	/* POS is where original offset AT goes: the instructions from AT to
	 * the next laid-out one move with it as a block */
	uint64_t at = i < ps->n ? ps->insns[i].off : ps->size;
	int32_t *shift = ps->shifts + rank_below(&ps->laid, i);
	struct pad_run *run = ps->runs + rank_below(&ps->run_firsts, i);
	const uint32_t *site_at = ps->site_at +
				  rank_below(&ps->site_insns, i);

	for (i = pad_next_laid(ps, i); i < ps->n; i = pad_next_laid(ps, i)) {
		struct pad_insn *in = &ps->insns[i];

		pos += in->off - at;
		if (in->run) {
			uint64_t old_end = pad_run_new_end(run);
			bool settled = !run->owed, owed = pending;

			pos = place_run(ps, run, shift, pos, &pending);
			shift += run->last - run->first;
			at = run->end;
			if (owed && !pending) {
				close_sites(ps, open, nopen, run->end);
				nopen = 0;
			}
			i = run->last;
			run++;
			if (i > until && !pending && settled && pos == old_end)
				return i;
			continue;
		}
		if (unrelax)
			in->relaxed = false;
		in->wide = in->relaxed;
		in->pad = 0;
		if (in->site && !ps->sites[*site_at].skip) {
			in->pad = -(pos + in->d.disp_off) & 3;
			if (in->pad) {
				ps->sites[*site_at].moved_start = in->off;
				open[nopen++] = *site_at;
			}
		}
		site_at += in->site;
		pos += in->pad;
		pending += in->pad + pad_new_len(in) - in->d.len;
		pos += pad_new_len(in);
		at = in->off + in->d.len;
		*shift++ = (int64_t)pos - at;
		i++;
	}
	close_sites(ps, open, nopen, ps->size);
	ps->new_size = pos + (ps->size - at);
	return ps->n;
}

/* The last run before instruction D that left nothing owed: the layout
 * from there on depends on its end only. */
static size_t segment_start(const struct pad_sec *ps, size_t d, uint64_t *pos)
{
	for (size_t r = rank_below(&ps->run_firsts, d); r--;) {
		const struct pad_run *run = &ps->runs[r];

		if (!run->owed) {
			*pos = pad_run_new_end(run);
			return run->last;
		}
	}
	*pos = 0;
	return 0;
}

/* The sites padded in [FIRST, D), into plan->open: all still owe their
 * bytes when FIRST starts a segment (no run of it left nothing owed). */
static size_t open_sites(struct pad_sec *ps, size_t first, size_t d)
{
	const uint64_t *bits = ps->site_insns.bits;
	const uint32_t *site_at = ps->site_at +
				  rank_below(&ps->site_insns, first);
	size_t nopen = 0;

	for (size_t j = bitmap_first_at_or_after(bits, first, d); j < d;
	     j = bitmap_first_at_or_after(bits, j + 1, d)) {
		uint32_t s = *site_at++;

		if (!ps->sites[s].skip && ps->insns[j].pad)
			ps->plan->open[nopen++] = s;
	}
	return nopen;
}

/*
 * Lays out again from dirty instruction D (a site or a branch) on.  The
 * layout before it has not changed, so the walk starts at D, not at the
 * start of its segment, with what the walk from there would have found
 * at D: how much is owed (what the code moved since the segment started)
 * and which sites owe it.  Not when the branches laid out again start
 * unrelaxed (UNRELAX): then those before D change too.  Returns where it
 * stopped; *FIRST where it started.
 */
static size_t layout_dirty(struct pad_sec *ps, size_t d, bool unrelax,
			   size_t *first)
{
	uint64_t pos;
	size_t seg = segment_start(ps, d, &pos);
	uint64_t seg_off = seg < ps->n ? ps->insns[seg].off : ps->size;
	int64_t before = pad_shift_before(ps, d);
	/* the code at the segment's start moved by pos - seg_off, the code
	 * right before D by BEFORE: no run between took all, so the
	 * difference is still owed */
	int64_t owed = before - ((int64_t)pos - (int64_t)seg_off);

	/* owed < 0 cannot happen (code only moves forward between runs
	 * that take nothing); the walk from the segment's start would
	 * still be right if it did */
	if (unrelax || owed < 0) {
		*first = seg;
		return layout_from(ps, seg, pos, 0, 0, d, unrelax);
	}
	*first = d;
	return layout_from(ps, d, ps->insns[d].off + before, owed,
			   open_sites(ps, seg, d), d, false);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static int add_span(struct pad_plan_state *st, size_t first, size_t last)
{
	if (st->nspans == st->spans_cap) {
		size_t cap = st->spans_cap ? 2 * st->spans_cap : 64;
		struct pad_span *p = realloc(st->spans, cap * sizeof(*p));

		if (!p)
			return -1;
		st->spans = p;
		st->spans_cap = cap;
	}
	st->spans[st->nspans++] = (struct pad_span){ first, last };
	return 0;
}

/* Instructions [FIRST, LAST) were laid out: the checks after the plan
 * look at what they cover again. */
static void note_changed(struct pad_sec *ps, size_t first, size_t last)
{
	struct pad_plan_state *st = ps->plan;

	if (st->changed_all)
		return;
	if (st->nchanged == st->changed_cap) {
		size_t cap = st->changed_cap ? 2 * st->changed_cap : 64;
		struct pad_changed *p = realloc(st->changed, cap * sizeof(*p));

		if (!p) {
			st->changed_all = true;	/* everything, then */
			return;
		}
		st->changed = p;
		st->changed_cap = cap;
	}
	st->changed[st->nchanged++] = (struct pad_changed){
		ps->insns[first].off, last < ps->n ? ps->insns[last].off :
						     ps->size };
	st->changed_sorted = false;
}

static int cmp_changed(const void *a, const void *b)
{
	const struct pad_changed *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* Sorted by start, overlapping ones merged: their ends go up too. */
static void sort_changed(struct pad_plan_state *st)
{
	size_t n = 0;

	qsort(st->changed, st->nchanged, sizeof(*st->changed), cmp_changed);
	for (size_t k = 0; k < st->nchanged; k++) {
		if (n && st->changed[k].start <= st->changed[n - 1].end) {
			if (st->changed[k].end > st->changed[n - 1].end)
				st->changed[n - 1].end = st->changed[k].end;
			continue;
		}
		st->changed[n++] = st->changed[k];
	}
	st->nchanged = n;
	st->changed_sorted = true;
}

bool pad_laid_out_again(struct pad_sec *ps, uint64_t start, uint64_t end)
{
	struct pad_plan_state *st = ps->plan;
	size_t lo = 0, hi;

	if (!st || st->changed_all)
		return true;
	if (!st->changed_sorted)
		sort_changed(st);
	/* the first span that ends at or after START */
	hi = st->nchanged;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (st->changed[mid].end < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < st->nchanged && st->changed[lo].start <= end;
}

void pad_checks_done(struct pad_sec *ps)
{
	if (!ps->plan)
		return;
	ps->plan->nchanged = 0;
	ps->plan->changed_all = false;
	ps->plan->changed_sorted = true;
}

/* Lays out again what changed since the last walk; the spans say where. */
static int relayout(struct pad_sec *ps)
{
	struct pad_plan_state *st = ps->plan;
	bool unrelax = st->unrelax;
	size_t done = 0;

	st->nspans = 0;
	st->unrelax = false;
	if (st->all) {
		st->all = false;
		st->ndirty = 0;
		layout_from(ps, 0, 0, 0, 0, SIZE_MAX, unrelax);
		st->changed_all = true;
		return add_span(st, 0, ps->n);
	}
	if (st->ndirty > 1)
		qsort(st->dirty, st->ndirty, sizeof(*st->dirty), cmp_u32);
	for (size_t k = 0; k < st->ndirty; k++) {
		size_t first;

		if (st->dirty[k] < done)
			continue;
		done = layout_dirty(ps, st->dirty[k], unrelax, &first);
		note_changed(ps, first, done);
		if (add_span(st, first, done))
			return -1;
	}
	st->ndirty = 0;
	return 0;
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
		skip_site(ps, st, why);
		any = true;
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

		if (!in->site || !in->pad || in->off < start)
			continue;
		st = &ps->sites[pad_site_of(ps, in)];
		any = true;
		if (!st->skip)
			skip_site(ps, st, why);
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

uint64_t pad_old_target(const struct pad_sec *ps, const struct pad_insn *in)
{
	return in->off + in->d.len + read_disp(ps, in);
}

uint64_t pad_map_target(const struct pad_sec *ps, const struct pad_insn *in)
{
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

/* Returns 1 when the branch was relaxed or sites skipped, 0 when it
 * reaches. */
static int check_branch(struct pad_sec *ps, size_t i)
{
	struct pad_insn *in = &ps->insns[i];
	uint64_t t, nt;
	int64_t nd, lim;
	long k;

	if (in->relaxed)
		return 0;
	t = pad_old_target(ps, in);
	k = pad_insn_at(ps, t);
	/* the target's label, without its record: it starts at t */
	nt = k >= 0 ? pad_label_at(ps, k, t) : pad_map_ref(ps, t);
	if (k >= 0 && nt == UNMAPPED) {
		pad_refuse(ps, "branch into moved padding",
			   "branch at +0x%" PRIx64, (uint64_t)in->off);
		return 0;
	}
	nd = (int64_t)(nt - (pad_new_off(ps, i) + pad_new_len(in)));
	lim = in->d.disp_size == 1 ? 128 : 32768;
	if (nd >= -lim && nd < lim)
		return 0;
	if (relaxable(ps, in)) {
		in->relaxed = true;
		mark_dirty(ps, i, false);
		return 1;
	}
	if (pad_skip_overlapping(ps, in->off < t ? in->off : t,
				 in->off < t ? t : in->off,
				 "a loop/jrcxz/short branch that cannot be "
				 "relaxed would go out of range"))
		return 1;
	pad_refuse(ps, "short branch out of range", "branch at +0x%" PRIx64,
		   (uint64_t)in->off);
	return 0;
}

/* A rel8 branch and its target are at most this far apart. */
#define REL8_REACH 256

/* First K with V[K] >= X. */
static size_t lower_bound(const uint32_t *v, size_t n, size_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Checks the branches whose displacement the last walk may have changed:
 * the rel8 ones in or near what was laid out again (a branch and its
 * target both elsewhere kept their offsets), and every rel16 one.
 * Returns 1 when something was relaxed or skipped.
 */
static int check_branches(struct pad_sec *ps)
{
	const struct pad_plan_state *st = ps->plan;
	int changed = 0;

	for (size_t s = 0; s < st->nspans && !ps->why; s++) {
		const struct pad_span *sp = &st->spans[s];
		uint64_t lo = sp->first < ps->n ? ps->insns[sp->first].off :
			      ps->size;
		uint64_t hi = sp->last < ps->n ? ps->insns[sp->last].off :
			      ps->size;
		size_t first = lo > REL8_REACH ?
			       (size_t)pad_insn_covering(ps, lo - REL8_REACH) : 0;
		size_t last = hi + REL8_REACH < ps->size ?
			      (size_t)pad_insn_covering(ps, hi + REL8_REACH) + 1 :
			      ps->n;

		for (size_t k = lower_bound(st->shorts, st->nshorts, first);
		     k < st->nshorts && st->shorts[k] < last && !ps->why; k++) {
			/* the records are far apart: a miss each, unless
			 * asked for ahead */
			if (k + 16 < st->nshorts)
				__builtin_prefetch(&ps->insns[st->shorts[k + 16]]);
			changed |= check_branch(ps, st->shorts[k]);
		}
	}
	for (size_t k = 0; k < st->nwides && st->nspans && !ps->why; k++)
		changed |= check_branch(ps, st->wides[k]);
	return changed;
}

static bool edited(const struct pad_sec *ps, const struct pad_insn *in)
{
	if (in->run)
		return ps->runs[pad_run_of(ps, in)].absorbed;
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
	if ((int64_t)(nt - (pad_new_off(ps, in - ps->insns) +
			    pad_new_len(in))) == read_disp(ps, in))
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
	int32_t site = pad_site_of(ps, in);
	struct pad_sec_site *st = site >= 0 ? &ps->sites[site] : NULL;

	/* a site inside the range: leaving it alone undoes this edit (it
	 * may have been left already this round: the plan is redone) */
	if (st && in->pad && st->skip)
		return true;
	if (st && in->pad) {
		skip_site(ps, st, fr->why);
		return true;
	}
	if (pad_skip_overlapping(ps, lo, hi, fr->why))
		return true;
	pad_refuse(ps, fr->why, "edit at +0x%" PRIx64 " inside +0x%" PRIx64
		   "..+0x%" PRIx64, (uint64_t)in->off, fr->start, fr->end);
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

static int push_u32(uint32_t **v, size_t *n, uint32_t x)
{
	if (!(*n & (*n - 1)) && *n >= 1024) {
		uint32_t *p = big_realloc(*v, 2 * *n * sizeof(*p));

		if (!p)
			return -1;
		*v = p;
	} else if (!*v) {
		*v = malloc(1024 * sizeof(**v));
		if (!*v)
			return -1;
	}
	(*v)[(*n)++] = x;
	return 0;
}

/* The branches with a rel8 or rel16 resolved here: only they can go out
 * of range. */
static int short_branches(struct pad_sec *ps, struct pad_plan_state *st)
{
	for (size_t k = 0; k < ps->npcrel; k++) {
		size_t i = ps->pcrel[k];
		const struct pad_insn *in = &ps->insns[i];

		if (!pad_resolved_here(in) || in->d.disp_size == 4)
			continue;
		if (in->d.disp_size == 1 ? push_u32(&st->shorts, &st->nshorts, i) :
		    push_u32(&st->wides, &st->nwides, i))
			return -1;
	}
	return 0;
}

static int plan_init(struct pad_sec *ps)
{
	struct pad_plan_state *st = calloc(1, sizeof(*st));

	if (!st)
		return -1;
	ps->plan = st;
	st->all = true;
	st->open = big_malloc((ps->nsites + 1) * sizeof(*st->open));
	if (!st->open || short_branches(ps, st))
		return -1;
	find_usable_runs(ps);
	return 0;
}

void pad_plan_free(struct pad_sec *ps)
{
	struct pad_plan_state *st = ps->plan;

	if (!st)
		return;
	free(st->shorts);
	free(st->wides);
	free(st->open);
	free(st->dirty);
	free(st->spans);
	free(st->changed);
	free(st);
	ps->plan = NULL;
}

int pad_plan(struct pad_sec *ps)
{
	if (!ps->plan && plan_init(ps))
		return -1;
	for (;;) {
		if (relayout(ps))
			return -1;
		if (ps->why)
			break;
		if (check_branches(ps))
			continue;
		if (ps->why || !check_frozen(ps) || ps->why)
			break;
	}
	return 0;
}

/* Branch targets resolved by the assembler are references too. */
void pad_mark_branches(struct pad_sec *ps)
{
	for (size_t k = 0; k < ps->npcrel && !ps->why; k++) {
		struct pad_insn *in = &ps->insns[ps->pcrel[k]];
		uint64_t t = pad_old_target(ps, in);

		if (!pad_resolved_here(in))
			continue;
		if (t > ps->size) {
			pad_refuse(ps, "a reference out of the section without "
				   "relocation", "instruction at +0x%" PRIx64,
				   (uint64_t)in->off);
			return;
		}
		pad_mark_point(ps, t, "branch target");
	}
}
