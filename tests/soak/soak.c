// SPDX-License-Identifier: MIT
/*
 * Runtime soak: NKEYS static calls, each with sites at several alignments,
 * called by CALLERS threads while UPDATERS threads retarget them at random
 * and a loader thread dlopen()s and dlclose()s a plugin with sites of its
 * own key and of an exported key of ours.  A forker thread fork()s now and
 * then: the child must be able to update (no lock inherited) and must see
 * no writable and executable mapping.  A checker thread, whenever no update
 * or load is in progress (a reader-writer lock: updaters and the loader
 * hold it shared, the checker exclusively), asserts that no mapping is
 * writable and executable and that every site of ours is a direct call,
 * jmp or jcc to its key's current target or to its trampoline.  Callers
 * check every result: a torn instruction crashes or returns a wrong value.
 *
 *     soak SECONDS PLUGIN.so
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <static_call.h>
#include <static_call_table.h>

#define CALLERS		4
#define UPDATERS	2

#define FAIL(...) do {							\
	fprintf(stderr, "soak: FAIL: " __VA_ARGS__);			\
	fputc('\n', stderr);						\
	_exit(1);							\
} while (0)

/* Target J of key K returns its own identity: K * 16 + J + x. */
#define TARGET(k, j) \
	__attribute__((noinline)) long f##k##_##j(long x) { return x + (k) * 16 + (j); }
#define KEY(k)								\
	TARGET(k, 0) TARGET(k, 1) TARGET(k, 2) TARGET(k, 3)		\
	DEFINE_STATIC_CALL(sc##k, f##k##_0);				\
	SITE(k, 0) SITE(k, 1) SITE(k, 2) SITE(k, 3) TAILSITE(k)
/* PAD shifts each site by a different number of bytes, so that the sites
 * of a key come in every alignment whether or not scpatch pads. */
#define PAD(n) __asm__ volatile(".fill " #n ", 1, 0x90")
#define SITE(k, n) \
	__attribute__((noinline)) long call##k##_##n(long x) { PAD(n); return static_call(sc##k)(x) + 1000; }
#define TAILSITE(k) \
	__attribute__((noinline)) long tail##k(long x) { return static_call(sc##k)(x); }

EXPORT_STATIC_CALL(sc0);
KEY(0) KEY(1) KEY(2) KEY(3) KEY(4) KEY(5) KEY(6) KEY(7)
KEY(8) KEY(9) KEY(10) KEY(11) KEY(12) KEY(13) KEY(14) KEY(15)
#define NKEYS 16

#define ROW(k) { f##k##_0, f##k##_1, f##k##_2, f##k##_3 }
static long (*const targets[NKEYS][4])(long) = {
	ROW(0), ROW(1), ROW(2), ROW(3), ROW(4), ROW(5), ROW(6), ROW(7),
	ROW(8), ROW(9), ROW(10), ROW(11), ROW(12), ROW(13), ROW(14), ROW(15),
};
#define CALLS(k) { call##k##_0, call##k##_1, call##k##_2, call##k##_3, tail##k }
static long (*const calls[NKEYS][5])(long) = {
	CALLS(0), CALLS(1), CALLS(2), CALLS(3), CALLS(4), CALLS(5), CALLS(6), CALLS(7),
	CALLS(8), CALLS(9), CALLS(10), CALLS(11), CALLS(12), CALLS(13), CALLS(14), CALLS(15),
};
#define KEYP(k) &STATIC_CALL_KEY(sc##k)
static struct static_call_key *const keys[NKEYS] = {
	KEYP(0), KEYP(1), KEYP(2), KEYP(3), KEYP(4), KEYP(5), KEYP(6), KEYP(7),
	KEYP(8), KEYP(9), KEYP(10), KEYP(11), KEYP(12), KEYP(13), KEYP(14), KEYP(15),
};

static int update(int k, int j)
{
	switch (k) {
#define UPD(k) case k: return static_call_update(sc##k, targets[k][j]);
	UPD(0) UPD(1) UPD(2) UPD(3) UPD(4) UPD(5) UPD(6) UPD(7)
	UPD(8) UPD(9) UPD(10) UPD(11) UPD(12) UPD(13) UPD(14) UPD(15)
	}
	return -EINVAL;
}

extern const struct static_call_site __start_static_call_sites[]
	__attribute__((weak, visibility("hidden")));
extern const struct static_call_site __stop_static_call_sites[]
	__attribute__((weak, visibility("hidden")));

static pthread_rwlock_t quiet;		/* shared: changing code; exclusive: checking */
static atomic_int stop;
static atomic_long ncalls, nupdates, nloads, nforks, nchecks;

static const char *plugin_path;

/* ---- the checks ---------------------------------------------------------- */

static void check_maps(const char *who)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];

	if (!f)
		FAIL("%s: /proc/self/maps: %s", who, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char perms[8];

		if (sscanf(line, "%*x-%*x %7s", perms) == 1 &&
		    perms[1] == 'w' && perms[2] == 'x')
			FAIL("%s: writable and executable mapping: %s", who, line);
	}
	fclose(f);
}

static int key_index(const struct static_call_key *key)
{
	for (int k = 0; k < NKEYS; k++)
		if (keys[k] == key)
			return k;
	return -1;
}

/* Every site of ours: opcode, and a target that is the key's current
 * function or its trampoline.  Returns the number of sites. */
