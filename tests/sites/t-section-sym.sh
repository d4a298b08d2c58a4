#!/bin/bash
# Local trampolines: the assembler writes a reference to a local symbol as
# section symbol + addend (here .static_call.text-4 and +4), and objtool 6.1
# ignores them.  The fixture's caller (hand-written, local_tramp.s) has
# `call __SCT__first` at +0x1, `call __SCT__second` at +0x6 and
# `jmp __SCT__second` at +0x10; the trampolines' addresses in their keys
# (R_X86_64_64, data) are no sites.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/sites/sites-lib.sh"

gcc -c "$FIX/local_tramp.s" -o lt.o || { not_ok "assemble"; exit 0; }
expect "the assembler refers to the trampolines through their section symbol" \
	test "$(readelf -rW lt.o | grep -c 'R_X86_64_PC32.*\.static_call\.text [+-]')" -eq 3
cp lt.o a.o
"$SCPATCH" --no-align -v a.o 2> annotate.err || { not_ok "annotate: $(cat annotate.err)"; exit 0; }
expect_eq "annotate: the three sites, each with the key of its trampoline" \
	".text+0x1 __SCK__first call
.text+0x10 __SCK__second tail
.text+0x6 __SCK__second call" "$(table_set a.o)"
expect_eq "list: the three sites by static call name" \
	".text+0x1 first call unaligned
.text+0x6 second call unaligned
.text+0x10 second tail unaligned" "$("$SCPATCH" list a.o)"
expect_eq "-v: the addresses in the keys are data references, not sites" 2 \
	"$(grep -c '\.data+0x[0-9a-f]*: __SCT__[a-z]* is referenced but not called' annotate.err)"
