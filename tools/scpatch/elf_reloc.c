// SPDX-License-Identifier: MIT
/*
 * RELA relocations, parsed per base section on first use into one array
 * (no allocation per relocation).  Lookups by offset use that array directly
 * when it is in offset order (compilers and ld -r write it so), else a
 * sorted index of pointers.  Added relocations live in chunks that never
 * move.  obj_scan_relocs_to() reads the raw tables without building any of
 * this, for passes that want only the relocations against a few symbols.
 */
#include <stdlib.h>
#include <string.h>

#include "big_alloc.h"
#include "elf_internal.h"

/* Chunks for added relocations grow with the count: small for the many
 * sections that get a few (one table fragment per text section), large
 * for the few that get many. */
#define RELOC_CHUNK_MIN 4
#define RELOC_CHUNK_MAX 4096

void obj_free_relocs(struct obj_relocs *rel)
{
	free(rel->base);
	for (size_t i = 0; i < rel->nchunks; i++)
		free(rel->chunks[i]);
	free(rel->chunks);
	free(rel->added);
	free(rel->by_offset);
}

static int reloc_error(struct section *rela, size_t i, const char *what,
		       unsigned long long v)
{
	return obj_sec_error(rela, "relocation %zu: %s %llu out of range", i,
			     what, v);
}

/* 39 and 40 were MPX's PC32_BND and PLT32_BND; 43 to 51 are APX's. */
#define R_X86_64_LAST_DEFINED 51
#define R_X86_64_GNU_VTINHERIT 250
#define R_X86_64_GNU_VTENTRY 251

static int field_size(uint32_t type)
{
	switch (type) {
	case R_X86_64_NONE:
	case R_X86_64_COPY:
	case R_X86_64_TLSDESC_CALL:
	case R_X86_64_GNU_VTINHERIT:
	case R_X86_64_GNU_VTENTRY:
		return 0;
	case R_X86_64_8:
	case R_X86_64_PC8:
		return 1;
	case R_X86_64_16:
	case R_X86_64_PC16:
		return 2;
	case R_X86_64_64:
	case R_X86_64_GLOB_DAT:
	case R_X86_64_JUMP_SLOT:
	case R_X86_64_RELATIVE:
	case R_X86_64_DTPMOD64:
	case R_X86_64_DTPOFF64:
	case R_X86_64_TPOFF64:
	case R_X86_64_PC64:
	case R_X86_64_GOTOFF64:
	case R_X86_64_GOT64:
	case R_X86_64_GOTPCREL64:
	case R_X86_64_GOTPC64:
	case R_X86_64_GOTPLT64:
	case R_X86_64_PLTOFF64:
	case R_X86_64_SIZE64:
	case R_X86_64_IRELATIVE:
	case R_X86_64_RELATIVE64:
		return 8;
	case R_X86_64_TLSDESC:
		return 16;
	}
	return type <= R_X86_64_LAST_DEFINED ? 4 : -1;
}

signed char obj_field_sizes[256];
bool obj_field_sizes_filled;

void obj_fill_field_sizes(void)
{
	for (uint32_t t = 0; t < 256; t++)
		obj_field_sizes[t] = field_size(t);
	obj_field_sizes_filled = true;
}

/*
 * Once at open, in one pass over the raw table, so that a relocation no
 * pass reads is refused as surely as one they do, and the passes never see
 * an index or a field out of range.
 */
int obj_check_relocs(struct obj *obj, struct section *rela)
{
	size_t n = rela->sh.sh_size / sizeof(Elf64_Rela);
	uint64_t nsyms = rela->symtab ? rela->symtab->norig : 1;
	struct section *base = obj->ehdr.e_type == ET_REL ? rela->base : NULL;
	const Elf64_Rela *raw;

	if (!n)
		return 0;
	raw = obj_input_bytes(obj, rela);
	if (!raw)
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint64_t info = raw[i].r_info;
		uint32_t type = GELF_R_TYPE(info);

		if (GELF_R_SYM(info) >= nsyms)
			return reloc_error(rela, i, "symbol index",
					   GELF_R_SYM(info));
		if (obj_reloc_field_size(type) < 0)
			return obj_sec_error(rela, "relocation %zu: unknown x86-64 relocation type %u",
					     i, type);
		if (base && base->sh.sh_type == SHT_NOBITS &&
		    obj_reloc_field_size(type))
			return obj_sec_error(rela, "relocation %zu: applies to %s, which has no contents (SHT_NOBITS)",
					     i, base->name);
		if (base && !obj_reloc_fits(base, raw[i].r_offset, type))
			return obj_sec_error(rela, "relocation %zu: offset 0x%llx out of range of %s (0x%zx bytes)",
					     i, (unsigned long long)raw[i].r_offset,
					     base->name, base->size);
	}
	return 0;
}

