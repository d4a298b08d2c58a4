#!/bin/bash
# A plugin with sites, dlopen()ed and dlclose()d in a loop while another
# thread updates the program's key: registration follows the loads, each
# call is checked.  With scpatch tables the plugin also has sites of a key
# that the program exports (KEYREF entries, calls through the PLT).
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/runtime/rt.sh"

for cc in $TEST_COMPILERS; do
	extra=() what="own key"
	if annotator_is_scpatch "$cc"; then
		extra=(-DMAIN_KEY) what="own key and the program's exported key"
	fi
	if cc_obj "$cc" plugin.o "$RT/plugin.c" -O2 -fPIC "${extra[@]}" > build.log 2>&1 &&
		$cc -shared -o plugin.so plugin.o $SC_LIBS >> build.log 2>&1 &&
		cc_obj "$cc" main.o "$RT/dlopen_main.c" -O2 -fPIE >> build.log 2>&1 &&
		$cc -pie -rdynamic -o prog main.o -ldl -lpthread $SC_LIBS >> build.log 2>&1; then
		expect "$cc: dlopen/dlclose loop during updates ($what)" ./prog ./plugin.so
	else
		not_ok "$cc: build failed: $(head -c 800 build.log)"
	fi
done
