/* SPDX-License-Identifier: MIT */
/*
 * Two calls through PLT entries of this library that do not lead to lk's
 * trampoline, each with a table entry that says it is a site of lk (a
 * stale or forged table): decoy_plain calls the function decoy, and
 * decoy_tramp the trampoline of another static call.  Both rel32 fields
 * are aligned, so only the PLT check keeps the runtime from writing them.
 */
	.macro decoy name, callee
	.text
	.globl \name
	.type \name, @function
	.p2align 4
\name:
	subq $8, %rsp
	.byte 0x90, 0x90, 0x90
.L\name\()_site:
	call \callee@PLT
	addq $8, %rsp
	ret
	.size \name, . - \name

	.section .static_call_sites.decoys, "aw"
	.balign 4
	.long .L\name\()_site - .
	.long .Llk_slot + 4 - .		/* KEYREF: lk is in another image */
	.endm

	decoy decoy_plain, decoy
	decoy decoy_tramp, __SCT__other

	.section .data.rel.ro.decoys, "aw"
	.balign 8
.Llk_slot:
	.quad __SCK__lk

	.section .note.GNU-stack, "", @progbits