/* One raw entry to a struct reloc, checked against its table and target. */
static int decode_rela(struct section *rela, size_t i, const Elf64_Rela *raw,
		       bool check_offset, struct reloc *r)
{
	unsigned int symi = GELF_R_SYM(raw->r_info);
	struct symtab *tab = rela->symtab;

	r->offset = raw->r_offset;
	r->addend = raw->r_addend;
	r->type = GELF_R_TYPE(raw->r_info);
	r->sym = NULL;
	if (symi) {
		if (!tab || symi >= tab->norig)
			return reloc_error(rela, i, "symbol index", symi);
		r->sym = &tab->orig[symi];
	}
	if (check_offset && !obj_reloc_fits(rela->base, r->offset, r->type))
		return reloc_error(rela, i, "offset", r->offset);
	return 0;
}

static bool checks_offsets(struct obj *obj)
{
	return obj->ehdr.e_type == ET_REL;
}

/* The RELA section holding SEC's relocations: its .rela section, or SEC
 * itself for a RELA section with no target (.rela.dyn in linked files). */
static struct section *rela_of(struct section *sec)
{
	if (sec->sh.sh_type == SHT_RELA && !sec->base)
		return sec;
	return sec->rela;
}

/*
 * obj_check_relocs() checked every symbol index and, against the target's
 * size then, every field: what it accepted still holds while the target
 * (not compressed: its size at open is sh_size) has not shrunk.
 */
static bool checked_at_open(struct obj *obj, struct section *rela,
			    struct section *sec)
{
	struct section *base = rela->base;

	if (!checks_offsets(obj) || rela == sec)
		return !!rela->symtab;
	return rela->symtab && !(base->sh.sh_flags & SHF_COMPRESSED) &&
	       base->size >= base->sh.sh_size;
}

/* decode_rela() without its checks, for the 600K-entry tables of a
 * large object. */
static void decode_checked(struct section *rela, const Elf64_Rela *raw,
			   struct obj_relocs *rel)
{
	struct symbol *syms = rela->symtab->orig;

	for (size_t i = 0; i < rel->nbase; i++) {
		struct reloc *r = &rel->base[i];
		unsigned int symi = GELF_R_SYM(raw[i].r_info);

		r->offset = raw[i].r_offset;
		r->addend = raw[i].r_addend;
		r->type = GELF_R_TYPE(raw[i].r_info);
			r->sym = symi ? &syms[symi] : NULL;
		if (i && r->offset < r[-1].offset)
			rel->base_sorted = false;
	}
}

/* Keeps the inline obj_reloc()'s copy of the base array current. */
static void publish_base(struct section *sec)
{
	sec->reloc_base = sec->relocs->base;
	sec->reloc_nbase = sec->relocs->nbase;
}

int obj_load_relocs(struct obj *obj, struct section *sec)
{
	struct section *rela = rela_of(sec);
	struct obj_relocs *rel;
	const Elf64_Rela *raw;

	if (sec->relocs)
		return 0;
	rel = calloc(1, sizeof(*rel));
	if (!rel)
		return obj_nomem();
	rel->base_sorted = true;
	if (!rela || rela->is_new)
		goto loaded;
	rel->nbase = rela->sh.sh_size / sizeof(Elf64_Rela);
	/* Every field is set below. */
	rel->base = big_malloc(rel->nbase * sizeof(*rel->base));
	if (!rel->base) {
		free(rel);
		return obj_nomem();
	}
	raw = obj_input_bytes(obj, rela);
	if (!raw)
		goto fail;
	if (checked_at_open(obj, rela, sec)) {
		decode_checked(rela, raw, rel);
		goto loaded;
	}
	for (size_t i = 0; i < rel->nbase; i++) {
		if (decode_rela(rela, i, &raw[i],
				checks_offsets(obj) && rela != sec,
				&rel->base[i]))
			goto fail;
		if (i && rel->base[i].offset < rel->base[i - 1].offset)
			rel->base_sorted = false;
	}
loaded:
	/* Published only when complete: a section whose relocations failed
	 * to load fails again on every call, never reads as having none. */
	sec->relocs = rel;
	publish_base(sec);
	return 0;
fail:
	free(rel->base);
	free(rel);
	return -1;
}

