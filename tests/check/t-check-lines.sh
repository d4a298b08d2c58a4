#!/bin/bash
# scpatch check on objects and linked programs from gcc and clang at -O0,
# -O2 and -Os, DWARF 4 and 5: every unaligned site is reported at exactly
# the line addr2line gives for it, the counts are those that objdump finds,
# and the exit status says whether any site is unaligned.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/check/common.sh"

# check_file NAME FILE: run check on FILE and compare with objdump/addr2line.
check_file() {
	local name=$1 file=$2 rc total unaligned aligned want_rc
	"$SCPATCH" check "$file" > out.txt 2> err.txt
	rc=$?
	total=$(count_sites "$file")
	unaligned=$(count_sites "$file" unaligned)
	aligned=$((total - unaligned))
	if [[ $total -eq 0 ]]; then
		not_ok "$name: objdump finds no sites"
		return
	fi
	want_rc=0
	[[ $unaligned -gt 0 ]] && want_rc=1
	expect_eq "$name: exit status" "$want_rc" "$rc"
	expect_eq "$name: summary" \
		"$file: $total sites, $aligned aligned, $unaligned unaligned, 0 invalid" \
		"$(tail -n 1 out.txt)"
	expect_eq "$name: lines are addr2line's" \
		"$(expected_unaligned "$file")" "$(reported_unaligned out.txt)"
}

for cc in $TEST_COMPILERS; do
	compile $cc main-$cc.o -O2 -g "$FIX/main.c"
	for opt in O0 O2 Os; do
		for dw in 4 5; do
			o=$cc-$opt-dw$dw.o
			compile $cc $o -$opt -gdwarf-$dw "$FIX/calls.c"
			annotate $o
			check_file "$cc -$opt -gdwarf-$dw object" $o
		done
		$cc -o prog-$cc-$opt main-$cc.o $cc-$opt-dw$([[ $cc == gcc ]] && echo 4 || echo 5).o
		check_file "$cc -$opt program" prog-$cc-$opt
	done
done

# Compressed debug sections and one text section per function.
compile gcc gz.o -O2 -g -gz=zlib -ffunction-sections "$FIX/calls.c"
annotate gz.o
check_file "gcc -gz -ffunction-sections object" gz.o

# Position-independent: a shared library (through lld) and a PIE.
compile clang pic.o -O2 -g -fPIC "$FIX/calls.c"
compile clang main-pic.o -O2 -g -fPIC "$FIX/main.c"
annotate pic.o
clang -fuse-ld=lld -shared -o libcalls.so pic.o main-pic.o
check_file "clang lld shared library" libcalls.so
gcc -pie -o pie main-gcc.o pic.o
check_file "gcc PIE" pie
