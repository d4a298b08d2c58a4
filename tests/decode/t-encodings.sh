#!/bin/bash
# The decoder against a table of tricky encodings written from the manuals
# (tests/decode/encodings.txt), every truncation of each at the end of a page
# followed by a PROT_NONE page, and random bytes there: built with ASan and
# UBSan, linking the decoder (arch/x86/*.c) alone.
. "$ROOT/tests/lib.sh"

for cc in $TEST_COMPILERS; do
	if ! $cc -std=gnu11 -Wall -Wextra -O1 -g -fsanitize=address,undefined \
		-fno-sanitize-recover=all -I"$ROOT/tools/scpatch" \
		"$ROOT/tests/decode/encodings-driver.c" \
		"$ROOT"/tools/scpatch/arch/x86/*.c -o driver-$cc; then
		not_ok "encodings driver builds with $cc"
		continue
	fi
	if ./driver-$cc "$ROOT/tests/decode/encodings.txt" > log-$cc 2>&1; then
		ok "encodings table and page-end truncations ($cc, $(tail -n1 log-$cc))"
	else
		cat log-$cc
		not_ok "encodings table and page-end truncations ($cc)"
	fi
done
