// SPDX-License-Identifier: MIT
/*
 * Read-only ELF view (see view.h).  Everything that comes from the file is
 * checked here once: section data inside the file, the symbol table's
 * string offsets and section indices, relocation symbol indices.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "view.h"

static const char lto_advice[] =
	"run `gcc -flto -r -flinker-output=nolto-rel` or "
	"`clang -flto -fuse-ld=lld -r` on it first, then scpatch on that output";

static bool is_bitcode(const uint8_t *p, size_t n)
{
	static const uint8_t raw[4] = { 'B', 'C', 0xc0, 0xde };
	static const uint8_t wrapper[4] = { 0xde, 0xc0, 0x17, 0x0b };

	return n >= 4 && (!memcmp(p, raw, 4) || !memcmp(p, wrapper, 4));
}

static int check_header(struct view *v)
{
	char *ident;
	size_t n;

	ident = elf_getident(v->elf, &n);
	if (elf_kind(v->elf) != ELF_K_ELF || !ident || n < EI_NIDENT) {
		error_at(v->path, "not an ELF file");
		return -1;
	}
	if (ident[EI_CLASS] != ELFCLASS64 || ident[EI_DATA] != ELFDATA2LSB) {
		error_at(v->path, "not a 64-bit little-endian ELF file");
		return -1;
	}
	if (!gelf_getehdr(v->elf, (GElf_Ehdr *)&v->eh)) {
		error_at(v->path, "bad ELF header: %s", elf_errmsg(-1));
		return -1;
	}
	if (v->eh.e_machine != EM_X86_64) {
		error_at(v->path, "not an x86-64 file (e_machine %u)",
			 v->eh.e_machine);
		return -1;
	}
	if (v->eh.e_type != ET_REL && v->eh.e_type != ET_EXEC &&
	    v->eh.e_type != ET_DYN) {
		error_at(v->path, "not an object, executable or shared library");
		return -1;
	}
	return 0;
}

static int load_section(struct view *v, size_t i, const char *shstr,
			size_t shstrsz)
{
	struct view_sec *s = &v->secs[i];
	Elf_Scn *scn = elf_getscn(v->elf, i);
	Elf_Data *d;

	if (!scn || !gelf_getshdr(scn, (GElf_Shdr *)&s->sh)) {
		error_at(v->path, "bad section header %zu", i);
		return -1;
	}
	s->name = s->sh.sh_name < shstrsz ? shstr + s->sh.sh_name : "";
	if (i == 0 || s->sh.sh_type == SHT_NOBITS || s->sh.sh_size == 0)
		return 0;
	d = elf_rawdata(scn, NULL);
	if (!d || d->d_size != s->sh.sh_size) {
		error_at(v->path, "section %s: data outside the file", s->name);
		return -1;
	}
	s->data = d->d_buf;
	s->size = d->d_size;
	return 0;
}

static int load_symtab(struct view *v, unsigned i)
{
	struct view_sec *s = &v->secs[i];
	struct view_sec *str;

	if (s->sh.sh_entsize != sizeof(Elf64_Sym) || s->sh.sh_link >= v->nsecs ||
	    ((uintptr_t)s->data & 7)) {
		error_at(v->path, "malformed symbol table %s", s->name);
		return -1;
	}
	str = &v->secs[s->sh.sh_link];
	if (str->sh.sh_type != SHT_STRTAB || !str->size ||
	    str->data[str->size - 1]) {
		error_at(v->path, "malformed string table of %s", s->name);
		return -1;
	}
	v->symtab = i;
	v->syms = (const Elf64_Sym *)s->data;
	v->nsyms = s->size / sizeof(Elf64_Sym);
	v->strtab = (const char *)str->data;
	v->strsz = str->size;
	return 0;
}

static int link_sections(struct view *v)
{
	unsigned dyn = 0;

	for (size_t i = 1; i < v->nsecs; i++) {
		struct view_sec *s = &v->secs[i];

		if (s->sh.sh_type == SHT_SYMTAB && load_symtab(v, i))
			return -1;
		if (s->sh.sh_type == SHT_DYNSYM)
			dyn = i;
		if (s->sh.sh_type == SHT_SYMTAB_SHNDX && !((uintptr_t)s->data & 3)) {
			v->xindex = (const Elf32_Word *)s->data;
			v->nxindex = s->size / 4;
		}
		if (s->sh.sh_type == SHT_RELA) {
			if (s->sh.sh_entsize != sizeof(Elf64_Rela) ||
			    ((uintptr_t)s->data & 7)) {
				error_at(v->path, "malformed relocation section %s",
					 s->name);
				return -1;
			}
			if (s->sh.sh_info && s->sh.sh_info < v->nsecs &&
			    !(s->sh.sh_flags & SHF_ALLOC))
				v->secs[s->sh.sh_info].rela = i;
		}
	}
	/* A stripped linked file still names its exported symbols. */
	if (!v->symtab && dyn && load_symtab(v, dyn))
		return -1;
	return 0;
}

