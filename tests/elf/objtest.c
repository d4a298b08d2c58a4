// SPDX-License-Identifier: MIT
/*
 * Test driver of the object model: performs one change per run, so that a
 * script can compare the output with the input.  Errors come out as the tool
 * prints them: "scpatch: FILE: message", exit 2.
 *
 *   objtest open FILE                 open read-only, print a summary
 *   objtest modify FILE               open for changes, write nothing
 *   objtest dump FILE                 sections, symbols, relocations
 *   objtest rewrite IN OUT            lay out and write with no change
 *   objtest copy IN OUT               unchanged: copy to OUT
 *   objtest noop IN                   unchanged: write in place (nothing)
 *   objtest add-local IN OUT NAME [SEC]   add a local symbol (first text)
 *   objtest add-global IN OUT NAME [SEC]  add a global symbol
 *   objtest add-section IN OUT        new section + relocations
 *   objtest add-mixed IN OUT N        N locals and N globals in turn
 *   objtest reloc-past-end IN OUT     a relocation beyond the text's end
 *   objtest add-to-group IN OUT [SIG] new section + relocs in a COMDAT group
 *   objtest grow IN OUT SEC N         append N zero bytes to SEC
 *   objtest take IN OUT SEC N         the same through two buffers handed
 *                                     to obj_section_take_data()
 *   objtest touch IN OUT SEC          make SEC writable, change nothing
 *   objtest lookups FILE              check every lookup against a scan
 *   objtest scan FILE PREFIX          relocations against PREFIX* symbols
 *   objtest brute FILE                containing lookups at every offset,
 *                                     and the spans of equal answers
 *   objtest zero-copy FILE            contents point into libelf's image
 *   objtest set-entsize IN OUT SEC N  sh_entsize of SEC to N
 *   objtest none-in-empty IN OUT      new empty section with an
 *                                     R_X86_64_NONE relocation at offset 0
 * OUT may be "-" for in place.  With OBJTEST_MEMORY=1 in the environment
 * the input is read into memory and opened with obj_open_memory().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_internal.h"	/* the input image, for zero-copy */

static const char *in;

static int fail(void)
{
	fprintf(stderr, "scpatch: %s: %s\n", in, obj_errmsg());
	return 2;
}

static const char *out_arg(const char *s)
{
	return strcmp(s, "-") ? s : NULL;
}

static struct section *first_text(struct obj *obj)
{
	struct section *sec;

	obj_for_each_section(obj, sec)
		if ((sec->sh.sh_flags & SHF_EXECINSTR) && sec->size)
			return sec;
	return NULL;
}

static struct symbol *first_global(struct obj *obj)
{
	struct symbol *sym;

	obj_for_each_symbol(obj_symtab(obj), sym)
		if (sym->bind != STB_LOCAL && sym->sec)
			return sym;
	return NULL;
}

static int dump(struct obj *obj)
{
	struct section *sec;
	struct symbol *sym;

	obj_for_each_section(obj, sec) {
		struct reloc *r;

		printf("section %u %s type=%u size=%zu group=%s\n", sec->idx,
		       sec->name, sec->sh.sh_type, sec->size,
		       sec->group ? sec->group->name : "-");
		if ((sec->sh.sh_type == SHT_RELA && sec->base) ||
		    sec->sh.sh_type == SHT_NOBITS)
			continue;
		if (obj_nrelocs(obj, sec) < 0)
			return -1;
		obj_for_each_reloc(obj, sec, r)
			printf("  reloc %#llx type=%u %s%+lld\n",
			       (unsigned long long)r->offset, r->type,
			       r->sym ? (r->sym->name[0] ? r->sym->name :
					 r->sym->sec ? r->sym->sec->name : "?")
				      : "0",
			       (long long)r->addend);
	}
	obj_for_each_symbol(obj_symtab(obj), sym)
		printf("symbol %u bind=%u type=%u sec=%s value=%#llx size=%llu %s\n",
		       sym->idx, sym->bind, sym->type,
		       sym->sec ? sym->sec->name : "-",
		       (unsigned long long)sym->sym.st_value,
		       (unsigned long long)sym->sym.st_size, sym->name);
	return 0;
}

static int check(bool ok, const char *what)
{
	if (!ok)
		printf("LOOKUP MISMATCH: %s\n", what);
	return ok ? 0 : 1;
}

