// SPDX-License-Identifier: MIT
/*
 * The object model: errors, opening and validating a file.  Sections, their
 * contents and groups are in elf_sec.c, symbols in elf_sym.c, relocations
 * in elf_reloc.c, the write-back in elf_write.c.
 *
 * The file is mapped read-only and parsed by hand: the headers are small,
 * every offset and index is checked against the mapping once, and section
 * contents are used in place.  libelf is used only to decompress
 * SHF_COMPRESSED sections.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xxhash.h>

#include "elf_internal.h"

static _Thread_local char errbuf[512];
static _Thread_local enum obj_error_kind errkind;

const char *obj_errmsg(void)
{
	return errbuf;
}

enum obj_error_kind obj_errkind(void)
{
	return errkind;
}

static int vset_error(enum obj_error_kind kind, const char *prefix,
		      const char *fmt, va_list ap)
{
	size_t n = snprintf(errbuf, sizeof(errbuf), "%s", prefix);

	if (n < sizeof(errbuf))
		vsnprintf(errbuf + n, sizeof(errbuf) - n, fmt, ap);
	errkind = kind;
	return -1;
}

int obj_set_error(enum obj_error_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset_error(kind, "", fmt, ap);
	va_end(ap);
	return -1;
}

int obj_sec_error(const struct section *sec, const char *fmt, ...)
{
	char prefix[200];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "section %u (%.120s): ", sec->idx,
		 sec->name ? sec->name : "?");
	va_start(ap, fmt);
	vset_error(OBJ_ERR_CORRUPT, prefix, fmt, ap);
	va_end(ap);
	return -1;
}

int obj_nomem(void)
{
	return obj_set_error(OBJ_ERR_NOMEM, "out of memory");
}

int obj_check_modifiable(struct obj *obj)
{
	if (obj->mode == OBJ_MODIFY)
		return 0;
	return obj_set_error(OBJ_ERR_USAGE,
			     "opened read-only: cannot be changed");
}

uint32_t obj_name_hash(const char *name)
{
	return (uint32_t)XXH3_64bits(name, strlen(name));
}

void *obj_xrealloc_array(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return realloc(p, n * size);
}

/* ---- open ----------------------------------------------------------- */

static const char *machine_name(unsigned int m)
{
	switch (m) {
	case EM_386: return "i386";
	case EM_AARCH64: return "aarch64";
	case EM_ARM: return "arm";
	case EM_RISCV: return "riscv";
	case EM_PPC64: return "ppc64";
	case EM_S390: return "s390";
	case EM_NONE: return "none";
	default: return "unknown";
	}
}

static int check_ident(struct obj *obj)
{
	const unsigned char *m = obj->map;
	size_t size = obj->map_size;

	if (size >= 4 && ((m[0] == 'B' && m[1] == 'C' && m[2] == 0xc0 &&
			   m[3] == 0xde) ||
			  (m[0] == 0xde && m[1] == 0xc0 && m[2] == 0x17 &&
			   m[3] == 0x0b)))
		return obj_set_error(OBJ_ERR_BITCODE,
				     "LLVM bitcode (an LTO object), not machine code");
	if (size < SELFMAG || memcmp(m, ELFMAG, SELFMAG))
		return obj_set_error(OBJ_ERR_NOT_ELF, "not an ELF file");
	if (size < EI_NIDENT)
		return obj_set_error(OBJ_ERR_CORRUPT,
				     "truncated ELF header (%zu bytes)", size);
	if (m[EI_CLASS] != ELFCLASS64)
		return obj_set_error(OBJ_ERR_WRONG_CLASS,
				     "not an x86-64 ELF64 object (%s ELF)",
				     m[EI_CLASS] == ELFCLASS32 ? "32-bit" :
				     "unknown class of");
	if (m[EI_DATA] != ELFDATA2LSB)
		return obj_set_error(OBJ_ERR_WRONG_CLASS,
				     "not an x86-64 ELF64 object (%s)",
				     m[EI_DATA] == ELFDATA2MSB ? "big-endian" :
				     "unknown byte order");
	if (size < sizeof(Elf64_Ehdr))
		return obj_set_error(OBJ_ERR_CORRUPT,
				     "truncated ELF header (%zu bytes)", size);
	memcpy(&obj->ehdr, m, sizeof(Elf64_Ehdr));
	if (obj->ehdr.e_machine != EM_X86_64)
		return obj_set_error(OBJ_ERR_WRONG_CLASS,
				     "not an x86-64 ELF64 object (machine %s, %u)",
				     machine_name(obj->ehdr.e_machine),
				     obj->ehdr.e_machine);
	if (m[EI_VERSION] != EV_CURRENT || obj->ehdr.e_version != EV_CURRENT)
		return obj_set_error(OBJ_ERR_CORRUPT, "unknown ELF version");
	return 0;
}

