#!/bin/bash
# make soak: builds the soak program and its plugin (gcc and clang, sites
# annotated by $BUILD/scpatch, linked against the build tree's runtime)
# and runs each for half of SOAK_SECONDS.  Not part of make check.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
SECONDS_TOTAL=${SOAK_SECONDS:-120}
out=$BUILD/soak
mkdir -p "$out"
export PKG_CONFIG_PATH=$BUILD/runtime/pkgconfig
cflags=$(pkg-config --cflags scpatch)
libs=$(pkg-config --libs scpatch)

for cc in ${SOAK_CC:-gcc clang}; do
	d=$out/$cc
	mkdir -p "$d"
	$cc -O2 -fPIE $cflags -c "$ROOT/tests/soak/soak.c" -o "$d/soak.o"
	$cc -O2 -fPIC $cflags -c "$ROOT/tests/soak/soak_plugin.c" -o "$d/plugin.o"
	"$BUILD/scpatch" "$d/soak.o" "$d/plugin.o"
	$cc -pie -rdynamic -o "$d/soak" "$d/soak.o" -ldl -lpthread $libs
	$cc -shared -o "$d/plugin.so" "$d/plugin.o" $libs
	echo "$cc: $("$BUILD/scpatch" list "$d/soak.o" | awk '{ n++; a += $4 == "aligned" } END { print n " sites, " a " aligned" }')"
	"$d/soak" $(( SECONDS_TOTAL / 2 )) "$d/plugin.so"
done
