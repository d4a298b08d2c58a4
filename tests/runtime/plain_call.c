// SPDX-License-Identifier: MIT
/* Three static calls that are not tail calls, for t-api.sh's disassembly. */
#include <static_call.h>

long f(long x);
DECLARE_STATIC_CALL(pc, f);

long three(long x)
{
	long a = static_call(pc)(x);
	long b = static_call(pc)(a + 1);
	long c = static_call(pc)(b * 3);

	return a + b + c + 1;
}
