#!/bin/bash
# gdb breakpoints on source lines stop on the same instructions after
# padding: a temporary breakpoint on every line of prog.c, in the program
# linked with the unpadded and with the padded object, gcc and clang,
# -O0/-O2/-O3, DWARF 4 and 5; each stop gives its function, line and
# instruction (gdb-stops.py), and the two sequences must be equal.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/pad/pad-lib.sh"

export STOPS_SOURCE=prog.c
export STOPS_LAST_LINE=$(wc -l < "$PADFIX/prog.c")
stops() {
	gdb -q -batch -x "$ROOT/tests/pad/gdb-stops.py" "$1" 2>&1 |
		grep '^stop '
}
for cc in $TEST_COMPILERS; do
	$cc -O0 -g -c "$PADFIX/prog_main.c" -o main.o
	for v in "-O0 -g" "-O2 -gdwarf-4" "-O3 -g -ffunction-sections"; do
		tag="$cc $v"
		$cc $v -c "$PADFIX/prog.c" -o d.o &&
			"$SCPATCH" -v -o dp.o d.o 2> notes.txt ||
			{ not_ok "$tag: compile and annotate"; continue; }
		expect "$tag: padding moved code" grep -q ': padded, ' notes.txt
		$cc main.o d.o -o plain && $cc main.o dp.o -o padded ||
			{ not_ok "$tag: link"; continue; }
		stops ./plain > want.txt
		stops ./padded > got.txt
		expect "$tag: at least 20 breakpoint stops ($(wc -l < want.txt))" \
			test "$(wc -l < want.txt)" -ge 20
		expect "$tag: breakpoints stop on the same instructions" \
			diff want.txt got.txt
	done
done
