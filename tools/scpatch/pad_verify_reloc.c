// SPDX-License-Identifier: MIT
/*
 * Padding: the fix-up validation of relocations (pad_verify.c).  Before
 * the commit, every relocation in padded code, and every one into it from
 * elsewhere, gets the offset and addend it must have afterwards: in
 * padded code its field moves with its instruction; symbol + addend +
 * bias (the end of the instruction for a PC-relative field in code, the
 * table base for a PC-relative jump table entry: the nearest place at or
 * below it that code refers to) must point where its target went.  After
 * the commit each is compared, by its index in its section, whose count,
 * types and symbols must not change.  There are millions: what is kept is
 * 32-bit words (pad_verify_internal.h), and the symbols and instructions
 * they read are asked for a few relocations ahead.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pad_verify_internal.h"

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

static bool is_code(const struct section *sec)
{
	return sec->sh.sh_flags & SHF_EXECINSTR;
}

static uint64_t sym_value(const struct symbol *sym)
{
	return sym->type == STT_SECTION ? 0 : sym->sym.st_value;
}

static bool has_relocs(struct obj *obj, struct section *t)
{
	return t->sh.sh_type != SHT_RELA && t->sh.sh_type != SHT_REL &&
	       t->sh.sh_type != SHT_NULL && t->rela && obj_nrelocs(obj, t) > 0;
}

/*
 * The places in data that code refers to: a PC-relative jump table entry
 * is relative to its table's base, the nearest of them at or below it.
 * Noted while the relocations of code are read (before those of data), a
 * bit per byte of the data section: a sort of hundreds of thousands of
 * them cost more than the checks they served.
 */
static int note_base(struct pad_verify *pv, const struct reloc *r)
{
	struct section *d = r->sym->sec;
	enum reloc_kind k = reloc_kind(r->type);
	uint64_t at = sym_value(r->sym) + r->addend + (k == RK_PC ? 4 : 0);
	struct vbases *b = &pv->bases[d->idx];

	/* no relocation of D is at or above the end of D */
	if (k == RK_OTHER || at >= d->size)
		return 0;
	if (!b->bits) {
		b->nwords = d->size / 64 + 1;
		b->bits = calloc(b->nwords, sizeof(*b->bits));
		b->sum = calloc(b->nwords / 64 + 1, sizeof(*b->sum));
		if (!b->bits || !b->sum)
			return -1;
	}
	b->bits[at >> 6] |= 1ull << (at & 63);
	b->sum[at >> 12] |= 1ull << (at >> 6 & 63);
	return 0;
}

static bool table_base(struct pad_verify *pv, const struct section *t,
		       uint64_t at, uint64_t *base)
{
	const struct vbases *b = &pv->bases[t->idx];
	uint64_t m, w;

	if (!b->bits)
		return false;
	if (at >= b->nwords * 64)
		at = b->nwords * 64 - 1;
	w = at >> 6;
	m = b->bits[w] & (~0ull >> (63 - (at & 63)));
	if (!m) {
		uint64_t s = w >> 6, sm = b->sum[s] & ((1ull << (w & 63)) - 1);

		while (!sm) {
			if (!s)
				return false;
			sm = b->sum[--s];
		}
		w = s * 64 + 63 - __builtin_clzll(sm);
		m = b->bits[w];
	}
	*base = w * 64 + 63 - __builtin_clzll(m);
	return true;
}

/* The end of the instruction holding the field at OFF of unpadded code
 * section T: decoded from the start of its symbol, continuing from the
 * last one while the relocations come in order. */
static bool decoded_end(struct pad_verify *pv, struct section *t, uint64_t off,
			uint64_t *end)
{
	const uint8_t *data = obj_section_data(pv->obj, t);
	struct symbol *sym = obj_find_symbol_containing(pv->obj, t, off);
	uint64_t start = sym && sym->sym.st_value <= off ? sym->sym.st_value : 0;
	uint64_t pos = start;
	struct insn in;

	if (!data)
		return false;
	if (pv->cursor.sec == t && pv->cursor.start == start &&
	    pv->cursor.pos <= off)
		pos = pv->cursor.pos;
	for (;;) {
		if (pos >= t->size ||
		    !arch_decode(data + pos, t->size - pos, pos, &in))
			return false;
		if (pos + in.len > off)
			break;
		pos += in.len;
	}
	pv->cursor.sec = t;
	pv->cursor.start = start;
	pv->cursor.pos = pos;
	*end = pos + in.len;
	return true;
}

