// SPDX-License-Identifier: MIT
/*
 * fork() while another thread dlopen()s and dlclose()s a plugin: a child
 * forked while the parent is inside the dynamic loader inherits its locks
 * held, so the child's first static_call_update() must not go through the
 * loader (dl_iterate_phdr).  Each child updates under alarm(); a child
 * killed by SIGALRM hung.  With NOSTUB_KEY the child also updates the
 * static call of a library linked without the stub, which the runtime
 * finds in /proc/self/maps there (the parent would pin it through the
 * loader).
 *
 *     fork_dlopen PLUGIN.so FORKS
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <static_call.h>

__attribute__((noinline)) long ff1(long x) { return x + 1; }
__attribute__((noinline)) long ff2(long x) { return x + 2; }

long main_far(long x) { return x - 11; }	/* plugin.c calls it */

DEFINE_STATIC_CALL(fop, ff1);

__attribute__((noinline)) long fsite(long x) { return static_call(fop)(x); }

static atomic_int stop;
static atomic_long loads;

static void *loader(void *arg)
{
	while (!stop) {
		void *h = dlopen(arg, RTLD_NOW | RTLD_LOCAL);

		if (!h) {
			fprintf(stderr, "fork_dlopen: dlopen: %s\n", dlerror());
			_exit(1);
		}
		dlclose(h);
		loads++;
	}
	return NULL;
}

#ifdef NOSTUB_KEY
long nf1(long x);
long nsc_call(long x);
DECLARE_STATIC_CALL(nsc, nf1);
#endif

/* The child: one update and a call through the patched site. */
static void child(void)
{
	alarm(2);
	if (static_call_update(fop, ff2) || fsite(40) != 42)
		_exit(3);
#ifdef NOSTUB_KEY
	if (static_call_update(nsc, ff2) || nsc_call(40) != 42)
		_exit(4);
#endif
	_exit(0);
}

static int fork_once(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		fprintf(stderr, "fork_dlopen: fork: %s\n", strerror(errno));
		return -1;
	}
	if (!pid)
		child();
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
		fprintf(stderr, "fork_dlopen: child hung in static_call_update\n");
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "fork_dlopen: child status %#x\n", status);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t t;
	int forks, err = 0;

	if (argc < 3)
		return 2;
	forks = atoi(argv[2]);
	pthread_create(&t, NULL, loader, argv[1]);
	while (!loads)
		usleep(100);
	for (int i = 0; i < forks && !err; i++)
		err = fork_once();
	stop = 1;
	pthread_join(t, NULL);
	if (err)
		return 1;
	if (fsite(40) != 41)
		return 1;	/* the parent's sites are the parent's */
	printf("%d forks during %ld plugin loads: every child updated\n", forks,
	       (long)loads);
	return 0;
}
