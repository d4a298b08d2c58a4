// SPDX-License-Identifier: MIT
/*
 * The arrays that grow with the object (instructions, relocations,
 * symbols, sites): the one place that decides how they are allocated.
 *
 * Fresh memory costs the kernel a fault and a page clearing per page,
 * about a millisecond per megabyte on the machines measured, a quarter of
 * the time of padding a 100 MB object.  Transparent huge pages
 * (MADV_HUGEPAGE on the 2 MiB aligned part of each block) cost a fifth of
 * that when the kernel has huge pages at hand, and several times more
 * when it has not: padding the bench's C object took 0.74 to 1.13 s with
 * them (median 1.03 s of 10 runs) against 0.82 to 0.90 s without (median
 * 0.85 s), on a machine with nothing else running (2026-11-25,
 * docs/padding.md "Speed").  So they are not asked for: these are plain
 * allocations that never return NULL for a size of 0.
 */
#include <stdlib.h>

#include "big_alloc.h"

void *big_malloc(size_t bytes)
{
	return malloc(bytes ? bytes : 1);
}

void *big_calloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size ? size : 1);
}

void *big_realloc(void *p, size_t bytes)
{
	return realloc(p, bytes ? bytes : 1);
}
