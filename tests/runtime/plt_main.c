// SPDX-License-Identifier: MIT
/*
 * The first update of lk happens while every PLT entry involved is still
 * unbound (lazy binding, nothing called yet): the real sites of
 * libpltsites, whose PLT entry's relocation names __SCT__lk, are patched;
 * the two decoys, whose PLT entries name decoy and __SCT__other, are left
 * alone; and lk's trampoline, whose jump goes through its library's PLT
 * entry for lt1, is recognised and retargeted.
 */
#include <stdio.h>

#include "sitecheck.h"

long lt1(long x);
long lt2(long x);
DECLARE_STATIC_CALL(lk, lt1);

long decoy_plain(long x);
long decoy_tramp(long x);
long sites_call(int i, long x);
void sites_snapshot(void);
struct sc_census sites_census(void *func);

int main(void)
{
	struct sc_census c;
	int err;

	sites_snapshot();
	err = static_call_update(lk, lt2);
	if (err)
		SC_FAIL("update through unbound PLT entries: %d", err);
	if (decoy_plain(1) != 1001 || decoy_tramp(1) != 1001)
		SC_FAIL("a call through another symbol's PLT entry was patched: %ld %ld",
			decoy_plain(1), decoy_tramp(1));
	for (int i = 0; i < 4; i++)
		if (sites_call(i, i) != lt2(i) + 1)
			SC_FAIL("site %d: %ld", i, sites_call(i, i));
	c = sites_census((void *)lt2);
	/* The decoys are the 2 sites of lk's table left alone. */
	if (c.total != 6 || c.wrong != 2 || !c.direct)
		SC_FAIL("sites: %d, %d wrong (want the 2 decoys), %d direct",
			c.total, c.wrong, c.direct);
	err = static_call_update(lk, lt1);
	if (err || sites_call(0, 1) != 3 || decoy_plain(1) != 1001)
		SC_FAIL("second update: %d", err);
	printf("%d sites through unbound PLT entries patched, 2 decoys left alone\n",
	       c.direct);
	return 0;
}