/*
 * A PLT32 relocation is a branch's rel32 (assemblers use it for nothing
 * else): when the bytes before it are such a branch, its instruction ends
 * with it, and decoding the function from its start up to it (one function
 * of thousands per call into padded code, in C++ objects) is not needed.
 */
static bool branch_end(struct pad_verify *pv, struct section *t,
		       const struct reloc *r, uint64_t *end)
{
	const uint8_t *d = obj_section_data(pv->obj, t);
	uint64_t off = r->offset, start;
	struct insn in;

	if (!d || r->type != R_X86_64_PLT32 || off < 1 || off + 4 > t->size)
		return false;
	if (d[off - 1] == 0xe8 || d[off - 1] == 0xe9)
		start = off - 1;
	else if (off >= 2 && d[off - 2] == 0x0f && (d[off - 1] & 0xf0) == 0x80)
		start = off - 2;
	else
		return false;
	if (!arch_decode(d + start, t->size - start, start, &in) ||
	    !in.pc_relative || in.disp_size != 4 ||
	    start + in.disp_off != off || in.len != in.disp_off + 4u)
		return false;
	*end = off + 4;
	return true;
}

/* What the value of R (in T) is relative to, minus the field's place.
 * In padded code (SELF) its instruction is the one map_field() found. */
static bool reloc_bias(struct pad_verify *pv, struct section *t,
		       const struct reloc *r, const struct pad_sec *s,
		       bool self, int64_t *bias)
{
	uint64_t end, base, x;

	*bias = 0;
	if (reloc_kind(r->type) != RK_PC)
		return true;
	if (is_code(t)) {
		if (self)
			end = pv->field_end;
		else if (!branch_end(pv, t, r, &end) &&
			 !decoded_end(pv, t, r->offset, &end))
			return false;
		if (end <= r->offset)
			return false;
		*bias = end - r->offset;
		return true;
	}
	if (!table_base(pv, t, r->offset, &base))
		return true;
	x = sym_value(r->sym) + r->addend - (r->offset - base);
	if (x == s->size || (x < s->size && pad_insn_at(s, x) >= 0))
		*bias = -(int64_t)(r->offset - base);
	return true;
}

static bool is_debug(const struct section *t)
{
	return !strncmp(t->name, ".debug_", 7) ||
	       !strncmp(t->name, ".zdebug_", 8);
}

static enum ref_kind ref_kind_of(const struct section *t)
{
	if (!strncmp(t->name, ".static_call_sites", 18))
		return REF_INSN;
	return is_debug(t) ? REF_DEBUG : REF_POINT;
}

static void where_reloc(char *buf, size_t len, const struct section *t,
			const struct reloc *r)
{
	const struct symbol *sym = r->sym;

	snprintf(buf, len, "relocation at %s+0x%" PRIx64 " (type %u, %s%s0x%"
		 PRIx64 ")", t->name, r->offset, r->type,
		 !sym ? "no symbol" : sym->name[0] ? sym->name :
		 sym->sec ? sym->sec->name : "?", r->addend < 0 ? "-" : "+",
		 r->addend < 0 ? -(uint64_t)r->addend : (uint64_t)r->addend);
}

/* pv_map() with shortcuts: a reference to where its symbol is went where
 * the symbol went, and runs of references to one place are common (jump
 * tables, tables of function pointers). */
static bool map_target(struct pad_verify *pv, const struct pad_sec *s,
		       const struct symbol *sym, uint64_t target,
		       enum ref_kind kind, uint64_t *out)
{
	unsigned idx;

	if (kind != REF_INSN && sym->type != STT_SECTION &&
	    target == sym->sym.st_value &&
	    (idx = obj_symbol_index(sym)) < pv->nsymmap &&
	    pv->symmap[idx]) {
		*out = pv->symmap[idx] - 1;
		return true;
	}
	if (pv->memo.s != s || pv->memo.orig != target ||
	    pv->memo.kind != kind) {
		long hint = pv->target_hint;	/* checked there */

		pv->memo.s = s;
		pv->memo.orig = target;
		pv->memo.kind = kind;
		pv->memo.ok = pv_map_near(s, target, kind, &pv->memo.out,
					  &hint);
	}
	*out = pv->memo.out;
	return pv->memo.ok;
}

