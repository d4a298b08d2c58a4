/* SPDX-License-Identifier: MIT */
/* Shared between the passes of `scpatch check` (check.c, check_tramp.c). */
#ifndef SCPATCH_CHECK_H
#define SCPATCH_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"

struct obj;
struct sc_file;
struct sc_entry;
struct sc_ref;
struct srcpos_file;

/* One file being checked. */
struct check_file {
	const char *path;
	bool linked;			/* ET_EXEC or ET_DYN */
	struct sc_file *sc;
	struct obj *obj;		/* sc_obj(sc), for trampolines; not owned */
	bool symtab;			/* has .symtab: targets can be named */
	struct sc_entry *entries;	/* owned by sc */
	size_t nentries;
	const struct sc_entry *last_good;	/* last entry found valid */
	struct sc_ref *refs;		/* owned by sc */
	size_t nrefs;
	struct sc_ref **by_field;	/* refs sorted by (section, field) */
	bool *in_table;			/* per ref: an entry covers it */
	size_t unannotated;		/* sites that no entry covers */
	size_t ntramps;			/* trampolines defined here */
	struct srcpos_file *pos;	/* NULL without debug information */
	bool pos_tried;			/* pos opened (on the first finding) */
	struct file_counts counts;
};

/* Where a finding is, in the terms of sites.h. */
struct check_place {
	const char *section;
	unsigned section_index;
	uint64_t offset;		/* in section */
	uint64_t addr;			/* linked files */
	const char *func;
	uint64_t func_offset;
};

/*
 * Report one finding; where may be NULL for a finding about the file.
 * The formatted message says what and which; detail (may be NULL) why.
 */
void check_emit(struct check_file *c, enum report_rule rule,
		const struct check_place *where, const char *name,
		const char *detail, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Verify that every trampoline the file defines can be retargeted with
 * one aligned store.  Returns 0, or -1 after printing an error. */
int check_trampolines(struct check_file *c);

#endif
