// SPDX-License-Identifier: MIT
/*
 * Site finder for relocatable objects (see refs.h).  The relocation
 * sections are scanned against a byte map of trampoline symbol indices;
 * only the functions that hold a candidate are decoded.
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "refs.h"
#include "static_call_table.h"

int tramp_set_build(struct view *v, struct tramp_set *t)
{
	memset(t, 0, sizeof(*t));
	if (!v->nsyms)
		return 0;
	t->is_tramp = calloc(v->nsyms, 1);
	if (!t->is_tramp) {
		error_at(v->path, "out of memory");
		return -1;
	}
	for (size_t i = 1; i < v->nsyms; i++) {
		if (strncmp(view_sym_name(v, i), STATIC_CALL_TRAMP_PREFIX,
			    STATIC_CALL_TRAMP_PREFIX_LEN))
			continue;
		if (ELF64_ST_TYPE(v->syms[i].st_info) == STT_SECTION)
			continue;
		t->is_tramp[i] = 1;
		if (!(t->count & (t->count + 1)) || !t->syms) {
			unsigned *n = realloc(t->syms, 2 * (t->count + 1) *
					      sizeof(unsigned));
			if (!n) {
				error_at(v->path, "out of memory");
				return -1;
			}
			t->syms = n;
		}
		t->syms[t->count++] = i;
	}
	return 0;
}

void tramp_set_free(struct tramp_set *t)
{
	free(t->syms);
	free(t->is_tramp);
	memset(t, 0, sizeof(*t));
}

const char *tramp_call_name(const struct view *v, unsigned sym)
{
	return view_sym_name(v, sym) + STATIC_CALL_TRAMP_PREFIX_LEN;
}

static uint64_t chain_start(struct view *v, unsigned sec, uint64_t off)
{
	long s = view_sym_at(v, sec, off, false);

	if (s < 0 || v->syms[s].st_value > off)
		return 0;
	return v->syms[s].st_value;
}

bool decode_covering(struct view *v, struct decode_cursor *c, unsigned sec,
		     uint64_t off, struct insn *insn)
{
	const struct view_sec *s = &v->secs[sec];
	uint64_t start = chain_start(v, sec, off);

	if (!s->data || off >= s->size)
		return false;
	if (!c->valid || c->sec != sec || c->start != start || c->pos > off) {
		c->valid = true;
		c->sec = sec;
		c->start = start;
		c->pos = start;
	}
	while (c->pos <= off) {
		bool ok = arch_decode(s->data + c->pos, s->size - c->pos,
				      c->pos, insn);

		if (c->pos + insn->len > off) {
			/* Stay on this instruction: another relocation
			 * may sit in it. */
			return ok;
		}
		c->pos += insn->len;
	}
	return false;
}

/* Legacy prefixes that leave a near branch a near branch with rel32. */
static bool branch_prefixes_ok(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0x67 && p[i] != 0x2e && p[i] != 0x3e && p[i] != 0xf2)
			return false;
	return true;
}

static void classify_branch(const uint8_t *p, struct obj_ref *r)
{
	const struct insn *in = &r->insn;
	uint64_t field = r->off;
	uint64_t op;

	if (in->kind == INSN_CALL || in->kind == INSN_JMP)
		op = field - 1;
	else if (in->kind == INSN_JCC)
		op = field - 2;
	else
		return;
	if (op < in->addr || !branch_prefixes_ok(p, op - in->addr))
		return;
	p += op - in->addr;
	if ((in->kind == INSN_CALL && p[0] != 0xe8) ||
	    (in->kind == INSN_JMP && p[0] != 0xe9) ||
	    (in->kind == INSN_JCC && (p[0] != 0x0f || (p[1] & 0xf0) != 0x80)))
		return;
	r->kind = SC_REF_SITE;
	r->site = op;
	r->flags = in->kind == INSN_CALL ? 0 : STATIC_CALL_SITE_TAIL;
}