/* The new value of SYM, which is in a padded section. */
static uint64_t new_sym_value(const struct pad_verify *pv,
			      const struct symbol *sym)
{
	unsigned idx;

	if (sym->type == STT_SECTION)
		return 0;
	idx = obj_symbol_index(sym);
	return idx < pv->nsymmap && pv->symmap[idx] ?
	       pv->symmap[idx] - 1 : sym->sym.st_value;
}

/* The addend R (in T) must have for symbol + addend + bias to point
 * where its target in padded section S went. */
static int64_t expect_addend(struct pad_verify *pv, struct section *t,
			     struct reloc *r, struct pad_sec *s, bool self)
{
	char where[200];
	int64_t bias;
	uint64_t target, to;

	/* R_X86_64_NONE only keeps a section alive; a GOT or TLS type
	 * is against its symbol, whose addend stays */
	if (r->type == R_X86_64_NONE || reloc_kind(r->type) == RK_OTHER)
		return r->addend;
	if (!reloc_bias(pv, t, r, s, self, &bias)) {
		where_reloc(where, sizeof(where), t, r);
		pv_fail(pv, "%s: cannot tell what it is relative to", where);
		return r->addend;
	}
	target = sym_value(r->sym) + r->addend + bias;
	if (!map_target(pv, s, r->sym, target, pv->ref_kind, &to)) {
		where_reloc(where, sizeof(where), t, r);
		pv_fail(pv, "%s: its target %s+0x%" PRIx64 " does not map to "
			"one place", where, s->sec->name, target);
		return r->addend;
	}
	return (int64_t)(to - new_sym_value(pv, r->sym) - bias);
}

static uint64_t mix(uint64_t h, const struct reloc *r)
{
	h ^= ((uint64_t)(uintptr_t)r->sym + r->type) * 0x9e3779b97f4a7c15ull;
	return h << 7 | h >> 57;
}

/* Puts V in pv->exp (PV_WIDE says how); false when it needs more than
 * 31 bits, or is PV_WIDE. */
static inline bool put_value(struct pad_verify *pv, int64_t v)
{
	uint16_t *e = &pv->exp[pv->nexp];
	uint32_t u;

	if (v >= -PV_SMALL_MAX - 1 && v <= PV_SMALL_MAX) {
		e[0] = (uint16_t)((uint32_t)v << 1);
		pv->nexp++;
		return true;
	}
	if (v <= PV_WIDE || v >= -PV_WIDE)
		return false;
	u = (uint32_t)v << 1 | 1;
	e[0] = (uint16_t)u;
	e[1] = (uint16_t)(u >> 16);
	pv->nexp += 2;
	return true;
}

static inline int64_t get_value(const uint16_t **e)
{
	const uint16_t *p = *e;

	if (!(p[0] & 1)) {
		*e = p + 1;
		return (int16_t)p[0] >> 1;
	}
	*e = p + 2;
	return (int32_t)((uint32_t)p[1] << 16 | p[0]) >> 1;
}

/* One that does not fit (rare): in pv->wide, PV_WIDE in pv->exp from AT
 * (what was put of it is overwritten). */
static __attribute__((noinline)) int expect_wide(struct pad_verify *pv,
						 size_t k, size_t at,
						 uint64_t off, int64_t addend)
{
	uint32_t u = (uint32_t)PV_WIDE << 1 | 1;

	pv->nexp = at;
	pv->exp[pv->nexp++] = (uint16_t)u;
	pv->exp[pv->nexp++] = (uint16_t)(u >> 16);
	if (pv->nwide == pv->wide_cap) {
		size_t cap = pv->wide_cap ? 2 * pv->wide_cap : 64;
		struct vwide *p = realloc(pv->wide, cap * sizeof(*p));

		if (!p)
			return -1;
		pv->wide = p;
		pv->wide_cap = cap;
	}
	pv->wide[pv->nwide++] = (struct vwide){ k, off, addend };
	return 0;
}

/* Keeps what the K-th relocation of a section must be: in padded code
 * (WITH_OFF) its offset and addend, elsewhere its addend. */
