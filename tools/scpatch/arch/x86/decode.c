// SPDX-License-Identifier: MIT
/*
 * x86-64 (64-bit mode) instruction decoder: length, kind, displacement and
 * immediate fields, targets of relative branches and RIP-relative operands.
 *
 * It decodes only what the passes need, which is everything that decides
 * the length: prefixes, the opcode map (legacy, 0F, 0F38, 0F3A, VEX, EVEX,
 * XOP, REX2), ModRM/SIB/displacement and the immediate.  Each map is a flat
 * 256-entry table of flags, so an instruction costs a few table loads and no
 * calls; only a handful of opcodes whose length or kind depends on ModRM.reg
 * or on a mandatory prefix take the slow "special" path.
 *
 * Every read is bounded by min(size, 15): a truncated instruction and one
 * longer than the architectural 15-byte limit are both invalid.
 * docs/decoder.md lists the kind rules and the coverage.
 */
#include <string.h>

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

static const uint8_t prefix_bits[256] = {
	[0x26] = P_SEG, [0x2e] = P_SEG, [0x36] = P_SEG, [0x3e] = P_SEG,
	[0x40 ... 0x4f] = P_REX,
	[0x64] = P_SEG, [0x65] = P_SEG, [0x66] = P_66, [0x67] = P_67,
	[0xf0] = P_LOCK, [0xf2] = P_F2, [0xf3] = P_F3,
};

/* One-byte map.  Prefix bytes never reach it (0 here). */
static const uint16_t map_legacy[256] = {
	[0x00 ... 0x03] = M, [0x04] = N | O_IB, [0x05] = N | O_IZ,
	[0x08 ... 0x0b] = M, [0x0c] = N | O_IB, [0x0d] = N | O_IZ,
	[0x0f] = F_ESCAPE,
	[0x10 ... 0x13] = M, [0x14] = N | O_IB, [0x15] = N | O_IZ,
	[0x18 ... 0x1b] = M, [0x1c] = N | O_IB, [0x1d] = N | O_IZ,
	[0x20 ... 0x23] = M, [0x24] = N | O_IB, [0x25] = N | O_IZ,
	[0x28 ... 0x2b] = M, [0x2c] = N | O_IB, [0x2d] = N | O_IZ,
	[0x30 ... 0x33] = M, [0x34] = N | O_IB, [0x35] = N | O_IZ,
	[0x38 ... 0x3b] = M, [0x3c] = N | O_IB, [0x3d] = N | O_IZ,
	[0x50 ... 0x5f] = N,
	[0x62] = F_ESCAPE,			/* EVEX (BOUND is gone) */
	[0x63] = M,
	[0x68] = N | O_IZ, [0x69] = MZ, [0x6a] = N | O_IB, [0x6b] = MB,
	[0x6c ... 0x6f] = N,
	[0x70 ... 0x7f] = K(INSN_JCC) | O_REL8,
	[0x80] = MB, [0x81] = MZ, [0x83] = MB,
	[0x84 ... 0x8b] = M, [0x8c] = MS, [0x8d] = MR, [0x8e] = MS,
	[0x8f] = F_ESCAPE,			/* XOP, or POP Ev */
	[0x90] = K(INSN_NOP) | F_SPECIAL,
	[0x91 ... 0x99] = N, [0x9b ... 0x9f] = N,
	[0xa0 ... 0xa3] = N | O_MOFFS,
	[0xa4 ... 0xa7] = N, [0xa8] = N | O_IB, [0xa9] = N | O_IZ,
	[0xaa ... 0xaf] = N,
	[0xb0 ... 0xb7] = N | O_IB, [0xb8 ... 0xbf] = N | O_IV,
	[0xc0] = MB, [0xc1] = MB,
	[0xc2] = K(INSN_RET) | O_IW, [0xc3] = K(INSN_RET),
	[0xc4] = F_ESCAPE, [0xc5] = F_ESCAPE,	/* VEX (LES/LDS are gone) */
	[0xc6] = MS, [0xc7] = MS,
	[0xc8] = N | O_ENTER, [0xc9] = N,
	[0xca] = K(INSN_RET) | O_IW, [0xcb] = K(INSN_RET),
	[0xcc] = K(INSN_TRAP), [0xcd] = N | O_IB, [0xcf] = K(INSN_RET),
	[0xd0 ... 0xd3] = M,
	[0xd5] = F_ESCAPE,			/* APX REX2 */
	[0xd7] = N, [0xd8 ... 0xdf] = MS,		/* x87 */
	[0xe0 ... 0xe3] = K(INSN_JCC) | O_REL8,
	[0xe4 ... 0xe7] = N | O_IB,
	[0xe8] = K(INSN_CALL) | O_REL32, [0xe9] = K(INSN_JMP) | O_REL32,
	[0xeb] = K(INSN_JMP) | O_REL8,
	[0xec ... 0xef] = N,
	[0xf1] = K(INSN_TRAP), [0xf4] = K(INSN_TRAP), [0xf5] = N,
	[0xf6] = MS, [0xf7] = MS,
	[0xf8 ... 0xfd] = N,
	[0xfe] = MS, [0xff] = MS,
};

