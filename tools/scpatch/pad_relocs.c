// SPDX-License-Identifier: MIT
/*
 * Padding: relocations and symbols that point into moved code.
 *
 * The place a relocation points at is symbol + addend + bias, where the
 * bias is what the value is relative to: nothing for absolute types, the
 * end of the instruction for a PC-relative field in code (4, or more when
 * an immediate follows), the field itself in .eh_frame, and the table base
 * for a PC-relative jump table entry (`.long .L3-.L5`): there the addend
 * is target + (entry - table base), and the base is the nearest place at
 * or below the entry that code refers to.  The mark pass records every
 * such place as a reference (and refuses sections referenced in ways that
 * cannot be followed); the fix pass rewrites addends and offsets.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "big_alloc.h"
#include "dwarf_fix.h"
#include "pad_internal.h"
#include "sort_kv.h"

struct pad_sec *pad_find_sec(struct pad_sec **secs, size_t nsecs,
			     unsigned idx)
{
	struct pad_sec *ps = idx < nsecs ? secs[idx] : NULL;

	return ps && ps->wanted && !ps->why ? ps : NULL;
}

enum reloc_kind { RK_ABS, RK_PC, RK_OTHER };

static enum reloc_kind reloc_kind(uint32_t type)
{
	switch (type) {
	case R_X86_64_64: case R_X86_64_32: case R_X86_64_32S:
	case R_X86_64_16: case R_X86_64_8: case R_X86_64_NONE:
		return RK_ABS;
	case R_X86_64_PC32: case R_X86_64_PLT32: case R_X86_64_PC64:
	case R_X86_64_PC16: case R_X86_64_PC8:
		return RK_PC;
	}
	return RK_OTHER;
}

/* Places in non-code section IDX that code refers to (jump table bases). */
struct table_bases {
	uint64_t *v;
	size_t n, cap;
	size_t hint;	/* the last answer's upper bound (see table_base) */
};

/* Every data section's table bases, found by the mark pass when it needs
 * them and used again by the fix pass (relocations do not change between
 * the two). */
struct pad_bases {
	struct table_bases *v;	/* per section index */
	unsigned n;
	bool built;
	bool failed;		/* out of memory building them: the pass
				 * fails (a partial list would be wrong) */
};

static bool is_debug(const struct section *t);
static bool names_instruction(const struct section *t);

struct reloc_pass {
	struct obj *obj;
	struct pad_sec **secs;
	size_t nsecs;
	struct pad_bases *b;
	const struct dwarf_fixes *dw;
	/* what the section holding the relocations is, named once per
	 * section and not once per relocation */
	bool in_debug, in_site_table;
	/* the instruction insn_end() decoded last in unpadded code: the
	 * next relocation of the same function continues from it */
	struct {
		const struct section *sec;
		uint64_t start, pos;
	} cursor;
};

/*
 * The relocations of a section come in offset order, their symbols in no
 * order: a random read into megabytes of symbols each.  Asked this many
 * relocations ahead, the reads overlap.
 */
#define AHEAD 16

static void prefetch_symbol(struct obj *obj, struct section *t, size_t k)
{
	const struct reloc *r = obj_reloc(obj, t, k + AHEAD);

	if (r && r->sym)
		__builtin_prefetch(r->sym);
}

static void enter_section(struct reloc_pass *rp, const struct section *t)
{
	rp->in_debug = is_debug(t);
	rp->in_site_table = names_instruction(t);
}

/*
 * A relocation against a function (or other code) symbol whose target is
 * the symbol itself: marking it marks the symbol again (mark_symbols did)
 * and its addend does not change.  Most relocations into code are these:
 * skipping them saves two lookups into a large instruction array each.
 */
