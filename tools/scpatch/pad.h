/* SPDX-License-Identifier: MIT */
/*
 * The padding pass: moves code inside the text sections of a relocatable
 * object so that the rel32 field of every static call site lands on a
 * multiple of 4.  It runs between "find sites" and "emit table" and works
 * on the object model only.  See docs/padding.md.
 *
 * Before each unaligned site it inserts one NOP of 1 to 3 bytes; the shift
 * is absorbed by the next NOP (or inter-function int3) run that pads to an
 * alignment boundary, or, when there is none, by the end of the section.
 * Everything that depends on the moved bytes follows: branches resolved by
 * the assembler (rel8 ones relaxed to rel32 when they go out of range),
 * RIP-relative operands into the same section, relocation offsets and
 * addends anywhere (jump tables included), symbols, .eh_frame FDEs and
 * their CFA advances.  A section is padded only when the rewritten code
 * was checked against the original instruction by instruction
 * (pad_validate.c); otherwise its sites keep their place with a reason.
 */
#ifndef SCPATCH_PAD_H
#define SCPATCH_PAD_H

#include <stddef.h>
#include <stdint.h>

#include "elf.h"

struct pad_site {
	unsigned sec;		/* in: section index of the code */
	uint64_t site;		/* in: offset of the opcode byte (E8, E9, 0F)
				 * as the table records it; out: its new offset */
	const char *why;	/* out: NULL when the rel32 field is aligned
				 * now; else why it stays unaligned (a static
				 * string) */
};

/*
 * Pads OBJ (opened OBJ_MODIFY) so that every site of SITES is aligned, or
 * says why not.  SITES must be sorted by (sec, site) without duplicates;
 * they stay sorted.  Details of refusals are printed with -v (note_at).
 * Returns 0 (the object may be written), or -1 after printing an error
 * (out of memory, unreadable section): then the object must not be written.
 * The same as pad_begin(), pad_run() and pad_end().
 */
int pad_sites(struct obj *obj, struct pad_site *sites, size_t n);

/*
 * The pass in steps, so that the site finder uses the pass's decode of a
 * section instead of decoding it again: pad_begin() (NULL when out of
 * memory), pad_insn_starts() while sites are found, pad_run() once, then
 * pad_end().
 */
struct pad_pass *pad_begin(struct obj *obj);

/*
 * Where the instructions of code section SEC start, one bit per byte (bit
 * OFF % 64 of word OFF / 64), decoded as the pass decodes it; NULL when the
 * pass would not decode it (not code, too large, does not decode, out of
 * memory).  Valid until pad_forget(SEC) or pad_end(); the caller must call
 * pad_forget() before it changes bytes of SEC.
 */
const uint64_t *pad_insn_starts(struct pad_pass *pp, struct section *sec);
void pad_forget(struct pad_pass *pp, struct section *sec);

/* pad_sites() on the pass PP; once per pass, and no section may be added
 * to the object between pad_begin() and pad_run(). */
int pad_run(struct pad_pass *pp, struct pad_site *sites, size_t n);
void pad_end(struct pad_pass *pp);

#endif