/* Every lookup against a brute-force answer. */
static int lookups(struct obj *obj)
{
	struct symtab *tab = obj_symtab(obj);
	struct section *sec;
	struct symbol *sym;
	int bad = 0;
	long checked = 0;

	obj_for_each_symbol(tab, sym) {
		struct symbol *f = obj_find_symbol_in(obj, tab, sym->name);

		if (!sym->name[0])
			continue;
		while (f && f != sym)
			f = obj_find_next_symbol(obj, f);
		bad += check(f == sym, sym->name);
		if (sym->sec && sym->type == STT_FUNC && sym->sym.st_size) {
			/* Linked files: offsets are from the section start. */
			uint64_t base = obj_is_relocatable(obj) ? 0 :
					sym->sec->sh.sh_addr;
			uint64_t last = sym->sym.st_value + sym->sym.st_size - 1;
			struct symbol *c = obj_find_func_containing(obj, sym->sec,
								    last - base);

			bad += check(c && c->sym.st_value <= last &&
				     c->sym.st_value + c->sym.st_size > last,
				     "containing");
		}
		checked++;
	}
	obj_for_each_section(obj, sec) {
		struct reloc *r, *prev = NULL;

		bad += check(obj_find_section(obj, sec->name) != NULL, sec->name);
		if (sec->sh.sh_type == SHT_RELA)
			continue;
		obj_for_each_reloc(obj, sec, r) {
			struct reloc *f = obj_find_reloc(obj, sec, r->offset);
			struct reloc *g = obj_find_reloc_range(obj, sec,
							       r->offset, 1);

			bad += check(f && f->offset == r->offset, "reloc");
			bad += check(g && g->offset == r->offset, "range");
			if (prev && prev->offset + 1 < r->offset)
				bad += check(!obj_find_reloc_range(obj, sec,
						prev->offset + 1,
						r->offset - prev->offset - 1) ||
					     obj_find_reloc_range(obj, sec,
						prev->offset + 1,
						r->offset - prev->offset - 1)->offset
					     < r->offset, "gap");
			prev = r;
			checked++;
		}
	}
	printf("checked %ld lookups, %d mismatches\n", checked, bad);
	return bad ? 1 : 0;
}

/* The containing lookups against a brute-force answer at every offset of
 * every section: functions first, then the nearest start below the offset,
 * then the highest index among equal starts. */
static bool better(const struct symbol *a, const struct symbol *b,
		   bool funcs_first)
{
	bool fa = a->type == STT_FUNC || a->type == STT_GNU_IFUNC;
	bool fb = b->type == STT_FUNC || b->type == STT_GNU_IFUNC;

	if (funcs_first && fa != fb)
		return fa;
	if (a->sym.st_value != b->sym.st_value)
		return a->sym.st_value > b->sym.st_value;
	return a->idx > b->idx;
}

static struct symbol *brute_containing(struct obj *obj, struct section *sec,
				       uint64_t off, bool funcs_only)
{
	struct symbol *sym, *best = NULL;

	obj_for_each_symbol(obj_symtab(obj), sym) {
		bool func = sym->type == STT_FUNC || sym->type == STT_GNU_IFUNC;

		if (sym->sec != sec || sym->type == STT_SECTION ||
		    sym->type == STT_FILE || (funcs_only && !func))
			continue;
		if (sym->sym.st_value > off ||
		    sym->sym.st_value + sym->sym.st_size <= off)
			continue;
		if (!best || better(sym, best, true))
			best = sym;
	}
	return best;
}

/*
 * obj_find_func_containing_span() as the site finder walks it: from each
 * span's end to the next, every offset of a span has the span's answer.
 */
static int brute_spans(struct obj *obj, long *checked)
{
	struct section *sec;
	int bad = 0;

	obj_for_each_section(obj, sec) {
		uint64_t off = 0, until;

		if (sec->sh.sh_type == SHT_RELA || sec->sh.sh_type == SHT_SYMTAB)
			continue;
		while (off <= sec->size) {
			struct symbol *got = obj_find_func_containing_span(obj, sec,
									   off, &until);

			if (until <= off || got != brute_containing(obj, sec, off, 1)) {
				printf("%s+%#llx: span to %#llx, %s\n", sec->name,
				       (unsigned long long)off,
				       (unsigned long long)until,
				       got ? got->name : "-");
				bad++;
				until = off + 1;
			}
			for (; off < until && off <= sec->size; off++, ++*checked)
				if (brute_containing(obj, sec, off, 1) != got) {
					printf("%s+%#llx: not in the span of %s\n",
					       sec->name, (unsigned long long)off,
					       got ? got->name : "-");
					bad++;
				}
		}
	}
	return bad;
}

