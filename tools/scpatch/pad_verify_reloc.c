// SPDX-License-Identifier: MIT
/*
 * Padding: the fix-up validation of relocations (pad_verify.c).  Before
 * the commit, every relocation of a section that holds one in or into
 * padded code gets the offset and addend it must have afterwards: in
 * padded code its field moves with its instruction; symbol + addend +
 * bias (the end of the instruction for a PC-relative field in code, the
 * table base for a PC-relative jump table entry: the nearest place at or
 * below it that code refers to) must point where its target went.  After
 * the commit each is compared, by its index in its section, whose count,
 * types and symbols must not change.
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
 */
static int build_bases(struct pad_verify *pv)
{
	unsigned n = obj_nsections(pv->obj);
	size_t *cap = calloc(n, sizeof(*cap));
	struct section *t;
	struct reloc *r;

	pv->bases.built = true;
	pv->bases.v = calloc(n, sizeof(*pv->bases.v));
	pv->bases.n = calloc(n, sizeof(*pv->bases.n));
	if (!cap || !pv->bases.v || !pv->bases.n)
		goto nomem;
	obj_for_each_section(pv->obj, t) {
		if (!is_code(t) || !has_relocs(pv->obj, t))
			continue;
		obj_for_each_reloc(pv->obj, t, r) {
			enum reloc_kind k = reloc_kind(r->type);
			unsigned d;

			if (!r->sym || !r->sym->sec || k == RK_OTHER ||
			    is_code(r->sym->sec))
				continue;
			d = r->sym->sec->idx;
			if (pv->bases.n[d] == cap[d]) {
				size_t c = cap[d] ? 2 * cap[d] : 16;
				struct kv *p = realloc(pv->bases.v[d], c * sizeof(*p));

				if (!p)
					goto nomem;
				pv->bases.v[d] = p;
				cap[d] = c;
			}
			pv->bases.v[d][pv->bases.n[d]++] = (struct kv){
				sym_value(r->sym) + r->addend +
				(k == RK_PC ? 4 : 0), 0 };
		}
	}
	for (unsigned i = 0; i < n; i++)
		if (pv_sort_kv(pv->bases.v[i], pv->bases.n[i]))
			goto nomem;
	free(cap);
	return 0;
nomem:
	free(cap);
	return -1;
}

