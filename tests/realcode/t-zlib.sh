#!/bin/bash
# zlib (Debian's source package) with every call between its objects and
# from its test programs turned into a static call, compiled by gcc and
# clang from -O0 to -O3/-Os, -fPIC or not, -g, -ffunction-sections; padded
# by scpatch (every site aligned), linked with the runtime and run through
# zlib's own tests (example, infcover, minigzip round trips) while a thread
# retargets every static call in a loop.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/realcode/realcode-lib.sh"

src=$(source_dir zlib) || exit 0
MIN_SITES=150
lib=(adler32.c crc32.c deflate.c infback.c inffast.c inflate.c inftrees.c
     trees.c zutil.c compress.c uncompr.c gzclose.c gzlib.c gzread.c gzwrite.c)
progs=(test/example.c test/minigzip.c test/infcover.c)
# Input for the round trips: ~2 MB of code and data.
cat "$SCPATCH" "$src"/*.c > big

configs=(
	"gcc|-O0 -g"
	"gcc|-O2 -fPIC -ffunction-sections"
	"gcc|-O3 -g"
	"clang|-O1 -fPIC -g"
	"clang|-O2 -ffunction-sections -g"
	"clang|-Os"
)
n=0
for c in "${configs[@]}"; do
	cc=${c%%|*} flags="${c#*|} -DHAVE_UNISTD_H -DHAVE_STDARG_H"
	tag=zlib-$((n++))-$cc${c#*|}
	tag=${tag// /}
	staticized "$tag" $cc "$flags" "$src" "${lib[@]}" -- "${progs[@]}" || continue
	for p in example minigzip infcover; do
		link "$tag" $p $cc || { not_ok "$tag: link $p"; continue 2; }
	done
	run_flipping "$tag" example "$tag/example" "$tag/test.gz"
	run_flipping "$tag" infcover "$tag/infcover"
	run_flipping "$tag" "minigzip -9" sh -c "'$tag/minigzip' -9 < big > '$tag/big.gz'"
	run_flipping "$tag" "minigzip -d" sh -c "'$tag/minigzip' -d < '$tag/big.gz' > '$tag/big.out'"
	expect "$tag: minigzip round trip" cmp -s big "$tag/big.out"
done
