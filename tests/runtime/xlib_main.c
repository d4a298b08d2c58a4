// SPDX-License-Identifier: MIT
/*
 * Keys across images: the key and its trampoline live in libxa, sites in
 * libxb and in this program reach the trampoline through PLT entries, and
 * the targets lie in this program, in libxb and in libc, most of them
 * beyond rel32 reach of the trampoline (its far stub) or of some sites
 * (which then stay on their PLT entry).
 */
#include "sitecheck.h"

long la(long x);
DECLARE_STATIC_CALL(sk, la);

long lb(long x);
long libb_call(int i, long x);
void libb_snapshot(void);
int libb_wrong(void *func);
int libb_direct(void *func);

__attribute__((noinline)) long mt(long x) { return x + 300; }

#define PAD(k) __asm__ volatile(".fill " #k ", 1, 0x90")
#define SITES(k) \
__attribute__((noinline)) long mcall_##k(long x) { PAD(k); return static_call(sk)(x) + 1; }
SITES(1) SITES(2) SITES(3) SITES(4) SITES(5) SITES(6) SITES(7) SITES(8)
static long (*const mcalls[])(long) = { mcall_1, mcall_2, mcall_3, mcall_4,
					mcall_5, mcall_6, mcall_7, mcall_8 };

static void check(long (*f)(long), int updated)
{
	const struct static_call_key *key = &STATIC_CALL_KEY(sk);
	uintptr_t t = (uintptr_t)key->tramp, target = 0;
	struct sc_census c;

	for (int i = 0; i < 8; i++)
		if (mcalls[i](i) != f(i) + 1 || libb_call(i, i) != f(i) + 1)
			SC_FAIL("site %d: %ld %ld, want %ld", i, mcalls[i](i),
				libb_call(i, i), f(i) + 1);
	if (!updated)
		return;
	c = sc_census(key, (uintptr_t)f);
	if (c.wrong || c.total != 8 || libb_wrong((void *)f))
		SC_FAIL("site bytes: %d wrong here, %d in libxb", c.wrong,
			libb_wrong((void *)f));
	sc_decode(t + STATIC_CALL_TRAMP_JMP, &target);
	if (sc_reaches(t + 12, (uintptr_t)f) ? target != (uintptr_t)f :
	    target != t + STATIC_CALL_TRAMP_FAR ||
	    *(void **)(t + 18 + *(int32_t *)(t + 14)) != (void *)f)
		SC_FAIL("trampoline");
	printf("target %p: %d of 8 sites direct here, %d in libxb; trampoline %s\n",
	       (void *)f, c.direct, libb_direct((void *)f),
	       target == t + STATIC_CALL_TRAMP_FAR ? "far" : "near");
}

int main(void)
{
	static long (*const targets[])(long) = { mt, lb, labs, la, mt };

	sc_snapshot();
	libb_snapshot();
	check(la, 0);
	for (unsigned i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		int err = static_call_update(sk, targets[i]);

		if (err)
			SC_FAIL("update %u: %d", i, err);
		check(targets[i], 1);
	}
	if (static_call_query(sk) != mt)
		SC_FAIL("query");
	return 0;
}
