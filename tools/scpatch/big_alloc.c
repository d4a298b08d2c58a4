// SPDX-License-Identifier: MIT
/*
 * Fresh memory costs the kernel a fault per page.  With 4 KiB pages that
 * is about half a millisecond per megabyte on the machines measured, a
 * quarter of the time of padding a 100 MB object; 2 MiB pages cost a
 * fifth of that.  A block of 4 MiB or more from big_malloc() is 2 MiB
 * aligned and rounded up to 2 MiB, all of it marked MADV_HUGEPAGE before
 * anything touches it, so the kernel backs it with huge pages where it
 * can.  calloc() and realloc() cannot be asked for an alignment: of their
 * blocks, the 2 MiB aligned part is marked (glibc maps large blocks with
 * mmap(), and the mark stays with the mapping when realloc() moves or
 * grows it with mremap(); the part added is marked again).  A kernel
 * without transparent huge pages refuses the advice: nothing changes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "big_alloc.h"

#define HUGE_PAGE ((uintptr_t)2 << 20)
#define ALIGNED_FROM ((size_t)4 << 20)

static void *advise(void *p, size_t bytes)
{
	uintptr_t from = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t to = ((uintptr_t)p + bytes) & ~(HUGE_PAGE - 1);

	if (p && to > from)
		madvise((void *)from, to - from, MADV_HUGEPAGE);
	return p;
}

void *big_malloc(size_t bytes)
{
	if (bytes < ALIGNED_FROM)
		return advise(malloc(bytes ? bytes : 1), bytes);
	if (bytes > SIZE_MAX - HUGE_PAGE)
		return NULL;
	bytes = (bytes + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
	return advise(aligned_alloc(HUGE_PAGE, bytes), bytes);
}

void *big_calloc(size_t n, size_t size)
{
	/* NULL when n * size overflows; glibc's calloc() does not touch a
	 * fresh mapping (it is zero already) */
	return advise(calloc(n, size), n * size);
}

void *big_realloc(void *p, size_t bytes)
{
	return advise(realloc(p, bytes), bytes);
}
