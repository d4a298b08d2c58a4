#!/bin/bash
# EXPORT_STATIC_CALL_TRAMP exports a trampoline without its key.  A library
# that only calls it must still link: annotate makes the key reference of
# its KEYREF slot weak (the slot holds 0 and the runtime skips the entry;
# the site keeps calling the trampoline, which the defining library
# retargets).  A library that also updates the static call names the key
# itself: the key stays strong and the missing export is a link error.
# GNU ld and lld, -z defs so that the library link itself reports it.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/sites/sites-lib.sh"

T=$FIX/tramp-only
export PKG_CONFIG_PATH=$BUILD/runtime/pkgconfig
pkg-config --exists scpatch || { not_ok "runtime not built in $BUILD"; exit 0; }
CF=$(pkg-config --cflags scpatch)
LIBS=$(pkg-config --libs scpatch)

# bind OBJ SYM: the symbol's binding in OBJ's .symtab, as readelf says.
bind() { readelf -sW "$1" | awk -v s="$2" '$8 == s { print $5; exit }'; }

for f in hook caller updater main; do
	gcc -O2 -fPIC $CF -c "$T/$f.c" -o $f.o || { not_ok "compile $f.c"; exit 0; }
done
expect_eq "the caller names the key undefined and global before annotate" \
	GLOBAL "$(bind caller.o __SCK__sc_hook)"
"$SCPATCH" hook.o caller.o updater.o main.o || { not_ok "annotate"; exit 0; }
expect_eq "call only: annotate makes the undefined key weak" \
	WEAK "$(bind caller.o __SCK__sc_hook)"
expect "call only: the site's key is a KEYREF slot" \
	grep -q '"keyref": true' <("$SCPATCH" list --json caller.o)
expect_eq "update too: the key stays strong" \
	GLOBAL "$(bind updater.o __SCK__sc_hook)"
expect_eq "defining object: the key stays global" \
	GLOBAL "$(bind hook.o __SCK__sc_hook)"
cp caller.o again.o && "$SCPATCH" again.o
expect "call only: annotating again changes nothing" cmp caller.o again.o

for ld in bfd lld; do
	gcc -shared -fuse-ld=$ld -o libhook-$ld.so hook.o $LIBS &&
	gcc -shared -fuse-ld=$ld -Wl,-z,defs -o libcaller-$ld.so caller.o \
		libhook-$ld.so $LIBS 2> caller-$ld.err &&
	gcc -fuse-ld=$ld -o prog-$ld main.o libcaller-$ld.so libhook-$ld.so $LIBS ||
		{ not_ok "$ld: a caller of a trampoline-only export links: $(head -c 300 caller-$ld.err)"; continue; }
	# 5+1+100 through the site; then the defining library retargets the
	# trampoline: 5*2+100, while the caller's site keeps calling it.
	expect_eq "$ld: the call works before and after the update" \
		"106 110 0" "$(LD_LIBRARY_PATH=. ./prog-$ld)"
	expect_exit "$ld: an updater of a trampoline-only export does not link" 1 \
		gcc -shared -fuse-ld=$ld -Wl,-z,defs -o libupdater-$ld.so \
		updater.o libhook-$ld.so $LIBS
	gcc -shared -fuse-ld=$ld -Wl,-z,defs -o libupdater-$ld.so updater.o \
		libhook-$ld.so $LIBS 2> updater-$ld.err
	expect "$ld: the link error names the key" grep -q '__SCK__sc_hook' updater-$ld.err
done
