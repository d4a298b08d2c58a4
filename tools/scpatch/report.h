/* SPDX-License-Identifier: MIT */
/*
 * Output of `scpatch check`: compiler-style text lines, JSON, or SARIF
 * 2.1.0.  check.c hands over findings and per-file counts; this file owns
 * every byte of the output format (see docs/check.md).
 *
 * Text goes out as findings arrive; JSON and SARIF are one document each,
 * written by report_end().  The report copies every string it is given,
 * so callers may free their data right after.
 */
#ifndef SCPATCH_REPORT_H
#define SCPATCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum report_format {
	REPORT_TEXT,
	REPORT_JSON,
	REPORT_SARIF,
};

/* What a finding is about; each has a fixed level and a SARIF rule id. */
enum report_rule {
	RULE_UNALIGNED_SITE,	/* warning: valid site, rel32 not aligned */
	RULE_INVALID_SITE,	/* error: table entry that does not match the code */
	RULE_UNALIGNED_TRAMP,	/* error: trampoline jmp rel32 not aligned */
	RULE_UNPATCHABLE_CALL,	/* warning: call through the GOT or a register */
	RULE_UNANNOTATED,	/* warning: site not in the table / no table */
	RULE_COUNT
};

struct finding {
	enum report_rule rule;
	const char *object;	/* the input file */
	const char *message;	/* what and which: "unaligned static call site 'x'" */
	const char *detail;	/* why, after the function; NULL if none */

	/* Where in the input: section and offset; the address too in a
	 * linked file.  section NULL for findings about a whole file. */
	const char *section;
	uint64_t offset;
	uint64_t addr;
	bool linked;
	const char *func;	/* NULL: not inside a known function */
	uint64_t func_offset;
	const char *name;	/* static call name, NULL if none */

	/* Source position, when the file has debug information. */
	const char *src_file;	/* NULL: unknown */
	int line;
	int column;		/* 0: unknown */
};

struct file_counts {
	size_t sites;		/* table entries */
	size_t aligned;		/* valid and aligned */
	size_t unaligned;	/* valid, not aligned */
	size_t invalid;		/* entries that do not match the code */
	size_t other;		/* trampoline, unpatchable and unannotated findings */
};

void report_begin(enum report_format format);
/* Every finding belongs to the file opened last. */
void report_file_begin(const char *object);
void report_finding(const struct finding *f);
/* Closes the file with its counts (the text summary line). */
void report_file_end(const struct file_counts *counts);
/* Closes a file that could not be read: listed in JSON and SARIF; the
 * error itself is already on stderr. */
void report_file_bad(void);
/* Writes the JSON or SARIF document and frees everything. */
void report_end(void);

#endif