static bool follows_symbol(const struct reloc_pass *rp, const struct reloc *r,
			   uint64_t target)
{
	return r->sym->type != STT_SECTION && r->sym->type != STT_OBJECT &&
	       r->sym->type != STT_TLS && target == r->sym->sym.st_value &&
	       !rp->in_site_table;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int add_base(struct table_bases *tb, uint64_t v)
{
	if (tb->n == tb->cap) {
		size_t cap = tb->cap ? 2 * tb->cap : 16;
		uint64_t *p = big_realloc(tb->v, cap * sizeof(*tb->v));

		if (!p)
			return -1;
		tb->v = p;
		tb->cap = cap;
	}
	tb->v[tb->n++] = v;
	return 0;
}

/* A radix sort for the large lists (tens of thousands of jump table
 * entries in .rodata: qsort() cost 1% of a run), qsort() for the rest. */
static int sort_bases(struct table_bases *tb)
{
	struct kv *kv;

	if (tb->n < 256) {
		qsort(tb->v, tb->n, sizeof(*tb->v), cmp_u64);
		return 0;
	}
	kv = malloc(tb->n * sizeof(*kv));
	if (!kv)
		return -1;
	for (size_t i = 0; i < tb->n; i++)
		kv[i] = (struct kv){ .key = tb->v[i] };
	if (sort_kv(kv, tb->n)) {
		free(kv);
		return -1;
	}
	for (size_t i = 0; i < tb->n; i++)
		tb->v[i] = kv[i].key;
	free(kv);
	return 0;
}

/* One walk over the relocations of every code section fills the table
 * bases of every section (one walk per data section was quadratic on
 * objects with thousands of sections). */
static int build_bases(struct reloc_pass *rp)
{
	struct section *t;
	struct reloc *r;

	obj_for_each_section(rp->obj, t) {
		if (!(t->sh.sh_flags & SHF_EXECINSTR) || t->sh.sh_type == SHT_RELA)
			continue;
		for (size_t i = 0; (r = obj_reloc(rp->obj, t, i)); i++) {
			enum reloc_kind k = reloc_kind(r->type);

			prefetch_symbol(rp->obj, t, i);

			if (!r->sym || !r->sym->sec || k == RK_OTHER ||
			    (r->sym->sec->sh.sh_flags & SHF_EXECINSTR))
				continue;
			if (add_base(&rp->b->v[r->sym->sec->idx],
				     (r->sym->type == STT_SECTION ? 0 :
				      r->sym->sym.st_value) + r->addend +
				     (k == RK_PC ? 4 : 0))) {
				rp->b->failed = true;
				return -1;
			}
		}
	}
	for (unsigned i = 0; i < rp->b->n; i++)
		if (rp->b->v[i].n && sort_bases(&rp->b->v[i])) {
			rp->b->failed = true;
			return -1;
		}
	rp->b->built = true;
	return 0;
}

static bool table_base(struct reloc_pass *rp, struct section *data,
		       uint64_t at, uint64_t *base)
{
	struct table_bases *tb = &rp->b->v[data->idx];
	size_t lo = 0, hi;

	if (rp->b->failed || (!rp->b->built && build_bases(rp)))
		return false;
	hi = tb->n;
	/* The entries of a table come in order: the answer is the last
	 * one's, or the next (a binary search missed a branch a step). */
	for (size_t h = tb->hint; h <= tb->hint + 1 && h <= hi; h++)
		if ((!h || tb->v[h - 1] <= at) && (h == hi || tb->v[h] > at)) {
			lo = hi = h;
			break;
		}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (tb->v[mid] <= at)
			lo = mid + 1;
		else
			hi = mid;
	}
	tb->hint = lo;
	if (!lo)
		return false;
	*base = tb->v[lo - 1];
	return true;
}

/* End of the instruction holding the field at OFF in code section T. */
static bool insn_end(struct reloc_pass *rp, struct section *t, uint64_t off,
		     uint64_t *end)
{
	struct pad_sec *pt = pad_find_sec(rp->secs, rp->nsecs, t->idx);
	const uint8_t *data;
	struct symbol *sym;
	uint64_t start = 0, pos;
	struct insn in;

	if (pt) {
		long i = pad_insn_covering(pt, off);

		if (i < 0)
			return false;
		*end = pt->insns[i].off + pt->insns[i].d.len;
		return true;
	}
	data = obj_section_data(rp->obj, t);
	if (!data)
		return false;
	sym = obj_find_symbol_containing(rp->obj, t, off);
	if (sym && sym->sym.st_value <= off)
		start = sym->sym.st_value;
	pos = start;
	/* a function with many calls into padded code was decoded from
	 * its start once per call: quadratic in C++ objects */
	if (rp->cursor.sec == t && rp->cursor.start == start &&
	    rp->cursor.pos <= off)
		pos = rp->cursor.pos;
	rp->cursor.sec = t;
	rp->cursor.start = start;
	for (;;) {
		if (pos >= t->size ||
		    !arch_decode(data + pos, t->size - pos, pos, &in)) {
			rp->cursor.sec = NULL;
			return false;
		}
		if (pos + in.len > off)
			break;
		pos += in.len;
	}
	rp->cursor.pos = pos;
	*end = pos + in.len;
	return true;
}

