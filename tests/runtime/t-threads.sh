#!/bin/bash
# Threads call every site and check each result while another thread
# retargets the keys thousands of times and a third forks (gcc and clang,
# PIE and non-PIE).
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/runtime/rt.sh"

for cc in $TEST_COMPILERS; do
	for mode in pie nopie; do
		name="$cc $mode"
		if cc_obj "$cc" threads.o "$RT/threads.c" -O2 $(mode_cflags $mode) > build.log 2>&1 &&
			$cc $(mode_ldflags $mode) -o threads threads.o -lpthread $SC_LIBS >> build.log 2>&1; then
			expect "$name: calls during updates reach the old or the new target; fork children clean" ./threads
		else
			not_ok "$name: build failed: $(head -c 600 build.log)"
		fi
	done
done
