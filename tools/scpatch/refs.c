// SPDX-License-Identifier: MIT
/*
 * Site finder for relocatable objects (see refs.h).  The model's raw
 * relocation scan finds the references to trampolines without building
 * relocation arrays; only the functions that hold a candidate are decoded.
 */
#include <stdlib.h>
#include <string.h>

#include "big_alloc.h"
#include "bitmap.h"
#include "diag.h"
#include "got_load.h"
#include "refs.h"
#include "static_call_table.h"

static const char lto_advice[] =
	"run `gcc -flto -r -flinker-output=nolto-rel` or "
	"`clang -flto -fuse-ld=lld -r` on it first, then scpatch on that output";

/* The entry size a table section must declare, 0 for other sections. */
static uint64_t required_entsize(const struct section *sec)
{
	switch (sec->sh.sh_type) {
	case SHT_SYMTAB:
	case SHT_DYNSYM:
		return sizeof(Elf64_Sym);
	case SHT_RELA:
		return sizeof(Elf64_Rela);
	}
	return 0;
}

/*
 * LTO objects hold no code to find sites in.  And a symbol or relocation
 * table whose sh_entsize is not its entry size is damaged: the model reads
 * such tables by their type, linkers refuse them.
 */
static int check_sections(struct obj *obj)
{
	struct section *sec;

	obj_for_each_section(obj, sec) {
		uint64_t want = required_entsize(sec);

		if (want && sec->sh.sh_entsize != want)
			return error_at(obj_path(obj), "section [%u] %s: entry "
					"size %llu, not %llu", sec->idx, sec->name,
					(unsigned long long)sec->sh.sh_entsize,
					(unsigned long long)want), -1;
		if (!strncmp(sec->name, ".gnu.lto_", 9))
			return error_at(obj_path(obj), "GCC LTO object (GIMPLE "
					"bytecode%s): %s",
					obj_find_section(obj, ".text") ?
					", fat" : "", lto_advice), -1;
		if (!strcmp(sec->name, ".llvm.lto") ||
		    !strcmp(sec->name, ".llvmbc"))
			return error_at(obj_path(obj), "LLVM LTO object "
					"(embedded bitcode): %s", lto_advice), -1;
	}
	return 0;
}

struct obj *open_code_object(const char *path, enum obj_open_mode mode)
{
	struct obj *obj = obj_open(path, mode);

	if (!obj) {
		if (obj_errkind() == OBJ_ERR_BITCODE)
			error_at(path, "LLVM bitcode (LTO object) holds no "
				 "machine code: %s", lto_advice);
		else
			error_at(path, "%s", obj_errmsg());
		return NULL;
	}
	if (check_sections(obj)) {
		obj_close(obj);
		return NULL;
	}
	return obj;
}

static bool is_tramp(const struct symbol *sym)
{
	return sym->type != STT_SECTION &&
	       !strncmp(sym->name, STATIC_CALL_TRAMP_PREFIX,
			STATIC_CALL_TRAMP_PREFIX_LEN);
}

static int push_sym(struct tramp_set *t, struct symbol *sym)
{
	if (!(t->count & (t->count + 1)) || !t->syms) {
		struct symbol **n = realloc(t->syms, 2 * (t->count + 1) *
					    sizeof(*n));
		if (!n)
			return -1;
		t->syms = n;
	}
	t->syms[t->count++] = sym;
	return 0;
}

static int add_tramp(struct symbol *sym, void *arg)
{
	return is_tramp(sym) ? push_sym(arg, sym) : 0;
}

/* Section symbols of the sections that define a local trampoline, once. */
static int add_section_syms(struct tramp_set *t, size_t ntramps)
{
	for (size_t i = 0; i < ntramps; i++) {
		struct section *sec = t->syms[i]->sec;
		bool seen = false;

		if (t->syms[i]->bind != STB_LOCAL || !sec || !sec->sym)
			continue;
		for (size_t k = ntramps; k < t->count && !seen; k++)
			seen = t->syms[k] == sec->sym;
		if (!seen && push_sym(t, sec->sym))
			return -1;
	}
	return 0;
}

