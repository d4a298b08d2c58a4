// SPDX-License-Identifier: MIT
/*
 * x86-64 (64-bit mode) instruction decoder: length, kind, displacement and
 * immediate fields, targets of relative branches and RIP-relative operands.
 *
 * It decodes what decides the length and nothing more: prefixes, the opcode
 * map (legacy, 0F, 0F38, 0F3A, VEX, EVEX, XOP, REX2), ModRM/SIB/displacement
 * and the immediate.  The opcode knowledge is in opcode_tables.h, one flat
 * table of flags per map.  arch_decode() takes the common shapes of compiled
 * code on a fast path without bounds checks, decode_fast() most of the
 * others; decode_any() takes everything.
 *
 * Every read is bounded by min(size, 15): a truncated instruction and one
 * longer than the architectural 15-byte limit are both invalid.
 * docs/decoder.md lists the kind rules and the coverage.
 */
#include <string.h>

#include "opcode_tables.h"

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
 * The fast paths' ModRM byte at BUF[*I] and its SIB and displacement: the
 * displacement's offset and size, and whether it is RIP-relative.  *I
 * moves past them.  Inlined into both paths: their locals stay in
 * registers.
 */
static inline __attribute__((always_inline)) void
fast_modrm(const uint8_t *buf, unsigned *i, unsigned *disp_off,
	   unsigned *disp_size, bool *rip_relative)
{
	unsigned info = modrm_info[buf[(*i)++]];

	*disp_size = info & MI_DISP_SIZE;
	if (info & MI_SIB) {
		if ((info & MI_SIB_MOD0) && (buf[*i] & 7) == 5)
			*disp_size = 4;
		(*i)++;
	}
	*rip_relative = info & MI_RIP;
	*disp_off = *disp_size ? *i : 0;
	*i += *disp_size;
}

/* What the general decoder has read so far of the instruction at buf. */
struct decoder {
	const uint8_t *buf;
	unsigned max;		/* bytes it may read: min(size, 15) */
	unsigned i;		/* next byte */
	unsigned pfx;		/* P_* legacy prefixes seen */
	unsigned last_rep;	/* P_F2 or P_F3, whichever came last */
	unsigned rex;		/* REX byte right before the opcode, or 0 */
	unsigned map, op, flags, opcode_off;
	bool rex_w, rex_b, opsize16;
};

/* Legacy prefixes and REX; false when they run to the end. */
static bool read_prefixes(struct decoder *d)
{
	for (;;) {
		unsigned p = prefix_bits[d->buf[d->i]];

		if (!p)
			return true;
		if (p == P_REX) {
			d->rex = d->buf[d->i];
		} else {
			d->rex = 0;	/* a REX not last before the opcode is ignored */
			d->pfx |= p;
			if (p & (P_F2 | P_F3))
				d->last_rep = p;
		}
		if (++d->i >= d->max)
			return false;
	}
}

/* The opcode byte at d->i, n bytes into the escape; false when cut off. */
static bool take_opcode(struct decoder *d, unsigned n)
{
	if (d->i + n >= d->max)
		return false;
	d->opcode_off = d->i + n;
	d->op = d->buf[d->opcode_off];
	d->i += n + 1;
	return true;
}

/* 0F xx, 0F 38 xx, 0F 3A xx */
static bool read_0f(struct decoder *d)
{
	if (!take_opcode(d, 0))
		return false;
	if (d->op != 0x38 && d->op != 0x3a) {
		d->map = MAP_0F;
		d->flags = map_0f[d->op];
		return true;
	}
	d->map = d->op == 0x38 ? MAP_0F38 : MAP_0F3A;
	if (!take_opcode(d, 0))
		return false;
	d->flags = (d->map == MAP_0F38 ? map_0f38 : map_0f3a)[d->op];
	return true;
}

/* VEX, EVEX and XOP #UD after 66, F2, F3, LOCK or REX. */
static bool vex_allowed(const struct decoder *d)
{
	return !(d->pfx & (P_66 | P_F2 | P_F3 | P_LOCK)) && !d->rex;
}

