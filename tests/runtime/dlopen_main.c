// SPDX-License-Identifier: MIT
/*
 * Loads and unloads a plugin with sites in a loop while another thread
 * retargets the program's own key (whose sites the plugin may call too):
 * the registry must follow, and no update may touch an unloaded plugin.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>

#include "sitecheck.h"

#define LOADS 150

__attribute__((noinline)) long mf1(long x) { return x * 3; }
__attribute__((noinline)) long mf2(long x) { return x * 5; }
long main_far(long x) { return x - 11; }

EXPORT_STATIC_CALL(mop);
DEFINE_STATIC_CALL(mop, mf1);

__attribute__((noinline)) long msite(long x) { return static_call(mop)(x); }

static volatile int stop;

static void *updater(void *arg)
{
	long n = 0;

	(void)arg;
	while (!stop) {
		long (*f)(long) = n & 1 ? mf1 : mf2;
		long r;

		if (static_call_update(mop, f))
			SC_FAIL("update mop");
		r = msite(n);
		if (r != mf1(n) && r != mf2(n))
			SC_FAIL("program site: %ld", r);
		n++;
	}
	printf("%ld updates of the program's key\n", n);
	return NULL;
}

int main(int argc, char **argv)
{
	int base = __scpatch_registered_images();
	pthread_t t;

	if (argc < 2)
		return 2;
	pthread_create(&t, NULL, updater, NULL);
	for (int i = 0; i < LOADS; i++) {
		/* Lazy binding every other time: the plugin's PLT entries to the
		 * program's trampoline are then unbound at the first update. */
		void *h = dlopen(argv[1], (i & 1 ? RTLD_LAZY : RTLD_NOW) | RTLD_LOCAL);
		int (*run)(int);
		long (*call_main)(int, long);

		if (!h)
			SC_FAIL("dlopen: %s", dlerror());
		if (__scpatch_registered_images() != base + 1)
			SC_FAIL("plugin not registered");
		run = (int (*)(int))dlsym(h, "plugin_run");
		if (!run || run(6))
			SC_FAIL("plugin_run");
		call_main = (long (*)(int, long))dlsym(h, "plugin_call_main");
		for (int j = 0; call_main && j < 64; j++) {
			long r = call_main(j, j);

			if (r != mf1(j) && r != mf2(j))
				SC_FAIL("plugin site of the program's key: %ld", r);
		}
		dlclose(h);
		if (__scpatch_registered_images() != base)
			SC_FAIL("plugin not unregistered");
	}
	stop = 1;
	pthread_join(t, NULL);
	printf("%d loads\n", LOADS);
	return 0;
}
