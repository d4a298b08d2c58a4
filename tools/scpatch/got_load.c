// SPDX-License-Identifier: MIT
/*
 * GOT loads of trampoline addresses (got_load.h).  The scan follows the
 * code in address order, not its control flow: a call through the same
 * register anywhere later in the function counts, which catches a load
 * hoisted out of a loop; a register reused for another call later in the
 * function also counts (reported, the safe side: check's findings about
 * it are warnings that name the place).
 */
#include "got_load.h"

/* The register number (0-15) of ModRM's reg (REG_FIELD) or rm field. */
static int modrm_reg(uint8_t rex, uint8_t modrm, bool reg_field)
{
	return reg_field ? ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0)
			 : (modrm & 7) | (rex & 1 ? 8 : 0);
}

/* The REX prefix right before the opcode, or 0. */
static uint8_t rex_of(const uint8_t *p, const struct insn *in)
{
	return in->opcode_off && (p[in->opcode_off - 1] & 0xf0) == 0x40 ?
	       p[in->opcode_off - 1] : 0;
}

/* The register `call *%reg` or `jmp *%reg` uses, or -1. */
static int indirect_branch_reg(const uint8_t *p, const struct insn *in)
{
	uint8_t modrm;

	if (in->kind != INSN_CALL_INDIRECT && in->kind != INSN_JMP_INDIRECT)
		return -1;
	if (in->opcode_off + 1 >= in->len || p[in->opcode_off] != 0xff)
		return -1;
	modrm = p[in->opcode_off + 1];
	if (modrm >> 6 != 3)
		return -1;
	return modrm_reg(rex_of(p, in), modrm, false);
}

bool got_load_is_called(const uint8_t *data, uint64_t base, uint64_t end,
			const struct insn *load)
{
	const uint8_t *p = data + (load->addr - base);
	uint8_t rex = rex_of(p, load);
	struct insn in;
	int reg;

	/* mov m64, r64: REX.W 8B /r */
	if (!(rex & 8) || p[load->opcode_off] != 0x8b ||
	    load->opcode_off + 1 >= load->len)
		return true;
	reg = modrm_reg(rex, p[load->opcode_off + 1], true);
	for (uint64_t pos = load->addr - base + load->len; pos < end;
	     pos += in.len) {
		arch_decode(data + pos, end - pos, base + pos, &in);
		if (indirect_branch_reg(data + pos, &in) == reg)
			return true;
	}
	return false;
}

bool got_load_called_in_func(struct obj *obj, struct section *sec,
			     const uint8_t *data, const struct insn *load)
{
	uint64_t base = sec->sh.sh_addr, end;
	struct symbol *f = obj_find_func_containing(obj, sec, load->addr - base);

	if (!f || !f->sym.st_size)
		return true;
	end = f->sym.st_value + f->sym.st_size - base;
	return got_load_is_called(data, base, end < sec->size ? end : sec->size,
				  load);
}
