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
 */
int pad_sites(struct obj *obj, struct pad_site *sites, size_t n);

#endif
