#!/bin/bash
# Damaged unwind information next to a site: a CFA instruction whose
# ULEB128 length wraps a pointer.  The pass must refuse that code with a
# reason, never loop or read past .eh_frame.
. "$ROOT/tests/lib.sh"

gcc -c "$ROOT/tests/fixtures/pad/cfi_wrap.s" -o in.o || { not_ok "assemble"; exit 0; }
cp in.o orig.o
timeout 20 "$SCPATCH" -v -o out.o in.o 2> err.txt
expect_eq "annotate ends normally" 0 $?
expect "the site stays unaligned with the CFA reason" \
	grep -q 'stays unaligned: unsupported CFA instructions' err.txt
expect "the input is unchanged" cmp orig.o in.o
