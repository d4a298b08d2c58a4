#!/bin/bash
# End to end: annotated objects link with the runtime (gcc and clang
# drivers, GNU ld and lld; PIE, non-PIE, shared libraries whose keys come
# from another library; --gc-sections), the programs retarget their static
# calls, and `scpatch list` on the linked file names exactly the surviving
# sites that objdump sees.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/sites/sites-lib.sh"

E=$FIX/e2e
export PKG_CONFIG_PATH=$BUILD/runtime/pkgconfig
if ! pkg-config --exists scpatch; then
	not_ok "runtime not built in $BUILD (scpatch.pc missing)"
	exit 0
fi
CFLAGS_SC=$(pkg-config --cflags scpatch)
LIBS_SC=$(pkg-config --libs scpatch)
# Before: 5 + 6 + 6 with op_add; after: 6 + 9 + 5 with op_mul.
WANT_RUN="17 20 0"

lacks_symbol() { [[ -f $1 ]] && ! nm "$1" | grep -qw "$2"; }

build() {	# build CC TAG CFLAGS...: annotated defs.o use.o main.o in TAG/
	local cc=$1 tag=$2; shift 2
	mkdir -p "$tag"
	for f in defs use main; do
		$cc "$@" $CFLAGS_SC -c "$E/$f.c" -o "$tag/$f.o" || return 1
		"$SCPATCH" "$tag/$f.o" || return 1
	done
}

link_case() {	# link_case DIR TAG CC LDFLAGS...: objects of DIR into TAG.prog
	local dir=$1 tag=$2 cc=$3; shift 3
	if ! $cc -o "$tag.prog" "$dir/main.o" "$dir/use.o" "$dir/defs.o" "$@" $LIBS_SC; then
		not_ok "$tag: link"
		return
	fi
	expect_eq "$tag: program retargets its calls" "$WANT_RUN" "$("./$tag.prog")"
	same_sites "$tag" "$tag.prog" 4
}

for cc in $TEST_COMPILERS; do
	build $cc $cc-pie -O2 -fPIE && {
		link_case $cc-pie $cc-pie $cc -pie
		link_case $cc-pie $cc-pie-lld $cc -pie -fuse-ld=lld
	}
	build $cc $cc-nopie -O1 -fno-pic && link_case $cc-nopie $cc-nopie $cc -no-pie
	build $cc $cc-gc -Os -ffunction-sections && {
		link_case $cc-gc $cc-gc $cc -Wl,--gc-sections
		expect "$cc-gc: unused function is in the object's table" \
			grep -q unused_with_site <("$SCPATCH" list --json $cc-gc/use.o)
		expect "$cc-gc: --gc-sections dropped the unused function" \
			lacks_symbol $cc-gc.prog unused_with_site
		link_case $cc-gc $cc-gc-lld $cc -Wl,--gc-sections -fuse-ld=lld
	}
done

# Shared libraries: libdefs exports the static calls, libuse calls them
# (keys from another image: KEYREF), the program calls libuse.
mkdir -p so
gcc -O2 -fPIC $CFLAGS_SC -DEXPORT_CALLS -c "$E/defs.c" -o so/defs.o &&
gcc -O2 -fPIC $CFLAGS_SC -c "$E/use.c" -o so/use.o &&
gcc -O2 $CFLAGS_SC -c "$E/main.c" -o so/main.o &&
"$SCPATCH" so/defs.o so/use.o so/main.o || not_ok "so: build"
for ld in bfd lld; do
	gcc -shared -fuse-ld=$ld -o so/libdefs-$ld.so so/defs.o $LIBS_SC &&
	gcc -shared -fuse-ld=$ld -o so/libuse-$ld.so so/use.o so/libdefs-$ld.so $LIBS_SC &&
	gcc -fuse-ld=$ld -o so/prog-$ld so/main.o so/libuse-$ld.so so/libdefs-$ld.so $LIBS_SC ||
		{ not_ok "so-$ld: link"; continue; }
	expect_eq "so-$ld: program retargets calls in a library" "$WANT_RUN" \
		"$(LD_LIBRARY_PATH=so so/prog-$ld)"
	same_sites "so-$ld: libuse" so/libuse-$ld.so 4
	expect "so-$ld: libuse's keys are KEYREF slots" \
		test "$("$SCPATCH" list --json so/libuse-$ld.so | grep -c '"keyref": true')" -ge 4
done

# C++ inline functions with sites in several objects: COMDAT copies, one
# kept; GNU ld and lld; also after ld -r (groups survive, tables split).
for cxx in g++ clang++; do
	mkdir -p $cxx
	$cxx -O2 $CFLAGS_SC -c "$E/cxx1.cc" -o $cxx/c1.o &&
	$cxx -O2 $CFLAGS_SC -c "$E/cxx2.cc" -o $cxx/c2.o &&
	gcc -O2 $CFLAGS_SC -c "$E/defs.c" -o $cxx/defs.o &&
	"$SCPATCH" $cxx/c1.o $cxx/c2.o $cxx/defs.o || { not_ok "$cxx: build"; continue; }
	expect "$cxx: the inline function's table is in its COMDAT group" \
		grep -q '\.static_call_sites' <(readelf -gW $cxx/c1.o)
	for ld in bfd lld; do
		$cxx -fuse-ld=$ld -o $cxx/p-$ld $cxx/c1.o $cxx/c2.o $cxx/defs.o $LIBS_SC ||
			{ not_ok "$cxx-$ld: link"; continue; }
		expect_eq "$cxx-$ld: inline sites retargeted" "20 28 0" "$($cxx/p-$ld)"
		same_sites "$cxx-$ld" $cxx/p-$ld 2
	done
	ld -r -o $cxx/joined.o $cxx/c1.o $cxx/c2.o && "$SCPATCH" $cxx/joined.o &&
	$cxx -o $cxx/pj $cxx/joined.o $cxx/defs.o $LIBS_SC &&
		expect_eq "$cxx ld -r: runs" "20 28 0" "$($cxx/pj)" &&
		same_sites "$cxx ld -r" $cxx/pj 2 || not_ok "$cxx ld -r: build"
done

# -fno-plt: GOT calls rewritten to addr32 call / jmp; nop, and they run.
mkdir -p noplt
gcc -O2 -fPIC -fno-plt $CFLAGS_SC -c "$E/use.c" -o noplt/use.o &&
gcc -O2 $CFLAGS_SC -c "$E/defs.c" -o noplt/defs.o &&
gcc -O2 $CFLAGS_SC -c "$E/main.c" -o noplt/main.o &&
"$SCPATCH" noplt/use.o noplt/defs.o noplt/main.o || not_ok "noplt: build"
expect "noplt: no GOT call of a trampoline is left" \
	test -z "$(objdump -dr noplt/use.o | grep -B1 'GOTPCRELX.*__SCT__')"
# the rewritten calls are sites like others: padded and aligned (the
# pass's early decode of the section is out of date once they are)
expect "noplt: every site aligned" "$SCPATCH" check noplt/use.o
for ld in bfd lld; do
	gcc -fuse-ld=$ld -o noplt/p-$ld noplt/main.o noplt/use.o noplt/defs.o $LIBS_SC ||
		{ not_ok "noplt-$ld: link"; continue; }
	expect_eq "noplt-$ld: rewritten program runs and retargets" "$WANT_RUN" "$(noplt/p-$ld)"
	same_sites "noplt-$ld" noplt/p-$ld 6
done
