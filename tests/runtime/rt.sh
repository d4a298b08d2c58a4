# Helpers for the runtime tests: build against the build tree's scpatch.pc,
# and annotate objects with scpatch (or, while its annotate is not there,
# with Debian's objtool, which writes the kernel's layout).
export PKG_CONFIG_PATH=$BUILD/runtime/pkgconfig
SC_CFLAGS=$(pkg-config --cflags scpatch)
SC_LIBS=$(pkg-config --libs scpatch)
OBJTOOL=/usr/lib/linux-kbuild-6.1/tools/objtool/objtool
RT=$ROOT/tests/runtime

# scpatch, once it annotates a clang object into one that has a table.
scpatch_annotates() {
	local d
	d=$(mktemp -d) || return 1
	printf '%s\n' '#include <static_call.h>' 'int f(int x) { return x; }' \
		'DEFINE_STATIC_CALL(t, f);' 'int g(int x) { return static_call(t)(x) + 1; }' > "$d/a.c"
	clang -O2 -c $SC_CFLAGS -o "$d/a.o" "$d/a.c" &&
		"$SCPATCH" -o "$d/b.o" "$d/a.o" >/dev/null 2>&1 &&
		readelf -SW "$d/b.o" | grep -q ' \.static_call_sites '
	local rc=$?
	rm -rf "$d"
	return $rc
}
if [[ -z "${ANNOTATE:-}" ]]; then
	if scpatch_annotates; then
		ANNOTATE=$SCPATCH
	else
		echo "rt.sh: scpatch does not annotate yet: using objtool" >&2
		ANNOTATE="$OBJTOOL --static-call"
	fi
fi
# KEYREF entries and the anchor come from scpatch only.
annotator_is_scpatch() { [[ "$ANNOTATE" == "$SCPATCH" ]]; }

# annotate FILE.o: in place.  scpatch writes to a new file and renames it
# (its in-place mode left clang objects without a table at a8c3dbf).
annotate() {
	if annotator_is_scpatch; then
		"$SCPATCH" -o "$1.annotated" "$1" && mv "$1.annotated" "$1"
	else
		$ANNOTATE "$1" >/dev/null
	fi
}

# cc_obj CC OUT.o SRC FLAGS...: compile and annotate.
cc_obj() {
	local cc=$1 out=$2 src=$3; shift 3
	$cc -c -Wall -I"$RT" $SC_CFLAGS "$@" -o "$out.tmp.o" "$src" &&
		mv "$out.tmp.o" "$out" && annotate "$out"
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
