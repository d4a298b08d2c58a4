// SPDX-License-Identifier: MIT
/* Updating with a function of another type must not compile. */
#include <stddef.h>

#include <static_call.h>

static int takes_int(int x) { return x; }
static long takes_long(long x) { return x; }

DEFINE_STATIC_CALL(tc, takes_int);

int main(void)
{
#ifdef WRONG
	return static_call_update(tc, takes_long);
#else
	(void)takes_long;
	return static_call_update(tc, takes_int) | static_call_update(tc, NULL);
#endif
}
