// SPDX-License-Identifier: MIT
/*
 * The object model: errors, opening and validating a file.  Sections, their
 * contents and groups are in elf_sec.c, symbols in elf_sym.c, relocations
 * in elf_reloc.c, the write-back in elf_write.c.
 *
 * libelf reads the file (a private mapping: elf_compress() writes to the
 * headers it decompresses): the ELF header, the section count and name
 * table index with their extended numbering, the section headers, the
 * contents and the names.  On x86-64 its data of a native-endian file points
 * into the mapping, without a copy.  What libelf does not check and the
 * passes rely on is checked here, once, at open: ranges, links, indices and
 * the shape of the tables (see docs/object-model.md).
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
#include "sort_kv.h"

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

static int check_magic(const unsigned char *m, size_t size)
{
	if (size >= 4 && ((m[0] == 'B' && m[1] == 'C' && m[2] == 0xc0 &&
			   m[3] == 0xde) ||
			  (m[0] == 0xde && m[1] == 0xc0 && m[2] == 0x17 &&
			   m[3] == 0x0b)))
		return obj_set_error(OBJ_ERR_BITCODE,
				     "LLVM bitcode (an LTO object), not machine code");
	return obj_set_error(OBJ_ERR_NOT_ELF, "not an ELF file");
}

/* The identification bytes, which libelf reads but does not judge. */
static int check_class(const unsigned char *id)
{
	if (id[EI_CLASS] != ELFCLASS64)
		return obj_set_error(OBJ_ERR_WRONG_CLASS,
				     "not an x86-64 ELF64 object (%s ELF)",
				     id[EI_CLASS] == ELFCLASS32 ? "32-bit" :
				     "unknown class of");
	if (id[EI_DATA] != ELFDATA2LSB)
		return obj_set_error(OBJ_ERR_WRONG_CLASS,
				     "not an x86-64 ELF64 object (%s)",
				     id[EI_DATA] == ELFDATA2MSB ? "big-endian" :
				     "unknown byte order");
	return 0;
}

/*
 * elf_begin() refused the file: say why in the model's words, from the
 * first bytes (libelf's own message is "invalid ELF file data").
 */
static int explain_refusal(struct obj *obj)
{
	unsigned char id[EI_NIDENT] = { 0 };
	ssize_t n;

	if (obj->mem) {
		n = obj->map_size < sizeof(id) ? obj->map_size : sizeof(id);
		memcpy(id, obj->mem, n);
	} else {
		n = pread(obj->fd, id, sizeof(id), 0);
	}

	if (n < SELFMAG || memcmp(id, ELFMAG, SELFMAG))
		return check_magic(id, n < 0 ? 0 : (size_t)n);
	if (n == EI_NIDENT && check_class(id))
		return -1;
	if ((uint64_t)obj->st.st_size < sizeof(Elf64_Ehdr))
		return obj_set_error(OBJ_ERR_CORRUPT,
				     "truncated ELF header (%llu bytes)",
				     (unsigned long long)obj->st.st_size);
	return obj_set_error(OBJ_ERR_CORRUPT, "libelf: %s", elf_errmsg(-1));
}

