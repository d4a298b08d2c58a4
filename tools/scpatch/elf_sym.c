// SPDX-License-Identifier: MIT
/*
 * Symbols of .symtab and .dynsym: read once at open into one array per
 * table, a name hash (XXH3) built on the first lookup, a sorted per-section
 * index for "which symbol contains this offset", and added symbols.
 *
 * A table is stored as: the input symbols, then the added locals and added
 * globals.  The current index of an input global is its input index plus
 * the number of added locals, so adding a local renumbers nothing in the
 * input: the writer maps old indices to new ones.
 */
#include <stdlib.h>
#include <string.h>

#include "big_alloc.h"
#include "elf_internal.h"
#include "sort_kv.h"

int strtab_ext_add(struct strtab_ext *ext, size_t base, const char *s,
		   size_t *offset)
{
	size_t len = strlen(s) + 1;

	if (ext->len + len > ext->cap) {
		size_t cap = (ext->cap + len) * 2;
		char *p = realloc(ext->buf, cap);

		if (!p)
			return obj_nomem();
		ext->buf = p;
		ext->cap = cap;
	}
	memcpy(ext->buf + ext->len, s, len);
	*offset = base + ext->len;
	ext->len += len;
	return 0;
}

static struct section *find_shndx_section(struct obj *obj,
					   struct section *symsec)
{
	for (unsigned int i = 1; i < obj->norig_secs; i++) {
		struct section *sec = obj->secs[i];

		if (sec->sh.sh_type == SHT_SYMTAB_SHNDX &&
		    sec->sh.sh_link == symsec->idx)
			return sec;
	}
	return NULL;
}

/* elf_strptr() checks each name; this gives one message for the table. */
static bool strtab_ok(struct obj *obj, struct section *str)
{
	const char *p;

	if (str->sh.sh_type != SHT_STRTAB || !str->sh.sh_size ||
	    (str->sh.sh_flags & SHF_COMPRESSED))
		return false;
	p = obj_input_bytes(obj, str);
	return p && !p[str->sh.sh_size - 1];
}

static int check_links(struct obj *obj, struct symtab *tab)
{
	struct section *sec = tab->sec;
	unsigned int link = sec->sh.sh_link;

	if (sec->sh.sh_flags & SHF_COMPRESSED)
		return obj_sec_error(sec, "compressed symbol table");
	if (sec->sh.sh_offset % 8 || sec->sh.sh_size % sizeof(Elf64_Sym))
		return obj_sec_error(sec, "misaligned or truncated symbol table");
	if (sec->sh.sh_entsize != sizeof(Elf64_Sym))
		return obj_sec_error(sec, "entry size %llu, not %zu",
				     (unsigned long long)sec->sh.sh_entsize,
				     sizeof(Elf64_Sym));
	if (link == 0 || link >= obj->norig_secs)
		return obj_sec_error(sec, "string table index %u out of range",
				     link);
	tab->strtab = obj->secs[link];
	if (!strtab_ok(obj, tab->strtab))
		return obj_sec_error(sec, "broken string table (section %u)",
				     link);
	tab->norig = sec->sh.sh_size / sizeof(Elf64_Sym);
	tab->orig_first_global = sec->sh.sh_info;
	if (tab->norig == 0 || tab->orig_first_global > tab->norig)
		return obj_sec_error(sec, "first global symbol %u out of range",
				     sec->sh.sh_info);
	tab->names_ext = tab->strtab == obj->shstrtab ? &obj->secnames :
			 &tab->names;
	tab->shndx = find_shndx_section(obj, sec);
	if (tab->shndx && (tab->shndx->sh.sh_offset % 4 ||
			   tab->shndx->sh.sh_size < tab->norig * 4ull))
		return obj_sec_error(tab->shndx, "too small for %u symbols",
				     tab->norig);
	return 0;
}

#ifndef SHN_X86_64_LCOMMON
#define SHN_X86_64_LCOMMON 0xff02	/* -mcmodel=large common symbols */
#endif

