/* SPDX-License-Identifier: MIT */
/*
 * Source positions (FILE:LINE:COL) of code in an ELF file, from its DWARF
 * line table through libdwfl.
 *
 * A relocatable object's DWARF refers to its sections through relocations,
 * so it is read through libdwfl's offline reporting, which lays the
 * sections out at made-up addresses and applies the .rela.debug_*
 * sections; a (section, offset) pair is translated into that layout.
 * Linked files are looked up by address.  Compressed debug sections
 * (-gz, SHF_COMPRESSED or .zdebug) and separate debug files found through
 * build-id or .gnu_debuglink work as libdwfl reads them.
 *
 * The handle opens the file on its own, read-only, with its own Elf
 * handle: nothing it does is seen by the object model.
 */
#ifndef SCPATCH_SRCPOS_H
#define SCPATCH_SRCPOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct srcpos_file;

struct srcpos {
	const char *file;	/* as the line table names it; owned by the handle */
	int line;		/* 1-based */
	int column;		/* 1-based; 0 when the line table has none */
};

/*
 * Open the debug information of the ELF file at path.  Returns NULL when
 * the file cannot be read as ELF; a file without debug information gives a
 * handle whose lookups all fail (srcpos_has_lines() says so up front).
 */
struct srcpos_file *srcpos_open(const char *path);
void srcpos_close(struct srcpos_file *sf);

/* Whether the file has a line table at all. */
bool srcpos_has_lines(struct srcpos_file *sf);

/* Position of the byte at offset in section shndx (relocatable objects,
 * and linked files too: the section's sh_addr is added). */
bool srcpos_at_section(struct srcpos_file *sf, size_t shndx, uint64_t offset,
		       struct srcpos *pos);

/* Position of the byte at a link-time address (executables, shared
 * libraries). */
bool srcpos_at_addr(struct srcpos_file *sf, uint64_t addr,
		    struct srcpos *pos);

#endif
