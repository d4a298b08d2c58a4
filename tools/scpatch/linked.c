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
#include "got_load.h"
#include "linked.h"
#include "static_call_table.h"

struct dynrel {
	uint64_t offset;
	uint32_t type;
	int64_t addend;
	const char *symname;	/* NULL for symbol 0 */
};

struct named_addr {
	uint64_t addr;
	const char *name;
};

struct named_set {
	struct named_addr *v;
	size_t n;
	size_t cap;
};

struct linked {
	struct obj *obj;
	struct dynrel *rels;	/* every SHF_ALLOC RELA entry, by offset */
	size_t nrels;
	struct named_set tramps;	/* defined __SCT__ symbols, by address */
	struct named_set keys;		/* defined __SCK__ symbols, by address */
};

static int cmp_dynrel(const void *a, const void *b)
{
	const struct dynrel *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int cmp_named(const void *a, const void *b)
{
	const struct named_addr *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int fail(struct obj *obj)
{
	error_at(obj_path(obj), "%s", obj_errmsg());
	return -1;
}

static int nomem(struct obj *obj)
{
	error_at(obj_path(obj), "out of memory");
	return -1;
}

/* The section whose relocations a RELA section holds, as the model
 * indexes them: its target, or itself when it has none (.rela.dyn). */
static struct section *reloc_owner(struct section *rela)
{
	return rela->base && rela->base->rela == rela ? rela->base : rela;
}

static bool is_dynamic_rela(const struct section *sec)
{
	return sec->sh.sh_type == SHT_RELA && (sec->sh.sh_flags & SHF_ALLOC);
}

static int load_dynrels(struct linked *l)
{
	struct obj *obj = l->obj;
	struct section *sec;
	size_t total = 0, k = 0;

	obj_for_each_section(obj, sec) {
		long n;

		if (!is_dynamic_rela(sec))
			continue;
		n = obj_nrelocs(obj, reloc_owner(sec));
		if (n < 0)
			return fail(obj);
		total += n;
	}
	l->rels = calloc(total ? total : 1, sizeof(*l->rels));
	if (!l->rels)
		return nomem(obj);
	obj_for_each_section(obj, sec) {
		struct reloc *r;

		if (!is_dynamic_rela(sec))
			continue;
		obj_for_each_reloc(obj, reloc_owner(sec), r) {
			struct dynrel *d = &l->rels[k++];

			d->offset = r->offset;
			d->type = r->type;
			d->addend = r->addend;
			d->symname = r->sym ? r->sym->name : NULL;
		}
	}
	l->nrels = k;
	if (l->nrels)	/* qsort(NULL, 0) is undefined */
		qsort(l->rels, l->nrels, sizeof(*l->rels), cmp_dynrel);
	return 0;
}

static int add_named(struct symbol *sym, void *arg)
{
	struct named_set *set = arg;

	if (!sym->sec || !sym->sym.st_value || sym->type == STT_SECTION)
		return 0;
	if (set->n == set->cap) {
		size_t c = set->cap ? 2 * set->cap : 64;
		struct named_addr *p = realloc(set->v, c * sizeof(*p));

		if (!p)
			return -1;
		set->v = p;
		set->cap = c;
	}
	set->v[set->n].addr = sym->sym.st_value;
	set->v[set->n++].name = sym->name;
	return 0;
}

/* .symtab, or .dynsym in a stripped file: it still names exported ones. */
static struct symtab *defining_table(struct obj *obj)
{
	return obj_symtab(obj) ? obj_symtab(obj) : obj_dynsym(obj);
}

static int load_named(struct linked *l, const char *prefix,
		      struct named_set *set)
{
	struct symtab *tab = defining_table(l->obj);

	if (tab && obj_for_each_symbol_prefixed(l->obj, tab, prefix,
						add_named, set))
		return nomem(l->obj);
	if (set->n > 1)
		qsort(set->v, set->n, sizeof(*set->v), cmp_named);
	return 0;
}

static void linked_free(struct linked *l)
{
	free(l->rels);
	free(l->tramps.v);
	free(l->keys.v);
}

static int linked_init(struct linked *l, struct obj *obj)
{
	memset(l, 0, sizeof(*l));
	l->obj = obj;
	if (load_dynrels(l) ||
	    load_named(l, STATIC_CALL_TRAMP_PREFIX, &l->tramps) ||
	    load_named(l, STATIC_CALL_KEY_PREFIX, &l->keys)) {
		linked_free(l);
		return -1;
	}
	return 0;
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

static const char *named_at(const struct named_set *set, uint64_t addr)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (set->v[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < set->n && set->v[lo].addr == addr ? set->v[lo].name : NULL;
}

static const char *tramp_named_at(const struct linked *l, uint64_t addr)
{
	return named_at(&l->tramps, addr);
}

/* The allocated section containing ADDR with all of FLAGS, or NULL. */
static struct section *sec_by_addr(struct obj *obj, uint64_t addr,
				   uint64_t flags)
{
	struct section *sec;

	flags |= SHF_ALLOC;
	obj_for_each_section(obj, sec)
		if ((sec->sh.sh_flags & flags) == flags &&
		    /* .tbss takes no address space: it overlaps what follows */
		    !(sec->sh.sh_type == SHT_NOBITS &&
		      (sec->sh.sh_flags & SHF_TLS)) &&
		    addr >= sec->sh.sh_addr &&
		    addr - sec->sh.sh_addr < sec->sh.sh_size)
			return sec;
	return NULL;
}

static bool read_bytes(struct obj *obj, uint64_t addr, void *buf, size_t n)
{
	struct section *sec = sec_by_addr(obj, addr, 0);
	const uint8_t *data;
	uint64_t off;

	if (!sec || sec->sh.sh_type == SHT_NOBITS)
		return false;
	off = addr - sec->sh.sh_addr;
	if (off > sec->size || n > sec->size - off)
		return false;
	data = obj_section_data(obj, sec);
	if (!data)
		return false;
	memcpy(buf, data + off, n);
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
	if (!d && read_bytes(l->obj, slot, &value, 8))
		return tramp_named_at(l, value);
	return NULL;
}

static bool in_plt(struct obj *obj, uint64_t addr)
{
	struct section *sec = sec_by_addr(obj, addr, SHF_EXECINSTR);

	return sec && !strncmp(sec->name, ".plt", 4);
}

/* The trampoline reached by a branch to ADDR: directly or through a PLT
 * entry whose `jmp *slot(%rip)` names a slot resolving to one. */
static const char *branch_tramp(const struct linked *l, uint64_t addr)
{
	const char *name = tramp_named_at(l, addr);
	uint8_t buf[32];
	size_t pos = 0;

	if (name || !in_plt(l->obj, addr))
		return name;
	memset(buf, 0xcc, sizeof(buf));
	for (size_t n = sizeof(buf); n >= 8 && !read_bytes(l->obj, addr, buf, n);
	     n /= 2)
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

/* Fill the section/func fields of a location at ADDR. */
static void locate(struct obj *obj, uint64_t addr, const char **section,
		   unsigned *section_index, uint64_t *offset,
		   const char **func, uint64_t *func_offset)
{
	struct section *sec = sec_by_addr(obj, addr, 0);
	struct symbol *sym;

	*section = NULL;
	*section_index = 0;
	*offset = 0;
	*func = NULL;
	*func_offset = 0;
	if (!sec)
		return;
	*section = sec->name;
	*section_index = sec->idx;
	*offset = addr - sec->sh.sh_addr;
	sym = obj_find_func_containing(obj, sec, *offset);
	if (sym) {
		*func = sym->name;
		*func_offset = addr - sym->sym.st_value;
	}
}

/* The symbol at ADDR, a key first when several share it. */
static const char *key_named_at(const struct linked *l, uint64_t addr)
{
	const char *key = named_at(&l->keys, addr);
	struct section *sec;
	struct symbol *sym;

	if (key)
		return key;
	sec = sec_by_addr(l->obj, addr, 0);
	sym = sec ? obj_find_symbol_at(l->obj, sec, addr - sec->sh.sh_addr) :
		    NULL;
	return sym ? sym->name : NULL;
}

static const char *resolve_key(const struct linked *l, uint64_t key,
			       unsigned flags)
{
	const struct dynrel *d;
	uint64_t value;

	if (!(flags & STATIC_CALL_SITE_KEYREF))
		return key_named_at(l, key);
	d = dynrel_at(l, key);
	if (d && d->symname)
		return d->symname;
	if (d && d->type == R_X86_64_RELATIVE)
		return key_named_at(l, d->addend);
	if (read_bytes(l->obj, key, &value, 8))
		return key_named_at(l, value);
	return NULL;
}

static void fill_linked_entry(const struct linked *l, uint64_t at,
			      const uint8_t *raw, struct sc_entry *e)
{
	struct obj *obj = l->obj;
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
	locate(obj, e->addr, &e->section, &e->section_index, &e->offset,
	       &e->func, &e->func_offset);
	if (!sec_by_addr(obj, e->addr, SHF_EXECINSTR))
		return;
	e->valid = true;
	for (n = sizeof(code); n && !read_bytes(obj, e->addr, code, n); n--)
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

static bool is_table(const struct section *sec)
{
	return !strcmp(sec->name, STATIC_CALL_SITES_SECTION) &&
	       sec->sh.sh_type != SHT_NOBITS;
}

int linked_table_entries(struct obj *obj, struct sc_entry **out,
			 size_t *count)
{
	struct section *sec;
	struct linked l;
	size_t n = 0, k = 0;

	*out = NULL;
	*count = 0;
	obj_for_each_section(obj, sec)
		if (is_table(sec))
			n += sec->size / 8;
	if (linked_init(&l, obj))
		return -1;
	*out = calloc(n ? n : 1, sizeof(**out));
	if (!*out) {
		linked_free(&l);
		return nomem(obj);
	}
	obj_for_each_section(obj, sec) {
		const uint8_t *data;

		if (!is_table(sec))
			continue;
		data = obj_section_data(obj, sec);
		if (!data) {
			free(*out);
			*out = NULL;
			linked_free(&l);
			return fail(obj);
		}
		for (size_t off = 0; off + 8 <= sec->size; off += 8, k++) {
			fill_linked_entry(&l, sec->sh.sh_addr + off, data + off,
					  &(*out)[k]);
			(*out)[k].table_section = sec->name;
		}
	}
	*count = k;
	linked_free(&l);
	return 0;
}

static int push(struct obj *obj, struct sc_ref **refs, size_t *n, size_t *cap,
		const struct sc_ref *r)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		struct sc_ref *p = realloc(*refs, c * sizeof(*p));

		if (!p)
			return nomem(obj);
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

static int scan_code(const struct linked *l, struct section *sec,
		     struct sc_ref **refs, size_t *n, size_t *cap)
{
	struct obj *obj = l->obj;
	const uint8_t *data = obj_section_data(obj, sec);
	struct insn in;

	if (!data)
		return fail(obj);
	for (size_t pos = 0; pos < sec->size; pos += in.len) {
		struct sc_ref r;

		arch_decode(data + pos, sec->size - pos, sec->sh.sh_addr + pos,
			    &in);
		if (!classify_insn(l, &in, data + pos, &r))
			continue;
		if (r.kind == SC_REF_GOT_LOAD &&
		    !got_load_called_in_func(obj, sec, data, &in))
			r.kind = SC_REF_OTHER;	/* address taken */
		locate(obj, r.addr, &r.section, &r.section_index, &r.offset,
		       &r.func, &r.func_offset);
		if (push(obj, refs, n, cap, &r))
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
		locate(l->obj, r.addr, &r.section, &r.section_index,
		       &r.offset, &r.func, &r.func_offset);
		if (push(l->obj, refs, n, cap, &r))
			return -1;
	}
	return 0;
}

static int cmp_ref(const void *a, const void *b)
{
	const struct sc_ref *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static bool scanned_for_refs(const struct section *sec)
{
	return (sec->sh.sh_flags & SHF_EXECINSTR) &&
	       sec->sh.sh_type == SHT_PROGBITS &&
	       strncmp(sec->name, ".plt", 4) &&
	       strcmp(sec->name, STATIC_CALL_TRAMP_SECTION);
}

int linked_find_refs(struct obj *obj, struct sc_ref **out, size_t *count)
{
	struct section *sec;
	struct linked l;
	size_t n = 0, cap = 0;

	*out = NULL;
	*count = 0;
	if (linked_init(&l, obj))
		return -1;
	obj_for_each_section(obj, sec)
		if (scanned_for_refs(sec) && scan_code(&l, sec, out, &n, &cap))
			goto fail;
	if (scan_data(&l, out, &n, &cap))
		goto fail;
	if (n)	/* qsort(NULL, 0) is undefined */
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