static int check_type(struct obj *obj)
{
	unsigned int t = obj->ehdr.e_type;

	if (t != ET_REL && t != ET_EXEC && t != ET_DYN)
		return obj_set_error(OBJ_ERR_WRONG_TYPE,
				     "not an object, executable or shared library (ELF type %u)",
				     t);
	if (obj->mode == OBJ_MODIFY && t != ET_REL)
		return obj_set_error(OBJ_ERR_WRONG_TYPE,
				     "a linked %s, not a relocatable object: only .o files can be changed",
				     t == ET_EXEC ? "executable" :
				     "shared library or PIE");
	return 0;
}

static bool range_ok(const struct obj *obj, uint64_t off, uint64_t size)
{
	return off <= obj->map_size && size <= obj->map_size - off;
}

/* Section count and .shstrtab index, with the extended numbering of
 * objects that have SHN_LORESERVE sections or more. */
static int read_counts(struct obj *obj, unsigned int *nsecs,
		       unsigned int *shstrndx)
{
	const GElf_Ehdr *e = &obj->ehdr;
	const Elf64_Shdr *sh0;
	uint64_t n = e->e_shnum, strndx = e->e_shstrndx;

	if (!e->e_shoff) {
		if (e->e_type == ET_REL)
			return obj_set_error(OBJ_ERR_CORRUPT,
					     "no section headers");
		*nsecs = 0;
		*shstrndx = 0;
		return 0;
	}
	if (e->e_shentsize != sizeof(Elf64_Shdr))
		return obj_set_error(OBJ_ERR_CORRUPT,
				     "section header size %u, not %zu",
				     e->e_shentsize, sizeof(Elf64_Shdr));
	if (e->e_shoff % 8 || !range_ok(obj, e->e_shoff, sizeof(Elf64_Shdr)))
		return obj_set_error(OBJ_ERR_CORRUPT,
				     "section headers at 0x%llx: past the end of the file or misaligned",
				     (unsigned long long)e->e_shoff);
	sh0 = (const Elf64_Shdr *)(obj->map + e->e_shoff);
	if (n == 0)
		n = sh0->sh_size;
	if (strndx == SHN_XINDEX)
		strndx = sh0->sh_link;
	if (n == 0 || n > UINT32_MAX / 2 ||
	    !range_ok(obj, e->e_shoff, n * sizeof(Elf64_Shdr)))
		return obj_set_error(OBJ_ERR_CORRUPT,
				     "%llu section headers at 0x%llx: past the end of the file",
				     (unsigned long long)n,
				     (unsigned long long)e->e_shoff);
	if (strndx == 0 || strndx >= n)
		return obj_set_error(OBJ_ERR_CORRUPT,
				     "section name table index %llu out of range",
				     (unsigned long long)strndx);
	*nsecs = n;
	*shstrndx = strndx;
	return 0;
}

static int check_section_range(struct obj *obj, struct section *sec)
{
	const GElf_Shdr *sh = &sec->sh;

	if ((sh->sh_addralign & (sh->sh_addralign - 1)) ||
	    sh->sh_addralign > (1ull << 32))
		return obj_sec_error(sec, "alignment 0x%llx is not a power of two up to 2^32",
				     (unsigned long long)sh->sh_addralign);

	if (sh->sh_type == SHT_NOBITS || sh->sh_type == SHT_NULL)
		return 0;
	if (!range_ok(obj, sh->sh_offset, sh->sh_size))
		return obj_sec_error(sec,
				     "contents at 0x%llx+0x%llx past the end of the file (0x%zx bytes)",
				     (unsigned long long)sh->sh_offset,
				     (unsigned long long)sh->sh_size,
				     obj->map_size);
	return 0;
}

static bool is_strtab(const struct obj *obj, const struct section *sec)
{
	const unsigned char *p = obj->map + sec->sh.sh_offset;

	return sec->sh.sh_type == SHT_STRTAB && sec->sh.sh_size &&
	       !(sec->sh.sh_flags & SHF_COMPRESSED) &&
	       p[sec->sh.sh_size - 1] == 0;
}

static int read_section_names(struct obj *obj)
{
	struct section *str = obj->shstrtab;
	const char *names;

	if (!is_strtab(obj, str))
		return obj_set_error(OBJ_ERR_CORRUPT,
				     "section %u: broken section name table",
				     str->idx);
	names = (const char *)obj->map + str->sh.sh_offset;
	for (unsigned int i = 0; i < obj->norig_secs; i++) {
		struct section *sec = &obj->orig_secs[i];

		if (sec->sh.sh_name >= str->sh.sh_size)
			return obj_set_error(OBJ_ERR_CORRUPT,
					     "section %u: name offset 0x%x out of range",
					     i, sec->sh.sh_name);
		sec->name = names + sec->sh.sh_name;
	}
	return 0;
}

