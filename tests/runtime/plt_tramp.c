// SPDX-License-Identifier: MIT
/*
 * libplttramp: exports two static calls.  lk's first target lt1 is
 * preemptible, so the trampoline's link-time jump goes through this
 * library's own PLT entry for lt1.
 */
#include <static_call.h>

long lt1(long x) { return x + 1; }
long lt2(long x) { return x + 2; }
long decoy(long x) { return x + 1000; }

EXPORT_STATIC_CALL(lk);
DEFINE_STATIC_CALL(lk, lt1);
EXPORT_STATIC_CALL(other);
DEFINE_STATIC_CALL(other, decoy);