/* C5 [R vvvv L pp]: map 0F;  C4 [RXB mmmmm] [W vvvv L pp]: maps 1-3. */
static bool read_vex(struct decoder *d, bool three_bytes)
{
	unsigned sel;

	if (!vex_allowed(d) || !take_opcode(d, three_bytes ? 2 : 1))
		return false;
	d->map = MAP_OTHER;
	sel = three_bytes ? d->buf[d->opcode_off - 2] & 0x1f : 1;
	if (sel == 1)
		d->flags = map_vex_0f[d->op];
	else if (sel == 2)
		d->flags = M;		/* 0F38: ModRM, no immediate */
	else if (sel == 3)
		d->flags = MB;		/* 0F3A: ModRM and imm8 */
	else
		d->flags = 0;
	return true;
}

/* 62 P0 P1 P2 opcode: maps 1-3 (AVX-512), 4 (APX), 5-6 (FP16). */
static bool read_evex(struct decoder *d)
{
	unsigned p0, p1;

	if (!vex_allowed(d) || !take_opcode(d, 3))
		return false;
	p0 = d->buf[d->opcode_off - 3];
	p1 = d->buf[d->opcode_off - 2];
	d->map = MAP_OTHER;
	switch (p0 & 7) {
	case 1:
		d->flags = evex_map1_has_imm8(d->op) ? MB : M;
		break;
	case 3:
		d->flags = MB;
		break;
	case 4:		/* promoted legacy: W and pp=01 act as REX.W and 66h */
		d->map = MAP_EVEX4;
		d->flags = map_evex4[d->op];
		d->rex_w = p1 & 0x80;
		d->opsize16 = (p1 & 3) == 1;
		break;
	case 2: case 5: case 6:
		d->flags = M;
		break;
	default:
		d->flags = 0;
	}
	return true;
}

/* 8F: XOP [RXB mmmmm] [W vvvv L pp] opcode when mmmmm >= 8, else pop Ev. */
static bool read_xop_or_pop(struct decoder *d)
{
	unsigned sel;

	if (d->i >= d->max)
		return false;
	sel = d->buf[d->i] & 0x1f;
	if (sel < 8) {
		d->flags = MS;
		return true;
	}
	if (!vex_allowed(d) || !take_opcode(d, 2))
		return false;
	d->map = MAP_OTHER;
	if (sel == 8)
		d->flags = MB;
	else if (sel == 9)
		d->flags = M;
	else if (sel == 10)
		d->flags = M | O_ID;
	else
		d->flags = 0;
	return true;
}

/*
 * D5 [M0 R4 X4 B4 W R3 X3 B3] opcode (APX).  REX2 does not combine with
 * REX, nor with map-0 rows 4, 7, A and E (but jmpabs is D5 00 A1) or map-1
 * rows 3 and 8.
 */
static bool read_rex2(struct decoder *d)
{
	unsigned payload, row;

	if (d->rex || !take_opcode(d, 1))
		return false;
	payload = d->buf[d->opcode_off - 1];
	d->rex_w = payload & 0x08;
	d->rex_b = payload & 0x11;
	row = d->op >> 4;
	if (payload & 0x80) {
		d->map = MAP_0F;
		d->flags = row == 3 || row == 8 ? 0 : map_0f[d->op];
	} else if (d->op == 0xa1 && !d->rex_w) {
		d->flags = K(INSN_JMP) | O_IQ;		/* jmpabs */
	} else if (row == 4 || row == 7 || row == 0xa || row == 0xe) {
		d->flags = 0;
	} else if (d->op == 0x8f) {
		d->flags = MS;				/* pop Ev, never XOP */
	} else {
		d->flags = map_legacy[d->op] & F_ESCAPE ? 0 : map_legacy[d->op];
	}
	return true;
}

/* The opcode and its map; false when cut off or not an instruction. */
static bool read_opcode(struct decoder *d)
{
	bool ok = true;

	d->rex_w = d->rex & 8;
	d->rex_b = d->rex & 1;
	d->opsize16 = d->pfx & P_66;
	d->map = MAP_LEGACY;
	d->opcode_off = d->i;
	d->op = d->buf[d->i++];
	d->flags = map_legacy[d->op];
	if (d->flags & F_ESCAPE) {
		switch (d->op) {
		case 0x0f:
			ok = read_0f(d);
			break;
		case 0xc4:
		case 0xc5:
			ok = read_vex(d, d->op == 0xc4);
			break;
		case 0x62:
			ok = read_evex(d);
			break;
		case 0x8f:
			ok = read_xop_or_pop(d);
			break;
		case 0xd5:
			ok = read_rex2(d);
			break;
		}
	}
	return ok && d->flags;
}

