# Helpers for the runtime tests: build against the build tree's scpatch.pc,
# and annotate objects with scpatch (or ANNOTATE, e.g. Debian's objtool).
export PKG_CONFIG_PATH=$BUILD/runtime/pkgconfig
SC_CFLAGS=$(pkg-config --cflags scpatch)
SC_LIBS=$(pkg-config --libs scpatch)
OBJTOOL=/usr/lib/linux-kbuild-6.1/tools/objtool/objtool
RT=$ROOT/tests/runtime

# scpatch, once it annotates an object of CC into one that has a table.
scpatch_annotates() {
	local cc=${1:-clang} d
	d=$(mktemp -d) || return 1
	printf '%s\n' '#include <static_call.h>' 'int f(int x) { return x; }' \
		'DEFINE_STATIC_CALL(t, f);' 'int g(int x) { return static_call(t)(x) + 1; }' > "$d/a.c"
	$cc -O2 -c $SC_CFLAGS -o "$d/a.o" "$d/a.c" &&
		"$SCPATCH" -o "$d/b.o" "$d/a.o" >/dev/null 2>&1 &&
		readelf -SW "$d/b.o" | grep -q ' \.static_call_sites '
	local rc=$?
	rm -rf "$d"
	return $rc
}
# The annotator of each compiler's objects: scpatch, or ANNOTATE if set
# (e.g. ANNOTATE="$OBJTOOL --static-call" to run the tests on objtool's
# tables).  A scpatch that cannot annotate is a failure, not a reason to
# test something else.
declare -A ANNOTATOR
for c in $TEST_COMPILERS; do
	ANNOTATOR[$c]=${ANNOTATE:-$SCPATCH}
	if [[ -z "${ANNOTATE:-}" ]] && ! scpatch_annotates "$c"; then
		not_ok "scpatch annotates a $c object with a static call"
	fi
done
# KEYREF entries (keys exported by another image) come from scpatch only.
annotator_is_scpatch() { [[ "${ANNOTATOR[$1]}" == "$SCPATCH" ]]; }

# annotate CC FILE.o: in place, with the annotator of CC's objects;
# SC_ANNOTATE_FLAGS go to scpatch (e.g. --no-align).
annotate() {
	if annotator_is_scpatch "$1"; then
		"$SCPATCH" ${SC_ANNOTATE_FLAGS:-} -o "$2.annotated" "$2" &&
			mv "$2.annotated" "$2"
	else
		${ANNOTATOR[$1]} "$2" >/dev/null
	fi
}

# cc_obj CC OUT.o SRC FLAGS...: compile and annotate.
cc_obj() {
	local cc=$1 out=$2 src=$3; shift 3
	$cc -c -Wall -I"$RT" $SC_CFLAGS "$@" -o "$out.tmp.o" "$src" &&
		mv "$out.tmp.o" "$out" && annotate "$cc" "$out"
}

# Flags of one link mode: pie, nopie or shared (objects for a library).
mode_cflags() {
	case $1 in
	pie) echo -fPIE ;;
	nopie) echo -fno-pie ;;
	shared) echo -fPIC ;;
	esac
}
mode_ldflags() {
	case $1 in
	pie) echo -pie ;;
	nopie) echo -no-pie ;;
	shared) echo -pie ;;
	esac
}
