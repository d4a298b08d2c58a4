// SPDX-License-Identifier: MIT
/*
 * Images that did not register (linked without the stub), found in
 * /proc/self/maps: safe in any process state, unlike dl_iterate_phdr(),
 * whose lock a child forked during another thread's dlopen() inherits held.
 * An image is the run of consecutive mappings of one file (device and
 * inode) that starts at file offset 0, where the loader maps its ELF
 * header: a second copy of the same file (dlmopen()) starts a run of its
 * own, and another file with the same inode number on another device is
 * another image.  patch.c makes sure that no such image can be unmapped
 * while an update uses what is found here.
 */
#define _GNU_SOURCE
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "runtime.h"

struct mapping {
	struct sc_range r;
	unsigned long offset, inode;
	unsigned int major, minor;
	bool unnamed;		/* anonymous memory without a [name] */
};

/* One line: "lo-hi perms offset major:minor inode path". */
static bool parse_mapping(const char *line, struct mapping *m)
{
	char perms[5], path[2];
	int end = 0;

	if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu%n", &m->r.lo, &m->r.hi, perms,
		   &m->offset, &m->major, &m->minor, &m->inode, &end) != 7)
		return false;
	m->unnamed = !m->inode && sscanf(line + end, "%1s", path) != 1;
	m->r.prot = (perms[0] == 'r' ? PROT_READ : 0) |
		    (perms[1] == 'w' ? PROT_WRITE : 0) |
		    (perms[2] == 'x' ? PROT_EXEC : 0);
	return true;
}

/* Whether m continues the run of the file first, whose last mapping was
 * prev: the same file and not a new copy of it, or the anonymous .bss that
 * the loader maps right after an image's last segment. */
static bool continues(const struct mapping *first, const struct mapping *prev,
		      const struct mapping *m)
{
	if (m->unnamed)
		return !prev->unnamed && m->r.lo == prev->r.hi;
	return m->inode == first->inode && m->major == first->major &&
	       m->minor == first->minor && m->offset != 0 && !prev->unnamed;
}

/* The load bias and dynamic section of the image whose ELF header is
 * mapped at v->loads[0] (readable, file offset 0). */
static void read_headers(struct sc_view *v)
{
	const struct sc_range *first = &v->loads[0];
	const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)first->lo;
	const ElfW(Phdr) *ph;
	uintptr_t lowest = UINTPTR_MAX, dyn = 0;

	if (!(first->prot & PROT_READ) || first->hi - first->lo < sizeof(*eh) ||
	    memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_phentsize != sizeof(*ph) ||
	    eh->e_phoff > first->hi - first->lo ||
	    (first->hi - first->lo - eh->e_phoff) / sizeof(*ph) < eh->e_phnum)
		return;
	ph = (const ElfW(Phdr) *)(first->lo + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr < lowest)
			lowest = ph[i].p_vaddr;
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = ph[i].p_vaddr;
	}
	if (lowest == UINTPTR_MAX)
		return;
	/* The first PT_LOAD maps file offset 0 at its page-aligned address. */
	v->bias = first->lo - (lowest & ~(uintptr_t)4095);
	if (dyn && sc_find_range(v->loads, v->nloads, v->bias + dyn,
				 sizeof(ElfW(Dyn))))
		v->dynamic = (const void *)(v->bias + dyn);
}

/* The image of the file mapped at addr; false if addr is in no file
 * mapping.  One pass: each run is collected until the one holding addr
 * ends. */
bool sc_maps_view(uintptr_t addr, struct sc_view *out)
{
	FILE *f = fopen("/proc/self/maps", "re");
	struct mapping first = { 0 }, prev = { 0 }, m;
	char line[512];
	bool found = false, in_run = false;

	*out = (struct sc_view){ 0 };
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!parse_mapping(line, &m))
			continue;
		if (!in_run || !continues(&first, &prev, &m)) {
			if (found)
				break;
			in_run = m.inode != 0;
			first = m;
			out->nloads = 0;
		}
		prev = m;
		if (in_run && out->nloads < SC_MAX_LOADS)
			out->loads[out->nloads++] = m.r;
		if (addr >= m.r.lo && addr < m.r.hi) {
			if (!in_run)
				break;	/* anonymous memory: no image */
			found = true;
		}
	}
	fclose(f);
	if (!found || first.offset != 0) {
		*out = (struct sc_view){ 0 };
		return false;
	}
	read_headers(out);
	return true;
}
