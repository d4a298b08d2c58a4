/* SPDX-License-Identifier: MIT */
/*
 * Shared state of the padding pass (pad*.c, eh_frame.c): one decoded text
 * section with its plan.  Not for use outside the pass.
 */
#ifndef SCPATCH_PAD_INTERNAL_H
#define SCPATCH_PAD_INTERNAL_H

#include <stdbool.h>

#include "bitmap.h"
#include "decode.h"
#include "pad.h"

/* What the pass keeps of a decoded instruction (struct insn without what
 * follows from the offset), in 25 bits: millions of them on a large
 * object.  Lengths and field offsets are at most 15, sizes at most 8. */
struct pad_dec {
	uint32_t len : 4, disp_off : 4, imm_off : 4, imm_size : 4;
	uint32_t kind : 4, disp_size : 4, pc_relative : 1;
};

/* label and new_off of the bytes a run gives up */
#define PAD_UNMAPPED UINT32_MAX

/*
 * One instruction of a padded section.  Millions of them on a large
 * object: offsets are 32 bits (pad_decode refuses sections of 1 GiB), and
 * the record is 8 bytes, so that the walks over them read as little
 * memory as they can and the array costs few page faults.  What the plan
 * decides shares a word with the decode; what is looked up by offset
 * (instruction starts, references) is in bitmaps, and which run or site
 * an instruction is, by rank (pad_run_of, pad_site_of).  Its label, the
 * new offset a reference to off maps to (the inserted NOP, when there is
 * one; the instruction is pad bytes after it), is pad_label(): its
 * offset plus how far the code before it moved (pad_sec.shifts).
 */
struct pad_insn {
	uint32_t off;		/* offset in the original section */
	union {
		struct pad_dec d;	/* decoded at its original offset */
		struct {
			uint32_t : 25;	/* d */
			uint32_t pad : 2;	/* NOP bytes inserted before it */
			uint32_t relaxed : 1;	/* rel8 jmp/jcc to be
						 * rewritten with rel32 */
			uint32_t wide : 1;	/* ... and laid out so: the
						 * next layout follows
						 * relaxed */
			uint32_t reloc_in_disp : 1;	/* a relocation
							 * resolves its
							 * displacement */
			uint32_t run : 1;	/* in a NOP/int3 run */
			uint32_t site : 1;	/* a site's instruction (never
						 * in a run) */
		};
	};
};

_Static_assert(sizeof(struct pad_insn) == 8, "pad_insn grew");

/* The processor has POPCNT (pad_decode.c asks it at start-up). */
extern bool pad_have_popcnt;

/*
 * Bits set in X, without a library call.  Every lookup by offset or rank
 * counts bits, millions of times on a large object: the instruction, where
 * the processor has it (any x86-64 since 2008, but -mpopcnt is not
 * assumed), is 8% fewer instructions for the whole pass.
 */
static inline unsigned pad_popcount64(uint64_t x)
{
#if defined(__POPCNT__)
	return __builtin_popcountll(x);
#elif defined(__x86_64__)
	if (__builtin_expect(pad_have_popcnt, 1)) {
		uint64_t n;

		__asm__("popcnt %1, %0" : "=r"(n) : "rm"(x));
		return n;
	}
#endif
	x -= (x >> 1) & 0x5555555555555555ull;
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (x * 0x0101010101010101ull) >> 56;
}

/* A set of instruction indexes (or offsets) that answers "how many are at
 * or below I" with two reads: a bitmap and a count per 64 bits. */
struct pad_rank {
	uint64_t *bits;
	uint32_t *counts;	/* set bits before each word */
};

/* Room for N bits, all clear; pad_rank_count() once they are set. */
int pad_rank_alloc(struct pad_rank *r, size_t n);
int pad_rank_count(struct pad_rank *r, size_t n);
void pad_rank_free(struct pad_rank *r);

static inline void pad_rank_set(struct pad_rank *r, size_t i)
{
	bitmap_set(r->bits, i);
}

static inline uint32_t pad_rank_le(const struct pad_rank *r, size_t i)
{
	return r->counts[i >> 6] +
	       pad_popcount64(r->bits[i >> 6] & (~0ull >> (63 - (i & 63))));
}

/* Its length in the new code, as laid out: a relaxed rel8 jmp (2 bytes)
 * takes a rel32 (5), a jcc (2) its 0f 8x form (6). */
static inline unsigned pad_new_len(const struct pad_insn *in)
{
	return !in->wide ? in->d.len : in->d.kind == INSN_JMP ? 5 : 6;
}

/* pad_run_of and pad_site_of follow struct pad_sec */

