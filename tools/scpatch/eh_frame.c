// SPDX-License-Identifier: MIT
/*
 * Padding: .eh_frame.  An FDE's pc_begin is a relocation (fixed with the
 * others in pad_relocs.c); its pc_range and the DW_CFA_advance_loc* deltas
 * of its instructions are plain numbers that change when code moves inside
 * the function.  Every row address is a reference into the code; a delta
 * that would no longer fit its encoding drops the sites that move it.
 * C++ exception tables (LSDA) are rewritten by pad_lsda.c; a function
 * whose LSDA that reader does not understand is frozen.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "big_alloc.h"
#include "leb128.h"
#include "pad_internal.h"

struct cie {
	uint64_t off;
	uint64_t caf;
	uint8_t fde_enc;
	bool aug_z, lsda;
};

struct reader {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t rd_uleb(struct reader *r)
{
	uint64_t v;
	size_t n = leb128_decode(r->p, r->end - r->p, 0, &v);

	if (!n) {
		r->bad = true;
		r->p = r->end;
		return 0;
	}
	r->p += n;
	return v;
}

static uint64_t rd_n(struct reader *r, unsigned n)
{
	uint64_t v = 0;

	if (r->end - r->p < n) {
		r->bad = true;
		r->p = r->end;
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	return v;
}

/* Skips N bytes; false (and R bad) when they are not all there. */
static bool rd_skip(struct reader *r, uint64_t n)
{
	if (r->bad || n > (uint64_t)(r->end - r->p)) {
		r->bad = true;
		r->p = r->end;
		return false;
	}
	r->p += n;
	return true;
}

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

static bool parse_cie(struct reader *r, struct cie *c)
{
	const char *aug;
	uint8_t version = rd_n(r, 1);

	aug = (const char *)r->p;
	while (r->p < r->end && *r->p)
		r->p++;
	if (r->p++ >= r->end || (version != 1 && version != 3))
		return false;
	c->caf = rd_uleb(r);
	rd_uleb(r);			/* data alignment (sleb, same length) */
	if (version == 1)
		rd_n(r, 1);
	else
		rd_uleb(r);
	c->fde_enc = 0;
	if (*aug != 'z')
		return !*aug && !r->bad;
	c->aug_z = true;
	rd_uleb(r);
	for (aug++; *aug && !r->bad; aug++) {
		uint8_t enc;

		switch (*aug) {
		case 'R':
			c->fde_enc = rd_n(r, 1);
			break;
		case 'L':
			rd_n(r, 1);
			c->lsda = true;
			break;
		case 'P':
			enc = rd_n(r, 1);
			if (!enc_size(enc))
				return false;
			rd_n(r, enc_size(enc));
			break;
		case 'S': case 'B':
			break;
		default:
			return false;
		}
	}
	return !r->bad && enc_size(c->fde_enc);
}

static int add_fde(struct eh_frame *eh, const struct eh_fde *f)
{
	if (eh->n == eh->cap) {
		size_t cap = eh->cap ? 2 * eh->cap : 64;
		struct eh_fde *p = big_realloc(eh->fdes, cap * sizeof(*p));

		if (!p)
			return -1;
		eh->fdes = p;
		eh->cap = cap;
	}
	eh->fdes[eh->n++] = *f;
	return 0;
}