static int read_section_headers(struct obj *obj)
{
	unsigned int n = 0, shstrndx = 0;
	const Elf64_Shdr *shdr;

	if (read_counts(obj, &n, &shstrndx))
		return -1;
	obj->orig_secs = calloc(n ? n : 1, sizeof(*obj->orig_secs));
	obj->secs = calloc(n ? n : 1, sizeof(*obj->secs));
	if (!obj->orig_secs || !obj->secs)
		return obj_nomem();
	obj->nsecs = obj->norig_secs = obj->secs_cap = n;
	shdr = (const Elf64_Shdr *)(obj->map + obj->ehdr.e_shoff);
	for (unsigned int i = 0; i < n; i++) {
		struct section *sec = &obj->orig_secs[i];

		memcpy(&sec->sh, &shdr[i], sizeof(sec->sh));
		sec->idx = i;
		sec->name = "";
		sec->size = sec->sh.sh_size;
		obj->secs[i] = sec;
	}
	if (!n)
		return 0;
	obj->shstrtab = obj->secs[shstrndx];
	/* Names first, so that the errors below can give them. */
	if (check_section_range(obj, obj->shstrtab) || read_section_names(obj))
		return -1;
	for (unsigned int i = 1; i < n; i++)
		if (check_section_range(obj, obj->secs[i]))
			return -1;
	return 0;
}

static int check_table_shape(struct section *sec, size_t entsize)
{
	if (sec->sh.sh_flags & SHF_COMPRESSED)
		return obj_sec_error(sec, "compressed table");
	if (sec->sh.sh_offset % 8 && entsize % 8 == 0)
		return obj_sec_error(sec, "misaligned table");
	if (sec->sh.sh_size % entsize)
		return obj_sec_error(sec, "size 0x%llx not a multiple of %zu",
				     (unsigned long long)sec->sh.sh_size,
				     entsize);
	return 0;
}

/* sh_link of a RELA or GROUP section: a symbol table of ours. */
static int link_symtab(struct obj *obj, struct section *sec)
{
	unsigned int link = sec->sh.sh_link;

	if (obj->symtab && link == obj->symtab->sec->idx)
		sec->symtab = obj->symtab;
	else if (obj->dynsym && link == obj->dynsym->sec->idx)
		sec->symtab = obj->dynsym;
	else if (link != 0 || obj->ehdr.e_type == ET_REL)
		return obj_sec_error(sec, "sh_link %u is not a symbol table",
				     link);
	return 0;
}

static int read_rela_section(struct obj *obj, struct section *sec)
{
	unsigned int info = sec->sh.sh_info;
	struct section *base;

	if (check_table_shape(sec, sizeof(Elf64_Rela)) || link_symtab(obj, sec))
		return -1;
	if (obj->ehdr.e_type != ET_REL && !(sec->sh.sh_flags & SHF_INFO_LINK))
		return 0;	/* .rela.dyn: no single target */
	if (info == 0 || info >= obj->norig_secs)
		return obj_sec_error(sec, "target section %u out of range",
				     info);
	base = obj->secs[info];
	if (base->rela && obj->ehdr.e_type != ET_REL)
		return 0;
	if (base->rela)
		return obj_sec_error(sec,
				     "second relocation section for section %u",
				     info);
	if (base->sh.sh_type == SHT_RELA || base == sec)
		return obj_sec_error(sec, "relocations applied to a relocation section");
	base->rela = sec;
	sec->base = base;
	return 0;
}

static int read_group_section(struct obj *obj, struct section *sec)
{
	const uint32_t *w = (const uint32_t *)(obj->map + sec->sh.sh_offset);
	size_t n = sec->sh.sh_size / 4;

	if (check_table_shape(sec, 4) || link_symtab(obj, sec))
		return -1;
	if (n < 1 || sec->sh.sh_offset % 4)
		return obj_sec_error(sec, "empty or misaligned group");
	if (!sec->symtab || sec->sh.sh_info >= sec->symtab->norig)
		return obj_sec_error(sec, "group signature symbol %u out of range",
				     sec->sh.sh_info);
	for (size_t i = 1; i < n; i++) {
		struct section *member;

		if (w[i] == 0 || w[i] >= obj->norig_secs)
			return obj_sec_error(sec, "member section %u out of range",
					     w[i]);
		member = obj->secs[w[i]];
		if (member->group && member->group != sec)
			return obj_sec_error(sec, "member section %u is in two groups",
					     w[i]);
		member->group = sec;
	}
	return 0;
}

