#!/bin/bash
# staticize.sh OUTDIR LIB.o... -- PROG.o...
#
# Turns a code base's calls between objects into static calls, as
# DEVELOPERS.md describes: every global function F defined in a LIB.o is
# renamed sc_real_F where it is defined and __SCT__F everywhere else (in the
# other LIB.o and in every PROG.o), with objcopy --redefine-syms.  Writes the
# renamed objects to OUTDIR (same names), and OUTDIR/sc_defs.c, which
# defines one static call per function (key __SCK__F, trampoline __SCT__F,
# initial target sc_real_F), a second target sc_alt_F that only jumps to
# sc_real_F (same behaviour, another address), and sc_flip(), which retargets
# every static call to one or the other.  With SC_FLIP set in its
# environment, a program linked with it retargets every static call in a
# loop on a thread of its own while it runs; at exit it retargets them all
# to sc_real_F and checks the bytes of every site (tests/runtime/
# sitecheck.h): one line "staticized: ..." on stderr, exit status 4 when a
# site is wrong.  Compile it with -I tests/runtime and -pthread.
# OUTDIR/functions lists the names.
set -euo pipefail

out=$1
shift
libs=() progs=()
while (($#)) && [[ $1 != -- ]]; do libs+=("$1"); shift; done
(($#)) && shift
progs=("$@")
mkdir -p "$out"

# Global functions and the object defining each.
nm --defined-only -g -A "${libs[@]}" | awk '$2 == "T" { sub(/:.*/, "", $1); print $1, $3 }' |
	sort -u -k2,2 > "$out/defs"
cut -d' ' -f2 "$out/defs" > "$out/functions"

# keyrefs NAME...: assembly that names each key in the object's symbol
# table, as static_call() does in C (static_call.h, __SC_KEY_USED): the
# annotator finds a trampoline's key there.
keyrefs() {
	local f
	echo '.section .note.GNU-stack, "", @progbits'
	echo '.pushsection .discard.static_call_keys, "e", @progbits'
	for f in "$@"; do
		printf '.globl __SCK__%s\n.hidden __SCK__%s\n' "$f" "$f"
		printf '.reloc ., R_X86_64_NONE, __SCK__%s\n.byte 0\n' "$f"
	done
	echo '.popsection'
}

for o in "${libs[@]}" "${progs[@]}"; do
	renamed=$out/$(basename "$o")
	awk -v o="$o" '{ print $2, ($1 == o ? "sc_real_" : "__SCT__") $2 }' \
		"$out/defs" > "$out/map"
	objcopy --redefine-syms="$out/map" "$o" "$renamed.tmp"
	mapfile -t called < <(nm -u "$renamed.tmp" |
			      sed -n 's/^ *U __SCT__//p')
	if ((${#called[@]})); then
		keyrefs "${called[@]}" | as -o "$renamed.keys.o" -
		ld -r -o "$renamed" "$renamed.tmp" "$renamed.keys.o"
		rm -f "$renamed.keys.o" "$renamed.tmp"
	else
		mv "$renamed.tmp" "$renamed"
	fi
done

{
	echo '#include <static_call.h>'
	echo '#include "sitecheck.h"'
	echo 'static void sc_add(struct sc_census *s, const struct sc_census *c);'
	while read -r f; do
		echo "extern void sc_real_$f(void);"
		echo "extern void sc_alt_$f(void);"
		echo "DEFINE_STATIC_CALL($f, sc_real_$f);"
		echo "__asm__(\".pushsection .text.sc_alt, \\\"ax\\\"\\n"\
"\\t.globl sc_alt_$f\\n\\t.type sc_alt_$f, @function\\n"\
"sc_alt_$f:\\n\\tjmp sc_real_$f\\n\\t.popsection\");"
	done < "$out/functions"
	echo 'int sc_flip(int alt)'
	echo '{'
	echo '	int err = 0;'
	while read -r f; do
		echo "	err |= static_call_update($f, alt ? sc_alt_$f : sc_real_$f);"
	done < "$out/functions"
	echo '	return err;'
	echo '}'
	echo 'static void sc_census_all(struct sc_census *sum)'
	echo '{'
	echo '	struct sc_census c;'
	while read -r f; do
		echo "	c = sc_census(&STATIC_CALL_KEY($f), sc_want(&STATIC_CALL_KEY($f), (void *)sc_real_$f));"
		echo '	sc_add(sum, &c);'
	done < "$out/functions"
	echo '}'
	cat "$(dirname "$0")/flipper.c"
} > "$out/sc_defs.c"
