/* SPDX-License-Identifier: MIT */
/*
 * Conditional tail calls (jne rel32 to a trampoline, as clang emits at
 * -Os) at every alignment: void jcc_K(int x) { if (x) hook(x); }
 */
	/* Named outside .reloc too: clang 14 writes symbol 0 otherwise. */
	.globl __SCT__hook

	.macro jcc_site k
	.text
	.globl jcc_\k
	.type jcc_\k, @function
	.p2align 4
jcc_\k:
	.fill \k, 1, 0x90
	testl %edi, %edi
	.byte 0x0f, 0x85
	.reloc ., R_X86_64_PLT32, __SCT__hook - 4
	.long 0
	ret
	.size jcc_\k, . - jcc_\k
	.endm

	jcc_site 0
	jcc_site 1
	jcc_site 2
	jcc_site 3

	/* The key, for the annotator (static_call.h does the same). */
	.section .discard.static_call_keys, "e", @progbits
	.globl __SCK__hook
	.reloc ., R_X86_64_NONE, __SCK__hook
	.byte 0

	.section .note.GNU-stack, "", @progbits