/* The reserved indices a symbol of an x86-64 file may carry. */
static bool reserved_index_ok(unsigned int shndx)
{
	return shndx == SHN_UNDEF || shndx == SHN_ABS || shndx == SHN_COMMON ||
	       shndx == SHN_X86_64_LCOMMON;
}

static int resolve_section(struct obj *obj, struct symtab *tab,
			   struct symbol *sym, unsigned int i)
{
	unsigned int shndx = sym->sym.st_shndx;

	if (shndx == SHN_XINDEX) {
		if (!tab->shndx)
			return obj_sec_error(tab->sec,
					     "symbol %u: SHN_XINDEX without .symtab_shndx",
					     i);
		shndx = tab->xindex[i];
		if (shndx == SHN_UNDEF)
			return obj_sec_error(tab->sec,
					     "symbol %u: extended section index 0",
					     i);
	} else if (shndx >= SHN_LORESERVE || shndx == SHN_UNDEF) {
		if (!reserved_index_ok(shndx))
			return obj_sec_error(tab->sec,
					     "symbol %u: reserved section index 0x%x",
					     i, shndx);
		sym->shndx = shndx;
		return 0;
	}
	if (shndx >= obj->norig_secs)
		return obj_sec_error(tab->sec,
				     "symbol %u: section index %u out of range",
				     i, shndx);
	sym->shndx = shndx;
	sym->sec = obj->secs[shndx];
	return 0;
}

int obj_read_symtab(struct obj *obj, struct section *sec)
{
	struct symtab *tab = calloc(1, sizeof(*tab));
	const Elf64_Sym *raw;
	const char *names;

	if (!tab)
		return obj_nomem();
	tab->obj = obj;
	tab->sec = sec;
	if (sec->sh.sh_type == SHT_SYMTAB)
		obj->symtab = tab;
	else
		obj->dynsym = tab;
	if (check_links(obj, tab))
		return -1;
	/* Not zeroed: each symbol is written whole below, in one pass. */
	tab->orig = big_malloc((size_t)tab->norig * sizeof(*tab->orig));
	if (!tab->orig)
		return obj_nomem();
	raw = obj_input_bytes(obj, sec);
	names = obj_input_bytes(obj, tab->strtab);
	if (!raw || !names || (tab->shndx &&
		     !(tab->xindex = obj_input_bytes(obj, tab->shndx))))
		return -1;
	for (unsigned int i = 0; i < tab->norig; i++) {
		struct symbol *sym = &tab->orig[i];

		*sym = (struct symbol){ .sym = raw[i] };
		if (sym->sym.st_name >= tab->strtab->sh.sh_size)
			return obj_sec_error(sec,
					     "symbol %u: name offset 0x%x out of range",
					     i, sym->sym.st_name);
		/* strtab_ok(): the table ends with a NUL, so every name
		 * in it does (what elf_strptr() checked on each call). */
		sym->name = names + sym->sym.st_name;
		sym->idx = sym->orig_idx = i;
		sym->table = tab;
		sym->bind = GELF_ST_BIND(sym->sym.st_info);
		sym->type = GELF_ST_TYPE(sym->sym.st_info);
		sym->vis = GELF_ST_VISIBILITY(sym->sym.st_other);
		if ((sym->bind == STB_LOCAL) != (i < tab->orig_first_global) &&
		    i != 0 && obj->ehdr.e_type == ET_REL)
			return obj_sec_error(sec,
					     "symbol %u: %s symbol on the wrong side of sh_info %u",
					     i, sym->bind == STB_LOCAL ? "local" : "global",
					     tab->orig_first_global);
		if (resolve_section(obj, tab, sym, i))
			return -1;
		if (sym->type == STT_SECTION && sym->sec && !sym->sec->sym)
			sym->sec->sym = sym;
	}
	return 0;
}

