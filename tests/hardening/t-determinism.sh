#!/bin/bash
# Determinism and idempotence on real objects: members of Debian's libc.a
# and libelf.a, and this project's own sources built by gcc and clang in
# several ways, their malloc/calloc/realloc/free calls renamed to
# __SCT__ trampolines (objcopy --redefine-sym) and merged with a key object
# (ld -r; hidden and default keys, so direct and KEYREF entries).  For each:
# annotating twice gives the same bytes; so does annotating a copy under
# another name in another directory; annotating the output again changes
# nothing, with -o and in place; all of it with padding and --no-align.
. "$ROOT/tests/lib.sh"

cat > key.c <<'EOF2'
struct static_call_key { void *func, *tramp; } __attribute__((aligned(8)));
#define KEY(name, vis) extern struct static_call_key __SCK__##name \
	__attribute__((visibility(vis)));
KEY(malloc, "hidden") KEY(free, "hidden") KEY(calloc, "default") KEY(realloc, "default")
__attribute__((used, section(".discard.addressable")))
static void *const keys[] = { &__SCK__malloc, &__SCK__free, &__SCK__calloc, &__SCK__realloc };
EOF2
gcc -O2 -c key.c -o key.o || { not_ok "key object"; exit 0; }

mkdir -p src
ar x /usr/lib/x86_64-linux-gnu/libc.a regex.o glob.o getaddrinfo.o tsearch.o 2>/dev/null &&
	mv regex.o glob.o getaddrinfo.o tsearch.o src/
for lib in /usr/lib/x86_64-linux-gnu/libelf.a; do
	[[ -f $lib ]] && (cd src && ar x "$lib" elf_begin.o elf64_updatefile.o elf_getdata.o)
done
T=$ROOT/tools/scpatch
CF="$(pkg-config --cflags libelf libdw libxxhash) -I$T -I$ROOT/runtime -DSCPATCH_VERSION=\"0\""
build() {	# build CC FLAGS SOURCE
	local out=src/$1${2// /}-$(basename "$3" .c).o
	$1 $2 $CF -c "$T/$3" -o "$out" || not_ok "compile $out"
}
build gcc "-O2 -g" elf_sym.c
build clang "-O2 -ffunction-sections -fPIC" elf_write.c
build gcc "-O0" report.c
build clang "-Os -g -gz" pad_layout.c

for f in src/*.o; do
	base=$(basename "$f" .o)
	objcopy --redefine-sym malloc=__SCT__malloc --redefine-sym free=__SCT__free \
		--redefine-sym calloc=__SCT__calloc --redefine-sym realloc=__SCT__realloc \
		"$f" renamed.o && ld -r renamed.o key.o -o "in-$base.o" ||
		not_ok "$base: rename and merge"
done
rm -f renamed.o

mkdir -p elsewhere/deeper
nsites=0 nobj=0
for in in in-*.o; do
	base=${in#in-}; base=${base%.o}
	sites=$("$SCPATCH" -o probe.o "$in" && "$SCPATCH" list probe.o | wc -l)
	if [[ -z $sites || $sites -eq 0 ]]; then
		not_ok "$base: annotate finds sites (got '${sites}')"
		continue
	fi
	nsites=$((nsites + sites)) nobj=$((nobj + 1))
	for mode in pad no-align; do
		flags=(); [[ $mode == no-align ]] && flags=(--no-align)
		bad=()
		"$SCPATCH" "${flags[@]}" -o a1.o "$in" &&
			"$SCPATCH" "${flags[@]}" -o a2.o "$in" || bad+=("annotate failed")
		cmp -s a1.o a2.o || bad+=("two runs differ")
		cp "$in" elsewhere/deeper/other-name.o
		(cd elsewhere && "$SCPATCH" "${flags[@]}" deeper/other-name.o) || bad+=("in place failed")
		cmp -s a1.o elsewhere/deeper/other-name.o || bad+=("another name and directory differ")
		"$SCPATCH" "${flags[@]}" -o b.o a1.o || bad+=("re-annotate failed")
		cmp -s a1.o b.o || bad+=("annotating the output changes it")
		cp a1.o c.o && "$SCPATCH" "${flags[@]}" c.o && cmp -s a1.o c.o ||
			bad+=("annotating the output in place changes it")
		if ((${#bad[@]})); then
			not_ok "$base ($mode, $sites sites): ${bad[*]}"
		else
			ok "$base ($mode, $sites sites): same bytes twice, elsewhere, and when annotated again"
		fi
	done
done
echo "$nobj objects, $nsites sites"
expect "at least 8 real objects with sites" test $nobj -ge 8
