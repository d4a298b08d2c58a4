/* SPDX-License-Identifier: MIT */
/*
 * The object model: sections, symbols and RELA relocations of one x86-64
 * ELF64 little-endian file, read and written through libelf, with hash
 * lookups, the checks the passes rely on and a safe write-back.  Modelled
 * on objtool's elf.h; names carry an obj_ prefix so that nothing collides
 * with libelf's elf_* functions.
 *
 * Errors: every function that can fail returns -1 or NULL and leaves a
 * one-line message (no file name, no "scpatch:") in obj_errmsg(); callers
 * print it with error_at(path, "%s", obj_errmsg()).  Nothing in the model
 * exits or aborts.
 *
 * Speed: libelf maps the input and hands out pointers into the mapping;
 * section contents and relocations are read lazily, per section; the name
 * hash is built on the first lookup; sections that did not change are
 * written from the input's bytes.  See docs/object-model.md.
 *
 * Pointers stay valid until obj_close(): sections, symbols and relocations
 * are never moved once created (adding relocations to a section does not move
 * the section's existing relocations).  Only the contents pointer of a
 * section changes when its data is replaced or grown.
 */
/*
 * This file shadows the system's <elf.h> when tools/scpatch is on the -I
 * path: when libelf.h (half-read, before its own declarations) asks for
 * <elf.h>, hand it the real one.  The tool builds with -iquote and needs
 * none of this; test drivers of other areas still compile with -I.
 */
#if defined(_LIBELF_H) && !defined(ELF_F_DIRTY)
#include_next <elf.h>
#elif !defined(SCPATCH_ELF_H)
#define SCPATCH_ELF_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct obj;
struct symtab;
struct obj_relocs;
struct obj_bysym;

struct section {
	const char *name;
	unsigned int idx;		/* section header index */
	/*
	 * The header as it will be written.  sh_offset is the input offset
	 * (recomputed on write); sh_size is the stored size, which for an
	 * SHF_COMPRESSED section is the compressed size: use ->size.  Changed
	 * compressed sections are compressed again on write.
	 */
	GElf_Shdr sh;
	size_t size;			/* size of the contents obj_section_data() returns */
	struct section *rela;		/* SHT_RELA section applying to this one */
	struct section *base;		/* for a SHT_RELA section: its target */
	struct section *group;		/* SHT_GROUP section containing this one */
	struct symtab *symtab;		/* SHT_RELA/SHT_GROUP: the linked table */
	struct symbol *sym;		/* its STT_SECTION symbol, if any */
	bool is_new;			/* created by obj_create_section() */
	bool data_changed;		/* contents were replaced or written */
	bool hdr_changed;		/* a setter changed the header */

	/* private to the model (elf*.c) */
	Elf_Scn *scn;			/* in the input's libelf handle */
	const void *input;		/* obj_input_bytes(), once read */
	void *data;
	bool data_loaded, data_owned;
	struct obj_relocs *relocs;
	/* relocs->base and ->nbase once loaded (0 before), for obj_reloc()
	 * inline */
	struct reloc *reloc_base;
	size_t reloc_nbase;
	struct obj_bysym *by_value;
};

struct symbol {
	const char *name;
	struct section *sec;		/* NULL: undefined, absolute, common */
	GElf_Sym sym;			/* st_shndx as stored; see ->shndx */
	/*
	 * Index in its table, current for every symbol the model hands out
	 * after the last obj_add_symbol(); a pointer kept across adding a
	 * local may hold the old one: use obj_symbol_index() for it.
	 */
	unsigned int idx;
	unsigned int shndx;		/* section index, SHN_XINDEX resolved */
	unsigned char bind;		/* STB_* */
	unsigned char type;		/* STT_* */
	unsigned char vis;		/* STV_* */
	bool is_new;			/* created by obj_add_symbol() */

	/* private to the model (elf*.c) */
	struct symtab *table;
	unsigned int orig_idx;
	uint32_t name_hash;
	struct symbol *hash_next;
};