int tramp_set_build(struct obj *obj, struct tramp_set *t)
{
	struct symtab *tab = obj_symtab(obj);
	size_t ntramps;

	memset(t, 0, sizeof(*t));
	if (!tab)
		return 0;
	if (obj_for_each_symbol_prefixed(obj, tab, STATIC_CALL_TRAMP_PREFIX,
					 add_tramp, t))
		goto nomem;
	ntramps = t->count;
	if (add_section_syms(t, ntramps))
		goto nomem;
	return 0;
nomem:
	tramp_set_free(t);
	return error_at(obj_path(obj), "out of memory"), -1;
}

void tramp_set_free(struct tramp_set *t)
{
	free(t->syms);
	memset(t, 0, sizeof(*t));
}

const char *tramp_call_name(const struct symbol *sym)
{
	return sym->name + STATIC_CALL_TRAMP_PREFIX_LEN;
}

/* Where decoding starts: the function (or other symbol) around OFF.  The
 * function's answer is kept for the offsets that share it. */
static uint64_t chain_start(struct obj *obj, struct decode_cursor *c,
			    struct section *sec, uint64_t off)
{
	struct symbol *s;
	uint64_t until;

	if (c->span_sec == sec && off >= c->span_lo && off < c->span_hi)
		return c->span_start;
	c->span_sec = NULL;
	s = obj_find_func_containing_span(obj, sec, off, &until);
	if (s && s->sym.st_value <= off) {
		c->span_sec = sec;
		c->span_lo = off;
		c->span_hi = until;
		c->span_start = s->sym.st_value;
		return c->span_start;
	}
	if (!s)
		s = obj_find_symbol_containing(obj, sec, off);
	return s && s->sym.st_value <= off ? s->sym.st_value : 0;
}

bool decode_covering(struct obj *obj, struct decode_cursor *c,
		     struct section *sec, uint64_t off, struct insn *insn)
{
	const uint8_t *data = obj_section_data(obj, sec);
	uint64_t start;

