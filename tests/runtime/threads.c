// SPDX-License-Identifier: MIT
/*
 * Threads call 48 sites (calls, tail calls and cond calls at every
 * alignment) and check every result while one thread retargets the keys
 * thousands of times and another forks: each call must reach the old or the
 * new target, and a child must find no W+X page and a free lock.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sitecheck.h"

#define UPDATES 4000
#define CALLERS 2

static volatile int stop;
static long calls_checked;
static _Atomic int hook_hits;

__attribute__((noinline)) long fa(long x) { return x + 1; }
__attribute__((noinline)) long fb(long x) { return x + 1000001; }
__attribute__((noinline)) void hit(long x) { (void)x; hook_hits++; }

DEFINE_STATIC_CALL(op, fa);
DEFINE_STATIC_CALL_NULL(hook, hit);

#define PAD(k) __asm__ volatile(".fill " #k ", 1, 0x90")
#define SITES(k)							\
__attribute__((noinline)) long call_##k(long x) { PAD(k); return static_call(op)(x) * 2; } \
__attribute__((noinline)) long tail_##k(long x) { PAD(k); return static_call(op)(x); } \
__attribute__((noinline)) void cond_##k(long x) { PAD(k); static_call_cond(hook)(x); }
SITES(1) SITES(2) SITES(3) SITES(4) SITES(5) SITES(6) SITES(7) SITES(8)
SITES(9) SITES(10) SITES(11) SITES(12) SITES(13) SITES(14) SITES(15) SITES(16)

#define ALL(f) { f##_1, f##_2, f##_3, f##_4, f##_5, f##_6, f##_7, f##_8, \
	f##_9, f##_10, f##_11, f##_12, f##_13, f##_14, f##_15, f##_16 }
static long (*const calls[])(long) = ALL(call);
static long (*const tails[])(long) = ALL(tail);
static void (*const conds[])(long) = ALL(cond);
#define N (int)(sizeof(calls) / sizeof(calls[0]))

static void *caller(void *arg)
{
	long x = (long)arg, n = 0;

	while (!stop) {
		for (int i = 0; i < N; i++, x++) {
			long c = calls[i](x), t = tails[i](x);

			if ((c != 2 * fa(x) && c != 2 * fb(x)) ||
			    (t != fa(x) && t != fb(x)))
				SC_FAIL("site %d: %ld/%ld for %ld", i, c, t, x);
			conds[i](x);
			n++;
		}
	}
	__atomic_fetch_add(&calls_checked, n, __ATOMIC_RELAXED);
	return NULL;
}

/* The child of a fork during updates: no page left W+X, and the lock is
 * free (an update finishes; alarm() turns a deadlock into a failure). */
static void *forker(void *arg)
{
	int forks = 0;

	(void)arg;
	while (!stop) {
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			alarm(5);
			_exit(sc_have_wx_mapping() || static_call_update(op, fa) ? 1 : 0);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			SC_FAIL("fork child failed (status %#x)", status);
		forks++;
		usleep(2000);
	}
	printf("forks %d\n", forks);
	return NULL;
}

int main(void)
{
	pthread_t t[CALLERS + 1];
	struct sc_census c;

	sc_snapshot();
	for (long i = 0; i < CALLERS; i++)
		pthread_create(&t[i], NULL, caller, (void *)(i << 32));
	pthread_create(&t[CALLERS], NULL, forker, NULL);
	for (int i = 0; i < UPDATES; i++) {
		int err = static_call_update(op, i & 1 ? fa : fb);

		err |= static_call_update(hook, i & 2 ? hit : NULL);
		if (err)
			SC_FAIL("update %d: %d", i, err);
	}
	stop = 1;
	for (int i = 0; i <= CALLERS; i++)
		pthread_join(t[i], NULL);
	/* The last update was op = fa, hook = hit. */
	c = sc_census(&STATIC_CALL_KEY(op), (uintptr_t)fa);
	if (c.wrong || c.total != 2 * N || !c.direct)
		SC_FAIL("op sites after the updates: %d wrong of %d, %d direct",
			c.wrong, c.total, c.direct);
	hook_hits = 0;
	for (int i = 0; i < N; i++)
		conds[i](i);
	if (hook_hits != N || sc_have_wx_mapping())
		SC_FAIL("hook sites: %d hits of %d", hook_hits, N);
	printf("%d updates, %ld checked calls, %d sites (%d patched)\n",
	       2 * UPDATES, calls_checked, 3 * N, c.direct);
	return 0;
}
