#!/bin/bash
# Unwind, exception and debug information that the pass must refuse (the
# code it describes stays as it is, with a reason), never skip: an FDE
# whose augmentation runs past its end, an FDE without a pc_begin
# relocation (but lld -r's FDEs of discarded code, with R_X86_64_NONE, are
# fine), an LSDA whose landing pad lies outside its function, a 4-byte
# DW_LNE_set_address, a .debug_rnglists unit header that runs past the
# section.  Each fixture is also checked intact, where it is padded.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/pad/pad-lib.sh"

build_pad_driver || { not_ok "build pad-driver"; exit 0; }

# The bytes of .text of OBJ in hex (objcopy cannot write to a pipe).
text_hex() {
	objcopy -O binary --only-section=.text "$1" "$1.text" &&
		od -An -tx1 -v "$1.text" | tr -d ' \n'
}

# refused NAME OBJ REASON: no site aligned, the reason given, code as it was
refused() {
	./pad-driver "$2" "$2.p" > "$2.txt" 2> "$2.err"
	expect_eq "$1: the driver ends normally" 0 $?
	expect_eq "$1: no site aligned" 0 "$(grep -c ' aligned$' "$2.txt")"
	expect "$1: the reason is given" grep -q "unaligned $3" "$2.txt"
	expect_eq "$1: code unchanged" "$(text_hex "$2")" "$(text_hex "$2.p")"
}

# The section offset of .eh_frame and of .rela.eh_frame in OBJ.
sec_off() {
	echo $((16#$(readelf -SW "$1" | awk -v n="$2" '
		{ sub(/^ *\[ *[0-9]+\] */, "") } $1 == n { print $4; exit }')))
}

# patch OBJ OFFSET BYTE...: writes the bytes at OFFSET of the file.
patch() {
	local obj=$1 off=$2; shift 2
	printf "$(printf '\\x%02x' "$@")" |
		dd of="$obj" bs=1 seek="$off" conv=notrunc status=none
}

gcc -c "$PADFIX/eh-grow.s" -o grow.o || { not_ok "assemble eh-grow"; exit 0; }
./pad-driver grow.o growp.o > grow.txt
expect_eq "intact FDEs: both sites aligned" 2 "$(grep -c ' aligned$' grow.txt)"
before=$(text_hex grow.o) after=$(text_hex growp.o)
expect "intact FDEs: the code changes" test -n "$before" -a "$before" != "$after"

# The first FDE (after the 0x18-byte CIE, zR with pcrel sdata4): length,
# CIE pointer, pc_begin, pc_range, then the augmentation length byte.
fde=$((16#$(readelf -wf grow.o | awk '/ FDE /{ print $1; exit }')))
cp grow.o aug.o
patch aug.o $(( $(sec_off aug.o .eh_frame) + fde + 16 )) 0x7f
expect "fixture: readelf sees the long augmentation" \
	bash -c "readelf -wf aug.o 2>&1 | grep -qi 'augmentation\|corrupt\|invalid'"
refused "augmentation past the FDE" aug.o "malformed .eh_frame FDE"

# The relocation of the first FDE's pc_begin moved to the CIE (r_offset
# 4): no relocation says which code that FDE describes.
cp grow.o nopc.o
rela=$(sec_off nopc.o .rela.eh_frame)
n=$(readelf -rW nopc.o | awk -v at=$(printf '%016x' $((fde + 8))) '
	/.rela.eh_frame/ { f = 1; next }
	f && /^[0-9a-f]+ / { if ($1 == at) { print k; exit } k++ }')
patch nopc.o $((rela + 24 * n)) 4 0 0 0 0 0 0 0
expect "fixture: the relocation moved" \
	bash -c "readelf -rW nopc.o | grep -q '^0000000000000004 '"
refused "FDE without a pc_begin relocation" nopc.o \
	"an .eh_frame FDE without a pc_begin relocation"

# But lld -r keeps the FDEs of discarded COMDAT copies, with an
# R_X86_64_NONE relocation against symbol 0: they describe no code here,
# and the rest is padded.
for i in 1 2; do
	cat > comdat$i.s <<EOS
	.section .text.shared,"axG",@progbits,shared,comdat
	.globl	shared
	.type	shared, @function
shared:	.cfi_startproc
	push	%rbx
	.cfi_def_cfa_offset 16
	mov	%edi, %ebx
	call	__SCT__sc_grow
	add	%ebx, %eax
	pop	%rbx
	.cfi_def_cfa_offset 8
	ret
	.cfi_endproc
	.text
	.globl	own$i
	.type	own$i, @function
own$i:	.cfi_startproc
	push	%rbx
	.cfi_def_cfa_offset 16
	call	__SCT__sc_grow
	pop	%rbx
	.cfi_def_cfa_offset 8
	ret
	.cfi_endproc
	.section .discard.addressable,"aw"
	.quad	__SCK__sc_grow
EOS
	gcc -c comdat$i.s -o comdat$i.o
done
ld.lld -r comdat1.o comdat2.o -o comdat.o
expect "fixture: lld -r keeps an FDE with R_X86_64_NONE" \
	bash -c "readelf -rW comdat.o | grep -A99 rela.eh_frame | grep -q R_X86_64_NONE"
./pad-driver comdat.o comdatp.o > comdat.txt
expect_eq "lld -r: every site aligned" "3 0" \
	"$(grep -c ' aligned$' comdat.txt) $(grep -c unaligned comdat.txt)"
expect "lld -r: same instructions and CFA rows" compare comdat.o comdatp.o

gcc -c "$PADFIX/eh-lsda.s" -o lsda.o || { not_ok "assemble eh-lsda"; exit 0; }
./pad-driver lsda.o lsdap.o > lsda.txt
expect_eq "intact LSDA: the site is aligned" 1 "$(grep -c ' aligned$' lsda.txt)"
gcc -c -Wa,--defsym,BAD_LP=1 "$PADFIX/eh-lsda.s" -o badlp.o
refused "landing pad outside the function" badlp.o \
	"the function has a C++ exception table (LSDA) that is not understood"

gcc -c "$PADFIX/eh-dwarf.s" -o dw.o || { not_ok "assemble eh-dwarf"; exit 0; }
./pad-driver dw.o dwp.o > dw.txt
expect_eq "intact DWARF: the site is aligned" 1 "$(grep -c ' aligned$' dw.txt)"
expect "intact DWARF: same lines and ranges" \
	python3 "$ROOT/tests/pad/compare.py" --lines dw.o dwp.o
gcc -c -Wa,--defsym,SHORT_ADDR=1 "$PADFIX/eh-dwarf.s" -o short.o
refused "4-byte DW_LNE_set_address" short.o \
	"DW_LNE_set_address with an address that is not 8 bytes"
gcc -c -Wa,--defsym,BAD_RNGLISTS=1 "$PADFIX/eh-dwarf.s" -o badrng.o
refused "malformed .debug_rnglists unit" badrng.o \
	"malformed unit header in .debug_rnglists"
