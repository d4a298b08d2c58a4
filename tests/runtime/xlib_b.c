// SPDX-License-Identifier: MIT
/* libxb: sites of libxa's key, reached through libxb's PLT. */
#include "sitecheck.h"

long la(long x);
DECLARE_STATIC_CALL(sk, la);

long lb(long x) { return x + 200; }

#define PAD(k) __asm__ volatile(".fill " #k ", 1, 0x90")
#define SITES(k) \
__attribute__((noinline)) long bcall_##k(long x) { PAD(k); return static_call(sk)(x) + 1; }
SITES(1) SITES(2) SITES(3) SITES(4) SITES(5) SITES(6) SITES(7) SITES(8)
static long (*const bcalls[])(long) = { bcall_1, bcall_2, bcall_3, bcall_4,
					bcall_5, bcall_6, bcall_7, bcall_8 };

long libb_call(int i, long x) { return bcalls[i & 7](x); }
void libb_snapshot(void) { sc_snapshot(); }
/* Sites of this library that are not where they must be for func. */
int libb_wrong(void *func)
{
	return sc_census(&STATIC_CALL_KEY(sk), sc_want(&STATIC_CALL_KEY(sk), func)).wrong;
}
int libb_direct(void *func)
{
	return sc_census(&STATIC_CALL_KEY(sk), sc_want(&STATIC_CALL_KEY(sk), func)).direct;
}
