// SPDX-License-Identifier: MIT
/*
 * scpatch demo: a checksum whose algorithm is picked at run time, and a
 * trace hook that is off (NULL) until switched on.  Both are static calls:
 * each call site is a direct call, retargeted by static_call_update().
 * The last part measures a static call against a function pointer.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <static_call.h>

static uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static uint32_t djb2(const char *s, size_t n)
{
	uint32_t h = 5381;

	for (size_t i = 0; i < n; i++)
		h = h * 33 + (uint8_t)s[i];
	return h;
}

static void trace_print(const char *what, uint32_t h)
{
	printf("    trace: %s -> %08x\n", what, h);
}

DEFINE_STATIC_CALL(checksum, fnv1a);
DEFINE_STATIC_CALL_NULL(trace, trace_print);

__attribute__((noinline)) static uint32_t sum(const char *s)
{
	uint32_t h = static_call(checksum)(s, strlen(s));

	static_call_cond(trace)(s, h);
	return h;
}

static void show(const char *label)
{
	static const char *const words[] = { "static", "calls", "for user space" };

	printf("%s\n", label);
	for (int i = 0; i < 3; i++)
		printf("  %-16s %08x\n", words[i], sum(words[i]));
}

/* The cost of one call: the same loop through a static call and through a
 * function pointer, to a function that does almost nothing. */
__attribute__((noinline)) static long tiny(long x) { return x ^ 1; }
DEFINE_STATIC_CALL(tiny_call, tiny);
static long (*volatile tiny_ptr)(long) = tiny;

__attribute__((noinline)) static long loop_static(long n)
{
	long s = 0;

	for (long i = 0; i < n; i++)
		s += static_call(tiny_call)(i);
	return s;
}

__attribute__((noinline)) static long loop_pointer(long n)
{
	long (*f)(long) = tiny_ptr, s = 0;

	for (long i = 0; i < n; i++)
		s += f(i);
	return s;
}

static double ns_per_call(long (*loop)(long))
{
	const long n = 20000000;
	double best = 1e9;

	for (int r = 0; r < 5; r++) {
		struct timespec a, b;
		volatile long sink;

		clock_gettime(CLOCK_MONOTONIC, &a);
		sink = loop(n);
		clock_gettime(CLOCK_MONOTONIC, &b);
		(void)sink;
		double ns = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n;
		if (ns < best)
			best = ns;
	}
	return best;
}

int main(void)
{
	int err;

	show("checksum = fnv1a, trace off:");
	err = static_call_update(checksum, djb2);
	show("checksum = djb2:");
	err |= static_call_update(trace, trace_print);
	show("trace on:");
	err |= static_call_update(trace, NULL);
	err |= static_call_update(checksum, fnv1a);
	show("back to fnv1a, trace off:");
	if (err) {
		fprintf(stderr, "demo: update failed: %s\n", strerror(-err));
		return 1;
	}

	/* Patch the measured site (its key is updated once, to the same
	 * target), then time both loops. */
	static_call_update(tiny_call, tiny);
	double sc = ns_per_call(loop_static), fp = ns_per_call(loop_pointer);
	printf("\ncost per call (best of 5 x 20M calls):\n"
	       "  static call      %.2f ns\n  function pointer %.2f ns\n", sc, fp);
	return 0;
}