static int brute(struct obj *obj)
{
	struct section *sec;
	long checked = 0;
	int bad = 0;

	obj_for_each_section(obj, sec) {
		if (sec->sh.sh_type == SHT_RELA || sec->sh.sh_type == SHT_SYMTAB)
			continue;
		for (uint64_t off = 0; off <= sec->size; off++) {
			for (int f = 0; f < 2; f++) {
				struct symbol *want = brute_containing(obj, sec, off, f);
				struct symbol *got = f ?
					obj_find_func_containing(obj, sec, off) :
					obj_find_symbol_containing(obj, sec, off);

				if (want != got) {
					printf("%s+%#llx%s: want %s, got %s\n",
					       sec->name, (unsigned long long)off,
					       f ? " (func)" : "",
					       want ? want->name : "-",
					       got ? got->name : "-");
					bad++;
				}
				checked++;
			}
		}
	}
	bad += brute_spans(obj, &checked);
	printf("checked %ld offsets, %d mismatches\n", checked, bad);
	return bad ? 1 : 0;
}

static int print_hit(struct section *sec, const struct reloc *r, void *arg)
{
	(void)arg;
	printf("%s+%#llx %s type=%u\n", sec->name,
	       (unsigned long long)r->offset, r->sym->name, r->type);
	return 0;
}

static int collect(struct symbol *sym, void *arg)
{
	struct symbol ***v = arg;

	*(*v)++ = sym;
	return 0;
}

/* PREFIX "dyn:..." scans for .dynsym symbols. */
static int scan(struct obj *obj, const char *prefix)
{
	struct symtab *tab = obj_symtab(obj);

	if (!strncmp(prefix, "dyn:", 4)) {
		tab = obj_dynsym(obj);
		prefix += 4;
	}
	struct symbol **syms = calloc(obj_nsymbols(tab) + 1, sizeof(*syms));
	struct symbol **end = syms;
	int ret;

	obj_for_each_symbol_prefixed(obj, tab, prefix, collect, &end);
	if (end == syms)
		printf("no symbols\n");
	ret = obj_scan_relocs_to(obj, syms, end - syms, print_hit, NULL);
	free(syms);
	return ret;
}

static int add_section(struct obj *obj)
{
	struct section *text = first_text(obj), *sec;
	struct symbol *g = first_global(obj), *ts;

	sec = obj_create_section(obj, ".scpatch_test", SHT_PROGBITS,
				 SHF_ALLOC | SHF_WRITE, 0, 8, NULL, 24);
	if (!sec || !text || !(ts = obj_section_symbol(obj, text)))
		return -1;
	/* A named symbol too: clang shares one string table between symbol
	 * and section names, and both grow. */
	if (!obj_add_symbol(obj, "scpatch_test_start", sec, 0, 24, STB_GLOBAL,
			    STT_OBJECT, STV_HIDDEN))
		return -1;
	if (!obj_add_reloc(obj, sec, 0, R_X86_64_64, g ? g : ts, 0) ||
	    !obj_add_reloc(obj, sec, 8, R_X86_64_PC32, ts, 4) ||
	    !obj_add_reloc(obj, sec, 16, R_X86_64_NONE, NULL, 0))
		return -1;
	return 0;
}

/* A new section in the group of the first grouped text section (whose
 * group has signature SIG). */
static int add_to_group(struct obj *obj, const char *sig)
{
	struct section *sec, *text = NULL, *n;
	struct symbol *ts;

	obj_for_each_section(obj, sec)
		if (sec->group && (sec->sh.sh_flags & SHF_EXECINSTR) &&
		    (!sig || !strcmp(obj_group_signature(obj, sec->group)->name,
				     sig))) {
			text = sec;
			break;
		}
	if (!text) {
		fprintf(stderr, "no grouped text section\n");
		return -1;
	}
	n = obj_create_section(obj, ".scpatch_grouped", SHT_PROGBITS,
			       SHF_ALLOC | SHF_LINK_ORDER, 0, 4, NULL, 8);
	if (!n || obj_section_set_link(obj, n, text->idx) ||
	    obj_group_add(obj, text->group, n) ||
	    !(ts = obj_section_symbol(obj, text)) ||
	    !obj_add_reloc(obj, n, 0, R_X86_64_PC32, ts, 0))
		return -1;
	printf("group %s signature %s\n", text->group->name,
	       obj_group_signature(obj, text->group)->name);
	return 0;
}

