#!/bin/bash
# Objects built for the JCC erratum (gas -mbranches-within-32B-boundaries,
# clang's option of the same name) have no jump crossing or ending at a
# 32-byte boundary; padding moves jumps and does not keep that, so it says
# so (tools/scpatch/pad_jcc.c): one warning line naming the object and the
# section.  Real C (scpatch's own pad_relocs.c, calls
# turned into static calls as in t-pad-real.sh), gcc and clang, with and
# without the option; jumps are counted independently with `scpatch
# decode` (the decoder, not the pass).
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/pad/pad-lib.sh"

build_pad_driver || { not_ok "build pad-driver"; exit 0; }
src=$ROOT/tools/scpatch

# Jumps (jcc, direct jmp: what the option aligns) of .text in $1 that cross or end at a
# 32-byte boundary.
crossing() {
	"$SCPATCH" decode "$1" .text | python3 -c '
import sys
n = 0
for line in sys.stdin:
    f = line.split()
    if len(f) >= 3 and f[2] in ("jcc", "jmp"):
        s = int(f[0].split("+")[1], 16)
        e = s + int(f[1])
        n += s // 32 != (e - 1) // 32 or e % 32 == 0
print(n)'
}

warning='scpatch: in.o: \.text: \([0-9]*\) of [0-9]* jumps now cross or end at a 32-byte boundary; the object was built with -mbranches-within-32B-boundaries'
for cc in gcc clang; do
	jcc=-mbranches-within-32B-boundaries
	[[ $cc == gcc ]] && jcc=-Wa,$jcc
	for f in pad_relocs.c; do
		for opt in "" "$jcc"; do
			tag="$cc ${opt:-(plain)} $f"
			$cc -std=gnu11 -O2 $opt -I"$src" -I"$ROOT/runtime" \
				$(pkg-config --cflags libelf) -c "$src/$f" -o o.o ||
				{ not_ok "$tag: compile"; continue; }
			objcopy "${SELF_STATIC_CALLS[@]}" o.o in.o
			./pad-driver in.o out.o > sites.txt 2> err.txt ||
				{ not_ok "$tag: driver"; continue; }
			before=$(crossing in.o) after=$(crossing out.o)
			if [[ -z $opt ]]; then
				expect "$tag: jumps cross boundaries by chance ($before)" \
					test "$before" -gt 0
				expect "$tag: no warning" bash -c "! grep -q 32-byte err.txt"
				continue
			fi
			expect_eq "$tag: no jump crosses a boundary before" 0 "$before"
			expect "$tag: some do after padding ($after)" test "$after" -gt 0
			expect_eq "$tag: one warning line" 1 "$(grep -c 32-byte err.txt)"
			n=$(sed -n "s/^$warning.*/\1/p" err.txt)
			expect "$tag: the warning counts them (${n:-none} >= $after)" \
				test "${n:-0}" -ge "$after"
		done
	done
done
