#!/bin/bash
# The API beyond patching: C++ callers (g++, clang++), C with -std=c11,
# updates with a wrong function type rejected by the compiler, the indirect
# build mode, a fully static program, and EXPORT after DEFINE refused.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/runtime/rt.sh"

declare -A CXX=([gcc]=g++ [clang]=clang++)
for cc in $TEST_COMPILERS; do
	cxx=${CXX[$cc]}
	for mode in pie nopie; do
		if $cxx -O2 $(mode_cflags $mode) -c -I"$RT" $SC_CFLAGS -o cxx.o "$RT/cxx_prog.cc" > build.log 2>&1 &&
			annotate "$cc" cxx.o >> build.log 2>&1 &&
			$cxx $(mode_ldflags $mode) -o cxx cxx.o $SC_LIBS >> build.log 2>&1; then
			expect "$cxx $mode: C++ callers, members, lambdas, inline (COMDAT)" ./cxx
		else
			not_ok "$cxx $mode: build failed: $(head -c 600 build.log)"
		fi
	done

	for std in gnu11 c11; do
		expect "$cc -std=$std: a right-typed update and NULL compile" \
			$cc -std=$std -Wall -Werror $SC_CFLAGS -c -o tc.o "$RT/typecheck.c"
		expect_exit "$cc -std=$std: a wrong-typed update does not compile" 1 \
			$cc -std=$std $SC_CFLAGS -DWRONG -c -o tc.o "$RT/typecheck.c"
	done
	cp "$RT/typecheck.c" typecheck.cc
	expect "$cxx: a right-typed update compiles" $cxx $SC_CFLAGS -c -o tc.o typecheck.cc
	expect_exit "$cxx: a wrong-typed update does not compile" 1 \
		$cxx $SC_CFLAGS -DWRONG -c -o tc.o typecheck.cc

	if $cc -O2 -DSTATIC_CALL_INDIRECT $SC_CFLAGS -o indirect "$RT/indirect.c" $SC_LIBS > build.log 2>&1; then
		expect "$cc: indirect mode works" ./indirect
		expect_eq "$cc: indirect mode has no trampoline" "" \
			"$(readelf -SW indirect | grep -o '\.static_call\.text')"
	else
		not_ok "$cc: indirect build failed: $(cat build.log)"
	fi

	printf '%s\n' '#include <static_call.h>' 'int f(int x) { return x; }' \
		'DEFINE_STATIC_CALL(late, f);' 'EXPORT_STATIC_CALL(late);' > late.c
	expect_exit "$cc: EXPORT after DEFINE is refused" 1 $cc $SC_CFLAGS -c -o late.o late.c
done

# A fully static program: the runtime archive (pkg-config --static).
if cc_obj gcc sites.o "$RT/patch_sites.c" -O2 -fno-pie > build.log 2>&1 &&
	gcc -static -o static sites.o "$RT/patch_main.c" $(pkg-config --static --libs scpatch) >> build.log 2>&1; then
	expect "gcc -static: patching with libscpatch.a" ./static basic
else
	not_ok "static build failed: $(head -c 600 build.log)"
fi