/*
 * Every section's contents, as the model hands them out, lie in the image
 * libelf mapped: nothing was copied.  Prints how many were checked.
 */
static int zero_copy(struct obj *obj)
{
	const unsigned char *lo = obj->map, *hi = obj->map + obj->map_size;
	struct section *sec;
	unsigned int n = 0, bad = 0;

	obj_for_each_section(obj, sec) {
		const unsigned char *p;

		if (sec->sh.sh_type == SHT_NOBITS || !sec->size ||
		    (sec->sh.sh_flags & SHF_COMPRESSED))
			continue;
		p = obj_section_data(obj, sec);
		if (!p)
			return -1;
		n++;
		if (p != lo + sec->sh.sh_offset || p + sec->size > hi) {
			printf("copied: section %u %s\n", sec->idx, sec->name);
			bad++;
		}
	}
	printf("%u sections in place, %u copied\n", n - bad, bad);
	return bad ? 1 : 0;
}

/* A copy of SEC's contents with N zero bytes more, handed over. */
static void *take_copy(struct obj *obj, struct section *sec, size_t n)
{
	const void *old = obj_section_data(obj, sec);
	size_t size = sec->size;
	char *buf = old ? calloc(size + n + 1, 1) : NULL;

	if (!buf)
		return NULL;
	memcpy(buf, old, size);
	if (obj_section_take_data(obj, sec, buf, size + n) != buf) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The second buffer replaces (and frees) the first, which the model owns. */
static int take_twice(struct obj *obj, struct section *sec, size_t n)
{
	return take_copy(obj, sec, 0) && take_copy(obj, sec, n) ? 0 : -1;
}

static int change(struct obj *obj, int argc, char **argv)
{
	const char *op = argv[1];

	if (!strcmp(op, "add-local") || !strcmp(op, "add-global")) {
		struct section *text = first_text(obj);

		if (argc > 5 && !(text = obj_find_section(obj, argv[5]))) {
			fprintf(stderr, "no section %s\n", argv[5]);
			return -1;
		}
		if (argc < 5 || !text)
			return -1;
		return obj_add_symbol(obj, argv[4], text, 0, 0,
				      op[4] == 'l' ? STB_LOCAL : STB_GLOBAL,
				      STT_NOTYPE, STV_DEFAULT) ? 0 : -1;
	}
	if (!strcmp(op, "add-mixed")) {
		/* Locals and globals in turn, each local referenced by a new
		 * relocation, each global by one made before the next local. */
		struct section *text = first_text(obj), *sec;
		int n = argc > 4 ? atoi(argv[4]) : 10;
		char name[64];

		sec = obj_create_section(obj, ".scpatch_mixed", SHT_PROGBITS,
					 SHF_ALLOC, 0, 8, NULL, 16 * n);
		if (!sec || !text)
			return -1;
		for (int i = 0; i < n; i++) {
			struct symbol *l, *g;

			snprintf(name, sizeof(name), "scpatch_l%d", i);
			l = obj_add_symbol(obj, name, text, i, 0, STB_LOCAL,
					   STT_NOTYPE, STV_DEFAULT);
			snprintf(name, sizeof(name), "scpatch_g%d", i);
			g = obj_add_symbol(obj, name, text, 0, 0, STB_GLOBAL,
					   STT_NOTYPE, STV_DEFAULT);
			if (!l || !g ||
			    !obj_add_reloc(obj, sec, 16 * i, R_X86_64_64, l, 0) ||
			    !obj_add_reloc(obj, sec, 16 * i + 8, R_X86_64_NONE, g, 0))
				return -1;
		}
		return 0;
	}
	if (!strcmp(op, "add-section"))
		return add_section(obj);
	if (!strcmp(op, "reloc-past-end")) {
		/* A pass bug: a relocation left beyond its section's end. */
		struct section *text = first_text(obj);
		struct symbol *ts = text ? obj_section_symbol(obj, text) : NULL;

		return ts && obj_add_reloc(obj, text, text->size + 4,
					   R_X86_64_PC32, ts, 0) ? 0 : -1;
	}
	if (!strcmp(op, "set-entsize")) {
		struct section *sec;

		if (argc < 6 || !(sec = obj_find_section(obj, argv[4]))) {
			fprintf(stderr, "no section %s\n", argc < 6 ? "" : argv[4]);
			return -1;
		}
		return obj_section_set_entsize(obj, sec, atol(argv[5]));
	}
	if (!strcmp(op, "none-in-empty")) {
		struct section *sec;

		sec = obj_create_section(obj, ".scpatch_empty", SHT_PROGBITS,
					 SHF_ALLOC, 0, 1, NULL, 0);
		return sec && obj_add_reloc(obj, sec, 0, R_X86_64_NONE, NULL,
					    0) ? 0 : -1;
	}
	if (!strcmp(op, "add-to-group"))
		return add_to_group(obj, argc > 4 ? argv[4] : NULL);
	if (!strcmp(op, "touch")) {
		struct section *sec;

		if (argc < 5 || !(sec = obj_find_section(obj, argv[4]))) {
			fprintf(stderr, "no section %s\n", argc < 5 ? "" : argv[4]);
			return -1;
		}
		return obj_section_data_writable(obj, sec) ? 0 : -1;
	}
	if (!strcmp(op, "grow")) {
		struct section *sec;

		if (argc < 6 || !(sec = obj_find_section(obj, argv[4]))) {
			fprintf(stderr, "no section %s\n", argc < 6 ? "" : argv[4]);
			return -1;
		}
		return obj_section_append(obj, sec, NULL, atol(argv[5])) < 0;
	}
	if (!strcmp(op, "take")) {
		struct section *sec;

		if (argc < 6 || !(sec = obj_find_section(obj, argv[4]))) {
			fprintf(stderr, "no section %s\n", argc < 6 ? "" : argv[4]);
			return -1;
		}
		return take_twice(obj, sec, atol(argv[5]));
	}
	return 0;
}

static struct obj *open_input(const char *path, enum obj_open_mode mode)
{
	FILE *f;
	char *buf = NULL;
	size_t size = 0, cap = 0, n;
	struct obj *obj;

	if (!getenv("OBJTEST_MEMORY"))
		return obj_open(path, mode);
	f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(2);
	}
	do {
		if (size == cap) {
			cap = cap * 2 + 65536;
			buf = realloc(buf, cap);
			if (!buf)
				exit(2);
		}
		n = fread(buf + size, 1, cap - size, f);
		size += n;
	} while (n);
	fclose(f);
	/* The model keeps a copy: scribble over ours to prove it. */
	obj = obj_open_memory(buf, size, path, mode);
	memset(buf, 0xcc, size);
	free(buf);
	return obj;
}

