// SPDX-License-Identifier: MIT
/*
 * Padding: translation validation of .eh_frame.  Each FDE that describes
 * padded code is read before the commit (its code range, from its pc_begin
 * relocation, mapped), and .eh_frame is copied.  After the commit
 * the new .eh_frame is read again on its own, with its own parser: FDEs
 * are found by the code their pc_begin relocation points at, not by their
 * offset (an FDE may have grown), and must cover the mapped range with the
 * same CIE, the same augmentation data and LSDA pointer (or a pointer to
 * an LSDA the pass wrote anew, proved the old one mapped by
 * pad_verify_lsda.c), and the same rows (every instruction of its program
 * but the advances and the DW_CFA_nop padding, with the location it takes
 * effect at) in the same order, each at the address its row in the copy
 * maps to.  The placement is the same after the commit as before, so the
 * rows are mapped then, while the two programs are read side by side.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leb128.h"
#include "pad_verify_internal.h"

struct rd {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t rd_n(struct rd *r, unsigned n)
{
	uint64_t v = 0;

	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	return v;
}

static uint64_t rd_leb(struct rd *r)
{
	uint64_t v = 0;
	size_t n = r->bad ? 0 : leb128_decode(r->p, r->end - r->p, 0, &v);

	if (!n)
		r->bad = true;
	else
		r->p += n;
	return v;
}

static void rd_skip(struct rd *r, uint64_t n)
{
	if (r->bad || n > (uint64_t)(r->end - r->p))
		r->bad = true;
	else
		r->p += n;
}

/* One CIE or FDE: [at, end); an FDE names its CIE by offset. */
struct entry {
	uint64_t at, end, cie;
	bool is_cie;
};

/* 1: an entry at *OFF (which moves past it), 0: the end, -1: malformed. */
static int next_entry(const uint8_t *d, size_t size, uint64_t *off,
		      struct entry *e)
{
	while (*off + 4 <= size) {
		struct rd r = { d + *off, d + size, false };
		uint64_t len = rd_n(&r, 4), id;

		e->at = *off;
		if (len == 0xffffffff || len > size - *off - 4 ||
		    (len && len < 4))
			return -1;
		*off += 4 + len;
		if (!len)
			continue;
		e->end = *off;
		id = rd_n(&r, 4);
		e->is_cie = !id;
		if (id > e->at + 4)
			return -1;
		e->cie = e->at + 4 - id;
		return 1;
	}
	return 0;
}

struct cie {
	uint64_t at;
	uint64_t caf;
	uint64_t insns, end;	/* initial instructions */
	uint8_t enc_size;	/* of pc_begin and pc_range */
	bool z, lsda;
};

static unsigned enc_size(uint8_t enc)
{
	switch (enc & 0x0f) {
	case 0x00: case 0x04: case 0x0c:
		return 8;
	case 0x02: case 0x0a:
		return 2;
	case 0x03: case 0x0b:
		return 4;
	}
	return 0;
}

static bool parse_cie(const uint8_t *d, size_t size, uint64_t at,
		      struct cie *c)
{
	struct entry e;
	uint64_t off = at;
	struct rd r;
	const char *aug;
	uint8_t version;

	if (next_entry(d, size, &off, &e) != 1 || e.at != at || !e.is_cie)
		return false;
	r = (struct rd){ d + at + 8, d + e.end, false };
	*c = (struct cie){ .at = at, .end = e.end, .enc_size = 8 };
	version = rd_n(&r, 1);
	aug = (const char *)r.p;
	while (r.p < r.end && *r.p)
		r.p++;
	rd_skip(&r, 1);
	if (version != 1 && version != 3)
		return false;
	c->caf = rd_leb(&r);
	rd_leb(&r);
	rd_skip(&r, version == 1 ? 1 : 0);
	if (version != 1)
		rd_leb(&r);
	if (*aug == 'z') {
		uint64_t len = rd_leb(&r);
		struct rd a = { r.p, r.p + len, false };

		c->z = true;
		rd_skip(&r, len);
		for (aug++; *aug && !r.bad && !a.bad; aug++) {
			uint8_t enc;

			switch (*aug) {
			case 'R':
				c->enc_size = enc_size(rd_n(&a, 1));
				break;
			case 'L':
				rd_n(&a, 1);
				c->lsda = true;
				break;
			case 'P':
				enc = rd_n(&a, 1);
				if (!enc_size(enc))
					return false;
				rd_skip(&a, enc_size(enc));
				break;
			case 'S': case 'B':
				break;
			default:
				return false;
			}
		}
		if (a.bad)
			return false;
	} else if (*aug) {
		return false;
	}
	c->insns = r.p - d;
	return !r.bad && c->enc_size && c->caf == 1;
}

