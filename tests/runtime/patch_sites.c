// SPDX-License-Identifier: MIT
/*
 * Sites of three keys (a plain call, a cond call with a NULL target, a RET0
 * call) at every alignment, as calls and tail calls, and the checks that
 * t-patch.sh runs on them in an executable or a shared library:
 * results, the bytes of every site and of the trampoline, and the maps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "sitecheck.h"

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

int hook_sum;

__attribute__((noinline)) int add1(int x) { return x + 1; }
__attribute__((noinline)) int add2(int x) { return x + 2; }
__attribute__((noinline)) int add3(int x) { return x + 3; }
__attribute__((noinline)) void count(int x) { hook_sum += x; }
__attribute__((noinline)) void count2(int x) { hook_sum += 2 * x; }

DEFINE_STATIC_CALL(op, add1);
DEFINE_STATIC_CALL_NULL(hook, count);
DEFINE_STATIC_CALL_RET0(r0, add1);

/* k filler bytes before each site give every alignment of its rel32. */
#define PAD(k) __asm__ volatile(".fill " #k ", 1, 0x90")
#define SITES(k)							\
__attribute__((noinline)) int call_##k(int x) { PAD(k); return static_call(op)(x) + 100; } \
__attribute__((noinline)) int tail_##k(int x) { PAD(k); return static_call(op)(x); } \
__attribute__((noinline)) void cond_##k(int x) { PAD(k); static_call_cond(hook)(x); } \
__attribute__((noinline)) int ret0_##k(int x) { PAD(k); return static_call(r0)(x); }
SITES(1) SITES(2) SITES(3) SITES(4) SITES(5) SITES(6) SITES(7) SITES(8)

/* Puts the next sites pages away from the trampolines, so that an update
 * needs more than one mprotect run. */
__attribute__((noinline)) void page_gap(void)
{
	__asm__ volatile(".skip 12288, 0xcc");
}
SITES(9) SITES(10) SITES(11) SITES(12)

#define ALL(f) { f##_1, f##_2, f##_3, f##_4, f##_5, f##_6, f##_7, f##_8, \
		 f##_9, f##_10, f##_11, f##_12 }
static int (*const calls[])(int) = ALL(call);
static int (*const tails[])(int) = ALL(tail);
static void (*const conds[])(int) = ALL(cond);
static int (*const ret0s[])(int) = ALL(ret0);
#define N (int)(sizeof(calls) / sizeof(calls[0]))

#ifdef JCC_SITES
void jcc_0(int x), jcc_1(int x), jcc_2(int x), jcc_3(int x);
static void (*const jccs[])(int) = { jcc_0, jcc_1, jcc_2, jcc_3 };
#endif

/* The conditional tail calls of jcc_sites.S call hook for x != 0. */
static void check_jcc(void (*h)(int))
{
#ifdef JCC_SITES
	for (int i = 0; i < 4; i++) {
		hook_sum = 0;
		jccs[i](0);
		jccs[i](i + 1);
		if (hook_sum != (h == count ? i + 1 : h == count2 ? 2 * (i + 1) : 0))
			SC_FAIL("jcc site %d: sum %d", i, hook_sum);
	}
#else
	(void)h;
#endif
}

static void check_results(int (*f)(int), void (*h)(int), int (*r)(int))
{
	check_jcc(h);
	for (int i = 0; i < N; i++) {
		int want = f ? f(i) : 0;

		if (calls[i](i) != want + 100 || tails[i](i) != want)
			SC_FAIL("op site %d: got %d/%d, want %d", i, calls[i](i),
				tails[i](i), want);
		hook_sum = 0;
		conds[i](i + 1);
		if (hook_sum != (h == count ? i + 1 : h == count2 ? 2 * (i + 1) : 0))
			SC_FAIL("hook site %d: sum %d", i, hook_sum);
		if (ret0s[i](i) != (r ? r(i) : 0))
			SC_FAIL("r0 site %d: got %d", i, ret0s[i](i));
	}
}

/* The trampoline's jmp goes to the target when rel32 reaches it, else to
 * its far stub whose slot holds the target. */
static void check_trampoline(const char *name, const struct static_call_key *key,
			     void *func)
{
	uintptr_t t = (uintptr_t)key->tramp, target, want = sc_want(key, func);

	if (sc_decode(t + STATIC_CALL_TRAMP_JMP, &target) != 5 || ((t + 8) & 3))
		SC_FAIL("%s: trampoline is not an aligned jmp", name);
	if (sc_reaches(t + 12, want) ? target != want :
	    target != t + STATIC_CALL_TRAMP_FAR)
		SC_FAIL("%s: trampoline jumps to %#lx, want %#lx", name,
			(unsigned long)target, (unsigned long)want);
}

static struct sc_census census_all;

/* Keys updated at least once: before that every site is on its trampoline. */
static const struct static_call_key *updated[3];

static int was_updated(const struct static_call_key *key)
{
	for (int i = 0; i < 3; i++)
		if (updated[i] == key)
			return 1;
	return 0;
}

