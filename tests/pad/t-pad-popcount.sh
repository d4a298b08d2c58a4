#!/bin/bash
# pad_popcount64() (pad_internal.h), which every lookup by offset or rank
# uses, has three bodies: the POPCNT instruction behind a CPU check, the
# portable count for processors without it, and the compiler's builtin
# with -mpopcnt.  Each must count like a plain loop.
. "$ROOT/tests/lib.sh"

cat > popcount.c <<'C'
#include <stdio.h>
#include "pad_internal.h"

bool pad_have_popcnt;

static unsigned slow(uint64_t x)
{
	unsigned n = 0;

	for (; x; x >>= 1)
		n += x & 1;
	return n;
}

int main(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned bad = 0;

	for (int with = 0; with < 2; with++) {
		pad_have_popcnt = with;
		for (unsigned i = 0; i < 200000; i++) {
			/* xorshift values, and runs of ones at every width */
			uint64_t v = i < 65 ? (i ? ~0ull >> (64 - i) : 0) : x;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			bad += pad_popcount64(v) != slow(v);
		}
	}
	printf("%u\n", bad);
	return 0;
}
C
for flags in "" "-mpopcnt"; do
	name="popcount${flags:+ $flags}"
	if gcc -std=gnu11 -O2 $flags -I"$ROOT/tools/scpatch" -I"$ROOT/runtime" \
		$(pkg-config --cflags libelf libdw libxxhash) popcount.c -o pc; then
		expect_eq "$name: the portable and the POPCNT counts match a loop" 0 "$(./pc)"
	else
		not_ok "$name: compile"
	fi
done
# The tool itself has the POPCNT body compiled in.
expect "the tool has the POPCNT path" \
	bash -c "objdump -d '$SCPATCH' | grep -q 'popcnt '"