static int reject_lto(struct view *v)
{
	for (size_t i = 1; i < v->nsecs; i++) {
		const char *n = v->secs[i].name;

		if (!strncmp(n, ".gnu.lto_", 9)) {
			error_at(v->path, "GCC LTO object (GIMPLE bytecode%s): %s",
				 view_sec_by_name(v, ".text") ? ", fat" : "",
				 lto_advice);
			return -1;
		}
		if (!strcmp(n, ".llvm.lto") || !strcmp(n, ".llvmbc")) {
			error_at(v->path, "LLVM LTO object (embedded bitcode): %s",
				 lto_advice);
			return -1;
		}
	}
	return 0;
}

int view_open(struct view *v, const char *path, bool lto_is_error)
{
	size_t shstrndx, n;
	const char *shstr = NULL;
	size_t shstrsz = 0;
	char *raw;

	memset(v, 0, sizeof(*v));
	v->path = path;
	elf_version(EV_CURRENT);
	v->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (v->fd < 0) {
		error_at(path, "cannot open: %m");
		return -1;
	}
	v->elf = elf_begin(v->fd, ELF_C_READ_MMAP, NULL);
	if (!v->elf) {
		error_at(path, "cannot read: %s", elf_errmsg(-1));
		goto fail;
	}
	raw = elf_rawfile(v->elf, &n);
	if (raw && is_bitcode((const uint8_t *)raw, n)) {
		error_at(path, "LLVM bitcode (LTO object) holds no machine code: %s",
			 lto_advice);
		goto fail;
	}
	if (check_header(v))
		goto fail;
	/* libelf reports a cut-off section header table as no sections. */
	if (!v->eh.e_shoff || v->eh.e_shentsize != sizeof(Elf64_Shdr) ||
	    v->eh.e_shoff > n || (n - v->eh.e_shoff) / sizeof(Elf64_Shdr) <
	    (v->eh.e_shnum ? v->eh.e_shnum : 1)) {
		error_at(path, "section header table missing or past the end "
			 "of the file");
		goto fail;
	}
	if (elf_getshdrnum(v->elf, &v->nsecs) || elf_getshdrstrndx(v->elf, &shstrndx)) {
		error_at(path, "bad section headers: %s", elf_errmsg(-1));
		goto fail;
	}
	v->secs = calloc(v->nsecs ? v->nsecs : 1, sizeof(*v->secs));
	if (!v->secs) {
		error_at(path, "out of memory");
		goto fail;
	}
	if (shstrndx && shstrndx < v->nsecs) {
		Elf_Data *d = elf_rawdata(elf_getscn(v->elf, shstrndx), NULL);

		if (d && d->d_size && ((char *)d->d_buf)[d->d_size - 1] == 0) {
			shstr = d->d_buf;
			shstrsz = d->d_size;
		}
	}
	for (size_t i = 0; i < v->nsecs; i++)
		if (load_section(v, i, shstr, shstrsz))
			goto fail;
	if (link_sections(v))
		goto fail;
	if (lto_is_error && reject_lto(v))
		goto fail;
	return 0;
fail:
	view_close(v);
	return -1;
}

void view_close(struct view *v)
{
	if (v->secs)
		for (size_t i = 0; i < v->nsecs; i++)
			free(v->secs[i].syms);
	free(v->secs);
	if (v->elf)
		elf_end(v->elf);
	if (v->fd >= 0)
		close(v->fd);
	memset(v, 0, sizeof(*v));
	v->fd = -1;
}

const char *view_sym_name(const struct view *v, size_t i)
{
	if (i >= v->nsyms || v->syms[i].st_name >= v->strsz)
		return "";
	return v->strtab + v->syms[i].st_name;
}

unsigned view_sym_shndx(const struct view *v, size_t i)
{
	unsigned shndx;

	if (i >= v->nsyms)
		return 0;
	shndx = v->syms[i].st_shndx;
	if (shndx == SHN_XINDEX)
		shndx = i < v->nxindex ? v->xindex[i] : 0;
	else if (shndx >= SHN_LORESERVE)
		return 0;
	return shndx < v->nsecs ? shndx : 0;
}