static void mark_updated(const struct static_call_key *key)
{
	for (int i = 0; i < 3; i++)
		if (!updated[i] || updated[i] == key) {
			updated[i] = key;
			return;
		}
}

static void check_key(const char *name, const struct static_call_key *key,
		      void *func)
{
	struct sc_census c = sc_census(key, was_updated(key) ? sc_want(key, func) : 0);

	if (c.wrong || c.total < N)
		SC_FAIL("%s: %d sites, %d wrong", name, c.total, c.wrong);
	if (key->func != func)
		SC_FAIL("%s: key holds %p, want %p", name, key->func, func);
	if (was_updated(key))	/* before, it may go through a PLT entry */
		check_trampoline(name, key, func);
	census_all.direct += c.direct;
	census_all.unaligned += c.unaligned;
	census_all.total += c.total;
}

static void check_all(int (*f)(int), void (*h)(int), int (*r)(int))
{
	check_results(f, h, r);
	check_key("op", &STATIC_CALL_KEY(op), (void *)f);
	check_key("hook", &STATIC_CALL_KEY(hook), (void *)h);
	check_key("r0", &STATIC_CALL_KEY(r0), r ? (void *)r : (void *)__static_call_return0);
	if (sc_have_wx_mapping())
		SC_FAIL("a W+X mapping after an update");
}

#define UPDATE(name, f) do {						\
	int err_ = static_call_update(name, f);				\
	if (err_)							\
		SC_FAIL("update " #name ": %s", strerror(-err_));	\
	mark_updated(&STATIC_CALL_KEY(name));				\
} while (0)

/* A JIT-like target outside every image, mapped far from all code:
 * lea 5(%rdi), %eax; ret. */
static int (*far_jit(void))(int)
{
	static const unsigned char code[] = { 0x8d, 0x47, 0x05, 0xc3 };
	unsigned char *p = MAP_FAILED;

	for (int bit = 46; bit > 36 && p == MAP_FAILED; bit--) {
		uintptr_t hint = ((uintptr_t)&add1 ^ ((uintptr_t)1 << bit)) & ~(uintptr_t)4095;

		p = mmap((void *)hint, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	}
	if (p == MAP_FAILED)
		SC_FAIL("mmap: %s", strerror(errno));
	memcpy(p, code, sizeof(code));
	if (mprotect(p, 4096, PROT_READ | PROT_EXEC))
		SC_FAIL("mprotect: %s", strerror(errno));
	if (sc_reaches((uintptr_t)&add1, (uintptr_t)p))
		SC_FAIL("the JIT page is not far away");
	return (int (*)(int))(void *)p;
}

/* mixed: the sites were annotated without padding, so that some are
 * aligned by chance and some not, and both kinds must be there. */
static int basic(int mixed)
{
	check_all(add1, NULL, NULL);
	UPDATE(op, add2);
	UPDATE(hook, count);
	UPDATE(r0, add2);
	check_all(add2, count, add2);
	if (static_call_query(op) != add2 || static_call_query(hook) != count)
		SC_FAIL("static_call_query");
	UPDATE(op, abs);		/* libc: usually beyond rel32 reach */
	UPDATE(hook, count2);
	UPDATE(r0, (int (*)(int))__static_call_return0);
	check_all(abs, count2, NULL);
	int (*jit)(int) = far_jit();	/* beyond reach of every site */
	UPDATE(op, jit);
	check_all(jit, count2, NULL);
	UPDATE(op, add1);
	UPDATE(hook, NULL);
	UPDATE(r0, add1);
	check_all(add1, NULL, add1);
	for (int i = 0; i < 100; i++) {
		UPDATE(op, i & 1 ? add2 : add1);
		UPDATE(hook, i & 1 ? count : NULL);
	}
	check_all(add2, count, add1);
	printf("sites %d, aligned and patched %d, unaligned %d\n",
	       census_all.total, census_all.direct, census_all.unaligned);
	if (mixed && (!census_all.direct || !census_all.unaligned))
		SC_FAIL("the test needs both aligned and unaligned sites");
	return 0;
}

/* Writes an int3 over the first aligned op site, as a debugger does
 * (/proc/self/mem ignores page protections); the update must leave that
 * site alone and patch the others. */
static int breakpoint(void)
{
	const struct static_call_site *e;
	unsigned char before[5], after[5], cc = 0xcc;
	uintptr_t insn = 0, target;
	int fd;

	for (e = __start_static_call_sites; e < __stop_static_call_sites; e++) {
		insn = sc_entry_insn(e);
		if (sc_entry_key(e) == (uintptr_t)&STATIC_CALL_KEY(op) &&
		    sc_decode(insn, &target) == 5 && !((insn + 1) & 3))
			break;
	}
	if (e == __stop_static_call_sites)
		SC_FAIL("no aligned op site");
	UPDATE(op, add2);	/* the site now calls add2 directly */
	fd = open("/proc/self/mem", O_RDWR);
	if (fd < 0 || pwrite(fd, &cc, 1, insn) != 1)
		SC_FAIL("cannot write /proc/self/mem: %s", strerror(errno));
	memcpy(before, (void *)insn, 5);
	UPDATE(op, add1);
	memcpy(after, (void *)insn, 5);
	if (memcmp(before, after, 5))
		SC_FAIL("the update rewrote a site with a breakpoint");
	if (sc_census(&STATIC_CALL_KEY(op), (uintptr_t)add1).wrong != 1)
		SC_FAIL("other sites were not patched");
	printf("breakpoint site left intact\n");

	/* The debugger goes away: the site calls add2, the target before the
	 * last; the next update must recognise what it wrote there itself and
	 * patch the site like the others. */
	cc = 0xe8;
	if (pwrite(fd, &cc, 1, insn) != 1)
		SC_FAIL("cannot write /proc/self/mem: %s", strerror(errno));
	UPDATE(op, add3);
	if (sc_census(&STATIC_CALL_KEY(op), (uintptr_t)add3).wrong)
		SC_FAIL("the site is not patched after its breakpoint went");
	close(fd);
	return 0;
}

/* An update that cannot make code writable changes nothing.  grants: how
 * many write+execute mprotect calls the interposer allows first. */
static int refused(int mdwe, const char *grants)
{
	int err;

	check_all(add1, NULL, NULL);
	UPDATE(hook, count);
	if (grants)
		setenv("FAIL_MPROTECT", grants, 1);
	if (mdwe && prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0)) {
		printf("PR_SET_MDWE unsupported: %s\n", strerror(errno));
		return 0;
	}
	err = static_call_update(op, add2);
	if (!err)
		SC_FAIL("the update succeeded");
	err |= static_call_update(hook, count2);
	printf("update refused: %s\n", strerror(-err));
	if (sc_have_wx_mapping())
		SC_FAIL("a W+X mapping after a refused update");
	check_all(add1, count, NULL);
	if (!mdwe) {
		setenv("FAIL_MPROTECT", "off", 1);	/* the interposer stops */
		UPDATE(op, add2);
		check_all(add2, count, NULL);
	}
	return 0;
}

