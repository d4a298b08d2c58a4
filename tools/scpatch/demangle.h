/* SPDX-License-Identifier: MIT */
/*
 * C++ names as people read them: check prints functions the way
 * addr2line -C, gdb and the compilers' diagnostics do.
 */
#ifndef SCPATCH_DEMANGLE_H
#define SCPATCH_DEMANGLE_H

/* The demangled form of NAME (malloc'd, for free()), or NULL when NAME is
 * not a mangled C++ name (or memory ran out: then the caller shows the
 * name as it is, which is still right). */
char *demangle(const char *name);

#endif
