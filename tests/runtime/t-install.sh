#!/bin/bash
# make install into a temporary DESTDIR, then build, annotate and run a
# program with nothing but `pkg-config --cflags --libs scpatch` from there.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/runtime/rt.sh"

dest=$PWD/dest prefix=/opt/scpatch-test
if ! make -C "$ROOT" --no-print-directory BUILD="$BUILD" PREFIX=$prefix DESTDIR="$dest" \
	install > install.log 2>&1; then
	not_ok "make install failed: $(tail -5 install.log)"
	exit 0
fi
root=$dest$prefix
for f in include/scpatch/static_call.h include/scpatch/static_call_table.h \
	lib/libscpatch.so lib/libscpatch.a lib/libscpatch_stub.a \
	lib/pkgconfig/scpatch.pc lib/scpatch/static_call_sites.ld share/man/man1/scpatch.1; do
	expect "installed $f" test -e "$root/$f"
done

# The .pc names the final prefix and everything relative to it, so that
# pkg-config --define-prefix finds the files under the DESTDIR.
export PKG_CONFIG_PATH=$root/lib/pkgconfig
cflags=$(pkg-config --define-prefix --cflags scpatch)
libs=$(pkg-config --define-prefix --libs scpatch)
expect_eq "scpatch.pc points under the DESTDIR" "-I$root/include/scpatch" "$(echo $cflags)"
cat > user.c <<'C'
#include <stdio.h>
#include <static_call.h>
static int a(int x) { return x + 1; }
static int b(int x) { return x + 2; }
DEFINE_STATIC_CALL(uc, a);
__attribute__((noinline)) int use(int x) { return static_call(uc)(x); }
int main(void)
{
	int before = use(1), err = static_call_update(uc, b);
	printf("%d %d %d\n", before, err, use(1));
	return !(before == 2 && err == 0 && use(1) == 3);
}
C
for cc in $TEST_COMPILERS; do
	if $cc -O2 $cflags -c user.c -o user.o > build.log 2>&1 && annotate "$cc" user.o >> build.log 2>&1 &&
		$cc -o user user.o $libs >> build.log 2>&1; then
		expect "$cc: program built with pkg-config only runs" \
			env LD_LIBRARY_PATH="$root/lib" ./user
		expect_eq "$cc: linked against the installed runtime" "$root/lib/libscpatch.so.0" \
			"$(LD_LIBRARY_PATH=$root/lib ldd ./user | awk '/libscpatch/ { print $3 }')"
	else
		not_ok "$cc: build with the installed files failed: $(head -c 600 build.log)"
	fi
done
