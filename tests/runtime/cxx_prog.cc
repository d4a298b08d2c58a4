// SPDX-License-Identifier: MIT
/*
 * C++ callers: static calls defined and called from C++ (member functions
 * and lambdas calling through them, an inline function in a header-like
 * COMDAT), updated with C++ functions, checked by results and site bytes.
 */
#include <cstdio>
#include <string>

#include "sitecheck.h"

static int twice(int x) { return 2 * x; }
static int thrice(int x) { return 3 * x; }
static void note(int x) { std::printf("note %d\n", x); }

DEFINE_STATIC_CALL(scale, twice);
DEFINE_STATIC_CALL_NULL(notify, note);

struct Widget {
	int v;
	__attribute__((noinline)) int scaled() const { return static_call(scale)(v) + 1; }
};

/* An inline function: emitted in a COMDAT group. */
inline __attribute__((noinline)) int scaled_inline(int x) { return static_call(scale)(x); }

int main()
{
	Widget w{21};
	auto lambda = [](int x) { return static_call(scale)(x); };

	sc_snapshot();
	if (w.scaled() != 43 || lambda(5) != 10 || scaled_inline(4) != 8)
		SC_FAIL("before update");
	static_call_cond(notify)(1);	/* NULL: nothing */
	if (static_call_update(scale, thrice) || static_call_update(notify, note))
		SC_FAIL("update");
	if (w.scaled() != 64 || lambda(5) != 15 || scaled_inline(4) != 12)
		SC_FAIL("after update: %d %d %d", w.scaled(), lambda(5), scaled_inline(4));
	static_call_cond(notify)(2);
	struct sc_census c = sc_census(&STATIC_CALL_KEY(scale), (uintptr_t)thrice);
	if (c.wrong || c.total < 3)
		SC_FAIL("site bytes: %d of %d wrong", c.wrong, c.total);
	if (static_call_query(scale) != thrice)
		SC_FAIL("query");
	std::printf("C++: %d sites, %d direct\n", c.total, c.direct);
	return 0;
}
