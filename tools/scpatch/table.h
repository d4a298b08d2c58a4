/* SPDX-License-Identifier: MIT */
/*
 * Writing the .static_call_sites fragments of a relocatable object through
 * the object model: one fragment per text section with sites, sorted,
 * SHF_LINK_ORDER to its text and in its COMDAT group; KEYREF slots for keys
 * that do not bind locally; the anchor reference; existing tables (ours,
 * objtool's, ld -r merged ones) reused and split so that a second run
 * changes nothing.
 */
#ifndef SCPATCH_TABLE_H
#define SCPATCH_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "elf.h"

/* One wanted table entry. */
struct table_site {
	struct section *text;	/* the code */
	uint64_t site;		/* offset of the opcode */
	struct symbol *key;	/* the __SCK__ symbol */
	unsigned flags;		/* STATIC_CALL_SITE_TAIL or 0 */
	bool from_table;	/* found in an existing table, not in the code */
};

/*
 * Make OBJ's tables hold exactly IN->sites (sorted by (text->idx, site), no
 * duplicates).  IN->old_tables lists the existing table sections.
 * Leaves OBJ unchanged when the tables already are what they should be.
 * A key that is undefined here, preemptible, and named by nothing in the
 * object but the runtime header's R_X86_64_NONE markers and the KEYREF
 * slots becomes STB_WEAK, so that an image calling a static call exported
 * by EXPORT_STATIC_CALL_TRAMP (trampoline only) links, its slot holding 0
 * (the runtime skips such entries).  Returns 0, or -1 after printing an
 * error.
 */
struct table_input {
	const struct table_site *sites;
	size_t n;
	struct section *const *old_tables;
	size_t nold;
};

int table_emit(struct obj *obj, const struct table_input *in);

/* Name of the section that holds the KEYREF slots. */
#define KEYREF_SECTION ".data.rel.ro.static_call_keyref"

#endif
