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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	struct sc_range *out;
	int max, n;
};

static int prot_of(ElfW(Word) flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

static int collect_loads(struct dl_phdr_info *info, size_t size, void *data)
{
	struct load_query *q = data;
	bool mine = false;
	int n = 0;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || n == q->max)
			continue;
		q->out[n++] = (struct sc_range){ lo, lo + ph->p_memsz,
						 prot_of(ph->p_flags) };
		if (q->addr >= lo && q->addr < lo + ph->p_memsz)
			mine = true;
	}
	if (!mine)
		return 0;
	q->n = n;
	return 1;
}

/* The PT_LOAD segments of the image that contains addr; 0 if none does.
 * Only at registration: dl_iterate_phdr() takes the loader's lock, which a
 * child forked during another thread's dlopen() inherits held. */
static int load_ranges(uintptr_t addr, struct sc_range *out, int max)
{
	struct load_query q = { addr, out, max, 0 };

	dl_iterate_phdr(collect_loads, &q);
	return q.n;
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
	img->nloads = load_ranges((uintptr_t)anchor, img->loads, SC_MAX_LOADS);
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

/* One line of /proc/self/maps: "lo-hi perms offset dev inode path". */
static bool parse_mapping(const char *line, struct sc_range *r,
			  unsigned long *inode)
{
	char perms[5];

	if (sscanf(line, "%lx-%lx %4s %*x %*x:%*x %lu", &r->lo, &r->hi, perms,
		   inode) != 4)
		return false;
	r->prot = (perms[0] == 'r' ? PROT_READ : 0) |
		  (perms[1] == 'w' ? PROT_WRITE : 0) |
		  (perms[2] == 'x' ? PROT_EXEC : 0);
	return true;
}

/* The file mappings of the file mapped at addr, from /proc/self/maps: for
 * an image that did not register (linked without the stub).  Safe in any
 * process state, unlike dl_iterate_phdr(); each mapping carries its
 * current protection.  Two passes: find the file, then its mappings. */
static int maps_ranges(uintptr_t addr, struct sc_range *out, int max)
{
	unsigned long inode, mine = 0;
	struct sc_range r;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");
	int n = 0;

	if (!f)
		return 0;
	while (!mine && fgets(line, sizeof(line), f))
		if (parse_mapping(line, &r, &inode) && addr >= r.lo && addr < r.hi)
			mine = inode;
	rewind(f);
	while (mine && n < max && fgets(line, sizeof(line), f))
		if (parse_mapping(line, &r, &inode) && inode == mine)
			out[n++] = r;
	fclose(f);
	return n;
}

/* The segments of the image that contains addr: from the registry, where
 * every image linked with the stub is; else from /proc/self/maps.  Under
 * the registry lock.  Never through the dynamic loader: a child forked
 * while another thread was inside dlopen() holds no usable loader lock. */
int sc_image_ranges(uintptr_t addr, struct sc_range *out, int max)
{
	for (struct sc_image *img = image_list; img; img = img->next) {
		if (!sc_find_range(img->loads, img->nloads, addr, 1))
			continue;
		int n = img->nloads < max ? img->nloads : max;

		memcpy(out, img->loads, (size_t)n * sizeof(*out));
		return n;
	}
	return maps_ranges(addr, out, max);
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
