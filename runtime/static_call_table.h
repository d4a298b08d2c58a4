/* SPDX-License-Identifier: MIT */
/*
 * The .static_call_sites table format, shared by the scpatch tool and the
 * runtime.  Kernel compatible (include/linux/static_call_types.h); see
 * docs/format.md for the byte-by-byte description.
 */
#ifndef SCPATCH_STATIC_CALL_TABLE_H
#define SCPATCH_STATIC_CALL_TABLE_H

#include <stdint.h>

#define STATIC_CALL_KEY_PREFIX		"__SCK__"
#define STATIC_CALL_KEY_PREFIX_LEN	(sizeof(STATIC_CALL_KEY_PREFIX) - 1)
#define STATIC_CALL_TRAMP_PREFIX	"__SCT__"
#define STATIC_CALL_TRAMP_PREFIX_LEN	(sizeof(STATIC_CALL_TRAMP_PREFIX) - 1)
#define STATIC_CALL_SITES_SECTION	".static_call_sites"
#define STATIC_CALL_TRAMP_SECTION	".static_call.text"

/* Flags in the low bits of the decoded key address. */
#define STATIC_CALL_SITE_TAIL	1UL	/* jmp or jcc: a tail call */
#define STATIC_CALL_SITE_INIT	2UL	/* set by the kernel at run time; never by scpatch */
#define STATIC_CALL_SITE_KEYREF	4UL	/* key field points at a slot holding &key */
#define STATIC_CALL_SITE_FLAGS	7UL

/* One table entry; both fields are relative to their own address.  addr
 * names the opcode byte of the call (E8), jmp (E9) or jcc (0F 8x); a prefix
 * such as the 67 of a rewritten -fno-plt call lies before it.  The key
 * field names the key, or with KEYREF an 8-byte slot holding its address,
 * with the flags in its low 3 bits.  docs/format.md has the details. */
struct static_call_site {
	int32_t addr;
	int32_t key;
};

/* Hidden symbol that every annotated object references, so that the
 * runtime stub is linked into every image that has a table. */
#define STATIC_CALL_STUB_ANCHOR		"__scpatch_stub_anchor"

/* Bounds of an image's table, defined by the linker script fragment. */
#define STATIC_CALL_SITES_START		"__start_static_call_sites"
#define STATIC_CALL_SITES_STOP		"__stop_static_call_sites"

#endif
