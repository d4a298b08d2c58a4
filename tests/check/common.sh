# Helpers shared by the check tests (sourced after tests/lib.sh).
FIX=$ROOT/tests/fixtures/check
OBJTOOL=/usr/lib/linux-kbuild-6.1/tools/objtool/objtool

# annotate FILE.o: write the table in place, without padding, so that
# unaligned sites stay.  scpatch's own annotate when it works, else the
# kernel's objtool (same table format, direct key references).
# CHECK_ANNOTATOR=objtool or =scpatch forces one.
annotate() {
	ANNOTATOR=${ANNOTATOR:-${CHECK_ANNOTATOR:-}}
	if [[ -z "${ANNOTATOR:-}" ]]; then
		cp "$1" probe.o
		if "$SCPATCH" --no-align probe.o 2>/dev/null &&
		   readelf -SW probe.o | grep -q ' \.static_call_sites '; then
			ANNOTATOR=scpatch
		else
			ANNOTATOR=objtool
		fi
		echo "annotating with $ANNOTATOR"
	fi
	if [[ $ANNOTATOR == scpatch ]]; then
		"$SCPATCH" --no-align "$1"
	else
		"$OBJTOOL" --static-call "$1" 2>&1 | grep -v '^$' >&2
		return 0
	fi
}

# compile CC OUT FLAGS... SOURCE
compile() {
	local cc=$1 out=$2; shift 2
	$cc -I"$FIX" -c -o "$out" "$@"
}

# sites FILE: objdump's sites of FILE (expected_sites.py), computed once.
sites() {
	[[ -s "$1.sites" && "$1.sites" -nt "$1" ]] ||
		python3 "$ROOT/tests/check/expected_sites.py" "$1" > "$1.sites"
	cat "$1.sites"
}

# expected_unaligned FILE: "file:line" of every unaligned site that objdump
# finds, from addr2line, sorted.
expected_unaligned() {
	local file=$1 sec off state
	local -a args=()
	readelf -h "$file" | grep -q 'REL (' && args=(-j)
	sites "$file" | while read -r sec off _ _ state; do
		[[ $state == unaligned ]] || continue
		if [[ ${#args[@]} -gt 0 ]]; then
			addr2line -e "$file" -j "$sec" "$off"
		else
			addr2line -e "$file" "$off"
		fi
	done | sed -E 's| \(discriminator [0-9]+\)||; s|^.*/||' | sort
}

# reported_unaligned OUTPUT: the same from check's text output.
reported_unaligned() {
	sed -nE "s|^(.*/)?([^/:]+):([0-9]+):([0-9]+:)? warning: unaligned static call site .*|\2:\3|p" "$1" | sort
}

# count_sites FILE STATE: how many sites objdump finds (STATE aligned,
# unaligned or empty for all).
count_sites() {
	sites "$1" | awk -v state="${2:-}" 'state == "" || $5 == state' | wc -l
}
