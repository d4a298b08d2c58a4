/* SPDX-License-Identifier: MIT */
/* Diagnostics: one line each, "scpatch: FILE: what is wrong". */
#ifndef SCPATCH_DIAG_H
#define SCPATCH_DIAG_H

#include <stdbool.h>

#define EXIT_PROBLEMS	1	/* check found unaligned or invalid sites */
#define EXIT_BAD	2	/* bad usage or bad input */

extern bool verbose;

/* "scpatch: FILE: message" on stderr; file may be NULL. */
void error_at(const char *file, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same form, printed only with -v. */
void note_at(const char *file, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "scpatch: message" and a pointer to --help; returns EXIT_BAD. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
