// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim for tests: with FAILALLOC_AT=N, the Nth allocation and
 * every one after it fail, as when memory runs out for good.  With
 * FAILALLOC_COUNT=FILE, nothing fails and the number of allocations is
 * written to FILE at exit, so that a test knows how many points to try.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static unsigned long calls, fail_at;
static int configured;

static int fails(void)
{
	if (!configured) {
		const char *at = getenv("FAILALLOC_AT");

		fail_at = at ? strtoul(at, NULL, 10) : 0;
		configured = 1;
	}
	calls++;
	if (fail_at && calls >= fail_at) {
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void *malloc(size_t n)
{
	return fails() ? NULL : __libc_malloc(n);
}

void *calloc(size_t k, size_t n)
{
	return fails() ? NULL : __libc_calloc(k, n);
}

void *realloc(void *p, size_t n)
{
	return fails() ? NULL : __libc_realloc(p, n);
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("FAILALLOC_COUNT");
	FILE *f;

	if (!path || !(f = fopen(path, "w")))
		return;
	fprintf(f, "%lu\n", calls);
	fclose(f);
}
