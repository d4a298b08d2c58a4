#!/bin/bash
# Tool benchmark: annotate relocatable objects of more than 100 MB (C code
# in a few hundred sections, and LLVM's C++ in 200,000 sections; both joined
# with ld -r from Debian's archives, with real static call sites; see
# build-object.sh) with scpatch, without and with padding, against
# `objcopy IN OUT` and Debian's `objtool --static-call` on the same object.  CPU time and peak memory are
# the medians of 5 runs (3 with BENCH_QUICK, which also uses a ~20 MB object).
# CSV on stdout (group,metric,value,unit,reference,reference_value),
# progress on stderr.
set -uo pipefail

ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$ROOT/build}
SCPATCH=${SCPATCH:-$BUILD/scpatch}
OBJTOOL=${OBJTOOL:-/usr/lib/linux-kbuild-6.1/tools/objtool/objtool}
here=$ROOT/bench/tool
work=$BUILD/bench/tool
mkdir -p "$work"

if [[ -n "${BENCH_QUICK:-}" ]]; then
	reps=3 variant=quick
else
	reps=5 variant=
fi
failed=0

say() { echo "tool: $*" >&2; }

# An object is rebuilt only when its recipe or Debian's archives change.
input_stamp() {
	cat "$here/build-object.sh" "$here/hide-rodata.c"
	echo "set $1 ${variant:-full} functions ${BENCH_TOOL_FUNCTIONS:-1000}"
	ls -l --time-style=+%s /usr/lib/llvm-14/lib/libLLVM*.a \
		/usr/lib/x86_64-linux-gnu/lib{c,m-2.36,capstone,dw,elf}.a \
		/usr/lib/x86_64-linux-gnu/lib{lzma,z,bz2}.a 2>&1
}

ensure_input() {
	local set_name=$1 input=$2 stamp
	stamp=$(input_stamp "$set_name" | sha256sum | cut -d' ' -f1)
	if [[ -f "$input" && "$(cat "$input.stamp" 2>/dev/null)" == "$stamp" ]]
	then
		return 0
	fi
	say "building the input object $input (once, a few minutes)"
	rm -f "$input.stamp"
	nice "$here/build-object.sh" "$set_name" "$input" $variant || return 1
	echo "$stamp" > "$input.stamp"
}

