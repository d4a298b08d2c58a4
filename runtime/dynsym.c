// SPDX-License-Identifier: MIT
/*
 * An image's dynamic symbols, read from its memory through its dynamic
 * section: the symbol that a PLT relocation (DT_JMPREL, R_X86_64_JUMP_SLOT)
 * binds, and whether a name is defined at an address (DT_GNU_HASH or
 * DT_HASH).  Every table read is checked against the image's readable
 * segments, so that a broken image reads as "no such symbol".
 */
#define _GNU_SOURCE
#include <link.h>
#include <string.h>
#include <sys/mman.h>

#include "runtime.h"

#define MAX_DYN 1024	/* entries of a dynamic section read at most */

struct dyn_tables {
	const ElfW(Sym) *symtab;
	const char *strtab;
	size_t strsz;
	const ElfW(Rela) *jmprel;
	size_t pltrelsz;
	const uint32_t *gnu_hash, *hash;
};

static bool readable(const struct sc_view *v, uintptr_t addr, size_t len)
{
	const struct sc_range *r = sc_find_range(v->loads, v->nloads, addr, len);

	return r && (r->prot & PROT_READ);
}

/* glibc relocates most d_ptr values in place (unless the dynamic section
 * is read-only); other loaders do not: take whichever lies in the image. */
static uintptr_t dyn_addr(const struct sc_view *v, uintptr_t ptr)
{
	if (readable(v, ptr, 1))
		return ptr;
	if (readable(v, ptr + v->bias, 1))
		return ptr + v->bias;
	return 0;
}

static bool read_tables(const struct sc_view *v, struct dyn_tables *t)
{
	const ElfW(Dyn) *d = v->dynamic;
	bool rela = true;

	memset(t, 0, sizeof(*t));
	if (!d)
		return false;
	for (int i = 0; i < MAX_DYN; i++, d++) {
		if (!readable(v, (uintptr_t)d, sizeof(*d)) || d->d_tag == DT_NULL)
			break;
		switch (d->d_tag) {
		case DT_SYMTAB:
			t->symtab = (const void *)dyn_addr(v, d->d_un.d_ptr);
			break;
		case DT_STRTAB:
			t->strtab = (const void *)dyn_addr(v, d->d_un.d_ptr);
			break;
		case DT_STRSZ:
			t->strsz = d->d_un.d_val;
			break;
		case DT_JMPREL:
			t->jmprel = (const void *)dyn_addr(v, d->d_un.d_ptr);
			break;
		case DT_PLTRELSZ:
			t->pltrelsz = d->d_un.d_val;
			break;
		case DT_PLTREL:
			rela = d->d_un.d_val == DT_RELA;
			break;
		case DT_GNU_HASH:
			t->gnu_hash = (const void *)dyn_addr(v, d->d_un.d_ptr);
			break;
		case DT_HASH:
			t->hash = (const void *)dyn_addr(v, d->d_un.d_ptr);
			break;
		}
	}
	if (!rela)
		t->jmprel = NULL;	/* x86-64 PLTs use RELA */
	return t->symtab && t->strtab &&
	       readable(v, (uintptr_t)t->strtab, t->strsz);
}

/* The name of symbol index i, or NULL. */
static const char *sym_name(const struct sc_view *v, const struct dyn_tables *t,
			    uint32_t i, const ElfW(Sym) **sym)
{
	*sym = t->symtab + i;
	if (!readable(v, (uintptr_t)*sym, sizeof(**sym)) ||
	    (*sym)->st_name >= t->strsz ||
	    !memchr(t->strtab + (*sym)->st_name, 0, t->strsz - (*sym)->st_name))
		return NULL;
	return t->strtab + (*sym)->st_name;
}

/* The symbol that PLT relocation index (what the lazy stub pushes) binds
 * into the GOT slot slot; NULL unless that relocation is an
 * R_X86_64_JUMP_SLOT of that slot. */
