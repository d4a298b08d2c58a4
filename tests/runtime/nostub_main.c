// SPDX-License-Identifier: MIT
/*
 * Updates the static call of a library that did not register (linked
 * without the stub): the runtime finds the trampoline's segments without
 * the registry, and the trampoline reaches each new target, near (in the
 * library) or far (in the program: through the far stub's slot in the
 * library's .data).
 */
#include <stdio.h>

#include <static_call.h>

long nf1(long x);
long nsc_call(long x);
DECLARE_STATIC_CALL(nsc, nf1);

__attribute__((noinline)) long main_target(long x) { return x * 10; }

int main(void)
{
	int err = static_call_update(nsc, main_target);

	if (err || nsc_call(4) != 40 || static_call_query(nsc) != main_target) {
		fprintf(stderr, "nostub: far update: %d, %ld\n", err, nsc_call(4));
		return 1;
	}
	err = static_call_update(nsc, nf1);
	if (err || nsc_call(4) != 5) {
		fprintf(stderr, "nostub: update back: %d, %ld\n", err, nsc_call(4));
		return 1;
	}
	printf("trampoline of an unregistered library updated\n");
	return 0;
}
