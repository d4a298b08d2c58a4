// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD interposer: mprotect() requests for write+execute fail with
 * EACCES after FAIL_MPROTECT successful ones (as under SELinux execmod),
 * so that an update fails part-way through making its pages writable.
 * FAIL_MPROTECT unset or "off": nothing fails.  FAIL_MPROTECT_PARTIAL set:
 * the refused call first changes its first page, as Linux may do when a
 * range spans several mappings and one of them refuses.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int mprotect(void *addr, size_t len, int prot)
{
	static int (*real)(void *, size_t, int);
	static int granted;
	const char *limit = getenv("FAIL_MPROTECT");

	if (!real)
		real = (int (*)(void *, size_t, int))dlsym(RTLD_NEXT, "mprotect");
	if (limit && strcmp(limit, "off") && (prot & PROT_WRITE) &&
	    (prot & PROT_EXEC) && granted++ >= atoi(limit)) {
		if (getenv("FAIL_MPROTECT_PARTIAL"))
			real(addr, 4096, prot);
		errno = EACCES;
		return -1;
	}
	return real(addr, len, prot);
}
