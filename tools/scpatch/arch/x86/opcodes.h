/* SPDX-License-Identifier: MIT */
/*
 * The vocabulary of the x86-64 opcode tables (opcode_tables.h): flag bits,
 * operand kinds, maps, prefixes, prefix columns.  Private to arch/x86/.
 */
#ifndef SCPATCH_X86_OPCODES_H
#define SCPATCH_X86_OPCODES_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"

#define MAX_INSN_LEN	15

/* Operand bytes after ModRM/SIB/displacement (low 4 bits of the flags). */
enum operand {
	O_NONE,
	O_IB,		/* imm8 */
	O_IW,		/* imm16 */
	O_IZ,		/* imm16 with 66h (and no REX.W), else imm32 */
	O_IV,		/* imm16/32/64 by operand size (mov r, imm) */
	O_ENTER,	/* imm16 + imm8 */
	O_ID,		/* imm32 whatever the prefixes (XOP map 0Ah) */
	O_IBB,		/* imm8 + imm8 (extrq, insertq) */
	O_IQ,		/* imm64 (jmpabs) */
	O_REL8,		/* rel8 branch */
	O_REL32,	/* rel32 branch; 66h ignored (Intel 64-bit semantics) */
	O_RELZ,		/* rel16 with 66h (and no REX.W), else rel32: xbegin */
	O_MOFFS,	/* moffs64, moffs32 with 67h */
};

#define F_OPERAND	0x000f
#define F_MODRM		0x0010
#define F_SPECIAL	0x0020	/* length or kind depends on ModRM or prefixes */
#define F_ESCAPE	0x0040	/* 0F, VEX, EVEX, XOP or REX2 follows */
#define F_RESTRICT	0x0080	/* prefix or mod limits: *restrict* tables */
#define F_KIND_SHIFT	8
#define K(kind)		((kind) << F_KIND_SHIFT)

/* A zero table entry means "not an instruction": every valid one has a kind. */
#define N	K(INSN_OTHER)
#define M	(N | F_MODRM)
#define MB	(M | O_IB)
#define MZ	(M | O_IZ)
#define MS	(M | F_SPECIAL)
#define MR	(M | F_RESTRICT)
#define MBR	(MB | F_RESTRICT)

/* Opcode maps, also the high byte of the key of the special cases. */
enum opcode_map {
	MAP_LEGACY,
	MAP_0F,
	MAP_0F38,
	MAP_0F3A,
	MAP_EVEX4,	/* APX promoted legacy instructions: legacy immediates */
	MAP_OTHER,	/* VEX, EVEX, XOP: no special cases */
};

/* Legacy prefixes and REX. */
#define P_66	0x01
#define P_67	0x02
#define P_F2	0x04
#define P_F3	0x08
#define P_LOCK	0x10
#define P_SEG	0x20
#define P_REX	0x40

/*
 * Mandatory prefixes and ModRM.mod limits of legacy-encoded instructions
 * (SDM vol. 2 appendix A: the prefix columns of the opcode maps).  The
 * column of an instruction is the last of F2/F3 when present, else 66, else
 * none; an opcode allows the columns listed.  Only opcodes whose map entry
 * carries F_RESTRICT are looked up.
 */
#define C_NP	0x01
#define C_66	0x02
#define C_F3	0x04
#define C_F2	0x08
#define C_ALL	0x0f
#define R_REG	0x10	/* register operand only (mod 11) */
#define R_MEM	0x20	/* memory operand only */

/* Whether a restricted opcode allows this prefix column and ModRM.mod. */
static inline bool restriction_allows(unsigned r, unsigned column,
				      unsigned mod)
{
	if (!(r & column))
		return false;
	if ((r & R_REG) && mod != 3)
		return false;
	return !((r & R_MEM) && mod == 3);
}

/* The mandatory-prefix column: F2/F3 (the last one) before 66. */
static inline unsigned prefix_column(unsigned pfx, unsigned last_rep)
{
	if (last_rep)
		return last_rep == P_F2 ? C_F2 : C_F3;
	return pfx & P_66 ? C_66 : C_NP;
}

static inline bool evex_map1_has_imm8(unsigned op)
{
	return (op >= 0x70 && op <= 0x73) || op == 0xc2 ||
	       (op >= 0xc4 && op <= 0xc6);
}

#endif
