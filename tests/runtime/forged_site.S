/* SPDX-License-Identifier: MIT */
/* A call-shaped byte sequence in .data that jumps to gk's trampoline, and
 * a table entry for it: the runtime must never write outside code. */
	.data
	.balign 4
	.byte 0x90, 0x90, 0x90
	.globl data_site
data_site:
	.byte 0xe8
	.long __SCT__gk - (. + 4)

	.section .static_call_sites.forged, "aw"
	.balign 4
	.long data_site - .
	.long __SCK__gk - .

	.section .note.GNU-stack, "", @progbits
