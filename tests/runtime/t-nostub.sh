#!/bin/bash
# A library that defines an exported static call but was linked without
# the stub (so never registered): the program can still update it.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/runtime/rt.sh"

for cc in $TEST_COMPILERS; do
	if $cc -O2 -fPIC -Wall $SC_CFLAGS -c -o lib.o "$RT/nostub_lib.c" > build.log 2>&1 &&
		$cc -shared -o libnostub.so lib.o >> build.log 2>&1 &&
		cc_obj "$cc" main.o "$RT/nostub_main.c" -O2 -fPIE >> build.log 2>&1 &&
		$cc -pie -o prog main.o -L. -lnostub -Wl,-rpath,"$PWD" $SC_LIBS >> build.log 2>&1; then
		expect "$cc: update of an unregistered library's trampoline" ./prog
	else
		not_ok "$cc: build failed: $(head -c 800 build.log)"
	fi
done

# Against dlclose(): an update that uses such a library keeps it mapped
# until it returns (a dlclose() started in its middle waits), and a loop
# of loads and unloads runs against updates of another such library.
for cc in $TEST_COMPILERS; do
	if $cc -O2 -fPIC -Wall $SC_CFLAGS -c -o lib.o "$RT/nostub_lib.c" > build.log 2>&1 &&
		$cc -shared -o libnostub.so lib.o >> build.log 2>&1 &&
		$cc -O2 -fPIC $SC_CFLAGS -c -o race_lib.o "$RT/nostub_race_lib.c" >> build.log 2>&1 &&
		$cc -shared -o librace.so race_lib.o >> build.log 2>&1 &&
		$cc -O2 -fPIE -Wall -I"$RT" $SC_CFLAGS -c -o race.o "$RT/nostub_race.c" >> build.log 2>&1 &&
		$cc -pie -o race race.o -L. -lnostub -Wl,-rpath,"$PWD" -ldl -lpthread $SC_LIBS >> build.log 2>&1; then
		expect "$cc: dlclose() of an unregistered library waits for its update" ./race race ./librace.so
		expect "$cc: unregistered library loaded and unloaded during updates" ./race loop ./librace.so
	else
		not_ok "$cc: build failed: $(head -c 800 build.log)"
	fi
done