/* Two-byte map (0F xx). */
static const uint16_t map_0f[256] = {
	[0x00] = MS, [0x01 ... 0x03] = M,
	[0x05 ... 0x09] = N,
	[0x0b] = K(INSN_TRAP),			/* ud2 */
	[0x0d] = M, [0x0e] = N,
	[0x0f] = MB | F_SPECIAL,		/* 3DNow!: suffix opcode as imm8 */
	[0x10 ... 0x12] = M, [0x13 ... 0x17] = MR,
	[0x18 ... 0x1e] = M,
	[0x1f] = K(INSN_NOP) | F_MODRM,
	[0x20 ... 0x23] = MS,			/* mov cr/dr: ModRM.mod ignored */
	[0x28 ... 0x29] = MR, [0x2a] = M, [0x2b] = MR, [0x2c ... 0x2d] = M,
	[0x2e ... 0x2f] = MR,
	[0x30 ... 0x35] = N, [0x37] = N,
	[0x38] = F_ESCAPE, [0x3a] = F_ESCAPE,
	[0x40 ... 0x4f] = M,
	[0x50] = MR, [0x51] = M, [0x52 ... 0x57] = MR, [0x58 ... 0x5a] = M,
	[0x5b] = MR, [0x5c ... 0x5f] = M,
	[0x60 ... 0x6f] = MR,
	[0x70] = MB, [0x71 ... 0x73] = MBR | F_SPECIAL,
	[0x74 ... 0x76] = MR, [0x77] = N | F_RESTRICT,
	[0x78] = MS | F_RESTRICT,		/* vmread, extrq/insertq ib,ib */
	[0x79] = MR,
	[0x7c ... 0x7f] = MR,
	[0x80 ... 0x8f] = K(INSN_JCC) | O_REL32,
	[0x90 ... 0x9f] = M,
	[0xa0 ... 0xa2] = N, [0xa3] = M, [0xa4] = MB, [0xa5] = M,
	[0xa6 ... 0xa7] = MS,			/* VIA PadLock */
	[0xa8 ... 0xaa] = N, [0xab] = M, [0xac] = MB, [0xad ... 0xaf] = M,
	[0xb0 ... 0xb1] = M, [0xb2] = MR, [0xb3] = M, [0xb4 ... 0xb5] = MR,
	[0xb6 ... 0xb7] = M, [0xb8] = MR,
	[0xb9] = K(INSN_TRAP) | F_MODRM,	/* ud1 */
	[0xba] = MB | F_SPECIAL,
	[0xbb ... 0xc1] = M, [0xc2] = MB, [0xc3] = MR,
	[0xc4 ... 0xc6] = MBR, [0xc7] = M,
	[0xc8 ... 0xcf] = N,
	[0xd0 ... 0xfe] = MR,
	[0xff] = K(INSN_TRAP) | F_MODRM,	/* ud0 (Intel: with ModRM) */
};

/* Three-byte maps: all have ModRM; 0F3A all have imm8. */
static const uint16_t map_0f38[256] = {
	[0x00 ... 0x0b] = MR, [0x10] = MR, [0x14 ... 0x15] = MR, [0x17] = MR,
	[0x1c ... 0x1e] = MR, [0x20 ... 0x25] = MR, [0x28 ... 0x2b] = MR,
	[0x30 ... 0x35] = MR, [0x37 ... 0x41] = MR, [0x80 ... 0x82] = MR,
	[0xc8 ... 0xcd] = MR, [0xcf] = MR, [0xd8] = MR, [0xdb ... 0xdf] = MR,
	[0xf0 ... 0xf6] = MR, [0xf8 ... 0xfc] = MR,
};

static const uint16_t map_0f3a[256] = {
	[0x08 ... 0x0f] = MBR, [0x14 ... 0x17] = MBR, [0x20 ... 0x22] = MBR,
	[0x40 ... 0x42] = MBR, [0x44] = MBR, [0x60 ... 0x63] = MBR,
	[0xcc] = MBR, [0xce ... 0xcf] = MBR, [0xdf] = MBR, [0xf0] = MBR,
};

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

static const uint8_t restrict_legacy[256] = {
	[0x8d] = C_ALL | R_MEM,				/* lea */
};

