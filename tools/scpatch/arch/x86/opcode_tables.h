/* SPDX-License-Identifier: MIT */
/*
 * The x86-64 opcode tables (SDM vol. 2 appendix A, AMD APM vol. 3, the APX
 * specification): one flat 256-entry table of flags per opcode map, the
 * mandatory-prefix and ModRM.mod limits, and the rules of the opcodes whose
 * length or kind depends on ModRM.reg or a prefix.
 *
 * Included once, by decode.c: the tables stay static there, so decode.o is
 * the whole decoder (other parts' test drivers link it alone) and the
 * compiler sees every table it indexes.
 */
#ifndef SCPATCH_X86_OPCODE_TABLES_H
#define SCPATCH_X86_OPCODE_TABLES_H

#include "opcodes.h"

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

static const uint8_t *const restrict_by_map[MAP_OTHER] = {
	[MAP_LEGACY] = restrict_legacy, [MAP_0F] = restrict_0f,
	[MAP_0F38] = restrict_0f38, [MAP_0F3A] = restrict_0f3a,
};

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
static unsigned special_flags(unsigned map, unsigned op, unsigned flags,
			      unsigned modrm, unsigned pfx, unsigned last_rep)
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

#endif