static int parse_fde(struct obj *obj, struct eh_frame *eh, struct reader *r,
		     const struct cie *c, struct pad_sec **secs, size_t nsecs)
{
	const uint8_t *base = obj_section_data(obj, eh->sec);
	uint64_t at = r->p - base;
	unsigned sz = enc_size(c->fde_enc);
	struct reloc *rel = obj_find_reloc(obj, eh->sec, at);
	struct eh_fde f = { 0 };
	uint64_t auglen;

	rd_n(r, sz);
	f.range_off = r->p - base;
	f.range_size = sz;
	f.end = rd_n(r, sz);
	if (c->aug_z) {
		auglen = rd_uleb(r);
		struct reloc *l = c->lsda ? obj_find_reloc_range(obj, eh->sec,
						r->p - base, auglen) : NULL;

		f.lsda = l;
		if (l && l->sym && l->sym->sec) {
			f.lsda_sec = l->sym->sec;
			f.lsda_off = (l->sym->type == STT_SECTION ? 0 :
				      l->sym->sym.st_value) + l->addend;
		}
		rd_skip(r, auglen);
	}
	f.insns_off = r->p - base;
	f.insns_end = r->end - base;
	/* Which code a damaged FDE describes is not known: none is padded. */
	if (r->bad) {
		eh->why = "malformed .eh_frame FDE";
		return 0;
	}
	if (!rel) {
		eh->why = "an .eh_frame FDE without a pc_begin relocation";
		return 0;
	}
	/* R_X86_64_NONE against symbol 0: lld -r keeps the FDEs of
	 * discarded COMDAT copies so; or code in another object */
	if (!rel->sym || !rel->sym->sec)
		return 0;
	f.ps = pad_find_sec(secs, nsecs, rel->sym->sec->idx);
	if (!f.ps)
		return 0;
	if (c->caf != 1) {
		pad_refuse(f.ps, "unusual .eh_frame", "code alignment %" PRIu64,
			   c->caf);
		return 0;
	}
	f.begin = (rel->sym->type == STT_SECTION ? 0 :
		   rel->sym->sym.st_value) + rel->addend;
	f.end += f.begin;
	return add_fde(eh, &f);
}

int eh_frame_read(struct obj *obj, struct eh_frame *eh,
		  struct pad_sec **secs, size_t nsecs)
{
	struct cie *cies = NULL;
	size_t ncies = 0, cies_cap = 0;
	const uint8_t *d;
	uint64_t off = 0;
	int ret = 0;

	if (!(d = obj_section_data(obj, eh->sec)))
		return -1;
	while (off + 4 <= eh->sec->size && !ret && !eh->why) {
		struct reader r = { d + off + 4, NULL, false };
		uint64_t len = rd_n(&(struct reader){ d + off, d + off + 4, false }, 4);
		uint64_t id, start = off;
		size_t k;

		if (len == 0xffffffff || len > eh->sec->size - off - 4) {
			eh->why = "malformed .eh_frame";
			break;
		}
		off += 4 + len;
		r.end = d + off;
		if (!len)
			continue;
		id = rd_n(&r, 4);
		if (!id) {
			if (ncies == cies_cap) {
				struct cie *p;

				cies_cap = cies_cap ? 2 * cies_cap : 16;
				p = realloc(cies, cies_cap * sizeof(*p));
				if (!p) {
					ret = -1;
					break;
				}
				cies = p;
			}
			cies[ncies] = (struct cie){ .off = start };
			if (!parse_cie(&r, &cies[ncies++]))
				eh->why = "unsupported .eh_frame CIE";
			continue;
		}
		/* ld -r keeps a CIE per input object, before its FDEs */
		for (k = ncies; k && cies[k - 1].off != start + 4 - id; k--)
			;
		if (!k--) {
			eh->why = "malformed .eh_frame";
			break;
		}
		ret = parse_fde(obj, eh, &r, &cies[k], secs, nsecs);
	}
	free(cies);
	return ret;
}

enum cfa_mode { CFA_MARK, CFA_CHECK, CFA_WRITE };

/* Every row address was marked (a boundary, or frozen around it). */
static bool map_loc(const struct pad_sec *ps, uint64_t off, uint64_t *out)
{
	*out = pad_map_ref(ps, off);
	return true;
}

/*
 * The advance from LOC by DELTA (originally SIZE operand bytes, 0 for the
 * 6-bit form) with its new delta: the original form when the delta still
 * fits, else the smallest that does.  Written into OUT unless it is NULL.
 * *NEW_LOC is where LOC went (UINT64_MAX: not mapped yet), and becomes
 * where LOC + DELTA went: each row is looked up once.  Returns its length,
 * 0 when LOC cannot be mapped.
 */
