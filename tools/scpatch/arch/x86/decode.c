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
#define F_KIND_SHIFT	8
#define K(kind)		((kind) << F_KIND_SHIFT)

/* A zero table entry means "not an instruction": every valid one has a kind. */
#define N	K(INSN_OTHER)
#define M	(N | F_MODRM)
#define MB	(M | O_IB)
#define MZ	(M | O_IZ)
#define MS	(M | F_SPECIAL)

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
	[0x84 ... 0x8e] = M,
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
	[0xd7] = N, [0xd8 ... 0xdf] = M,
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
	[0x00 ... 0x03] = M,
	[0x05 ... 0x09] = N,
	[0x0b] = K(INSN_TRAP),			/* ud2 */
	[0x0d] = M, [0x0e] = N,
	[0x0f] = MB,				/* 3DNow!: suffix opcode as imm8 */
	[0x10 ... 0x1e] = M,
	[0x1f] = K(INSN_NOP) | F_MODRM,
	[0x20 ... 0x23] = MS,			/* mov cr/dr: ModRM.mod ignored */
	[0x28 ... 0x2f] = M,
	[0x30 ... 0x35] = N, [0x37] = N,
	[0x38] = F_ESCAPE, [0x3a] = F_ESCAPE,
	[0x40 ... 0x6f] = M,
	[0x70 ... 0x73] = MB,
	[0x74 ... 0x76] = M, [0x77] = N,
	[0x78] = MS,				/* vmread, extrq/insertq ib,ib */
	[0x79] = M,
	[0x7c ... 0x7f] = M,
	[0x80 ... 0x8f] = K(INSN_JCC) | O_REL32,
	[0x90 ... 0x9f] = M,
	[0xa0 ... 0xa2] = N, [0xa3] = M, [0xa4] = MB, [0xa5] = M,
	[0xa6 ... 0xa7] = MS,			/* VIA PadLock */
	[0xa8 ... 0xaa] = N, [0xab] = M, [0xac] = MB, [0xad ... 0xaf] = M,
	[0xb0 ... 0xb8] = M,
	[0xb9] = K(INSN_TRAP) | F_MODRM,	/* ud1 */
	[0xba] = MB | F_SPECIAL,
	[0xbb ... 0xc1] = M, [0xc2] = MB, [0xc3] = M,
	[0xc4 ... 0xc6] = MB, [0xc7] = M,
	[0xc8 ... 0xcf] = N,
	[0xd0 ... 0xfe] = M,
	[0xff] = K(INSN_TRAP) | F_MODRM,	/* ud0 (Intel: with ModRM) */
};

/* Three-byte maps: all have ModRM; 0F3A all have imm8. */
static const uint16_t map_0f38[256] = {
	[0x00 ... 0x0b] = M, [0x10] = M, [0x14 ... 0x15] = M, [0x17] = M,
	[0x1c ... 0x1e] = M, [0x20 ... 0x25] = M, [0x28 ... 0x2b] = M,
	[0x30 ... 0x35] = M, [0x37 ... 0x41] = M, [0x80 ... 0x82] = M,
	[0xc8 ... 0xcd] = M, [0xcf] = M, [0xdb ... 0xdf] = M,
	[0xf0 ... 0xf6] = M, [0xf8 ... 0xfc] = M,
};

static const uint16_t map_0f3a[256] = {
	[0x08 ... 0x0f] = MB, [0x14 ... 0x17] = MB, [0x20 ... 0x22] = MB,
	[0x40 ... 0x42] = MB, [0x44] = MB, [0x60 ... 0x63] = MB,
	[0xcc] = MB, [0xce ... 0xcf] = MB, [0xdf] = MB, [0xf0] = MB,
};

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
 * Opcodes whose length or kind depends on ModRM or a mandatory prefix.
 * Returns the refined flags, 0 when the encoding is not an instruction.
 */
static inline unsigned special_flags(unsigned map, unsigned op,
				     unsigned flags, unsigned modrm,
				     unsigned pfx, unsigned last_rep)
{
	unsigned reg = (modrm >> 3) & 7, mod = modrm >> 6;

	switch (map << 8 | op) {
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
	}
	if (__builtin_expect(!flags || (flags & (F_ESCAPE | F_SPECIAL)), 0))
		return decode_any(buf, size, addr, insn);
	insn->opcode_off = i++;
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