/* Checks the mandatory prefix and ModRM.mod of a restricted opcode. */
static bool allowed(const struct decoder *d, unsigned mod)
{
	if (!(d->flags & F_RESTRICT))
		return true;
	return restriction_allows(restrict_by_map[d->map][d->op],
				  prefix_column(d->pfx, d->last_rep), mod);
}

/*
 * ModRM, SIB and displacement: sets the displacement fields and whether it
 * is RIP-relative; false when cut off or not an instruction.
 */
static bool read_modrm(struct decoder *d, unsigned *disp_off,
		       unsigned *disp_size, bool *rip_relative)
{
	unsigned modrm, mod, rm;

	if (!(d->flags & F_MODRM))
		return allowed(d, 3);
	if (d->i >= d->max)
		return false;
	modrm = d->buf[d->i++];
	mod = modrm >> 6;
	if (d->flags & F_SPECIAL) {
		d->flags = special_flags(d->map, d->op, d->flags, modrm, d->pfx,
					 d->last_rep);
		if (!d->flags)
			return false;
		if (d->map == MAP_0F && d->op >= 0x20 && d->op <= 0x23)
			mod = 3;	/* mov cr/dr: always registers */
	}
	if (!allowed(d, mod))
		return false;
	if (mod == 3)
		return true;
	rm = modrm & 7;
	if (rm == 4) {
		if (d->i >= d->max)
			return false;
		if (mod == 0 && (d->buf[d->i] & 7) == 5)
			*disp_size = 4;		/* SIB without base */
		d->i++;
	} else if (mod == 0 && rm == 5) {
		*disp_size = 4;
		*rip_relative = true;
	}
	if (mod == 1)
		*disp_size = 1;
	else if (mod == 2)
		*disp_size = 4;
	*disp_off = d->i;
	d->i += *disp_size;
	return true;
}

/* Immediate size, and the size of a branch rel or moffs (*rel_size). */
static unsigned operand_size(const struct decoder *d, unsigned *rel_size)
{
	bool size16 = d->opsize16 && !d->rex_w;

	*rel_size = 0;
	switch (d->flags & F_OPERAND) {
	case O_IZ:
		return size16 ? 2 : 4;
	case O_IV:
		return d->rex_w ? 8 : size16 ? 2 : 4;
	case O_REL8:
		*rel_size = 1;
		return 0;
	case O_REL32:
		*rel_size = 4;
		return 0;
	case O_RELZ:
		*rel_size = size16 ? 2 : 4;
		return 0;
	case O_MOFFS:
		*rel_size = d->pfx & P_67 ? 4 : 8;
		return 0;
	}
	return plain_imm_size[d->flags & F_OPERAND];
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
	struct decoder d = {
		.buf = buf,
		.max = size < MAX_INSN_LEN ? (unsigned)size : MAX_INSN_LEN,
	};
	unsigned disp_off = 0, disp_size = 0, imm_size, rel_size, len, kind;
	bool rip_relative = false, branch;

	if (!d.max || !read_prefixes(&d) || !read_opcode(&d) ||
	    !read_modrm(&d, &disp_off, &disp_size, &rip_relative))
		return decode_invalid(addr, insn);
	kind = d.flags >> F_KIND_SHIFT;
	if (d.op == 0x90 && d.map == MAP_LEGACY &&
	    (d.rex_b || d.last_rep == P_F3))
		kind = INSN_OTHER;		/* xchg r8, rax; pause */
	imm_size = operand_size(&d, &rel_size);
	branch = rel_size && (d.flags & F_OPERAND) != O_MOFFS;
	if (rel_size) {			/* xbegin has its ModRM before the rel */
		disp_off = d.i;
		disp_size = rel_size;
		d.i += rel_size;
	}
	len = d.i + imm_size;
	if (len > d.max)
		return decode_invalid(addr, insn);
	if (d.map == MAP_0F && d.op == 0x0f && !is_3dnow_suffix(buf[len - 1]))
		return decode_invalid(addr, insn);

	insn->addr = addr;
	insn->len = len;
	insn->kind = kind;
	insn->opcode_off = d.opcode_off;
	insn->disp_off = disp_size ? disp_off : 0;	/* as the fast path */
	insn->disp_size = disp_size;
	insn->imm_off = imm_size ? d.i : 0;
	insn->imm_size = imm_size;
	insn->pc_relative = branch || rip_relative;
	insn->has_target = insn->pc_relative;
	insn->target = 0;
	if (insn->has_target) {
		uint64_t target = addr + len +
				  read_signed(buf + disp_off, disp_size);

		if (rip_relative && (d.pfx & P_67))
			target = (uint32_t)target;	/* EIP-relative */
		insn->target = target;
	} else if (imm_size == 8 && kind == INSN_JMP) {
		uint64_t target;

		memcpy(&target, buf + d.i, 8);		/* jmpabs */
		insn->target = target;
		insn->has_target = true;
	}
	return true;
}

