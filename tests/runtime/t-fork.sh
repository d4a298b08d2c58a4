#!/bin/bash
# fork() while another thread loads and unloads a plugin: each child's
# static_call_update() finishes (it does not go through the dynamic
# loader, whose lock the child may inherit held).
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/runtime/rt.sh"

for cc in $TEST_COMPILERS; do
	if cc_obj "$cc" plugin.o "$RT/plugin.c" -O2 -fPIC > build.log 2>&1 &&
		$cc -shared -o plugin.so plugin.o $SC_LIBS >> build.log 2>&1 &&
		cc_obj "$cc" main.o "$RT/fork_dlopen.c" -O2 -fPIE >> build.log 2>&1 &&
		$cc -pie -rdynamic -o prog main.o -ldl -lpthread $SC_LIBS >> build.log 2>&1; then
		expect "$cc: children forked during dlopen/dlclose can update" \
			./prog ./plugin.so 300
	else
		not_ok "$cc: build failed: $(head -c 800 build.log)"
	fi
done