static const uint8_t restrict_0f[256] = {
	[0x13] = C_NP | C_66 | R_MEM, [0x14 ... 0x15] = C_NP | C_66,
	[0x16] = C_NP | C_66 | C_F3, [0x17] = C_NP | C_66 | R_MEM,
	[0x28 ... 0x29] = C_NP | C_66,
	[0x2b] = C_ALL | R_MEM,			/* F2/F3: AMD movntsd/ss */
	[0x2e ... 0x2f] = C_NP | C_66,
	[0x50] = C_NP | C_66 | R_REG,
	[0x52 ... 0x53] = C_NP | C_F3, [0x54 ... 0x57] = C_NP | C_66,
	[0x5b] = C_NP | C_66 | C_F3,
	[0x60 ... 0x6b] = C_NP | C_66, [0x6c ... 0x6d] = C_66,
	[0x6e] = C_NP | C_66, [0x6f] = C_NP | C_66 | C_F3,
	[0x71 ... 0x73] = C_NP | C_66 | R_REG,
	[0x74 ... 0x76] = C_NP | C_66, [0x77] = C_NP,
	[0x78 ... 0x79] = C_NP | C_66 | C_F2,
	[0x7c ... 0x7d] = C_66 | C_F2, [0x7e ... 0x7f] = C_NP | C_66 | C_F3,
	[0xb2] = C_ALL | R_MEM, [0xb4 ... 0xb5] = C_ALL | R_MEM,
	[0xb8] = C_F3,				/* popcnt; no jmpe in 64-bit */
	[0xc3] = C_NP | R_MEM,
	[0xc4] = C_NP | C_66, [0xc5] = C_NP | C_66 | R_REG,
	[0xc6] = C_NP | C_66,
	[0xd0] = C_66 | C_F2, [0xd1 ... 0xd5] = C_NP | C_66,
	[0xd6] = C_66 | C_F3 | C_F2, [0xd7] = C_NP | C_66 | R_REG,
	[0xd8 ... 0xe5] = C_NP | C_66, [0xe6] = C_66 | C_F3 | C_F2,
	[0xe7] = C_NP | C_66 | R_MEM, [0xe8 ... 0xef] = C_NP | C_66,
	[0xf0] = C_F2 | R_MEM, [0xf1 ... 0xf6] = C_NP | C_66,
	[0xf7] = C_NP | C_66 | R_REG, [0xf8 ... 0xfe] = C_NP | C_66,
};

static const uint8_t restrict_0f38[256] = {
	[0x00 ... 0x0b] = C_NP | C_66, [0x10] = C_66, [0x14 ... 0x15] = C_66,
	[0x17] = C_66, [0x1c ... 0x1e] = C_NP | C_66, [0x20 ... 0x25] = C_66,
	[0x28 ... 0x29] = C_66, [0x2a] = C_66 | R_MEM, [0x2b] = C_66,
	[0x30 ... 0x35] = C_66, [0x37 ... 0x41] = C_66,
	[0x80 ... 0x82] = C_66 | R_MEM,		/* invept, invvpid, invpcid */
	[0xc8 ... 0xcd] = C_NP, [0xcf] = C_66,
	[0xd8] = C_F3 | R_MEM,			/* Key Locker, wide */
	[0xdb] = C_66, [0xdc ... 0xdf] = C_66 | C_F3,	/* AES, Key Locker */
	[0xf0 ... 0xf1] = C_ALL,		/* movbe, crc32 */
	[0xf5] = C_66 | R_MEM, [0xf6] = C_NP | C_66 | C_F3,
	[0xf8] = C_66 | C_F3 | C_F2 | R_MEM, [0xf9] = C_NP | R_MEM,
	[0xfa ... 0xfb] = C_F3 | R_REG, [0xfc] = C_ALL | R_MEM,
};

static const uint8_t restrict_0f3a[256] = {
	[0x08 ... 0x0e] = C_66, [0x0f] = C_NP | C_66, [0x14 ... 0x17] = C_66,
	[0x20 ... 0x22] = C_66, [0x40 ... 0x42] = C_66, [0x44] = C_66,
	[0x60 ... 0x63] = C_66, [0xcc] = C_NP, [0xce ... 0xcf] = C_66,
	[0xdf] = C_66, [0xf0] = C_F3 | R_REG,	/* hreset */
};

static const uint8_t *const restrict_by_map[] = {
	[MAP_LEGACY] = restrict_legacy, [MAP_0F] = restrict_0f,
	[MAP_0F38] = restrict_0f38, [MAP_0F3A] = restrict_0f3a,
};

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

