#!/bin/bash
# Command-line behaviour shared by the subcommands: unknown options named in
# one line of ours, output errors are failures, and a table that ld -r
# merged and annotate split is left alone on the next run.
. "$ROOT/tests/lib.sh"
FIX=$ROOT/tests/fixtures/sites

gcc -O2 -I"$FIX" -c "$FIX/calls.c" -o calls.o || { not_ok "compile"; exit 0; }
"$SCPATCH" calls.o || not_ok "annotate calls.o"

for cmd in "" list check; do
	"$SCPATCH" $cmd --bogus calls.o > out.txt 2> err.txt
	expect_eq "${cmd:-annotate}: unknown option: exit 2" 2 $?
	expect "${cmd:-annotate}: unknown option named once, by us" \
		test "$(grep -c "bogus" err.txt)" -eq 1 -a "$(grep -vc '^scpatch: \|^Try ' err.txt)" -eq 0
done

# Options may follow the files. "scpatch IN -o OUT" once annotated IN in
# place and then failed on "-o" as a file name.
gcc -O2 -I"$FIX" -c "$FIX/calls.c" -o late.o && cp late.o late-orig.o
"$SCPATCH" late.o -o late-out.o 2> err.txt
expect_eq "IN -o OUT: exit 0" 0 $?
expect "IN -o OUT: IN untouched" cmp late-orig.o late.o
expect "IN -o OUT: OUT annotated" test -s late-out.o -a "$("$SCPATCH" list late-out.o | wc -l)" -gt 0
expect "list FILE --json: JSON" \
	bash -c "'$SCPATCH' list late-out.o --json | python3 -m json.tool > /dev/null"
expect "check FILE --json: JSON" \
	bash -c "'$SCPATCH' check late-out.o --json | python3 -m json.tool > /dev/null"

# A listing or report that cannot be written is no pass.
for args in "list calls.o" "list --json calls.o" "check calls.o" "check --sarif calls.o" "decode calls.o"; do
	expect_exit "$args > /dev/full: exit 2" 2 bash -c "'$SCPATCH' $args > /dev/full"
done

# ld -r merges the per-section fragments; annotate splits them (the merged
# table shrinks) and a second run must find nothing to change.
gcc -O2 -ffunction-sections -I"$FIX" -c "$FIX/calls.c" -o fs.o && "$SCPATCH" fs.o &&
	ld -r -o merged.o fs.o && "$SCPATCH" merged.o || not_ok "ld -r and annotate"
touch -d '2001-01-01' merged.o
cp -p merged.o before.o
"$SCPATCH" merged.o
expect "annotating a split ld -r table again: same bytes" cmp before.o merged.o
expect_eq "annotating a split ld -r table again: not rewritten" \
	"$(stat -c %Y before.o)" "$(stat -c %Y merged.o)"

# Several inputs: each on its own; the bad one is named and untouched.
gcc -O2 -I"$FIX" -c "$FIX/calls.c" -o a.o && cp a.o c.o && cp a.o a-orig.o
head -c 100 a.o > bad.o && cp bad.o bad-orig.o
"$SCPATCH" a.o bad.o c.o 2> err.txt
expect_eq "several inputs, one bad: exit 2" 2 $?
expect_eq "several inputs, one bad: one line, naming it" "1 1" \
	"$(wc -l < err.txt) $(grep -c '^scpatch: bad.o: ' err.txt)"
expect "several inputs, one bad: the bad one untouched" cmp bad-orig.o bad.o
expect "several inputs, one bad: the others annotated" \
	test "$("$SCPATCH" list a.o | wc -l)" -gt 0 -a "$("$SCPATCH" list c.o | wc -l)" -gt 0

# JSON stays valid whatever bytes a symbol name holds.
gcc -O2 -I"$FIX" -c "$FIX/calls.c" -o raw.o &&
	objcopy --redefine-sym "__SCT__sc_a=__SCT__sc_$(printf '\xff')" \
		--redefine-sym "__SCK__sc_a=__SCK__sc_$(printf '\xff')" raw.o &&
	"$SCPATCH" raw.o || not_ok "a static call named with a non-UTF-8 byte"
expect "list --json: valid JSON with a non-UTF-8 name" \
	bash -c "'$SCPATCH' list --json raw.o | python3 -m json.tool > /dev/null"
expect "list --json: the byte became U+FFFD" \
	grep -q 'sc_\\ufffd' <("$SCPATCH" list --json raw.o)