# measure NAME CMD...: runs CMD $reps times (after `prepare`, untimed), and
# sets TIME_S (CPU time, user + system) and PEAK_MB (peak RSS, MiB) to the
# medians.  CPU time rather than elapsed time: the tools are single-threaded
# and the machines this runs on are shared; the elapsed times go to stderr.
# Returns 1 when a run fails.
prepare() { :; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
measure() {
	local name=$1 i cpu=() wall=() peaks=() e u s m
	shift
	for ((i = 0; i < reps; i++)); do
		prepare
		if ! /usr/bin/time -f '%e %U %S %M' -o "$work/time.out" "$@" \
		     > "$work/$name.stdout" 2> "$work/$name.stderr"; then
			say "$name failed: $*"
			sed 's/^/tool:   /' "$work/$name.stderr" | tail -n 5 >&2
			return 1
		fi
		read -r e u s m < <(tail -n 1 "$work/time.out")
		wall+=("$e")
		cpu+=("$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')")
		peaks+=("$m")
	done
	TIME_S=$(printf '%s\n' "${cpu[@]}" | median)
	PEAK_MB=$(printf '%s\n' "${peaks[@]}" | median |
		  awk '{ printf "%.1f", $1 / 1024 }')
	say "$name: ${TIME_S} s CPU, ${PEAK_MB} MiB (median of $reps; CPU ${cpu[*]} s; elapsed ${wall[*]} s)"
}

# Entries of all .static_call_sites* sections (8 bytes each).
count_sites() {
	readelf -SW "$1" 2>/dev/null | awk '
		function hex(text,    i, n) {
			for (i = 1; i <= length(text); i++)
				n = n * 16 + index("0123456789abcdef",
						   substr(text, i, 1)) - 1
			return n
		}
		{ sub(/^ *\[ *[0-9]+\] /, "") }
		$1 ~ /^\.static_call_sites/ { n += hex($5) / 8 }
		END { printf "%d\n", n }'
}

# Can this scpatch annotate (and pad)?  Asked of a tiny object, so that a
# failure on the big one is a real failure and not a missing feature.
probe_scpatch() {
	local flags=("$@")
	cat > "$work/probe.c" <<-'EOF'
		struct key { long func, mods; };
		__attribute__((visibility("hidden"), aligned(8)))
		struct key __SCK__probe;
		__attribute__((visibility("hidden"))) void __SCT__probe(int);
		void probe_a(int x) { __SCT__probe(x); __SCT__probe(x + 1); }
		char probe_b(char c) { __SCT__probe(c); return c; }
	EOF
	cc -O2 -c -o "$work/probe.o" "$work/probe.c" || return 1
	rm -f "$work/probe-out.o"
	"$SCPATCH" "${flags[@]}" -o "$work/probe-out.o" "$work/probe.o" \
		> /dev/null 2> "$work/probe.err" || return 1
	[[ $(count_sites "$work/probe-out.o") -eq 3 ]] || return 1
	# Without --no-align the tail call at an odd offset must be padded.
	[[ " ${flags[*]} " == *" --no-align "* ]] && return 0
	if [[ $(unaligned_sites "$work/probe-out.o") -ne 0 ]]; then
		echo "the output still has unaligned sites" > "$work/probe.err"
		return 1
	fi
}

unaligned_sites() {
	"$SCPATCH" list "$1" 2>/dev/null | grep -c ' unaligned$'
}

# annotate NAME METRIC FLAGS...: time, memory and sites of one mode.
annotate() {
	local name=$1 metric=$2 sites
	shift 2
	if ! probe_scpatch "$@"; then
		say "scpatch${*:+ $*} -o OUT IN: not available yet (probe: $(head -n 1 "$work/probe.err")): $metric not measured"
		return 0
	fi
	measure "$name" "$SCPATCH" "$@" -o "$work/$name-out.o" "$input" ||
		return 1
	echo "$group,$metric CPU time,$TIME_S,s,objcopy,$copy_time"
	echo "$group,$metric CPU time vs objtool,$TIME_S,s,objtool,$objtool_time"
	echo "$group,$metric peak memory,$PEAK_MB,MiB,objtool,$objtool_peak"
	echo "$group,$metric peak memory vs objcopy,$PEAK_MB,MiB,objcopy,$copy_peak"
	sites=$(count_sites "$work/$name-out.o")
	echo "$group,$metric sites found,$sites,sites,objtool,$objtool_sites"
	[[ $sites -eq $objtool_sites ]] ||
		say "$name found $sites sites, objtool $objtool_sites"
	if [[ " $* " != *" --no-align "* ]]; then
		echo "$group,$metric unaligned sites,$(unaligned_sites "$work/$name-out.o"),sites,-,-"
	fi
	rm -f "$work/$name-out.o"
}

# bench_input SET GROUP: every figure for one input object.
bench_input() {
	local set_name=$1 group=$2 input size_mb sections
	local copy_time copy_peak objtool_time objtool_peak objtool_sites
	input=$work/$set_name${variant:+-$variant}.o
	ensure_input "$set_name" "$input" || {
		say "cannot build the input object $input"
		return 1
	}
	size_mb=$(stat -c %s "$input" | awk '{ printf "%.1f", $1 / 1048576 }')
	sections=$(readelf -hW "$input" | awk '/Number of section headers/ {
		print $NF ~ /\)$/ ? substr($NF, 2, length($NF) - 2) : $NF }')
	say "input: $input, $size_mb MiB, $sections sections"
	echo "$group,input object size,$size_mb,MiB,-,-"
	echo "$group,input object sections,$sections,sections,-,-"

	measure objcopy objcopy "$input" "$work/objcopy-out.o" || return 1
	copy_time=$TIME_S copy_peak=$PEAK_MB
	rm -f "$work/objcopy-out.o"

	# objtool rewrites its input: each run gets a fresh copy.
	prepare() { cp "$input" "$work/objtool-out.o"; }
	measure objtool "$OBJTOOL" --static-call "$work/objtool-out.o" ||
		return 1
	prepare() { :; }
	objtool_time=$TIME_S objtool_peak=$PEAK_MB
	objtool_sites=$(count_sites "$work/objtool-out.o")
	rm -f "$work/objtool-out.o"
	if [[ $objtool_sites -eq 0 ]]; then
		say "objtool wrote no static call site: it gave up on $input:"
		sed 's/^/tool:   /' "$work/objtool.stderr" | tail -n 3 >&2
		return 1
	fi
	echo "$group,objtool --static-call CPU time,$objtool_time,s,objcopy,$copy_time"
	echo "$group,objtool peak memory,$objtool_peak,MiB,objcopy,$copy_peak"

	annotate annotate "annotate" --no-align || return 1
	annotate annotate-pad "annotate with padding" || return 1
}

bench_input c "tool C" || failed=1
bench_input cxx "tool C++" || failed=1
exit $failed
