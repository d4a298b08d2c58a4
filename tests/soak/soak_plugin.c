// SPDX-License-Identifier: MIT
/*
 * The soak's plugin: sites of its own key, updated here, and sites of the
 * program's exported key sc0 (KEYREF entries, reached through the PLT),
 * whose target the program changes at any time.
 */
#include <static_call.h>

__attribute__((noinline)) long pa(long x) { return x + 7; }
__attribute__((noinline)) long pb(long x) { return x + 9; }
DEFINE_STATIC_CALL(soak_pop, pa);

long f0_0(long x);
DECLARE_STATIC_CALL(sc0, f0_0);

#define PAD(n) __asm__ volatile(".fill " #n ", 1, 0x90")
#define PSITE(n) \
	__attribute__((noinline)) long pcall##n(long x) { PAD(n); return static_call(soak_pop)(x); }
#define MSITE(n) \
	__attribute__((noinline)) long mcall##n(long x) { PAD(n); return static_call(sc0)(x); }
PSITE(0) PSITE(1) PSITE(2) PSITE(3)
MSITE(0) MSITE(1) MSITE(2) MSITE(3)
static long (*const pcalls[])(long) = { pcall0, pcall1, pcall2, pcall3 };
static long (*const mcalls[])(long) = { mcall0, mcall1, mcall2, mcall3 };

int soak_plugin_run(int rounds)
{
	for (int r = 0; r < rounds; r++) {
		long (*f)(long) = r & 1 ? pa : pb;

		if (static_call_update(soak_pop, f))
			return 1;
		for (int i = 0; i < 4; i++) {
			long m = mcalls[i](0);

			if (pcalls[i](r) != f(r) || m / 16 != 0 || m % 16 > 3)
				return 1;
		}
	}
	return 0;
}