/* One RELA relocation; r_info is split into ->sym and ->type. */
struct reloc {
	uint64_t offset;		/* in the base section */
	int64_t addend;
	struct symbol *sym;		/* NULL for symbol index 0 */
	uint32_t type;			/* R_X86_64_* */
	/* No is_new: the added ones are those past the file's (see
	 * obj_reloc()), and nothing asked it of each. */
};

enum obj_open_mode {
	OBJ_READ,	/* any ET_REL, ET_EXEC or ET_DYN; changes are refused */
	OBJ_MODIFY,	/* ET_REL only; changes allowed, obj_write() */
};

/* Why obj_open() failed, for callers that word some cases themselves. */
enum obj_error_kind {
	OBJ_ERR_NONE,
	OBJ_ERR_IO,		/* open, stat, read, mmap, write, rename */
	OBJ_ERR_NOT_ELF,	/* not an ELF file at all */
	OBJ_ERR_BITCODE,	/* LLVM bitcode (clang -flto object) */
	OBJ_ERR_WRONG_CLASS,	/* ELF, but not x86-64 ELF64 LSB */
	OBJ_ERR_WRONG_TYPE,	/* e.g. ET_EXEC opened with OBJ_MODIFY, ET_CORE */
	OBJ_ERR_CORRUPT,	/* malformed contents */
	OBJ_ERR_NOMEM,
	OBJ_ERR_USAGE,		/* API misuse, e.g. a change in OBJ_READ mode */
};

/* The last error message (one line, no file name) and its kind. */
const char *obj_errmsg(void);
enum obj_error_kind obj_errkind(void);

/* ---- open, inspect, close ------------------------------------------- */

/*
 * Opens and validates PATH, once: ELF header, section headers (ranges,
 * sh_link of every section, no two sections or a section and the headers
 * sharing bytes), section names, every string table's final NUL, symbol
 * tables (entry size, names, section indices incl. reserved ones),
 * sh_link/sh_info of RELA and GROUP sections, and every relocation (symbol
 * index, a type x86-64 defines, its field inside its section).  Compressed
 * contents are validated when they are first decompressed.  An SHT_REL
 * section is an error.
 */
struct obj *obj_open(const char *path, enum obj_open_mode mode);
/*
 * The same from a copy of SIZE bytes at BUF (e.g. a fuzzer's input); NAME
 * stands for the file in obj_path().  Such an object can be written only to
 * an OUT (obj_write() with OUT NULL is refused); a new OUT gets mode 0644.
 */
struct obj *obj_open_memory(const void *buf, size_t size, const char *name,
			    enum obj_open_mode mode);
/* Frees everything; never writes. */
void obj_close(struct obj *obj);

const char *obj_path(const struct obj *obj);
const GElf_Ehdr *obj_ehdr(const struct obj *obj);	/* e_type etc. */
bool obj_is_relocatable(const struct obj *obj);		/* ET_REL */
/* True once anything was changed: obj_write() would write. */
bool obj_changed(const struct obj *obj);

/* ---- sections --------------------------------------------------------- */

/* Number of section headers, including the null section 0. */
unsigned int obj_nsections(const struct obj *obj);
/* NULL if idx is out of range (index 0 is the null section). */
struct section *obj_section(const struct obj *obj, unsigned int idx);
/* The first section named NAME (lowest index); hash lookup. */
struct section *obj_find_section(struct obj *obj, const char *name);
/* The next section after SEC with the same name, or NULL. */
struct section *obj_find_next_section(struct obj *obj, struct section *sec);

/* Sections in index order, from 1 (the null section is skipped). */
#define obj_for_each_section(obj, sec)					\
	for (unsigned int __i = 1;					\
	     __i < obj_nsections(obj) && ((sec) = obj_section(obj, __i)); \
	     __i++)

