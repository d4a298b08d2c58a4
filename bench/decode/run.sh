#!/bin/bash
# Decoder throughput: scpatch's arch_decode() against Zydis 4 (minimal mode)
# and Capstone (detail off) on the same .text bytes, median of 5 passes.
# Input: libLLVM-14.so's .text (about 48 MB), else libc + libstdc++.
# BENCH_QUICK=1: libc's .text only, 3 passes.
set -euo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$ROOT/build}
out=$BUILD/bench/decode
mkdir -p "$out"

cc=${CC:-cc}
$cc -std=gnu11 -O2 -Wall -Wextra -I"$ROOT/tools/scpatch" \
	$(pkg-config --cflags capstone) \
	"$ROOT/bench/decode/bench.c" "$ROOT"/tools/scpatch/arch/x86/*.c \
	-o "$out/bench-decode" -lZydis $(pkg-config --libs capstone)

llvm=/usr/lib/llvm-14/lib/libLLVM-14.so
runs=5
: > "$out/text.bin"
if [[ -n "${BENCH_QUICK:-}" ]]; then
	inputs=(/lib/x86_64-linux-gnu/libc.so.6)
	runs=3
elif [[ -e $llvm ]]; then
	inputs=("$llvm")
else
	inputs=(/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libstdc++.so.6)
fi
for lib in "${inputs[@]}"; do
	objcopy -O binary --only-section=.text "$lib" "$out/part.bin"
	cat "$out/part.bin" >> "$out/text.bin"
	echo "input: $lib .text" >&2
done
"$out/bench-decode" "$out/text.bin" "$runs"
