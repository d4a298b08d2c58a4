#!/bin/bash
# Writing can fail: a read-only file, a read-only directory, a full disk
# (a 64 KiB tmpfs when this machine lets us mount one, and a file size
# limit, RLIMIT_FSIZE, everywhere), an output that is not a regular file.
# Each time: exit 2, one line naming the file, the original byte for byte
# as it was, no temporary file left.  And a symlink to an object: annotating
# through it changes the object it points to and leaves the link a link.
# Permission cases run as "nobody" when the test runs as root (root writes
# anywhere).
. "$ROOT/tests/lib.sh"

FIX=$ROOT/tests/fixtures
gcc -O2 -g -ffunction-sections -I"$FIX/sites" -c "$FIX/sites/calls.c" -o raw.o ||
	{ not_ok "compile"; exit 0; }
"$SCPATCH" -o want.o raw.o || { not_ok "annotate a copy"; exit 0; }
expect "annotating changes the object (else nothing below would write)" \
	bash -c "! cmp -s raw.o want.o"

as_user=()
if [[ $(id -u) -eq 0 ]]; then
	if setpriv --reuid=nobody --regid=nogroup --clear-groups true 2> /dev/null; then
		as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
		chmod 755 .
	else
		as_user=(skip)
	fi
fi

# fails NAME FILE SHOWN COMMAND...: COMMAND exits 2 with one line naming
# SHOWN, FILE is as raw.o was, and no temporary file is left next to it.
fails() {
	local name=$1 file=$2 shown=$3 rc; shift 3
	"$@" > /dev/null 2> err.txt
	rc=$?
	expect_eq "$name: exit 2" 2 $rc
	expect "$name: one line naming the file: $(head -c 200 err.txt)" \
		bash -c "[[ \$(wc -l < err.txt) -eq 1 ]] && grep -q '^scpatch: $shown: ' err.txt"
	expect "$name: the original is unchanged" cmp -s raw.o "$file"
	expect_eq "$name: no temporary file left" "" \
		"$(ls -A "$(dirname "$file")" | grep scpatch- || true)"
}

if [[ ${as_user[0]:-} == skip ]]; then
	ok "permission cases skipped: root and no setpriv"
else
	mkdir -p ro && cp raw.o ro/obj.o && chmod 444 ro/obj.o
	[[ ${#as_user[@]} -gt 0 ]] && chown nobody ro ro/obj.o
	fails "read-only file, in place" ro/obj.o ro/obj.o "${as_user[@]}" "$SCPATCH" ro/obj.o
	cp raw.o ro/out.o && chmod 444 ro/out.o
	[[ ${#as_user[@]} -gt 0 ]] && chown nobody ro/out.o
	fails "read-only output file" ro/out.o ro/out.o "${as_user[@]}" "$SCPATCH" -o ro/out.o raw.o

	mkdir -p rodir && cp raw.o rodir/obj.o && chmod 644 rodir/obj.o
	[[ ${#as_user[@]} -gt 0 ]] && chown nobody rodir/obj.o
	chmod 555 rodir
	fails "file in a read-only directory, in place" rodir/obj.o rodir/obj.o \
		"${as_user[@]}" "$SCPATCH" rodir/obj.o
	chmod 755 rodir
fi

# Full disk: a tmpfs just big enough for the input, not for a second copy.
size=$(stat -c %s raw.o)
mkdir -p mnt
cat > full.sh <<EOS
set -e
mount -t tmpfs -o size=$(( (size / 4096 + 2) * 4096 )) tmpfs mnt
cp raw.o mnt/obj.o
head -c \$(( \$(df --output=avail -B1 mnt | tail -1) - 512 )) /dev/zero > mnt/filler || true
"$SCPATCH" mnt/obj.o 2> err.txt && rc=0 || rc=\$?
echo \$rc > rc.txt
cp mnt/obj.o after.o
ls -A mnt > left.txt
EOS
if unshare -m bash full.sh 2> /dev/null && [[ -s rc.txt ]]; then
	expect_eq "full disk (tmpfs): exit 2" 2 "$(cat rc.txt)"
	expect "full disk (tmpfs): one line naming the file: $(cat err.txt)" \
		bash -c "[[ \$(wc -l < err.txt) -eq 1 ]] && grep -q '^scpatch: mnt/obj.o: ' err.txt"
	expect "full disk (tmpfs): the original is unchanged" cmp -s raw.o after.o
	expect_eq "full disk (tmpfs): no temporary file left" "filler obj.o" "$(sort left.txt | xargs)"
else
	echo "no tmpfs here (mount not permitted): RLIMIT_FSIZE only"
fi

# File size limit: the tool must get EFBIG, not die of SIGXFSZ, even when
# the signal is at its default action.
mkdir -p lim && cp raw.o lim/obj.o
fails "file size limit, in place" lim/obj.o lim/obj.o \
	bash -c "trap - XFSZ; ulimit -f $(( size / 1024 / 2 )); exec '$SCPATCH' lim/obj.o"
fails "file size limit, -o" lim/obj.o lim/new.o \
	bash -c "ulimit -f $(( size / 1024 / 2 )); exec '$SCPATCH' -o lim/new.o lim/obj.o"
expect "file size limit, -o: no partial output" test ! -e lim/new.o

# Output that is not a regular file.
mkdir -p odir
fails "output is a directory" raw.o odir "$SCPATCH" -o odir raw.o

# Symlinks: the object behind the link is annotated, the link stays.
mkdir -p real && cp raw.o real/obj.o && ln -s real/obj.o link.o
expect_exit "annotate through a symlink" 0 "$SCPATCH" link.o
expect "the link is still a symlink" test -L link.o
expect "the object behind it is annotated" cmp -s want.o real/obj.o
ln -s real/missing.o dangling.o
"$SCPATCH" dangling.o 2> err.txt
expect_eq "dangling symlink: exit 2" 2 $?
expect "dangling symlink: left alone" test -L dangling.o -a ! -e real/missing.o
cp raw.o real/bad.o && truncate -s 200 real/bad.o && cp real/bad.o bad-before.o
ln -s real/bad.o badlink.o
"$SCPATCH" badlink.o 2> err.txt
expect_eq "damaged object through a symlink: exit 2" 2 $?
expect "damaged object through a symlink: unchanged, link kept" \
	bash -c "cmp -s bad-before.o real/bad.o && test -L badlink.o"

# Special files as input: no hang on endless or sizeless files, one line.
# A FIFO without a writer must not block in open().
special_ok=1
mkfifo "$PWD/fifo"
for f in /dev/zero /dev/urandom /proc/self/maps "$PWD" "$PWD/fifo"; do
	for cmd in "" list check decode; do
		timeout 10 "$SCPATCH" $cmd "$f" < /dev/null > /dev/null 2> err.txt
		rc=$?
		[[ $rc -eq 2 && $(wc -l < err.txt) -eq 1 ]] && grep -q "^scpatch: $f: " err.txt ||
			{ not_ok "special file $f (${cmd:-annotate}): exit $rc: $(head -c 200 err.txt)"; special_ok=0; }
	done
done
((special_ok)) && ok "special files as input (/dev/zero, /dev/urandom, /proc/self/maps, a directory, a FIFO): no hang, exit 2, one line"
