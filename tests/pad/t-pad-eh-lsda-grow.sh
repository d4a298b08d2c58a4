#!/bin/bash
# An LSDA call-site length that outgrows its ULEB128 when its site is
# padded (tests/fixtures/pad/eh-lsda-grow.s: a 126-byte call site, a C
# cleanup without type table or actions).  The site must be aligned, the
# LSDA written anew at the end of .gcc_except_table with the FDE pointing
# there, the call sites naming the same instructions (eh-lsda-compare.py),
# the CFA rows the same (compare.py), and a forced unwind (pthread_exit
# in the static call target) must still run the landing pad.  The
# translation validation must accept the moved LSDA (annotating it) and
# refuse one whose call-site length is wrong (SCPATCH_FAULT=lsda-length,
# the fault-injecting build of t-pad-validate.sh), naming the place.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/pad/pad-lib.sh"

build_pad_driver || { not_ok "build pad-driver"; exit 0; }
gcc -c "$PADFIX/eh-lsda-grow.s" -o in.o || { not_ok "assemble"; exit 0; }
gcc -O1 -c "$PADFIX/eh-lsda-grow-main.c" -o main.o || { not_ok "compile main"; exit 0; }
lsda_compare() {
	python3 "$PADFIX/eh-lsda-compare.py" "$@"
}

expect "fixture: a call site of 126 bytes (one ULEB128 byte)" \
	grep -q 'ffff0105 0c7e' <(readelf -x .gcc_except_table in.o)

expect_exit "driver pads" 0 ./pad-driver in.o out.o > sites.txt
expect_eq "the site is aligned" 1 "$(grep -c ' aligned$' sites.txt)"
size() {
	readelf -SW "$1" | awk '{ sub(/^ *\[ *[0-9]+\] */, "") }
		$1 == ".gcc_except_table" { print $5 }'
}
expect "the LSDA is written anew after the old one" \
	test $((16#$(size out.o))) -gt $((16#$(size in.o)))
expect "same call sites and landing pads" lsda_compare in.o out.o
expect "same instructions, targets and CFA rows" compare in.o out.o
cp in.o ann.o && $SCPATCH ann.o 2> /dev/null
expect_eq "annotate: the site is aligned" 1 \
	"$($SCPATCH list ann.o | grep -c ' aligned$')"
expect "annotate: LSDA moved" \
	test $((16#$(size ann.o))) -gt $((16#$(size in.o)))
expect "annotate: same call sites and landing pads" lsda_compare in.o ann.o

if build_fault_tool; then
	cp in.o work.o
	SCPATCH_FAULT=lsda-length ./scpatch-fault work.o 2> err.txt
	expect_eq "fault lsda-length: refused" 2 $?
	expect "fault lsda-length: says where" grep -q "^scpatch: work.o: padding: translation validation failed: FDE of \.text[^ ]*+0x[0-9a-f]* (\.eh_frame+0x[0-9a-f]*): its LSDA moved to \.gcc_except_table+0x[0-9a-f]*: call site 0 (+0x[0-9a-f]* length 0x7e pad 0x[0-9a-f]* before) is not the old one mapped" err.txt ||
		cat err.txt
	expect "fault lsda-length: input left as it was" cmp -s in.o work.o
	expect_exit "no fault: annotated" 0 ./scpatch-fault -o got.o in.o
else
	not_ok "fault-injecting build links"
fi

# The comparer must see a call site that ends one byte early.
python3 - out.o bad.o <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
i = d.rindex(bytes.fromhex('ffff0106'))
d[i + 5] -= 1
open(sys.argv[2], 'wb').write(d)
PY
expect_exit "eh-lsda-compare.py catches a wrong length" 1 lsda_compare in.o bad.o

gcc main.o in.o -o plain -lpthread && ./plain > want.txt
expect "the plain program runs the cleanup" grep -q 'cleanup 3' want.txt
for ld in bfd lld; do
	gcc -fuse-ld=$ld main.o out.o -o padded-$ld -lpthread &&
		./padded-$ld > got-$ld.txt
	expect "same output and cleanup, padded, ld.$ld" cmp want.txt got-$ld.txt
	gcc -fuse-ld=$ld main.o ann.o -o ann-$ld -lpthread \
		$(PKG_CONFIG_PATH=$BUILD/runtime/pkgconfig pkg-config --libs scpatch) &&
		./ann-$ld > ann-$ld.txt
	expect "same output and cleanup, annotated, ld.$ld" \
		cmp want.txt ann-$ld.txt
done
