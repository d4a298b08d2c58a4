/* SPDX-License-Identifier: MIT */
/*
 * Reading the .static_call_sites sections of a relocatable object through
 * their relocations: ours (one fragment per text section, KEYREF slots),
 * objtool's (one table, direct keys, alignment 1) and the output of ld -r
 * (fragments merged into one section).
 */
#ifndef SCPATCH_OBJTABLE_H
#define SCPATCH_OBJTABLE_H

#include "view.h"

struct obj_entry {
	unsigned table_sec;	/* the table section and the entry's offset */
	uint64_t table_off;
	unsigned text_sec;	/* 0 when the addr field names no section */
	uint64_t site;		/* offset of the opcode in text_sec */
	long key_sym;		/* the __SCK__ symbol; -1 when not resolved */
	unsigned flags;		/* as stored (TAIL, INIT, KEYREF) */
};

/* Every entry of every table section of V, in table order.  Returns 0, or
 * -1 after printing an error. */
int obj_read_tables(struct view *v, struct obj_entry **out, size_t *count);

/* True for a section that holds a static call table. */
bool is_table_section(const struct view *v, unsigned sec);

#endif