/* Under a seccomp filter that fails membarrier with errno: every update
 * returns -errno and changes nothing. */
static int no_barrier(int err)
{
	int got = static_call_update(op, add2);

	if (got != -err)
		SC_FAIL("update returned %d, want %d", got, -err);
	if (static_call_update(hook, count) != -err)
		SC_FAIL("hook update");
	check_all(add1, NULL, NULL);
	return 0;
}

static int warnings, warning_err;

static void on_warning(int err, const char *what)
{
	warnings++;
	warning_err = err;
	printf("warning %d: %s: %s\n", warnings, what, strerror(-err));
}

/*
 * The stores were made, then restoring the protection (FAIL_MPROTECT_RESTORE
 * in the interposer) or the barrier (no_membarrier -b) failed: the update
 * returns 0, the new target is live, and the warning handler hears of each
 * failure (handler "custom", expecting errno want), or the default handler
 * writes one line to stderr (checked by the script).
 */
static int late_failure(const char *handler, int want)
{
	int custom = !strcmp(handler, "custom");

	if (custom && static_call_set_warning_handler(on_warning) == on_warning)
		SC_FAIL("no previous handler returned");
	check_all(add1, NULL, NULL);
	UPDATE(op, add2);	/* fails the test unless it returns 0 */
	UPDATE(hook, count);
	check_results(add2, count, NULL);
	check_key("op", &STATIC_CALL_KEY(op), (void *)add2);
	check_key("hook", &STATIC_CALL_KEY(hook), (void *)count);
	if (custom && (warnings != 2 || warning_err != -want))
		SC_FAIL("%d warnings, the last %d; want 2, %d", warnings,
			warning_err, -want);
	/* Once the failures stop, the next update restores what it writes. */
	setenv("FAIL_MPROTECT_RESTORE", "off", 1);
	UPDATE(op, add1);
	UPDATE(hook, NULL);
	check_all(add1, NULL, NULL);
	return 0;
}

int sites_main(const char *what, const char *arg)
{
	sc_snapshot();
	if (!strcmp(what, "basic"))
		return basic(1);
	if (!strcmp(what, "padded"))
		return basic(0);
	if (!strcmp(what, "breakpoint"))
		return breakpoint();
	if (!strcmp(what, "mprotect"))
		return refused(0, arg ? arg : "0");
	if (!strcmp(what, "nobarrier"))
		return no_barrier(arg ? atoi(arg) : EPERM);
	if (!strcmp(what, "mdwe"))
		return refused(1, NULL);
	if (!strcmp(what, "late-restore"))
		return late_failure(arg ? arg : "custom", EACCES);
	if (!strcmp(what, "late-barrier"))
		return late_failure(arg ? arg : "custom", EPERM);
	SC_FAIL("unknown test %s", what);
}