static inline int expect(struct pad_verify *pv, size_t k, bool with_off,
			 uint64_t off, int64_t addend)
{
	size_t at = pv->nexp;
	int64_t delta = (int64_t)(off - pv->exp_off);

	if (with_off)
		pv->exp_off = off;
	if ((!with_off || put_value(pv, delta)) && put_value(pv, addend))
		return 0;
	return expect_wide(pv, k, at, off, addend);
}

/* The K-th relocation R of padded section T (SELF): its field moves with
 * its instruction, and when S it points into padded section S. */
static int add_self(struct pad_verify *pv, struct section *t,
		    struct pad_sec *self, struct pad_sec *s, struct reloc *r,
		    size_t k)
{
	uint64_t off = r->offset;
	int64_t addend = r->addend;
	char where[200];

	if (!pv_map_field(self, r->offset, r->type, &off, &pv->field_end,
			  &pv->field_hint)) {
		where_reloc(where, sizeof(where), t, r);
		pv_fail(pv, "%s: its field is not in an instruction that moves "
			"as a whole", where);
	}
	if (s)
		addend = expect_addend(pv, t, r, s, true);
	return expect(pv, k, true, off, addend);
}

/* Room for every relocation, allocated once: there are millions on a
 * large object, and only the pages used are touched.  The sections that
 * have any go in *WITH (tens of thousands in C++ objects). */
static int alloc_relocs(struct pad_verify *pv, struct section ***with,
			size_t *nwith)
{
	unsigned nsecs = obj_nsections(pv->obj);
	struct section *t;
	size_t n = 0;

	*nwith = 0;
	*with = malloc((nsecs + 1) * sizeof(**with));
	if (!*with)
		return -1;
	obj_for_each_section(pv->obj, t)
		if (has_relocs(pv->obj, t)) {
			n += obj_nrelocs(pv->obj, t);
			(*with)[(*nwith)++] = t;
		}
	pv->exp = malloc((4 * n + 1) * sizeof(*pv->exp));
	pv->into = calloc(n / 64 + 1, sizeof(*pv->into));
	pv->bases = calloc(nsecs + 1, sizeof(*pv->bases));
	pv->active = calloc(nsecs + 1, sizeof(*pv->active));
	if (!pv->exp || !pv->into || !pv->bases || !pv->active)
		return -1;
	pv->nactive = nsecs;
	for (unsigned i = 0; i < nsecs; i++)
		pv->active[i] = pad_find_sec(pv->secs, pv->nsecs, i);
	return 0;
}

static int add_relsec(struct pad_verify *pv, const struct vrelsec *vs)
{
	if (pv->nrsecs == pv->rsecs_cap) {
		size_t cap = pv->rsecs_cap ? 2 * pv->rsecs_cap : 16;
		struct vrelsec *p = realloc(pv->rsecs, cap * sizeof(*p));

		if (!p)
			return -1;
		pv->rsecs = p;
		pv->rsecs_cap = cap;
	}
	pv->rsecs[pv->nrsecs++] = *vs;
	return 0;
}

static struct pad_sec *active(const struct pad_verify *pv,
			      const struct section *sec)
{
	return sec && sec->idx < pv->nactive ? pv->active[sec->idx] : NULL;
}

/* Relocations are read this many ahead of the one checked: the symbol
 * each points at and the instruction its field is in are random reads
 * into tens of megabytes, which then overlap.  So is what mapping its
 * target reads, in steps a few relocations apart, as each needs what the
 * one before asked for: the symbol's section, the bitmap words of the
 * target's instruction starts, its record and the bits its label needs,
 * the shift its label is.  The instruction found is only a hint, checked
 * against its record when the target is mapped. */
#define AHEAD 16

struct ahead {
	struct reloc *r;
	long insn;		/* of its field, in padded code */
	const struct pad_sec *ts;	/* padded code it points into */
	uint64_t target;
	long tinsn;		/* the instruction there (a hint) */
};

static void look_ahead(struct pad_verify *pv, struct section *t,
		       const struct pad_sec *self, struct ahead *a, size_t k)
{
	struct reloc *r = obj_reloc(pv->obj, t, k);

	a->r = r;
	a->insn = -1;
	a->ts = NULL;
	a->tinsn = -1;
	if (!r)
		return;
	if (r->sym)
		__builtin_prefetch(&r->sym->sec);
	if (self)
		a->insn = pv_insn_ahead(self, r->offset);
}

