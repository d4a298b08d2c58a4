// SPDX-License-Identifier: MIT
/*
 * Update latency of one key with the sites of sites_N.S (all aligned, as
 * scpatch's padding leaves them), and the cost of registering the image's
 * table as its stub does at load.  Prints "metric us" lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <static_call.h>

extern const struct static_call_site __start_static_call_sites[]
	__attribute__((weak, visibility("hidden")));
extern const struct static_call_site __stop_static_call_sites[]
	__attribute__((weak, visibility("hidden")));
void __scpatch_register(const struct static_call_site *start,
			const struct static_call_site *stop, const void *anchor);
void __scpatch_unregister(const void *anchor);

__attribute__((noinline)) long ta(long x) { return x + 1; }
__attribute__((noinline)) long tb(long x) { return x + 2; }

DEFINE_STATIC_CALL(upd, ta);

static char fake_anchor;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 101;
	double *t = calloc(reps, sizeof(*t)), t0;

	/* As the stub's constructor does: the table bounds and the image. */
	for (int r = 0; r < reps; r++) {
		t0 = now_us();
		__scpatch_register(__start_static_call_sites,
				   __stop_static_call_sites, &fake_anchor);
		t[r] = now_us() - t0;
		__scpatch_unregister(&fake_anchor);
	}
	printf("register %.3f\n", median(t, reps));
	t0 = now_us();
	if (static_call_update(upd, tb))
		return 1;
	printf("first-update %.3f\n", now_us() - t0);
	for (int r = 0; r < reps; r++) {
		t0 = now_us();
		if (static_call_update(upd, r & 1 ? tb : ta))
			return 1;
		t[r] = now_us() - t0;
	}
	printf("update %.3f\n", median(t, reps));
	printf("sites %ld\n", (long)(__stop_static_call_sites - __start_static_call_sites));
	return 0;
}
