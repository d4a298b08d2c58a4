#!/bin/bash
# What the runtime must leave alone: sites of functions dropped by
# --gc-sections (GNU ld and lld), a forged table entry that points into
# .data, and every site when membarrier is refused (seccomp: EPERM, ENOSYS);
# a barrier that fails after the stores is a warning.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/runtime/rt.sh"

for cc in $TEST_COMPILERS; do
	# The forged entry in .data: 8 real entries and 1 forged.
	if cc_obj "$cc" gc.o "$RT/gc_sites.c" -O2 -fPIE > build.log 2>&1 &&
		$cc -pie -o forged gc.o "$RT/forged_site.S" $SC_LIBS >> build.log 2>&1; then
		expect "$cc: a table entry pointing into .data is never written" ./forged 9
	else
		not_ok "$cc: build failed: $(head -c 600 build.log)"
	fi
	# objtool's tables have no SHF_LINK_ORDER: --gc-sections drops them whole.
	annotator_is_scpatch "$cc" || continue
	for ld in bfd lld; do
		name="$cc ld.$ld --gc-sections"
		if cc_obj "$cc" gc.o "$RT/gc_sites.c" -O2 -fPIE -ffunction-sections -fdata-sections > build.log 2>&1 &&
			$cc -fuse-ld=$ld -pie -Wl,--gc-sections -o gc gc.o $SC_LIBS >> build.log 2>&1; then
			expect "$name: only the sites of kept functions remain" ./gc 4
			expect_eq "$name: dropped functions are gone" "" \
				"$(nm gc | grep -o 'unused_[0-9]' | head -1)"
		else
			not_ok "$name: build failed: $(head -c 600 build.log)"
		fi
	done
done

# Membarrier refused: the update fails with that error and changes nothing
# (patch_sites.c "nobarrier": every site and trampoline keep the old target).
gcc -O2 -o no_membarrier "$RT/no_membarrier.c"
if cc_obj gcc sites.o "$RT/patch_sites.c" -O2 -fPIE > build.log 2>&1 &&
	gcc -pie -o prog sites.o "$RT/patch_main.c" $SC_LIBS >> build.log 2>&1; then
	for e in EPERM:1 ENOSYS:38; do
		expect "membarrier fails with ${e%:*}: update refused, old target everywhere" \
			./no_membarrier "${e#*:}" ./prog nobarrier "${e#*:}"
	done
	# Registered, but the barrier after the stores fails: the update took
	# effect, returns 0 and warns (the handler; by default stderr, once).
	expect "membarrier fails after the stores: 0, new target, handler warned" \
		./no_membarrier -b 1 ./prog late-barrier custom
	rc=0
	./no_membarrier -b 1 ./prog late-barrier default > /dev/null 2> late.err || rc=$?
	expect_eq "membarrier fails after the stores: one line on stderr by default" "0 1" \
		"$rc $(grep -c '^scpatch: static_call_update: the core-serializing membarrier' late.err)"
else
	not_ok "build failed: $(head -c 600 build.log)"
fi