/* The symbol read: its section (tens of thousands of them in C++
 * objects), whose index tells whether it is padded. */
static void sec_ahead(const struct ahead *a)
{
	if (a->r && a->r->sym && a->r->sym->sec)
		__builtin_prefetch(&a->r->sym->sec->idx);
}

/* Step 1, the section read: where the reference points, but for the bias
 * of a PC-relative field in code (most are 4 bytes at the end of their
 * instruction) and of a jump table entry (its table's base).  Not for
 * references to where their symbol is (symmap[]), nor for the second of
 * a run to one place (the memo of map_target()). */
static void target_ahead(struct pad_verify *pv, const struct section *t,
			 struct ahead *a)
{
	const struct reloc *r = a->r;
	const struct pad_sec *s;
	uint64_t target, base;

	if (!r || !r->sym || !(s = active(pv, r->sym->sec)) ||
	    reloc_kind(r->type) == RK_OTHER || r->type == R_X86_64_NONE)
		return;
	target = sym_value(r->sym) + r->addend;
	if (r->sym->type != STT_SECTION && pv->ref_kind != REF_INSN &&
	    target == r->sym->sym.st_value)
		return;
	if (reloc_kind(r->type) == RK_PC) {
		if (is_code(t))
			target += 4;
		else if (table_base(pv, t, r->offset, &base))
			target -= r->offset - base;
	}
	/* runs of references to one place need it once */
	if (target >= s->size || !s->blocks || target == pv->ahead_target)
		return;
	pv->ahead_target = target;
	a->ts = s;
	a->target = target;
	__builtin_prefetch(&s->starts[target >> 6]);
	__builtin_prefetch(&s->blocks[target >> 6]);
}

/* Step 2: its instruction, whose record, run and laid-out bits */
static void target_insn_ahead(struct ahead *a)
{
	const struct pad_sec *s = a->ts;
	long i;

	if (!s)
		return;
	a->tinsn = i = pv_insn_ahead(s, a->target);
	if (i < 0)
		return;
	__builtin_prefetch(&s->in_run[i >> 6]);
	__builtin_prefetch(&s->laid.bits[i >> 6]);
	__builtin_prefetch(&s->laid.counts[i >> 6]);
}

/* Step 3: the shift of the laid-out instruction before it */
static void target_shift_ahead(const struct ahead *a)
{
	const struct pad_sec *s = a->ts;
	uint32_t rank;

	if (!s || a->tinsn < 0 || (size_t)a->tinsn >= s->n)
		return;
	rank = pad_rank_le(&s->laid, a->tinsn);
	__builtin_prefetch(&s->shifts[rank ? rank - 1 : 0]);
}

/* The relocations of T: in padded code every one, elsewhere those into
 * padded code (noted in pv->into), if there are any. */
static int prepare_section(struct pad_verify *pv, struct section *t)
{
	struct pad_sec *self = active(pv, t);
	struct vrelsec vs = { .sec = t, .first = pv->nexp,
			      .first_into = pv->ninto,
			      .first_wide = pv->nwide, .padded = self };
	bool any = self, code = is_code(t);
	struct ahead ring[AHEAD];
	size_t k;

	pv->ref_kind = ref_kind_of(t);
	pv->exp_off = 0;
	for (k = 0; k < AHEAD; k++)
		look_ahead(pv, t, self, &ring[k], k);
	for (k = 0; ring[k % AHEAD].r; k++) {
		struct reloc *r = ring[k % AHEAD].r;
		struct section *to = r->sym ? r->sym->sec : NULL;
		struct pad_sec *s = active(pv, to);

		pv->field_hint = ring[k % AHEAD].insn;
		pv->target_hint = ring[k % AHEAD].tinsn;
		look_ahead(pv, t, self, &ring[k % AHEAD], k + AHEAD);
		sec_ahead(&ring[(k + 3 * AHEAD / 4) % AHEAD]);
		if (!self) {
			target_ahead(pv, t, &ring[(k + 5 * AHEAD / 8) % AHEAD]);
			target_insn_ahead(&ring[(k + 3 * AHEAD / 8) % AHEAD]);
			target_shift_ahead(&ring[(k + AHEAD / 8 + 1) % AHEAD]);
		}
		vs.hash = mix(vs.hash, r);
		if (code && to && !is_code(to) &&
		    to->sh.sh_type != SHT_NOBITS && note_base(pv, r))
			return -1;
		if (self) {
			if (add_self(pv, t, self, s, r, k))
				return -1;
		} else if (s) {
			size_t bit = pv->ninto + k;

			pv->into[bit / 64] |= 1ull << (bit % 64);
			any = true;
			if (expect(pv, k, false, 0,
				   expect_addend(pv, t, r, s, false)))
				return -1;
		}
	}
	vs.nrelocs = k;
	if (!any) {
		pv->nexp = vs.first;
		pv->nwide = vs.first_wide;
		return 0;
	}
	if (!self)
		pv->ninto += k;
	return add_relsec(pv, &vs);
}

