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

struct obj_ref {
	unsigned sec;		/* index of the section holding the field */
	uint64_t off;		/* r_offset */
	unsigned type;		/* R_X86_64_* */
	/* The __SCT__ symbol; a relocation against a section symbol is
	 * resolved to the trampoline it points at, and the addend made
	 * relative to that trampoline, as if the assembler had named it. */
	struct symbol *sym;
	int64_t addend;
	enum sc_ref_kind kind;
	bool in_code;		/* SHF_EXECINSTR section */
	bool decoded;		/* insn holds the instruction covering off */
	struct insn insn;	/* insn.addr is the section offset */
	uint64_t site;		/* SITE, GOT_CALL: offset of the opcode byte */
	unsigned flags;		/* SITE, GOT_CALL: STATIC_CALL_SITE_TAIL */
};

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

/* Every reference to a trampoline in OBJ, sorted by (sec, off).  Returns
 * 0, or -1 after printing an error. */
int obj_find_refs(struct obj *obj, const struct tramp_set *t,
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
};

bool decode_covering(struct obj *obj, struct decode_cursor *c,
		     struct section *sec, uint64_t off, struct insn *insn);

#endif
