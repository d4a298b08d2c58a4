/* SPDX-License-Identifier: MIT */
/*
 * Reading static call sites and trampoline references out of an ELF file:
 * a relocatable object (through its relocations) or a linked executable or
 * shared library (through the bytes, the dynamic relocations and the PLT).
 *
 * `scpatch list` and `scpatch check` are built on this; annotate uses the
 * same site finder on objects before it writes the table.  The reader is
 * read-only and never changes the file.
 *
 * Typical use:
 *
 *	struct sc_file *f = sc_open(path);
 *	struct sc_entry *e; size_t n;
 *	if (!f || sc_table_entries(f, &e, &n))
 *		return EXIT_BAD;		// the error is already printed
 *	for (size_t i = 0; i < n; i++)
 *		printf("%s+0x%lx %s\n", e[i].section, e[i].offset, e[i].name);
 *	sc_close(f);				// frees e too
 */
#ifndef SCPATCH_SITES_H
#define SCPATCH_SITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"

struct obj;

/* An opened file: ET_REL, ET_EXEC or ET_DYN, x86-64 ELF64 little endian. */
struct sc_file;

/*
 * Open PATH read-only with the object model (elf.h).  On error prints one
 * line ("scpatch: PATH: ...") and returns NULL.  LTO objects (GIMPLE sections or LLVM bitcode) are an
 * error that says how to get machine code first.
 */
struct sc_file *sc_open(const char *path);

/* Close F and free everything the functions below returned for it. */
void sc_close(struct sc_file *f);

/* True for ET_EXEC and ET_DYN, false for ET_REL. */
bool sc_is_linked(const struct sc_file *f);

/* The path given to sc_open (for diagnostics). */
const char *sc_path(const struct sc_file *f);

/*
 * The object model F reads (opened OBJ_READ), for passes that want more
 * than tables and references (trampolines, source lines) without opening
 * the file a second time.  Owned by F: valid until sc_close().
 */
struct obj *sc_obj(struct sc_file *f);

/*
 * One entry of the .static_call_sites table(s), decoded.
 *
 * Strings point into the file's string tables or into memory owned by F;
 * they live until sc_close().  Any of them may be NULL when the file does
 * not have the information (stripped, broken entry).
 */
struct sc_entry {
	/* Where the site is.  Objects: the text section holding the site and
	 * the offset of the instruction's opcode in it (addr == offset).
	 * Linked files: the output section containing the site, the offset
	 * relative to it, and the virtual address. */
	const char *section;
	unsigned section_index;		/* ELF section header index; 0 = none */
	uint64_t offset;
	uint64_t addr;

	/* The function symbol containing the site and the site's offset in
	 * it (NULL when no STT_FUNC covers the site). */
	const char *func;
	uint64_t func_offset;

	/* Static call name without prefix ("foo" for __SCT__foo), trampoline
	 * and key symbol names. */
	const char *name;
	const char *tramp;
	const char *key;

	/* STATIC_CALL_SITE_TAIL and/or STATIC_CALL_SITE_KEYREF (and INIT if
	 * some other tool set it) as stored in the table. */
	unsigned flags;

	/* The table entry itself: its section, and offset (object) or
	 * address (linked) of the entry. */
	const char *table_section;
	uint64_t table_pos;
	/* Objects: the section index the table fragment's SHF_LINK_ORDER
	 * names (sh_link), or 0 without SHF_LINK_ORDER (objtool's tables,
	 * linked files).  A fragment belongs to the code it links to. */
	unsigned table_link;

	/* The instruction decoded at the site address, which is its opcode
	 * byte (E8, E9 or 0F): a prefix such as the 67 that the -fno-plt
	 * rewrite writes (`67 e8 rel32`) lies before it.  insn_ok is false
	 * when the bytes at the site do not decode as a direct call, jmp or
	 * jcc with a 4-byte displacement (stale or broken table). */
	struct insn insn;
	bool insn_ok;

	/* Address (linked) or section offset (object) of the rel32 field, and
	 * whether it is naturally aligned: field % 4 == 0 and, in an object,
	 * a section alignment of at least 4. */
	uint64_t rel32_pos;
	bool aligned;

	/* Linked files: false when the site lies outside every executable
	 * section (lld resolves references to discarded code to the image
	 * base; objtool-style tables have no SHF_LINK_ORDER).  Objects: false
	 * when the entry's relocations are missing or do not name a section.
	 * `list` prints only valid entries. */
	bool valid;
};

/*
 * Decode every entry of every .static_call_sites section of F.  Sets *out
 * (owned by F) and *count; entries are sorted by (section_index, offset),
 * in objects and in linked files alike.  A file without a table gives 0
 * entries.  Returns 0, or -1 after printing an error (malformed table).
 */
int sc_table_entries(struct sc_file *f, struct sc_entry **out, size_t *count);

/* What kind of reference to a __SCT__ trampoline an instruction or datum is. */
enum sc_ref_kind {
	SC_REF_SITE,		/* call/jmp/jcc rel32 (direct, or via a PLT entry) */
	SC_REF_GOT_CALL,	/* call/jmp *__SCT__x@GOTPCREL(%rip): annotate
				 * rewrites it in objects; in linked files it is
				 * a site that was not rewritten */
	SC_REF_GOT_LOAD,	/* GOT entry loaded into a register (clang
				 * -fno-plt): cannot be rewritten */
	SC_REF_OTHER,		/* address taken, data, anything else */
};

/* Short name of a kind: "site", "got-call", "got-load", "other". */
const char *sc_ref_kind_name(enum sc_ref_kind kind);

/* One reference to a trampoline. */
struct sc_ref {
	enum sc_ref_kind kind;

	/* Where the referring instruction (or datum) is, as in sc_entry.
	 * For SC_REF_SITE, offset/addr are the site as a table records it
	 * (the opcode byte, after any prefix); for other instructions the
	 * instruction's first byte; for data the referring field. */
	const char *section;
	unsigned section_index;
	uint64_t offset;
	uint64_t addr;
	const char *func;
	uint64_t func_offset;

	const char *name;		/* static call name, without __SCT__ */
	const char *tramp;		/* __SCT__name */

	/* The instruction (when in_code) and the referring field: relocation
	 * offset in an object, rel32/disp address in a linked file. */
	bool in_code;
	struct insn insn;
	uint64_t field_pos;
	unsigned reloc_type;		/* objects: R_X86_64_*; linked: 0 */

	/* For SC_REF_SITE: TAIL for jmp/jcc, and whether the rel32 field is
	 * naturally aligned (as in sc_entry). */
	unsigned flags;
	bool aligned;
};

/*
 * Find every reference to a __SCT__ symbol in F.
 * Objects: every relocation against a __SCT__ symbol, classified by the
 * instruction it sits in (decoded from the start of the containing
 * function, so that instruction boundaries are proven).
 * Linked files: every direct branch in the executable sections whose target
 * is a trampoline or a .plt/.plt.sec entry resolving (through .rela.plt) to
 * one, RIP-relative operands naming a GOT slot of a trampoline, and dynamic
 * relocations whose value is a trampoline.
 * Sorted by (section_index, offset) in objects, by address in linked
 * files.  Returns 0, or -1 after printing an
 * error.
 */
int sc_find_refs(struct sc_file *f, struct sc_ref **out, size_t *count);

#endif
