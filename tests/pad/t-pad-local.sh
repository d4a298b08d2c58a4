#!/bin/bash
# Refusals are local (tests/fixtures/pad/local.s): a function of .text with
# a reference into the middle of an instruction keeps its site unaligned,
# with the reason, and is not changed; a data object whose bytes decode as
# a jmp is not changed; the sites of the other functions of the same
# section are padded.  The program prints the same, padded or not (with
# GNU ld and lld), so the frozen code, the pointer into it and the data
# moved together.  data.s: a data object whose "jmp" would change keeps
# the site before it unaligned.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/pad/pad-lib.sh"

build_pad_driver || { not_ok "build pad-driver"; exit 0; }
gcc -c "$PADFIX/local.s" -o l.o || { not_ok "assemble"; exit 0; }
gcc -O1 -c "$PADFIX/local_main.c" -o main.o || { not_ok "compile main"; exit 0; }

expect_exit "driver pads" 0 ./pad-driver l.o lp.o > sites.txt
expect_eq "the sites outside odd_fn are aligned" 4 \
	"$(grep -c ' aligned$' sites.txt)"
expect "the odd_fn site says why" \
	grep -q '^.text+0xc .*unaligned a reference points inside an instruction' sites.txt
# The bytes of symbol $2 of object $1, in hex.
sym_hex() {
	local v s
	read -r v s < <(nm -S "$1" | awk -v n="$2" '$4 == n { print $1, $2 }')
	section_hex "$1" .text | cut -c$((2 * 0x$v + 1))-$((2 * (0x$v + 0x$s)))
}
expect_eq "odd_fn bytes unchanged" "$(sym_hex l.o odd_fn)" "$(sym_hex lp.o odd_fn)"
expect_eq "blob bytes unchanged" 0f0bebfc "$(sym_hex lp.o blob)"
expect "odd_fn moved as one block" test "$(nm lp.o | grep -c '[0-9a-f]*b T odd_fn')" = 1
expect "same instructions, targets" compare l.o lp.o

gcc main.o l.o -o plain && ./plain > want.txt
for ld in bfd lld; do
	gcc -fuse-ld=$ld main.o lp.o -o padded-$ld &&
		./padded-$ld > got-$ld.txt
	expect "same output, padded, ld.$ld" cmp want.txt got-$ld.txt
done

gcc -c "$PADFIX/data.s" -o data.o
./pad-driver data.o datap.o > data.txt
expect "data in code: the site says why" grep -q 'unaligned data in a code section' data.txt
expect_eq "data in code: section untouched" "$(section_hex data.o .text)" \
	"$(section_hex datap.o .text)"