struct fde {
	uint64_t begin_at;	/* the pc_begin field */
	uint64_t range;
	uint64_t aug_at, aug_len;
	uint64_t insns, end;
};

static bool parse_fde(const uint8_t *d, const struct entry *e,
		      const struct cie *c, struct fde *f)
{
	struct rd r = { d + e->at + 8, d + e->end, false };

	f->begin_at = e->at + 8;
	rd_skip(&r, c->enc_size);
	f->range = rd_n(&r, c->enc_size);
	f->aug_len = c->z ? rd_leb(&r) : 0;
	f->aug_at = r.p - d;
	rd_skip(&r, f->aug_len);
	f->insns = r.p - d;
	f->end = e->end;
	return !r.bad;
}

/* The CFA program of an FDE or CIE, one row instruction at a time. */
struct cfa_it {
	struct rd r;
	uint64_t loc;
};

/* Operands of the instructions that are neither advances nor rows
 * with their operand in the opcode. */
static bool skip_operands(struct rd *r, uint8_t op)
{
	switch (op) {
	case 0x0a: case 0x0b: case 0x2d:
		return true;
	case 0x06: case 0x07: case 0x08: case 0x0d: case 0x0e: case 0x13:
	case 0x2e:
		rd_leb(r);
		return true;
	case 0x05: case 0x09: case 0x0c: case 0x11: case 0x12: case 0x14:
	case 0x15: case 0x2f:
		rd_leb(r);
		rd_leb(r);
		return true;
	case 0x0f:
		rd_skip(r, rd_leb(r));
		return true;
	case 0x10: case 0x16:
		rd_leb(r);
		rd_skip(r, rd_leb(r));
		return true;
	}
	return false;
}

/* 1: a row instruction [*op, *op + *len) at it->loc; 0: the end; -1: an
 * instruction this reader does not know (DW_CFA_set_loc among them). */
static int cfa_next(struct cfa_it *it, const uint8_t **op, size_t *len)
{
	while (it->r.p < it->r.end && !it->r.bad) {
		const uint8_t *at = it->r.p;
		uint8_t c = *it->r.p++;

		if ((c & 0xc0) == 0x40) {
			it->loc += c & 0x3f;
			continue;
		}
		if (c >= 0x02 && c <= 0x04) {
			it->loc += rd_n(&it->r, c == 0x04 ? 4 : c - 1);
			continue;
		}
		if (!c)
			continue;
		if ((c & 0xc0) == 0x80)
			rd_leb(&it->r);
		else if (!(c & 0xc0) && !skip_operands(&it->r, c))
			return -1;
		if (it->r.bad)
			return -1;
		*op = at;
		*len = it->r.p - at;
		return 1;
	}
	return it->r.bad ? -1 : 0;
}

static const char *sec_name(struct pad_verify *pv, uint32_t idx)
{
	return obj_section(pv->obj, idx)->name;
}

static uint64_t sym_value(const struct symbol *sym)
{
	return sym->type == STT_SECTION ? 0 : sym->sym.st_value;
}

/*
 * Relocations of .eh_frame asked for in offset order: when they are in it
 * (as assemblers and linkers write them), found by walking them once, not
 * by a binary search each (tens of thousands of FDEs); else, or when asked
 * for out of order, by obj_find_reloc_range().
 */
struct rwalk {
	struct pad_verify *pv;
	size_t k;
	uint64_t last;		/* the last offset asked for */
	bool sorted;
};