	if (!data || sec->sh.sh_type == SHT_NOBITS || off >= sec->size)
		return false;
	start = chain_start(obj, c, sec, off);
	if (c->starts_sec == sec && c->starts && bitmap_test(c->starts, start)) {
		/* the section's first instruction starts at 0 */
		start = bitmap_last_at_or_below(c->starts, off);
		return arch_decode(data + start, sec->size - start, start,
				   insn);
	}
	if (!c->valid || c->sec != sec || c->start != start || c->pos > off) {
		c->valid = true;
		c->sec = sec;
		c->start = start;
		c->pos = start;
	}
	while (c->pos <= off) {
		bool ok = arch_decode(data + c->pos, sec->size - c->pos,
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

static void classify_branch(const uint8_t *p, const struct insn *in,
			    struct obj_ref *r)
{
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
	r->site_back = field - op;
	r->flags = in->kind == INSN_CALL ? 0 : STATIC_CALL_SITE_TAIL;
}

static void classify_code_ref(const uint8_t *data, const struct insn *in,
			      struct obj_ref *r)
{
	const uint8_t *p = data + in->addr;

	r->kind = SC_REF_OTHER;
	if (!r->decoded)
		return;
	switch (r->type) {
	case R_X86_64_PLT32:
	case R_X86_64_PC32:
		if (in->disp_size == 4 && in->addr + in->disp_off == r->off &&
		    in->disp_off + 4 == in->len && r->addend == -4)
			classify_branch(p, in, r);
		break;
	case R_X86_64_GOTPCREL:
	case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX:
		r->kind = SC_REF_GOT_LOAD;
		if (in->len == 6 && p[0] == 0xff && (p[1] == 0x15 || p[1] == 0x25) &&
		    r->off == in->addr + 2 && r->addend == -4) {
			r->kind = SC_REF_GOT_CALL;
			r->site_back = r->off - in->addr;
			r->flags = p[1] == 0x25 ? STATIC_CALL_SITE_TAIL : 0;
		}
		break;
	}
}

void obj_ref_insn(struct obj *obj, const struct obj_ref *r, struct insn *insn)
{
	struct section *sec = obj_section(obj, r->sec);
	const uint8_t *data = r->tried ? obj_section_data(obj, sec) : NULL;
	uint64_t at = obj_ref_insn_addr(r);

	memset(insn, 0, sizeof(*insn));
	if (data)
		arch_decode(data + at, sec->size - at, at, insn);
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

/* Relocation tables are almost always in offset order already: a check
 * is cheaper than sorting hundreds of thousands of references again. */
static bool refs_sorted(const struct obj_ref *refs, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (cmp_ref(&refs[i - 1], &refs[i]) > 0)
			return false;
	return true;
}

struct ref_list {
	struct obj *obj;
	struct obj_ref *refs;
	size_t n, cap;
	bool failed;		/* an error was printed */
};

static int push_ref(struct ref_list *l, const struct obj_ref *r)
{
	if (l->n == l->cap) {
		size_t c = l->cap ? 2 * l->cap : 1024;
		struct obj_ref *p = big_realloc(l->refs, c * sizeof(*p));

		if (!p) {
			l->failed = true;
			return error_at(obj_path(l->obj), "out of memory"), -1;
		}
		l->refs = p;
		l->cap = c;
	}
	l->refs[l->n++] = *r;
	return 0;
}

/*
 * The trampoline a section-symbol relocation points at: the symbol at
 * S + A, where a PC-relative field is the last 4 bytes of its instruction
 * (S + A + 4 is the branch target).  NULL when it is no trampoline.
 */
static struct symbol *tramp_at(struct obj *obj, const struct reloc *r)
{
	int64_t at = r->addend;
	struct symbol *s;

	if (r->type == R_X86_64_PC32 || r->type == R_X86_64_PLT32)
		at += 4;
	if (at < 0 || !r->sym->sec)
		return NULL;
	s = obj_find_symbol_at(obj, r->sym->sec, at);
	return s && is_tramp(s) ? s : NULL;
}

static int collect_ref(struct section *sec, const struct reloc *r, void *arg)
{
	struct ref_list *l = arg;
	struct obj_ref ref;
	struct symbol *tramp = r->sym;

	if (sec->sh.sh_type == SHT_RELA)
		return 0;	/* no target section: not code */
	if (tramp->type == STT_SECTION) {
		tramp = tramp_at(l->obj, r);
		if (!tramp)
			return 0;
	}
	memset(&ref, 0, sizeof(ref));
	ref.sec = sec->idx;
	ref.off = r->offset;
	ref.type = r->type;
	ref.sym = tramp;
	ref.addend = r->addend - (tramp == r->sym ? 0 :
				  (int64_t)tramp->sym.st_value);
	ref.in_code = sec->sh.sh_flags & SHF_EXECINSTR;
	return push_ref(l, &ref);
}

static void classify(struct obj *obj, struct obj_ref *refs, size_t n,
		     const struct insn_starts_source *src)
{
	struct decode_cursor cur = { 0 };

	for (size_t i = 0; i < n; i++) {
		struct obj_ref *r = &refs[i];
		struct section *sec = obj_section(obj, r->sec);
		struct insn in;
		const uint8_t *data;

		r->kind = SC_REF_OTHER;
		if (!r->in_code || sec->sh.sh_type == SHT_NOBITS ||
		    r->off + 4 > sec->size)
			continue;
		data = obj_section_data(obj, sec);
		if (!data)
			continue;
		if (src && cur.starts_sec != sec) {
			cur.starts_sec = sec;
			cur.starts = src->starts(src->ctx, sec);
		}
		in.len = 0;	/* arch_decode() never leaves it 0 */
		r->decoded = decode_covering(obj, &cur, sec, r->off, &in);
		if (in.len) {
			r->tried = true;
			r->insn_back = r->off - in.addr;
		} else {
			memset(&in, 0, sizeof(in));
		}
		classify_code_ref(data, &in, r);
		if (r->kind == SC_REF_GOT_LOAD &&
		    !got_load_called_in_func(obj, sec, data, &in))
			r->kind = SC_REF_OTHER;	/* address taken */
	}
}

int obj_find_refs(struct obj *obj, const struct tramp_set *t,
		  const struct insn_starts_source *src,
		  struct obj_ref **out, size_t *count)
{
	struct ref_list l = { .obj = obj };

	*out = NULL;
	*count = 0;
	if (!t->count)
		return 0;
	if (obj_scan_relocs_to(obj, t->syms, t->count, collect_ref, &l)) {
		if (!l.failed)
			error_at(obj_path(obj), "%s", obj_errmsg());
		free(l.refs);
		return -1;
	}
	if (!refs_sorted(l.refs, l.n))
		qsort(l.refs, l.n, sizeof(*l.refs), cmp_ref);
	classify(obj, l.refs, l.n, src);
	*out = l.refs;
	*count = l.n;
	return 0;
}
