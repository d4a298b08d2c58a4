// SPDX-License-Identifier: MIT
/*
 * Libraries linked without the stub never register: nothing tells the
 * runtime when one is unloaded.  An update that uses such an image must
 * keep it mapped until the update returns.
 *
 * LIB is nostub_race_lib.c, linked without the stub.
 *
 * nostub_race race LIB: another thread dlclose()s LIB in the middle of an
 * update of LIB's static call (this program's mprotect() runs the dlclose
 * once the update has made the trampoline's page writable, and waits for
 * it up to 300 ms).  The dlclose() must not finish before the update does:
 * unmapped, the page would be written after it is gone.
 *
 * nostub_race loop LIB: one thread loads LIB, updates its static call and
 * unloads it, over and over, while another updates the static call of the
 * linked libnostub.so; every call is checked.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <time.h>

#include "sitecheck.h"

long nf1(long x);
long nsc_call(long x);
DECLARE_STATIC_CALL(nsc, nf1);

__attribute__((noinline)) long main_target(long x) { return x * 10; }
__attribute__((noinline)) long main_other(long x) { return x * 100; }

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int armed, close_now, closed;
static int closed_early;	/* closed when the runtime was about to write */
static void *handle;

/* The runtime's mprotect() calls come here (this program exports it).  The
 * system call itself, not dlsym(RTLD_NEXT): the update may run inside a
 * dl_iterate_phdr() callback, where calling the loader would wait for a
 * dlopen() in another thread that waits for that callback. */
int mprotect(void *addr, size_t len, int prot)
{
	struct timespec until;
	int ret = (int)syscall(SYS_mprotect, addr, len, prot);

	if (!ret && (prot & PROT_WRITE) && (prot & PROT_EXEC) &&
	    __atomic_exchange_n(&armed, 0, __ATOMIC_ACQ_REL)) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 300 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_mutex_lock(&lock);
		close_now = 1;
		pthread_cond_broadcast(&cond);
		while (!closed && !pthread_cond_timedwait(&cond, &lock, &until))
			;
		closed_early = closed;
		pthread_mutex_unlock(&lock);
	}
	return ret;
}

static void *closer(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	while (!close_now)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	dlclose(handle);
	pthread_mutex_lock(&lock);
	closed = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static int race(const char *lib)
{
	struct static_call_key *key;
	pthread_t t;
	int err;

	handle = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!handle)
		SC_FAIL("dlopen: %s", dlerror());
	key = (struct static_call_key *)dlsym(handle, "__SCK__rsc");
	if (!key)
		SC_FAIL("no key in %s", lib);
	pthread_create(&t, NULL, closer, NULL);
	armed = 1;
	err = __static_call_update(key, (void *)main_target);
	pthread_join(t, NULL);
	if (armed)
		SC_FAIL("the update never made the trampoline writable");
	if (closed_early)
		SC_FAIL("dlclose() finished while the update was writing");
	if (err)
		SC_FAIL("update: %s", strerror(-err));
	printf("dlclose() waited for the update\n");
	return 0;
}

static volatile int stop;

static void *loader(void *arg)
{
	const char *lib = arg;

	for (int i = 0; i < 150; i++) {
		void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
		struct static_call_key *key;
		long (*call)(long), (*f1)(long);

		if (!h)
			SC_FAIL("dlopen: %s", dlerror());
		key = (struct static_call_key *)dlsym(h, "__SCK__rsc");
		call = (long (*)(long))dlsym(h, "rsc_call");
		f1 = (long (*)(long))dlsym(h, "rf1");
		if (!key || !call || !f1)
			SC_FAIL("symbols of %s", lib);
		if (__static_call_update(key, (void *)main_other) || call(3) != 300)
			SC_FAIL("loaded copy, far target: %ld", call(3));
		if (__static_call_update(key, (void *)f1) || call(3) != 4)
			SC_FAIL("loaded copy, back: %ld", call(3));
		dlclose(h);
	}
	stop = 1;
	return NULL;
}

static int loop(const char *lib)
{
	pthread_t t;
	long n = 0;

	pthread_create(&t, NULL, loader, (void *)lib);
	while (!stop) {
		long (*f)(long) = n & 1 ? nf1 : main_target;

		if (static_call_update(nsc, f) || nsc_call(n) != f(n))
			SC_FAIL("linked library: %ld", nsc_call(n));
		n++;
	}
	pthread_join(t, NULL);
	printf("%ld updates of the linked library during 150 loads\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	if (!strcmp(argv[1], "race"))
		return race(argv[2]);
	if (!strcmp(argv[1], "loop"))
		return loop(argv[2]);
	return 2;
}
