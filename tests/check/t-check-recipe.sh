#!/bin/bash
# The Makefile recipe of docs/check.md, taken from the document as it is,
# on a program that uses the installed runtime (make install into the
# scratch directory, pkg-config): the objects are annotated, the program
# runs and patches, check-static-calls runs the gate on it; a failing
# annotate leaves no object that make would take as up to date.
. "$ROOT/tests/lib.sh"

inst=$PWD/inst
if ! make -s -C "$ROOT" BUILD="$BUILD" PREFIX="$inst" install > install.log 2>&1; then
	not_ok "make install PREFIX=$inst"
	tail -n 20 install.log
	exit 0
fi
export PATH=$inst/bin:$PATH PKG_CONFIG_PATH=$inst/lib/pkgconfig
export LD_LIBRARY_PATH=$inst/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

# The first ```make block after the recipe heading.
sed -n '/^## Makefile recipe/,$p' "$ROOT/docs/check.md" |
	sed -n '/^```make$/,/^```$/p' | sed '1d;$d' > Makefile
expect "recipe found in docs/check.md" grep -q 'scpatch\|SCPATCH' Makefile
cp "$ROOT"/tests/fixtures/check/recipe/* .

make prog > make.log 2>&1
expect_eq "make prog" 0 $?
expect_eq "no temporary object left" "" "$(ls *.tmp.o 2>/dev/null)"
for o in main.o driver.o; do
	expect "$o annotated" readelf -SW $o | grep -q ' \.static_call_sites '
done
expect_eq "the program runs and patches" "3 6" "$(./prog)"

make check-static-calls > check.log 2>&1
rc=$?
cat check.log
summary=$(grep -E '^prog: [0-9]+ sites' check.log)
expect "check-static-calls ran scpatch check on prog" test -n "$summary"
unaligned=$(sed -nE 's/.* ([0-9]+) unaligned.*/\1/p' <<< "$summary")
expect "no invalid or unannotated sites" \
	grep -qE ' 0 invalid$' <<< "$summary"
# Exit 0 exactly when nothing is unaligned (annotate pads when it can).
if [[ "$unaligned" == 0 ]]; then
	expect_eq "check-static-calls: exit 0 when all aligned" 0 $rc
else
	expect "check-static-calls: make fails when sites are unaligned" test $rc -ne 0
fi

# A failing annotate leaves nothing that looks up to date: not a first
# build (no object at all), not a rebuild (the old object stays older).
rm -f driver.o
make driver.o SCPATCH=false > fail.log 2>&1
expect "failing annotate fails the build" test $? -ne 0
expect "failing annotate, first build: no driver.o" test ! -e driver.o
make driver.o > again.log 2>&1
sleep 1
touch driver.c
make driver.o SCPATCH=false > fail.log 2>&1
expect "failing annotate, rebuild: driver.o not up to date" \
	test "$(make -q driver.o; echo $?)" -ne 0
make driver.o > again.log 2>&1
expect "the next make annotates driver.o" readelf -SW driver.o | grep -q ' \.static_call_sites '
