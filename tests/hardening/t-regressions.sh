#!/bin/bash
# Inputs that once crashed, hung or tripped a sanitizer in the fuzzers
# (tests/fuzz/regressions/*.elf; docs/hardening.md tells each story).  Every
# command must end normally (exit 0, 1 or 2; under make check-sanitize a
# sanitizer report exits 99), say what is wrong in one line when it exits
# 2, and leave the input as it was.
. "$ROOT/tests/lib.sh"

run_one() {	# run_one INPUT COMMAND...
	local in=$1 rc; shift
	cp "$in" input.o
	timeout 20 "$SCPATCH" "$@" input.o > out.txt 2> err.txt
	rc=$?
	if [[ $rc -gt 2 ]]; then
		not_ok "$(basename "$in") ${*:-annotate}: exit $rc: $(head -c 300 err.txt)"
	elif [[ $rc -eq 2 && $(wc -l < err.txt) -ne 1 ]]; then
		not_ok "$(basename "$in") ${*:-annotate}: exit 2 without exactly one line: $(head -c 300 err.txt)"
	elif ! cmp -s "$in" input.o; then
		not_ok "$(basename "$in") ${*:-annotate}: input changed"
	else
		ok "$(basename "$in") ${*:-annotate}: exit $rc"
	fi
}

for in in "$ROOT"/tests/fuzz/regressions/*.elf; do
	run_one "$in" -o annotated.o
	if [[ -f annotated.o ]]; then
		expect "$(basename "$in"): what annotate wrote, list reads" \
			"$SCPATCH" list annotated.o
		rm -f annotated.o
	fi
	run_one "$in" list
	run_one "$in" list --why --json
	run_one "$in" check
	run_one "$in" check --sarif
	run_one "$in" decode
done