static size_t check_sites(void)
{
	const struct static_call_site *e = __start_static_call_sites;
	size_t n = 0;

	if (!e || e == __stop_static_call_sites)
		FAIL("no static call table in the program");
	for (; e < __stop_static_call_sites; e++, n++) {
		const uint8_t *site = (const uint8_t *)&e->addr + e->addr;
		uintptr_t kaddr = (uintptr_t)&e->key + e->key;
		const struct static_call_key *key;
		const uint8_t *next, *target;
		int32_t rel;
		int k;

		key = (const void *)(kaddr & ~STATIC_CALL_SITE_FLAGS);
		if (kaddr & STATIC_CALL_SITE_KEYREF)
			key = *(struct static_call_key *const *)key;
		k = key_index(key);
		if (k < 0)
			FAIL("site %p: unknown key %p", site, (void *)key);
		if (site[0] == 0xe8 || site[0] == 0xe9) {
			memcpy(&rel, site + 1, 4);
			next = site + 5;
		} else if (site[0] == 0x0f && (site[1] & 0xf0) == 0x80) {
			memcpy(&rel, site + 2, 4);
			next = site + 6;
		} else {
			FAIL("site %p of sc%d: opcode %02x", site, k, site[0]);
		}
		target = next + rel;
		if (target != key->func && target != key->tramp)
			FAIL("site %p of sc%d: calls %p, current %p, trampoline %p",
			     site, k, target, key->func, key->tramp);
	}
	return n;
}

/* ---- the threads ------------------------------------------------------- */

static void *caller(void *arg)
{
	unsigned seed = (uintptr_t)arg;
	long n = 0;

	while (!stop) {
		int k = rand_r(&seed) % NKEYS, s = rand_r(&seed) % 5;
		long r = calls[k][s](0) - (s < 4 ? 1000 : 0);

		if (r / 16 != k || r % 16 > 3)
			FAIL("sc%d site %d returned %ld", k, s, r);
		n++;
	}
	ncalls += n;
	return NULL;
}

static void *updater(void *arg)
{
	unsigned seed = (uintptr_t)arg;
	long n = 0;

	while (!stop) {
		int k = rand_r(&seed) % NKEYS, j = rand_r(&seed) % 4, err;

		pthread_rwlock_rdlock(&quiet);
		err = update(k, j);
		pthread_rwlock_unlock(&quiet);
		if (err)
			FAIL("update sc%d -> %d: %d", k, j, err);
		n++;
	}
	nupdates += n;
	return NULL;
}

static void *loader(void *arg)
{
	(void)arg;
	while (!stop) {
		void *h;
		int (*run)(int);

		/* Loading patches the plugin's sites, and the plugin updates
		 * its own key: all of it is "changing code". */
		pthread_rwlock_rdlock(&quiet);
		h = dlopen(plugin_path, (nloads & 1 ? RTLD_LAZY : RTLD_NOW) | RTLD_LOCAL);
		if (!h)
			FAIL("dlopen: %s", dlerror());
		run = (int (*)(int))dlsym(h, "soak_plugin_run");
		if (!run || run(20))
			FAIL("plugin run");
		dlclose(h);
		pthread_rwlock_unlock(&quiet);
		nloads++;
	}
	return NULL;
}

/* A child forked while others update: it must not inherit the update lock
 * (it updates, under an alarm) nor a writable and executable page. */
static void *forker(void *arg)
{
	(void)arg;
	while (!stop) {
		int status;
		pid_t pid;

		/* Forks land in dlopen() too: the child's update must not
		 * need the loader's lock (runtime/registry.c). */
		pid = fork();
		if (pid < 0)
			FAIL("fork: %s", strerror(errno));
		if (!pid) {
			alarm(10);
			check_maps("forked child");
			_exit(update(1, 2) ? 3 : 0);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			FAIL("forked child: status %#x (SIGALRM: stuck on a lock)", status);
		nforks++;
		usleep(20000);
	}
	return NULL;
}

static void *checker(void *arg)
{
	(void)arg;
	while (!stop) {
		pthread_rwlock_wrlock(&quiet);
		check_maps("checker");
		check_sites();
		pthread_rwlock_unlock(&quiet);
		nchecks++;
		usleep(1000);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_rwlockattr_t attr;
	pthread_t t[CALLERS + UPDATERS + 3];
	int n = 0, seconds;
	size_t sites;

	if (argc != 3)
		return 2;
	seconds = atoi(argv[1]);
	plugin_path = argv[2];
	pthread_rwlockattr_init(&attr);
	/* The checker would starve behind a stream of updaters otherwise. */
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&quiet, &attr);
	sites = check_sites();
	for (int i = 0; i < CALLERS; i++)
		pthread_create(&t[n++], NULL, caller, (void *)(uintptr_t)(i + 1));
	for (int i = 0; i < UPDATERS; i++)
		pthread_create(&t[n++], NULL, updater, (void *)(uintptr_t)(i + 100));
	pthread_create(&t[n++], NULL, loader, NULL);
	pthread_create(&t[n++], NULL, forker, NULL);
	pthread_create(&t[n++], NULL, checker, NULL);
	sleep(seconds);
	stop = 1;
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	check_maps("end");
	check_sites();
	printf("soak: %d s, %zu sites of %d keys: %ld calls, %ld updates, "
	       "%ld plugin loads, %ld forks, %ld quiet-point checks: ok\n",
	       seconds, sites, NKEYS, (long)ncalls, (long)nupdates,
	       (long)nloads, (long)nforks, (long)nchecks);
	return 0;
}
