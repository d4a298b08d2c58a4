#!/bin/bash
# Memory can run out at any allocation.  An LD_PRELOAD shim makes the Nth
# allocation and every one after it fail, for every N that one run makes:
# annotate in place, then list and check, must each end with exit 0 and the
# normal result, or exit 2 with one line of ours and the input as it was.
# Never a crash, never a half-written or silently different object.
. "$ROOT/tests/lib.sh"

FIX=$ROOT/tests/fixtures
# Under make check-sanitize the tool's allocator is ASan's: a shim in front
# of it would hand ASan memory it did not allocate.  make check runs this.
if ldd "$SCPATCH" | grep -q libasan; then
	ok "skipped: the tool is built with ASan, whose allocator this shim would bypass"
	exit 0
fi
gcc -O2 -shared -fPIC -o failalloc.so "$ROOT/tests/hardening/failalloc.c" ||
	{ not_ok "build the shim"; exit 0; }
# Objects that take the pass through different paths: plain C with -g,
# compressed debug sections (recompressed on the way out, in a scratch
# libelf handle), C++ with exceptions and a section per function.
gcc -O2 -g -I"$FIX/sites" -c "$FIX/sites/calls.c" -o calls.o &&
	gcc -O1 -g -gz -fPIC -I"$FIX/sites" -c "$FIX/sites/calls.c" -o gz.o &&
	g++ -O2 -g -ffunction-sections -c "$FIX/pad/except.cc" -o except.o ||
	{ not_ok "compile"; exit 0; }

# allocations COMMAND...: how many one run of COMMAND makes.
allocations() {
	FAILALLOC_COUNT=count.txt LD_PRELOAD=./failalloc.so "$@" > /dev/null 2>&1
	cat count.txt
}

# one_line_of_ours: err.txt is one "scpatch: " line.
one_line_of_ours() {
	[[ $(wc -l < err.txt) -eq 1 ]] && grep -q '^scpatch: ' err.txt
}

# Annotating in place: every point of failure.  The last allocations are
# the exit's own (stdio): failing them changes nothing.
for raw in calls.o gz.o except.o; do
	cp $raw want.o && "$SCPATCH" want.o || { not_ok "$raw: annotate a copy"; continue; }
	expect "$raw: annotating pads (the pass is part of what fails)" \
		bash -c "! cmp -s $raw want.o && ! '$SCPATCH' list want.o | grep -q unaligned"
	n=$(allocations "$SCPATCH" -o count.o $raw)
	bad=()
	for ((at = 1; at <= n; at++)); do
		cp $raw obj.o
		FAILALLOC_AT=$at LD_PRELOAD=./failalloc.so "$SCPATCH" obj.o 2> err.txt
		rc=$?
		if [[ $rc -eq 0 ]]; then
			cmp -s obj.o want.o || bad+=("$at: exit 0 with another object")
		elif [[ $rc -eq 2 ]]; then
			one_line_of_ours || bad+=("$at: exit 2 without one line: $(head -c 200 err.txt)")
			cmp -s obj.o $raw || bad+=("$at: exit 2 and the input changed")
		else
			bad+=("$at: exit $rc: $(head -c 200 err.txt)")
		fi
		ls -A | grep -q scpatch- && bad+=("$at: a temporary file left") && rm -f .*scpatch-*
	done
	expect "$raw: $n points of failure tried" test "$n" -gt 100
	expect_eq "$raw, out of memory at any point: exit 0 and the same object, or exit 2, one line, input untouched" \
		"" "${bad[*]:0:5}"
done

cp calls.o want.o && "$SCPATCH" want.o && "$SCPATCH" list --why want.o > want-list.txt ||
	{ not_ok "annotate and list calls.o"; exit 0; }
# Reading: list and check.
for cmd in "list --why" check; do
	n=$(allocations "$SCPATCH" $cmd want.o)
	bad=()
	for ((at = 1; at <= n; at++)); do
		FAILALLOC_AT=$at LD_PRELOAD=./failalloc.so "$SCPATCH" $cmd want.o > out.txt 2> err.txt
		rc=$?
		if [[ $rc -eq 0 ]]; then
			[[ $cmd == check ]] || cmp -s out.txt want-list.txt ||
				bad+=("$at: exit 0 with another listing")
		elif [[ $rc -eq 2 ]]; then
			one_line_of_ours || bad+=("$at: exit 2 without one line: $(head -c 200 err.txt)")
		else
			bad+=("$at: exit $rc: $(head -c 200 err.txt)")
		fi
	done
	expect "$cmd: $n points of failure tried" test "$n" -gt 10
	expect_eq "$cmd, out of memory at any point: exit 0 or exit 2 with one line" \
		"" "${bad[*]:0:5}"
done