/* 3DNow! suffix opcodes (AMD, with the extensions and Geode's two). */
static bool is_3dnow_suffix(unsigned op)
{
	switch (op) {
	case 0x0c: case 0x0d: case 0x1c: case 0x1d: case 0x86: case 0x87:
	case 0x8a: case 0x8e: case 0x90: case 0x94: case 0x96: case 0x97:
	case 0x9a: case 0x9e: case 0xa0: case 0xa4: case 0xa6: case 0xa7:
	case 0xaa: case 0xae: case 0xb0: case 0xb4: case 0xb6: case 0xb7:
	case 0xbb: case 0xbf:
		return true;
	}
	return false;
}

/* VEX map 1 (0F): every instruction has ModRM except vzeroupper/all. */
static const uint16_t map_vex_0f[256] = {
	[0x10 ... 0x17] = M, [0x28 ... 0x2f] = M,
	[0x41 ... 0x42] = M, [0x44 ... 0x47] = M, [0x4a ... 0x4b] = M,
	[0x50 ... 0x6f] = M, [0x70 ... 0x73] = MB, [0x74 ... 0x76] = M,
	[0x77] = N, [0x7c ... 0x7f] = M,
	[0x90 ... 0x93] = M, [0x98 ... 0x99] = M, [0xae] = M,
	[0xc2] = MB, [0xc4 ... 0xc6] = MB, [0xd0 ... 0xfe] = M,
};

/* EVEX map 4 (APX): legacy opcodes promoted; the same immediates. */
static const uint16_t map_evex4[256] = {
	[0x00 ... 0x23] = M, [0x24] = MB, [0x25 ... 0x2b] = M, [0x2c] = MB,
	[0x2d ... 0x68] = M, [0x69] = MZ, [0x6a] = M, [0x6b] = MB,
	[0x6c ... 0x7f] = M, [0x80] = MB, [0x81] = MZ, [0x82] = M, [0x83] = MB,
	[0x84 ... 0xbf] = M, [0xc0 ... 0xc1] = MB, [0xc2 ... 0xf5] = M,
	[0xf6 ... 0xf7] = MS, [0xf8 ... 0xff] = M,
};

static bool evex_map1_has_imm8(unsigned op)
{
	return (op >= 0x70 && op <= 0x73) || op == 0xc2 ||
	       (op >= 0xc4 && op <= 0xc6);
}

/*
 * x87 (D8-DF) register forms that are reserved, as bits of ModRM - C0h, per
 * escape byte (SDM vol. 2 A.4).  Kept: the aliases that processors execute
 * (fstp1 D9 D8-DF, fxch4 DD C8-CF, fcomp5 DE D0-D7, ffreep DF C0-C7, fxch7
 * DF C8-CF, fstp8/9 DF D0-DF) and DB E0/E1/E4, the 8087/287 feni, fdisi and
 * fsetpm that later FPUs ignore.  Reserved memory forms: D9 /1, DB /4,
 * DB /6, DD /5.
 */
#define BITS(lo, hi)	((~0ULL >> (63 - (hi))) & (~0ULL << (lo)))
static const uint64_t x87_reserved_reg[8] = {
	[1] = BITS(0x11, 0x17) | BITS(0x22, 0x23) | BITS(0x26, 0x27) |
	      BITS(0x2f, 0x2f),
	[2] = BITS(0x20, 0x28) | BITS(0x2a, 0x3f),
	[3] = BITS(0x25, 0x27) | BITS(0x38, 0x3f),
	[5] = BITS(0x30, 0x3f),
	[6] = BITS(0x18, 0x18) | BITS(0x1a, 0x1f),
	[7] = BITS(0x21, 0x27) | BITS(0x38, 0x3f),
};
static const uint8_t x87_reserved_mem[8] = {
	[1] = 1 << 1, [3] = 1 << 4 | 1 << 6, [5] = 1 << 5,
};

/*
 * Opcodes whose length or kind depends on ModRM or a mandatory prefix.
 * Returns the refined flags, 0 when the encoding is not an instruction.
 */