/* pad_label and pad_new_off follow struct pad_sec */

/* Maximal run of NOPs (or int3 between functions) the code may shrink. */
/* Offsets and indexes in these are 32 bits, as in pad_insn: hundreds of
 * thousands of each on a large object. */
struct pad_run {
	uint32_t first, last;	/* instructions [first, last) */
	uint32_t start, end;
	uint32_t absorbed;	/* bytes taken out of it by the plan */
	uint32_t new_start;
	uint32_t owed;		/* bytes still owed after it (the plan) */
	bool usable;
	bool int3;
};

struct pad_sec_site {
	uint32_t idx;		/* index into the caller's array */
	uint32_t site;		/* input offset of the opcode */
	uint32_t insn;
	bool skip;
	const char *why;
	uint32_t moved_start;	/* code between these moves for this site */
	uint32_t moved_end;
};

/* An interval of code inside which nothing may move (LSDA functions). */
struct pad_range {
	uint64_t start, end;
	const char *why;
	bool opaque;		/* its bytes must not change at all: a
				 * reference points inside one of its
				 * instructions (data, or code the decoder
				 * may not see right) */
};

struct pad_sec {
	struct obj *obj;
	struct section *sec;
	const uint8_t *data;
	size_t size;
	struct pad_insn *insns;
	size_t n;
	struct pad_rank laid;	/* one bit per instruction: the plan lays it
				 * out itself (a run's, a site's, one with a
				 * pc-relative field).  The others are never
				 * changed: each stretch of them moves as a
				 * block right after the laid-out instruction
				 * before it, and the walks step over them */
	int32_t *shifts;	/* per laid-out instruction, by rank: how
				 * far the code right after it moved (new
				 * offset - original); an instruction's label
				 * is its offset plus the shift of the
				 * laid-out one before it */
	uint64_t *starts;	/* one bit per byte: an instruction starts
				 * there (pad_insn_at, pad_insn_covering) */
	uint32_t *blocks;	/* per 64 bytes: instructions starting
				 * before it */
	uint64_t *refs;		/* one bit per byte: an instruction start
				 * something points at (a bitmap, not a
				 * field of pad_insn: marking a million
				 * references then touches no record) */
	struct pad_run *runs;
	size_t nruns;
	struct pad_rank run_firsts;	/* each run's first instruction */
	uint64_t *in_run;	/* one bit per instruction: in a run (the
				 * run bit of its record, where a lookup by
				 * offset need not read the record) */
	struct pad_rank site_insns;	/* the instructions of sites */
	uint32_t *site_at;	/* per site instruction, in order: its site
				 * (the last of those that name it) */
	uint32_t *pcrel;	/* instructions with a pc-relative field */
	size_t npcrel;
	uint32_t *targets;	/* per instruction resolved here, in order:
				 * its new target, as pad_build() encoded
				 * it */
	struct pad_sec_site *sites;
	size_t nsites;
	struct pad_range *frozen;
	size_t nfrozen;
	struct pad_plan_state *plan;	/* pad_layout.c, between rounds */
	/* indexes of the FDEs (eh_frame.fdes) and DWARF fixes
	 * (dwarf_fixes.fixes) that describe it, in their order: the checks
	 * after each plan read these, not those of every section */
	struct pad_index {
		size_t *v;
		size_t n;
	} fdes, fixes;
	uint64_t new_size;
	uint8_t *new_data;	/* the object's once committed */
	bool new_data_given;
	const char *why;	/* the section is not padded: why */
	bool quiet;		/* pad_refuse() prints nothing */
	bool wanted;		/* some site needs padding */
};

/* Index of the NOP/int3 run of IN, -1 */
static inline int32_t pad_run_of(const struct pad_sec *ps,
				 const struct pad_insn *in)
{
	return in->run ? (int32_t)pad_rank_le(&ps->run_firsts,
					      in - ps->insns) - 1 : -1;
}

/* Index into pad_sec.sites of the site IN is, -1 */
static inline int32_t pad_site_of(const struct pad_sec *ps,
				  const struct pad_insn *in)
{
	if (!in->site)
		return -1;
	return ps->site_at[pad_rank_le(&ps->site_insns, in - ps->insns) - 1];
}

static inline bool pad_is_laid(const struct pad_sec *ps, size_t i)
{
	return bitmap_test(ps->laid.bits, i);
}

/* The first laid-out instruction at or after I (ps->n when none). */
static inline size_t pad_next_laid(const struct pad_sec *ps, size_t i)
{
	return bitmap_first_at_or_after(ps->laid.bits, i, ps->n);
}

