/* SPDX-License-Identifier: MIT */
/*
 * Reading a linked executable or shared library: its .static_call_sites
 * table through the bytes and the dynamic relocations, and the references
 * to trampolines through the decoded code, the PLT and the GOT.
 */
#ifndef SCPATCH_LINKED_H
#define SCPATCH_LINKED_H

#include "sites.h"
#include "view.h"

int linked_table_entries(struct view *v, struct sc_entry **out, size_t *count);
int linked_find_refs(struct view *v, struct sc_ref **out, size_t *count);

/* Fill the section/func fields of a location at ADDR in a linked file. */
void linked_locate(struct view *v, uint64_t addr, const char **section,
		   unsigned *section_index, uint64_t *offset,
		   const char **func, uint64_t *func_offset);

#endif