static inline unsigned special_flags(unsigned map, unsigned op,
				     unsigned flags, unsigned modrm,
				     unsigned pfx, unsigned last_rep)
{
	unsigned reg = (modrm >> 3) & 7, mod = modrm >> 6;

	if (map == MAP_LEGACY && op >= 0xd8 && op <= 0xdf) {
		if (mod == 3)
			return x87_reserved_reg[op & 7] >> (modrm - 0xc0) & 1 ?
			       0 : flags;
		return x87_reserved_mem[op & 7] >> reg & 1 ? 0 : flags;
	}
	switch (map << 8 | op) {
	case MAP_0F << 8 | 0x00:			/* sldt ... verw */
		return reg < 6 ? flags : 0;
	case MAP_LEGACY << 8 | 0xf6:
	case MAP_EVEX4 << 8 | 0xf6:
		return reg < 2 ? flags | O_IB : flags;	/* test Eb, ib */
	case MAP_LEGACY << 8 | 0xf7:
	case MAP_EVEX4 << 8 | 0xf7:
		return reg < 2 ? flags | O_IZ : flags;	/* test Ev, iz */
	case MAP_LEGACY << 8 | 0xfe:
		return reg < 2 ? flags : 0;
	case MAP_LEGACY << 8 | 0xff:
		switch (reg) {
		case 2:
			return K(INSN_CALL_INDIRECT) | F_MODRM;
		case 3:		/* far call m16:64: memory only */
			return mod == 3 ? 0 : K(INSN_CALL_INDIRECT) | F_MODRM;
		case 4:
			return K(INSN_JMP_INDIRECT) | F_MODRM;
		case 5:		/* far jmp m16:64: memory only */
			return mod == 3 ? 0 : K(INSN_JMP_INDIRECT) | F_MODRM;
		case 7:
			return 0;
		}
		return flags;
	case MAP_LEGACY << 8 | 0xc6:
		if (reg == 0 || modrm == 0xf8)		/* mov Eb, ib; xabort */
			return flags | O_IB;
		return 0;
	case MAP_LEGACY << 8 | 0xc7:
		if (reg == 0)				/* mov Ev, iz */
			return flags | O_IZ;
		if (modrm == 0xf8)			/* xbegin */
			return K(INSN_JCC) | F_MODRM | O_RELZ;
		return 0;
	case MAP_LEGACY << 8 | 0x8f:
		return reg == 0 ? flags : 0;		/* pop Ev */
	case MAP_LEGACY << 8 | 0x8c:			/* mov Ev, Sreg */
		return reg <= 5 ? flags : 0;
	case MAP_LEGACY << 8 | 0x8e:			/* mov Sreg, Ew: not cs */
		return reg <= 5 && reg != 1 ? flags : 0;
	case MAP_0F << 8 | 0x71:			/* psrlw, psraw, psllw */
	case MAP_0F << 8 | 0x72:			/* psrld, psrad, pslld */
		return reg == 2 || reg == 4 || reg == 6 ? flags : 0;
	case MAP_0F << 8 | 0x73:	/* psrlq, psllq; psrldq, pslldq (66) */
		if (reg == 2 || reg == 6)
			return flags;
		return (reg == 3 || reg == 7) && (pfx & P_66) &&
		       !last_rep ? flags : 0;
	case MAP_0F << 8 | 0x78:
		if (last_rep == P_F2)			/* insertq x, x, ib, ib */
			return mod == 3 ? flags | O_IBB : 0;
		if (pfx & P_66)				/* extrq x, ib, ib */
			return mod == 3 && reg == 0 ? flags | O_IBB : 0;
		return flags;				/* vmread */
	case MAP_0F << 8 | 0xa6:	/* montmul, xsha1, xsha256 */
		return modrm == 0xc0 || modrm == 0xc8 || modrm == 0xd0 ? flags : 0;
	case MAP_0F << 8 | 0xa7:	/* xstore, xcrypt{ecb,cbc,ctr,cfb,ofb} */
		return modrm >= 0xc0 && modrm <= 0xe8 && !(modrm & 7) ? flags : 0;
	case MAP_0F << 8 | 0xba:
		return reg >= 4 ? flags : 0;		/* bt/bts/btr/btc Ev, ib */
	}
	return flags;
}

/* The mandatory-prefix column: F2/F3 (the last one) before 66. */
static inline unsigned prefix_column(unsigned pfx, unsigned last_rep)
{
	if (last_rep)
		return last_rep == P_F2 ? C_F2 : C_F3;
	return pfx & P_66 ? C_66 : C_NP;
}

static inline int64_t read_signed(const uint8_t *p, unsigned size)
{
	int32_t d32;
	int16_t d16;

	switch (size) {
	case 1:
		return (int8_t)p[0];
	case 2:
		memcpy(&d16, p, 2);
		return d16;
	default:
		memcpy(&d32, p, 4);
		return d32;
	}
}

static bool decode_invalid(uint64_t addr, struct insn *insn)
{
	insn->addr = addr;
	insn->target = 0;
	insn->len = 1;
	insn->kind = INSN_INVALID;
	insn->opcode_off = 0;
	insn->disp_off = 0;
	insn->disp_size = 0;
	insn->imm_off = 0;
	insn->imm_size = 0;
	insn->pc_relative = false;
	insn->has_target = false;
	return false;
}

