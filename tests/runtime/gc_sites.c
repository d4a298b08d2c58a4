// SPDX-License-Identifier: MIT
/*
 * Table entries the runtime must ignore: sites in functions that
 * --gc-sections drops (their table fragments go with them, or lld points
 * them at the image base), and a forged entry for a call-shaped byte
 * sequence in .data that jumps to the trampoline (outside any executable
 * segment: never written).
 */
#include "sitecheck.h"

__attribute__((noinline)) long g1(long x) { return x + 1; }
__attribute__((noinline)) long g2(long x) { return x + 2; }

DEFINE_STATIC_CALL(gk, g1);

#define PAD(k) __asm__ volatile(".fill " #k ", 1, 0x90")
#define USED(k) __attribute__((noinline)) long used_##k(long x) { PAD(k); return static_call(gk)(x) + 1; }
#define UNUSED(k) __attribute__((noinline)) long unused_##k(long x) { PAD(k); return static_call(gk)(x) - 1; }
USED(1) USED(2) USED(3) USED(4)
UNUSED(1) UNUSED(2) UNUSED(3) UNUSED(4)

/* forged_site.S: e8 rel32 to the trampoline in .data, with a table entry
 * of its own (after annotation: the annotators rebuild their tables). */
extern unsigned char data_site[] __attribute__((weak, visibility("hidden")));
static unsigned char no_data_site[5];

int main(int argc, char **argv)
{
	int want_entries = argc > 1 ? atoi(argv[1]) : -1;
	static long (*const used[])(long) = { used_1, used_2, used_3, used_4 };
	unsigned char before[5];

	unsigned char *data = data_site ? data_site : no_data_site;

	sc_snapshot();
	memcpy(before, data, 5);
	if (static_call_update(gk, g2))
		SC_FAIL("update");
	for (int i = 0; i < 4; i++)
		if (used[i](i) != g2(i) + 1)
			SC_FAIL("site %d", i);
	if (memcmp(before, data, 5))
		SC_FAIL("the call-shaped bytes in .data were written");
	struct sc_census c = sc_census(&STATIC_CALL_KEY(gk), (uintptr_t)g2);
	/* The forged entry counts as wrong here only if it was patched. */
	printf("%d entries of gk, %d direct, %d on the trampoline, %d other\n",
	       c.total, c.direct, c.home, c.wrong);
	if (want_entries >= 0 && c.total != want_entries)
		SC_FAIL("%d table entries, want %d", c.total, want_entries);
	return 0;
}
