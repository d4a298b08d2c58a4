#!/bin/bash
# Translation validation of the fix-ups (tools/scpatch/pad_verify*.c):
# after the pass commits, every relocation in and into padded code, every
# symbol there and every FDE describing it must map to its original.  The
# tool is linked here once more with pad_verify_fault.c built with
# -DSCPATCH_FAULT_INJECTION, which corrupts one fix-up after the commit
# (SCPATCH_FAULT names which); each kind must be refused with an error
# naming the place, and the input (annotated in place) or the output
# (-o) must be left as it was.  Real C: tests/fixtures/pad/prog.c (jump
# tables, PC-relative with -fPIC; a table of function pointers; static
# helpers) from gcc and clang, and with DWARF.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/pad/pad-lib.sh"

build_fault_tool || { not_ok "fault-injecting build links"; exit 0; }

text_size() { objdump -h "$1" | awk '$2 == ".text" { print $3 }'; }

# kind of fault after the commit, and what the error must say
faults=(
	"reloc-addend|relocation at .*must \(be at .* with\|have\) addend"
	"reloc-addend:.rodata|relocation at \.rodata+0x[0-9a-f]* (type [0-9]*, \.text[-+]0x[0-9a-f]*), #[0-9]* of its section: must have addend"
	"reloc-addend:.eh_frame|\(relocation at \.eh_frame+0x[0-9a-f]* (type [0-9]*, \.text[-+]0x[0-9a-f]*)\|FDE of \.text[^ ]*+0x[0-9a-f]* (\.eh_frame+0x[0-9a-f]* before): no FDE starts\)"
	"reloc-offset|relocation at \.text[^ ]*+0x.*must be at"
	"sym-value|symbol [a-z_]* (\.text[^ ]*+0x[0-9a-f]*, size [0-9]*): now"
	"sym-size|symbol [a-z_]* (\.text[^ ]*+0x[0-9a-f]*, size [0-9]*): now"
	"fde-range|FDE of \.text[^ ]*+0x[0-9a-f]* (\.eh_frame+0x[0-9a-f]*): its range ends"
	"cfa-advance|FDE of \.text[^ ]*+0x[0-9a-f]* (\.eh_frame+0x[0-9a-f]*): CFA row [0-9]"
)

# refuse TAG KIND MESSAGE: the fault KIND on in.o is refused with MESSAGE,
# in place and with -o.
refuse() {
	local tag=$1 kind=$2 msg=$3 rc
	cp in.o work.o
	rm -f out.o
	SCPATCH_FAULT=$kind ./scpatch-fault work.o 2> err.txt
	rc=$?
	expect_eq "$tag: $kind: refused" 2 "$rc"
	expect "$tag: $kind: says where" grep -q \
		"^scpatch: work.o: padding: translation validation failed: $msg" err.txt ||
		cat err.txt
	expect "$tag: $kind: input left as it was" cmp -s in.o work.o
	SCPATCH_FAULT=$kind ./scpatch-fault -o out.o in.o 2>/dev/null
	expect "$tag: $kind: no output written" test ! -e out.o
}

for cc in gcc clang; do
	for v in "-O2 -fPIC" "-O1 -fno-pic"; do
		tag="$cc $v"
		$cc $v -c "$PADFIX/prog.c" -o in.o || { not_ok "$tag: compile"; continue; }
		"$SCPATCH" -o want.o in.o 2>/dev/null
		expect_exit "$tag: no fault: annotated" 0 ./scpatch-fault -o got.o in.o
		expect "$tag: no fault: the same object as the tool's" cmp -s want.o got.o
		expect "$tag: something was padded" \
			test "$(text_size in.o)" != "$(text_size want.o)"
		for f in "${faults[@]}"; do
			refuse "$tag" "${f%%|*}" "${f#*|}"
		done
		# a wrong label before a run (the end of a function): the
		# validation of the new code refuses the section itself
		SCPATCH_FAULT=shift ./scpatch-fault -v -o shift.o in.o 2> err.txt
		expect "$tag: shift: the validation says where" \
			grep -q 'not padded: placement after it at original' err.txt
		expect_eq "$tag: shift: the section is not padded" \
			"$(text_size in.o)" "$(text_size shift.o)"
	done
done

# DWARF: an address in .debug_info that no longer points where its code went.
gcc -O2 -g -fPIC -c "$PADFIX/prog.c" -o in.o
expect_exit "gcc -g: no fault: annotated" 0 ./scpatch-fault -o got.o in.o
refuse "gcc -g" "reloc-addend:.debug_info" \
	"relocation at \.debug_info+0x[0-9a-f]* (type [0-9]*, \.text[-+]0x[0-9a-f]*)"

# Functions whose FDEs have no CFA rows (a tail call only), with the
# verifier built by clang with UBSan: no undefined behaviour (pointer
# arithmetic on the rows of none, hardening finding 9).
# Under make check-sanitize the tool's objects carry ASan, which a UBSan-only
# clang link cannot take: the tool itself is the UBSan build there.
if [[ -n ${SCPATCH_SAN_FLAGS:-} ]]; then
	ln -s "$SCPATCH" scpatch-ub
elif command -v clang > /dev/null; then
	vobjs=()
	for o in "${TOOL_OBJS[@]}"; do
		case $o in */pad_verify*.o|*/pad_jcc.o) ;; *) vobjs+=("$o") ;; esac
	done
	clang -std=gnu11 -fsanitize=undefined -fno-sanitize-recover=all \
		-iquote "$ROOT/tools/scpatch" -I"$ROOT/runtime" \
		$(pkg-config --cflags libelf libdw libxxhash) -o scpatch-ub \
		"$ROOT"/tools/scpatch/pad_verify*.c "$ROOT/tools/scpatch/pad_jcc.c" \
		"${vobjs[@]}" $(pkg-config --libs libelf libdw libxxhash) -lstdc++ ||
		not_ok "UBSan build of the verifier links"
fi
if [[ -x scpatch-ub ]]; then
	printf '%s\n' '#include "sc.h"' 'int add_one(int);' \
		'DECLARE_STATIC_CALL(sc_one, add_one);' \
		'int tail_one(int x) { return static_call(sc_one)(x); }' > norows.c
	gcc -O2 -I"$ROOT/tests/fixtures/sites" -c norows.c -o in.o
	expect "no CFA rows: the FDE has none" \
		bash -c "! readelf -wf in.o | grep -q DW_CFA_advance"
	expect_exit "no CFA rows: verified under UBSan" 0 ./scpatch-ub -o out.o in.o
	expect "no CFA rows: padded" cmp -s <("$SCPATCH" -o want.o in.o && cat want.o) out.o
fi
