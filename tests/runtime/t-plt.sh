#!/bin/bash
# Lazy binding: at the first update every PLT entry is still unbound.  A
# site's unbound PLT entry leads to its trampoline only if the relocation
# its lazy stub binds names that trampoline (__SCT__lk, defined there);
# calls through PLT entries of other symbols (a function, another
# trampoline) that a stale or forged table lists as sites stay as they
# are.  The trampoline's own unbound PLT jump to its first target is
# checked by name too, in a library with and without the stub (found
# in /proc/self/maps).  GNU ld's PLT layouts (plain, IBT: .plt.sec) and
# lld's.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/runtime/rt.sh"

for cc in $TEST_COMPILERS; do
	for tramp in stub nostub ibtplt lld; do
		name="$cc, trampoline library $tramp"
		libs=$SC_LIBS ld=-fuse-ld=bfd
		[[ $tramp == nostub ]] && libs=
		[[ $tramp == ibtplt ]] && ld="-fuse-ld=bfd -Wl,-z,ibtplt" name="$cc ld.bfd -z ibtplt"
		[[ $tramp == lld ]] && ld=-fuse-ld=lld name="$cc ld.lld"
		rm -f ./*.so
		if $cc -O2 -fPIC -Wall $SC_CFLAGS -c -o tramp.o "$RT/plt_tramp.c" > build.log 2>&1 &&
			$cc $ld -shared -Wl,-z,lazy -o libplttramp.so tramp.o $libs >> build.log 2>&1 &&
			cc_obj "$cc" sites.o "$RT/plt_sites.c" -O2 -fPIC >> build.log 2>&1 &&
			$cc -c -o decoys.o "$RT/plt_decoys.S" >> build.log 2>&1 &&
			$cc $ld -shared -Wl,-z,lazy -o libpltsites.so sites.o decoys.o -L. -lplttramp \
				$SC_LIBS >> build.log 2>&1 &&
			$cc $ld -O2 -I"$RT" $SC_CFLAGS -Wl,-z,lazy -o prog "$RT/plt_main.c" -L. \
				-lpltsites -lplttramp -Wl,-rpath,"$PWD" $SC_LIBS >> build.log 2>&1; then
			expect "$name: unbound PLT entries checked by symbol name" \
				env -u LD_BIND_NOW ./prog
		else
			not_ok "$name: build failed: $(head -c 800 build.log)"
		fi
	done
done