bool view_sym_binds_locally(const struct view *v, size_t i)
{
	const Elf64_Sym *s = &v->syms[i];
	unsigned vis = GELF_ST_VISIBILITY(s->st_other);

	return GELF_ST_BIND(s->st_info) == STB_LOCAL ||
	       vis == STV_HIDDEN || vis == STV_INTERNAL;
}

const Elf64_Rela *view_relas(const struct view *v, unsigned r, size_t *count)
{
	*count = 0;
	if (!r || r >= v->nsecs || v->secs[r].sh.sh_type != SHT_RELA)
		return NULL;
	*count = v->secs[r].size / sizeof(Elf64_Rela);
	return (const Elf64_Rela *)v->secs[r].data;
}

static const struct view *sort_view;

static int cmp_sym_value(const void *a, const void *b)
{
	const Elf64_Sym *x = &sort_view->syms[*(const unsigned *)a];
	const Elf64_Sym *y = &sort_view->syms[*(const unsigned *)b];

	if (x->st_value != y->st_value)
		return x->st_value < y->st_value ? -1 : 1;
	/* Functions first among equals: they carry sizes. */
	return (ELF64_ST_TYPE(y->st_info) == STT_FUNC) -
	       (ELF64_ST_TYPE(x->st_info) == STT_FUNC);
}

/* One pass over the symbol table fills every section's sorted list. */
static void build_sec_syms(struct view *v)
{
	size_t *count = calloc(v->nsecs, sizeof(*count));

	if (!count)
		return;
	for (size_t i = 1; i < v->nsyms; i++) {
		unsigned t = ELF64_ST_TYPE(v->syms[i].st_info);

		if (t != STT_SECTION && t != STT_FILE && view_sym_shndx(v, i))
			count[view_sym_shndx(v, i)]++;
	}
	for (size_t s = 0; s < v->nsecs; s++) {
		v->secs[s].syms_built = true;
		if (count[s])
			v->secs[s].syms = malloc(count[s] * sizeof(unsigned));
	}
	for (size_t i = 1; i < v->nsyms; i++) {
		unsigned t = ELF64_ST_TYPE(v->syms[i].st_info);
		struct view_sec *s;

		if (t == STT_SECTION || t == STT_FILE || !view_sym_shndx(v, i))
			continue;
		s = &v->secs[view_sym_shndx(v, i)];
		if (s->syms)
			s->syms[s->nsyms++] = i;
	}
	sort_view = v;
	for (size_t s = 0; s < v->nsecs; s++)
		if (v->secs[s].nsyms > 1)
			qsort(v->secs[s].syms, v->secs[s].nsyms, sizeof(unsigned),
			      cmp_sym_value);
	free(count);
}

long view_sym_at(struct view *v, unsigned sec, uint64_t off, bool func_only)
{
	struct view_sec *s;
	size_t lo = 0, hi;
	long best = -1;

	if (sec >= v->nsecs)
		return -1;
	s = &v->secs[sec];
	if (!s->syms_built)
		build_sec_syms(v);
	/* In linked files symbol values are addresses. */
	if (v->eh.e_type != ET_REL)
		off += s->sh.sh_addr;
	hi = s->nsyms;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (v->syms[s->syms[mid]].st_value <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Walk back over the symbols at or below OFF: the first function
	 * that covers OFF wins; otherwise the closest symbol. */
	for (size_t k = lo; k-- > 0;) {
		const Elf64_Sym *sym = &v->syms[s->syms[k]];

		if (ELF64_ST_TYPE(sym->st_info) == STT_FUNC &&
		    off < sym->st_value + sym->st_size)
			return s->syms[k];
		if (best < 0 && !func_only)
			best = s->syms[k];
		if (lo - k > 64)
			break;
	}
	return best;
}

unsigned view_sec_by_addr(const struct view *v, uint64_t addr, uint64_t flags)
{
	for (size_t i = 1; i < v->nsecs; i++) {
		const Elf64_Shdr *sh = &v->secs[i].sh;

		if ((sh->sh_flags & (flags | SHF_ALLOC)) == (flags | SHF_ALLOC) &&
		    addr >= sh->sh_addr && addr - sh->sh_addr < sh->sh_size)
			return i;
	}
	return 0;
}

unsigned view_sec_by_name(const struct view *v, const char *name)
{
	for (size_t i = 1; i < v->nsecs; i++)
		if (!strcmp(v->secs[i].name, name))
			return i;
	return 0;
}

long view_sym_by_name(const struct view *v, const char *name)
{
	for (size_t i = 1; i < v->nsyms; i++)
		if (!strcmp(view_sym_name(v, i), name))
			return i;
	return -1;
}
