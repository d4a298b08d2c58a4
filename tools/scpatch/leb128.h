/* SPDX-License-Identifier: MIT */
/*
 * LEB128, the variable-length numbers of DWARF, .eh_frame, LSDAs and
 * clang's .llvm_addrsig: one decoder and one encoder for every reader and
 * writer of the tool.
 */
#ifndef SCPATCH_LEB128_H
#define SCPATCH_LEB128_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the number at p[0..avail) into *v; returns its length in bytes,
 * or 0 when it is not terminated within avail.  Bits beyond 64 are
 * dropped.  SIGNED sign-extends from the last byte. */
static inline size_t leb128_decode(const uint8_t *p, size_t avail,
				   int is_signed, uint64_t *v)
{
	uint64_t x = 0;
	unsigned shift = 0;

	for (size_t n = 0; n < avail; n++) {
		uint8_t b = p[n];

		if (shift < 64)
			x |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80)) {
			if (is_signed && shift < 64 && (b & 0x40))
				x |= ~(uint64_t)0 << shift;
			*v = x;
			return n + 1;
		}
	}
	return 0;
}

/* Encodes V as ULEB128 at p, padded with continuation bytes to at least
 * min_len bytes (0 or 1: shortest form); returns the length written. */
static inline unsigned uleb128_encode(uint8_t *p, uint64_t v, unsigned min_len)
{
	unsigned n = 0;

	do {
		p[n] = v & 0x7f;
		v >>= 7;
		if (v || n + 1 < min_len)
			p[n] |= 0x80;
		n++;
	} while (v || n < min_len);
	return n;
}

#endif
