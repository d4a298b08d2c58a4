/* SPDX-License-Identifier: MIT */
/*
 * The site finder for relocatable objects: every relocation against a
 * __SCT__ trampoline symbol, classified by the instruction it sits in.
 * Only sections that hold such relocations are decoded, and only the
 * functions around them, from their first byte, so that each site is on
 * an instruction boundary of that decode (undecodable bytes are stepped
 * over one at a time, so data in code can resynchronise it).  Everything is read through
 * the object model (elf.h).
 */
#ifndef SCPATCH_REFS_H
#define SCPATCH_REFS_H

#include "decode.h"
#include "elf.h"
#include "sites.h"

/*
 * 40 bytes: a large object has hundreds of thousands of these, and each
 * megabyte of fresh memory costs more than the work done in it.  The
 * instruction is not kept: obj_ref_insn() decodes it again when wanted.
 */
struct obj_ref {
	/* The __SCT__ symbol; a relocation against a section symbol is
	 * resolved to the trampoline it points at, and the addend made
	 * relative to that trampoline, as if the assembler had named it. */
	struct symbol *sym;
	uint64_t off;		/* r_offset */
	int64_t addend;
	unsigned sec;		/* index of the section holding the field */
	unsigned type;		/* R_X86_64_* */
	uint8_t kind;		/* enum sc_ref_kind */
	uint8_t flags;		/* SITE, GOT_CALL: STATIC_CALL_SITE_TAIL */
	bool in_code;		/* SHF_EXECINSTR section */
	bool decoded;		/* an instruction covers off (see insn_back) */
	bool tried;		/* decoding reached off: insn_back is set */
	uint8_t insn_back;	/* off - the covering instruction's address */
	uint8_t site_back;	/* SITE, GOT_CALL: off - the opcode's offset */
};

/* Offset of the instruction covering the field (valid when ->tried). */
static inline uint64_t obj_ref_insn_addr(const struct obj_ref *r)
{
	return r->off - r->insn_back;
}

/* SITE, GOT_CALL: offset of the opcode byte (the site). */
static inline uint64_t obj_ref_site(const struct obj_ref *r)
{
	return r->off - r->site_back;
}

/*
 * The instruction the finder classified R by, decoded again (the decoder
 * is deterministic): all zero when decoding never reached R (not in code,
 * no contents), else what decode_covering() returned for it.
 */
void obj_ref_insn(struct obj *obj, const struct obj_ref *r, struct insn *insn);

/*
 * The symbols a trampoline reference can name: every __SCT__ symbol, and
 * the section symbol of each section defining a local one (assemblers
 * write references to local symbols as section + addend).
 */
struct tramp_set {
	struct symbol **syms;
	size_t count;
};

int tramp_set_build(struct obj *obj, struct tramp_set *t);
void tramp_set_free(struct tramp_set *t);

/*
 * Where the instructions of a code section start, from someone who decoded
 * it already (the padding pass, pad_insn_starts()): one bit per byte, NULL
 * when not known.  The finder then decodes one instruction per reference
 * instead of the function up to it.
 */
struct insn_starts_source {
	const uint64_t *(*starts)(void *ctx, struct section *sec);
	void *ctx;
};

/* Every reference to a trampoline in OBJ, sorted by (sec, off); SRC may
 * be NULL.  Returns 0, or -1 after printing an error. */
int obj_find_refs(struct obj *obj, const struct tramp_set *t,
		  const struct insn_starts_source *src,
		  struct obj_ref **out, size_t *count);

/* Static call name of trampoline symbol SYM (after the prefix). */
const char *tramp_call_name(const struct symbol *sym);

/*
 * Opens PATH with the object model for the site finder and its readers:
 * errors printed as one line; LTO objects (GIMPLE sections, embedded or
 * plain LLVM bitcode) refused with the way to get machine code first;
 * symbol and relocation tables with a wrong sh_entsize refused.
 */
struct obj *open_code_object(const char *path, enum obj_open_mode mode);

/*
 * Decoding cursor over one section: decode_covering() returns the
 * instruction covering OFF, decoding from the start of the containing
 * function (or symbol, or the section start) and reusing earlier work
 * when calls come in increasing offset order.  False when OFF is inside no
 * decodable instruction boundary chain.
 */
struct decode_cursor {
	struct section *sec;
	uint64_t start;		/* where the current chain began */
	uint64_t pos;		/* next undecoded boundary */
	bool valid;
	const uint64_t *starts;	/* of starts_sec, when known: a chain that
				 * begins on one of them goes through the
				 * same boundaries */
	struct section *starts_sec;
	/* The function around [span_lo, span_hi) of span_sec starts at
	 * span_start (obj_find_func_containing_span()). */
	struct section *span_sec;
	uint64_t span_lo, span_hi, span_start;
};

bool decode_covering(struct obj *obj, struct decode_cursor *c,
		     struct section *sec, uint64_t off, struct insn *insn);

#endif
