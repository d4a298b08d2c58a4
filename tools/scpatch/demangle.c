// SPDX-License-Identifier: MIT
/*
 * Demangling through libstdc++'s __cxa_demangle, the Itanium C++ ABI's
 * reference demangler.  Why a dependency: a demangler is thousands of
 * lines that must track every new mangling rule, libdw does not export
 * one, and libstdc++ is on every machine that compiles C++ (it comes with
 * g++, part of build-essential).  The tool is linked with -lstdc++ for
 * this function only (scpatch.mk).
 */
#include <stddef.h>
#include <stdlib.h>

#include "demangle.h"

/* Declared by <cxxabi.h>, a C++ header; the function has C linkage. */
extern char *__cxa_demangle(const char *mangled, char *out, size_t *len,
			    int *status);

char *demangle(const char *name)
{
	int status;
	char *out;

	/* Only Itanium-mangled names: "_Z..." (C names stay as they are,
	 * and a C function called "_Zfoo" that fails to parse, too). */
	if (!name || name[0] != '_' || name[1] != 'Z')
		return NULL;
	out = __cxa_demangle(name, NULL, NULL, &status);
	if (status) {
		free(out);
		return NULL;
	}
	return out;
}
