// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <static_call.h>

long same(long x);
long call_a(long x);
int update_a(void);

DEFINE_STATIC_CALL(icf_b, same);
__attribute__((noinline)) long call_b(long x) { return static_call(icf_b)(x); }

int main(void)
{
	if ((void *)&STATIC_CALL_TRAMP(icf_b) == STATIC_CALL_KEY(icf_b).tramp &&
	    update_a() == 0 && call_a(1) == 3 && call_b(1) == 2)
		return 0;
	printf("a %ld b %ld\n", call_a(1), call_b(1));
	return 1;
}