/*
 * The contents (decompressed if SHF_COMPRESSED), ->size bytes, read-only;
 * NULL with an error if they cannot be read.  SHT_NOBITS and empty sections
 * give a valid pointer; never read past ->size.
 */
const void *obj_section_data(struct obj *obj, struct section *sec);
/* A private, writable copy of the contents; marks the section changed. */
void *obj_section_data_writable(struct obj *obj, struct section *sec);
/*
 * Replaces the contents with SIZE bytes copied from DATA (DATA may be NULL:
 * zero bytes).  Returns the new writable contents or NULL.
 */
void *obj_section_set_data(struct obj *obj, struct section *sec,
			   const void *data, size_t size);
/*
 * Replaces the contents with the SIZE bytes at BUF, a malloc'ed buffer
 * that the model takes over (no copy): it is freed when the contents are
 * replaced again or the object is closed, and stays the section's
 * contents (readable, writable) until then; the caller must not free it.
 * Returns BUF, or NULL (BUF still the caller's) for an object opened
 * OBJ_READ, section 0, an SHT_NOBITS section or BUF NULL.
 */
void *obj_section_take_data(struct obj *obj, struct section *sec, void *buf,
			    size_t size);
/* Grows (or shrinks) the contents to SIZE; new bytes are zero. */
void *obj_section_resize(struct obj *obj, struct section *sec, size_t size);
/* Appends SIZE bytes (zero if DATA is NULL); returns their offset or -1. */
int64_t obj_section_append(struct obj *obj, struct section *sec,
			   const void *data, size_t size);

/* Header setters; they mark the object changed. */
int obj_section_set_flags(struct obj *obj, struct section *sec, uint64_t flags);
int obj_section_set_link(struct obj *obj, struct section *sec,
			 unsigned int link);
int obj_section_set_info(struct obj *obj, struct section *sec,
			 unsigned int info);
int obj_section_set_align(struct obj *obj, struct section *sec,
			  uint64_t align);
int obj_section_set_entsize(struct obj *obj, struct section *sec,
			    uint64_t entsize);

/*
 * Creates a section at the next index (indices of existing sections never
 * change).  DATA may be NULL (zero bytes; also for SHT_NOBITS).  The name is
 * copied.  No STT_SECTION symbol is created; see obj_section_symbol().
 */
struct section *obj_create_section(struct obj *obj, const char *name,
				   uint32_t type, uint64_t flags,
				   uint64_t entsize, uint64_t addralign,
				   const void *data, size_t size);
/*
 * The SHT_RELA section of SEC, created when missing (".rela" + name,
 * SHF_INFO_LINK, linked to .symtab, in SEC's group if SEC has one).
 */
struct section *obj_section_rela(struct obj *obj, struct section *sec);

/* ---- COMDAT and other section groups ---------------------------------- */

/* The signature symbol of an SHT_GROUP section (its sh_info). */
struct symbol *obj_group_signature(struct obj *obj, struct section *group);
/* GRP_COMDAT etc.: the flag word of an SHT_GROUP section. */
uint32_t obj_group_flags(struct obj *obj, struct section *group);
/* Appends SEC to GROUP (sets SHF_GROUP on SEC, ->group). */
int obj_group_add(struct obj *obj, struct section *group, struct section *sec);

/* ---- symbols ---------------------------------------------------------- */

/* .symtab and .dynsym (either may be NULL). */
struct symtab *obj_symtab(const struct obj *obj);
struct symtab *obj_dynsym(const struct obj *obj);
/* Number of symbols in TAB including the null symbol 0 (0 if TAB is NULL). */
unsigned int obj_nsymbols(const struct symtab *tab);
/* The symbol at current index IDX, or NULL. */
struct symbol *obj_symbol(const struct symtab *tab, unsigned int idx);

/* Symbols of TAB in current index order, from 1. */
#define obj_for_each_symbol(tab, sym)					\
	for (unsigned int __j = 1;					\
	     __j < obj_nsymbols(tab) && ((sym) = obj_symbol(tab, __j));	\
	     __j++)