static void rwalk_init(struct rwalk *w, struct pad_verify *pv)
{
	struct reloc *r, *prev = NULL;

	*w = (struct rwalk){ .pv = pv, .sorted = true };
	obj_for_each_reloc(pv->obj, pv->eh, r) {
		/* two at one offset: which one is first is the model's */
		if (prev && r->offset <= prev->offset) {
			w->sorted = false;
			return;
		}
		prev = r;
	}
}

/* The relocation with the lowest offset in [OFF, OFF + LEN), or NULL. */
static struct reloc *rwalk_find(struct rwalk *w, uint64_t off, uint64_t len)
{
	struct obj *obj = w->pv->obj;
	struct reloc *r;

	if (!w->sorted || off < w->last)
		return obj_find_reloc_range(obj, w->pv->eh, off, len);
	w->last = off;
	while ((r = obj_reloc(obj, w->pv->eh, w->k)) && r->offset < off)
		w->k++;
	return r && r->offset - off < len ? r : NULL;
}

/* The padded section and code offset the FDE's pc_begin points at. */
static struct pad_sec *fde_code(struct pad_verify *pv, struct rwalk *w,
				const struct fde *f, uint64_t *begin)
{
	struct reloc *r = rwalk_find(w, f->begin_at, 1);

	if (!r || !r->sym || !r->sym->sec)
		return NULL;
	*begin = sym_value(r->sym) + r->addend;
	return pad_find_sec(pv->secs, pv->nsecs, r->sym->sec->idx);
}

static struct vfde *new_vfde(struct pad_verify *pv)
{
	if (pv->nfdes == pv->fdes_cap) {
		size_t cap = pv->fdes_cap ? 2 * pv->fdes_cap : 256;
		struct vfde *p = realloc(pv->fdes, cap * sizeof(*p));

		if (!p)
			return NULL;
		pv->fdes = p;
		pv->fdes_cap = cap;
	}
	return &pv->fdes[pv->nfdes++];
}

static int prepare_fde(struct pad_verify *pv, struct rwalk *w,
		       const struct entry *e, const struct cie *c)
{
	struct fde f;
	struct pad_sec *s;
	struct vfde *v;
	struct reloc *l;
	uint64_t begin;

	if (!parse_fde(pv->eh_old, e, c, &f))
		return pv_fail(pv, ".eh_frame+0x%" PRIx64 ": malformed FDE",
			       e->at), 0;
	s = fde_code(pv, w, &f, &begin);
	if (!s)
		return 0;
	v = new_vfde(pv);
	if (!v)
		return -1;
	*v = (struct vfde){ .sec = s->sec->idx, .range_size = c->enc_size,
			    .begin = begin, .end = begin + f.range, .at = e->at };
	l = c->lsda && f.aug_len ? rwalk_find(w, f.aug_at, f.aug_len) : NULL;
	if (l) {
		v->has_lsda = true;
		v->lsda_sym = l->sym;
		v->lsda_addend = l->addend;
		v->lsda_type = l->type;
		if (l->sym && l->sym->sec &&
		    pv_lsda_snapshot(pv, l->sym->sec))
			return -1;
	}
	return 0;
}

/* Where the code of each FDE went: most describe a function whose symbol
 * has the same range, mapped already (pv_sym_range()).  Else: FDEs come in
 * the order of their code, a range starts a little after the one before
 * ends, and the instructions of the FDEs a few after are asked for ahead
 * (pv_insn_ahead()), then the NOP run their function ends at. */
#define AHEAD 8