/*
 * Where R (in section T) points in padded section S, as an original
 * offset, and the bias to subtract again.  False when unknown.
 */
static bool reloc_target(struct reloc_pass *rp, struct section *t,
			 const struct reloc *r, struct pad_sec *s,
			 uint64_t *target, int64_t *bias)
{
	uint64_t sym = r->sym->type == STT_SECTION ? 0 : r->sym->sym.st_value;
	uint64_t end, base, x;

	*bias = 0;
	switch (reloc_kind(r->type)) {
	case RK_OTHER:
		if (r->sym->type == STT_SECTION)
			return false;
		*target = sym;
		*bias = r->addend;
		return true;
	case RK_ABS:
		break;
	case RK_PC:
		if (t->sh.sh_flags & SHF_EXECINSTR) {
			if (!insn_end(rp, t, r->offset, &end))
				return false;
			*bias = end - r->offset;
		} else if (table_base(rp, t, r->offset, &base)) {
			x = sym + r->addend - (r->offset - base);
			if (x <= s->size && (x == s->size ||
					     pad_insn_at(s, x) >= 0))
				*bias = -(int64_t)(r->offset - base);
		}
		break;
	}
	*target = sym + r->addend + *bias;
	return true;
}

static bool is_debug(const struct section *t)
{
	return !strncmp(t->name, ".debug_", 7) ||
	       !strncmp(t->name, ".zdebug_", 8);
}

/* Static call tables name the instruction itself, not a place before it:
 * their entries follow the instruction past an inserted NOP. */
static bool names_instruction(const struct section *t)
{
	return !strncmp(t->name, ".static_call_sites", 18);
}

static void mark_reloc(struct reloc_pass *rp, struct section *t,
		       const struct reloc *r)
{
	struct pad_sec *s;
	uint64_t target;
	int64_t bias;

	if (!r->sym || !r->sym->sec)
		return;
	s = pad_find_sec(rp->secs, rp->nsecs, r->sym->sec->idx);
	if (!s)
		return;
	if (rp->in_debug && !(rp->dw && dwarf_handled(rp->dw, t))) {
		pad_refuse(s, rp->dw && rp->dw->why ? rp->dw->why :
			   "a debug section that is not rewritten refers to it",
			   "%s refers to it", t->name);
		return;
	}
	if (!reloc_target(rp, t, r, s, &target, &bias)) {
		pad_refuse(s, "a relocation into the code cannot be followed",
			   "%s+0x%" PRIx64 " (type %u)", t->name, r->offset,
			   r->type);
		return;
	}
	if (follows_symbol(rp, r, target))
		return;
	if (rp->in_site_table) {
		if (target >= s->size)
			pad_refuse(s, "a static call table entry is outside "
				   "the code", "%s+0x%" PRIx64, t->name,
				   r->offset);
	} else if (rp->in_debug)
		pad_mark_debug_point(s, target, t->name);
	else if (r->type != R_X86_64_NONE)
		pad_mark_point(s, target, "relocation target");
}

static bool boundary(const struct pad_sec *s, uint64_t off)
{
	return off == s->size || pad_insn_at(s, off) >= 0;
}

/*
 * A data object in code: its bytes are decoded like code, so they must not
 * change, nor anything that would "retarget" them.  When the decode does
 * not start and end on its bounds it may have swallowed code around it:
 * then the whole section is refused.
 */
static void freeze_object(struct pad_sec *s, const struct symbol *sym)
{
	uint64_t start = sym->sym.st_value, end = start + sym->sym.st_size;

	if (end > s->size || !boundary(s, start) || !boundary(s, end)) {
		pad_refuse(s, "data in a code section", "object %s is not "
			   "decoded on its bounds", sym->name);
		return;
	}
	pad_freeze(s, start, end > start ? end : start + 1,
		   "data in a code section", true);
}

