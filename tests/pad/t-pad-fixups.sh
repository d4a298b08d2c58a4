#!/bin/bash
# The padding pass on hand-written assembly, one fix-up per function
# (tests/fixtures/pad/fixups.s): a rel8 jz relaxed to rel32, a loop that
# cannot be relaxed (site left unaligned, with the reason), PC-relative and
# absolute jump tables, local calls and a RIP-relative lea resolved by the
# assembler, a site with no NOP run after it, a site that ends its section.
# The padded object must disassemble to the same instructions (compare.py)
# and the program must print the same as the unpadded one, with GNU ld and
# lld.  A damaged object (relocation inside an instruction) is not padded.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/pad/pad-lib.sh"

build_pad_driver || { not_ok "build pad-driver"; exit 0; }
gcc -c "$PADFIX/fixups.s" -o fx.o || { not_ok "assemble"; exit 0; }
gcc -O1 -c "$PADFIX/main.c" -o main.o || { not_ok "compile main"; exit 0; }

expect_exit "driver pads" 0 ./pad-driver fx.o fxp.o > sites.txt
expect_eq "every site but the loop one aligned" 9 \
	"$(grep -c ' aligned$' sites.txt)"
expect "the loop site says why" grep -q 'unaligned a loop/jrcxz' sites.txt
expect "list: aligned after annotate" bash -c \
	"cp fxp.o ann.o && \$SCPATCH ann.o 2>/dev/null; \$SCPATCH list ann.o | grep -c ' aligned' | grep -qx 9"
expect "jz relaxed to rel32" bash -c \
	"objdump -d fxp.o | grep -A6 '<relax_fn>:' | grep -q '0f 84'"
expect "section grows when nothing absorbs" test \
	"$(section_hex fxp.o .text.end | wc -c)" -gt \
	"$(section_hex fx.o .text.end | wc -c)"
expect "same instructions, targets and FDEs" compare fx.o fxp.o

# The comparer itself must see a branch that lands one instruction off.
sed 's/^1:\tadd\t%ebx, %eax/\tadd\t%ebx, %eax\n1:/' "$PADFIX/fixups.s" > off.s
gcc -c off.s -o off.o
expect_exit "compare.py catches a wrong target" 1 compare fx.o off.o

gcc main.o fx.o -o plain && ./plain > want.txt
for ld in bfd lld; do
	gcc -fuse-ld=$ld main.o fxp.o -o padded-$ld &&
		./padded-$ld > got-$ld.txt
	expect "same output, padded, ld.$ld" cmp want.txt got-$ld.txt
done

# Damaged: a 16-bit relocation in the middle of an immediate.
cat > damaged.s <<'EOS'
	.text
	.globl dmg
	.type dmg, @function
dmg:	inc	%edi
	call	__SCT__sc_a
	mov	$0x12345678, %eax
	.reloc .-2, R_X86_64_16, dmg
	ret
EOS
gcc -c damaged.s -o damaged.o
expect_exit "damaged: driver runs" 0 ./pad-driver damaged.o damaged-p.o > dmg.txt
expect "damaged: site unaligned, reason given" \
	grep -q 'unaligned relocation inside an instruction' dmg.txt
expect_eq "damaged: code untouched" "$(section_hex damaged.o .text)" \
	"$(section_hex damaged-p.o .text)"

# An object annotated before (a table already there, as after ld -r): its
# entries follow their instructions, not the NOPs put before them.
cp fx.o tab.o && $SCPATCH --no-align tab.o 2>/dev/null
./pad-driver tab.o tabp.o > tabsites.txt
expect_eq "an existing table follows its sites" \
	"$(awk '{ split($1, a, "+"); print a[1] $3 }' tabsites.txt)" \
	"$($SCPATCH list tabp.o | awk '{ print $1 }')"

# Data in a code section (an STT_OBJECT whose bytes decode as a jmp) is
# never decoded as code: the section is not padded.
gcc -c "$PADFIX/data.s" -o data.o
./pad-driver data.o datap.o > data.txt
expect "data in code: the site says why" grep -q 'unaligned data in a code section' data.txt
expect_eq "data in code: section untouched" "$(section_hex data.o .text)" \
	"$(section_hex datap.o .text)"
