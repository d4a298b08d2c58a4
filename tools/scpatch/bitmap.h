/* SPDX-License-Identifier: MIT */
/*
 * Bitmaps of one bit per byte or per instruction (bit I % 64 of word
 * I / 64): the padding pass's instruction starts, references and laid-out
 * instructions, also read by the site finder.
 */
#ifndef SCPATCH_BITMAP_H
#define SCPATCH_BITMAP_H

#include <stddef.h>
#include <stdint.h>

static inline int bitmap_test(const uint64_t *bits, size_t i)
{
	return bits[i >> 6] >> (i & 63) & 1;
}

static inline void bitmap_set(uint64_t *bits, size_t i)
{
	bits[i >> 6] |= 1ull << (i & 63);
}

/* The last set bit at or below I; -1 when there is none. */
static inline long bitmap_last_at_or_below(const uint64_t *bits, size_t i)
{
	size_t w = i >> 6;
	uint64_t m = bits[w] & (~0ull >> (63 - (i & 63)));

	while (!m && w)
		m = bits[--w];
	return m ? (long)(w * 64 + 63 - __builtin_clzll(m)) : -1;
}

/* The first set bit at or after I, below N; N when there is none. */
static inline size_t bitmap_first_at_or_after(const uint64_t *bits,
					      size_t i, size_t n)
{
	size_t w = i >> 6, nw = (n >> 6) + 1;
	uint64_t m;

	if (i >= n)
		return n;
	m = bits[w] & (~0ull << (i & 63));
	while (!m && ++w < nw)
		m = bits[w];
	return m && w * 64 + __builtin_ctzll(m) < n ?
	       w * 64 + __builtin_ctzll(m) : n;
}

#endif