const char *sc_plt_symbol(const struct sc_view *v, uintptr_t slot,
			  uint32_t index)
{
	struct dyn_tables t;
	const ElfW(Rela) *r;
	const ElfW(Sym) *sym;

	if (!read_tables(v, &t) || !t.jmprel ||
	    index >= t.pltrelsz / sizeof(*r))
		return NULL;
	r = t.jmprel + index;
	if (!readable(v, (uintptr_t)r, sizeof(*r)) ||
	    ELF64_R_TYPE(r->r_info) != R_X86_64_JUMP_SLOT ||
	    (r->r_offset != slot && r->r_offset + v->bias != slot))
		return NULL;
	return sym_name(v, &t, ELF64_R_SYM(r->r_info), &sym);
}

/* An indirect function (STT_GNU_IFUNC) is at whatever its resolver chose:
 * any address will do. */
static bool is_definition(const struct sc_view *v, const ElfW(Sym) *sym,
			  uintptr_t addr)
{
	return sym->st_shndx != SHN_UNDEF &&
	       (v->bias + sym->st_value == addr ||
		ELF64_ST_TYPE(sym->st_info) == STT_GNU_IFUNC);
}

static uint32_t gnu_hash(const char *name)
{
	uint32_t h = 5381;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = h * 33 + *p;
	return h;
}

static uint32_t sysv_hash(const char *name)
{
	uint32_t h = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h = (h << 4) + *p;
		h ^= (h >> 24) & 0xf0;
	}
	return h & 0x0fffffff;
}

/* Every symbol of the name's GNU hash chain: several versions of one name
 * share it, and any of them at addr will do. */
static bool gnu_defines(const struct sc_view *v, const struct dyn_tables *t,
			const char *name, uintptr_t addr)
{
	const uint32_t *h = t->gnu_hash;
	uint32_t nbuckets, symoffset, bloom, hash = gnu_hash(name), i;
	const uint32_t *buckets, *chain;
	const ElfW(Sym) *sym;
	const char *s;

	if (!readable(v, (uintptr_t)h, 16))
		return false;
	nbuckets = h[0], symoffset = h[1], bloom = h[2];
	buckets = h + 4 + bloom * (sizeof(ElfW(Addr)) / 4);
	chain = buckets + nbuckets;
	if (!nbuckets || !readable(v, (uintptr_t)buckets, nbuckets * 4UL))
		return false;
	i = buckets[hash % nbuckets];
	if (i < symoffset)
		return false;
	for (;; i++) {
		const uint32_t *c = chain + (i - symoffset);

		if (!readable(v, (uintptr_t)c, 4))
			return false;
		if ((*c | 1) == (hash | 1) && (s = sym_name(v, t, i, &sym)) &&
		    !strcmp(s, name) && is_definition(v, sym, addr))
			return true;
		if (*c & 1)
			return false;
	}
}

static bool sysv_defines(const struct sc_view *v, const struct dyn_tables *t,
			 const char *name, uintptr_t addr)
{
	const uint32_t *h = t->hash;
	uint32_t nbucket, nchain, i, steps = 0;
	const ElfW(Sym) *sym;
	const char *s;

	if (!readable(v, (uintptr_t)h, 8))
		return false;
	nbucket = h[0], nchain = h[1];
	if (!nbucket || !readable(v, (uintptr_t)h, (2UL + nbucket + nchain) * 4))
		return false;
	for (i = h[2 + sysv_hash(name) % nbucket]; i && i < nchain && steps < nchain;
	     i = h[2 + nbucket + i], steps++)
		if ((s = sym_name(v, t, i, &sym)) && !strcmp(s, name) &&
		    is_definition(v, sym, addr))
			return true;
	return false;
}

/* Whether the image v defines a dynamic symbol name at addr. */
bool sc_defines(const struct sc_view *v, const char *name, uintptr_t addr)
{
	struct dyn_tables t;

	if (!read_tables(v, &t))
		return false;
	if (t.gnu_hash)
		return gnu_defines(v, &t, name, addr);
	return t.hash && sysv_defines(v, &t, name, addr);
}