static bool table_base(struct pad_verify *pv, const struct section *t,
		       uint64_t at, uint64_t *base)
{
	const struct kv *v;
	size_t lo = 0, hi;

	if (!pv->bases.built && build_bases(pv))
		return false;
	v = pv->bases.v[t->idx];
	hi = pv->bases.n[t->idx];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (v[mid].key <= at)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return false;
	*base = v[lo - 1].key;
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
	    pv->symmap[idx] != UINT64_MAX) {
		*out = pv->symmap[idx];
		return true;
	}
	if (pv->memo.s != s || pv->memo.orig != target ||
	    pv->memo.kind != kind) {
		pv->memo.s = s;
		pv->memo.orig = target;
		pv->memo.kind = kind;
		pv->memo.ok = pv_map(s, target, kind, &pv->memo.out);
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
	return idx < pv->nsymmap && pv->symmap[idx] != UINT64_MAX ?
	       pv->symmap[idx] : sym->sym.st_value;
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

/* Returns true when R is in or points into padded code. */
static bool add_reloc(struct pad_verify *pv, struct section *t,
		      struct pad_sec *self, struct reloc *r)
{
	struct pad_sec *s = r->sym && r->sym->sec ?
		pad_find_sec(pv->secs, pv->nsecs, r->sym->sec->idx) : NULL;
	struct vrel *v = &pv->rels[pv->nrels++];
	char where[200];

	/* in other sections the offset is not checked (DWARF and
	 * .eh_frame may grow): there it says whether the addend is */
	v->off = self ? r->offset : s != NULL;
	v->addend = r->addend;
	if (self && !pv_map_field(self, r->offset, r->type, &v->off,
			       &pv->field_end, &pv->field_hint)) {
		where_reloc(where, sizeof(where), t, r);
		pv_fail(pv, "%s: its field is not in an instruction that moves "
			"as a whole", where);
	}
	if (s)
		v->addend = expect_addend(pv, t, r, s, self);
	return self || s;
}

/* Room for every relocation, allocated once: there are millions on a
 * large object, and only the pages used are touched. */
static int alloc_relocs(struct pad_verify *pv)
{
	struct section *t;
	size_t n = 0;

	obj_for_each_section(pv->obj, t)
		if (has_relocs(pv->obj, t))
			n += obj_nrelocs(pv->obj, t);
	pv->rels = malloc((n + 1) * sizeof(*pv->rels));
	return pv->rels ? 0 : -1;
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

int pv_reloc_prepare(struct pad_verify *pv)
{
	struct section *t;
	struct reloc *r;

	if (alloc_relocs(pv))
		return -1;
	obj_for_each_section(pv->obj, t) {
		struct pad_sec *self;
		struct vrelsec vs = { t, 0, pv->nrels, 0, false };
		bool any = false;

		if (!has_relocs(pv->obj, t))
			continue;
		self = pad_find_sec(pv->secs, pv->nsecs, t->idx);
		vs.padded = self;
		pv->field_hint = -1;
		pv->ref_kind = ref_kind_of(t);
		obj_for_each_reloc(pv->obj, t, r) {
			any |= add_reloc(pv, t, self, r);
			vs.hash = mix(vs.hash, r);
		}
		vs.nrelocs = pv->nrels - vs.first;
		if (!any)
			pv->nrels = vs.first;
		else if (add_relsec(pv, &vs))
			return -1;
	}
	return 0;
}

static bool check_reloc(struct pad_verify *pv, const struct vrelsec *vs,
			size_t k, const struct reloc *r)
{
	const struct vrel *v = &pv->rels[vs->first + k];
	bool addend_checked = vs->padded || v->off;
	char where[200];

	if ((!vs->padded || r->offset == v->off) &&
	    (!addend_checked || r->type == R_X86_64_NONE ||
	     r->addend == v->addend))
		return true;
	where_reloc(where, sizeof(where), vs->sec, r);
	if (!vs->padded)
		return pv_fail(pv, "%s, #%zu of its section: must have addend "
			       "%s0x%" PRIx64 " to point where its target went",
			       where, k, v->addend < 0 ? "-" : "+",
			       v->addend < 0 ? -(uint64_t)v->addend :
			       (uint64_t)v->addend);
	return pv_fail(pv, "%s, #%zu of its section: must be at +0x%" PRIx64
		       " with addend %s0x%" PRIx64 " to point where its field "
		       "and target went", where, k, v->off,
		       v->addend < 0 ? "-" : "+",
		       v->addend < 0 ? -(uint64_t)v->addend :
		       (uint64_t)v->addend);
}

void pv_reloc_check(struct pad_verify *pv)
{
	for (size_t k = 0; k < pv->nrsecs && !pv->failure[0]; k++) {
		const struct vrelsec *vs = &pv->rsecs[k];
		uint64_t hash = 0;
		struct reloc *r;
		size_t i = 0;

		/* a rebuilt .eh_frame (an FDE grew) has its relocations
		 * anew: its FDEs are checked on their own (pad_verify_cfi.c) */
		if (vs->sec == pv->eh && vs->sec->size != pv->eh_old_size)
			continue;
		if (obj_nrelocs(pv->obj, vs->sec) != vs->nrelocs) {
			pv_fail(pv, "relocations of %s were added or removed",
				vs->sec->name);
			return;
		}
		obj_for_each_reloc(pv->obj, vs->sec, r) {
			if (!check_reloc(pv, vs, i++, r))
				return;
			hash = mix(hash, r);
		}
		if (hash != vs->hash)
			pv_fail(pv, "the types or symbols of the relocations of "
				"%s changed", vs->sec->name);
	}
}
