// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD interposer: mprotect() requests for write+execute fail with
 * EACCES after FAIL_MPROTECT successful ones (as under SELinux execmod),
 * so that an update fails part-way through making its pages writable.
 * FAIL_MPROTECT unset or "off": nothing fails.  FAIL_MPROTECT_PARTIAL set:
 * the refused call first changes its first page, as Linux may do when a
 * range spans several mappings and one of them refuses.
 * FAIL_MPROTECT_RESTORE: the same for requests that take write permission
 * away from executable pages (restoring read+execute after an update),
 * which then change nothing: the page stays writable and executable.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Whether the next call of a kind is refused, after limit granted ones. */
static int refuse(const char *limit, int *granted)
{
	return limit && strcmp(limit, "off") && (*granted)++ >= atoi(limit);
}

int mprotect(void *addr, size_t len, int prot)
{
	static int (*real)(void *, size_t, int);
	static int granted, restored;

	if (!real)
		real = (int (*)(void *, size_t, int))dlsym(RTLD_NEXT, "mprotect");
	if ((prot & PROT_EXEC) && !(prot & PROT_WRITE) &&
	    refuse(getenv("FAIL_MPROTECT_RESTORE"), &restored)) {
		errno = EACCES;
		return -1;
	}
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC) &&
	    refuse(getenv("FAIL_MPROTECT"), &granted)) {
		if (getenv("FAIL_MPROTECT_PARTIAL"))
			real(addr, 4096, prot);
		errno = EACCES;
		return -1;
	}
	return real(addr, len, prot);
}