long obj_nrelocs(struct obj *obj, struct section *sec)
{
	if (!sec->relocs && obj_load_relocs(obj, sec))
		return -1;
	return sec->relocs->nbase + sec->relocs->nadded;
}

/* obj_reloc() past the base array, or before it is loaded. */
struct reloc *obj_reloc_slow(struct obj *obj, struct section *sec, size_t i)
{
	struct obj_relocs *rel;

	if (!sec->relocs && obj_load_relocs(obj, sec))
		return NULL;
	rel = sec->relocs;
	if (i < rel->nbase)
		return &rel->base[i];
	i -= rel->nbase;
	return i < rel->nadded ? rel->added[i] : NULL;
}

int obj_truncate_relocs(struct obj *obj, struct section *sec, size_t n)
{
	struct obj_relocs *rel;

	if (obj_check_modifiable(obj) || obj_load_relocs(obj, sec))
		return -1;
	rel = sec->relocs;
	if (n > rel->nbase + rel->nadded)
		return obj_set_error(OBJ_ERR_USAGE,
				     "cannot truncate %zu relocations to %zu",
				     rel->nbase + rel->nadded, n);
	if (n < rel->nbase) {
		rel->nbase = n;
		rel->nadded = 0;
		publish_base(sec);
	} else {
		rel->nadded = n - rel->nbase;
	}
	obj_relocs_changed(obj, sec);
	return 0;
}

static int cmp_reloc_ptr(const void *a, const void *b)
{
	const struct reloc *x = *(struct reloc *const *)a;
	const struct reloc *y = *(struct reloc *const *)b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	/* Keep file order among equal offsets: pointers grow with it only
	 * within one array, so compare positions through the arrays. */
	return (x > y) - (x < y);
}

static int build_index(struct obj *obj, struct section *sec)
{
	struct obj_relocs *rel = sec->relocs;
	size_t n = rel->nbase + rel->nadded;

	if (rel->index_valid)
		return 0;
	if (rel->base_sorted && !rel->nadded) {
		rel->index_valid = true;
		return 0;
	}
	free(rel->by_offset);
	rel->by_offset = calloc(n ? n : 1, sizeof(*rel->by_offset));
	if (!rel->by_offset)
		return obj_nomem();
	for (size_t i = 0; i < n; i++)
		rel->by_offset[i] = obj_reloc(obj, sec, i);
	/* Added relocations come after the base array in memory order only by
	 * luck; a stable merge would be exact, qsort with the tie-break is
	 * close enough: ties are rare and both orders are valid. */
	qsort(rel->by_offset, n, sizeof(*rel->by_offset), cmp_reloc_ptr);
	rel->index_valid = true;
	return 0;
}

static struct reloc *sorted_at(struct obj_relocs *rel, size_t i)
{
	return rel->by_offset ? rel->by_offset[i] : &rel->base[i];
}

/* The first relocation (in offset order) at or above OFFSET. */
static struct reloc *lower_bound(struct obj *obj, struct section *sec,
				 uint64_t offset)
{
	struct obj_relocs *rel;
	size_t lo = 0, hi;

	if ((!sec->relocs && obj_load_relocs(obj, sec)) ||
	    build_index(obj, sec))
		return NULL;
	rel = sec->relocs;
	hi = rel->nbase + rel->nadded;
	if (!rel->by_offset && rel->nadded)
		return NULL;
	/* Passes ask in offset order (an FDE's relocation, then the
	 * next's): the last answer or the one after, before a search. */
	for (size_t h = rel->hint; h <= rel->hint + 1 && h <= hi; h++)
		if ((!h || sorted_at(rel, h - 1)->offset < offset) &&
		    (h == hi || sorted_at(rel, h)->offset >= offset)) {
			lo = hi = h;
			break;
		}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sorted_at(rel, mid)->offset < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	rel->hint = lo;
	return lo < rel->nbase + rel->nadded ? sorted_at(rel, lo) : NULL;
}

struct reloc *obj_find_reloc(struct obj *obj, struct section *sec,
			     uint64_t offset)
{
	struct reloc *r = lower_bound(obj, sec, offset);

	return r && r->offset == offset ? r : NULL;
}

