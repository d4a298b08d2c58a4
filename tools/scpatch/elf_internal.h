/* SPDX-License-Identifier: MIT */
/* Private to the object model (elf*.c): the parts of struct obj that the
 * passes do not see, and helpers shared by the model's files. */
#ifndef SCPATCH_ELF_INTERNAL_H
#define SCPATCH_ELF_INTERNAL_H

#include <sys/stat.h>

#include "elf.h"

#ifndef SHT_LLVM_ADDRSIG
#define SHT_LLVM_ADDRSIG 0x6fff4c03
#endif

/* Appended strings of a string table (.strtab, .shstrtab). */
struct strtab_ext {
	char *buf;
	size_t len, cap;
};

struct symtab {
	struct obj *obj;
	struct section *sec, *strtab, *shndx;
	const uint32_t *xindex;		/* contents of shndx */
	struct symbol *orig;		/* symbols read from the file */
	unsigned int norig;
	unsigned int orig_first_global;	/* sh_info as read */
	struct symbol **added_locals, **added_globals;
	unsigned int nadded_locals, nadded_globals;
	unsigned int added_locals_cap, added_globals_cap;
	struct strtab_ext names;	/* names of added symbols */
	/* Where they go: &names, or &obj->secnames when the table shares its
	 * string table with the section names (clang's single .strtab). */
	struct strtab_ext *names_ext;
	struct symbol **hash;		/* name hash, built on first lookup */
	struct symbol **hash_tail;	/* last of each chain */
	size_t hash_mask;
	unsigned int nscans;		/* lookups done without the hash */
	bool changed;			/* rewrite the table on write */
	bool idx_stale;			/* globals' ->idx lag added locals */
};

/* Relocations of one base section, parsed from its .rela section. */
struct obj_relocs {
	struct reloc *base;		/* as read from the file */
	size_t nbase;
	struct reloc **added;
	size_t nadded, added_cap;
	struct reloc *chunk;		/* current chunk for added relocs */
	size_t chunk_used, chunk_cap;
	struct reloc **chunks;		/* every chunk, for freeing */
	size_t nchunks;
	struct reloc **by_offset;	/* sorted index, NULL when not built */
	size_t hint;			/* lower_bound()'s last answer */
	bool base_sorted;		/* base in offset order, no index needed */
	bool index_valid;
	bool changed;			/* serialize from the structs on write */
};

/* Symbols of one section sorted by start, for containing lookups. */
struct obj_bysym {
	struct symbol **syms;
	uint64_t *max_end;		/* max end of syms[0..i] */
	size_t n, cap;
	size_t hint;			/* last answer of last_at_or_below() */
	bool dirty;			/* re-sort before the next lookup */
};

struct obj {
	char *path;
	int fd;
	enum obj_open_mode mode;
	/* The input image as libelf holds it (elf_rawfile): the mapping of
	 * the file, or ->mem. */
	const unsigned char *map;
	size_t map_size;
	char *mem;			/* obj_open_memory()'s copy */
	struct stat st;
	Elf *elf;			/* the input, read through libelf */
	GElf_Ehdr ehdr;
	bool changed;

	struct section **secs;		/* by index */
	unsigned int nsecs, secs_cap;
	struct section *orig_secs;	/* one block for the sections read */
	unsigned int norig_secs;
	struct section *shstrtab;
	struct strtab_ext secnames;	/* names of added sections */
	struct section **sec_hash, **sec_hash_tail;	/* by bucket */
	struct section **sec_hash_next;	/* by index: chain */
	size_t sec_hash_mask;
	unsigned int sec_hash_n;	/* sections hashed so far */

	struct symtab *symtab, *dynsym;
	struct section *addrsig;	/* clang's .llvm_addrsig */
	bool bysym_built;		/* every section's by_value is filled */
};

/* Sets the message returned by obj_errmsg(); returns -1 for convenience. */
int obj_set_error(enum obj_error_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same for a section: prefixes "section N (NAME): ". */
int obj_sec_error(const struct section *sec, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int obj_nomem(void);
/* Refuses changes to objects opened OBJ_READ. */
int obj_check_modifiable(struct obj *obj);

uint32_t obj_name_hash(const char *name);
void *obj_xrealloc_array(void *p, size_t n, size_t size);

/* The handle libelf opened (NULL: it refused), kept in OBJ. */
int obj_begin(struct obj *obj, Elf *elf);
/* The contents of SEC as in the input (compressed ones as stored),
 * sh_size bytes; NULL with an error when libelf cannot read them. */
const void *obj_input_bytes(struct obj *obj, struct section *sec);

/* elf_sym.c */
int obj_read_symtab(struct obj *obj, struct section *sec);
void obj_free_symtab(struct symtab *tab);
void obj_settle_indices(struct symtab *tab);
static inline unsigned int symtab_new_index(const struct symtab *tab,
					    unsigned int old)
{
	return old < tab->orig_first_global ? old : old + tab->nadded_locals;
}
static inline unsigned int symtab_first_global(const struct symtab *tab)
{
	return tab->orig_first_global + tab->nadded_locals;
}
/* The string of an added (offset >= strtab size) or original name. */
int strtab_ext_add(struct strtab_ext *ext, size_t base, const char *s,
		   size_t *offset);

/* elf_reloc.c */
/*
 * Bytes a relocation of TYPE writes into its section: 0 for markers
 * (R_X86_64_NONE, TLSDESC_CALL, the GNU vtable ones), -1 for a type that
 * x86-64 does not define.
 */
extern signed char obj_field_sizes[256];
extern bool obj_field_sizes_filled;
void obj_fill_field_sizes(void);

/* Asked once or twice per relocation (millions): a table, inline. */
static inline int obj_reloc_field_size(uint32_t type)
{
	if (type > 255)
		return -1;
	if (!obj_field_sizes_filled)
		obj_fill_field_sizes();
	return obj_field_sizes[type];
}
/*
 * A relocation at OFFSET of BASE leaves its whole field inside the section,
 * without wrapping.  A marker has no field: it may sit at the end, which in
 * an empty section is offset 0 (GAS and LLVM emit these for .reloc).
 */
static inline bool obj_reloc_fits(const struct section *base,
				  uint64_t offset, uint32_t type)
{
	int size = obj_reloc_field_size(type);

	if (size < 0 || offset > base->size)
		return false;
	if (size == 0)
		return true;
	return base->sh.sh_type != SHT_NOBITS &&
	       (uint64_t)size <= base->size - offset;
}
/* Every relocation of RELA, at open: symbol index, type, field in range. */
int obj_check_relocs(struct obj *obj, struct section *rela);
void obj_free_relocs(struct obj_relocs *rel);
int obj_load_relocs(struct obj *obj, struct section *sec);

/* elf_write.c */
int obj_write_file(struct obj *obj, const char *dest, bool copy_input);

#endif
