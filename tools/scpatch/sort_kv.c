// SPDX-License-Identifier: MIT
/*
 * An LSD radix sort, 11 bits a pass, and only the passes of the bits in
 * which the keys differ: one to four passes over the array, each a count
 * and a stable scatter, where a comparison sort fetched the keys of two
 * elements per comparison.
 */
#include <stdlib.h>
#include <string.h>

#include "sort_kv.h"

#define DIGIT_BITS 11
#define DIGITS (1u << DIGIT_BITS)

int sort_kv(struct kv *v, size_t n)
{
	struct kv *tmp, *a = v, *b;
	uint64_t differ = 0;

	for (size_t i = 1; i < n; i++)
		differ |= v[i].key ^ v[0].key;
	if (!differ)	/* n < 2, or all keys equal */
		return 0;
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return -1;
	b = tmp;
	for (unsigned int shift = 0; shift < 64; shift += DIGIT_BITS) {
		size_t count[DIGITS + 1] = { 0 };
		struct kv *t;

		/* a digit all keys share leaves the order as it is */
		if (!((differ >> shift) & (DIGITS - 1)))
			continue;
		for (size_t i = 0; i < n; i++)
			count[((a[i].key >> shift) & (DIGITS - 1)) + 1]++;
		for (size_t d = 1; d <= DIGITS; d++)
			count[d] += count[d - 1];
		for (size_t i = 0; i < n; i++)
			b[count[(a[i].key >> shift) & (DIGITS - 1)]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	if (a != v)
		memcpy(v, a, n * sizeof(*v));
	free(tmp);
	return 0;
}
