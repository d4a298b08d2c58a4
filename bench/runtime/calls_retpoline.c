// SPDX-License-Identifier: MIT
/* The function pointer loop, compiled with -mindirect-branch=thunk. */
__attribute__((noinline)) long loop_retpoline(long (*f)(long), long n)
{
	long s = 0;

	for (long i = 0; i < n; i++)
		s += f(i);
	return s;
}
