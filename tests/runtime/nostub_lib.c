// SPDX-License-Identifier: MIT
/* A library that defines a static call and is linked without the stub (no
 * `pkg-config --libs scpatch`): it never registers with the runtime. */
#include <static_call.h>

__attribute__((noinline)) long nf1(long x) { return x + 1; }

EXPORT_STATIC_CALL(nsc);
DEFINE_STATIC_CALL(nsc, nf1);

long nsc_call(long x)
{
	return static_call(nsc)(x);
}