static void map_ranges(struct pad_verify *pv)
{
	size_t cur = 0;
	long hint = -1;

	for (size_t k = 0; k < pv->nfdes; k++) {
		struct vfde *v = &pv->fdes[k];
		struct pad_sec *s = pad_find_sec(pv->secs, pv->nsecs, v->sec);

		if (pv_sym_range(pv, v->sec, v->begin, v->end, &v->new_begin,
				 &v->new_end, &cur))
			continue;

		if (k + AHEAD < pv->nfdes) {
			const struct vfde *a = &pv->fdes[k + AHEAD];
			struct pad_sec *as = pad_find_sec(pv->secs, pv->nsecs,
							  a->sec);

			pv_insn_ahead(as, a->begin);
			pv_insn_ahead(as, a->end);
		}
		if (k + AHEAD / 2 < pv->nfdes) {
			const struct vfde *a = &pv->fdes[k + AHEAD / 2];

			pv_run_ahead(pad_find_sec(pv->secs, pv->nsecs, a->sec),
				     a->end);
		}
		if (!pv_map_near(s, v->begin, REF_POINT, &v->new_begin, &hint) ||
		    !pv_map_near(s, v->end, REF_POINT, &v->new_end, &hint))
			pv_fail(pv, "FDE of %s+0x%" PRIx64 "..+0x%" PRIx64
				" (.eh_frame+0x%" PRIx64 "): its range does not "
				"map to whole instructions", s->sec->name,
				v->begin, v->end, v->at);
	}
}

int pv_cfi_prepare(struct pad_verify *pv)
{
	struct rwalk w;
	const uint8_t *d;
	struct cie c = { .at = UINT64_MAX };
	struct entry e;
	uint64_t off = 0;
	int rc;

	if (!pv->eh || pv->eh->sh.sh_type == SHT_NOBITS)
		return 0;
	d = obj_section_data(pv->obj, pv->eh);
	pv->eh_old_size = pv->eh->size;
	pv->eh_old = malloc(pv->eh_old_size + 1);
	if (!d || !pv->eh_old)
		return -1;
	memcpy(pv->eh_old, d, pv->eh_old_size);
	rwalk_init(&w, pv);
	while ((rc = next_entry(pv->eh_old, pv->eh_old_size, &off, &e)) == 1) {
		if (e.is_cie)
			continue;
		if (c.at != e.cie &&
		    !parse_cie(pv->eh_old, pv->eh_old_size, e.cie, &c)) {
			c.at = UINT64_MAX;
			continue;	/* the pass refused what it describes */
		}
		if (prepare_fde(pv, &w, &e, &c))
			return -1;
	}
	map_ranges(pv);
	return 0;
}

/* An FDE of the committed .eh_frame that describes padded code. */
struct nfde {
	uint32_t sec;
	uint64_t begin, end, at;
};

static int cmp_vfde(const void *a, const void *b)
{
	const struct vfde *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return (x->new_begin > y->new_begin) - (x->new_begin < y->new_begin);
}

static int cmp_nfde(const void *a, const void *b)
{
	const struct nfde *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return (x->begin > y->begin) - (x->begin < y->begin);
}

static struct nfde *read_new(struct pad_verify *pv, size_t *n)
{
	const uint8_t *d = obj_section_data(pv->obj, pv->eh);
	struct cie c = { .at = UINT64_MAX };
	struct nfde *v = malloc((pv->nfdes + 1) * sizeof(*v));
	struct entry e;
	struct rwalk w;
	uint64_t off = 0;
	int rc;

	*n = 0;
	if (!d || !v) {
		free(v);
		pv_fail(pv, "out of memory reading .eh_frame");
		return NULL;
	}
	rwalk_init(&w, pv);
	while ((rc = next_entry(d, pv->eh->size, &off, &e)) == 1) {
		struct pad_sec *s;
		struct fde f;
		uint64_t begin;

		if (e.is_cie || (c.at != e.cie &&
				 !parse_cie(d, pv->eh->size, e.cie, &c)))
			continue;
		if (!parse_fde(d, &e, &c, &f) || !(s = fde_code(pv, &w, &f, &begin)))
			continue;
		if (*n == pv->nfdes) {
			pv_fail(pv, "more FDEs describe padded code than before "
				"(%zu), the next at .eh_frame+0x%" PRIx64,
				pv->nfdes, e.at);
			break;
		}
		v[(*n)++] = (struct nfde){ s->sec->idx, begin, begin + f.range,
					   e.at };
	}
	if (rc < 0)
		pv_fail(pv, ".eh_frame+0x%" PRIx64 ": malformed after the "
			"rewrite", e.at);
	return v;
}

