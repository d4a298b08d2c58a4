// SPDX-License-Identifier: MIT
long lib_target(long x) { return x + 1; }