/*
 * The symbol named NAME: in .symtab first, then .dynsym; among several of
 * the same name the lowest index.  The name hash (XXH3) is built on the
 * first call.  obj_find_next_symbol() gives the next one of the same name
 * in the same table.
 */
struct symbol *obj_find_symbol(struct obj *obj, const char *name);
struct symbol *obj_find_next_symbol(struct obj *obj, struct symbol *sym);
/* Same, in one table only. */
struct symbol *obj_find_symbol_in(struct obj *obj, struct symtab *tab,
				  const char *name);
/* Calls FN for every symbol of TAB whose name starts with PREFIX, in index
 * order; stops and returns FN's value when it is not 0. */
int obj_for_each_symbol_prefixed(struct obj *obj, struct symtab *tab,
				 const char *prefix,
				 int (*fn)(struct symbol *sym, void *arg),
				 void *arg);

/*
 * Symbols defined in SEC (.symtab, or .dynsym when there is no .symtab)
 * whose [st_value, st_value + st_size) contains OFFSET; an STT_FUNC wins over
 * other types, then the one starting nearest below OFFSET, then the one with
 * the highest index among equal starts.  Zero-size
 * symbols contain nothing.  A sorted per-section index is built on first use
 * (and rebuilt after symbol changes).  For linked files OFFSET is relative
 * to the section start as well (st_value - sh_addr).
 */
struct symbol *obj_find_symbol_containing(struct obj *obj,
					  struct section *sec,
					  uint64_t offset);
/* Same, STT_FUNC (and STT_GNU_IFUNC) only. */
struct symbol *obj_find_func_containing(struct obj *obj, struct section *sec,
					uint64_t offset);
/*
 * obj_find_func_containing(), which also sets *SAME_UNTIL: every offset
 * from OFFSET up to it (excluded) has the same answer, as long as no
 * symbol changes; for passes that ask in offset order.
 */
struct symbol *obj_find_func_containing_span(struct obj *obj,
					     struct section *sec,
					     uint64_t offset,
					     uint64_t *same_until);
/* A symbol starting exactly at OFFSET in SEC (STT_FUNC first), or NULL. */
struct symbol *obj_find_symbol_at(struct obj *obj, struct section *sec,
				  uint64_t offset);

/*
 * Adds a symbol to .symtab.  SEC may be NULL (SHN_UNDEF).  A local symbol
 * goes after the existing locals, and every reference to the globals it
 * moves is renumbered when the object is written (relocations, group
 * signatures, .symtab_shndx, sh_info of .symtab, .llvm_addrsig).  Cost:
 * O(1); the globals' ->idx are brought up to date in one pass when next
 * needed (see ->idx).  The name is copied.
 */
struct symbol *obj_add_symbol(struct obj *obj, const char *name,
			      struct section *sec, uint64_t value,
			      uint64_t size, unsigned char bind,
			      unsigned char type, unsigned char vis);
/* The current index of SYM (see ->idx). */
unsigned int obj_symbol_index(const struct symbol *sym);
/* The STT_SECTION symbol of SEC, created when missing. */
struct symbol *obj_section_symbol(struct obj *obj, struct section *sec);
/* Call after changing sym->sym (st_value, st_size, st_other, the type)
 * directly.  Changing its section or binding is not supported. */
void obj_symbol_changed(struct obj *obj, struct symbol *sym);

/* ---- relocations ------------------------------------------------------ */

/*
 * Relocations apply to a base section SEC (not to its .rela section); for a
 * RELA section with no target section (.rela.dyn of a linked file) pass
 * the RELA section itself.  They were validated at open, and are parsed on
 * first use, per section, into one array.
 * Returns the count, 0 if SEC has none, -1 on error.
 */
long obj_nrelocs(struct obj *obj, struct section *sec);
/* The I-th relocation of SEC in file order (added ones last), or NULL. */
struct reloc *obj_reloc_slow(struct obj *obj, struct section *sec, size_t i);

