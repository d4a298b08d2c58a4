#!/bin/bash
# The padding pass on real C (tests/fixtures/pad/prog.c and the site
# fixtures' calls.c): gcc and clang, -O0..-O3, -fPIC, and -fno-pic with
# -ffunction-sections.  Every site is aligned or has a reason; the padded
# object disassembles to the same instructions with the same targets and
# the same FDE rows (compare.py); annotated, linked and run it prints what
# the unpadded program prints; gdb unwinds from a target called by a padded
# site.  With -g (DWARF 4 and 5, -gz) lines and ranges stay true; split
# DWARF is refused.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/pad/pad-lib.sh"

build_pad_driver || { not_ok "build pad-driver"; exit 0; }

total=0 aligned=0
for cc in $TEST_COMPILERS; do
	$cc -O1 -c "$PADFIX/prog_main.c" -o main-$cc.o
	for O in 0 1 2 3; do
		for v in "-fPIC" "-fno-pic -ffunction-sections"; do
			tag="$cc -O$O $v"
			link=; [[ $v == -fPIC ]] || link=-no-pie
			$cc -O$O $v -c "$PADFIX/prog.c" -o in.o
			if ! ./pad-driver in.o out.o > sites.txt; then
				not_ok "$tag: driver"
				continue
			fi
			total=$((total + $(wc -l < sites.txt)))
			aligned=$((aligned + $(grep -c ' aligned$' sites.txt)))
			if grep ' unaligned$' sites.txt; then
				not_ok "$tag: unaligned site without a reason"
			fi
			if ! compare in.o out.o; then
				not_ok "$tag: padded code differs"
				continue
			fi
			cp out.o ann.o
			$SCPATCH ann.o 2>/dev/null ||
				{ not_ok "$tag: annotate"; continue; }
			$cc main-$cc.o in.o -o plain $link && ./plain > want.txt
			$cc main-$cc.o ann.o -o padded $link &&
				./padded > got.txt
			if cmp -s want.txt got.txt; then
				ok "$tag: padded, same output"
			else
				not_ok "$tag: output differs"
			fi
		done
	done
done
echo "$aligned of $total sites aligned"
expect "at least 99.9% of sites aligned ($aligned/$total)" \
	test $((aligned * 1000)) -ge $((total * 999))

# gdb: a breakpoint in a static call target, reached from a padded site
# in the middle of a loop, unwinds through the padded caller (.eh_frame).
gcc -O2 -c "$PADFIX/prog.c" -o g.o && ./pad-driver g.o gp.o > /dev/null
gcc -O0 -g -c "$PADFIX/prog_main.c" -o gm.o && gcc gm.o gp.o -o gprog
bt=$(gdb -q -batch -ex 'break note' -ex run -ex bt ./gprog 2>&1)
expect "gdb: the caller is the padded sum_loop" \
	grep -qE '^#1 .* in sum_loop ' <<< "$bt"
expect "gdb: the backtrace reaches main" grep -qE '^#2 .* in main ' <<< "$bt"

# DWARF follows the code: for every instruction addr2line gives the same
# function, file and line, and every DWARF range (functions, blocks,
# location and range lists) covers the same instructions; clang's objects
# pass llvm-dwarfdump --verify (it does not finish on gcc 12's here).
for cc in $TEST_COMPILERS; do
	for v in "-O2 -g" "-O3 -g -fPIC -ffunction-sections" "-O0 -gdwarf-4" \
		 "-O1 -g -gz"; do
		tag="$cc $v"
		$cc $v -c "$PADFIX/prog.c" -o d.o
		./pad-driver d.o dp.o > dsites.txt || { not_ok "$tag: driver"; continue; }
		expect "$tag: every site aligned or with a reason" \
			bash -c "! grep -q ' unaligned\$' dsites.txt"
		expect "$tag: same code, lines and ranges" \
			timeout 120 python3 "$ROOT/tests/pad/compare.py" --lines d.o dp.o
		if [[ $cc == clang ]]; then
			expect "$tag: llvm-dwarfdump --verify" bash -c \
				"timeout 30 llvm-dwarfdump --verify dp.o | grep -q '^No errors'"
		fi
		$cc $v -c "$PADFIX/prog_main.c" -o dm.o
		$cc dm.o d.o -o dplain && ./dplain > dwant.txt
		$cc dm.o dp.o -o dpadded && ./dpadded > dgot.txt
		expect "$tag: same output" cmp dwant.txt dgot.txt
	done
	echo "$cc -g: $(grep -c ' aligned$' dsites.txt) of $(wc -l < dsites.txt) aligned"
done

# gdb with debug information: the same backtrace, by file and line.
gcc -O2 -g -c "$PADFIX/prog.c" -o g.o && ./pad-driver g.o gp.o > /dev/null
gcc -O0 -g -c "$PADFIX/prog_main.c" -o gm.o
gcc gm.o g.o -o gplain && gcc gm.o gp.o -o gpadded
frames() {
	gdb -q -batch -ex 'break note' -ex run -ex bt "$1" 2>&1 |
		grep '^#' | sed -E 's/0x[0-9a-f]+ in //'
}
expect_eq "gdb -g: same backtrace (file:line)" "$(frames ./gplain)" \
	"$(frames ./gpadded)"
expect "gdb -g: the backtrace names prog.c" grep -q 'prog.c:' <<< "$(frames ./gpadded)"

# Split DWARF keeps code offsets in .dwo files: refused, code untouched.
gcc -O2 -g -gsplit-dwarf -c "$PADFIX/prog.c" -o s.o
./pad-driver s.o sp.o > ssites.txt
expect "split DWARF: sites say why" grep -q 'unaligned split DWARF' ssites.txt
expect_eq "split DWARF: .text untouched" "$(section_hex s.o .text)" \
	"$(section_hex sp.o .text)"

# C++ exceptions: the call-site tables of functions with an LSDA follow
# the code (pad_lsda.c), and exceptions still land where they should.
gcc -c "$PADFIX/except_main.c" -o em.o
for cxx in g++ clang++; do
	for O in -O0 "-O2 -g"; do
		tag="$cxx $O"
		$cxx $O -c "$PADFIX/except.cc" -o x.o
		./pad-driver x.o xp.o > xsites.txt
		expect "$tag: every site aligned, LSDA functions too" \
			bash -c "! grep -q unaligned xsites.txt"
		expect "$tag: same code, FDEs, lines and ranges" \
			timeout 120 python3 "$ROOT/tests/pad/compare.py" --lines x.o xp.o
		g++ em.o x.o -o xplain && ./xplain > xwant.txt
		g++ em.o xp.o -o xpadded && ./xpadded > xgot.txt
		expect "$tag: same output, exceptions caught" cmp xwant.txt xgot.txt
		expect "$tag: an exception was caught" grep -qE '^[0-9]{3,} ' xgot.txt
	done
done
