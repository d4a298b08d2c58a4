#!/bin/bash
# Patching end to end, on code from gcc and clang at -O0, -O2 and -Os, in a
# PIE, a non-PIE executable and a shared library: every result, the bytes
# of every site (aligned ones call the new target directly, unaligned and
# out-of-reach ones their trampoline), the trampoline's jump, NULL, RET0 and
# cond calls, tail calls, and no W+X mapping after an update.  Annotated
# with --no-align, so that sites are aligned by chance and both kinds are
# there; then once more padded, as users build.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/runtime/rt.sh"
SC_ANNOTATE_FLAGS=--no-align

build() {	# CC MODE OPT -> ./prog
	local cc=$1 mode=$2 opt=$3 cf jcc=()
	cf=$(mode_cflags "$mode")
	# Conditional tail calls, where the annotator finds them (scpatch).
	if annotator_is_scpatch "$cc"; then
		cc_obj "$cc" jcc.o "$RT/jcc_sites.S" $cf || return 1
		jcc=(jcc.o -DJCC_SITES)
	fi
	cc_obj "$cc" sites.o "$RT/patch_sites.c" $cf $opt "${jcc[@]:1}" || return 1
	$cc -c $cf -o main.o "$RT/patch_main.c" || return 1
	if [[ $mode == shared ]]; then
		$cc -shared -o libsites.so sites.o "${jcc[@]:0:1}" $SC_LIBS &&
			$cc -pie -o prog main.o -L. -lsites -Wl,-rpath,"$PWD" $SC_LIBS
	else
		$cc $(mode_ldflags "$mode") -o prog sites.o "${jcc[@]:0:1}" main.o $SC_LIBS
	fi
}

for cc in $TEST_COMPILERS; do
	for mode in pie nopie shared; do
		for opt in -O0 -O2 -Os; do
			name="$cc $mode $opt"
			if ! build "$cc" "$mode" "$opt" > build.log 2>&1; then
				not_ok "$name: build failed: $(head -c 600 build.log)"
				continue
			fi
			expect "$name: update, results, site bytes, maps" ./prog basic
		done
	done
done

# gcc -fno-plt calls trampolines through the GOT; scpatch rewrites them
# into direct calls (addr32 call), which the runtime patches like others.
if annotator_is_scpatch gcc; then
	for mode in pie shared; do
		name="gcc $mode -O2 -fno-plt"
		if build gcc "$mode" "-O2 -fno-plt" > build.log 2>&1; then
			expect "$name: update, results, site bytes, maps" ./prog basic
		else
			not_ok "$name: build failed: $(head -c 600 build.log)"
		fi
	done
fi

# Padded as users build (every site aligned once scpatch pads): the same
# checks, whatever the mix of aligned and unaligned sites.
SC_ANNOTATE_FLAGS=
for cc in $TEST_COMPILERS; do
	for mode in pie nopie shared; do
		name="$cc $mode -O2, padded"
		if build "$cc" "$mode" -O2 > build.log 2>&1; then
			expect "$name: update, results, site bytes, maps" ./prog padded
		else
			not_ok "$name: build failed: $(head -c 600 build.log)"
		fi
	done
done
SC_ANNOTATE_FLAGS=--no-align

# One build per compiler for the cases that do not depend on the mode.
for cc in $TEST_COMPILERS; do
	build "$cc" pie -O2 > build.log 2>&1 || { not_ok "$cc: build: $(cat build.log)"; continue; }
	expect "$cc: a site with a breakpoint is left intact" ./prog breakpoint
	$cc -shared -fPIC -o fail_mprotect.so "$RT/fail_mprotect.c" -ldl
	for n in 0 1; do
		expect "$cc: mprotect refused after $n grants: old target everywhere" \
			env LD_PRELOAD=./fail_mprotect.so ./prog mprotect $n
		expect "$cc: mprotect refused part-way after $n grants: no W+X page left" \
			env FAIL_MPROTECT_PARTIAL=1 LD_PRELOAD=./fail_mprotect.so ./prog mprotect $n
	done
	expect "$cc: PR_SET_MDWE: update refused, old target everywhere" ./prog mdwe
	# Restoring read+execute fails after the stores: the update took
	# effect, returns 0 and warns (the handler; by default stderr, once).
	expect "$cc: restoring the protection fails: 0, new target, handler warned" \
		env FAIL_MPROTECT_RESTORE=0 LD_PRELOAD=./fail_mprotect.so ./prog late-restore custom
	rc=0
	env FAIL_MPROTECT_RESTORE=0 LD_PRELOAD=./fail_mprotect.so ./prog late-restore default \
		> /dev/null 2> late.err || rc=$?
	expect_eq "$cc: restoring the protection fails: one line on stderr by default" "0 1" \
		"$rc $(grep -c '^scpatch: static_call_update: restoring the protection' late.err)"
done
