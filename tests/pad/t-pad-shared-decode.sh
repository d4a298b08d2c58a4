#!/bin/bash
# annotate's site finder uses the padding pass's decode of a code section
# (pad_insn_starts) only where the function it would decode from starts on
# one of its boundaries: the sites are those found with --no-align.
. "$ROOT/tests/lib.sh"

gcc -c "$ROOT/tests/fixtures/pad/desync.s" -o d.o || { not_ok "assemble"; exit 0; }
cp d.o pad.o && cp d.o noalign.o
expect "annotate pads" "$SCPATCH" pad.o
expect "annotate --no-align" "$SCPATCH" --no-align noalign.o
expect_eq "the call in fn is a site" 1 \
	"$("$SCPATCH" list pad.o | grep -c '^\.text+0x1 sc_a call')"
expect_eq "the same sites as with --no-align" \
	"$("$SCPATCH" list noalign.o)" "$("$SCPATCH" list pad.o)"
expect "the pass says why it left the section" \
	grep -q 'relocation inside an instruction' <("$SCPATCH" list --why pad.o)
# the decode made for the finder says nothing (a section it cannot decode
# is decoded again, and refused, by the pass); what the pass finds after it
# it says, with -v
cp d.o verbose.o
expect "-v: the pass's refusal is printed" grep -q \
	'\.text: not padded: relocation at +0x2 is not on a displacement' \
	<("$SCPATCH" -v verbose.o 2>&1)
