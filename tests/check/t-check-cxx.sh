#!/bin/bash
# C++ functions are named as people read them (c++filt's form) in every
# output format; JSON and SARIF also keep the symbol's mangled name.
. "$ROOT/tests/lib.sh"

cp "$ROOT/tests/fixtures/check/names.cc" .
for cxx in g++ clang++; do
	for dbg in "" -g; do
		o=$cxx${dbg}.o
		$cxx -O2 $dbg -I"$ROOT/runtime" -c names.cc -o $o ||
			{ not_ok "$o: compiles"; continue; }
		"$SCPATCH" --no-align $o || { not_ok "$o: annotates"; continue; }
		"$SCPATCH" check --json $o > out.json
		# Every function of a finding: readable and linkage name agree
		# with c++filt, and no mangled name is left in the text output.
		pairs=$(python3 -c '
import json, sys
for file in json.load(open("out.json"))["files"]:
  for f in file["findings"]:
    print(f.get("linkage_name", "-") + "\t" + (f["function"] or "-"))' | sort -u)
		n=$(grep -c . <<< "$pairs")
		want=$(cut -f1 <<< "$pairs" | c++filt | paste <(cut -f1 <<< "$pairs") - | sort -u)
		expect_eq "$o: JSON function is c++filt's of linkage_name" "$want" "$pairs"
		# (a site the compiler happened to align has no finding)
		expect "$o: at least three C++ functions named" test "$n" -ge 3
		"$SCPATCH" check $o > out.txt
		expect_eq "$o: text names no mangled function" "" \
			"$(grep -E ' (in |\()_Z' out.txt)"
		expect "$o: text names a template instance" \
			grep -q 'int tf<int>(int)+0x' out.txt
		"$SCPATCH" check --sarif $o > out.sarif
		got=$(python3 -c '
import json
for r in json.load(open("out.sarif"))["runs"][0]["results"]:
    l = r["locations"][0]["logicalLocations"][0]
    print(l["decoratedName"] + "\t" + l["name"])' | sort -u)
		expect_eq "$o: SARIF logical location name and decoratedName" "$want" "$got"
	done
done
# A C name that merely starts with _Z is printed as it is.
cat > zc.c <<'C'
#include "static_call.h"
static int one(void) { return 1; }
DEFINE_STATIC_CALL(f, one);
__attribute__((noinline)) int _Zfoo(void) { return static_call(f)() + 1; }
C
gcc -O2 -I"$ROOT/runtime" -c zc.c -o zc.o && "$SCPATCH" --no-align zc.o
"$SCPATCH" check zc.o > out.txt
expect "C name _Zfoo kept" grep -q '(_Zfoo+0x' out.txt
