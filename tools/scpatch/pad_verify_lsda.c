// SPDX-License-Identifier: MIT
/*
 * Padding: translation validation of an exception table (LSDA) the pass
 * wrote anew elsewhere in its section.  Its own reader, not pad_lsda.c's:
 * the old table (from a snapshot taken before the commit) and the new one
 * must have the same header (no LPStart, the same type table encoding),
 * the same bytes after the call-site table (action and type tables, with
 * the same relocations), and the same call sites in the same order, each
 * start, end and landing pad the old one mapped like any other reference
 * to code, and the same action.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "leb128.h"
#include "pad_verify_internal.h"

struct lrd {
	const uint8_t *base, *p, *end;
	bool bad;
};

static uint64_t lrd_u8(struct lrd *r)
{
	if (r->bad || r->p >= r->end) {
		r->bad = true;
		return 0;
	}
	return *r->p++;
}

static uint64_t lrd_leb(struct lrd *r, bool sign)
{
	uint64_t v = 0;
	size_t n = r->bad ? 0 : leb128_decode(r->p, r->end - r->p, sign, &v);

	if (!n)
		r->bad = true;
	r->p += n;
	return v;
}

/* A call-site field in the encodings gcc and clang write. */
static uint64_t lrd_cs(struct lrd *r, uint8_t enc)
{
	uint64_t v = 0;

	if (enc == 0x01)
		return lrd_leb(r, false);
	if (enc != 0x03 || r->bad || r->end - r->p < 4) {
		r->bad = true;
		return 0;
	}
	for (int i = 0; i < 4; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += 4;
	return v;
}

/* The parts of an LSDA at offset AT of D (SIZE bytes). */
struct ltab {
	uint64_t at;
	uint8_t tt_enc, cs_enc;
	uint64_t cs, cs_end;	/* call-site table */
	uint64_t tail_end;	/* end of the action and type tables */
	size_t ncs;
	bool bad;
};

/* The end of the action records reached from action index A (1-based,
 * from the call-site table's end), or 0 when malformed. */
static uint64_t action_end(const uint8_t *d, size_t size, uint64_t cs_end,
			   uint64_t a)
{
	uint64_t at = cs_end + a - 1, end = 0;

	if (a > size)
		return 0;
	for (int hops = 0; hops < 4096; hops++) {
		/* before the call-site table's end: not compared below */
		struct lrd r = { d, d + at, d + size,
				 at >= size || at < cs_end };
		uint64_t disp_at;
		int64_t disp;

		lrd_leb(&r, true);
		disp_at = r.p - d;
		disp = lrd_leb(&r, true);
		if (r.bad)
			return 0;
		if ((uint64_t)(r.p - d) > end)
			end = r.p - d;
		if (!disp)
			return end;
		at = disp_at + disp;
	}
	return 0;
}

static bool read_ltab(const uint8_t *d, size_t size, uint64_t at,
		      struct ltab *t)
{
	struct lrd r = { d, d + at, d + size, at >= size };
	uint64_t tt_base = 0, len;

	*t = (struct ltab){ .at = at };
	if (lrd_u8(&r) != 0xff)		/* an LPStart: not understood */
		return false;
	t->tt_enc = lrd_u8(&r);
	if (t->tt_enc != 0xff) {
		tt_base = lrd_leb(&r, false);
		tt_base += r.p - d;
	}
	t->cs_enc = lrd_u8(&r);
	len = lrd_leb(&r, false);
	if (r.bad || len > (uint64_t)(r.end - r.p))
		return false;
	t->cs = r.p - d;
	t->cs_end = t->cs + len;
	t->tail_end = t->cs_end;
	r.end = d + t->cs_end;
	while (r.p < r.end && !r.bad) {
		uint64_t a;

		lrd_cs(&r, t->cs_enc);
		lrd_cs(&r, t->cs_enc);
		lrd_cs(&r, t->cs_enc);
		a = lrd_leb(&r, false);
		if (a) {
			uint64_t e = action_end(d, size, t->cs_end, a);

			if (!e)
				return false;
			if (e > t->tail_end)
				t->tail_end = e;
		}
		t->ncs++;
	}
	if (t->tt_enc != 0xff) {
		if (tt_base < t->tail_end || tt_base > size)
			return false;
		t->tail_end = tt_base;
	}
	return !r.bad;
}

/* No relocation in the headers and call-site tables of O and N, and the
 * ones in O's tail the same as those at the same place in N's. */
static bool same_relocs(struct pad_verify *pv, struct section *sec,
			const struct ltab *o, const struct ltab *n)
{
	uint64_t from = o->cs_end, to = o->tail_end, nfrom = n->cs_end;
	size_t in_o = 0, in_n = 0;
	struct reloc *r;

	obj_for_each_reloc(pv->obj, sec, r) {
		if ((r->offset >= o->at && r->offset < o->cs_end) ||
		    (r->offset >= n->at && r->offset < n->cs_end))
			return false;
		in_o += r->offset >= from && r->offset < to;
		in_n += r->offset >= nfrom && r->offset < n->tail_end;
	}
	if (in_o != in_n)
		return false;
	obj_for_each_reloc(pv->obj, sec, r) {
		struct reloc *m;

		if (r->offset < from || r->offset >= to)
			continue;
		m = obj_find_reloc_range(pv->obj, sec, r->offset - from + nfrom,
					 1);
		if (!m || m->offset != r->offset - from + nfrom ||
		    m->sym != r->sym || m->type != r->type ||
		    m->addend != r->addend)
			return false;
	}
	return true;
}

static const uint8_t *snapshot(struct pad_verify *pv, struct section *sec,
			       size_t *size)
{
	uint32_t k = pv->lsec_of ? pv->lsec_of[sec->idx] : 0;

	if (!k)
		return NULL;
	*size = pv->lsecs[k - 1].size;
	return pv->lsecs[k - 1].old;
}

int pv_lsda_snapshot(struct pad_verify *pv, struct section *sec)
{
	const void *d;
	size_t size;
	void *p;

	if (!pv->lsec_of)
		pv->lsec_of = calloc(obj_nsections(pv->obj) + 1,
				     sizeof(*pv->lsec_of));
	if (!pv->lsec_of)
		return -1;
	if (snapshot(pv, sec, &size))
		return 0;
	d = obj_section_data(pv->obj, sec);
	p = realloc(pv->lsecs, (pv->nlsecs + 1) * sizeof(*pv->lsecs));
	if (!p)
		return -1;
	pv->lsecs = p;
	pv->lsecs[pv->nlsecs] = (struct lsec){ sec, malloc(sec->size + 1),
					       sec->size };
	if (!pv->lsecs[pv->nlsecs].old)
		return -1;
	if (d)
		memcpy(pv->lsecs[pv->nlsecs].old, d, sec->size);
	pv->lsec_of[sec->idx] = ++pv->nlsecs;
	return 0;
}

void pv_lsda_free(struct pad_verify *pv)
{
	for (size_t i = 0; i < pv->nlsecs; i++)
		free(pv->lsecs[i].old);
	free(pv->lsecs);
	free(pv->lsec_of);
}

static uint64_t sym_value_of(const struct symbol *sym)
{
	return sym->type == STT_SECTION ? 0 : sym->sym.st_value;
}

/* Where code offset OFF of F's function went, relative to its new start. */
static bool map_cs(const struct pad_sec *s, const struct vfde *f, uint64_t off,
		   uint64_t *out)
{
	if (off > f->end - f->begin ||
	    !pv_map(s, f->begin + off, REF_POINT, out))
		return false;
	*out -= f->new_begin;
	return true;
}

bool pv_lsda_check(struct pad_verify *pv, const struct vfde *f,
		   uint64_t new_at, const char *where)
{
	struct section *sec = f->lsda_sym->sec;
	const struct pad_sec *s = pad_find_sec(pv->secs, pv->nsecs, f->sec);
	const uint8_t *od, *nd = sec ? obj_section_data(pv->obj, sec) : NULL;
	uint64_t old_at = sym_value_of(f->lsda_sym) + f->lsda_addend;
	struct ltab o, n;
	struct lrd ro, rn;
	size_t osize, i;

	od = sec ? snapshot(pv, sec, &osize) : NULL;
	if (!od || !nd || !s || !read_ltab(od, osize, old_at, &o))
		return pv_fail(pv, "%s: its LSDA moved from %s+0x%" PRIx64
			       " and the old one is not understood", where,
			       sec ? sec->name : "?", old_at);
	if (!read_ltab(nd, sec->size, new_at, &n))
		return pv_fail(pv, "%s: its LSDA moved to %s+0x%" PRIx64
			       " and is malformed there", where, sec->name,
			       new_at);
	if (o.tt_enc != n.tt_enc || o.ncs != n.ncs ||
	    o.tail_end - o.cs_end != n.tail_end - n.cs_end ||
	    memcmp(od + o.cs_end, nd + n.cs_end, o.tail_end - o.cs_end) ||
	    !same_relocs(pv, sec, &o, &n))
		return pv_fail(pv, "%s: its LSDA moved to %s+0x%" PRIx64
			       ": its header, actions or types differ from "
			       "+0x%" PRIx64 "'s", where, sec->name, new_at,
			       old_at);
	ro = (struct lrd){ od, od + o.cs, od + o.cs_end, false };
	rn = (struct lrd){ nd, nd + n.cs, nd + n.cs_end, false };
	for (i = 0; i < o.ncs; i++) {
		uint64_t st = lrd_cs(&ro, o.cs_enc), ln = lrd_cs(&ro, o.cs_enc);
		uint64_t lp = lrd_cs(&ro, o.cs_enc), a = lrd_leb(&ro, false);
		uint64_t nst = lrd_cs(&rn, n.cs_enc), nln = lrd_cs(&rn, n.cs_enc);
		uint64_t nlp = lrd_cs(&rn, n.cs_enc), na = lrd_leb(&rn, false);
		uint64_t mst, mend, mlp = 0;

		if (ro.bad || rn.bad || ln > UINT64_MAX - st ||
		    !map_cs(s, f, st, &mst) || !map_cs(s, f, st + ln, &mend) ||
		    (lp && !map_cs(s, f, lp, &mlp)) || nst != mst ||
		    nln != mend - mst || nlp != mlp || na != a)
			return pv_fail(pv, "%s: its LSDA moved to %s+0x%"
				       PRIx64 ": call site %zu (+0x%" PRIx64
				       " length 0x%" PRIx64 " pad 0x%" PRIx64
				       " before) is not the old one mapped",
				       where, sec->name, new_at, i, st, ln,
				       lp);
	}
	return true;
}

uint8_t *pv_lsda_first_length(struct pad_verify *pv, struct section *sec,
			      uint64_t at)
{
	uint8_t *d = obj_section_data_writable(pv->obj, sec);
	struct ltab t;
	struct lrd r;

	if (!d || !read_ltab(d, sec->size, at, &t) || !t.ncs)
		return NULL;
	r = (struct lrd){ d, d + t.cs, d + t.cs_end, false };
	lrd_cs(&r, t.cs_enc);
	return r.bad ? NULL : (uint8_t *)r.p;
}
