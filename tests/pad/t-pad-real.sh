#!/bin/bash
# The padding pass on real code: sources of scpatch itself (the x86
# decoder, the DWARF and relocation passes), compiled by gcc and clang at
# -O2 -g and -O3 -ffunction-sections -g, with their calls of libc and of
# each other turned into static calls (objcopy --redefine-sym, as
# DEVELOPERS.md does for code bases), so that hundreds of sites sit in real
# functions, and the output of ld -r of two such objects.  Every site must be aligned or have a reason, and the padded
# objects must keep their instructions, targets, FDEs, lines and DWARF
# ranges (compare.py --lines).
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/pad/pad-lib.sh"

build_pad_driver || { not_ok "build pad-driver"; exit 0; }
src=$ROOT/tools/scpatch

total=0 aligned=0
for cc in $TEST_COMPILERS; do
	for v in "-O2 -g" "-O3 -g -ffunction-sections"; do
		for f in arch/x86/decode.c dwarf_fix.c pad_relocs.c; do
			tag="$cc $v $(basename $f)"
			$cc -std=gnu11 $v -I"$src" -I"$ROOT/runtime" \
				$(pkg-config --cflags libelf) -c "$src/$f" -o o.o ||
				{ not_ok "$tag: compile"; continue; }
			objcopy "${SELF_STATIC_CALLS[@]}" o.o in.o
			if ! ./pad-driver in.o out.o > sites.txt; then
				not_ok "$tag: driver"
				continue
			fi
			total=$((total + $(wc -l < sites.txt)))
			aligned=$((aligned + $(grep -c ' aligned$' sites.txt)))
			expect "$tag: unaligned sites have reasons" \
				bash -c "! grep -q ' unaligned\$' sites.txt"
			expect "$tag: same code, FDEs, lines and ranges" \
				timeout 120 python3 "$ROOT/tests/pad/compare.py" \
				--lines in.o out.o
		done
	done
done
# ld -r output: several compile units in one object.
for f in dwarf_line.c pad_layout.c; do
	gcc -std=gnu11 -O2 -g -I"$src" -c "$src/$f" -o "part-${f%.c}.o"
done
ld -r part-*.o -o joined.o && objcopy "${SELF_STATIC_CALLS[@]}" joined.o in.o
./pad-driver in.o out.o > sites.txt
total=$((total + $(wc -l < sites.txt)))
aligned=$((aligned + $(grep -c ' aligned$' sites.txt)))
expect "ld -r: every site aligned" bash -c "! grep -q unaligned sites.txt"
expect "ld -r: same code, FDEs, lines and ranges" \
	timeout 120 python3 "$ROOT/tests/pad/compare.py" --lines in.o out.o

echo "$aligned of $total sites aligned"
expect "sites found ($total)" test "$total" -gt 200
expect "at least 99% aligned ($aligned/$total)" \
	test $((aligned * 100)) -ge $((total * 99))
