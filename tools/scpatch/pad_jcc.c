// SPDX-License-Identifier: MIT
/*
 * Padding and the JCC erratum.  Code assembled with gas's
 * -mbranches-within-32B-boundaries (clang: -mbranches-within-32B-
 * boundaries) has no jump that crosses or ends at a 32-byte boundary, so
 * that Skylake-derived cores with the microcode fix for the erratum keep
 * it in their decoded-instruction cache.  The assemblers align jcc, direct
 * jmp and a cmp/test/add/sub/and/inc/dec that macro-fuses with the jcc
 * after it, as one unit (-malign-branch=jcc+fused+jmp); calls, rets and
 * indirect jumps are left alone.
 * Padding moves such jumps and may break that.  Whether the option was
 * used is not recorded in the object: padded code where none of at least
 * 32 jumps crosses a boundary is taken to be built with it (by chance,
 * about one in ten crosses).  The pass does not keep the property; it
 * says so, once per object.
 */
#include "pad_verify_internal.h"

#define JCC_BOUNDARY 32

static bool is_jump(const struct pad_insn *in)
{
	return in->d.kind == INSN_JCC || in->d.kind == INSN_JMP;
}

/*
 * What gas fuses with a following jcc: test, cmp, add, sub, and, inc and
 * dec, but not with a memory operand and an immediate together.
 */
static bool fuses(const struct pad_sec *ps, const struct pad_insn *in)
{
	const uint8_t *p = ps->data + in->off, *end = p + in->d.len;
	uint8_t op, reg;
	bool reg_form;

	if (in->d.kind != INSN_OTHER || in->run)
		return false;
	while (p < end && (*p == 0x66 || *p == 0x67 || *p == 0x2e ||
			   *p == 0x3e || *p == 0x26 || *p == 0x36 ||
			   *p == 0x64 || *p == 0x65))
		p++;
	if (p < end && (*p & 0xf0) == 0x40)
		p++;
	if (end - p < 2)
		return false;
	op = p[0];
	reg = (p[1] >> 3) & 7;
	reg_form = (p[1] >> 6) == 3;
	switch (op) {
	case 0x84: case 0x85:				/* test */
	case 0x38: case 0x39: case 0x3a: case 0x3b:	/* cmp */
	case 0x02: case 0x03: case 0x2a: case 0x2b:	/* add, sub, and */
	case 0x22: case 0x23:				/* to a register */
	case 0xa8: case 0xa9: case 0x3c: case 0x3d:	/* al/eax, imm */
	case 0x04: case 0x05: case 0x2c: case 0x2d: case 0x24: case 0x25:
		return true;
	case 0x00: case 0x01: case 0x28: case 0x29: case 0x20: case 0x21:
		return reg_form;
	case 0xf6: case 0xf7:
		return reg == 0 && reg_form;
	case 0x80: case 0x81: case 0x83:
		return (reg == 7 || reg == 0 || reg == 5 || reg == 4) &&
		       reg_form;
	case 0xfe: case 0xff:
		return reg <= 1 && reg_form;
	}
	return false;
}

static bool crosses(uint64_t start, uint64_t end)
{
	return start / JCC_BOUNDARY != (end - 1) / JCC_BOUNDARY ||
	       end % JCC_BOUNDARY == 0;
}

/* Direct jumps have a pc-relative field: the list of those is walked,
 * not every instruction. */
bool pad_jcc_count(const struct pad_sec *ps, size_t *jumps, size_t *broken)
{
	for (size_t k = 0; k < ps->npcrel; k++) {
		size_t i = ps->pcrel[k];
		const struct pad_insn *in = &ps->insns[i];
		const struct pad_insn *prev = i ? in - 1 : NULL;
		uint64_t start = in->off, new_start = pad_laid_new_off(ps, i);
		uint64_t new_end = new_start + pad_new_len(in);

		if (!is_jump(in))
			continue;
		if (in->d.kind == INSN_JCC && prev && fuses(ps, prev)) {
			start = prev->off;
			/* a NOP put before the jcc splits the pair */
			if (!in->pad)
				new_start = pad_new_off(ps, i - 1);
		}
		if (crosses(start, in->off + in->d.len))
			return false;	/* not built for the erratum */
		++*jumps;
		*broken += crosses(new_start, new_end);
	}
	return true;
}
