// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>

#include "diag.h"

bool verbose;

static void vprint(const char *file, const char *fmt, va_list ap)
{
	if (file)
		fprintf(stderr, "scpatch: %s: ", file);
	else
		fputs("scpatch: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void error_at(const char *file, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(file, fmt, ap);
	va_end(ap);
}

void note_at(const char *file, const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vprint(file, fmt, ap);
	va_end(ap);
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(NULL, fmt, ap);
	va_end(ap);
	fputs("Try 'scpatch --help'.\n", stderr);
	return EXIT_BAD;
}
