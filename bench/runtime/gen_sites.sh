#!/bin/bash
# gen_sites.sh N: assembly with N calls to __SCT__upd, each with its rel32
# naturally aligned (what scpatch's padding produces).  Never executed.
n=$1
cat <<ASM
	.section .discard.static_call_keys, "e", @progbits
	.globl __SCK__upd
	.reloc ., R_X86_64_NONE, __SCK__upd
	.byte 0
	.text
	.globl bench_sites
	.type bench_sites, @function
	.p2align 4
bench_sites:
	.rept $n
	.p2align 2
	.byte 0x0f, 0x1f, 0x00
	call __SCT__upd
	.endr
	ret
	.size bench_sites, . - bench_sites
	.section .note.GNU-stack, "", @progbits
ASM
