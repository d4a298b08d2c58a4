# Helpers of the padding tests (sourced after tests/lib.sh).
PADFIX=$ROOT/tests/fixtures/pad
SITEFIX=$ROOT/tests/fixtures/sites

# The pass driver (pad-driver.c) over the tool's sources, with ASan and
# UBSan; built once into $BUILD/tests/pad and reused while it is newer
# than every source.
build_pad_driver() {
	local src=$ROOT/tools/scpatch out=$BUILD/tests/pad/pad-driver
	local srcs=("$ROOT/tests/pad/pad-driver.c" "$src"/arch/x86/decode.c
		    "$src"/elf*.c "$src"/pad*.c "$src"/eh_frame.c "$src"/dwarf*.c
		    "$src"/diag.c "$src"/big_alloc.c "$src"/sort_kv.c)
	local f stale=
	[[ -x $out ]] || stale=1
	for f in "${srcs[@]}" "$src"/*.h; do
		[[ $f -nt $out ]] && stale=1
	done
	if [[ -n $stale ]]; then
		mkdir -p "$(dirname "$out")"
		gcc -std=gnu11 -g -O1 -Wall -Wextra \
			-fsanitize=address,undefined \
			-fno-sanitize-recover=undefined \
			-I"$src" -I"$ROOT/runtime" "${srcs[@]}" \
			$(pkg-config --cflags --libs libelf libdw libxxhash) \
			-o "$out.tmp.$$" && mv "$out.tmp.$$" "$out" || return 1
	fi
	ln -sf "$out" pad-driver
}
# The caller's options come last and win: make check-sanitize's let the
# ASan build of libscpatch.so load into the uninstrumented programs the
# tests link (verify_asan_link_order=0).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99${ASAN_OPTIONS:+:$ASAN_OPTIONS}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}

# compare ORIG PADDED: objdump/readelf comparison (compare.py).
compare() {
	python3 "$ROOT/tests/pad/compare.py" "$1" "$2"
}

# The bytes of section $2 of object $1, in hex.
# Through a file: objcopy writes a temporary file and renames it over its
# output, so given /dev/stdout it replaced the device link (as root) and
# gave nothing, and an empty result let "unchanged" checks pass.
section_hex() {
	local bin
	bin=$(mktemp section.XXXXXX) || return 1
	if objcopy -O binary --only-section="$2" "$1" "$bin" 2>/dev/null &&
	   [[ -s $bin ]]; then
		od -An -tx1 -v "$bin" | tr -d ' \n'
	else
		echo "(no $2 in $1)"	# differs from any other file's
	fi
	rm -f "$bin"
}

# The tool's objects in $BUILD but pad_verify_fault.o, in TOOL_OBJS; and
# build_fault_tool: ./scpatch-fault, the tool with pad_verify_fault.c
# built with -DSCPATCH_FAULT_INJECTION (SCPATCH_FAULT names the fault it
# injects after the commit).  False when the link fails.
tool_objects() {
	local src rel
	TOOL_OBJS=()
	for src in "$ROOT"/tools/scpatch/*.c "$ROOT"/tools/scpatch/arch/x86/*.c; do
		rel=${src#"$ROOT"/tools/scpatch/}
		[[ $rel == pad_verify_fault.c ]] ||
			TOOL_OBJS+=("$BUILD/tools/scpatch/${rel%.c}.o")
	done
}
build_fault_tool() {
	tool_objects
	gcc ${SCPATCH_SAN_FLAGS:-} -std=gnu11 -Wall -Wextra \
		-DSCPATCH_FAULT_INJECTION -iquote "$ROOT/tools/scpatch" \
		-I"$ROOT/runtime" $(pkg-config --cflags libelf libdw libxxhash) \
		-o scpatch-fault "$ROOT/tools/scpatch/pad_verify_fault.c" \
		"${TOOL_OBJS[@]}" $(pkg-config --libs libelf libdw libxxhash) -lstdc++
}

# objcopy options that turn the calls of scpatch's own sources (libc and
# each other) into static calls, as DEVELOPERS.md describes for code bases.
SELF_STATIC_CALLS=()
for f in malloc free realloc calloc memcpy memset strcmp strncmp qsort \
	 obj_section_data obj_find_reloc pad_refuse pad_map dr_u dr_uleb \
	 arch_decode; do
	SELF_STATIC_CALLS+=(--redefine-sym "$f=__SCT__$f")
done