int main(int argc, char **argv)
{
	const char *op;
	struct obj *obj;
	unsigned int flags = 0;
	int ret = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: objtest OP FILE [OUT] [ARGS]\n");
		return 2;
	}
	op = argv[1];
	in = argv[2];
	obj = open_input(in, !strcmp(op, "open") || !strcmp(op, "dump") ||
			   !strcmp(op, "lookups") || !strcmp(op, "scan") ||
			   !strcmp(op, "brute") || !strcmp(op, "zero-copy") ?
			   OBJ_READ : OBJ_MODIFY);
	if (!obj)
		return fail();
	if (!strcmp(op, "open")) {
		printf("%u sections, %u symbols, %u dynamic symbols\n",
		       obj_nsections(obj), obj_nsymbols(obj_symtab(obj)),
		       obj_nsymbols(obj_dynsym(obj)));
	} else if (!strcmp(op, "dump")) {
		ret = dump(obj);
	} else if (!strcmp(op, "lookups")) {
		ret = lookups(obj);
		if (ret > 0) {
			obj_close(obj);
			return 1;
		}
	} else if (!strcmp(op, "brute")) {
		ret = brute(obj);
		if (ret > 0) {
			obj_close(obj);
			return 1;
		}
	} else if (!strcmp(op, "zero-copy")) {
		ret = zero_copy(obj);
		if (ret > 0) {
			obj_close(obj);
			return 1;
		}
	} else if (!strcmp(op, "scan")) {
		ret = argc > 3 ? scan(obj, argv[3]) : -1;
	} else if (!strcmp(op, "modify")) {
		ret = 0;
	} else if (!strcmp(op, "noop")) {
		ret = obj_write(obj, NULL, 0);
	} else if (argc < 4) {
		fprintf(stderr, "objtest %s: missing OUT\n", op);
		ret = 2;
	} else {
		if (!strcmp(op, "rewrite"))
			flags = OBJ_WRITE_RELAYOUT;
		ret = change(obj, argc, argv);
		if (!ret)
			ret = obj_write(obj, out_arg(argv[3]), flags);
	}
	if (ret < 0) {
		ret = fail();
	}
	obj_close(obj);
	return ret;
}