/* The general decoder: any prefixes, maps and buffer end. */
static __attribute__((noinline)) bool decode_any(const uint8_t *buf,
		size_t size, uint64_t addr, struct insn *insn)
{
	const unsigned max = size < MAX_INSN_LEN ? (unsigned)size : MAX_INSN_LEN;
	unsigned i = 0, pfx = 0, last_rep = 0, rex = 0, map = MAP_LEGACY;
	unsigned op, flags, opcode_off, kind;
	unsigned disp_off = 0, disp_size = 0, imm_size = 0, len;
	bool rex_w, rex_b, opsize16, rip_relative = false, branch = false;

	if (!max)
		return decode_invalid(addr, insn);
	for (;;) {
		unsigned p = prefix_bits[buf[i]];

		if (!p)
			break;
		if (p == P_REX) {
			rex = buf[i];
		} else {
			rex = 0;	/* a REX not last before the opcode is ignored */
			pfx |= p;
			if (p & (P_F2 | P_F3))
				last_rep = p;
		}
		if (++i >= max)
			return decode_invalid(addr, insn);
	}
	op = buf[i];
	opcode_off = i++;
	flags = map_legacy[op];
	rex_w = rex & 8;
	rex_b = rex & 1;
	opsize16 = pfx & P_66;

	if (__builtin_expect(flags & F_ESCAPE, 0)) {
		const unsigned vex_bad = P_66 | P_F2 | P_F3 | P_LOCK;
		unsigned b1, b2, sel;

		switch (op) {
		case 0x0f:
			if (i >= max)
				return decode_invalid(addr, insn);
			op = buf[i];
			opcode_off = i++;
			if (op != 0x38 && op != 0x3a) {
				map = MAP_0F;
				flags = map_0f[op];
				break;
			}
			if (i >= max)
				return decode_invalid(addr, insn);
			map = op == 0x38 ? MAP_0F38 : MAP_0F3A;
			op = buf[i];
			opcode_off = i++;
			flags = (map == MAP_0F38 ? map_0f38 : map_0f3a)[op];
			break;
		case 0xc5:		/* VEX2: R vvvv L pp, map 0F */
			if ((pfx & vex_bad) || rex || i + 1 >= max)
				return decode_invalid(addr, insn);
			map = MAP_OTHER;
			op = buf[i + 1];
			opcode_off = i + 1;
			i += 2;
			flags = map_vex_0f[op];
			break;
		case 0xc4:		/* VEX3: RXB mmmmm, W vvvv L pp */
			if ((pfx & vex_bad) || rex || i + 2 >= max)
				return decode_invalid(addr, insn);
			map = MAP_OTHER;
			sel = buf[i] & 0x1f;
			op = buf[i + 2];
			opcode_off = i + 2;
			i += 3;
			if (sel == 1)
				flags = map_vex_0f[op];
			else if (sel == 2)
				flags = M;
			else if (sel == 3)
				flags = MB;
			else
				flags = 0;
			break;
		case 0x62:		/* EVEX: P0 P1 P2 opcode */
			if ((pfx & vex_bad) || rex || i + 3 >= max)
				return decode_invalid(addr, insn);
			map = MAP_OTHER;
			sel = buf[i] & 7;
			b1 = buf[i + 1];
			op = buf[i + 3];
			opcode_off = i + 3;
			i += 4;
			switch (sel) {
			case 1:
				flags = evex_map1_has_imm8(op) ? MB : M;
				break;
			case 3:
				flags = MB;
				break;
			case 4:
				map = MAP_EVEX4;
				flags = map_evex4[op];
				rex_w = b1 & 0x80;
				opsize16 = (b1 & 3) == 1;
				break;
			case 2: case 5: case 6:
				flags = M;
				break;
			default:
				flags = 0;
			}
			break;
		case 0x8f:		/* XOP when mmmmm >= 8, else pop Ev */
			if (i >= max)
				return decode_invalid(addr, insn);
			sel = buf[i] & 0x1f;
			if (sel < 8) {
				flags = MS;
				break;
			}
			if ((pfx & vex_bad) || rex || i + 2 >= max)
				return decode_invalid(addr, insn);
			map = MAP_OTHER;
			op = buf[i + 2];
			opcode_off = i + 2;
			i += 3;
			if (sel == 8)
				flags = MB;
			else if (sel == 9)
				flags = M;
			else if (sel == 10)
				flags = M | O_ID;
			else
				flags = 0;
			break;
		case 0xd5:		/* REX2: M0 R4 X4 B4 W R3 X3 B3 */
			if (rex || i + 1 >= max)
				return decode_invalid(addr, insn);
			b1 = buf[i];
			op = buf[i + 1];
			opcode_off = i + 1;
			i += 2;
			rex_w = b1 & 0x08;
			rex_b = b1 & 0x11;
			b2 = op >> 4;
			if (b1 & 0x80) {
				map = MAP_0F;
				flags = (b2 == 3 || b2 == 8) ? 0 : map_0f[op];
			} else if (op == 0xa1 && !rex_w) {
				flags = K(INSN_JMP) | O_IQ;	/* jmpabs */
			} else if (b2 == 4 || b2 == 7 || b2 == 0xa ||
				   b2 == 0xe) {
				flags = 0;
			} else {
				flags = map_legacy[op];
				if (op == 0x8f)
					flags = MS;
				else if (flags & F_ESCAPE)
					flags = 0;
			}
			break;
		}
	}
	if (!flags)
		return decode_invalid(addr, insn);

	if (flags & F_MODRM) {
		unsigned modrm, mod, rm;

		if (i >= max)
			return decode_invalid(addr, insn);
		modrm = buf[i++];
		mod = modrm >> 6;
		if (flags & F_SPECIAL) {
			flags = special_flags(map, op, flags, modrm, pfx,
					      last_rep);
			if (!flags)
				return decode_invalid(addr, insn);
			if (map == MAP_0F && op >= 0x20 && op <= 0x23)
				mod = 3;	/* mov cr/dr: always registers */
		}
		if ((flags & F_RESTRICT) &&
		    !restriction_allows(restrict_by_map[map][op],
					prefix_column(pfx, last_rep), mod))
			return decode_invalid(addr, insn);
		if (mod != 3) {
			rm = modrm & 7;
			if (rm == 4) {
				if (i >= max)
					return decode_invalid(addr, insn);
				if (mod == 0 && (buf[i] & 7) == 5)
					disp_size = 4;
				i++;
			} else if (mod == 0 && rm == 5) {
				disp_size = 4;
				rip_relative = true;
			}
			if (mod == 1)
				disp_size = 1;
			else if (mod == 2)
				disp_size = 4;
			disp_off = i;
			i += disp_size;
		}
	}
	if ((flags & (F_RESTRICT | F_MODRM)) == F_RESTRICT &&
	    !restriction_allows(restrict_by_map[map][op],
				prefix_column(pfx, last_rep), 3))
		return decode_invalid(addr, insn);
	kind = flags >> F_KIND_SHIFT;
	if (__builtin_expect(op == 0x90 && map == MAP_LEGACY, 0) &&
	    (rex_b || last_rep == P_F3))
		kind = INSN_OTHER;		/* xchg r8, rax; pause */

	switch (flags & F_OPERAND) {
	case O_NONE:
		break;
	case O_IB:
		imm_size = 1;
		break;
	case O_IW:
		imm_size = 2;
		break;
	case O_IZ:
		imm_size = opsize16 && !rex_w ? 2 : 4;
		break;
	case O_IV:
		imm_size = rex_w ? 8 : opsize16 ? 2 : 4;
		break;
	case O_ENTER:
		imm_size = 3;
		break;
	case O_ID:
		imm_size = 4;
		break;
	case O_IBB:
		imm_size = 2;
		break;
	case O_IQ:
		imm_size = 8;
		break;
	case O_REL8:
		disp_size = 1;
		branch = true;
		break;
	case O_REL32:
		disp_size = 4;
		branch = true;
		break;
	case O_RELZ:
		disp_size = opsize16 && !rex_w ? 2 : 4;
		branch = true;
		break;
	case O_MOFFS:
		disp_size = pfx & P_67 ? 4 : 8;
		break;
	}
	if (branch || (flags & F_OPERAND) == O_MOFFS) {
		disp_off = i;		/* xbegin has its ModRM before the rel */
		i += disp_size;
	}
	len = i + imm_size;
	if (len > max)
		return decode_invalid(addr, insn);
	if (map == MAP_0F && op == 0x0f && !is_3dnow_suffix(buf[len - 1]))
		return decode_invalid(addr, insn);

	insn->addr = addr;
	insn->len = len;
	insn->kind = kind;
	insn->opcode_off = opcode_off;
	insn->disp_off = disp_off;
	insn->disp_size = disp_size;
	insn->imm_off = imm_size ? i : 0;
	insn->imm_size = imm_size;
	insn->pc_relative = branch || rip_relative;
	insn->has_target = insn->pc_relative;
	insn->target = 0;
	if (insn->has_target) {
		uint64_t target = addr + len +
				  read_signed(buf + disp_off, disp_size);

		if (rip_relative && (pfx & P_67))
			target = (uint32_t)target;	/* EIP-relative */
		insn->target = target;
	} else if (imm_size == 8 && kind == INSN_JMP) {
		uint64_t target;

		memcpy(&target, buf + i, 8);	/* jmpabs */
		insn->target = target;
		insn->has_target = true;
	}
	return true;
}

