# Helpers of the object-model tests (sourced after tests/lib.sh).

# Builds the test driver against the model, with ASan and UBSan.
build_objtest() {
	local src=$ROOT/tools/scpatch
	gcc -std=gnu11 -g -O1 -Wall -Wextra -Werror \
		-fsanitize=address,undefined -fno-sanitize-recover=undefined \
		-I"$src" "$ROOT/tests/elf/objtest.c" "$src"/elf*.c \
		"$src"/big_alloc.c "$src"/sort_kv.c \
		$(pkg-config --cflags --libs libelf libxxhash) -o objtest
}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99

# readelf -aW without what any rewrite may change: file offsets of
# sections and tables, symbol numbers and raw r_info (names stay).
norm_readelf() {
	readelf -aW "$1" 2>&1 | sed -E \
		-e 's/^( *\[ *[0-9]+\] +[^ ]+ +[^ ]+ +[0-9a-f]{16}) [0-9a-f]+ /\1 OFF /' \
		-e '/Start of section headers/d' \
		-e 's/ at offset 0x[0-9a-f]+//' \
		-e 's/^ +[0-9]+: ([0-9a-f]{16} )/ N: \1/' \
		-e 's/^([0-9a-f]{16})  [0-9a-f]{16} /\1 INFO /'
}

norm_objdump() {
	objdump -dr "$1" | tail -n +3
}

# Lines of `diff` between two normalized dumps that match none of the
# allowed extended regexes.
unexpected_diff() {
	local a=$1 b=$2; shift 2
	local lines
	lines=$(diff "$a" "$b" | grep -E '^[<>]')
	for re in "$@"; do
		lines=$(grep -Ev -e "$re" <<< "$lines")
	done
	echo -n "$lines"
}