static void mark_symbols(struct reloc_pass *rp)
{
	struct symbol *sym;

	obj_for_each_symbol(obj_symtab(rp->obj), sym) {
		struct pad_sec *s;

		if (!sym->sec || sym->type == STT_SECTION)
			continue;
		s = pad_find_sec(rp->secs, rp->nsecs, sym->sec->idx);
		if (!s)
			continue;
		if (sym->type == STT_OBJECT) {
			freeze_object(s, sym);
			continue;
		}
		if (sym->type == STT_TLS) {
			pad_refuse(s, "data in a code section", "TLS object %s",
				   sym->name);
			continue;
		}
		pad_mark_point(s, sym->sym.st_value, "symbol");
		pad_mark_point(s, sym->sym.st_value + sym->sym.st_size,
			       "symbol end");
	}
}

static int pass_init(struct reloc_pass *rp, struct obj *obj,
		     struct pad_sec **secs, size_t nsecs, struct pad_bases **b)
{
	*rp = (struct reloc_pass){ .obj = obj, .secs = secs, .nsecs = nsecs };
	if (!*b) {
		*b = calloc(1, sizeof(**b));
		if (!*b)
			return -1;
		(*b)->n = obj_nsections(obj);
		(*b)->v = calloc((*b)->n, sizeof(*(*b)->v));
		if (!(*b)->v)
			return -1;
	}
	rp->b = *b;
	return 0;
}

void pad_bases_free(struct pad_bases *b)
{
	if (!b)
		return;
	for (unsigned i = 0; i < b->n && b->v; i++)
		free(b->v[i].v);
	free(b->v);
	free(b);
}

static bool has_relocs(struct obj *obj, struct section *t)
{
	return t->sh.sh_type != SHT_RELA && t->sh.sh_type != SHT_REL &&
	       t->sh.sh_type != SHT_NULL && t->rela && obj_nrelocs(obj, t) > 0;
}

int pad_mark_reloc_targets(struct obj *obj, struct pad_sec **secs,
			   size_t nsecs, const struct dwarf_fixes *dw,
			   struct pad_bases **bases)
{
	struct reloc_pass rp;
	struct section *t;
	struct reloc *r;

	if (pass_init(&rp, obj, secs, nsecs, bases))
		return -1;
	rp.dw = dw;
	mark_symbols(&rp);
	obj_for_each_section(obj, t) {
		if (!has_relocs(obj, t))
			continue;
		enter_section(&rp, t);
		for (size_t k = 0; (r = obj_reloc(obj, t, k)); k++) {
			prefetch_symbol(obj, t, k);
			mark_reloc(&rp, t, r);
		}
	}
	return rp.b->failed ? -1 : 0;
}

static uint64_t map_point(const struct pad_sec *s, uint64_t off)
{
	uint64_t out;

	return pad_map(s, off, &out) ? out : pad_map_byte(s, off);
}

static bool fix_addend(struct reloc_pass *rp, struct section *t,
		       struct reloc *r)
{
	struct pad_sec *s;
	uint64_t target, nsym;
	int64_t bias;

	if (!r->sym || !r->sym->sec)
		return false;
	s = pad_find_sec(rp->secs, rp->nsecs, r->sym->sec->idx);
	if (!s || !reloc_target(rp, t, r, s, &target, &bias) ||
	    follows_symbol(rp, r, target))
		return false;
	nsym = r->sym->type == STT_SECTION ? 0 :
	       map_point(s, r->sym->sym.st_value);
	if (reloc_kind(r->type) == RK_OTHER)
		return false;
	r->addend = (int64_t)((rp->in_site_table ?
			       pad_map_byte(s, target) : map_point(s, target)) -
			      nsym) - bias;
	return true;
}

int pad_fix_relocs(struct obj *obj, struct pad_sec **secs, size_t nsecs,
		   struct pad_bases **bases)
{
	struct reloc_pass rp;
	struct section *t;
	struct reloc *r;

