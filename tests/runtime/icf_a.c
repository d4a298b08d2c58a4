// SPDX-License-Identifier: MIT
/* Two static calls with the same first target, in two objects, for
 * lld --icf=all and -mbranches-within-32B-boundaries. */
#include <static_call.h>

long same(long x) { return x + 1; }
long other(long x) { return x + 2; }

DEFINE_STATIC_CALL(icf_a, same);
__attribute__((noinline)) long call_a(long x) { return static_call(icf_a)(x); }
int update_a(void) { return static_call_update(icf_a, other); }