static bool same_header(const uint8_t *a, const struct cie *ca,
			const uint8_t *b, const struct cie *cb)
{
	return ca->insns - ca->at == cb->insns - cb->at &&
	       !memcmp(a + ca->at + 8, b + cb->at + 8, ca->insns - ca->at - 8);
}

enum rows {
	ROWS_SAME,
	ROWS_DIFFER,
	ROWS_UNMAPPED,	/* a row of the first one does not map */
	ROWS_UNREAD,	/* the first one has what cfa_next() does not read */
};

/* Rows of two programs, the same instructions in the same order; for an
 * FDE (S, else a CIE) each row of the second one at the address the first
 * one's went to.  The rows are mapped here, after the commit, in the order
 * of the code (FDEs come in it), each from the one before (*HINT). */
static enum rows same_rows(struct cfa_it *a, struct cfa_it *b,
			   const struct pad_sec *s, long *hint, size_t *bad)
{
	const uint8_t *pa, *pb;
	size_t la, lb;
	uint64_t to;
	int ra, rb;

	for (*bad = 0;; (*bad)++) {
		ra = cfa_next(a, &pa, &la);
		if (ra < 0)
			return ROWS_UNREAD;
		rb = cfa_next(b, &pb, &lb);
		if (ra != rb)
			return ROWS_DIFFER;
		if (!ra)
			return ROWS_SAME;
		if (s && !pv_map_near(s, a->loc, REF_POINT, &to, hint))
			return ROWS_UNMAPPED;
		if (la != lb || (s && b->loc != to))
			return ROWS_DIFFER;
		/* most rows are 1 to 3 bytes: not worth a call */
		while (la--)
			if (pa[la] != pb[la])
				return ROWS_DIFFER;
	}
}

/* The CIEs of the FDEs checked last: most FDEs share theirs. */
struct cie_pair {
	struct cie old, new;
	bool same;
};

static bool load_cie(const uint8_t *d, size_t size, uint64_t at,
		     struct cie *c)
{
	if (c->at == at)
		return true;
	if (parse_cie(d, size, at, c))
		return true;
	c->at = UINT64_MAX;
	return false;
}

/* The same header and initial instructions (DW_CFA_nop padding aside). */
static bool same_cie(struct pad_verify *pv, const uint8_t *d,
		     uint64_t old_at, uint64_t new_at, struct cie_pair *cp)
{
	struct cfa_it a, b;
	size_t bad;

	if (cp->old.at == old_at && cp->new.at == new_at)
		return cp->same;
	cp->same = false;
	if (!load_cie(pv->eh_old, pv->eh_old_size, old_at, &cp->old) ||
	    !load_cie(d, pv->eh->size, new_at, &cp->new))
		return false;
	a = (struct cfa_it){ { pv->eh_old + cp->old.insns,
			       pv->eh_old + cp->old.end, false }, 0 };
	b = (struct cfa_it){ { d + cp->new.insns, d + cp->new.end, false }, 0 };
	cp->same = same_header(pv->eh_old, &cp->old, d, &cp->new) &&
		   same_rows(&a, &b, NULL, NULL, &bad) == ROWS_SAME;
	return cp->same;
}

/* How a failure names the FDE F, paired with N. */
static const char *fde_where(struct pad_verify *pv, char *buf, size_t len,
			     const struct vfde *f, const struct nfde *n)
{
	snprintf(buf, len, "FDE of %s+0x%" PRIx64 " (.eh_frame+0x%" PRIx64 ")",
		 sec_name(pv, f->sec), f->begin, n->at);
	return buf;
}

/* The same augmentation data and LSDA pointer, or a pointer to an LSDA
 * elsewhere in the same section proved to be the old one mapped. */
