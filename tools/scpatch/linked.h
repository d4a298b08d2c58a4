/* SPDX-License-Identifier: MIT */
/*
 * Reading a linked executable or shared library: its .static_call_sites
 * table through the bytes and the dynamic relocations, and the references
 * to trampolines through the decoded code, the PLT and the GOT.
 */
#ifndef SCPATCH_LINKED_H
#define SCPATCH_LINKED_H

#include "elf.h"
#include "sites.h"

int linked_table_entries(struct obj *obj, struct sc_entry **out,
			 size_t *count);
int linked_find_refs(struct obj *obj, struct sc_ref **out, size_t *count);

#endif