/* Passes walk every relocation this way, ten million calls on a large
 * object: those read from the file cost no call once loaded. */
static inline struct reloc *obj_reloc(struct obj *obj, struct section *sec,
				      size_t i)
{
	if (i < sec->reloc_nbase)
		return &sec->reloc_base[i];
	return obj_reloc_slow(obj, sec, i);
}

#define obj_for_each_reloc(obj, sec, r)					\
	for (size_t __k = 0; ((r) = obj_reloc(obj, sec, __k)); __k++)

/* The relocation at exactly OFFSET in SEC (the first if several), or NULL. */
struct reloc *obj_find_reloc(struct obj *obj, struct section *sec,
			     uint64_t offset);
/* The relocation with the lowest offset in [OFFSET, OFFSET + LEN), or NULL. */
struct reloc *obj_find_reloc_range(struct obj *obj, struct section *sec,
				   uint64_t offset, uint64_t len);
/*
 * Appends a relocation to SEC (its .rela section is created when missing).
 * SYM NULL means symbol index 0 (R_X86_64_NONE markers).
 */
struct reloc *obj_add_reloc(struct obj *obj, struct section *sec,
			    uint64_t offset, uint32_t type,
			    struct symbol *sym, int64_t addend);
/*
 * Appends the N relocations at RELOCS (->offset, ->type, ->sym, ->addend
 * set), a malloc'ed array that the model takes
 * over, as N obj_add_reloc() calls would, without a copy.  Returns
 * RELOCS, whose elements are then SEC's and stay valid until obj_close(),
 * or NULL (RELOCS still the caller's).
 */
struct reloc *obj_take_relocs(struct obj *obj, struct section *sec,
			      struct reloc *relocs, size_t n);
/*
 * Keeps the first N relocations of SEC (in obj_reloc() order) and drops the
 * rest; pointers to the dropped ones must not be used afterwards.
 */
int obj_truncate_relocs(struct obj *obj, struct section *sec, size_t n);
/*
 * Call after changing ->offset, ->type, ->sym or ->addend of SEC's
 * relocations directly: rebuilds the offset index, marks them for writing.
 */
void obj_relocs_changed(struct obj *obj, struct section *sec);

/*
 * Fast raw scan for a pass that wants only the relocations against a few
 * symbols (e.g. every __SCT__ trampoline): calls FN for each relocation, in
 * any section, whose symbol is one of SYMS (all from the same table),
 * without building relocation arrays for the sections it reads.  FN gets
 * the base section (the RELA section itself for .rela.dyn) and a reloc
 * filled in on the stack (do not keep the pointer).  Stops and returns FN's value when it is not 0; -1 on error.
 */
int obj_scan_relocs_to(struct obj *obj, struct symbol *const *syms,
		       size_t nsyms,
		       int (*fn)(struct section *sec, const struct reloc *r,
				 void *arg),
		       void *arg);

/* ---- write-back ------------------------------------------------------- */

enum obj_write_flags {
	OBJ_WRITE_ALWAYS = 1,	/* write even when nothing changed */
	OBJ_WRITE_RELAYOUT = 2,	/* lay out and write the model even when
				 * nothing changed (tests of the writer) */
};

/*
 * Writes the object to OUT, or over the input when OUT is NULL, through a
 * temporary file in the destination's directory that is renamed into place
 * and gets the destination's mode and, where permitted, owner (the input's
 * mode for a new OUT).  When the destination is a symlink, the file it
 * points to is replaced and the link stays.  An unchanged object is not
 * written in place (unless OBJ_WRITE_ALWAYS); to OUT it is copied as is.
 * On failure the destination is unchanged and the temporary file removed.
 * Section order and indices are kept; contents are laid out in input offset
 * order, new sections last, each at its sh_addralign.
 */
int obj_write(struct obj *obj, const char *out, unsigned int flags);

#endif
