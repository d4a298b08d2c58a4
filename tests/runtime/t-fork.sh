#!/bin/bash
# fork() while another thread loads and unloads a plugin: each child's
# static_call_update() finishes (it does not go through the dynamic
# loader, whose lock the child may inherit held), for the program's key
# and for the key of a library linked without the stub.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/runtime/rt.sh"

for cc in $TEST_COMPILERS; do
	if cc_obj "$cc" plugin.o "$RT/plugin.c" -O2 -fPIC > build.log 2>&1 &&
		$cc -shared -o plugin.so plugin.o $SC_LIBS >> build.log 2>&1 &&
		$cc -O2 -fPIC $SC_CFLAGS -c -o nostub.o "$RT/nostub_lib.c" >> build.log 2>&1 &&
		$cc -shared -o libnostub.so nostub.o >> build.log 2>&1 &&
		cc_obj "$cc" main.o "$RT/fork_dlopen.c" -O2 -fPIE -DNOSTUB_KEY >> build.log 2>&1 &&
		$cc -pie -rdynamic -o prog main.o -L. -lnostub -Wl,-rpath,"$PWD" -ldl -lpthread \
			$SC_LIBS >> build.log 2>&1; then
		expect "$cc: children forked during dlopen/dlclose can update" \
			./prog ./plugin.so 300
	else
		not_ok "$cc: build failed: $(head -c 800 build.log)"
	fi
done
