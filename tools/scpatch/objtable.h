/* SPDX-License-Identifier: MIT */
/*
 * Reading the .static_call_sites sections of a relocatable object through
 * their relocations: ours (one fragment per text section, KEYREF slots),
 * objtool's (one table, direct keys, alignment 1) and the output of ld -r
 * (fragments merged into one section).
 */
#ifndef SCPATCH_OBJTABLE_H
#define SCPATCH_OBJTABLE_H

#include "elf.h"

struct obj_entry {
	struct section *table;	/* the table section and the entry's offset */
	uint64_t table_off;
	struct section *text;	/* NULL when the addr field names no section */
	uint64_t site;		/* offset of the opcode in text */
	struct symbol *key;	/* the __SCK__ symbol; NULL when not resolved */
	unsigned flags;		/* as stored (TAIL, INIT, KEYREF) */
};

/* Every entry of every table section of OBJ, in table order.  Returns 0,
 * or -1 after printing an error. */
int obj_read_tables(struct obj *obj, struct obj_entry **out, size_t *count);

/* True for a section that holds a static call table. */
bool is_table_section(const struct section *sec);

#endif