/* The last laid-out instruction before I, -1 when none. */
static inline long pad_prev_laid(const struct pad_sec *ps, size_t i)
{
	return i ? bitmap_last_at_or_below(ps->laid.bits, i - 1) : -1;
}

/* Where laid-out instruction I's shift is */
static inline int32_t *pad_shift_of(const struct pad_sec *ps, size_t i)
{
	return &ps->shifts[pad_rank_le(&ps->laid, i) - 1];
}

/* How far the code right before instruction I moved: the shift of the
 * last laid-out instruction before it (0 when there is none). */
static inline int64_t pad_shift_before(const struct pad_sec *ps, size_t i)
{
	uint32_t r = pad_rank_le(&ps->laid, i) - pad_is_laid(ps, i);

	return r ? ps->shifts[r - 1] : 0;
}

static inline uint64_t pad_run_new_end(const struct pad_run *run)
{
	return run->new_start + (run->end - run->start) - run->absorbed;
}

static inline bool pad_in_run(const struct pad_sec *ps, size_t i)
{
	return bitmap_test(ps->in_run, i);
}

/*
 * The label of instruction I, which starts at OFF (PAD_UNMAPPED: a run
 * gave its bytes up).  The fix-ups ask it of offsets far apart, where
 * each array read is a cache miss: the laid-out bit comes first, as the
 * rank needs its word anyway; most instructions are not laid out, and
 * then neither the run bitmap nor the runs are read.
 */
static inline uint32_t pad_label_at(const struct pad_sec *ps, size_t i,
				    uint64_t off)
{
	uint32_t r = pad_rank_le(&ps->laid, i);

	if (pad_is_laid(ps, i)) {
		r--;
		if (pad_in_run(ps, i)) {
			const struct pad_run *run =
				&ps->runs[pad_rank_le(&ps->run_firsts, i) - 1];

			if (run->absorbed && i != run->first)
				return PAD_UNMAPPED;
		}
	}
	return off + (r ? ps->shifts[r - 1] : 0);
}

static inline uint32_t pad_label(const struct pad_sec *ps, size_t i)
{
	return pad_label_at(ps, i, ps->insns[i].off);
}

/* New offset of laid-out instruction I (not in a run) itself: after the
 * NOP put before it */
static inline uint32_t pad_laid_new_off(const struct pad_sec *ps, size_t i)
{
	return pad_label(ps, i) + ps->insns[i].pad;
}

/* New offset of instruction I itself: after the NOP put before it */
static inline uint32_t pad_new_off(const struct pad_sec *ps, size_t i)
{
	uint32_t label = pad_label(ps, i);

	return label == PAD_UNMAPPED ? PAD_UNMAPPED :
	       label + ps->insns[i].pad;
}

/* pad_decode.c */
/* The instructions alone (records, starts, runs, pc-relative list): all
 * that depends only on the bytes.  pad_decode() does it when it was not
 * done, then checks the relocations and finds the sites. */
int pad_decode_insns(struct pad_sec *ps);
int pad_decode(struct pad_sec *ps);

/* The instruction covering OFF, -1 when the section is not decoded.
 * Inline: millions of calls from every step of the pass, each a few
 * instructions (pad_decode.c: count_blocks()). */
static inline long pad_insn_covering(const struct pad_sec *ps, uint64_t off)
{
	uint64_t below;

	if (off >= ps->size || !ps->blocks)	/* not decoded */
		return -1;
	/* the starts at or below off in its block; the first instruction
	 * starts at 0, so one always covers off */
	below = ps->starts[off >> 6] & (~0ull >> (63 - (off & 63)));
	return ps->blocks[off >> 6] + pad_popcount64(below) - 1;
}

