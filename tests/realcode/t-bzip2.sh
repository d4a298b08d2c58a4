#!/bin/bash
# bzip2 (Debian's source package) with every call between its objects and
# from the bzip2 program turned into a static call, compiled by gcc and
# clang at several levels; padded by scpatch (every site aligned), linked
# with the runtime and run through bzip2's own `make test` comparisons
# while a thread retargets every static call in a loop.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/realcode/realcode-lib.sh"

src=$(source_dir bzip2) || exit 0
MIN_SITES=35
lib=(blocksort.c huffman.c crctable.c randtable.c compress.c decompress.c bzlib.c)

configs=(
	"gcc|-O2 -g"
	"gcc|-O3 -fPIC -ffunction-sections"
	"clang|-O0 -fPIC"
	"clang|-O2 -g"
)
n=0
for c in "${configs[@]}"; do
	cc=${c%%|*} flags="${c#*|} -D_FILE_OFFSET_BITS=64"
	tag=bzip2-$((n++))-$cc${c#*|}
	tag=${tag// /}
	staticized "$tag" $cc "$flags" "$src" "${lib[@]}" -- bzip2.c || continue
	link "$tag" bzip2 $cc || { not_ok "$tag: link bzip2"; continue; }
	# bzip2's Makefile `test` target: three compressions, three
	# decompressions, each compared with the reference file.
	for i in 1 2 3; do
		run_flipping "$tag" "bzip2 -$i sample$i" sh -c \
			"'$tag/bzip2' -$i < '$src/sample$i.ref' > '$tag/sample$i.rb2'"
		expect "$tag: sample$i compresses as the reference" \
			cmp -s "$src/sample$i.bz2" "$tag/sample$i.rb2"
		run_flipping "$tag" "bzip2 -d sample$i" sh -c \
			"'$tag/bzip2' -d$([[ $i == 3 ]] && echo s) < '$src/sample$i.bz2' > '$tag/sample$i.tst'"
		expect "$tag: sample$i decompresses as the reference" \
			cmp -s "$src/sample$i.ref" "$tag/sample$i.tst"
	done
done