/* Code first: data relocations need the table bases code refers to. */
int pv_reloc_prepare(struct pad_verify *pv)
{
	struct section **with;
	size_t n;
	int rc = alloc_relocs(pv, &with, &n);

	for (int code = 1; code >= 0 && !rc; code--)
		for (size_t i = 0; i < n && !rc; i++)
			if (is_code(with[i]) == code)
				rc = prepare_section(pv, with[i]);
	free(with);
	return rc;
}

static bool reloc_failed(struct pad_verify *pv, const struct vrelsec *vs,
			 size_t k, const struct reloc *r, uint64_t off,
			 int64_t addend)
{
	char where[200];

	where_reloc(where, sizeof(where), vs->sec, r);
	if (!vs->padded)
		return pv_fail(pv, "%s, #%zu of its section: must have addend "
			       "%s0x%" PRIx64 " to point where its target went",
			       where, k, addend < 0 ? "-" : "+",
			       addend < 0 ? -(uint64_t)addend : (uint64_t)addend);
	return pv_fail(pv, "%s, #%zu of its section: must be at +0x%" PRIx64
		       " with addend %s0x%" PRIx64 " to point where its field "
		       "and target went", where, k, off,
		       addend < 0 ? "-" : "+",
		       addend < 0 ? -(uint64_t)addend : (uint64_t)addend);
}

static bool check_section(struct pad_verify *pv, const struct vrelsec *vs)
{
	const uint16_t *e = pv->exp + vs->first;
	size_t w = vs->first_wide;	/* pv->wide is NULL when none is */
	uint64_t hash = 0, last = 0;
	struct reloc *r;
	size_t k = 0;

	obj_for_each_reloc(pv->obj, vs->sec, r) {
		size_t bit = vs->first_into + k;
		uint64_t off = r->offset;
		int64_t addend;

		hash = mix(hash, r);
		if (!vs->padded && !(pv->into[bit / 64] >> (bit % 64) & 1)) {
			k++;
			continue;
		}
		addend = get_value(&e);
		if (addend == PV_WIDE) {
			/* out of padded code, the offset is not kept */
			if (vs->padded)
				off = pv->wide[w].off;
			addend = pv->wide[w++].addend;
		} else if (vs->padded) {
			off = last + (uint64_t)addend;
			addend = get_value(&e);
		}
		if (vs->padded)
			last = off;
		if (r->offset != off ||
		    (r->type != R_X86_64_NONE && r->addend != addend))
			return reloc_failed(pv, vs, k, r, off, addend);
		k++;
	}
	if (hash != vs->hash)
		return pv_fail(pv, "the types or symbols of the relocations of "
			       "%s changed", vs->sec->name);
	return true;
}

void pv_reloc_check(struct pad_verify *pv)
{
	for (size_t k = 0; k < pv->nrsecs && !pv->failure[0]; k++) {
		const struct vrelsec *vs = &pv->rsecs[k];

		/* a rebuilt .eh_frame (an FDE grew) has its relocations
		 * anew: its FDEs are checked on their own (pad_verify_cfi.c) */
		if (vs->sec == pv->eh && vs->sec->size != pv->eh_old_size)
			continue;
		if (obj_nrelocs(pv->obj, vs->sec) != vs->nrelocs) {
			pv_fail(pv, "relocations of %s were added or removed",
				vs->sec->name);
			return;
		}
		check_section(pv, vs);
	}
}