static unsigned advance(struct eh_fde *f, enum cfa_mode mode, uint8_t *out,
			uint8_t op, unsigned size, uint64_t loc, uint64_t delta,
			uint64_t *new_loc)
{
	uint64_t a = *new_loc, b, nd;
	unsigned n;

	if (mode == CFA_MARK)
		return pad_mark_point(f->ps, loc + delta, "CFA row") ? 1 : 0;
	if ((a == UINT64_MAX && !map_loc(f->ps, loc, &a)) ||
	    !map_loc(f->ps, loc + delta, &b) || b < a)
		return 0;
	*new_loc = b;
	nd = b - a;
	if (!size && nd <= 63) {
		if (out)
			out[0] = (op & 0xc0) | nd;
		return 1;
	}
	if (nd >> 32)
		return 0;
	n = nd <= 0xff && size <= 1 ? 1 : nd <= 0xffff && size <= 2 ? 2 : 4;
	if (!out)
		return 1 + n;
	out[0] = n == 4 ? 0x04 : n + 1;
	for (unsigned k = 0; k < n; k++)
		out[1 + k] = nd >> (8 * k);
	return 1 + n;
}

static bool skip_operands(struct reader *r, uint8_t op)
{
	switch (op) {
	case 0x00: case 0x0a: case 0x0b:
		return true;
	case 0x06: case 0x07: case 0x08: case 0x0d: case 0x0e: case 0x13:
	case 0x2e:
		rd_uleb(r);
		return true;
	case 0x05: case 0x09: case 0x0c: case 0x11: case 0x12: case 0x14:
	case 0x15: case 0x2f:
		rd_uleb(r);
		rd_uleb(r);
		return true;
	case 0x0f:
		return rd_skip(r, rd_uleb(r));
	case 0x10: case 0x16:
		rd_uleb(r);
		return rd_skip(r, rd_uleb(r));
	}
	return false;
}

/* A re-encoded advance takes at most 5 bytes and every op at least 1. */
#define CFA_BUF_SIZE(room) (5 * (room) + 8)

/*
 * Walks the CFA program of F.  CHECK and WRITE re-encode it with the new
 * advances and without DW_CFA_nop, into BUF (CFA_BUF_SIZE(room) bytes)
 * unless it is NULL, and set *USED to its length, which may exceed the
 * room the FDE has: then the FDE must grow.  False when the program
 * cannot be followed.
 */
static bool cfa_walk(struct eh_fde *f, const uint8_t *d, enum cfa_mode mode,
		     uint8_t *buf, uint64_t *used_out)
{
	struct reader r = { d + f->insns_off, d + f->insns_end, false };
	uint64_t used = 0, loc = f->begin, new_loc = UINT64_MAX;

	while (r.p < r.end && !r.bad) {
		const uint8_t *at = r.p;
		uint8_t op = *r.p++;
		uint64_t delta;
		unsigned size = 0, n;

		if ((op & 0xc0) == 0x40) {
			delta = op & 0x3f;
		} else if (op >= 0x02 && op <= 0x04) {
			size = op == 0x04 ? 4 : op - 1;
			delta = rd_n(&r, size);
		} else {
			if ((op & 0xc0) == 0x80)
				rd_uleb(&r);
			else if (!(op & 0xc0) && !skip_operands(&r, op))
				return false;
			if (op == 0x00)		/* padding: room to grow */
				continue;
			if (buf)
				memcpy(buf + used, at, r.p - at);
			used += r.p - at;
			continue;
		}
		n = advance(f, mode, buf ? buf + used : NULL, op, size, loc,
			    delta, &new_loc);
		if (!n)
			return false;
		used += n;
		loc += delta;
	}
	if (mode == CFA_MARK)
		f->rows_end = loc;
	if (used_out)
		*used_out = used;
	return !r.bad;
}

/* The room the FDE gives its CFA program, and the growth of the FDE that
 * a program of USED bytes needs: a multiple of the section's alignment
 * (8 from gas and LLVM), so that every later entry keeps its alignment. */
