#!/bin/bash
# Differential test of `scpatch decode` against GNU objdump: instruction
# boundaries and branch/RIP-relative targets.
#  - compiler-generated objects (gcc and clang, -O0..-O3/-Os, -mavx2,
#    -mavx512f, -fPIC, -ffunction-sections): every instruction must agree;
#  - system libraries (libc, libm, libstdc++, libcrypto, a 5 MB slice of
#    libLLVM-14): every disagreement must fall in a documented class (see
#    objdump-compare.pl), the figures are printed.
. "$ROOT/tests/lib.sh"

compare() {	# NAME FILE STRICT [LO HI]
	local name=$1 file=$2 strict=$3 lo=${4:-} hi=${5:-} range=() res
	readelf -SW "$file" | perl -ne 's/^\s*\[\s*\d+\]\s*//; my @f = split;
		print "$f[0] $f[2]\n" if @f >= 4 && $f[2] =~ /^[0-9a-f]+$/' > secaddr
	if [[ -n $lo ]]; then
		range=(--start-address=0x$lo --stop-address=0x$hi)
		# Lines are in address order: stop reading past the slice.
		"$SCPATCH" decode "$file" .text | awk -v lo="$lo" -v hi="$hi" -v base="$6" '
			function ge(a, b) { return length(a) > length(b) || (length(a) == length(b) && a >= b) }
			{ o = substr($1, 9) } ge(o, hi) { exit } ge(o, lo) { print }' > ours
		lo=$(printf %x $((0x$lo + 0x$6))) hi=$(printf %x $((0x$hi + 0x$6)))
		range=(--start-address=0x$lo --stop-address=0x$hi)
	elif ! "$SCPATCH" decode "$file" > ours; then
		not_ok "$name: scpatch decode failed"
		return
	fi
	objdump -d -z -w --insn-width=16 "${range[@]}" "$file" > theirs
	res=$(perl "$ROOT/tests/decode/objdump-compare.pl" secaddr ours theirs $lo $hi)
	local summary=${res%%$'\n'*} agree total
	agree=$(sed -n 's/^agree=\([0-9]*\) .*/\1/p' <<< "$summary")
	total=$(sed -n 's/.* objdump=\([0-9]*\) .*/\1/p' <<< "$summary")
	# strict: every instruction agrees, no class of difference at all
	if [[ $strict == strict && $agree != "$total" ]] ||
	   [[ $summary != *" unexplained=0" ]] || [[ ${agree:-0} -eq 0 ]]; then
		echo "$res"
		not_ok "$name: $summary"
		return
	fi
	ok "$name: $summary"
}

src=$ROOT/tests/fixtures/decode/kernels.c
flagsets=("-O0" "-O1" "-O2" "-O3" "-Os" "-O2 -mavx2" "-O3 -mavx512f"
	  "-O2 -fPIC" "-O3 -mavx2 -mavx512f -fPIC -ffunction-sections -g")
compiled_code() {	# CC: objects and a program, all strict
	local cc=$1 flags f
	for flags in "${flagsets[@]}"; do
		$cc $flags -c "$src" -o k.o || { not_ok "$cc $flags: compile"; continue; }
		compare "$cc $flags kernels.c" k.o strict
	done
	# Real code the decoder has never seen: scpatch's own sources.
	for flags in "-O0" "-O2 -fPIC" "-O3 -mavx2 -mavx512f"; do
		for f in arch/x86/decode.c cmd_decode.c; do
			$cc $flags -std=gnu11 -I"$ROOT/tools/scpatch" -I"$ROOT/runtime" \
				-c "$ROOT/tools/scpatch/$f" -o t.o ||
				{ not_ok "$cc $flags $f: compile"; continue; }
			compare "$cc $flags $f" t.o strict
		done
	done
	# A linked PIE executable (.init, .plt, .text, .fini).
	$cc -O2 -o prog "$src" "$ROOT/tests/fixtures/decode/main.c" -lm &&
		compare "$cc -O2 linked executable" prog strict
}

# One compiler per core; each in its own directory.
for cc in $TEST_COMPILERS; do
	mkdir -p "$cc" && (cd "$cc" && compiled_code "$cc") &
done
wait

# libcrypto: hand-written assembly (AES-NI, SHA, AVX-512) and data tables
# in .text, where both decoders decode garbage and every class shows up.
for lib in /lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/libm.so.6 \
	   /usr/lib/x86_64-linux-gnu/libstdc++.so.6 \
	   /usr/lib/x86_64-linux-gnu/libcrypto.so.3; do
	[[ -e $lib ]] && compare "$(basename "$lib")" "$lib" lenient
done

llvm=/usr/lib/llvm-14/lib/libLLVM-14.so
if [[ -e $llvm ]]; then
	# A 5 MB slice from 80% into .text, cut at exported function starts.
	read -r taddr tsize < <(readelf -SW "$llvm" | perl -ne \
		'print "$1 $2\n" if /\s\.text\s+PROGBITS\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)/')
	start=$((0x$taddr + 0x$tsize * 8 / 10))
	lo=$(nm -D --defined-only "$llvm" | perl -ane "print \"\$F[0]\n\" if \$F[1] eq 'T' && hex(\$F[0]) >= $start" | sort | head -n1)
	hi=$(nm -D --defined-only "$llvm" | perl -ane "print \"\$F[0]\n\" if \$F[1] eq 'T' && hex(\$F[0]) >= $start + 5*1024*1024" | sort | head -n1)
	compare "libLLVM-14.so .text slice" "$llvm" lenient \
		"$(printf %x $((0x$lo - 0x$taddr)))" "$(printf %x $((0x$hi - 0x$taddr)))" "$taddr"
fi