/* Immediate sizes of the fast path, by REX.W and 66h (no REX.W). */
#define FAST_W		2
#define FAST_16		1
static const uint8_t fast_imm_size[4][16] = {
	[0] = { [O_IB] = 1, [O_IW] = 2, [O_IZ] = 4, [O_IV] = 4, [O_ENTER] = 3,
		[O_ID] = 4, [O_IBB] = 2, [O_IQ] = 8 },
	[FAST_16] = { [O_IB] = 1, [O_IW] = 2, [O_IZ] = 2, [O_IV] = 2,
		      [O_ENTER] = 3, [O_ID] = 4, [O_IBB] = 2, [O_IQ] = 8 },
	[FAST_W] = { [O_IB] = 1, [O_IW] = 2, [O_IZ] = 4, [O_IV] = 8,
		     [O_ENTER] = 3, [O_ID] = 4, [O_IBB] = 2, [O_IQ] = 8 },
};

/* What the fast path found: the fields of struct insn but the address. */
struct fast {
	unsigned len, kind, opcode_off, disp_off, disp_size, imm_off, imm_size;
	bool pc_relative;
};

/* Legacy prefixes the fast path takes (67h changes moffs and RIP-relative
 * targets: decode_any() does it), and the bytes it may read: those and
 * the longest form after them, REX, 0F, opcode, ModRM, SIB, disp32, imm32
 * (13 bytes; a 4-byte read of a rel8 stays inside them). */
#define FAST_PREFIXES	4
#define FAST_MIN_SIZE	(FAST_PREFIXES + 13)

/* The opcodes whose length or kind depends on ModRM or the prefixes:
 * refines *flags, false when decode_any() must decide. */
static bool fast_special(unsigned map, unsigned op, unsigned *flags,
			 unsigned rex, const uint8_t *modrm, unsigned pfx,
			 unsigned last_rep)
{
	if (!(*flags & F_MODRM)) {
		/* 90: xchg r8, rax with REX.B; pause with F3 */
		if ((rex & 1) || last_rep == P_F3)
			*flags = K(INSN_OTHER);
		return true;
	}
	/* 3DNow! and mov cr/dr (ModRM.mod ignored) */
	if (map == MAP_0F && (op == 0x0f || (op & 0xfc) == 0x20))
		return false;
	*flags = special_flags(map, op, *flags, *modrm, pfx, last_rep);
	/* xbegin has its rel after the ModRM */
	return *flags && (*flags & F_OPERAND) != O_RELZ;
}

/*
 * What arch_decode() leaves to the general decoder but compiled code still
 * has a lot of (a tenth of its instructions): up to FAST_PREFIXES legacy
 * prefixes but 67h (66h for SSE and nopw, F2/F3, FS for TLS), and the
 * opcodes whose length or kind depends on ModRM or a prefix (mov Ev, iz,
 * test, x87, call/jmp through memory, nop).  The same walk as arch_decode()
 * without bounds checks (the caller leaves FAST_MIN_SIZE bytes); false
 * when decode_any() must decide, which gives the same answer for what
 * this takes.
 */
