/* SPDX-License-Identifier: MIT */
/* Internal interface of the runtime: the registry and the patcher. */
#ifndef SCPATCH_RUNTIME_H
#define SCPATCH_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "static_call_table.h"

#define SC_EXPORT __attribute__((visibility("default")))

/* An address range of one PT_LOAD segment, with its page protection. */
struct sc_range {
	uintptr_t lo, hi;
	int prot;
};

#define SC_MAX_LOADS 16

/* A site, decoded once from its table entry. */
struct sc_site {
	uintptr_t key;
	uintptr_t insn;		/* first byte of the call, jmp or jcc */
	uintptr_t home;		/* its link-time target; 0 until verified */
	uintptr_t written;	/* the target last written there; 0: none */
};

/* One image (executable or shared library) that registered a table. */
struct sc_image {
	struct sc_image *next;
	const void *anchor;
	const struct static_call_site *start, *stop;
	struct sc_range loads[SC_MAX_LOADS];
	int nloads;
	struct sc_site *sites;	/* sorted by key, then address */
	size_t nsites;
	bool indexed;
};

/* Called by the per-image stub (stub.c). */
void __scpatch_register(const struct static_call_site *start,
			const struct static_call_site *stop, const void *anchor);
void __scpatch_unregister(const void *anchor);

/* Registry (registry.c); the lock serializes updates and registrations. */
void sc_lock(void);
void sc_unlock(void);
struct sc_image *sc_images(void);
int sc_index_image(struct sc_image *img);
struct sc_site *sc_find_sites(struct sc_image *img, uintptr_t key,
			      size_t *count);
const struct sc_range *sc_find_range(const struct sc_range *r, int n,
				     uintptr_t addr, size_t len);
int sc_image_ranges(uintptr_t addr, struct sc_range *out, int max);

/* Once per process (init.c): membarrier registration and fork handlers. */
void sc_init(void);
/* 0 when SYNC_CORE membarrier is registered, else -errno. */
int sc_membarrier_status(void);
int sc_sync_cores(void);

#endif
