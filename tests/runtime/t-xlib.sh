#!/bin/bash
# Keys across shared libraries: a key exported by one library, sites in
# another library and in the program calling through PLT entries (KEYREF
# table entries), targets in the program, a library and libc, farther than
# 2 GiB from the trampoline (its far stub) and from some sites.  PIE and
# non-PIE (a copy-relocated key), GNU ld and lld, and --gc-sections.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/runtime/rt.sh"

tested=0
for cc in $TEST_COMPILERS; do
	annotator_is_scpatch "$cc" || continue	# objtool writes no KEYREF
	for ld in bfd lld; do
		for mode in pie nopie; do
			name="$cc $mode ld.$ld"
			lf=(-fuse-ld=$ld)
			[[ $mode == nopie ]] && lf+=(-Wl,--gc-sections)
			rm -f ./*.o ./*.so
			if cc_obj "$cc" a.o "$RT/xlib_a.c" -O2 -fPIC > build.log 2>&1 &&
			   cc_obj "$cc" b.o "$RT/xlib_b.c" -O2 -fPIC >> build.log 2>&1 &&
			   cc_obj "$cc" m.o "$RT/xlib_main.c" -O2 $(mode_cflags $mode) -ffunction-sections >> build.log 2>&1 &&
			   $cc "${lf[@]}" -shared -o libxa.so a.o $SC_LIBS >> build.log 2>&1 &&
			   $cc "${lf[@]}" -shared -o libxb.so b.o -L. -lxa $SC_LIBS >> build.log 2>&1 &&
			   $cc "${lf[@]}" $(mode_ldflags $mode) -o prog m.o -L. -lxb -lxa \
				-Wl,-rpath,"$PWD" $SC_LIBS >> build.log 2>&1; then
				[[ $mode == nopie ]] && name+=" --gc-sections"
				expect "$name: sites across libraries, through PLT, far targets" ./prog
				tested=1
			else
				not_ok "$name: build failed: $(head -c 800 build.log)"
			fi
		done
	done
done
[[ $tested == 1 ]] || echo "no compiler whose objects scpatch annotates: nothing tested"
[[ $tested == 1 ]] || not_ok "scpatch annotates no compiler's objects yet (objtool writes no KEYREF entries)"
