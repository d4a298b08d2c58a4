#!/bin/bash
# FDEs that must grow (tests/fixtures/pad/eh-grow.s): each CFA program
# fills its FDE exactly (no DW_CFA_nop to take bytes from) and padding the
# site pushes a DW_CFA_advance_loc past 63 bytes.  The sites must be
# aligned, .eh_frame rebuilt (the FDE grown by the section's alignment,
# the next FDE's CIE pointer and pc_begin relocation moved, a symbol in
# .eh_frame moved), the CFA rows the same (compare.py), readelf silent,
# and the linked program's unwinder (backtrace(3)) and gdb find the same
# callers as in the unpadded program.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/pad/pad-lib.sh"

build_pad_driver || { not_ok "build pad-driver"; exit 0; }
gcc -c "$PADFIX/eh-grow.s" -o in.o || { not_ok "assemble"; exit 0; }
gcc -O1 -c "$PADFIX/eh-grow-main.c" -o main.o || { not_ok "compile main"; exit 0; }

# The fixture is what it says: FDEs without DW_CFA_nop, advances near 63.
expect_eq "fixture: no DW_CFA_nop in its FDEs" 0 \
	"$(readelf -wf in.o | awk '/ FDE /{f=1} f && /DW_CFA_nop/' | wc -l)"
expect "fixture: an advance of more than 60 bytes" \
	grep -qE 'DW_CFA_advance_loc: 6[0-3] ' <(readelf -wf in.o)

expect_exit "driver pads" 0 ./pad-driver in.o drv.o > sites.txt
expect_eq "both sites aligned" 2 "$(grep -c ' aligned$' sites.txt)"

# A symbol at the start of the second FDE (named independently of
# scpatch: by readelf's offset of the FDE of grow_b).
fde_of() {	# OBJ FUNC-START-HEX: .eh_frame offset of the FDE starting there
	readelf -wf "$1" | awk -v pc="pc=$(printf '%016x' "$2")" \
		'/ FDE / && index($0, pc) { print $1; exit }'
}
b_start=$(nm in.o | awk '$3 == "grow_b" { print $1 }')
objcopy --add-symbol eh_mark=.eh_frame:0x$(fde_of in.o $((16#$b_start))),local \
	in.o sym.o
$SCPATCH -o out.o sym.o 2> err.txt
expect_eq "annotate pads" 0 $?
expect_eq "list: both sites aligned" 2 "$($SCPATCH list out.o | grep -c ' aligned$')"
nb_start=$(nm out.o | awk '$3 == "grow_b" { print $1 }')
expect_eq "the symbol in .eh_frame follows its FDE" \
	"$((16#$(fde_of out.o $((16#$nb_start)))))" \
	"$((16#$(readelf -sW out.o | awk '$8 == "eh_mark" { print $2 }')))"

expect "same instructions, targets and CFA rows" compare in.o out.o
expect "the driver's output has the same CFA rows" compare in.o drv.o
expect "an advance re-encoded with DW_CFA_advance_loc1" \
	grep -q 'DW_CFA_advance_loc1' <(readelf -wf out.o)
odd=0
lengths=$(readelf -wf out.o | awk '/ FDE / { print $2 }')
for l in $lengths; do (( (16#$l + 4) % 8 )) && odd=$((odd + 1)); done
expect_eq "FDE sizes stay multiples of 8" "2 0" \
	"$(wc -w <<< "$lengths") $odd"
readelf --debug-dump=frames in.o 2>&1 >/dev/null | sort > warn-in.txt
readelf --debug-dump=frames out.o 2>&1 >/dev/null | sort > warn-out.txt
expect "readelf --debug-dump=frames: nothing new" cmp warn-in.txt warn-out.txt
expect "readelf: the CIE pointers resolve" \
	bash -c "! readelf -wf out.o | grep -q 'invalid\|bad CIE'"

# Linked without the table (the driver's output): the runtime is not
# what this tests.
gcc -rdynamic main.o in.o -o plain && ./plain > want.txt
expect "the plain program unwinds to main" grep -q 'target: grow_target grow_b main' want.txt
for ld in bfd lld; do
	gcc -rdynamic -fuse-ld=$ld main.o drv.o -o padded-$ld &&
		./padded-$ld > got-$ld.txt
	expect "same output and backtraces, padded, ld.$ld" cmp want.txt got-$ld.txt
done

frames() {
	gdb -q -batch -ex 'break grow_target' -ex 'break grow_note' -ex run \
		-ex bt -ex c -ex bt -ex c -ex bt "$1" 2>&1 |
		sed -n 's/^#\([0-9]\) .* in \([a-z_]*\) .*/\1 \2/p'
}
frames ./plain > gdb-want.txt
expect "gdb: the unpadded backtraces pass through grow_a and grow_b" \
	bash -c "grep -q '1 grow_a' gdb-want.txt && grep -q '1 grow_b' gdb-want.txt"
expect_eq "gdb: same backtraces through the grown FDEs" \
	"$(cat gdb-want.txt)" "$(frames ./padded-bfd)"

# Other sections refer into .eh_frame (a .quad in .data, a lea in code):
# then no FDE grows, the sites that would need it stay unaligned with the
# reason, and those references stay as they were.
gcc -c -Wa,--defsym,EH_REFS=1 "$PADFIX/eh-grow.s" -o refs.o
refs() {
	readelf -rW "$1" | awk '$5 == ".eh_frame" { print $3, $7 }'
}
expect_eq "fixture: two references into .eh_frame" 2 "$(refs refs.o | wc -l)"
expect_exit "referenced .eh_frame: driver runs" 0 ./pad-driver refs.o refsp.o > refs.txt
expect_eq "referenced .eh_frame: the sites stay unaligned, with the reason" 2 \
	"$(grep -c 'unaligned a CFA advance would not fit in its FDE (other sections refer into .eh_frame)' refs.txt)"
expect_eq "referenced .eh_frame: references unchanged" "$(refs refs.o)" "$(refs refsp.o)"
expect "referenced .eh_frame: same instructions and CFA rows" compare refs.o refsp.o