static int check_ident(struct obj *obj)
{
	const unsigned char *id;
	size_t n = 0;

	switch (elf_kind(obj->elf)) {
	case ELF_K_ELF:
		break;
	case ELF_K_AR:
		return obj_set_error(OBJ_ERR_NOT_ELF,
				     "an archive (ar), not an object: annotate its members");
	default:
		return check_magic(obj->map, obj->map_size);
	}
	id = (const unsigned char *)elf_getident(obj->elf, &n);
	if (!id || n < EI_NIDENT)
		return obj_set_error(OBJ_ERR_CORRUPT,
				     "truncated ELF header (%zu bytes)",
				     obj->map_size);
	if (check_class(id))
		return -1;
	if (!gelf_getehdr(obj->elf, &obj->ehdr))
		return obj_set_error(OBJ_ERR_CORRUPT,
				     "truncated ELF header (%zu bytes)",
				     obj->map_size);
	if (obj->ehdr.e_machine != EM_X86_64)
		return obj_set_error(OBJ_ERR_WRONG_CLASS,
				     "not an x86-64 ELF64 object (machine %s, %u)",
				     machine_name(obj->ehdr.e_machine),
				     obj->ehdr.e_machine);
	if (id[EI_VERSION] != EV_CURRENT || obj->ehdr.e_version != EV_CURRENT)
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

/* Section count and .shstrtab index: libelf resolves the extended
 * numbering of objects with SHN_LORESERVE sections or more. */
static int read_counts(struct obj *obj, unsigned int *nsecs,
		       unsigned int *shstrndx)
{
	const GElf_Ehdr *e = &obj->ehdr;
	size_t n = 0, strndx = 0;

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
	if (elf_getshdrnum(obj->elf, &n))
		return obj_set_error(OBJ_ERR_CORRUPT, "section headers: libelf: %s",
				     elf_errmsg(-1));
	/* libelf counts no sections when their table leaves the file. */
	if (n == 0 || n > UINT32_MAX / 2 || e->e_shoff % 8)
		return obj_set_error(OBJ_ERR_CORRUPT,
				     "%u section headers at 0x%llx: past the end of the file or misaligned",
				     e->e_shnum, (unsigned long long)e->e_shoff);
	if (elf_getshdrstrndx(obj->elf, &strndx) || strndx == 0 ||
	    strndx >= n)
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

/* A string table libelf will hand names out of: elf_strptr() checks
 * each name's termination, this the table as a whole (one message). */
static bool is_strtab(struct obj *obj, struct section *sec)
{
	const char *p;

	if (sec->sh.sh_type != SHT_STRTAB || !sec->sh.sh_size ||
	    (sec->sh.sh_flags & SHF_COMPRESSED))
		return false;
	p = obj_input_bytes(obj, sec);
	return p && p[sec->sh.sh_size - 1] == 0;
}

static int read_section_names(struct obj *obj)
{
	struct section *str = obj->shstrtab;

	if (!is_strtab(obj, str))
		return obj_set_error(OBJ_ERR_CORRUPT,
				     "section %u: broken section name table",
				     str->idx);
	for (unsigned int i = 0; i < obj->norig_secs; i++) {
		struct section *sec = &obj->orig_secs[i];

		if (sec->sh.sh_name >= str->sh.sh_size)
			return obj_set_error(OBJ_ERR_CORRUPT,
					     "section %u: name offset 0x%x out of range",
					     i, sec->sh.sh_name);
		sec->name = elf_strptr(obj->elf, str->idx, sec->sh.sh_name);
		if (!sec->name)
			return obj_set_error(OBJ_ERR_CORRUPT,
					     "section %u: name: libelf: %s", i,
					     elf_errmsg(-1));
	}
	return 0;
}

/*
 * sh_link names a section for every type that uses it (and for
 * SHF_LINK_ORDER), and is 0 for the others: out of range or pointing at
 * itself it is damage, whatever the type.  Every non-empty string table
 * ends with a NUL (elf_strptr() would refuse its last name only).
 */
static int check_section_links(struct obj *obj, struct section *sec)
{
	unsigned int link = sec->sh.sh_link;
	const char *p;

	if (link >= obj->norig_secs)
		return obj_sec_error(sec, "sh_link %u out of range (%u sections)",
				     link, obj->norig_secs);
	if (link == sec->idx)
		return obj_sec_error(sec, "sh_link names the section itself");
	if (sec->sh.sh_type != SHT_STRTAB || !sec->sh.sh_size ||
	    (sec->sh.sh_flags & SHF_COMPRESSED))
		return 0;
	p = obj_input_bytes(obj, sec);
	if (!p)
		return -1;
	if (p[sec->sh.sh_size - 1])
		return obj_sec_error(sec, "string table without a final NUL");
	return 0;
}

struct extent {
	uint64_t start, end;
	unsigned int idx;	/* a section, or one of the two below */
};
#define EXTENT_EHDR UINT32_MAX
#define EXTENT_SHDRS (UINT32_MAX - 1)

/*
 * By start, stably, with the radix sort of sort_kv.c: objects with 200,000
 * sections interleave code and relocations into as many ascending runs,
 * where a comparison sort costs more than the rest of the checks.  The
 * sorted copy goes to TMP; NULL when out of memory.
 */
static struct extent *sort_extents(const struct extent *v, struct extent *tmp,
				   size_t n)
{
	struct kv *order = malloc(n * sizeof(*order));

	if (!order)
		return NULL;
	for (size_t i = 0; i < n; i++)
		order[i] = (struct kv){ v[i].start, i };
	if (sort_kv(order, n)) {
		free(order);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		tmp[i] = v[order[i].val];
	free(order);
	return tmp;
}

static const char *extent_name(const struct obj *obj, unsigned int idx,
			       char *buf, size_t size)
{
	if (idx == EXTENT_EHDR)
		return "the ELF header";
	if (idx == EXTENT_SHDRS)
		return "the section headers";
	snprintf(buf, size, "section %u (%.120s)", idx, obj->secs[idx]->name);
	return buf;
}

static int overlap_error(const struct obj *obj, const struct extent *a,
			 const struct extent *b)
{
	char n1[160], n2[160];

	if (b->idx >= EXTENT_SHDRS) {	/* name the section first */
		const struct extent *t = a;

		a = b;
		b = t;
	}
	return obj_set_error(OBJ_ERR_CORRUPT, "%s overlaps %s",
			     extent_name(obj, b->idx, n1, sizeof(n1)),
			     extent_name(obj, a->idx, n2, sizeof(n2)));
}

/*
 * No two sections share file bytes, nor with the ELF or section headers:
 * writing one would change the other.  Every extent is non-empty, so two
 * with the same start overlap whatever their order.
 */
static int check_overlaps(struct obj *obj)
{
	struct extent *buf = calloc(2 * ((size_t)obj->norig_secs + 2),
				    sizeof(*buf));
	struct extent *v = buf;
	size_t n = 0, best = 0;
	int ret = 0;

	if (!buf)
		return obj_nomem();
	v[n++] = (struct extent){ 0, sizeof(Elf64_Ehdr), EXTENT_EHDR };
	v[n++] = (struct extent){ obj->ehdr.e_shoff, obj->ehdr.e_shoff +
				  (uint64_t)obj->norig_secs * sizeof(Elf64_Shdr),
				  EXTENT_SHDRS };
	for (unsigned int i = 1; i < obj->norig_secs; i++) {
		const GElf_Shdr *sh = &obj->secs[i]->sh;

		if (sh->sh_type == SHT_NOBITS || sh->sh_type == SHT_NULL ||
		    !sh->sh_size)
			continue;
		v[n++] = (struct extent){ sh->sh_offset,
					  sh->sh_offset + sh->sh_size, i };
	}
	for (size_t i = 1; i < n; i++) {
		if (v[i - 1].start > v[i].start) {
			v = sort_extents(buf, buf + obj->norig_secs + 2, n);
			if (!v) {
				free(buf);
				return obj_nomem();
			}
			break;
		}
	}
	/* best: the extent reaching furthest among those before i */
	for (size_t i = 1; i < n && !ret; i++) {
		if (v[i].start < v[best].end)
			ret = overlap_error(obj, &v[best], &v[i]);
		if (v[i].end > v[best].end)
			best = i;
	}
	free(buf);
	return ret;
}

static int read_section_headers(struct obj *obj)
{
	unsigned int n = 0, shstrndx = 0;

	if (read_counts(obj, &n, &shstrndx))
		return -1;
	obj->orig_secs = calloc(n ? n : 1, sizeof(*obj->orig_secs));
	obj->secs = calloc(n ? n : 1, sizeof(*obj->secs));
	if (!obj->orig_secs || !obj->secs)
		return obj_nomem();
	obj->nsecs = obj->norig_secs = obj->secs_cap = n;
	for (unsigned int i = 0; i < n; i++) {
		struct section *sec = &obj->orig_secs[i];

		sec->idx = i;
		sec->name = "";
		obj->secs[i] = sec;
		sec->scn = elf_getscn(obj->elf, i);
		if (!sec->scn || !gelf_getshdr(sec->scn, &sec->sh))
			return obj_set_error(OBJ_ERR_CORRUPT,
					     "section %u: header: libelf: %s",
					     i, elf_errmsg(-1));
		sec->size = sec->sh.sh_size;
	}
	if (!n)
		return 0;
	obj->shstrtab = obj->secs[shstrndx];
	/* Names first, so that the errors below can give them. */
	if (check_section_range(obj, obj->shstrtab) || read_section_names(obj))
		return -1;
	for (unsigned int i = 1; i < n; i++)
		if (check_section_range(obj, obj->secs[i]) ||
		    check_section_links(obj, obj->secs[i]))
			return -1;
	return check_overlaps(obj);
}

static int check_table_shape(struct section *sec, size_t entsize)
{
	if (sec->sh.sh_flags & SHF_COMPRESSED)
		return obj_sec_error(sec, "compressed table");
	/* Linkers refuse a table that declares another entry size. */
	if (sec->sh.sh_type == SHT_RELA && sec->sh.sh_entsize != entsize)
		return obj_sec_error(sec, "entry size %llu, not %zu",
				     (unsigned long long)sec->sh.sh_entsize,
				     entsize);
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
	const uint32_t *w;
	size_t n = sec->sh.sh_size / 4;

	if (check_table_shape(sec, 4) || link_symtab(obj, sec))
		return -1;
	if (n < 1 || sec->sh.sh_offset % 4)
		return obj_sec_error(sec, "empty or misaligned group");
	w = obj_input_bytes(obj, sec);
	if (!w)
		return -1;
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
			ret = read_rela_section(obj, sec) ||
			      obj_check_relocs(obj, sec);
			break;
		case SHT_LLVM_ADDRSIG:
			obj->addrsig = sec;
			break;
		}
		if (ret)
			return -1;
		if (sec->sh.sh_flags & SHF_COMPRESSED) {
			GElf_Chdr ch;

			if (sec->sh.sh_size < sizeof(Elf64_Chdr) ||
			    !gelf_getchdr(sec->scn, &ch))
				return obj_sec_error(sec, "truncated compression header");
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

/*
 * A private mapping, not ELF_C_READ_MMAP: elf_compress() writes the header
 * of a section it decompresses, in place.  Pages stay shared with the page
 * cache until written.
 */
static int open_elf(struct obj *obj)
{
	/* O_NONBLOCK: a FIFO must be refused below, not waited on. */
	obj->fd = open(obj->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (obj->fd < 0 || fstat(obj->fd, &obj->st))
		return obj_set_error(OBJ_ERR_IO, "%s", strerror(errno));
	if (!S_ISREG(obj->st.st_mode))
		return obj_set_error(OBJ_ERR_IO, "not a regular file");
	if (obj->st.st_size == 0)
		return obj_set_error(OBJ_ERR_NOT_ELF, "empty file");
	return obj_begin(obj, elf_begin(obj->fd, ELF_C_READ_MMAP_PRIVATE, NULL));
}

int obj_begin(struct obj *obj, Elf *elf)
{
	char *image;

	if (!elf)
		return explain_refusal(obj);
	obj->elf = elf;
	image = elf_rawfile(elf, &obj->map_size);
	if (!image)
		return obj_set_error(OBJ_ERR_IO, "libelf: %s", elf_errmsg(-1));
	obj->map = (const unsigned char *)image;
	return 0;
}

static struct obj *obj_new(const char *name, enum obj_open_mode mode)
{
	struct obj *obj = calloc(1, sizeof(*obj));

	errkind = OBJ_ERR_NONE;
	errbuf[0] = 0;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		free(obj);
		obj_set_error(OBJ_ERR_IO, "libelf: %s", elf_errmsg(-1));
		return NULL;
	}
	if (!obj || !(obj->path = strdup(name))) {
		free(obj);
		obj_nomem();
		return NULL;
	}
	obj->fd = -1;
	obj->mode = mode;
	return obj;
}

static int read_model(struct obj *obj)
{
	return check_ident(obj) || check_type(obj) ||
	       read_section_headers(obj) || read_symbol_tables(obj) ||
	       read_sections(obj) ? -1 : 0;
}

struct obj *obj_open(const char *path, enum obj_open_mode mode)
{
	struct obj *obj = obj_new(path, mode);

	if (!obj)
		return NULL;
	if (open_elf(obj) || read_model(obj)) {
		obj_close(obj);
		return NULL;
	}
	return obj;
}

/*
 * The same from a copy of SIZE bytes at BUF (a fuzzer's input; the copy,
 * because libelf writes the headers of sections it decompresses).  It can
 * be written with obj_write() only to an OUT, which gets mode 0644 when new.
 */
struct obj *obj_open_memory(const void *buf, size_t size, const char *name,
			    enum obj_open_mode mode)
{
	struct obj *obj = obj_new(name, mode);

	if (!obj)
		return NULL;
	obj->st.st_mode = S_IFREG | 0644;
	obj->st.st_size = size;
	obj->map_size = size;
	obj->mem = malloc(size ? size : 1);
	if (!obj->mem)
		obj_nomem();
	else if (size == 0)
		obj_set_error(OBJ_ERR_NOT_ELF, "empty file");
	else if (size < SELFMAG || memcmp(buf, ELFMAG, SELFMAG))
		check_magic(buf, size);
	else if (!obj_begin(obj, elf_memory(memcpy(obj->mem, buf, size),
					    size)) && !read_model(obj))
		return obj;
	obj_close(obj);
	return NULL;
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
	free(obj->mem);
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
