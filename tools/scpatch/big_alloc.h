/* SPDX-License-Identifier: MIT */
/*
 * Allocations of the arrays that grow with the object (instructions,
 * relocations, sections): hundreds of megabytes on a large object.  Why
 * they are plain allocations: big_alloc.c.
 */
#ifndef SCPATCH_BIG_ALLOC_H
#define SCPATCH_BIG_ALLOC_H

#include <stddef.h>

/* malloc(), calloc() and realloc() that never return NULL for a size of
 * 0; freed with free(). */
void *big_malloc(size_t bytes);
void *big_calloc(size_t n, size_t size);
void *big_realloc(void *p, size_t bytes);

#endif