static bool same_lsda(struct pad_verify *pv, struct rwalk *w, const uint8_t *d,
		      const struct fde *fo, const struct fde *fn,
		      const struct vfde *f, const struct nfde *n)
{
	struct reloc *l;
	char where[160];

	if (fo->aug_len != fn->aug_len ||
	    memcmp(pv->eh_old + fo->aug_at, d + fn->aug_at, fo->aug_len))
		return pv_fail(pv, "%s: its augmentation data changed",
			       fde_where(pv, where, sizeof(where), f, n));
	if (!f->has_lsda)
		return true;
	l = rwalk_find(w, fn->aug_at, fn->aug_len);
	if (!l || l->sym != f->lsda_sym || l->type != f->lsda_type)
		return pv_fail(pv, "%s: its LSDA pointer changed",
			       fde_where(pv, where, sizeof(where), f, n));
	if (l->addend == f->lsda_addend)
		return true;
	return pv_lsda_check(pv, f, sym_value(l->sym) + l->addend,
			     fde_where(pv, where, sizeof(where), f, n));
}

static void check_fde(struct pad_verify *pv, struct rwalk *w,
		      const uint8_t *d, const struct vfde *f,
		      const struct nfde *n, struct cie_pair *cp, long *hint)
{
	const struct pad_sec *s = pad_find_sec(pv->secs, pv->nsecs, f->sec);
	const char *name = sec_name(pv, f->sec);
	uint64_t o = f->at, p = n->at;
	struct entry eo, en;
	struct fde fo, fn;
	struct cfa_it a, b;
	char where[160];
	size_t bad;

	if (n->end != f->new_end) {
		pv_fail(pv, "FDE of %s+0x%" PRIx64 " (.eh_frame+0x%" PRIx64
			"): its range ends at +0x%" PRIx64 ", but its code "
			"ends at +0x%" PRIx64, name, f->begin, n->at, n->end,
			f->new_end);
		return;
	}
	if (next_entry(pv->eh_old, pv->eh_old_size, &o, &eo) != 1 ||
	    next_entry(d, pv->eh->size, &p, &en) != 1 ||
	    !same_cie(pv, d, eo.cie, en.cie, cp)) {
		pv_fail(pv, "FDE of %s+0x%" PRIx64 " (.eh_frame+0x%" PRIx64
			"): its CIE changed", name, f->begin, n->at);
		return;
	}
	if (!parse_fde(pv->eh_old, &eo, &cp->old, &fo) ||
	    !parse_fde(d, &en, &cp->new, &fn)) {
		pv_fail(pv, "%s: malformed",
			fde_where(pv, where, sizeof(where), f, n));
		return;
	}
	if (!same_lsda(pv, w, d, &fo, &fn, f, n))
		return;
	a = (struct cfa_it){ { pv->eh_old + fo.insns, pv->eh_old + fo.end,
			       false }, f->begin };
	b = (struct cfa_it){ { d + fn.insns, d + fn.end, false }, n->begin };
	switch (same_rows(&a, &b, s, hint, &bad)) {
	case ROWS_SAME:
		break;
	case ROWS_UNMAPPED:
		pv_fail(pv, "FDE of %s+0x%" PRIx64 " (.eh_frame+0x%" PRIx64
			"): its CFA row at +0x%" PRIx64 " does not map to one "
			"place", name, f->begin, f->at, a.loc);
		break;
	case ROWS_UNREAD:
		pv_fail(pv, "FDE of %s+0x%" PRIx64 " (.eh_frame+0x%" PRIx64
			"): CFA instructions this check does not read", name,
			f->begin, f->at);
		break;
	case ROWS_DIFFER:
		pv_fail(pv, "FDE of %s+0x%" PRIx64 " (.eh_frame+0x%" PRIx64
			"): CFA row %zu (at +0x%" PRIx64 " before) is not the "
			"same rule at the address its code went to", name,
			f->begin, n->at, bad, a.loc);
	}
}

static bool paired(const struct vfde *f, const struct nfde *n, size_t k)
{
	return f[k].sec == n[k].sec && f[k].new_begin == n[k].begin;
}

/* The instructions of the FDE this many after the one checked are asked
 * for ahead (pv_range_ahead()): its rows are mapped by then. */
#define CHECK_AHEAD 8

