// SPDX-License-Identifier: MIT
/* The indirect build mode: calls through the key, no trampoline, no code
 * written; NULL and RET0 still work. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <static_call.h>

static int one(int x) { return x + 1; }
static int two(int x) { return x + 2; }
static int hits;
static void hook_fn(int x) { hits += x; }

DEFINE_STATIC_CALL(ic, one);
DEFINE_STATIC_CALL_NULL(ih, hook_fn);
DEFINE_STATIC_CALL_RET0(ir, one);

int main(void)
{
	static_call_cond(ih)(5);
	if (static_call(ic)(1) != 2 || static_call(ir)(7) != 0 || hits)
		return 1;
	if (static_call_update(ic, two) || static_call_update(ih, hook_fn) ||
	    static_call_update(ir, two))
		return 2;
	static_call_cond(ih)(5);
	if (static_call(ic)(1) != 3 || static_call(ir)(7) != 9 || hits != 5)
		return 3;
	if (static_call_query(ic) != two)
		return 4;
	/* The patching runtime, handed a key without a trampoline, refuses. */
	return __static_call_update(&STATIC_CALL_KEY(ic), (void *)hook_fn) == -EINVAL &&
	       static_call_query(ic) == two ? 0 : 5;
}
