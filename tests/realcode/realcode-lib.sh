# Helpers for tests/realcode/: a real code base, its calls between objects
# turned into static calls (staticize.sh), annotated and padded by scpatch,
# linked with the runtime and run with a thread that keeps retargeting
# every static call.  Sources: $BUILD/src/NAME (scripts/fetch-sources.sh,
# run by `make check`).
export PKG_CONFIG_PATH=$BUILD/runtime/pkgconfig
SC_CFLAGS=$(pkg-config --cflags scpatch)
SC_LIBS=$(pkg-config --libs scpatch)

# source_dir NAME: the unpacked sources, or a failure saying how to get them.
source_dir() {
	local dir=$BUILD/src/$1
	if [[ ! -f $dir/.fetched ]]; then
		not_ok "$1 sources in $dir (make check fetches them with scripts/fetch-sources.sh)"
		return 1
	fi
	echo "$dir"
}

# staticized TAG CC "FLAGS" SRCDIR LIB.c... -- PROG.c...: compiles each
# source into TAG/ with CC FLAGS, staticizes, annotates every object (with
# padding) and checks it: every site aligned, nothing invalid.  Leaves the
# objects in TAG/s/ and their count of sites in SITES (at least MIN_SITES).
# Reports failures; returns 1 when the programs cannot be built.
staticized() {
	local tag=$1 cc=$2 flags=$3 src=$4 f o libs=() progs=() bad other
	shift 4
	mkdir -p "$tag"
	while (($#)) && [[ $1 != -- ]]; do
		o=$tag/$(basename "${1%.c}").o
		$cc $flags -I"$src" -c "$src/$1" -o "$o" 2>> "$tag/build.log" ||
			{ not_ok "$tag: compile $1"; return 1; }
		libs+=("$o"); shift
	done
	shift
	for f in "$@"; do
		o=$tag/prog-$(basename "${f%.c}").o
		$cc $flags -I"$src" -c "$src/$f" -o "$o" 2>> "$tag/build.log" ||
			{ not_ok "$tag: compile $f"; return 1; }
		progs+=("$o")
	done
	"$ROOT/tests/realcode/staticize.sh" "$tag/s" "${libs[@]}" -- "${progs[@]}" \
		>> "$tag/build.log" 2>&1 || { not_ok "$tag: staticize"; return 1; }
	$cc -O2 -pthread -I"$ROOT/tests/runtime" $SC_CFLAGS -c "$tag/s/sc_defs.c" \
		-o "$tag/s/sc_defs.o" 2>> "$tag/build.log" ||
		{ not_ok "$tag: compile sc_defs.c"; return 1; }
	for o in "$tag"/s/*.o; do
		"$SCPATCH" "$o" 2>> "$tag/build.log" ||
			{ not_ok "$tag: annotate $o: $(tail -n 1 "$tag/build.log")"; return 1; }
	done
	"$SCPATCH" check --json "$tag"/s/*.o > "$tag/check.json"
	# Other findings may only be unpatchable calls: functions whose
	# address the code base takes are trampolines now, and a call
	# through such a pointer (loaded from the GOT) goes through the
	# trampoline.
	read -r SITES bad other < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = d["total"]
rules = [f["rule"] for f in d["files"] for f in f["findings"]]
print(t["sites"], t["unaligned"] + t["invalid"],
      sum(r not in ("unaligned-site", "unpatchable-call") for r in rules))' "$tag/check.json")
	expect_eq "$tag: all $SITES sites aligned and valid" 0 "$bad"
	expect_eq "$tag: no finding but unpatchable calls" 0 "$other"
	expect "$tag: at least $MIN_SITES sites" test "$SITES" -ge "$MIN_SITES"
}

# link TAG PROG: links TAG/PROG from its program object and the library.
link() {
	local tag=$1 prog=$2 cc=$3
	$cc -pthread -o "$tag/$prog" "$tag/s/prog-$prog.o" \
		$(ls "$tag"/s/*.o | grep -v '/prog-') $SC_LIBS 2>> "$tag/build.log"
}

# run_flipping TAG NAME CMD...: runs CMD with the retargeting thread, checks
# its exit status and the site census it prints at exit: every site a
# direct call to the current target, and at least one retargeting.
run_flipping() {
	local tag=$1 name=$2 census
	shift 2
	SC_FLIP=1 "$@" 2> "$tag/stderr.txt"
	expect_eq "$tag: $name passes" 0 $?
	census=$(grep '^staticized:' "$tag/stderr.txt" | tail -n 1)
	expect "$tag: $name: every site direct, retargeted ($census)" \
		python3 -c '
import re, sys
m = re.match(r"staticized: (\d+) sites, (\d+) direct, .* (\d+) wrong, (\d+) retargetings", sys.argv[1])
sys.exit(not (m and m[1] == m[2] and int(m[1]) > 0 and m[3] == "0" and int(m[4]) > 0))' "$census"
}
