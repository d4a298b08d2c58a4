/* SPDX-License-Identifier: MIT */
/*
 * The site finder for relocatable objects: every relocation against a
 * __SCT__ trampoline symbol, classified by the instruction it sits in.
 * Only sections that hold such relocations are decoded, and only the
 * functions around them, from their first byte, so that each site is
 * proven to be at an instruction boundary.
 */
#ifndef SCPATCH_REFS_H
#define SCPATCH_REFS_H

#include "decode.h"
#include "sites.h"
#include "view.h"

struct obj_ref {
	unsigned sec;		/* section holding the relocated field */
	uint64_t off;		/* r_offset */
	unsigned rela_sec;	/* the relocation: its section and index */
	size_t rela_i;
	unsigned type;		/* R_X86_64_* */
	unsigned sym;		/* the __SCT__ symbol */
	int64_t addend;
	enum sc_ref_kind kind;
	bool in_code;		/* SHF_EXECINSTR section */
	bool decoded;		/* insn holds the instruction covering off */
	struct insn insn;	/* insn.addr is the section offset */
	uint64_t site;		/* SITE, GOT_CALL: offset of the opcode byte */
	unsigned flags;		/* SITE, GOT_CALL: STATIC_CALL_SITE_TAIL */
};

/* Symbol indices of the trampolines (__SCT__*) of V, sorted. */
struct tramp_set {
	unsigned *syms;
	size_t count;
	uint8_t *is_tramp;	/* indexed by symbol index */
};

int tramp_set_build(struct view *v, struct tramp_set *t);
void tramp_set_free(struct tramp_set *t);

/* Every reference to a trampoline in V, sorted by (sec, off).  Returns 0,
 * or -1 after printing an error. */
int obj_find_refs(struct view *v, const struct tramp_set *t,
		  struct obj_ref **out, size_t *count);

/* Static call name of trampoline symbol SYM (after the prefix). */
const char *tramp_call_name(const struct view *v, unsigned sym);

/*
 * Decoding cursor over one section: decode_covering() returns the
 * instruction covering OFF, decoding from the start of the containing
 * function (or closest symbol, or section start) and reusing earlier work
 * when calls come in increasing offset order.  False when OFF is inside no
 * decodable instruction boundary chain.
 */
struct decode_cursor {
	unsigned sec;
	uint64_t start;		/* where the current chain began */
	uint64_t pos;		/* next undecoded boundary */
	bool valid;
};

bool decode_covering(struct view *v, struct decode_cursor *c, unsigned sec,
		     uint64_t off, struct insn *insn);

#endif
