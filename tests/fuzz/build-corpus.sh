#!/bin/bash
# Builds the seed corpora of the fuzz targets from real compiler output:
#     build-corpus.sh OUTDIR SCPATCH
# OUTDIR/objects: objects from gcc and clang at -O0/-O2/-Os, -g, -fPIC,
#   -ffunction-sections, -gz (compressed debug), C++ with COMDAT groups,
#   the site fixtures raw and annotated, ld -r output, a small executable
#   and shared library with sites.  Seeds for annotate and list/check.
# OUTDIR/code: the raw .text of those objects, seeds for the decoder.
# Regression inputs (tests/fuzz/regressions/*) are added to both.
set -euo pipefail

out=$1 scpatch=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
sites=$root/tests/fixtures/sites
elf=$root/tests/fixtures/elf
check=$root/tests/fixtures/check
decode=$root/tests/fixtures/decode
rm -rf "$out/objects" "$out/code" "$out/work"
mkdir -p "$out/objects" "$out/code" "$out/work"
cd "$out/work"

n=0
seed() {	# seed NAME FILE: keep an object (and its code) as seeds
	cp "$2" "$out/objects/$1"
	objcopy -O binary --only-section=.text "$2" "$out/code/$1.text" 2>/dev/null || true
	[[ -s "$out/code/$1.text" ]] || rm -f "$out/code/$1.text"
	n=$((n + 1))
}

for cc in gcc clang; do
	for opt in -O0 -O2 -Os; do
		for extra in "" "-g" "-fPIC" "-ffunction-sections"; do
			tag=$cc$opt${extra//[^a-zA-Z0-9]/}
			$cc $opt $extra -I"$sites" -c "$sites/calls.c" -o calls-$tag.o
			seed calls-$tag.o calls-$tag.o
			"$scpatch" -o calls-$tag.ann.o calls-$tag.o
			seed calls-$tag.ann.o calls-$tag.ann.o
		done
	done
	$cc -O2 -g -gz -I"$sites" -c "$sites/calls.c" -o calls-$cc-gz.o
	seed calls-$cc-gz.o calls-$cc-gz.o
	$cc -O2 -c "$elf/model.c" -o model-$cc.o && seed model-$cc.o model-$cc.o
	$cc -O2 -I"$sites" -c "$sites/nokey.c" -o nokey-$cc.o && seed nokey-$cc.o nokey-$cc.o
	$cc -O1 -c "$decode/kernels.c" -o kernels-$cc.o && seed kernels-$cc.o kernels-$cc.o
done
g++ -O2 -c "$elf/comdat.cc" -o comdat-gxx.o && seed comdat-gxx.o comdat-gxx.o
clang++ -O2 -g -c "$elf/comdat.cc" -o comdat-clangxx.o && seed comdat-clangxx.o comdat-clangxx.o
gcc -c "$elf/nested.s" -o nested.o && seed nested.o nested.o
gcc -c "$sites/stale.s" -o stale.o && seed stale.o stale.o

# ld -r of two annotated objects: merged table fragments.
gcc -O2 -I"$sites" -c "$sites/defs.c" -o defs.o
"$scpatch" defs.o
ld -r calls-gcc-O2.ann.o defs.o -o merged.o && seed merged.o merged.o

# Linked files: list and check read those too (PLT, dynamic relocations).
if gcc -O2 -fPIC -shared -I"$sites" "$sites/calls.c" "$sites/defs.c" \
	-o libcalls.so 2>/dev/null; then
	seed libcalls.so libcalls.so
fi
gcc -O2 -I"$check" -c "$check/calls.c" -o ccalls.o 2>/dev/null &&
	"$scpatch" ccalls.o && seed check-calls.o ccalls.o || true

for f in "$root"/tests/fuzz/regressions/*; do
	[[ -f "$f" ]] || continue
	cp "$f" "$out/objects/"
	cp "$f" "$out/code/"
done
rm -rf "$out/work"
echo "seed corpus: $n objects in $out/objects, $(ls "$out/code" | wc -l) code blobs in $out/code" >&2