/* Operand bytes without 66h/67h prefixes: imm sizes, then branch rels. */
static const uint8_t plain_imm_size[16] = {
	[O_IB] = 1, [O_IW] = 2, [O_IZ] = 4, [O_IV] = 4, [O_ENTER] = 3,
	[O_ID] = 4, [O_IBB] = 2, [O_IQ] = 8,
};
static const uint8_t plain_rel_size[16] = {
	[O_REL8] = 1, [O_REL32] = 4, [O_RELZ] = 4, [O_MOFFS] = 8,
};

/* What follows a ModRM byte in 64-bit addressing, by ModRM value. */
#define MI_DISP_SIZE	0x07	/* 0, 1 or 4 */
#define MI_SIB		0x08
#define MI_SIB_MOD0	0x10	/* SIB with mod 00: base 101 means disp32 */
#define MI_RIP		0x20	/* mod 00 rm 101: RIP-relative disp32 */
#define MI_MOD0		0, 0, 0, 0, MI_SIB | MI_SIB_MOD0, 4 | MI_RIP, 0, 0
#define MI_MOD1		1, 1, 1, 1, 1 | MI_SIB, 1, 1, 1
#define MI_MOD2		4, 4, 4, 4, 4 | MI_SIB, 4, 4, 4
#define MI_MOD3		0, 0, 0, 0, 0, 0, 0, 0
#define MI_8(row)	row, row, row, row, row, row, row, row
static const uint8_t modrm_info[256] = {
	MI_8(MI_MOD0), MI_8(MI_MOD1), MI_8(MI_MOD2), MI_8(MI_MOD3),
};