	if (pass_init(&rp, obj, secs, nsecs, bases))
		return -1;
	obj_for_each_section(obj, t) {
		struct pad_sec *self;
		bool changed = false;

		if (!has_relocs(obj, t))
			continue;
		self = pad_find_sec(secs, nsecs, t->idx);
		enter_section(&rp, t);
		for (size_t k = 0; (r = obj_reloc(obj, t, k)); k++) {
			prefetch_symbol(obj, t, k);
			changed |= fix_addend(&rp, t, r);
			if (self) {
				r->offset = pad_map_byte(self, r->offset);
				changed = true;
			}
		}
		if (changed)
			obj_relocs_changed(obj, t);
	}
	return rp.b->failed ? -1 : 0;
}

/* The padded section SYM's value and end are in, when they move. */
static struct pad_sec *moved_symbol_sec(struct pad_sec **secs, size_t nsecs,
					const struct symbol *sym)
{
	if (!sym->sec || sym->type == STT_SECTION)
		return NULL;
	return pad_find_sec(secs, nsecs, sym->sec->idx);
}

static void move_symbol(struct obj *obj, struct symbol *sym, uint64_t v,
			uint64_t e)
{
	if (sym->sym.st_size)
		sym->sym.st_size = e - v;
	sym->sym.st_value = v;
	obj_symbol_changed(obj, sym);
}

static void fix_symbols_in_order(struct obj *obj, struct pad_sec **secs,
				 size_t nsecs)
{
	struct symbol *sym;

	obj_for_each_symbol(obj_symtab(obj), sym) {
		struct pad_sec *ps = moved_symbol_sec(secs, nsecs, sym);

		if (ps)
			move_symbol(obj, sym, map_point(ps, sym->sym.st_value),
				    map_point(ps, sym->sym.st_value +
						  sym->sym.st_size));
	}
}

/* A place to map, as a sort key: its section's index above its offset. */
#define PLACE_BITS 40
#define PLACE_MASK ((1ull << PLACE_BITS) - 1)

struct places {
	struct kv *v;
	size_t n, cap;
	bool fits;		/* every offset and section index fits a key */
};

static int add_place(struct places *p, unsigned idx, uint64_t off)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 4096;
		struct kv *v = big_realloc(p->v, cap * sizeof(*v));

		if (!v)
			return -1;
		p->v = v;
		p->cap = cap;
	}
	p->fits &= off <= PLACE_MASK && idx < (1u << (64 - PLACE_BITS));
	p->v[p->n] = (struct kv){ (uint64_t)idx << PLACE_BITS | off, p->n };
	p->n++;
	return 0;
}

/*
 * The symbols' values and ends mapped in offset order: in symbol table
 * order they are random lookups into the instructions and the layout
 * (tens of megabytes on a large object), a cache miss or more each.
 * False (nothing changed) when out of memory.
 */
static bool fix_symbols_sorted(struct obj *obj, struct pad_sec **secs,
			       size_t nsecs)
{
	struct places p = { .fits = true };
	uint64_t *out = NULL;
	struct symbol *sym;
	size_t k = 0;
	bool ok = false;

	obj_for_each_symbol(obj_symtab(obj), sym) {
		struct pad_sec *ps = moved_symbol_sec(secs, nsecs, sym);

		if (ps && (add_place(&p, sym->sec->idx, sym->sym.st_value) ||
			   add_place(&p, sym->sec->idx, sym->sym.st_value +
				     sym->sym.st_size)))
			goto out;
	}
	out = big_malloc(p.n * sizeof(*out));
	if (!p.fits || !out || sort_kv(p.v, p.n))
		goto out;
	for (size_t i = 0; i < p.n; i++)
		out[p.v[i].val] = map_point(secs[p.v[i].key >> PLACE_BITS],
					    p.v[i].key & PLACE_MASK);
	obj_for_each_symbol(obj_symtab(obj), sym)
		if (moved_symbol_sec(secs, nsecs, sym)) {
			move_symbol(obj, sym, out[k], out[k + 1]);
			k += 2;
		}
	ok = true;
out:
	free(p.v);
	free(out);
	return ok;
}

void pad_fix_symbols(struct obj *obj, struct pad_sec **secs, size_t nsecs)
{
	if (!fix_symbols_sorted(obj, secs, nsecs))
		fix_symbols_in_order(obj, secs, nsecs);
}
