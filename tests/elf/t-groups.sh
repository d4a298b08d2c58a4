#!/bin/bash
# Object model on C++ COMDAT groups and on objects with more than 65280
# sections (extended section numbering, SHN_XINDEX, .symtab_shndx).
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/elf/elf-lib.sh"

FIX=$ROOT/tests/fixtures/elf
build_objtest || { not_ok "build objtest"; exit 0; }

SIG=_Z13shared_inlinei
for cxx in g++ clang++; do
	for opt in -O0 -O2; do
		tag="$cxx $opt"
		$cxx $opt -c "$FIX/comdat.cc" -o c1.o &&
		$cxx $opt -DSECOND -c "$FIX/comdat.cc" -o c2.o || { not_ok "$tag: compile"; continue; }
		want=$($cxx c1.o c2.o -o want.exe && ./want.exe)

		# A local symbol moves the globals that sign the groups.
		./objtest add-local c1.o l1.o scpatch_local
		expect_eq "$tag: groups unchanged after adding a local" \
			"$(readelf -gW c1.o)" "$(readelf -gW l1.o)"
		expect_eq "$tag: links and runs after adding a local" "$want" \
			"$($cxx l1.o c2.o -o got.exe && ./got.exe)"

		# A new section in the inline function's group, in both objects:
		# the linker keeps one copy of the group, new section included.
		./objtest add-to-group c1.o g1.o $SIG > /dev/null &&
		./objtest add-to-group c2.o g2.o $SIG > /dev/null
		expect "$tag: added to the group" grep -q .scpatch_grouped \
			<(readelf -gW g1.o | sed -n "/\[$SIG\]/,/^$/p")
		expect_eq "$tag: the group's old members stay" \
			"$(readelf -gW c1.o | sed -n "/\[$SIG\]/,/^$/p" | grep -c '\]   \.')" \
			"$(readelf -gW g1.o | sed -n "/\[$SIG\]/,/^$/p" | grep -v scpatch_grouped | grep -c '\]   \.')"
		for ld in bfd lld; do
			expect_eq "$tag: grouped objects link with $ld and run" "$want" \
				"$($cxx -fuse-ld=$ld g1.o g2.o -o got.exe && ./got.exe)"
			expect_eq "$tag: $ld kept one copy of the group" 8 \
				"$(( 0x$(readelf -SW got.exe | sed -nE 's/.*\] \.scpatch_grouped +[^ ]+ +[0-9a-f]+ [0-9a-f]+ ([0-9a-f]+) .*/\1/p') ))"
		done
	done
done

# 66001 functions, one section each: 132009 sections.
awk 'BEGIN {
	n = 66000
	for (i = 0; i < n; i++)
		printf ".section .text.f%d,\"ax\",@progbits\n.globl f%d\n.type f%d,@function\nf%d: call f%d\n ret\n", i, i, i, i, (i + 1) % n
	print ".section .text.main,\"ax\",@progbits\n.globl main\n.type main,@function\nmain: xor %eax,%eax\n ret"
	print ".section .note.GNU-stack,\"\",@progbits"
}' > big.s
as big.s -o big.o || { not_ok "assemble many sections"; exit 0; }
expect "fixture uses extended numbering" grep -q '0 (13' <(readelf -h big.o)
./objtest rewrite big.o same.o && cmp -s big.o same.o
expect_eq "many sections: rewritten byte for byte" 0 $?
./objtest add-local big.o new.o scpatch_high .text.f65990
secidx=$(readelf -SW big.o | sed -nE 's/^ +\[ *([0-9]+)\] \.text\.f65990 .*/\1/p')
expect_eq "many sections: new local in section $secidx" "$secidx" \
	"$(readelf -sW new.o | awk '$8 == "scpatch_high" { print $7 }')"
expect_eq "many sections: globals keep their sections" \
	"$(readelf -sW big.o | awk '$8 ~ /^f6599/ { print $7, $8 }')" \
	"$(readelf -sW new.o | awk '$8 ~ /^f6599/ { print $7, $8 }')"
expect_eq "many sections: relocations name the same symbols" \
	"$(objdump -r big.o | tail -n +3 | md5sum)" "$(objdump -r new.o | tail -n +3 | md5sum)"
expect_eq "many sections: links and runs" 0 \
	"$(gcc new.o -o big.exe && ./big.exe; echo $?)"
