#!/bin/bash
# Runtime benchmarks (make bench): call cost of static calls against a
# direct call and the alternatives, update latency for 1, 100 and 10,000
# sites of one key, and registration of an image with 100,000 sites.
# CSV on stdout (group,metric,value,unit,reference,reference_value);
# progress on stderr.  Medians of several runs, measured in this run.
set -euo pipefail

ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$ROOT/build}
SCPATCH=${SCPATCH:-$BUILD/scpatch}
out=$BUILD/bench/runtime
mkdir -p "$out"
cd "$out"
here=$ROOT/bench/runtime
export PKG_CONFIG_PATH=$BUILD/runtime/pkgconfig
cflags=$(pkg-config --cflags scpatch)
libs=$(pkg-config --libs scpatch)
reps=101
[[ -n "${BENCH_QUICK:-}" ]] && reps=21

# annotate FILE.o [scpatch options]: in place, through a temporary.
annotate() {
	"$SCPATCH" "${@:2}" -o "$1.tmp" "$1" && mv "$1.tmp" "$1"
}

echo "bench: runtime: building" >&2
noalign="-fno-align-loops -fno-align-jumps -fno-align-labels"
gcc -O2 $noalign $cflags -c -o calls.o "$here/calls.c"
# Not padded: the call-cost loops need one site that the compiler left
# unaligned, to measure a call through the trampoline.
annotate calls.o --no-align
gcc -O2 -c -o calls_target.o "$here/calls_target.c"
gcc -O2 -mindirect-branch=thunk -mindirect-branch-register -c -o calls_retpoline.o \
	"$here/calls_retpoline.c"
gcc -O2 -fPIC -shared -o libbench_target.so "$here/calls_lib.c"
gcc -o calls calls.o calls_target.o calls_retpoline.o -L. -lbench_target \
	-Wl,-rpath,"$out" $libs

for n in 1 100 10000 100000; do
	"$here/gen_sites.sh" $n > sites_$n.S
	gcc -c -o sites_$n.o sites_$n.S
	annotate sites_$n.o
	gcc -O2 $cflags -c -o updates.o "$here/updates.c"
	annotate updates.o
	gcc -o updates_$n updates.o sites_$n.o $libs
done

echo "bench: runtime: call cost" >&2
./calls > calls.txt
cat calls.txt >&2
ns() { awk -v m="$1" '{ v = $NF; $NF = ""; sub(/ $/, ""); if ($0 == m) print v }' calls.txt; }
direct=$(ns "direct call")
echo "runtime,direct call,$direct,ns,-,-"
for m in "patched static call" "unpatched site (trampoline)" "function pointer" \
	"function pointer (retpoline)" "PLT call into a shared library"; do
	echo "runtime,$m,$(ns "$m"),ns,direct call,$direct"
done
echo "runtime,static call to another library (far stub),$(ns "static call, target in another library"),ns,PLT call into a shared library,$(ns "PLT call into a shared library")"

echo "bench: runtime: updates" >&2
for n in 1 100 10000 100000; do
	./updates_$n $reps > upd_$n.txt
	sed "s/^/bench: $n sites: /" upd_$n.txt >&2
done
val() { awk -v m="$2" '$1 == m { print $2 }' "upd_$1.txt"; }
for n in 1 100 10000; do
	echo "runtime,update of one key: $n sites,$(val $n update),us,-,-"
done
echo "runtime,register an image with 100000 sites (load),$(val 100000 register),us,-,-"
echo "runtime,first update after load: 100000 sites (index),$(val 100000 first-update),us,-,-"
