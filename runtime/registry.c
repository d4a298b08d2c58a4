// SPDX-License-Identifier: MIT
/*
 * The registry: one list of images per process, each with its table.
 * Registration only records the table bounds and the image's segments, so
 * that start-up stays cheap however many sites there are; the table is
 * decoded and grouped by key the first time an update needs it (index.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "runtime.h"

/* Statically initialised: usable from any constructor, in any order. */
static pthread_mutex_t sc_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct sc_image *image_list;

void sc_lock(void)
{
	pthread_mutex_lock(&sc_mutex);
}

void sc_unlock(void)
{
	pthread_mutex_unlock(&sc_mutex);
}

struct sc_image *sc_images(void)
{
	return image_list;
}

struct load_query {
	uintptr_t addr;
	struct sc_view *out;
};

static int prot_of(ElfW(Word) flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

static int collect_loads(struct dl_phdr_info *info, size_t size, void *data)
{
	struct load_query *q = data;
	struct sc_view v = { .bias = info->dlpi_addr };
	bool mine = false;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_DYNAMIC)
			v.dynamic = (const void *)lo;
		if (ph->p_type != PT_LOAD || v.nloads == SC_MAX_LOADS)
			continue;
		v.loads[v.nloads++] = (struct sc_range){ lo, lo + ph->p_memsz,
							 prot_of(ph->p_flags) };
		if (q->addr >= lo && q->addr < lo + ph->p_memsz)
			mine = true;
	}
	if (!mine)
		return 0;
	*q->out = v;
	return 1;
}

/* The segments and dynamic section of the image that contains addr.
 * Only at registration: dl_iterate_phdr() takes the loader's lock, which a
 * child forked during another thread's dlopen() inherits held. */
static void load_view(uintptr_t addr, struct sc_view *out)
{
	struct load_query q = { addr, out };

	dl_iterate_phdr(collect_loads, &q);
}

/* The range of r[0..n) that holds [addr, addr+len), or NULL. */
const struct sc_range *sc_find_range(const struct sc_range *r, int n,
				     uintptr_t addr, size_t len)
{
	for (int i = 0; i < n; i++)
		if (addr >= r[i].lo && addr + len <= r[i].hi && addr + len > addr)
			return &r[i];
	return NULL;
}

SC_EXPORT void __scpatch_register(const struct static_call_site *start,
				  const struct static_call_site *stop,
				  const void *anchor)
{
	struct sc_image *img;

	sc_init();
	/* An image without a table is registered too: its segments are where
	 * an update finds the trampolines it defines, without the loader. */
	if (!start || stop <= start)
		start = stop = NULL;
	img = calloc(1, sizeof(*img));
	if (!img)
		return;	/* its sites keep calling their trampolines */
	img->anchor = anchor;
	img->start = start;
	img->stop = stop;
	load_view((uintptr_t)anchor, &img->view);
	sc_lock();
	img->next = image_list;
	image_list = img;
	sc_unlock();
}

SC_EXPORT void __scpatch_unregister(const void *anchor)
{
	struct sc_image **p, *img = NULL;

	sc_lock();
	for (p = &image_list; *p; p = &(*p)->next) {
		if ((*p)->anchor == anchor) {
			img = *p;
			*p = img->next;
			break;
		}
	}
	sc_unlock();
	if (img) {
		free(img->sites);
		free(img);
	}
}

/* The view of the registered image that contains addr: false if none
 * does.  Under the registry lock.  An image that registered stays mapped
 * while the lock is held: its destructor unregisters it, under the lock,
 * before the loader unmaps it. */
bool sc_registered_view(uintptr_t addr, struct sc_view *out)
{
	for (struct sc_image *img = image_list; img; img = img->next) {
		if (sc_find_range(img->view.loads, img->view.nloads, addr, 1)) {
			*out = img->view;
			return true;
		}
	}
	return false;
}

/* How many images have a table registered (for tests and diagnostics). */
SC_EXPORT int __scpatch_registered_images(void)
{
	int n = 0;

	sc_lock();
	for (struct sc_image *img = image_list; img; img = img->next)
		n += img->start != img->stop;
	sc_unlock();
	return n;
}
