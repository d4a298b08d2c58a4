/* SPDX-License-Identifier: MIT */
/*
 * Sorting hundreds of thousands of keyed things (symbols by address, on a
 * large object), where qsort() costs more than the work it serves.
 */
#ifndef SCPATCH_SORT_KV_H
#define SCPATCH_SORT_KV_H

#include <stddef.h>
#include <stdint.h>

/* A key and what it belongs to (an index, or a pointer as uintptr_t). */
struct kv {
	uint64_t key, val;
};

/* Sorts V by key, stably (equal keys keep their order); -1 when out of
 * memory, V then unchanged. */
int sort_kv(struct kv *v, size_t n);

#endif
