// SPDX-License-Identifier: MIT
long target(long x) { return x + 1; }