void obj_free_symtab(struct symtab *tab)
{
	if (!tab)
		return;
	for (unsigned int i = 0; i < tab->nadded_locals; i++)
		free(tab->added_locals[i]);
	for (unsigned int i = 0; i < tab->nadded_globals; i++)
		free(tab->added_globals[i]);
	free(tab->added_locals);
	free(tab->added_globals);
	free(tab->names.buf);
	free(tab->hash);
	free(tab->hash_tail);
	free(tab->orig);
	free(tab);
}

struct symtab *obj_symtab(const struct obj *obj)
{
	return obj->symtab;
}

struct symtab *obj_dynsym(const struct obj *obj)
{
	return obj->dynsym;
}

unsigned int obj_nsymbols(const struct symtab *tab)
{
	return tab ? tab->norig + tab->nadded_locals + tab->nadded_globals : 0;
}

struct symbol *obj_symbol(const struct symtab *tab, unsigned int idx)
{
	unsigned int fg, nal;

	if (!tab)
		return NULL;
	obj_settle_indices((struct symtab *)tab);
	fg = tab->orig_first_global;
	nal = tab->nadded_locals;
	if (idx < fg)
		return &tab->orig[idx];
	if (idx < fg + nal)
		return tab->added_locals[idx - fg];
	idx -= nal;
	if (idx < tab->norig)
		return &tab->orig[idx];
	idx -= tab->norig;
	return idx < tab->nadded_globals ? tab->added_globals[idx] : NULL;
}

/* ---- name lookup ---------------------------------------------------- */

/* Appends SYM to its chain: O(1) through the bucket's tail, so that
 * thousands of symbols of one name do not walk ever longer chains. */
static void hash_insert(struct symtab *tab, struct symbol *sym)
{
	size_t b;

	if (!sym->name[0])
		return;
	sym->name_hash = obj_name_hash(sym->name);
	sym->hash_next = NULL;
	b = sym->name_hash & tab->hash_mask;
	if (tab->hash_tail[b])
		tab->hash_tail[b]->hash_next = sym;
	else
		tab->hash[b] = sym;
	tab->hash_tail[b] = sym;
}

/* Chains in index order; rebuilt twice as large when additions have
 * filled it, so that chains stay short. */
static int build_hash(struct symtab *tab)
{
	unsigned int n = obj_nsymbols(tab);
	size_t size = 64;

	while (size < n)
		size *= 2;
	free(tab->hash);
	free(tab->hash_tail);
	tab->hash = calloc(size, sizeof(*tab->hash));
	tab->hash_tail = calloc(size, sizeof(*tab->hash_tail));
	if (!tab->hash || !tab->hash_tail) {
		free(tab->hash);
		free(tab->hash_tail);
		tab->hash = tab->hash_tail = NULL;
		return obj_nomem();
	}
	tab->hash_mask = size - 1;
	for (unsigned int i = 1; i < n; i++)
		hash_insert(tab, obj_symbol(tab, i));
	return 0;
}

static struct symbol *hash_find_from(struct symbol *sym, const char *name,
				     uint32_t h)
{
	for (; sym; sym = sym->hash_next)
		if (sym->name_hash == h && !strcmp(sym->name, name))
			return sym;
	return NULL;
}

/*
 * Hashing every name of a large table costs as much as a few dozen scans
 * of it: the first lookups scan (the same symbol: the lowest index among
 * the named ones), later ones build the hash.
 */
#define SCANNED_LOOKUPS 4

static struct symbol *scan_for(struct symtab *tab, const char *name)
{
	unsigned int n = obj_nsymbols(tab);

	for (unsigned int i = 1; i < n; i++) {
		struct symbol *sym = obj_symbol(tab, i);

		if (sym->name[0] == name[0] && name[0] &&
		    !strcmp(sym->name, name))
			return sym;
	}
	return NULL;
}