void pv_cfi_check(struct pad_verify *pv)
{
	struct cie_pair cp = { .old.at = UINT64_MAX, .new.at = UINT64_MAX };
	const uint8_t *d;
	struct nfde *n;
	struct rwalk w;
	size_t nn, k;
	long hint = -1;

	if (!pv->eh_old)
		return;
	n = read_new(pv, &nn);
	d = obj_section_data(pv->obj, pv->eh);
	rwalk_init(&w, pv);
	if (!n || !d || pv->failure[0])
		goto out;
	if (nn != pv->nfdes) {
		pv_fail(pv, "%zu FDEs describe padded code, %zu before", nn,
			pv->nfdes);
		goto out;
	}
	for (k = 0; k < nn && paired(pv->fdes, n, k); k++)
		;
	if (k < nn) {
		/* not in the same order: pair them by code address */
		qsort(pv->fdes, nn, sizeof(*pv->fdes), cmp_vfde);
		qsort(n, nn, sizeof(*n), cmp_nfde);
	}
	for (k = 0; k < nn && !pv->failure[0]; k++) {
		if (!paired(pv->fdes, n, k)) {
			pv_fail(pv, "FDE of %s+0x%" PRIx64 " (.eh_frame+0x%"
				PRIx64 " before): no FDE starts where its code "
				"went (+0x%" PRIx64 ")", sec_name(pv,
				pv->fdes[k].sec), pv->fdes[k].begin,
				pv->fdes[k].at, pv->fdes[k].new_begin);
			break;
		}
		if (k && pv->fdes[k].sec != pv->fdes[k - 1].sec)
			hint = -1;
		if (k + CHECK_AHEAD < nn) {
			const struct vfde *a = &pv->fdes[k + CHECK_AHEAD];

			pv_range_ahead(pad_find_sec(pv->secs, pv->nsecs,
						    a->sec), a->begin, a->end);
		}
		check_fde(pv, &w, d, &pv->fdes[k], &n[k], &cp, &hint);
	}
out:
	free(n);
}

uint64_t pv_cfi_find(struct pad_verify *pv, const struct vfde *f)
{
	size_t nn;
	struct nfde *n = read_new(pv, &nn);
	uint64_t at = UINT64_MAX;

	for (size_t k = 0; n && k < nn && at == UINT64_MAX; k++)
		if (n[k].sec == f->sec && n[k].begin == f->new_begin)
			at = n[k].at;
	free(n);
	return at;
}

uint8_t *pv_cfi_first_advance(uint8_t *d, size_t size, uint64_t at)
{
	struct entry e;
	struct cie c;
	struct fde f;
	uint64_t off = at;

	if (next_entry(d, size, &off, &e) != 1 || e.is_cie ||
	    !parse_cie(d, size, e.cie, &c) || !parse_fde(d, &e, &c, &f))
		return NULL;
	for (uint64_t p = f.insns; p < f.end; p++) {
		struct rd r = { d + p + 1, d + f.end, false };

		if ((d[p] & 0xc0) == 0x40 || (d[p] >= 0x02 && d[p] <= 0x04))
			return d + p;
		if ((d[p] & 0xc0) == 0x80)
			rd_leb(&r);
		else if (!(d[p] & 0xc0) && d[p] && !skip_operands(&r, d[p]))
			return NULL;
		p = r.p - d - 1;
	}
	return NULL;
}

struct reloc *pv_cfi_lsda_pointer(struct pad_verify *pv, uint64_t at)
{
	const uint8_t *d = obj_section_data(pv->obj, pv->eh);
	struct entry e;
	struct cie c;
	struct fde f;
	uint64_t off = at;

	if (!d || next_entry(d, pv->eh->size, &off, &e) != 1 || e.is_cie ||
	    !parse_cie(d, pv->eh->size, e.cie, &c) || !c.lsda ||
	    !parse_fde(d, &e, &c, &f) || !f.aug_len)
		return NULL;
	return obj_find_reloc_range(pv->obj, pv->eh, f.aug_at, f.aug_len);
}