/*
 * Most instructions in compiled code are an optional REX, a legacy or 0F
 * opcode, ModRM/SIB/displacement and an immediate, at least 15 bytes from
 * the end of the buffer.  This path decodes exactly those without bounds
 * checks (the longest such form is 13 bytes) and hands the rest to
 * decode_any(), which gives the same answer for these too.
 */
bool arch_decode(const uint8_t *buf, size_t size, uint64_t addr,
		 struct insn *insn)
{
	unsigned i = 0, rex = 0, op, flags, operand;
	unsigned disp_off = 0, disp_size = 0, imm_size, rel_size, len;
	const uint8_t *restrictions = restrict_legacy;
	bool rip_relative = false;

	if (__builtin_expect(size < MAX_INSN_LEN, 0))
		return decode_any(buf, size, addr, insn);
	op = buf[0];
	if ((op & 0xf0) == 0x40) {
		rex = op;
		op = buf[++i];
	}
	flags = map_legacy[op];
	if (op == 0x0f) {
		op = buf[++i];
		flags = map_0f[op];
		restrictions = restrict_0f;
	}
	if (__builtin_expect(!flags || (flags & (F_ESCAPE | F_SPECIAL)), 0))
		return decode_any(buf, size, addr, insn);
	insn->opcode_off = i++;
	if (__builtin_expect(flags & F_RESTRICT, 0) &&
	    !restriction_allows(restrictions[op], C_NP, buf[i] >> 6))
		return decode_any(buf, size, addr, insn);
	if (flags & F_MODRM) {
		unsigned info = modrm_info[buf[i++]];

		disp_size = info & MI_DISP_SIZE;
		if (info & MI_SIB) {
			if ((info & MI_SIB_MOD0) && (buf[i] & 7) == 5)
				disp_size = 4;
			i++;
		}
		rip_relative = info & MI_RIP;
		disp_off = disp_size ? i : 0;
		i += disp_size;
	}
	operand = flags & F_OPERAND;
	imm_size = plain_imm_size[operand];
	if (operand == O_IV && (rex & 8))
		imm_size = 8;
	rel_size = plain_rel_size[operand];
	if (rel_size) {		/* no ModRM here: rel or moffs */
		disp_off = i;
		disp_size = rel_size;
		i += rel_size;
	}
	len = i + imm_size;
	insn->addr = addr;
	insn->len = len;
	insn->kind = flags >> F_KIND_SHIFT;
	insn->disp_off = disp_off;
	insn->disp_size = disp_size;
	insn->imm_off = imm_size ? i : 0;
	insn->imm_size = imm_size;
	insn->pc_relative = rip_relative || (rel_size && operand != O_MOFFS);
	insn->has_target = insn->pc_relative;
	insn->target = insn->pc_relative ?
		addr + len + read_signed(buf + disp_off, disp_size) : 0;
	return true;
}

const char *insn_kind_name(enum insn_kind kind)
{
	static const char *const names[] = {
		[INSN_INVALID] = "invalid",
		[INSN_OTHER] = "other",
		[INSN_CALL] = "call",
		[INSN_JMP] = "jmp",
		[INSN_JCC] = "jcc",
		[INSN_RET] = "ret",
		[INSN_CALL_INDIRECT] = "call-indirect",
		[INSN_JMP_INDIRECT] = "jmp-indirect",
		[INSN_NOP] = "nop",
		[INSN_TRAP] = "trap",
	};

	if ((unsigned)kind >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[kind];
}