static uint64_t fde_growth(const struct eh_frame *eh, const struct eh_fde *f,
			   uint64_t used)
{
	uint64_t room = f->insns_end - f->insns_off;
	uint64_t align = eh->sec->sh.sh_addralign;

	if (used <= room)
		return 0;
	if (!align || align > 8 || (align & (align - 1)))
		align = 8;
	return (used - room + align - 1) / align * align;
}

/* The re-encoded program of F into *BUF (allocated, the caller frees);
 * false when it cannot be followed or out of memory. */
static bool cfa_encode(struct eh_fde *f, const uint8_t *d, enum cfa_mode mode,
		       uint8_t **buf, uint64_t *used)
{
	uint64_t room = f->insns_end - f->insns_off;

	*buf = malloc(CFA_BUF_SIZE(room));
	if (!*buf)
		return false;
	if (cfa_walk(f, d, mode, *buf, used))
		return true;
	free(*buf);
	*buf = NULL;
	return false;
}

void eh_frame_mark(struct eh_frame *eh)
{
	for (size_t i = 0; i < eh->n; i++) {
		struct eh_fde *f = &eh->fdes[i];
		const uint8_t *d = obj_section_data(f->ps->obj, eh->sec);

		if (f->ps->why)
			continue;
		if (eh->why) {
			pad_refuse(f->ps, eh->why, "in %s", eh->sec->name);
			continue;
		}
		pad_mark_point(f->ps, f->begin, "FDE start");
		pad_mark_point(f->ps, f->end, "FDE end");
		if (!cfa_walk(f, d, CFA_MARK, NULL, NULL))
			pad_refuse(f->ps, "unsupported CFA instructions",
				   "FDE at +0x%" PRIx64, f->range_off);
		if (f->lsda) {
			struct pad_range *p = realloc(f->ps->frozen,
				(f->ps->nfrozen + 1) * sizeof(*p));

			if (!p) {
				pad_refuse(f->ps, "out of memory", "%s", "");
				continue;
			}
			f->ps->frozen = p;
			p[f->ps->nfrozen++] = (struct pad_range){
				f->begin, f->end,
				"the function has a C++ exception table "
				"(LSDA) that is not understood", false };
		}
	}
}

/* An FDE whose new CFA program needs more room than it has. */
struct eh_grown {
	const struct eh_fde *f;
	uint8_t *prog;
	uint64_t used, grow;
};

struct eh_growth {
	struct obj *obj;
	struct section *sec;
	struct eh_grown *g;
	size_t n;
	uint64_t *shift;	/* shift[i]: growth of g[0..i-1] */
};

/* New offset of old offset X: every grown FDE ending at or before X
 * (the start of the next entry) pushes it. */