/* The instruction that starts at OFF, -1 */
static inline long pad_insn_at(const struct pad_sec *ps, uint64_t off)
{
	if (off >= ps->size || !ps->blocks ||
	    !bitmap_test(ps->starts, off))
		return -1;
	return pad_insn_covering(ps, off);
}
void pad_refuse(struct pad_sec *ps, const char *why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* pad_layout.c */
/* Plans the section; called again after checks dropped sites, it lays out
 * again only the code that changed. */
int pad_plan(struct pad_sec *ps);
void pad_plan_free(struct pad_sec *ps);
/* Whether code of [START, END] (original offsets) was laid out since
 * pad_checks_done(): what the checks after a plan found about code that
 * was not still holds. */
bool pad_laid_out_again(struct pad_sec *ps, uint64_t start, uint64_t end);
void pad_checks_done(struct pad_sec *ps);
bool pad_map(const struct pad_sec *ps, uint64_t off, uint64_t *out);
uint64_t pad_map_byte(const struct pad_sec *ps, uint64_t off);
bool pad_mark_point(struct pad_sec *ps, uint64_t off, const char *what);
/* Where a reference to OFF goes: the mapped boundary, or the byte when OFF
 * lies inside an instruction (which is then frozen, so unedited). */
uint64_t pad_map_ref(const struct pad_sec *ps, uint64_t off);
/* Nothing inside [START, END) may be edited; OPAQUE: nor its bytes
 * change.  False when out of memory (the section is refused). */
bool pad_freeze(struct pad_sec *ps, uint64_t start, uint64_t end,
		const char *why, bool opaque);
bool pad_mark_debug_point(struct pad_sec *ps, uint64_t off, const char *what);
void pad_mark_branches(struct pad_sec *ps);
/* A branch or RIP-relative operand the assembler resolved itself.
 * Inline: the build and the validation ask it of every laid-out
 * instruction. */
static inline bool pad_resolved_here(const struct pad_insn *in)
{
	return in->d.pc_relative && in->d.disp_size && !in->reloc_in_disp &&
	       in->d.disp_size != 8;
}
uint64_t pad_old_target(const struct pad_sec *ps, const struct pad_insn *in);
/* Where the target of IN (resolved here, marked) goes after the plan. */
uint64_t pad_map_target(const struct pad_sec *ps, const struct pad_insn *in);
/* The multi-byte NOPs of the Intel optimization manual, LEN <= 9. */
extern const uint8_t *const pad_nops[10];
void pad_fill_nops(uint8_t *p, uint64_t len);

/* pad_emit.c */
int pad_build(struct pad_sec *ps);

/* pad_validate.c */
bool pad_validate(struct pad_sec *ps);
/* pad_verify_fault.c: corrupts the layout before the validation in the
 * tests' build (-DSCPATCH_FAULT_INJECTION, SCPATCH_FAULT=shift) */
void pad_inject_layout_fault(struct pad_sec *ps);

/* eh_frame.c */
struct eh_fde {
	struct pad_sec *ps;	/* the padded section it describes */
	uint64_t begin, end;	/* original code range */
	uint64_t range_off;	/* .eh_frame offset of pc_range */
	unsigned range_size;
	uint64_t insns_off, insns_end;	/* CFA instructions */
	uint64_t rows_end;	/* the last CFA row address (eh_frame_mark) */
	bool lsda;		/* has an LSDA pad_lsda.c does not follow: frozen */
	struct section *lsda_sec;	/* where the LSDA is */
	uint64_t lsda_off;
};

struct eh_frame {
	struct section *sec;
	struct eh_fde *fdes;
	size_t n, cap;
	const char *why;	/* could not be parsed: every section it
				 * describes is refused */
};

int eh_frame_read(struct obj *obj, struct eh_frame *eh,
		  struct pad_sec **secs, size_t nsecs);
/* Marks CFA row addresses as referenced points, freezes LSDA functions. */
void eh_frame_mark(struct eh_frame *eh);
/* After planning: refuses (skips) what the rewrite cannot express. */
bool eh_frame_check(struct eh_frame *eh, struct pad_sec *ps);
int eh_frame_rewrite(struct obj *obj, struct eh_frame *eh);
void eh_frame_free(struct eh_frame *eh);

/* pad_relocs.c */
struct dwarf_fixes;
/* *BASES: NULL at first, what the mark pass found about jump tables for
 * the fix pass; pad_bases_free() after both */
struct pad_bases;
int pad_mark_reloc_targets(struct obj *obj, struct pad_sec **secs,
			   size_t nsecs, const struct dwarf_fixes *dw,
			   struct pad_bases **bases);
int pad_fix_relocs(struct obj *obj, struct pad_sec **secs, size_t nsecs,
		   struct pad_bases **bases);
void pad_bases_free(struct pad_bases *bases);
void pad_fix_symbols(struct obj *obj, struct pad_sec **secs, size_t nsecs);

/* Padded section of index IDX (NULL when not padded). */
struct pad_sec *pad_find_sec(struct pad_sec **secs, size_t nsecs,
			     unsigned idx);

/* Skips every site whose moved code overlaps [start, end]; false when
 * none does (then the caller must refuse the section). */
bool pad_skip_overlapping(struct pad_sec *ps, uint64_t start, uint64_t end,
			  const char *why);

/* Skips the sites that can make a distance inside [start, end) grow:
 * those padded inside it, else every overlapping one; false when none. */
bool pad_skip_growing(struct pad_sec *ps, uint64_t start, uint64_t end,
		      const char *why);

#endif