static bool decode_fast(const uint8_t *buf, struct fast *f)
{
	unsigned i = 0, pfx = 0, last_rep = 0, p;
	unsigned rex = 0, op, flags, operand, map = MAP_LEGACY, mod, imm_size;
	unsigned disp_off = 0, disp_size = 0, rel_size;
	const uint8_t *restrictions = restrict_legacy;
	bool rip_relative = false;

	while ((p = prefix_bits[buf[i]]) & ~P_REX) {
		if (i == FAST_PREFIXES || p == P_67)
			return false;
		pfx |= p;
		if (p & (P_F2 | P_F3))
			last_rep = p;
		i++;
	}
	op = buf[i];
	if (p == P_REX) {
		rex = op;
		op = buf[++i];
	}
	flags = map_legacy[op];
	if (op == 0x0f) {
		op = buf[++i];
		flags = map_0f[op];
		map = MAP_0F;
		restrictions = restrict_0f;
	}
	/* a prefix after the REX, or a second REX, has no entry */
	if (!flags || (flags & F_ESCAPE))
		return false;
	if ((flags & F_SPECIAL) &&
	    !fast_special(map, op, &flags, rex, buf + i + 1, pfx, last_rep))
		return false;
	f->opcode_off = i++;
	mod = flags & F_MODRM ? buf[i] >> 6 : 3;
	if ((flags & F_RESTRICT) &&
	    !restriction_allows(restrictions[op], prefix_column(pfx, last_rep),
				mod))
		return false;
	if (flags & F_MODRM)
		fast_modrm(buf, &i, &disp_off, &disp_size, &rip_relative);
	operand = flags & F_OPERAND;
	imm_size = fast_imm_size[(rex & 8 ? FAST_W : 0) |
				 ((pfx & P_66) && !(rex & 8) ? FAST_16 : 0)]
				[operand];
	rel_size = plain_rel_size[operand];
	if (rel_size) {		/* no ModRM here: rel or moffs */
		disp_off = i;
		disp_size = rel_size;
		i += rel_size;
	}
	f->len = i + imm_size;
	if (f->len > MAX_INSN_LEN)
		return false;
	f->kind = flags >> F_KIND_SHIFT;
	f->disp_off = disp_off;
	f->disp_size = disp_size;
	f->imm_off = imm_size ? i : 0;
	f->imm_size = imm_size;
	f->pc_relative = rip_relative || (rel_size && operand != O_MOFFS);
	return true;
}

/* The rel or RIP-relative disp of a fast-path instruction, sign-extended:
 * 1 or 4 bytes (xbegin's rel16 takes decode_any()). */
static inline int64_t fast_disp(const uint8_t *buf, const struct fast *f)
{
	int32_t d32;

	memcpy(&d32, buf + f->disp_off, 4);
	return f->disp_size == 1 ? (int8_t)d32 : d32;
}

/* What arch_decode() does not take on its own path: decode_fast(), else
 * decode_any(). */
static __attribute__((noinline)) bool decode_rare(const uint8_t *buf,
		size_t size, uint64_t addr, struct insn *insn)
{
	struct fast f;

	if (size < FAST_MIN_SIZE || !decode_fast(buf, &f))
		return decode_any(buf, size, addr, insn);
	insn->addr = addr;
	insn->len = f.len;
	insn->kind = f.kind;
	insn->opcode_off = f.opcode_off;
	insn->disp_off = f.disp_off;
	insn->disp_size = f.disp_size;
	insn->imm_off = f.imm_off;
	insn->imm_size = f.imm_size;
	insn->pc_relative = f.pc_relative;
	insn->has_target = f.pc_relative;
	insn->target = f.pc_relative ? addr + f.len + fast_disp(buf, &f) : 0;
	return true;
}

/*
 * Most instructions in compiled code are an optional REX, a legacy or 0F
 * opcode, ModRM/SIB/displacement and an immediate, at least 15 bytes from
 * the end of the buffer.  This path decodes exactly those without bounds
 * checks (the longest such form is 13 bytes) and hands the rest to
 * decode_rare(), which gives the same answer for these too.
 */
bool arch_decode(const uint8_t *buf, size_t size, uint64_t addr,
		 struct insn *insn)
{
	unsigned i = 0, rex = 0, op, flags, operand;
	unsigned disp_off = 0, disp_size = 0, imm_size, rel_size, len;
	const uint8_t *restrictions = restrict_legacy;
	bool rip_relative = false;

	if (__builtin_expect(size < MAX_INSN_LEN, 0))
		return decode_rare(buf, size, addr, insn);
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
		return decode_rare(buf, size, addr, insn);
	insn->opcode_off = i++;
	if (__builtin_expect(flags & F_RESTRICT, 0) &&
	    !restriction_allows(restrictions[op], C_NP, buf[i] >> 6))
		return decode_rare(buf, size, addr, insn);
	if (flags & F_MODRM)
		fast_modrm(buf, &i, &disp_off, &disp_size, &rip_relative);
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
