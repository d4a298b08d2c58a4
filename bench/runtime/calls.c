// SPDX-License-Identifier: MIT
/*
 * Call cost: ns per call of the same loop with a direct call, a patched
 * static call, a static call through its trampoline, a function pointer
 * (also compiled with retpolines, in calls_retpoline.c), a PLT call into a
 * shared library, and a static call whose target is in that library.
 * Every loop calls an external function, so that the compiler emits the
 * same code around each call.  Prints "metric ns" lines.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <static_call.h>

long target(long x);		/* calls_target.c: same image */
long lib_target(long x);	/* libbench_target.so: another image */
long loop_retpoline(long (*f)(long), long n);

DEFINE_STATIC_CALL(sc_near, target);
DEFINE_STATIC_CALL(sc_far, target);

/* PAD bytes before the loop move its call to each alignment; the loops
 * are built with -fno-align-loops so that nothing moves them back. */
#define LOOP(name, pad, call)						\
__attribute__((noinline, aligned(64))) long name(long n)		\
{									\
	long s = 0;							\
	__asm__ volatile(".fill " #pad ", 1, 0x90");			\
	for (long i = 0; i < n; i++)					\
		s += call(i);						\
	return s;							\
}
#define NEAR(i) static_call(sc_near)(i)
#define FAR(i) static_call(sc_far)(i)
#define VARIANTS(pad)							\
	LOOP(direct_##pad, pad, target)					\
	LOOP(near_##pad, pad, NEAR)					\
	LOOP(far_##pad, pad, FAR)
VARIANTS(0) VARIANTS(1) VARIANTS(2) VARIANTS(3)

LOOP(plt_loop, 0, lib_target)

__attribute__((noinline)) long fp_loop(long (*f)(long), long n)
{
	long s = 0;

	for (long i = 0; i < n; i++)
		s += f(i);
	return s;
}

typedef long (*loop_fn)(long);
static const loop_fn directs[] = { direct_0, direct_1, direct_2, direct_3 };
static const loop_fn nears[] = { near_0, near_1, near_2, near_3 };
static const loop_fn fars[] = { far_0, far_1, far_2, far_3 };

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Whether the static call in loop f has its rel32 aligned. */
static int site_aligned(loop_fn f, const struct static_call_key *key)
{
	const unsigned char *p = (const unsigned char *)f;

	for (int i = 0; i < 200; i++) {
		int32_t rel;

		if (p[i] != 0xe8)
			continue;
		memcpy(&rel, p + i + 1, 4);
		if ((uintptr_t)(p + i + 5 + rel) == (uintptr_t)key->tramp ||
		    (uintptr_t)(p + i + 5 + rel) == (uintptr_t)key->func)
			return !((uintptr_t)(p + i + 1) & 3);
	}
	return 0;
}

#define N 10000000L
#define RUNS 15

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median ns per call over RUNS runs; the kinds interleave in each round,
 * in reverse order every other round, so that frequency changes and the
 * other load of the machine hit all of them alike. */
enum { DIRECT, PATCHED, TRAMP, FP, RETPOLINE, PLT, FAR_LIB, KINDS };
static const char *const names[KINDS] = {
	"direct call", "patched static call", "unpatched site (trampoline)",
	"function pointer", "function pointer (retpoline)",
	"PLT call into a shared library", "static call, target in another library",
};

int main(void)
{
	double t[KINDS][RUNS];
	int a = -1, u = -1;
	volatile long sink = 0;

	if (static_call_update(sc_near, target) || static_call_update(sc_far, lib_target)) {
		fprintf(stderr, "update failed\n");
		return 1;
	}
	for (int i = 0; i < 4; i++) {
		if (site_aligned(nears[i], &STATIC_CALL_KEY(sc_near)))
			a = a < 0 ? i : a;
		else
			u = u < 0 ? i : u;
	}
	if (a < 0 || u < 0) {
		fprintf(stderr, "no aligned (%d) or no unaligned (%d) loop\n", a, u);
		return 1;
	}
	for (int r = 0; r < RUNS; r++) {
		for (int i = 0; i < KINDS; i++) {
			int k = r & 1 ? KINDS - 1 - i : i;
			double t0 = now_ns();

			switch (k) {
			case DIRECT: sink += directs[a](N); break;
			case PATCHED: sink += nears[a](N); break;
			case TRAMP: sink += nears[u](N); break;
			case FP: sink += fp_loop(target, N); break;
			case RETPOLINE: sink += loop_retpoline(target, N); break;
			case PLT: sink += plt_loop(N); break;
			case FAR_LIB: sink += fars[a](N); break;
			}
			t[k][r] = (now_ns() - t0) / N;
		}
	}
	for (int k = 0; k < KINDS; k++) {
		qsort(t[k], RUNS, sizeof(double), cmp);
		printf("%s %.3f\n", names[k], t[k][RUNS / 2]);
	}
	return sink == 42;
}
