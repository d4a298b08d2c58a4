// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the x86-64 decoder.  Decodes the input as a stream and,
 * for every instruction, checks the promises of decode.h: the fields lie
 * inside the instruction, the instruction is a complete prefix (the same
 * bytes cut at its length decode the same, cut one byte shorter do not),
 * and nothing is read past the given size (each slice is an exact-size
 * heap copy, so ASan sees any overread).
 */
#include <stdlib.h>
#include <string.h>

#include "decode.h"

static uint8_t *slice(const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (copy && len)
		memcpy(copy, data, len);
	return copy;
}

static void check_fields(const struct insn *in, size_t avail)
{
	if (in->len < 1 || in->len > 15 || in->len > avail)
		abort();
	if (in->kind == INSN_INVALID) {
		if (in->len != 1)
			abort();
		return;
	}
	if (in->opcode_off >= in->len)
		abort();
	if (in->disp_size && in->disp_off + in->disp_size > in->len)
		abort();
	if (in->imm_size && in->imm_off + in->imm_size > in->len)
		abort();
	if (in->has_target && in->pc_relative && !in->disp_size)
		abort();
}

static void check_prefix_property(const uint8_t *data, const struct insn *in)
{
	struct insn again, shorter;
	uint8_t *exact = slice(data, in->len);

	if (!exact)
		return;
	if (!arch_decode(exact, in->len, in->addr, &again))
		abort();
	if (again.len != in->len || again.kind != in->kind ||
	    again.has_target != in->has_target ||
	    (in->has_target && again.target != in->target))
		abort();
	free(exact);
	exact = slice(data, in->len - 1);
	if (exact && arch_decode(exact, in->len - 1, in->addr, &shorter))
		abort();
	free(exact);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = slice(data, size);
	size_t off = 0;

	if (!buf)
		return 0;
	while (off < size) {
		struct insn in;
		bool ok = arch_decode(buf + off, size - off, 0x1000 + off, &in);

		check_fields(&in, size - off);
		if (ok != (in.kind != INSN_INVALID))
			abort();
		if (ok)
			check_prefix_property(buf + off, &in);
		(void)insn_kind_name(in.kind);
		off += in.len;
	}
	free(buf);
	return 0;
}
