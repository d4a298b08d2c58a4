/*
 * Appended to the sc_defs.c that staticize.sh writes (after sc_flip() and
 * sc_census_all()): the retargeting thread and the check at exit.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

static atomic_int sc_stop;
static pthread_t sc_thread;
static int sc_running;
static atomic_long sc_flips;

static void sc_add(struct sc_census *s, const struct sc_census *c)
{
	s->direct += c->direct;
	s->home += c->home;
	s->unaligned += c->unaligned;
	s->wrong += c->wrong;
	s->total += c->total;
}

static void *sc_flipper(void *arg)
{
	(void)arg;
	while (!atomic_load(&sc_stop)) {
		if (sc_flip((atomic_fetch_add(&sc_flips, 1) + 1) & 1)) {
			fprintf(stderr, "staticized: static_call_update failed\n");
			_exit(3);
		}
	}
	return NULL;
}

__attribute__((constructor)) static void sc_start(void)
{
	sc_snapshot();
	if (!getenv("SC_FLIP") || pthread_create(&sc_thread, NULL, sc_flipper, NULL))
		return;
	sc_running = 1;
	/* main starts on retargeted sites, however short it is */
	while (atomic_load(&sc_flips) < 1)
		sched_yield();
}

__attribute__((destructor)) static void sc_end(void)
{
	struct sc_census sum = { 0, 0, 0, 0, 0 };

	if (sc_running) {
		atomic_store(&sc_stop, 1);
		pthread_join(sc_thread, NULL);
	}
	if (sc_flip(0)) {
		fprintf(stderr, "staticized: static_call_update failed\n");
		_exit(3);
	}
	sc_census_all(&sum);
	fprintf(stderr, "staticized: %d sites, %d direct, %d on their trampoline "
		"(%d unaligned), %d wrong, %ld retargetings\n", sum.total,
		sum.direct, sum.home, sum.unaligned, sum.wrong,
		atomic_load(&sc_flips));
	if (sum.wrong)
		_exit(4);
}
