#!/bin/bash
# Write-back safety: the input is never damaged.  Read-only files and
# directories (checked as an unprivileged user when running as root), a
# symlink to the object, a file size limit hit in the middle of the write,
# an unchanged object (nothing written in place, an exact copy to -o OUT),
# and the mode of the file kept.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/elf/elf-lib.sh"

FIX=$ROOT/tests/fixtures/elf
build_objtest || { not_ok "build objtest"; exit 0; }
gcc -O2 -g -c "$FIX/model.c" -o good.o || { not_ok "compile"; exit 0; }

has_symbol() {
	readelf -sW "$1" | grep -qw "$2"
}

no_temp_files() {
	expect_eq "$1: no temporary file left" "" \
		"$(find "${2:-.}" -name '*scpatch-*' 2>/dev/null)"
}

# Unchanged: in place, nothing is written (the mtime stays).
cp good.o same.o
touch -d '2001-01-01 00:00' same.o
./objtest noop same.o
expect_eq "unchanged object: not rewritten in place" \
	"2001-01-01" "$(date -r same.o +%F)"
./objtest copy good.o copy.o
expect "unchanged object: -o OUT is an exact copy" cmp good.o copy.o

# The mode of the file is kept.
cp good.o mode.o
chmod 640 mode.o
./objtest add-local mode.o - scpatch_m
expect "written in place" has_symbol mode.o scpatch_m
expect_eq "mode kept" 640 "$(stat -c %a mode.o)"

# A symlink stays a symlink; the file it points to is replaced.
mkdir -p real
cp good.o real/target.o
ln -s real/target.o link.o
./objtest add-local link.o - scpatch_l
expect "symlink: still a symlink" test -L link.o
expect_eq "symlink: same target" real/target.o "$(readlink link.o)"
expect "symlink: target rewritten" has_symbol real/target.o scpatch_l
no_temp_files "symlink"

# -o OUT into a missing directory fails cleanly.
expect_exit "-o into a missing directory: exit 2" 2 \
	./objtest add-local good.o nodir/out.o scpatch_x
expect "-o into a missing directory: input unchanged" cmp good.o copy.o

# A file size limit during the write: the write fails, nothing changes.
cp good.o big.o
cp good.o big.orig
(ulimit -f 4; ./objtest add-local big.o - scpatch_f 2> fsize.err)
rc=$?
expect_eq "file size limit: exit 2" 2 $rc
expect "file size limit: error says so" grep -q "^scpatch: big.o: .*File too large" fsize.err
expect "file size limit: input unchanged" cmp big.o big.orig
no_temp_files "file size limit"

# Permissions, as an unprivileged user (root bypasses them).
as_user() {
	if [[ $(id -u) -eq 0 ]]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}
chmod 755 .
mkdir -p ro rw
cp objtest rw/
cp good.o ro/in.o
chmod 666 ro/in.o	# writable file, read-only directory
cp good.o rw/ro-file.o
chmod 444 rw/ro-file.o
chmod 755 ro
chmod 777 rw
[[ $(id -u) -eq 0 ]] && chown 65534 rw/ro-file.o
as_user ./objtest add-local ro/in.o - scpatch_r 2> ro.err
expect_eq "read-only directory: exit 2" 2 $?
expect "read-only directory: error says so" grep -q "^scpatch: ro/in.o: .*temporary file" ro.err
expect "read-only directory: input unchanged" cmp good.o ro/in.o
as_user ./objtest add-local rw/ro-file.o - scpatch_r 2> rof.err
expect_eq "read-only file: exit 2" 2 $?
expect "read-only file: error says so" grep -q "^scpatch: rw/ro-file.o: not writable" rof.err
expect "read-only file: input unchanged" cmp good.o rw/ro-file.o
if [[ $(id -u) -eq 0 ]]; then
	cp good.o rw/owned.o
	chown 65534:65534 rw/owned.o
	./objtest add-local rw/owned.o - scpatch_o
	expect_eq "root rewriting a user's object keeps its owner" "65534:65534" \
		"$(stat -c %u:%g rw/owned.o)"
fi
as_user ./objtest add-local ro/in.o rw/out.o scpatch_w
expect "read-only input, writable -o OUT: written" has_symbol rw/out.o scpatch_w
no_temp_files "permissions" ro
no_temp_files "permissions" rw
