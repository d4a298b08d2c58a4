#!/bin/bash
# Differential test against the kernel's objtool (linux-kbuild-6.1): on the
# fixture compiled by gcc and clang at -O0..-O3 and -Os (clang -Os makes
# conditional tail calls), with -fPIC and -ffunction-sections, scpatch must
# find exactly objtool's sites, keys and flags.  objtool 6.1 leaves the
# table unsorted with alignment 1, so sets are compared, read with readelf.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/sites/sites-lib.sh"

if [[ ! -x $OBJTOOL ]]; then
	not_ok "objtool not installed at $OBJTOOL (package linux-kbuild-6.1)"
	exit 0
fi

for cc in $TEST_COMPILERS; do
	for opt in -O0 -O1 -O2 -O3 -Os; do
		for extra in "" -fPIC -ffunction-sections "-fPIC -DSC_VISIBILITY=\"default\""; do
			tag="$cc $opt $extra"
			compile $cc $opt $extra -o in.o "$FIX/calls.c" || { not_ok "$tag: compile"; continue; }
			cp in.o ot.o
			cp in.o sc.o
			"$OBJTOOL" --static-call ot.o 2> ot.err
			"$SCPATCH" --no-align sc.o	# objtool does not pad
			want=$(table_set ot.o)
			got=$(table_set sc.o)
			if [[ -z $want || $(grep -c . <<< "$want") -lt 8 ]]; then
				not_ok "$tag: objtool found too few sites: $want"
			elif [[ "$want" == "$got" ]]; then
				ok "$tag: $(grep -c . <<< "$got") sites as objtool"
			else
				not_ok "$tag: differs from objtool: $(diff <(echo "$want") <(echo "$got") | tr '\n' ' ')"
			fi
		done
	done
done

# conditional tail calls are among them (clang -Os)
compile clang -Os -o cs.o "$FIX/calls.c"
"$SCPATCH" cs.o
jcc=$(objdump -d cs.o | grep -cE '\sj(e|ne|s|ns|g|ge|l|le|a|ae|b|be)\s+[0-9a-f]+ <')
expect "clang -Os object has conditional tail calls in the table" \
	test "$(table_set cs.o | grep -c tail)" -gt 3