static int read_symbol_tables(struct obj *obj)
{
	for (unsigned int i = 1; i < obj->norig_secs; i++) {
		struct section *sec = obj->secs[i];
		uint32_t type = sec->sh.sh_type;

		if (type != SHT_SYMTAB && type != SHT_DYNSYM)
			continue;
		if ((type == SHT_SYMTAB && obj->symtab) ||
		    (type == SHT_DYNSYM && obj->dynsym))
			return obj_sec_error(sec, "second symbol table");
		if (obj_read_symtab(obj, sec))
			return -1;
	}
	return 0;
}

static int read_sections(struct obj *obj)
{
	for (unsigned int i = 1; i < obj->norig_secs; i++) {
		struct section *sec = obj->secs[i];
		int ret = 0;

		switch (sec->sh.sh_type) {
		case SHT_REL:
			return obj_sec_error(sec,
					     "SHT_REL relocations: x86-64 objects use SHT_RELA");
		case SHT_RELA:
			ret = read_rela_section(obj, sec);
			break;
		case SHT_LLVM_ADDRSIG:
			obj->addrsig = sec;
			break;
		}
		if (ret)
			return -1;
		if (sec->sh.sh_flags & SHF_COMPRESSED) {
			Elf64_Chdr ch;	/* clang does not align it */

			if (sec->sh.sh_size < sizeof(ch))
				return obj_sec_error(sec, "truncated compression header");
			memcpy(&ch, obj->map + sec->sh.sh_offset, sizeof(ch));
			sec->size = ch.ch_size;
		}
	}
	/* Groups last: their members' ->group is checked against the rest. */
	for (unsigned int i = 1; i < obj->norig_secs; i++)
		if (obj->secs[i]->sh.sh_type == SHT_GROUP &&
		    read_group_section(obj, obj->secs[i]))
			return -1;
	return 0;
}

static int map_file(struct obj *obj)
{
	void *p;

	obj->fd = open(obj->path, O_RDONLY | O_CLOEXEC);
	if (obj->fd < 0 || fstat(obj->fd, &obj->st))
		return obj_set_error(OBJ_ERR_IO, "%s", strerror(errno));
	if (!S_ISREG(obj->st.st_mode))
		return obj_set_error(OBJ_ERR_IO, "not a regular file");
	obj->map_size = obj->st.st_size;
	if (obj->map_size == 0)
		return obj_set_error(OBJ_ERR_NOT_ELF, "empty file");
	p = mmap(NULL, obj->map_size, PROT_READ, MAP_PRIVATE, obj->fd, 0);
	if (p == MAP_FAILED)
		return obj_set_error(OBJ_ERR_IO, "mmap: %s", strerror(errno));
	obj->map = p;
	return 0;
}

struct obj *obj_open(const char *path, enum obj_open_mode mode)
{
	struct obj *obj = calloc(1, sizeof(*obj));

	errkind = OBJ_ERR_NONE;
	errbuf[0] = 0;
	if (!obj || !(obj->path = strdup(path))) {
		free(obj);
		obj_nomem();
		return NULL;
	}
	obj->fd = -1;
	obj->mode = mode;
	if (map_file(obj) || check_ident(obj) || check_type(obj) ||
	    read_section_headers(obj) || read_symbol_tables(obj) ||
	    read_sections(obj)) {
		obj_close(obj);
		return NULL;
	}
	return obj;
}

void obj_close(struct obj *obj)
{
	if (!obj)
		return;
	for (unsigned int i = 0; i < obj->nsecs; i++) {
		struct section *sec = obj->secs[i];

		if (!sec)	/* open failed half-way */
			continue;
		if (sec->relocs) {
			obj_free_relocs(sec->relocs);
			free(sec->relocs);
		}
		if (sec->by_value) {
			free(sec->by_value->syms);
			free(sec->by_value->max_end);
			free(sec->by_value);
		}
		if (sec->data_owned)
			free(sec->data);
		if (sec->is_new) {
			free((char *)sec->name);
			free(sec);
		}
	}
	obj_free_symtab(obj->symtab);
	obj_free_symtab(obj->dynsym);
	if (obj->elf)
		elf_end(obj->elf);
	if (obj->map)
		munmap((void *)obj->map, obj->map_size);
	if (obj->fd >= 0)
		close(obj->fd);
	free(obj->secnames.buf);
	free(obj->sec_hash);
	free(obj->sec_hash_tail);
	free(obj->sec_hash_next);
	free(obj->orig_secs);
	free(obj->secs);
	free(obj->path);
	free(obj);
}

const char *obj_path(const struct obj *obj)
{
	return obj->path;
}

const GElf_Ehdr *obj_ehdr(const struct obj *obj)
{
	return &obj->ehdr;
}

bool obj_is_relocatable(const struct obj *obj)
{
	return obj->ehdr.e_type == ET_REL;
}

bool obj_changed(const struct obj *obj)
{
	return obj->changed;
}
