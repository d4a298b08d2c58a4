/* SPDX-License-Identifier: MIT */
/*
 * Shared state of the fix-up validation (pad_verify*.c).  Not for use
 * outside it.
 */
#ifndef SCPATCH_PAD_VERIFY_INTERNAL_H
#define SCPATCH_PAD_VERIFY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "pad_internal.h"
#include "pad_verify.h"
#include "sort_kv.h"

/* What a reference into padded code must point at afterwards. */
enum ref_kind {
	REF_POINT,	/* a place: the NOP put before an instruction */
	REF_INSN,	/* the instruction itself (static call tables) */
	REF_DEBUG,	/* a place, or the last byte of an instruction
			 * (gcc ends location ranges at a call's last byte) */
};

/* A section whose relocations are checked: their number must not change,
 * nor their types and symbols (HASH).  What each must be after the commit
 * is in pad_verify.exp from FIRST on (PV_SMALL values): in padded code two
 * a relocation (its offset, less the one before's, and its addend),
 * elsewhere one a relocation into padded code (its addend), which INTO
 * (from bit FIRST_INTO) tells. */
struct vrelsec {
	struct section *sec;
	long nrelocs;
	size_t first, first_into, first_wide;
	uint64_t hash;
	bool padded;
};

/* A value in pad_verify.exp: a 16-bit word, bit 0 clear, for one of 15
 * bits (most offsets from the relocation before, most addends in code);
 * else two words, bit 0 of the first set, for one of 31 bits (offsets in
 * a section, which are below 1 GiB).  Millions of relocations: this is
 * about half the memory two 32-bit words were.  PV_WIDE in 31 bits: the
 * relocation's offset and addend are in pad_verify.wide. */
#define PV_SMALL_MAX 16383
#define PV_WIDE (-(1ll << 30))

/* An expected offset or addend that does not fit in 31 bits: the IDX-th
 * relocation of its section. */
struct vwide {
	size_t idx;
	uint64_t off;
	int64_t addend;
};

/* Places in a data section that code refers to (pad_verify_reloc.c): a
 * bit per byte, and a bit per 64 of those words that has one set. */
struct vbases {
	uint64_t *bits, *sum;
	size_t nwords;
};

struct vsym {
	struct symbol *sym;
	uint32_t sec, idx;		/* its section and symbol index */
	uint64_t value, size;		/* before */
	uint64_t new_value, new_size;	/* what they must be */
};

/* An FDE that describes padded code, before the commit. */
struct vfde {
	uint32_t sec;		/* the code section */
	uint8_t range_size;	/* bytes of pc_begin and pc_range */
	bool has_lsda;
	uint64_t begin, end;	/* original code range */
	uint64_t new_begin, new_end;
	uint64_t at;		/* its offset in the .eh_frame snapshot */
	struct symbol *lsda_sym;	/* the LSDA pointer's relocation */
	int64_t lsda_addend;
	uint32_t lsda_type;
};

/* A section holding LSDAs, before the commit (pad_verify_lsda.c). */
struct lsec {
	struct section *sec;
	uint8_t *old;
	size_t size;
};

struct pad_verify {
	struct obj *obj;
	struct pad_sec **secs;
	size_t nsecs;
	uint16_t *exp;		/* expected offsets and addends */
	size_t nexp;
	uint64_t exp_off;	/* the last offset put there */
	uint64_t *into;		/* relocations into padded code, a bit each */
	size_t ninto;
	struct vwide *wide;	/* the values that do not fit in exp */
	size_t nwide, wide_cap;
	struct vrelsec *rsecs;
	size_t nrsecs, rsecs_cap;
	struct vsym *syms;
	size_t nsyms;
	struct kv *sym_order;	/* syms by section and value */
	unsigned sym_bits;	/* of the value in their keys */
	/* .eh_frame before the commit */
	struct section *eh;
	uint8_t *eh_old;
	size_t eh_old_size;
	struct vfde *fdes;
	size_t nfdes, fdes_cap;
	struct lsec *lsecs;	/* sections of their LSDAs */
	size_t nlsecs;
	uint32_t *lsec_of;	/* per section index: 1 + its lsecs entry */
	/* scratch of the reference mapping */
	struct vbases *bases;	/* jump table bases per section index */
	struct pad_sec **active;	/* pad_find_sec() per section index */
	unsigned nactive;
	struct {
		struct section *sec;
		uint64_t start, pos;
	} cursor;
	uint32_t *symmap;	/* per symbol index: where its value went,
				 * plus 1 (0: not mapped) */
	unsigned nsymmap;
	struct {		/* the last reference mapped: relocations
				 * come in runs to the same place */
		const struct pad_sec *s;
		uint64_t orig, out;
		enum ref_kind kind;
		bool ok;
	} memo;
	uint64_t ahead_target;	/* the last one asked for ahead */
	long target_hint;	/* the instruction of the target of the
				 * relocation being read, asked for ahead
				 * (unchecked) */
	uint64_t field_end;	/* end of the instruction of the last field
				 * mapped by map_field() */
	long field_hint;	/* and that instruction */
	enum ref_kind ref_kind;	/* of the section being read */
	struct {		/* -mbranches-within-32B-boundaries lost:
				 * said once the object is proved */
		size_t jumps, broken, nsecs;
		struct section *first;
	} jcc;
	char failure[320];	/* the first place that does not map */
};

