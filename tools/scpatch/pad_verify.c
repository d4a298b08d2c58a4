// SPDX-License-Identifier: MIT
/*
 * Padding: translation validation of the fix-ups (pad_verify.h).
 *
 * pad_validate.c proved, per section, that every original instruction is
 * in the new bytes where the plan put it (its label: the NOP put before
 * it, or the instruction itself).  That placement is the only thing taken
 * from the pass here.  Just before the commit, every relocation in or into
 * padded code, every symbol defined there and every FDE describing it is
 * read from the object as it is, and what it must become is worked out
 * from the validated placement alone: the relocated field of an
 * instruction moves with the instruction; a reference (symbol + addend +
 * the bias of its type: the end of the instruction for a PC-relative field
 * in code, the table base for a PC-relative jump table entry) goes where
 * the place it pointed at went; a reference into an instruction maps byte
 * for byte only when that instruction's bytes did not change.  After the
 * commit the object is read again and compared; a mismatch is an error
 * naming the place, and the object is not written.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "pad_verify_internal.h"

bool pv_fail(struct pad_verify *pv, const char *fmt, ...)
{
	va_list ap;

	if (pv->failure[0])
		return false;
	va_start(ap, fmt);
	vsnprintf(pv->failure, sizeof(pv->failure), fmt, ap);
	va_end(ap);
	return false;
}

/* The instruction covering ORIG, checked: the lookup is the pass's. */
static long insn_of(const struct pad_sec *ps, uint64_t orig)
{
	long i = pad_insn_covering(ps, orig);

	if (i < 0 || ps->insns[i].off > orig ||
	    orig - ps->insns[i].off >= ps->insns[i].d.len)
		return -1;
	return i;
}

static bool same_bytes(const struct pad_sec *ps, const struct pad_insn *in)
{
	return in->new_len == in->d.len &&
	       !memcmp(ps->data + in->off, ps->new_data + in->new_off,
		       in->d.len);
}

static bool map_in_run(const struct pad_sec *ps, const struct pad_insn *in,
		       uint64_t orig, uint64_t *out)
{
	const struct pad_run *run = &ps->runs[in->run];

	/* an unshrunk run was copied as it was; a shrunk one was rewritten
	 * and only its start is still a place */
	if (run->absorbed && orig != run->start)
		return false;
	*out = run->new_start + (orig - run->start);
	return true;
}

/* insn_of(), scanning forward from *HINT when ORIG is a little after it
 * (CFA rows of one FDE come in order). */
static long insn_near(const struct pad_sec *ps, uint64_t orig, long *hint)
{
	long i = hint ? *hint : -1;

	if (i >= 0 && (size_t)i < ps->n && ps->insns[i].off <= orig &&
	    orig - ps->insns[i].off < 256) {
		while ((size_t)i + 1 < ps->n && ps->insns[i + 1].off <= orig)
			i++;
		if (orig - ps->insns[i].off >= ps->insns[i].d.len)
			i = -1;
	} else {
		i = insn_of(ps, orig);
	}
	if (hint)
		*hint = i;
	return i;
}

bool pv_map_near(const struct pad_sec *ps, uint64_t orig, enum ref_kind kind,
		 uint64_t *out, long *hint)
{
	const struct pad_insn *in;
	long i;

	if (orig >= ps->size) {
		*out = ps->new_size;
		return orig == ps->size;
	}
	i = insn_near(ps, orig, hint);
	if (i < 0)
		return false;
	in = &ps->insns[i];
	if (in->run >= 0)
		return map_in_run(ps, in, orig, out);
	if (orig == in->off) {
		*out = kind == REF_INSN ? in->new_off : in->label;
		return true;
	}
	*out = in->new_off + (orig - in->off);
	if (kind == REF_DEBUG && orig == in->off + in->d.len - 1u &&
	    in->new_len == in->d.len)
		return true;
	return same_bytes(ps, in);
}

bool pv_map(const struct pad_sec *ps, uint64_t orig, enum ref_kind kind,
	    uint64_t *out)
{
	return pv_map_near(ps, orig, kind, out, NULL);
}

/* Where a relocated field at ORIG went: it moves with its instruction,
 * which ends at *END (0 when there is none). */
