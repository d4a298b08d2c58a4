/* SPDX-License-Identifier: MIT */
/*
 * A read-only view of an ELF file for the site finder and the table
 * readers: section headers, symbols and RELA relocations straight from the
 * libelf mapping, every index and offset checked once here so that the
 * passes above can trust them.  Nothing is copied that need not be: a
 * relocatable object of hundreds of MB is scanned, not parsed.
 */
#ifndef SCPATCH_VIEW_H
#define SCPATCH_VIEW_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct view_sec {
	Elf64_Shdr sh;
	const char *name;
	const uint8_t *data;		/* NULL for SHT_NOBITS or empty */
	size_t size;
	unsigned rela;			/* index of the SHT_RELA section for it, 0 = none */
	/* Symbols defined in this section, sorted by value (built lazily). */
	unsigned *syms;
	size_t nsyms;
	bool syms_built;
};

struct view {
	const char *path;
	int fd;
	Elf *elf;
	Elf64_Ehdr eh;
	struct view_sec *secs;
	size_t nsecs;
	unsigned symtab;		/* section index of .symtab, 0 = none */
	const Elf64_Sym *syms;
	size_t nsyms;
	const char *strtab;
	size_t strsz;
	const Elf32_Word *xindex;	/* SHT_SYMTAB_SHNDX contents or NULL */
	size_t nxindex;
};

/* Open PATH read-only; prints the error and returns -1 on failure.  With
 * reject_lto, LTO objects are an error saying how to get machine code. */
int view_open(struct view *v, const char *path, bool reject_lto);
void view_close(struct view *v);

/* Name of symbol I ("" when out of range). */
const char *view_sym_name(const struct view *v, size_t i);
/* Section index of symbol I, SHN_XINDEX resolved; 0 when undefined/abs. */
unsigned view_sym_shndx(const struct view *v, size_t i);
/* True when symbol I binds within its image (local, hidden, internal). */
bool view_sym_binds_locally(const struct view *v, size_t i);

/* RELA entries of rela section R (NULL, 0 when it is not one). */
const Elf64_Rela *view_relas(const struct view *v, unsigned r, size_t *count);

/* The STT_FUNC symbol of section SEC covering OFF, or failing that the
 * closest defined non-section symbol at or below OFF; -1 when none. */
long view_sym_at(struct view *v, unsigned sec, uint64_t off, bool func_only);

/* Section index containing virtual address ADDR with all of FLAGS; 0 = none. */
unsigned view_sec_by_addr(const struct view *v, uint64_t addr, uint64_t flags);

/* Find a section by name (first match); 0 = none. */
unsigned view_sec_by_name(const struct view *v, const char *name);

/* Symbol named NAME (first match, -1 = none); linear, for rare lookups. */
long view_sym_by_name(const struct view *v, const char *name);

#endif