struct reloc *obj_find_reloc_range(struct obj *obj, struct section *sec,
				   uint64_t offset, uint64_t len)
{
	struct reloc *r = lower_bound(obj, sec, offset);

	return r && r->offset - offset < len ? r : NULL;
}

static struct reloc *new_reloc(struct obj_relocs *rel)
{
	if (rel->chunk_used == rel->chunk_cap) {
		struct reloc **v = obj_xrealloc_array(rel->chunks,
						      rel->nchunks + 1,
						      sizeof(*v));

		if (!v)
			return NULL;
		size_t cap = rel->nadded < RELOC_CHUNK_MIN ? RELOC_CHUNK_MIN :
			     rel->nadded > RELOC_CHUNK_MAX ? RELOC_CHUNK_MAX :
			     rel->nadded;

		rel->chunks = v;
		rel->chunk = calloc(cap, sizeof(*rel->chunk));
		if (!rel->chunk)
			return NULL;
		rel->chunks[rel->nchunks++] = rel->chunk;
		rel->chunk_used = 0;
		rel->chunk_cap = cap;
	}
	if (rel->nadded == rel->added_cap) {
		size_t cap = rel->added_cap * 2 + 8;
		struct reloc **v = obj_xrealloc_array(rel->added, cap,
						      sizeof(*v));

		if (!v)
			return NULL;
		rel->added = v;
		rel->added_cap = cap;
	}
	rel->added[rel->nadded++] = &rel->chunk[rel->chunk_used];
	return &rel->chunk[rel->chunk_used++];
}

struct reloc *obj_add_reloc(struct obj *obj, struct section *sec,
			    uint64_t offset, uint32_t type,
			    struct symbol *sym, int64_t addend)
{
	struct reloc *r;

	if (obj_check_modifiable(obj))
		return NULL;
	if (sym && sym->table != obj->symtab)
		return obj_set_error(OBJ_ERR_USAGE,
				     "relocation against a symbol of another table"),
		       NULL;
	if (!obj_section_rela(obj, sec) || obj_load_relocs(obj, sec))
		return NULL;
	r = new_reloc(sec->relocs);
	if (!r)
		return obj_nomem(), NULL;
	r->offset = offset;
	r->type = type;
	r->sym = sym;
	r->addend = addend;
	obj_relocs_changed(obj, sec);
	return r;
}

static int push_chunk(struct obj_relocs *rel, struct reloc *chunk)
{
	struct reloc **v = obj_xrealloc_array(rel->chunks, rel->nchunks + 1,
					      sizeof(*v));

	if (!v)
		return -1;
	rel->chunks = v;
	rel->chunks[rel->nchunks++] = chunk;
	return 0;
}

/* N more pointers in ->added, to RELOCS[0..N). */
static int push_added(struct obj_relocs *rel, struct reloc *relocs, size_t n)
{
	if (rel->nadded + n > rel->added_cap) {
		size_t cap = (rel->nadded + n) * 2 + 8;
		struct reloc **v = obj_xrealloc_array(rel->added, cap,
						      sizeof(*v));

		if (!v)
			return -1;
		rel->added = v;
		rel->added_cap = cap;
	}
	for (size_t i = 0; i < n; i++)
		rel->added[rel->nadded++] = &relocs[i];
	return 0;
}

struct reloc *obj_take_relocs(struct obj *obj, struct section *sec,
			      struct reloc *relocs, size_t n)
{
	struct obj_relocs *rel;

	if (obj_check_modifiable(obj))
		return NULL;
	if (!relocs)
		return obj_set_error(OBJ_ERR_USAGE, "no relocations to take"),
		       NULL;
	for (size_t i = 0; i < n; i++) {
		const struct symbol *sym = relocs[i].sym;

		/* a table's entries name a few symbols in turn: each is
		 * asked once a run */
		if (!sym || (i && sym == relocs[i - 1].sym) ||
		    (i > 1 && sym == relocs[i - 2].sym))
			continue;
		if (sym->table != obj->symtab)
			return obj_set_error(OBJ_ERR_USAGE,
					     "relocation against a symbol of another table"),
			       NULL;
	}
	if (!obj_section_rela(obj, sec) || obj_load_relocs(obj, sec))
		return NULL;
	rel = sec->relocs;
	if (!rel->nbase && !rel->nadded) {
		/* A section with none (a new one): the array is all of them. */
		free(rel->base);
		rel->base = relocs;
		rel->nbase = n;
		publish_base(sec);
	} else if (push_chunk(rel, relocs)) {
		return obj_nomem(), NULL;
	} else if (push_added(rel, relocs, n)) {
		rel->nchunks--;		/* still the caller's */
		return obj_nomem(), NULL;
	}
	obj_relocs_changed(obj, sec);
	return relocs;
}