static bool map_field(const struct pad_sec *ps, uint64_t orig, uint32_t type,
		      uint64_t *out, uint64_t *end, long *hint)
{
	const struct pad_insn *in;
	long i;

	*end = 0;
	if (orig >= ps->size) {
		*out = orig - ps->size + ps->new_size;
		return type == R_X86_64_NONE;
	}
	i = insn_near(ps, orig, hint);
	if (i < 0)
		return false;
	in = &ps->insns[i];
	*end = in->off + in->d.len;
	if (in->run >= 0)
		return map_in_run(ps, in, orig, out) || type == R_X86_64_NONE;
	*out = in->new_off + (orig - in->off);
	return !in->relaxed;
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

static bool is_code(const struct section *sec)
{
	return sec->sh.sh_flags & SHF_EXECINSTR;
}

static uint64_t sym_value(const struct symbol *sym)
{
	return sym->type == STT_SECTION ? 0 : sym->sym.st_value;
}

/* A key and what it belongs to. */
struct kv {
	uint64_t key, val;
};

/* LSD radix sort by key, 11 bits a pass, as many passes as the largest
 * key needs: hundreds of thousands of keys on a large object, where
 * qsort() took longer than the checks it served. */
static int sort_kv(struct kv *v, size_t n)
{
	struct kv *tmp, *a = v, *b;
	uint64_t max = 0;

	for (size_t i = 0; i < n; i++)
		max |= v[i].key;
	if (n < 2 || !max)
		return 0;
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return -1;
	b = tmp;
	for (unsigned shift = 0; shift < 64 && max >> shift; shift += 11) {
		size_t count[2049] = { 0 };
		struct kv *t;

		for (size_t i = 0; i < n; i++)
			count[((a[i].key >> shift) & 2047) + 1]++;
		for (size_t d = 1; d < 2049; d++)
			count[d] += count[d - 1];
		for (size_t i = 0; i < n; i++)
			b[count[(a[i].key >> shift) & 2047]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	if (a != v)
		memcpy(v, a, n * sizeof(*v));
	free(tmp);
	return 0;
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
		if (sort_kv(pv->bases.v[i], pv->bases.n[i]))
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
	if (self && !map_field(self, r->offset, r->type, &v->off,
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

static int prepare_relocs(struct pad_verify *pv)
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

static void check_relocs(struct pad_verify *pv)
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

static int collect_symbols(struct pad_verify *pv)
{
	struct symtab *tab = obj_symtab(pv->obj);
	struct symbol *sym;
	size_t cap = 0;

	obj_for_each_symbol(tab, sym) {
		struct vsym *v;

		if (!sym->sec || sym->type == STT_SECTION ||
		    !pad_find_sec(pv->secs, pv->nsecs, sym->sec->idx))
			continue;
		if (pv->nsyms == cap) {
			cap = cap ? 2 * cap : 256;
			v = realloc(pv->syms, cap * sizeof(*v));
			if (!v)
				return -1;
			pv->syms = v;
		}
		pv->syms[pv->nsyms++] = (struct vsym){ .sym = sym,
			.value = sym->sym.st_value, .size = sym->sym.st_size,
			.sec = sym->sec->idx, .idx = obj_symbol_index(sym) };
	}
	return 0;
}

static void map_symbol(struct pad_verify *pv, struct vsym *v, long *hints)
{
	struct pad_sec *s = pad_find_sec(pv->secs, pv->nsecs, v->sec);
	uint64_t end;

	if (!pv_map_near(s, v->value, REF_POINT, &v->new_value, &hints[0]) ||
	    !pv_map_near(s, v->value + v->size, REF_POINT, &end, &hints[1])) {
		pv_fail(pv, "symbol %s (%s+0x%" PRIx64 ", size %" PRIu64
			") does not map to whole instructions", v->sym->name,
			s->sec->name, v->value, v->size);
		return;
	}
	if (v->size)
		v->new_size = end - v->new_value;
	if (v->idx < pv->nsymmap)
		pv->symmap[v->idx] = v->new_value;
}

/* Symbols are mapped in address order: random lookups into millions of
 * instructions cost a cache miss each. */
static int prepare_symbols(struct pad_verify *pv)
{
	struct kv *order;
	long hints[2] = { -1, -1 };
	unsigned sec = 0;

	pv->nsymmap = obj_nsymbols(obj_symtab(pv->obj));
	pv->symmap = malloc((pv->nsymmap + 1) * sizeof(*pv->symmap));
	if (!pv->symmap || collect_symbols(pv))
		return -1;
	memset(pv->symmap, 0xff, (pv->nsymmap + 1) * sizeof(*pv->symmap));
	order = malloc((pv->nsyms + 1) * sizeof(*order));
	if (!order)
		return -1;
	for (size_t i = 0; i < pv->nsyms; i++)
		order[i] = (struct kv){ (uint64_t)pv->syms[i].sec << 44 |
					(pv->syms[i].value & ((1ull << 44) - 1)),
					i };
	if (sort_kv(order, pv->nsyms)) {
		free(order);
		return -1;
	}
	for (size_t i = 0; i < pv->nsyms; i++) {
		struct vsym *v = &pv->syms[order[i].val];

		if (v->sec != sec) {
			sec = v->sec;
			hints[0] = hints[1] = -1;
		}
		map_symbol(pv, v, hints);
	}
	free(order);
	return 0;
}

static void check_symbols(struct pad_verify *pv)
{
	for (size_t i = 0; i < pv->nsyms && !pv->failure[0]; i++) {
		const struct vsym *v = &pv->syms[i];
		const GElf_Sym *now = &v->sym->sym;

		if (now->st_value != v->new_value || now->st_size != v->new_size)
			pv_fail(pv, "symbol %s (%s+0x%" PRIx64 ", size %" PRIu64
				"): now +0x%" PRIx64 ", size %" PRIu64 ", but its "
				"instructions went to +0x%" PRIx64 ", size %"
				PRIu64, v->sym->name, v->sym->sec->name,
				v->value, v->size, (uint64_t)now->st_value,
				(uint64_t)now->st_size, v->new_value,
				v->new_size);
	}
}

#define JCC_MIN_JUMPS 32

static void prepare_jcc(struct pad_verify *pv)
{
	for (size_t i = 0; i < pv->nsecs; i++) {
		struct pad_sec *s = pad_find_sec(pv->secs, pv->nsecs, i);
		size_t broken = 0;

		if (!s)
			continue;
		if (!pad_jcc_count(s, &pv->jcc.jumps, &broken)) {
			pv->jcc.broken = 0;
			return;
		}
		if (broken && !pv->jcc.nsecs++)
			pv->jcc.first = s->sec;
		pv->jcc.broken += broken;
	}
	if (pv->jcc.jumps < JCC_MIN_JUMPS)
		pv->jcc.broken = 0;
}

static void say_jcc(struct pad_verify *pv)
{
	if (!pv->jcc.broken)
		return;
	error_at(obj_path(pv->obj), "%s%s: %zu of %zu jumps now cross or end "
		 "at a 32-byte boundary; the object was built with "
		 "-mbranches-within-32B-boundaries (none did), padding does "
		 "not keep that", pv->jcc.first->name,
		 pv->jcc.nsecs > 1 ? " and other sections" : "",
		 pv->jcc.broken, pv->jcc.jumps);
}

int pad_verify_prepare(struct obj *obj, struct pad_sec **secs, size_t nsecs,
		       struct pad_verify **out)
{
	struct pad_verify *pv;
	size_t i;

	*out = NULL;
	for (i = 0; i < nsecs && !pad_find_sec(secs, nsecs, i); i++)
		;
	if (i == nsecs)
		return 0;
	pv = calloc(1, sizeof(*pv));
	if (!pv)
		return -1;
	*pv = (struct pad_verify){ .obj = obj, .secs = secs, .nsecs = nsecs };
	*out = pv;
	pv->eh = obj_find_section(obj, ".eh_frame");
	if (prepare_symbols(pv) || prepare_relocs(pv) || pv_cfi_prepare(pv))
		return -1;
	prepare_jcc(pv);
	return 0;
}

int pad_verify(struct pad_verify *pv)
{
	if (!pv)
		return 0;
	pv_inject_fault(pv);
	check_relocs(pv);
	check_symbols(pv);
	if (!pv->failure[0])
		pv_cfi_check(pv);
	if (!pv->failure[0]) {
		say_jcc(pv);
		return 0;
	}
	error_at(obj_path(pv->obj), "padding: translation validation failed: "
		 "%s; nothing written", pv->failure);
	return -1;
}

void pad_verify_free(struct pad_verify *pv)
{
	if (!pv)
		return;
	if (pv->bases.v)
		for (unsigned i = 0; i < obj_nsections(pv->obj); i++)
			free(pv->bases.v[i]);
	free(pv->bases.v);
	free(pv->bases.n);
	free(pv->rels);
	free(pv->symmap);
	free(pv->rsecs);
	free(pv->syms);
	free(pv->eh_old);
	free(pv->fdes);
	free(pv->rowlocs);
	free(pv);
}