/* pad_verify_map.c: where ORIG in padded section PS went, as a KIND
 * reference; false when it cannot be mapped without changing what it
 * points at. */
bool pv_map(const struct pad_sec *ps, uint64_t orig, enum ref_kind kind,
	    uint64_t *out);
/* The same, starting from the instruction *HINT (-1: none) when it or
 * the next covers ORIG; *HINT becomes ORIG's instruction. */
bool pv_map_near(const struct pad_sec *ps, uint64_t orig, enum ref_kind kind,
		 uint64_t *out, long *hint);
/* The instruction covering ORIG, *HINT or the next when one of them
 * covers it (HINT may be NULL); -1 when none. */
long pv_insn_near(const struct pad_sec *ps, uint64_t orig, long *hint);
/* The instruction covering ORIG, unchecked (a hint for the above), and
 * its record on its way into the cache: lookups a few relocations ahead
 * overlap their cache misses. */
long pv_insn_ahead(const struct pad_sec *ps, uint64_t orig);
/* Later, its record read: the NOP run of that instruction, where a
 * function ends (its symbol's size, its FDE's range). */
void pv_run_ahead(const struct pad_sec *ps, uint64_t orig);
/* The records of the instructions of [BEGIN, END) on their way into the
 * cache, up to PV_RANGE_AHEAD of them: an FDE's rows are mapped one by
 * one, tens of instructions apart, a cache miss each. */
#define PV_RANGE_AHEAD 1024
void pv_range_ahead(const struct pad_sec *ps, uint64_t begin, uint64_t end);
/* Where a relocated field at ORIG went: it moves with its instruction,
 * which ends at *END (0 when there is none). */
bool pv_map_field(const struct pad_sec *ps, uint64_t orig, uint32_t type,
		  uint64_t *out, uint64_t *end, long *hint);

/* pad_verify.c: records the first failure (printed by pad_verify()); returns false. */
bool pv_fail(struct pad_verify *pv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* pad_verify.c: a symbol of section SEC spans [BEGIN, END): where it went
 * (mapped like any place in code); *CUR is where the last one was found
 * (FDEs come in the order of their code). */
bool pv_sym_range(struct pad_verify *pv, uint32_t sec, uint64_t begin,
		  uint64_t end, uint64_t *new_begin, uint64_t *new_end,
		  size_t *cur);

/* pad_verify_reloc.c */
int pv_reloc_prepare(struct pad_verify *pv);
void pv_reloc_check(struct pad_verify *pv);

/* pad_verify_cfi.c */
int pv_cfi_prepare(struct pad_verify *pv);
void pv_cfi_check(struct pad_verify *pv);
/* The offset of the FDE paired with F in the committed .eh_frame, or
 * UINT64_MAX (for fault injection). */
uint64_t pv_cfi_find(struct pad_verify *pv, const struct vfde *f);
/* pad_verify_lsda.c: keeps a copy of SEC, which holds an LSDA. */
int pv_lsda_snapshot(struct pad_verify *pv, struct section *sec);
void pv_lsda_free(struct pad_verify *pv);
/* F's LSDA, moved to NEW_AT in its section, is its old one with every
 * code offset mapped; else records a failure naming WHERE and the place. */
bool pv_lsda_check(struct pad_verify *pv, const struct vfde *f,
		   uint64_t new_at, const char *where);
/* The first call-site length of the LSDA at AT in SEC, writable (for
 * fault injection), or NULL. */
uint8_t *pv_lsda_first_length(struct pad_verify *pv, struct section *sec,
			      uint64_t at);
/* The LSDA pointer's relocation of the FDE at AT in the committed
 * .eh_frame, or NULL (for fault injection). */
struct reloc *pv_cfi_lsda_pointer(struct pad_verify *pv, uint64_t at);
/* The first advance of the CFA program of the FDE at AT in D, or NULL. */
uint8_t *pv_cfi_first_advance(uint8_t *d, size_t size, uint64_t at);

/* pad_jcc.c: adds to *JUMPS the jumps of PS (jcc, macro-fused pairs,
 * direct jmp) and to *BROKEN those that cross or end at a 32-byte boundary after
 * padding; false when one did before (not built with
 * -mbranches-within-32B-boundaries). */
bool pad_jcc_count(const struct pad_sec *ps, size_t *jumps, size_t *broken);

/* pad_verify_fault.c: corrupts one fix-up when built with
 * -DSCPATCH_FAULT_INJECTION and SCPATCH_FAULT is set (tests only). */
void pv_inject_fault(struct pad_verify *pv);

#endif
