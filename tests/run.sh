#!/bin/bash
# Test runner.  Runs every tests/**/t-*.sh (optionally only those whose path
# matches $1), each in its own scratch directory and with a time limit.
# A test script reports results through tests/lib.sh; a script that dies or
# times out without reporting counts as one failure.  The last line is
# "N passed, N failed".
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
filter=${1:-}
limit=${TEST_TIMEOUT:-300}
export ROOT BUILD SCPATCH=${SCPATCH:-$BUILD/scpatch}
# Tests that run make themselves must not inherit `make check`'s level,
# flags or command-line variables (a sub-make prints "Entering directory"
# and would take BUILD=... from MAKEFLAGS).
unset MAKELEVEL MAKEFLAGS MFLAGS MAKEOVERRIDES

passed=0 failed=0
failures=()
logdir=$(mktemp -d /tmp/scpatch-tests.XXXXXX)

while IFS= read -r script; do
	rel=${script#"$ROOT"/}
	[[ -n "$filter" && "$rel" != *"$filter"* ]] && continue
	name=${rel%.sh}
	log="$logdir/${name//\//_}.log"
	results="$logdir/${name//\//_}.results"
	scratch=$(mktemp -d /tmp/scpatch-t.XXXXXX)
	: > "$results"
	start=$SECONDS
	( cd "$scratch" && RESULTS="$results" TEST_NAME="$name" \
		timeout -k 10 "$limit" bash "$script" ) > "$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$results")
	f=$(grep -c '^not ok ' "$results")
	if [[ $rc -ne 0 && $f -eq 0 ]]; then
		echo "not ok $name: script exited $rc$([[ $rc -eq 124 ]] && echo ' (timeout)')" >> "$results"
		f=$((f + 1))
	fi
	if [[ $((p + f)) -eq 0 ]]; then
		echo "not ok $name: reported no result" >> "$results"
		f=1
	fi
	printf '%-40s %3d passed %3d failed %4ds\n' "$name" "$p" "$f" $((SECONDS - start))
	if [[ $f -gt 0 ]]; then
		grep '^not ok ' "$results" | sed 's/^/    /'
		echo "    --- last lines of $log:"
		tail -n 15 "$log" | sed 's/^/    | /'
		failures+=("$name")
	fi
	passed=$((passed + p)) failed=$((failed + f))
	rm -rf "$scratch"
done < <(find "$ROOT/tests" -name 't-*.sh' | sort)

echo
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