static void classify_code_ref(const struct view_sec *s, struct obj_ref *r)
{
	const struct insn *in = &r->insn;
	const uint8_t *p = s->data + in->addr;

	r->kind = SC_REF_OTHER;
	if (!r->decoded)
		return;
	switch (r->type) {
	case R_X86_64_PLT32:
	case R_X86_64_PC32:
		if (in->disp_size == 4 && in->addr + in->disp_off == r->off &&
		    in->disp_off + 4 == in->len && r->addend == -4)
			classify_branch(p, r);
		break;
	case R_X86_64_GOTPCREL:
	case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX:
		r->kind = SC_REF_GOT_LOAD;
		if (in->len == 6 && p[0] == 0xff && (p[1] == 0x15 || p[1] == 0x25) &&
		    r->off == in->addr + 2 && r->addend == -4) {
			r->kind = SC_REF_GOT_CALL;
			r->site = in->addr;
			r->flags = p[1] == 0x25 ? STATIC_CALL_SITE_TAIL : 0;
		}
		break;
	}
}

static int cmp_ref(const void *a, const void *b)
{
	const struct obj_ref *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return 0;
}

static int push_ref(struct view *v, struct obj_ref **refs, size_t *n,
		    size_t *cap, const struct obj_ref *r)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		struct obj_ref *p = realloc(*refs, c * sizeof(*p));

		if (!p) {
			error_at(v->path, "out of memory");
			return -1;
		}
		*refs = p;
		*cap = c;
	}
	(*refs)[(*n)++] = *r;
	return 0;
}

static int scan_relas(struct view *v, const struct tramp_set *t, unsigned r,
		      struct obj_ref **refs, size_t *n, size_t *cap)
{
	const struct view_sec *rs = &v->secs[r];
	size_t count;
	const Elf64_Rela *rela = view_relas(v, r, &count);
	unsigned target = rs->sh.sh_info;

	if (!target || target >= v->nsecs || rs->sh.sh_link != v->symtab)
		return 0;
	for (size_t i = 0; i < count; i++) {
		unsigned sym = ELF64_R_SYM(rela[i].r_info);
		struct obj_ref ref;

		if (sym >= v->nsyms || !t->is_tramp[sym])
			continue;
		memset(&ref, 0, sizeof(ref));
		ref.sec = target;
		ref.off = rela[i].r_offset;
		ref.rela_sec = r;
		ref.rela_i = i;
		ref.type = ELF64_R_TYPE(rela[i].r_info);
		ref.sym = sym;
		ref.addend = rela[i].r_addend;
		ref.in_code = v->secs[target].sh.sh_flags & SHF_EXECINSTR;
		if (push_ref(v, refs, n, cap, &ref))
			return -1;
	}
	return 0;
}

int obj_find_refs(struct view *v, const struct tramp_set *t,
		  struct obj_ref **out, size_t *count)
{
	struct obj_ref *refs = NULL;
	size_t n = 0, cap = 0;
	struct decode_cursor cur = { 0 };

	*out = NULL;
	*count = 0;
	if (!t->count)
		return 0;
	for (size_t r = 1; r < v->nsecs; r++) {
		if (v->secs[r].sh.sh_type != SHT_RELA ||
		    (v->secs[r].sh.sh_flags & SHF_ALLOC))
			continue;
		if (scan_relas(v, t, r, &refs, &n, &cap)) {
			free(refs);
			return -1;
		}
	}
	qsort(refs, n, sizeof(*refs), cmp_ref);
	for (size_t i = 0; i < n; i++) {
		struct obj_ref *r = &refs[i];
		const struct view_sec *s = &v->secs[r->sec];

		r->kind = SC_REF_OTHER;
		if (!r->in_code || !s->data || r->off + 4 > s->size)
			continue;
		r->decoded = decode_covering(v, &cur, r->sec, r->off, &r->insn);
		classify_code_ref(s, r);
	}
	*out = refs;
	*count = n;
	return 0;
}
