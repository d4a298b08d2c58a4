// SPDX-License-Identifier: MIT
/* nostub_lib.c under other names, for nostub_race.c to load and unload:
 * with the same names its calls would bind to libnostub.so's trampoline. */
#include <static_call.h>

__attribute__((noinline)) long rf1(long x) { return x + 1; }

EXPORT_STATIC_CALL(rsc);
DEFINE_STATIC_CALL(rsc, rf1);

long rsc_call(long x)
{
	return static_call(rsc)(x);
}
