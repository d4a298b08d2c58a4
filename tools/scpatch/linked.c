// SPDX-License-Identifier: MIT
/*
 * Linked files (see linked.h).  In an executable or shared library the
 * table's fields are resolved PC-relative values, so the site and key
 * addresses are read from the bytes; a KEYREF slot is resolved through its
 * dynamic relocation (RELATIVE in PIE and shared libraries, a symbol
 * relocation when the key lives in another image) or, in a non-PIE
 * executable, read from the bytes.  A call that reaches its trampoline
 * through a .plt or .plt.sec entry is followed through the entry's
 * `jmp *slot(%rip)` to the slot's relocation in .rela.plt.
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "linked.h"
#include "static_call_table.h"

struct dynrel {
	uint64_t offset;
	uint32_t type;
	int64_t addend;
	const char *symname;	/* NULL for symbol 0 */
	uint64_t symvalue;
};

struct tramp_addr {
	uint64_t addr;
	const char *name;
};

struct linked {
	struct view *v;
	struct dynrel *rels;	/* every SHF_ALLOC RELA entry, by offset */
	size_t nrels;
	struct tramp_addr *tramps;	/* defined __SCT__ symbols, by address */
	size_t ntramps;
};

static int cmp_dynrel(const void *a, const void *b)
{
	const struct dynrel *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int cmp_tramp(const void *a, const void *b)
{
	const struct tramp_addr *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static const char *dynsym_name(struct view *v, unsigned symsec, unsigned sym,
			       uint64_t *value)
{
	const struct view_sec *s, *str;
	const Elf64_Sym *syms;

	if (!symsec || symsec >= v->nsecs)
		return NULL;
	s = &v->secs[symsec];
	if (s->sh.sh_link >= v->nsecs || !s->data || (uintptr_t)s->data & 7)
		return NULL;
	str = &v->secs[s->sh.sh_link];
	syms = (const Elf64_Sym *)s->data;
	if (sym >= s->size / sizeof(*syms) || !str->data ||
	    syms[sym].st_name >= str->size || str->data[str->size - 1])
		return NULL;
	*value = syms[sym].st_value;
	return (const char *)str->data + syms[sym].st_name;
}

static int load_dynrels(struct linked *l)
{
	struct view *v = l->v;
	size_t total = 0, k = 0;

	for (size_t i = 1; i < v->nsecs; i++)
		if (v->secs[i].sh.sh_type == SHT_RELA &&
		    (v->secs[i].sh.sh_flags & SHF_ALLOC))
			total += v->secs[i].size / sizeof(Elf64_Rela);
	l->rels = calloc(total ? total : 1, sizeof(*l->rels));
	if (!l->rels) {
		error_at(v->path, "out of memory");
		return -1;
	}
	for (size_t i = 1; i < v->nsecs; i++) {
		size_t n;
		const Elf64_Rela *r;

		if (!(v->secs[i].sh.sh_flags & SHF_ALLOC))
			continue;
		r = view_relas(v, i, &n);
		for (size_t j = 0; r && j < n; j++, k++) {
			struct dynrel *d = &l->rels[k];

			d->offset = r[j].r_offset;
			d->type = ELF64_R_TYPE(r[j].r_info);
			d->addend = r[j].r_addend;
			if (ELF64_R_SYM(r[j].r_info))
				d->symname = dynsym_name(v, v->secs[i].sh.sh_link,
							 ELF64_R_SYM(r[j].r_info),
							 &d->symvalue);
		}
	}
	l->nrels = k;
	qsort(l->rels, l->nrels, sizeof(*l->rels), cmp_dynrel);
	return 0;
}

static int load_tramps(struct linked *l)
{
	struct view *v = l->v;
	size_t n = 0;

	l->tramps = calloc(v->nsyms ? v->nsyms : 1, sizeof(*l->tramps));
	if (!l->tramps) {
		error_at(v->path, "out of memory");
		return -1;
	}
	for (size_t i = 1; i < v->nsyms; i++) {
		const char *name = view_sym_name(v, i);

		if (!strncmp(name, STATIC_CALL_TRAMP_PREFIX,
			     STATIC_CALL_TRAMP_PREFIX_LEN) &&
		    view_sym_shndx(v, i) && v->syms[i].st_value) {
			l->tramps[n].addr = v->syms[i].st_value;
			l->tramps[n++].name = name;
		}
	}
	l->ntramps = n;
	qsort(l->tramps, n, sizeof(*l->tramps), cmp_tramp);
	return 0;
}

static int linked_init(struct linked *l, struct view *v)
{
	memset(l, 0, sizeof(*l));
	l->v = v;
	if (load_dynrels(l) || load_tramps(l)) {
		free(l->rels);
		free(l->tramps);
		return -1;
	}
	return 0;
}

static void linked_free(struct linked *l)
{
	free(l->rels);
	free(l->tramps);
}

static const struct dynrel *dynrel_at(const struct linked *l, uint64_t off)
{
	size_t lo = 0, hi = l->nrels;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (l->rels[mid].offset < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->nrels && l->rels[lo].offset == off ? &l->rels[lo] : NULL;
}

static const char *tramp_named_at(const struct linked *l, uint64_t addr)
{
	size_t lo = 0, hi = l->ntramps;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (l->tramps[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->ntramps && l->tramps[lo].addr == addr ?
		l->tramps[lo].name : NULL;
}

static bool read_bytes(struct view *v, uint64_t addr, void *buf, size_t n)
{
	unsigned s = view_sec_by_addr(v, addr, 0);
	const struct view_sec *sec = &v->secs[s];

	if (!s || !sec->data || addr - sec->sh.sh_addr + n > sec->size)
		return false;
	memcpy(buf, sec->data + (addr - sec->sh.sh_addr), n);
	return true;
}

static bool is_tramp_name(const char *name)
{
	return name && !strncmp(name, STATIC_CALL_TRAMP_PREFIX,
				STATIC_CALL_TRAMP_PREFIX_LEN);
}

/* The trampoline a GOT slot at SLOT holds, or NULL. */
static const char *got_slot_tramp(const struct linked *l, uint64_t slot)
{
	const struct dynrel *d = dynrel_at(l, slot);
	uint64_t value;

	if (d && d->symname)
		return is_tramp_name(d->symname) ? d->symname : NULL;
	if (d && (d->type == R_X86_64_RELATIVE || d->type == R_X86_64_IRELATIVE))
		return tramp_named_at(l, d->addend);
	if (!d && read_bytes(l->v, slot, &value, 8))
		return tramp_named_at(l, value);
	return NULL;
}

static bool in_plt(struct view *v, uint64_t addr)
{
	unsigned s = view_sec_by_addr(v, addr, SHF_EXECINSTR);

	return s && !strncmp(v->secs[s].name, ".plt", 4);
}

/* The trampoline reached by a branch to ADDR: directly or through a PLT
 * entry whose `jmp *slot(%rip)` names a slot resolving to one. */
static const char *branch_tramp(const struct linked *l, uint64_t addr)
{
	struct view *v = l->v;
	const char *name = tramp_named_at(l, addr);
	uint8_t buf[32];
	size_t pos = 0;

	if (name || !in_plt(v, addr))
		return name;
	memset(buf, 0xcc, sizeof(buf));
	for (size_t n = sizeof(buf); n >= 8 && !read_bytes(v, addr, buf, n); n /= 2)
		;
	while (pos < 24) {
		struct insn in;

		if (!arch_decode(buf + pos, sizeof(buf) - pos, addr + pos, &in))
			return NULL;
		if (in.kind == INSN_JMP_INDIRECT && in.pc_relative && in.has_target)
			return got_slot_tramp(l, in.target);
		if (in.kind != INSN_NOP && in.kind != INSN_OTHER)
			return NULL;
		pos += in.len;
	}
	return NULL;
}

void linked_locate(struct view *v, uint64_t addr, const char **section,
		   unsigned *section_index, uint64_t *offset,
		   const char **func, uint64_t *func_offset)
{
	unsigned s = view_sec_by_addr(v, addr, 0);
	long sym;

	*section = NULL;
	*section_index = s;
	*offset = 0;
	*func = NULL;
	*func_offset = 0;
	if (!s)
		return;
	*section = v->secs[s].name;
	*offset = addr - v->secs[s].sh.sh_addr;
	sym = view_sym_at(v, s, *offset, true);
	if (sym >= 0 && ELF64_ST_TYPE(v->syms[sym].st_info) == STT_FUNC) {
		*func = view_sym_name(v, sym);
		*func_offset = addr - v->syms[sym].st_value;
	}
}

static const char *key_named_at(struct view *v, uint64_t addr)
{
	unsigned s = view_sec_by_addr(v, addr, 0);
	long sym;

	if (!s)
		return NULL;
	sym = view_sym_at(v, s, addr - v->secs[s].sh.sh_addr, false);
	if (sym < 0 || v->syms[sym].st_value != addr)
		return NULL;
	/* Several symbols may share the address: prefer a key. */
	for (long k = sym; k > 0; k--) {
		const char *n = view_sym_name(v, k);

		if (v->syms[k].st_value != addr)
			continue;
		if (!strncmp(n, STATIC_CALL_KEY_PREFIX, STATIC_CALL_KEY_PREFIX_LEN))
			return n;
		break;
	}
	return view_sym_name(v, sym);
}

static const char *resolve_key(const struct linked *l, uint64_t key,
			       unsigned flags)
{
	const struct dynrel *d;
	uint64_t value;

	if (!(flags & STATIC_CALL_SITE_KEYREF))
		return key_named_at(l->v, key);
	d = dynrel_at(l, key);
	if (d && d->symname)
		return d->symname;
	if (d && d->type == R_X86_64_RELATIVE)
		return key_named_at(l->v, d->addend);
	if (read_bytes(l->v, key, &value, 8))
		return key_named_at(l->v, value);
	return NULL;
}

static void fill_linked_entry(const struct linked *l, uint64_t at,
			      const uint8_t *raw, struct sc_entry *e)
{
	struct view *v = l->v;
	int32_t a, k;
	uint64_t key;
	uint8_t code[16];
	size_t n;

	memcpy(&a, raw, 4);
	memcpy(&k, raw + 4, 4);
	memset(e, 0, sizeof(*e));
	e->table_pos = at;
	e->addr = at + (int64_t)a;
	key = at + 4 + (int64_t)k;
	e->flags = key & STATIC_CALL_SITE_FLAGS;
	e->key = resolve_key(l, key & ~STATIC_CALL_SITE_FLAGS, e->flags);
	if (e->key && !strncmp(e->key, STATIC_CALL_KEY_PREFIX,
			       STATIC_CALL_KEY_PREFIX_LEN))
		e->name = e->key + STATIC_CALL_KEY_PREFIX_LEN;
	linked_locate(v, e->addr, &e->section, &e->section_index, &e->offset,
		      &e->func, &e->func_offset);
	if (!view_sec_by_addr(v, e->addr, SHF_EXECINSTR))
		return;
	e->valid = true;
	for (n = sizeof(code); n && !read_bytes(v, e->addr, code, n); n--)
		;
	arch_decode(code, n, e->addr, &e->insn);
	e->insn_ok = (e->insn.kind == INSN_CALL || e->insn.kind == INSN_JMP ||
		      e->insn.kind == INSN_JCC) && e->insn.disp_size == 4;
	if (!e->insn_ok)
		return;
	e->rel32_pos = e->addr + e->insn.disp_off;
	e->aligned = !(e->rel32_pos % 4);
	e->tramp = branch_tramp(l, e->insn.target);
	if (e->tramp)
		e->name = e->tramp + STATIC_CALL_TRAMP_PREFIX_LEN;
}

int linked_table_entries(struct view *v, struct sc_entry **out, size_t *count)
{
	struct linked l;
	size_t n = 0, k = 0;

	*out = NULL;
	*count = 0;
	for (size_t i = 1; i < v->nsecs; i++)
		if (!strcmp(v->secs[i].name, STATIC_CALL_SITES_SECTION))
			n += v->secs[i].size / 8;
	if (linked_init(&l, v))
		return -1;
	*out = calloc(n ? n : 1, sizeof(**out));
	if (!*out) {
		linked_free(&l);
		error_at(v->path, "out of memory");
		return -1;
	}
	for (size_t i = 1; i < v->nsecs; i++) {
		const struct view_sec *s = &v->secs[i];

		if (strcmp(s->name, STATIC_CALL_SITES_SECTION) || !s->data)
			continue;
		for (size_t off = 0; off + 8 <= s->size; off += 8, k++) {
			fill_linked_entry(&l, s->sh.sh_addr + off, s->data + off,
					  &(*out)[k]);
			(*out)[k].table_section = s->name;
		}
	}
	*count = k;
	linked_free(&l);
	return 0;
}

static int push(struct view *v, struct sc_ref **refs, size_t *n, size_t *cap,
		const struct sc_ref *r)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		struct sc_ref *p = realloc(*refs, c * sizeof(*p));

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

static bool classify_insn(const struct linked *l, const struct insn *in,
			  const uint8_t *p, struct sc_ref *r)
{
	const char *tramp = NULL;

	memset(r, 0, sizeof(*r));
	if (!in->has_target)
		return false;
	switch (in->kind) {
	case INSN_CALL:
	case INSN_JMP:
	case INSN_JCC:
		tramp = branch_tramp(l, in->target);
		r->kind = SC_REF_SITE;
		r->flags = in->kind == INSN_CALL ? 0 : STATIC_CALL_SITE_TAIL;
		break;
	case INSN_CALL_INDIRECT:
	case INSN_JMP_INDIRECT:
		if (!in->pc_relative)
			return false;
		tramp = got_slot_tramp(l, in->target);
		r->kind = SC_REF_GOT_CALL;
		r->flags = in->kind == INSN_CALL_INDIRECT ? 0 : STATIC_CALL_SITE_TAIL;
		break;
	default:
		if (!in->pc_relative)
			return false;
		tramp = tramp_named_at(l, in->target);
		r->kind = SC_REF_OTHER;
		if (!tramp && (in->opcode_off < in->len && p[in->opcode_off] == 0x8b)) {
			tramp = got_slot_tramp(l, in->target);
			r->kind = SC_REF_GOT_LOAD;
		}
		break;
	}
	if (!tramp)
		return false;
	r->tramp = tramp;
	r->name = tramp + STATIC_CALL_TRAMP_PREFIX_LEN;
	r->in_code = true;
	r->insn = *in;
	r->addr = in->addr;
	r->field_pos = in->addr + in->disp_off;
	if (r->kind == SC_REF_SITE) {
		/* The site is the opcode, as the table records it. */
		r->addr = r->field_pos - (in->kind == INSN_JCC ? 2 : 1);
		r->aligned = in->disp_size == 4 && !(r->field_pos % 4);
	}
	return true;
}

static int scan_code(const struct linked *l, unsigned sec, struct sc_ref **refs,
		     size_t *n, size_t *cap)
{
	struct view *v = l->v;
	const struct view_sec *s = &v->secs[sec];
	struct insn in;

	for (size_t pos = 0; s->data && pos < s->size; pos += in.len) {
		struct sc_ref r;

		arch_decode(s->data + pos, s->size - pos, s->sh.sh_addr + pos, &in);
		if (!classify_insn(l, &in, s->data + pos, &r))
			continue;
		linked_locate(v, r.addr, &r.section, &r.section_index, &r.offset,
			      &r.func, &r.func_offset);
		if (push(v, refs, n, cap, &r))
			return -1;
	}
	return 0;
}

static int scan_data(const struct linked *l, struct sc_ref **refs, size_t *n,
		     size_t *cap)
{
	for (size_t i = 0; i < l->nrels; i++) {
		const struct dynrel *d = &l->rels[i];
		struct sc_ref r;

		if (d->type == R_X86_64_JUMP_SLOT || d->type == R_X86_64_GLOB_DAT)
			continue;
		memset(&r, 0, sizeof(r));
		r.tramp = is_tramp_name(d->symname) ? d->symname : NULL;
		if (!d->symname && d->type == R_X86_64_RELATIVE)
			r.tramp = tramp_named_at(l, d->addend);
		if (!r.tramp)
			continue;
		r.kind = SC_REF_OTHER;
		r.name = r.tramp + STATIC_CALL_TRAMP_PREFIX_LEN;
		r.addr = r.field_pos = d->offset;
		r.reloc_type = d->type;
		linked_locate(l->v, r.addr, &r.section, &r.section_index,
			      &r.offset, &r.func, &r.func_offset);
		if (push(l->v, refs, n, cap, &r))
			return -1;
	}
	return 0;
}

static int cmp_ref(const void *a, const void *b)
{
	const struct sc_ref *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int linked_find_refs(struct view *v, struct sc_ref **out, size_t *count)
{
	struct linked l;
	size_t n = 0, cap = 0;

	*out = NULL;
	*count = 0;
	if (linked_init(&l, v))
		return -1;
	for (unsigned i = 1; i < v->nsecs; i++) {
		const struct view_sec *s = &v->secs[i];

		if (!(s->sh.sh_flags & SHF_EXECINSTR) || s->sh.sh_type != SHT_PROGBITS ||
		    !strncmp(s->name, ".plt", 4) ||
		    !strcmp(s->name, STATIC_CALL_TRAMP_SECTION))
			continue;
		if (scan_code(&l, i, out, &n, &cap))
			goto fail;
	}
	if (scan_data(&l, out, &n, &cap))
		goto fail;
	qsort(*out, n, sizeof(**out), cmp_ref);
	*count = n;
	linked_free(&l);
	return 0;
fail:
	free(*out);
	*out = NULL;
	linked_free(&l);
	return -1;
}