static uint64_t eh_map(const struct eh_growth *gr, uint64_t x)
{
	size_t lo = 0, hi = gr->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (gr->g[mid].f->insns_end <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return x + gr->shift[lo];
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint64_t v)
{
	for (int k = 0; k < 4; k++)
		p[k] = v >> (8 * k);
}

/* The section with each grown FDE's program and DW_CFA_nop padding. */
static void copy_grown(const struct eh_growth *gr, const uint8_t *old,
		       uint8_t *new)
{
	uint64_t from = 0, to = 0;

	for (size_t i = 0; i < gr->n; i++) {
		const struct eh_grown *g = &gr->g[i];
		uint64_t room = g->f->insns_end - g->f->insns_off;

		memcpy(new + to, old + from, g->f->insns_off - from);
		to += g->f->insns_off - from;
		memcpy(new + to, g->prog, g->used);
		memset(new + to + g->used, 0, room + g->grow - g->used);
		to += room + g->grow;
		from = g->f->insns_end;
	}
	memcpy(new + to, old + from, gr->sec->size - from);
}

/* Every entry's length, and every FDE's CIE pointer (the distance back
 * to its CIE, which grown FDEs between them lengthen). */
static void fix_entries(const struct eh_growth *gr, const uint8_t *old,
			uint8_t *new)
{
	for (uint64_t off = 0; off + 4 <= gr->sec->size;) {
		uint64_t len = get32(old + off), end = off + 4 + len;
		uint64_t id, no = eh_map(gr, off);

		/* eh_frame_read() refused anything else */
		if (len == 0xffffffff || end > gr->sec->size)
			return;
		put32(new + no, eh_map(gr, end) - eh_map(gr, off + 4));
		if (len >= 4 && (id = get32(old + off + 4)) && id <= off + 4)
			put32(new + no + 4, eh_map(gr, off + 4) -
			      eh_map(gr, off + 4 - id));
		off = end;
	}
}

static uint64_t sym_pos(const struct symbol *sym)
{
	return sym->type == STT_SECTION ? 0 : sym->sym.st_value;
}

/* .eh_frame's own relocations: their offsets, and the addends of those
 * against places in .eh_frame (relative to the field, no bias). */
static void fix_relocs(const struct eh_growth *gr)
{
	struct reloc *r;

	if (obj_nrelocs(gr->obj, gr->sec) <= 0)
		return;
	obj_for_each_reloc(gr->obj, gr->sec, r) {
		if (r->sym && r->sym->sec == gr->sec) {
			uint64_t s = sym_pos(r->sym);
			uint64_t ns = r->sym->type == STT_SECTION ? 0 :
				      eh_map(gr, s);

			r->addend = (int64_t)(eh_map(gr, s + r->addend) - ns);
		}
		r->offset = eh_map(gr, r->offset);
	}
	obj_relocs_changed(gr->obj, gr->sec);
}

static void fix_symbols(struct eh_growth *gr)
{
	struct symbol *sym;

	obj_for_each_symbol(obj_symtab(gr->obj), sym) {
		uint64_t v = sym->sym.st_value, e = v + sym->sym.st_size;

		if (sym->sec != gr->sec || sym->type == STT_SECTION)
			continue;
		sym->sym.st_value = eh_map(gr, v);
		if (sym->sym.st_size)
			sym->sym.st_size = eh_map(gr, e) - sym->sym.st_value;
		obj_symbol_changed(gr->obj, sym);
	}
}

static int note_foreign(struct section *sec, const struct reloc *r, void *arg)
{
	(void)r;
	return sec != arg;	/* stops the scan */
}

/* Whether FDEs may grow: nothing outside .eh_frame refers into it (a
 * reference there would need the place it names, and the proof of the
 * fix-ups, pad_verify, takes such relocations as they are).  Worked out
 * once per pass, on the first FDE that needs it. */
static struct {
	const struct eh_frame *eh;
	bool grow;
} grow_memo;

static bool may_grow(struct obj *obj, struct eh_frame *eh)
{
	struct symbol **syms = NULL, *sym;
	size_t n = 0;
	int ret = 0;

	if (grow_memo.eh == eh)
		return grow_memo.grow;
	obj_for_each_symbol(obj_symtab(obj), sym) {
		void *p;

		if (sym->sec != eh->sec)
			continue;
		p = realloc(syms, (n + 1) * sizeof(*syms));
		if (!p) {
			ret = -1;
			break;
		}
		syms = p;
		syms[n++] = sym;
	}
	if (!ret)
		ret = obj_scan_relocs_to(obj, syms, n, note_foreign, eh->sec);
	free(syms);
	grow_memo.eh = eh;
	grow_memo.grow = !ret;
	return grow_memo.grow;
}

/*
 * Rebuilds .eh_frame with the grown FDEs G (in section order): their
 * programs, the lengths and CIE pointers of every entry, and everything
 * that holds an offset into the section: its relocations (offsets, and
 * addends against places in it) and symbols in it; nothing else refers
 * into it (may_grow()).
 */
static int grow_fdes(struct obj *obj, struct eh_frame *eh, const uint8_t *old,
		     struct eh_grown *g, size_t n)
{
	struct eh_growth gr = { obj, eh->sec, g, n, NULL };
	uint64_t size = eh->sec->size;
	uint8_t *new = NULL;
	int ret = -1;

	gr.shift = malloc((n + 1) * sizeof(*gr.shift));
	if (!gr.shift)
		goto out;
	gr.shift[0] = 0;
	for (size_t i = 0; i < n; i++)
		gr.shift[i + 1] = gr.shift[i] + g[i].grow;
	new = big_malloc(size + gr.shift[n]);
	if (!new)
		goto out;
	copy_grown(&gr, old, new);
	fix_entries(&gr, old, new);
	fix_relocs(&gr);
	fix_symbols(&gr);
	if (obj_section_set_data(obj, eh->sec, new, size + gr.shift[n]))
		ret = 0;
out:
	free(new);
	free(gr.shift);
	return ret;
}

bool eh_frame_check(struct eh_frame *eh, struct pad_sec *ps)
{
	const uint8_t *d = eh->n ? obj_section_data(ps->obj, eh->sec) : NULL;
	bool skipped = false;

	for (size_t k = 0; k < ps->fdes.n && d && !ps->why; k++) {
		struct eh_fde *f = &eh->fdes[ps->fdes.v[k]];
		uint64_t used;
		const char *why = "a CFA advance cannot be re-encoded";

		/* its rows map as when it passed (a failure drops sites in
		 * or around it: that code is laid out again) */
		if (!pad_laid_out_again(ps, f->begin, f->end > f->rows_end ?
					f->end : f->rows_end))
			continue;

		/* a program that outgrows its FDE grows it (eh_frame_rewrite) */
		if (cfa_walk(f, d, CFA_CHECK, NULL, &used)) {
			if (used <= f->insns_end - f->insns_off ||
			    may_grow(ps->obj, eh))
				continue;
			why = "a CFA advance would not fit in its FDE (other "
			      "sections refer into .eh_frame)";
		}
		if (!pad_skip_growing(ps, f->begin, f->end, why))
			pad_refuse(ps, why, "FDE at +0x%" PRIx64, f->range_off);
		skipped = true;
	}
	return skipped;
}

/* Writes F's pc_range and CFA program in place, or adds it to *G when
 * the program outgrows the FDE. */
static int rewrite_fde(struct eh_frame *eh, struct eh_fde *f, uint8_t *d,
		       struct eh_grown **g, size_t *n)
{
	uint64_t a, b, used, room = f->insns_end - f->insns_off;
	uint8_t *prog;
	void *p;

	if (!map_loc(f->ps, f->begin, &a) || !map_loc(f->ps, f->end, &b) ||
	    !cfa_encode(f, d, CFA_WRITE, &prog, &used))
		return -1;
	for (unsigned k = 0; k < f->range_size; k++)
		d[f->range_off + k] = (b - a) >> (8 * k);
	if (used <= room) {
		memcpy(d + f->insns_off, prog, used);
		memset(d + f->insns_off + used, 0, room - used);
		free(prog);
		return 0;
	}
	p = realloc(*g, (*n + 1) * sizeof(**g));
	if (!p) {
		free(prog);
		return -1;
	}
	*g = p;
	(*g)[(*n)++] = (struct eh_grown){ f, prog, used,
					  fde_growth(eh, f, used) };
	return 0;
}

int eh_frame_rewrite(struct obj *obj, struct eh_frame *eh)
{
	struct eh_grown *g = NULL;
	size_t n = 0;
	uint8_t *d = NULL;
	int ret = -1;

	for (size_t i = 0; i < eh->n; i++) {
		struct eh_fde *f = &eh->fdes[i];

		if (!pad_find_sec(&f->ps, 1, 0))
			continue;
		if (!d && !(d = obj_section_data_writable(obj, eh->sec)))
			goto out;
		if (rewrite_fde(eh, f, d, &g, &n))
			goto out;
	}
	ret = n ? grow_fdes(obj, eh, d, g, n) : 0;
out:
	for (size_t i = 0; i < n; i++)
		free(g[i].prog);
	free(g);
	return ret;
}

void eh_frame_free(struct eh_frame *eh)
{
	if (grow_memo.eh == eh)
		grow_memo.eh = NULL;
	free(eh->fdes);
	eh->fdes = NULL;
	eh->n = eh->cap = 0;
}
