// SPDX-License-Identifier: MIT
/*
 * A plugin with sites of its own key and, when built with MAIN_KEY (its
 * annotator writes KEYREF entries), of a key that the program exports.
 */
#include "sitecheck.h"

__attribute__((noinline)) long pa(long x) { return x + 7; }
__attribute__((noinline)) long pb(long x) { return x + 9; }
long main_far(long x);		/* in the program: beyond rel32 reach */

DEFINE_STATIC_CALL(pop, pa);

#define PAD(k) __asm__ volatile(".fill " #k ", 1, 0x90")
#define SITES(k) \
__attribute__((noinline)) long pcall_##k(long x) { PAD(k); return static_call(pop)(x) + 1; }
SITES(1) SITES(2) SITES(3) SITES(4)
static long (*const pcalls[])(long) = { pcall_1, pcall_2, pcall_3, pcall_4 };

#ifdef MAIN_KEY
long mf1(long x);
DECLARE_STATIC_CALL(mop, mf1);
#define MSITES(k) \
__attribute__((noinline)) long mcall_##k(long x) { PAD(k); return static_call(mop)(x); }
MSITES(1) MSITES(2) MSITES(3) MSITES(4)
static long (*const mcalls[])(long) = { mcall_1, mcall_2, mcall_3, mcall_4 };

/* The program's key may change at any time: its sites in this plugin reach
 * one of the program's targets (checked by the caller's function). */
long plugin_call_main(int i, long x)
{
	return mcalls[i & 3](x);
}
#endif

int plugin_run(int rounds)
{
	static long (*const targets[])(long) = { pa, pb, main_far };

	sc_snapshot();
	for (int r = 0; r < rounds; r++) {
		long (*f)(long) = targets[r % 3];
		int err = static_call_update(pop, f);

		if (err)
			SC_FAIL("plugin update: %d", err);
		for (int i = 0; i < 4; i++)
			if (pcalls[i](r) != f(r) + 1)
				SC_FAIL("plugin site %d: %ld", i, pcalls[i](r));
		if (sc_census(&STATIC_CALL_KEY(pop), sc_want(&STATIC_CALL_KEY(pop), (void *)f)).wrong)
			SC_FAIL("plugin site bytes");
	}
	return 0;
}
