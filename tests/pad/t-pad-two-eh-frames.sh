#!/bin/bash
# An object with two sections named .eh_frame (assemblers and ld -r write
# one; a hand-made or foreign object may not): the pass reads one, so the
# other would go on describing moved code.  Nothing is padded, and the
# sites say why.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/pad/pad-lib.sh"

gcc -O2 -S "$PADFIX/prog.c" -I"$ROOT/tests/fixtures/sites" -o prog.s &&
	printf '\t.section .eh_second, "a", @progbits\n\t.long 0\n' >> prog.s &&
	gcc -c prog.s -o one.o || { not_ok "build the object"; exit 0; }
# The second section takes the name of the first: sh_name is the same
# offset into .shstrtab.
python3 - one.o two.o <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
shoff, = struct.unpack_from("<Q", d, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 0x3a)
strtab_off, = struct.unpack_from("<Q", d, shoff + shstrndx * shentsize + 0x18)
def name(i):
    n, = struct.unpack_from("<I", d, shoff + i * shentsize)
    return d[strtab_off + n:d.index(0, strtab_off + n)].decode()
idx = {name(i): i for i in range(shnum)}
eh_name = struct.unpack_from("<I", d, shoff + idx[".eh_frame"] * shentsize)[0]
struct.pack_into("<I", d, shoff + idx[".eh_second"] * shentsize, eh_name)
open(sys.argv[2], "wb").write(d)
PY
expect_eq "two sections named .eh_frame" 2 \
	"$(readelf -SW two.o | grep -c ' \.eh_frame ')"
"$SCPATCH" -o one-p.o one.o 2>/dev/null
expect "with one .eh_frame the object is padded" bash -c \
	"! cmp -s <(objdump -d one.o | tail -n +4) <(objdump -d one-p.o | tail -n +4)"
expect "with two: annotated" "$SCPATCH" -o two-p.o two.o
expect_eq "with two: the code is not touched" \
	"$(section_hex two.o .text)" "$(section_hex two-p.o .text)"
expect "with two: the sites say why" \
	grep -q 'several .eh_frame sections' <("$SCPATCH" list --why two-p.o)
