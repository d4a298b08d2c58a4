// SPDX-License-Identifier: MIT
/* libxa: defines and exports the key; its trampoline is here. */
#include <static_call.h>

long la(long x) { return x + 100; }

EXPORT_STATIC_CALL(sk);
DEFINE_STATIC_CALL(sk, la);
