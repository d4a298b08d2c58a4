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

/* Where an image lies (its PT_LOAD segments), its load bias and its
 * dynamic section, which names the symbols of its PLT relocations. */
struct sc_view {
	struct sc_range loads[SC_MAX_LOADS];
	int nloads;
	uintptr_t bias;
	const void *dynamic;	/* its ElfW(Dyn) array, or NULL */
};

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
	struct sc_view view;
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
bool sc_registered_view(uintptr_t addr, struct sc_view *out);
bool sc_maps_view(uintptr_t addr, struct sc_view *out);

/* An image's dynamic symbols (dynsym.c), read from memory. */
const char *sc_plt_symbol(const struct sc_view *v, uintptr_t slot,
			  uint32_t index);
bool sc_defines(const struct sc_view *v, const char *name, uintptr_t addr);

/* Warnings of updates that took effect but did not finish cleanly
 * (warn.c): reported after the registry lock is released. */
enum sc_warning_kind { SC_WARN_PROTECT, SC_WARN_SYNC, SC_WARN_KINDS };
struct sc_warnings {
	int err[SC_WARN_KINDS];		/* 0, or the first -errno of each kind */
};
void sc_report_warnings(const struct sc_warnings *w);

/* Once per process (init.c): membarrier registration and fork handlers. */
void sc_init(void);
/* True in a child of fork(): the loader's locks may be held forever there. */
bool sc_forked_child(void);
/* 0 when SYNC_CORE membarrier is registered, else -errno. */
int sc_membarrier_status(void);
int sc_sync_cores(void);

#endif