void obj_relocs_changed(struct obj *obj, struct section *sec)
{
	if (obj_load_relocs(obj, sec))
		return;
	sec->relocs->index_valid = false;
	free(sec->relocs->by_offset);
	sec->relocs->by_offset = NULL;
	/* The base array may no longer be sorted: always index from now on. */
	sec->relocs->base_sorted = false;
	sec->relocs->changed = true;
	obj->changed = true;
	if (sec->rela)
		sec->rela->data_changed = true;
}

/* ---- raw scan ------------------------------------------------------- */

struct scan {
	struct obj *obj;
	struct symtab *tab;
	uint8_t *bits;		/* by input symbol index */
	struct symbol *const *syms;
	size_t nsyms;
};

static bool wanted(const struct scan *s, const struct symbol *sym)
{
	if (!sym)
		return false;
	if (!sym->is_new)
		return s->bits[sym->orig_idx / 8] & (1u << (sym->orig_idx % 8));
	for (size_t i = 0; i < s->nsyms; i++)
		if (s->syms[i] == sym)
			return true;
	return false;
}

static int scan_structs(struct scan *s, struct section *sec,
			int (*fn)(struct section *, const struct reloc *, void *),
			void *arg)
{
	struct reloc *r;

	obj_for_each_reloc(s->obj, sec, r) {
		int ret;

		if (!wanted(s, r->sym))
			continue;
		ret = fn(sec, r, arg);
		if (ret)
			return ret;
	}
	return 0;
}

static int scan_raw(struct scan *s, struct section *rela,
		    int (*fn)(struct section *, const struct reloc *, void *),
		    void *arg)
{
	const Elf64_Rela *raw = obj_input_bytes(s->obj, rela);
	size_t n = rela->sh.sh_size / sizeof(Elf64_Rela);
	unsigned int norig = s->tab->norig;

	if (!raw)
		return -1;

	for (size_t i = 0; i < n; i++) {
		unsigned int symi = GELF_R_SYM(raw[i].r_info);
		struct reloc r;
		int ret;

		if (symi >= norig)
			return reloc_error(rela, i, "symbol index", symi);
		if (!(s->bits[symi / 8] & (1u << (symi % 8))))
			continue;
		if (decode_rela(rela, i, &raw[i],
				checks_offsets(s->obj) && rela->base, &r))
			return -1;
		ret = fn(rela->base ? rela->base : rela, &r, arg);
		if (ret)
			return ret;
	}
	return 0;
}

int obj_scan_relocs_to(struct obj *obj, struct symbol *const *syms,
		       size_t nsyms,
		       int (*fn)(struct section *sec, const struct reloc *r,
				 void *arg),
		       void *arg)
{
	struct scan s = { .obj = obj, .syms = syms, .nsyms = nsyms };
	int ret = 0;

	if (!nsyms)
		return 0;
	s.tab = syms[0]->table;
	s.bits = calloc(s.tab->norig / 8 + 1, 1);
	if (!s.bits)
		return obj_nomem();
	for (size_t i = 0; i < nsyms; i++)
		if (!syms[i]->is_new)
			s.bits[syms[i]->orig_idx / 8] |= 1u << (syms[i]->orig_idx % 8);
	for (unsigned int i = 1; i < obj->nsecs && !ret; i++) {
		struct section *rela = obj->secs[i];

		struct section *owner = rela->base ? rela->base : rela;

		if (rela->sh.sh_type != SHT_RELA || rela->symtab != s.tab)
			continue;
		/* the file's table while it still says what the structs
		 * do: read in order, where the structs' symbols are random
		 * reads into megabytes */
		if (rela->is_new || (owner->relocs && owner->relocs->changed))
			ret = scan_structs(&s, owner, fn, arg);
		else
			ret = scan_raw(&s, rela, fn, arg);
	}
	free(s.bits);
	return ret;
}
