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
		    "$src"/diag.c)
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