struct symbol *obj_find_symbol_in(struct obj *obj, struct symtab *tab,
				  const char *name)
{
	uint32_t h;

	(void)obj;
	if (!tab)
		return NULL;
	obj_settle_indices(tab);
	if (!tab->hash && tab->nscans < SCANNED_LOOKUPS) {
		tab->nscans++;
		return scan_for(tab, name);
	}
	if (!tab->hash && build_hash(tab))
		return NULL;
	h = obj_name_hash(name);
	return hash_find_from(tab->hash[h & tab->hash_mask], name, h);
}

struct symbol *obj_find_symbol(struct obj *obj, const char *name)
{
	struct symbol *sym = obj_find_symbol_in(obj, obj->symtab, name);

	return sym ? sym : obj_find_symbol_in(obj, obj->dynsym, name);
}

struct symbol *obj_find_next_symbol(struct obj *obj, struct symbol *sym)
{
	(void)obj;
	/* Found by a scan: the chains link same names. */
	if (!sym->table->hash && build_hash(sym->table))
		return NULL;
	return hash_find_from(sym->hash_next, sym->name, sym->name_hash);
}

int obj_for_each_symbol_prefixed(struct obj *obj, struct symtab *tab,
				 const char *prefix,
				 int (*fn)(struct symbol *sym, void *arg),
				 void *arg)
{
	size_t len = strlen(prefix);
	struct symbol *sym;

	(void)obj;
	if (!tab)
		return 0;
	obj_for_each_symbol(tab, sym) {
		int ret;

		if ((len && sym->name[0] != prefix[0]) ||
		    strncmp(sym->name, prefix, len))
			continue;
		ret = fn(sym, arg);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- containing lookup ---------------------------------------------- */

static struct symtab *defining_table(struct obj *obj)
{
	return obj->symtab ? obj->symtab : obj->dynsym;
}

static uint64_t sym_start(struct obj *obj, const struct symbol *sym)
{
	uint64_t v = sym->sym.st_value;

	if (obj->ehdr.e_type != ET_REL)
		v -= sym->sec->sh.sh_addr;
	return v;
}

static struct obj *sort_obj;

static int cmp_by_start(const void *a, const void *b)
{
	const struct symbol *x = *(struct symbol *const *)a;
	const struct symbol *y = *(struct symbol *const *)b;
	uint64_t sx = sym_start(sort_obj, x), sy = sym_start(sort_obj, y);

	if (sx != sy)
		return sx < sy ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static bool indexable(const struct symbol *sym)
{
	return sym->sec && sym->type != STT_SECTION && sym->type != STT_FILE;
}

/*
 * A large section's symbols (150K in c.o's .text) sort by start with a
 * stable radix sort (sort_kv.c): the comparison sort spent more on
 * fetching each start than on sorting.  Stable, from index order, it
 * gives cmp_by_start()'s order.  False when it cannot (memory, or symbols
 * not in index order after additions).
 */
static bool radix_sort_bysym(struct obj *obj, struct obj_bysym *b)
{
	struct kv *k;

	for (size_t i = 1; i < b->n; i++)
		if (b->syms[i - 1]->idx >= b->syms[i]->idx)
			return false;
	k = malloc(b->n * sizeof(*k));
	if (!k)
		return false;
	for (size_t i = 0; i < b->n; i++)
		k[i] = (struct kv){ sym_start(obj, b->syms[i]),
				    (uintptr_t)b->syms[i] };
	if (sort_kv(k, b->n)) {
		free(k);
		return false;
	}
	for (size_t i = 0; i < b->n; i++)
		b->syms[i] = (struct symbol *)(uintptr_t)k[i].val;
	free(k);
	return true;
}

static void sort_bysym(struct obj *obj, struct obj_bysym *b)
{
	uint64_t max = 0;

	obj_settle_indices(defining_table(obj));	/* ties go by index */
	sort_obj = obj;
	if (b->n > 1 && (b->n < 64 || !radix_sort_bysym(obj, b)))
		qsort(b->syms, b->n, sizeof(*b->syms), cmp_by_start);
	for (size_t k = 0; k < b->n; k++) {
		uint64_t end = sym_start(obj, b->syms[k]) +
			       b->syms[k]->sym.st_size;

		if (end > max)
			max = end;
		b->max_end[k] = max;
	}
	b->dirty = false;
}

static int bysym_reserve(struct obj_bysym *b, size_t n)
{
	struct symbol **s;
	uint64_t *e;

	if (n <= b->cap)
		return 0;
	n = n < 8 ? 8 : n;
	s = obj_xrealloc_array(b->syms, n, sizeof(*s));
	if (!s)
		return obj_nomem();
	b->syms = s;
	e = obj_xrealloc_array(b->max_end, n, sizeof(*e));
	if (!e)
		return obj_nomem();
	b->max_end = e;
	b->cap = n;
	return 0;
}

static struct obj_bysym *bysym_of(struct section *sec)
{
	if (!sec->by_value)
		sec->by_value = calloc(1, sizeof(*sec->by_value));
	if (!sec->by_value)
		obj_nomem();
	return sec->by_value;
}

/* One pass over the table fills every section's index: counts first, then
 * one array per section, then a sort of each. */
static int build_bysym(struct obj *obj)
{
	struct symtab *tab = defining_table(obj);
	struct symbol *sym;
	size_t *count = calloc(obj->nsecs, sizeof(*count));

	if (!count)
		return obj_nomem();
	obj_for_each_symbol(tab, sym)
		if (indexable(sym))
			count[sym->sec->idx]++;
	for (unsigned int i = 0; i < obj->nsecs; i++) {
		struct obj_bysym *b = bysym_of(obj->secs[i]);

		if (!b || bysym_reserve(b, count[i])) {
			free(count);
			return -1;
		}
		b->n = 0;
		b->dirty = true;
	}
	free(count);
	obj_for_each_symbol(tab, sym)
		if (indexable(sym))
			sym->sec->by_value->syms[sym->sec->by_value->n++] = sym;
	obj->bysym_built = true;
	return 0;
}

/* A symbol added after the index was built joins its section's list. */
static int bysym_add(struct obj *obj, struct symbol *sym)
{
	struct obj_bysym *b;

	if (!obj->bysym_built || !indexable(sym) ||
	    sym->table != defining_table(obj))
		return 0;
	b = bysym_of(sym->sec);
	if (!b || bysym_reserve(b, b->n + 1 > b->cap ? b->cap * 2 + 1 : 0))
		return -1;
	b->syms[b->n++] = sym;
	b->dirty = true;
	return 0;
}

static struct obj_bysym *section_index(struct obj *obj, struct section *sec)
{
	struct obj_bysym *b;

	if (!obj->bysym_built && build_bysym(obj))
		return NULL;
	b = bysym_of(sec);
	if (b && b->dirty)
		sort_bysym(obj, b);
	return b;
}

/* I is the last symbol starting at or below OFFSET. */
static bool last_is(struct obj *obj, const struct obj_bysym *b, size_t i,
		    uint64_t offset)
{
	return i < b->n && sym_start(obj, b->syms[i]) <= offset &&
	       (i + 1 == b->n || sym_start(obj, b->syms[i + 1]) > offset);
}

/*
 * Index of the last symbol starting at or below OFFSET, or -1.  Passes
 * ask in offset order, function after function: the answer is the last
 * one or the next one far more often than not.
 */
static long last_at_or_below(struct obj *obj, struct obj_bysym *b,
			     uint64_t offset)
{
	long lo = 0, hi = (long)b->n - 1, found = -1;

	if (last_is(obj, b, b->hint, offset))
		return b->hint;
	if (last_is(obj, b, b->hint + 1, offset))
		return ++b->hint;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;

		if (sym_start(obj, b->syms[mid]) <= offset) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	if (found >= 0)
		b->hint = found;
	return found;
}

static bool is_func(const struct symbol *sym)
{
	return sym->type == STT_FUNC || sym->type == STT_GNU_IFUNC;
}

/*
 * *SAME_UNTIL (when not NULL) is where the answer may change: before the
 * next symbol's start and the found function's end, the walk below starts
 * from the same symbol, and every symbol it passes before the function
 * ends at or before OFFSET, so it finds the function again.
 */
static struct symbol *containing(struct obj *obj, struct section *sec,
				 uint64_t offset, bool funcs_only,
				 uint64_t *same_until)
{
	struct obj_bysym *b = section_index(obj, sec);
	struct symbol *other = NULL;
	long last;

	if (same_until)
		*same_until = offset + 1;
	if (!b)
		return NULL;
	last = last_at_or_below(obj, b, offset);
	/* Walk down while some earlier symbol may still reach OFFSET. */
	for (long i = last; i >= 0 && b->max_end[i] > offset; i--) {
		struct symbol *sym = b->syms[i];
		uint64_t end = sym_start(obj, sym) + sym->sym.st_size;

		if (end <= offset)
			continue;
		if (is_func(sym)) {
			if (same_until)
				*same_until = (size_t)last + 1 < b->n &&
					sym_start(obj, b->syms[last + 1]) < end ?
					sym_start(obj, b->syms[last + 1]) : end;
			return sym;
		}
		if (!other && !funcs_only)
			other = sym;
	}
	return other;
}

struct symbol *obj_find_symbol_containing(struct obj *obj,
					  struct section *sec,
					  uint64_t offset)
{
	return containing(obj, sec, offset, false, NULL);
}

struct symbol *obj_find_func_containing(struct obj *obj, struct section *sec,
					uint64_t offset)
{
	return containing(obj, sec, offset, true, NULL);
}

struct symbol *obj_find_func_containing_span(struct obj *obj,
					     struct section *sec,
					     uint64_t offset,
					     uint64_t *same_until)
{
	return containing(obj, sec, offset, true, same_until);
}

struct symbol *obj_find_symbol_at(struct obj *obj, struct section *sec,
				  uint64_t offset)
{
	struct obj_bysym *b = section_index(obj, sec);
	struct symbol *other = NULL;

	if (!b)
		return NULL;
	for (long i = last_at_or_below(obj, b, offset);
	     i >= 0 && sym_start(obj, b->syms[i]) == offset; i--) {
		if (is_func(b->syms[i]))
			return b->syms[i];
		other = b->syms[i];
	}
	return other;
}

/* ---- changes -------------------------------------------------------- */

static int push_symbol(struct symbol ***v, unsigned int *n, unsigned int *cap,
		       struct symbol *sym)
{
	if (*n == *cap) {
		unsigned int c = *cap * 2 + 16;
		struct symbol **p = obj_xrealloc_array(*v, c, sizeof(*p));

		if (!p)
			return obj_nomem();
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = sym;
	return 0;
}

/*
 * Adding a local moves every global up by one.  Their ->idx is brought up
 * to date once, when a symbol is next handed out or the object written,
 * not on every addition: annotating an object with thousands of sections
 * may add a section symbol for each.
 */
void obj_settle_indices(struct symtab *tab)
{
	unsigned int nal;

	if (!tab || !tab->idx_stale)
		return;
	nal = tab->nadded_locals;
	for (unsigned int i = tab->orig_first_global; i < tab->norig; i++)
		tab->orig[i].idx = i + nal;
	for (unsigned int i = 0; i < tab->nadded_globals; i++)
		tab->added_globals[i]->idx = tab->norig + nal + i;
	tab->idx_stale = false;
}

unsigned int obj_symbol_index(const struct symbol *sym)
{
	obj_settle_indices(sym->table);
	return sym->idx;
}

static int insert_symbol(struct symtab *tab, struct symbol *sym)
{
	if (sym->bind == STB_LOCAL) {
		if (push_symbol(&tab->added_locals, &tab->nadded_locals,
				&tab->added_locals_cap, sym))
			return -1;
		sym->idx = tab->orig_first_global + tab->nadded_locals - 1;
		if (tab->norig > tab->orig_first_global || tab->nadded_globals)
			tab->idx_stale = true;
	} else {
		if (push_symbol(&tab->added_globals, &tab->nadded_globals,
				&tab->added_globals_cap, sym))
			return -1;
		sym->idx = obj_nsymbols(tab) - 1;
	}
	if (!tab->hash)
		return 0;
	/* Out of memory for a larger table: the next lookup tries again. */
	if (obj_nsymbols(tab) > 2 * (tab->hash_mask + 1))
		build_hash(tab);
	else
		hash_insert(tab, sym);
	return 0;
}

static int need_shndx_section(struct obj *obj, struct symtab *tab,
			      struct section *sec)
{
	struct section *x;

	if (!sec || sec->idx < SHN_LORESERVE || tab->shndx)
		return 0;
	x = obj_create_section(obj, ".symtab_shndx", SHT_SYMTAB_SHNDX, 0, 4, 4,
			       NULL, 0);
	if (!x)
		return -1;
	x->sh.sh_link = tab->sec->idx;
	tab->shndx = x;
	return 0;
}

struct symbol *obj_add_symbol(struct obj *obj, const char *name,
			      struct section *sec, uint64_t value,
			      uint64_t size, unsigned char bind,
			      unsigned char type, unsigned char vis)
{
	struct symtab *tab = obj->symtab;
	struct symbol *sym;
	size_t name_off = 0;

	if (obj_check_modifiable(obj))
		return NULL;
	if (!tab)
		return obj_set_error(OBJ_ERR_USAGE, "no symbol table"), NULL;
	if (need_shndx_section(obj, tab, sec))
		return NULL;
	sym = calloc(1, sizeof(*sym) + strlen(name) + 1);
	if (!sym)
		return obj_nomem(), NULL;
	sym->name = strcpy((char *)(sym + 1), name);
	if (name[0] && strtab_ext_add(tab->names_ext, tab->strtab->sh.sh_size,
				      name, &name_off)) {
		free(sym);
		return NULL;
	}
	sym->sym.st_name = name_off;
	sym->sym.st_info = GELF_ST_INFO(bind, type);
	sym->sym.st_other = vis;
	sym->sym.st_shndx = sec ? (sec->idx < SHN_LORESERVE ? sec->idx :
				   SHN_XINDEX) : SHN_UNDEF;
	sym->sym.st_value = value;
	sym->sym.st_size = size;
	sym->sec = sec;
	sym->shndx = sec ? sec->idx : SHN_UNDEF;
	sym->bind = bind;
	sym->type = type;
	sym->vis = vis;
	sym->is_new = true;
	sym->table = tab;
	sym->orig_idx = UINT32_MAX;
	if (insert_symbol(tab, sym)) {
		free(sym);
		return NULL;
	}
	if (type == STT_SECTION && sec && !sec->sym)
		sec->sym = sym;
	tab->changed = true;
	obj->changed = true;
	if (bysym_add(obj, sym))
		return NULL;
	return sym;
}

struct symbol *obj_section_symbol(struct obj *obj, struct section *sec)
{
	if (sec->sym)
		return sec->sym;
	return obj_add_symbol(obj, "", sec, 0, 0, STB_LOCAL, STT_SECTION,
			      STV_DEFAULT);
}

void obj_symbol_changed(struct obj *obj, struct symbol *sym)
{
	sym->bind = GELF_ST_BIND(sym->sym.st_info);
	sym->type = GELF_ST_TYPE(sym->sym.st_info);
	sym->vis = GELF_ST_VISIBILITY(sym->sym.st_other);
	sym->table->changed = true;
	obj->changed = true;
	if (sym->sec && sym->sec->by_value)
		sym->sec->by_value->dirty = true;
}
