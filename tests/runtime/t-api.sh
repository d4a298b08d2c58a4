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

# A fully static program: the runtime archive (pkg-config --static).  Not
# padded, so that "basic" finds both aligned and unaligned sites.
if SC_ANNOTATE_FLAGS=--no-align cc_obj gcc sites.o "$RT/patch_sites.c" -O2 -fno-pie > build.log 2>&1 &&
	gcc -static -o static sites.o "$RT/patch_main.c" $(pkg-config --static --libs scpatch) >> build.log 2>&1; then
	expect "gcc -static: patching with libscpatch.a" ./static basic
else
	not_ok "static build failed: $(head -c 600 build.log)"
fi

# Trampolines stay distinct under identical-code folding and keep their
# layout under the assembler's branch padding.
for flags in "-fuse-ld=lld -Wl,--icf=all -ffunction-sections" \
	     "-mbranches-within-32B-boundaries -fuse-ld=lld"; do
	if cc_obj clang a.o "$RT/icf_a.c" -O2 $flags > build.log 2>&1 &&
		cc_obj clang b.o "$RT/icf_b.c" -O2 $flags >> build.log 2>&1 &&
		clang $flags -o icf a.o b.o $SC_LIBS >> build.log 2>&1; then
		expect "clang $flags: two trampolines, updated independently" ./icf
		expect_eq "clang $flags: trampolines keep their layout" \
			"f30f1efa0f1f00e9 f30f1efa0f1f00e9" \
			"$(for t in __SCT__icf_a __SCT__icf_b; do
				addr=$(nm icf | awk -v t=$t '$3 == t { print $1 }')
				objdump -s --start-address=0x$addr --stop-address=$((0x$addr + 8)) icf |
					awk '/^ [0-9a-f]+ / { print $2 $3 }' | cut -c1-16
			done | tr '\n' ' ' | sed 's/ $//')"
	else
		not_ok "clang $flags: build failed: $(head -c 600 build.log)"
	fi
done

# The runtime's assembly and code are marked for IBT and SHSTK (the linked
# library keeps the mark only where the C library's start files have it).
for o in return0.S.o patch.c.o registry.c.o init.c.o stub.c.o; do
	expect_eq "$o is marked IBT and SHSTK" "IBT, SHSTK" \
		"$(readelf -n "$BUILD/runtime/$o" | sed -n 's/.*x86 feature: //p')"
done

# static_call(name)(args) is a plain `call __SCT__name` at every level.
for cc in $TEST_COMPILERS; do
	for opt in -O0 -O1 -O2 -O3 -Os; do
		for pic in -fPIC -fno-pic; do
			$cc $opt $pic $SC_CFLAGS -c -o pc.o "$RT/plain_call.c"
			calls=$(objdump -dr pc.o | grep -A1 -E '\scall\s' | grep -c -E 'R_X86_64_(PLT|PC)32\s+__SCT__pc-0x4')
			indirect=$(objdump -d pc.o | grep -c -E 'call\s+\*')
			expect_eq "$cc $opt $pic: 3 direct calls to __SCT__pc, no indirect call" "3 0" "$calls $indirect"
		done
	done
done
