/* SPDX-License-Identifier: MIT */
/*
 * The targets of DEFINE_STATIC_CALL_RET0 and of static_call_cond() with a
 * NULL target in the indirect build mode.  Patched code never jumps here:
 * each trampoline has its own ret and xor-ret, in rel32 reach of its sites.
 */
	.text
	.globl	__static_call_return0
	.type	__static_call_return0, @function
__static_call_return0:
	endbr64
	xorl	%eax, %eax
	ret
	.size	__static_call_return0, . - __static_call_return0

	.globl	__static_call_nop
	.type	__static_call_nop, @function
__static_call_nop:
	endbr64
	ret
	.size	__static_call_nop, . - __static_call_nop

	.section .note.GNU-stack, "", @progbits

	/* GNU_PROPERTY_X86_FEATURE_1_AND: IBT | SHSTK.  Both hold here: every
	 * function starts with endbr64, and nothing returns but with ret. */
	.section .note.gnu.property, "a"
	.p2align 3
	.long	4
	.long	16
	.long	5
	.asciz	"GNU"
	.long	0xc0000002
	.long	4
	.long	3
	.p2align 3
