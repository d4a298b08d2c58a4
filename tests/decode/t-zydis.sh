#!/bin/bash
# Lengths against Zydis 4 over the whole opcode space (every opcode of every
# map with every ModRM byte under several prefix sets) and random bytes:
# wherever Zydis decodes an instruction, scpatch must decode the same length.
. "$ROOT/tests/lib.sh"

if ! cc -std=gnu11 -O2 -Wall -Wextra -I"$ROOT/tools/scpatch" \
	"$ROOT/tests/decode/zydis-driver.c" "$ROOT"/tools/scpatch/arch/x86/*.c \
	-o driver -lZydis; then
	not_ok "zydis driver builds (libzydis-dev)"
	exit 0
fi
if ./driver > log 2>&1; then
	ok "same length as Zydis: $(tail -n1 log)"
else
	cat log
	not_ok "same length as Zydis: $(tail -n1 log)"
fi
