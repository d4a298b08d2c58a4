// SPDX-License-Identifier: MIT
/* libpltsites: sites of libplttramp's key lk, reached through this
 * library's PLT entry for __SCT__lk (plt_decoys.S adds two forged ones). */
#include "sitecheck.h"

long lt1(long x);
DECLARE_STATIC_CALL(lk, lt1);

#define PAD(k) __asm__ volatile(".fill " #k ", 1, 0x90")
#define SITES(k) \
__attribute__((noinline)) long scall_##k(long x) { PAD(k); return static_call(lk)(x) + 1; }
SITES(1) SITES(2) SITES(3) SITES(4)
static long (*const scalls[])(long) = { scall_1, scall_2, scall_3, scall_4 };

long sites_call(int i, long x) { return scalls[i & 3](x); }
void sites_snapshot(void) { sc_snapshot(); }
struct sc_census sites_census(void *func)
{
	return sc_census(&STATIC_CALL_KEY(lk), sc_want(&STATIC_CALL_KEY(lk), func));
}
