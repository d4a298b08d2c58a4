/* SPDX-License-Identifier: MIT */
/*
 * Architecture-neutral view of one decoded instruction.
 *
 * Every pass of scpatch (sites, padding, check, decode) sees instructions
 * only through this record, so that another architecture can live beside
 * arch/x86/ with the same interface.
 */
#ifndef SCPATCH_DECODE_H
#define SCPATCH_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* The x86 rules for each kind are in docs/decoder.md. */
enum insn_kind {
	INSN_INVALID,		/* bytes that are not an instruction */
	INSN_OTHER,
	INSN_CALL,		/* direct relative call */
	INSN_JMP,		/* direct unconditional jump (relative; x86
				 * APX jmpabs: absolute, !pc_relative) */
	INSN_JCC,		/* direct relative conditional jump (incl. loop,
				 * jrcxz, and xbegin's abort target) */
	INSN_RET,		/* near and far ret, iret */
	INSN_CALL_INDIRECT,	/* incl. far call through memory */
	INSN_JMP_INDIRECT,	/* incl. far jmp through memory */
	INSN_NOP,		/* does nothing: padding may replace it */
	INSN_TRAP,		/* int3, int1, ud0/ud1/ud2, hlt */
};

struct insn {
	uint64_t addr;		/* address (or section offset) of the first byte */
	uint64_t target;	/* valid when has_target: branch or RIP-relative target */
	uint8_t len;		/* total length in bytes (1..15); 1 when invalid */
	uint8_t kind;		/* enum insn_kind */
	uint8_t opcode_off;	/* offset of the (last) opcode byte */
	uint8_t disp_off;	/* displacement field: ModRM disp, moffs, or branch
				 * rel; 0 when disp_size is 0 */
	uint8_t disp_size;	/* 0, 1, 2, 4 or 8 */
	uint8_t imm_off;	/* immediate field (not branch rels); 0 when none */
	uint8_t imm_size;	/* 0, 1, 2, 4 or 8; the sum of both for enter/extrq-like pairs */
	bool pc_relative;	/* disp is relative to addr + len (branch rel or RIP-relative) */
	bool has_target;	/* target is addr + len + disp */
};

/*
 * Decode the instruction at buf[0..size) located at address addr.
 * Returns true and fills *insn for an instruction; returns false, with
 * insn->kind = INSN_INVALID and insn->len = 1, for bytes that are not a
 * complete valid instruction (including one cut off by the end of buf).
 * Never reads buf[size] or beyond.
 */
bool arch_decode(const uint8_t *buf, size_t size, uint64_t addr,
		 struct insn *insn);

/* Short lower-case name of a kind, as `scpatch decode` prints it. */
const char *insn_kind_name(enum insn_kind kind);

#endif
