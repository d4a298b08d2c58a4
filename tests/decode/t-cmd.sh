#!/bin/bash
# `scpatch decode`: the output format on hand-assembled code (expected lines
# written from the encodings, targets as section offsets in objects and as
# addresses in linked files), SECTION selection, and bad input: one line on
# stderr, exit 2, nothing on stdout; bad input again under ASan/UBSan.
. "$ROOT/tests/lib.sh"

cat > t.s <<'ASM'
	.text
	nop				# 90
	call 1f				# e8 00 00 00 00
1:	ret				# c3
	lea 1b(%rip), %rax		# 48 8d 05 f8 ff ff ff -> 0x6
	.byte 0x06			# invalid in 64-bit mode
	jne 1b				# 75 f1 -> 0x6
	.section .text.other,"ax",@progbits
2:	jmp 2b				# eb fe
	int3				# cc
	.section .rodata,"a"
	.byte 0xc3
	.section .bss.code,"awx",@nobits
	.zero 16
ASM
as --64 -o t.o t.s || { not_ok "assemble fixture"; exit 0; }

expected='.text+0x0 1 nop
.text+0x1 5 call 0x6
.text+0x6 1 ret
.text+0x7 7 other 0x6
.text+0xe 1 invalid
.text+0xf 2 jcc 0x6
.text.other+0x0 2 jmp 0x0
.text.other+0x2 1 trap'
expect_eq "object: every instruction, targets as section offsets" \
	"$expected" "$("$SCPATCH" decode t.o)"
expect_eq "object: only SECTION" ".text.other+0x0 2 jmp 0x0
.text.other+0x2 1 trap" "$("$SCPATCH" decode t.o .text.other)"
expect_eq "a non-executable SECTION on request" ".rodata+0x0 1 ret" \
	"$("$SCPATCH" decode t.o .rodata)"

# Linked: the same lines, targets as addresses.
if ld -o t.exe -e 0 --section-start=.text=0x401000 t.o 2>/dev/null; then
	expect_eq "linked: targets are addresses" \
		".text+0x1 5 call 0x401006|.text+0x7 7 other 0x401006|.text+0xf 2 jcc 0x401006" \
		"$("$SCPATCH" decode t.exe .text | grep -E 'call|other|jcc' | paste -sd'|')"
else
	not_ok "link fixture"
fi

# Compressed sections (SHF_COMPRESSED) are decoded after decompression:
# SECTION may name any section, so decode the compressed .debug_info.
printf 'int f(int x) { return x * 3; }\n' > z.c
if cc -g -c z.c -o plain.o && objcopy --compress-debug-sections=zlib plain.o z.o &&
   readelf -SW z.o | grep -q 'debug_info.* C '; then
	expect_eq "compressed section decodes like the plain one" \
		"$("$SCPATCH" decode plain.o .debug_info | md5sum)" \
		"$("$SCPATCH" decode z.o .debug_info | md5sum)"
else
	not_ok "make a compressed section"
fi

# Bad input.  CHECK NAME FILE...: exit 2, empty stdout, one "scpatch: " line.
bad() {
	local name=$1 rc; shift
	"$@" > out 2> err; rc=$?
	if [[ $rc -eq 2 && ! -s out && $(wc -l < err) -eq 1 &&
	      $(head -c 9 err) == "scpatch: " ]]; then
		ok "$name: $(cat err)"
	else
		not_ok "$name: exit $rc, stdout $(wc -c < out) bytes, stderr: $(cat err)"
	fi
}
check_bad_inputs() {	# TOOL...
	echo "plain text" > text.txt
	head -c 40 t.o > trunc-header.o
	head -c $(($(stat -c %s t.o) - 64)) t.o > trunc-shdrs.o
	echo nop > nop.s
	as --32 -o t32.o nop.s
	as --x32 -o x32.o nop.s
	cp t.o arm.o && printf '\xb7\x00' | dd of=arm.o bs=1 seek=18 conv=notrunc 2>/dev/null
	# .text (section 1) offset far past the end of the file
	perl -e 'open(F, "+<", "t.o") or die; binmode F; local $/; my $d = <F>;
		my ($shoff) = unpack("Q<", substr($d, 0x28, 8));
		substr($d, $shoff + 64 + 0x18, 8) = pack("Q<", 0x7ffffff0);
		open(O, ">", "past-end.o") or die; binmode O; print O $d;'
	# a core file; section 1 linking out of range; section 1 over the
	# section headers; a section other than .text cut off by the file's end
	cp t.o core.o && printf '\x04\x00' | dd of=core.o bs=1 seek=16 conv=notrunc 2>/dev/null
	perl -e 'my ($in, $field, $value, $out, $sec) = @ARGV;
		open(F, "<", $in) or die; binmode F; local $/; my $d = <F>;
		my ($shoff) = unpack("Q<", substr($d, 0x28, 8));
		my %at = (link => [0x28, "L<"], offset => [0x18, "Q<"]);
		$value = $shoff if $value eq "shoff";
		my ($off, $fmt) = @{$at{$field}};
		substr($d, $shoff + 64 * $sec + $off, length(pack($fmt, 0))) = pack($fmt, $value);
		open(O, ">", $out) or die; binmode O; print O $d;' t.o link 65535 link.o 1
	perl -e 'open(F, "<", "t.o") or die; binmode F; local $/; my $d = <F>;
		my ($shoff) = unpack("Q<", substr($d, 0x28, 8));
		substr($d, $shoff + 64 + 0x18, 8) = pack("Q<", $shoff);
		open(O, ">", "over-shdrs.o") or die; binmode O; print O $d;'
	perl -e 'open(F, "<", "t.o") or die; binmode F; local $/; my $d = <F>;
		my ($shoff) = unpack("Q<", substr($d, 0x28, 8));
		my ($shnum) = unpack("S<", substr($d, 0x3c, 2));
		my $last = $shoff + 64 * ($shnum - 1);	# not .text
		substr($d, $last + 0x20, 8) = pack("Q<", 0x7ffffff0);
		open(O, ">", "other-past-end.o") or die; binmode O; print O $d;'
	bad "not ELF" "$@" decode text.txt
	bad "a core file" "$@" decode core.o
	bad "sh_link out of range" "$@" decode link.o
	bad "a section over the section headers" "$@" decode over-shdrs.o
	bad "another section past the end of the file" "$@" decode other-past-end.o
	bad "truncated ELF header" "$@" decode trunc-header.o
	bad "truncated section headers" "$@" decode trunc-shdrs.o
	bad "32-bit ELF (i386)" "$@" decode t32.o
	bad "32-bit ELF (x32)" "$@" decode x32.o
	bad "wrong machine" "$@" decode arm.o
	bad "section past the end of the file" "$@" decode past-end.o
	bad "missing file" "$@" decode no-such-file.o
	bad "no such section" "$@" decode t.o .nothing
	expect_exit "no FILE is a usage error" 2 "$@" decode
}
check_bad_inputs "$SCPATCH"

# The same under ASan/UBSan, with cmd_decode.c, the decoder and the object
# model it opens files through.
cat > asan-main.c <<'EOF2'
#include "commands.h"
int main(int argc, char **argv) { return cmd_decode(argc - 1, argv + 1); }
EOF2
if cc -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-I"$ROOT/tools/scpatch" asan-main.c "$ROOT/tools/scpatch/cmd_decode.c" \
	"$ROOT"/tools/scpatch/arch/x86/*.c "$ROOT/tools/scpatch/diag.c" \
	"$ROOT"/tools/scpatch/elf*.c "$ROOT/tools/scpatch/big_alloc.c" \
	"$ROOT/tools/scpatch/sort_kv.c" \
	$(pkg-config --cflags --libs libelf libxxhash) -o decode-asan; then
	printf '#!/bin/sh\nshift\nexec ./decode-asan decode "$@"\n' > asan-wrap
	chmod +x asan-wrap
	check_bad_inputs ./asan-wrap
	expect_eq "ASan build prints the same" "$expected" "$(./decode-asan decode t.o)"
	# Corrupted objects: a few bytes flipped, mostly in the ELF and section
	# headers, sometimes truncated.  Every run exits 0, or 2 with one line.
	cc -O2 -c "$ROOT/tests/fixtures/decode/kernels.c" -o k.o
	cat > mutate.pl <<'EOF2'
my ($in, $out, $seed) = @ARGV;
srand($seed);
open(F, "<", $in) or die; binmode F; local $/; my $d = <F>; close F;
my $shoff = unpack("Q<", substr($d, 0x28, 8));
for (1 .. 1 + int(rand(4))) {
	my $r = rand();
	my $pos = $r < 0.3 ? int(rand(64)) :
		  $r < 0.8 ? $shoff + int(rand(length($d) - $shoff)) :
		  int(rand(length($d)));
	substr($d, $pos, 1) = chr(int(rand(256)));
}
$d = substr($d, 0, int(rand(length($d)))) if rand() < 0.1;
open(O, ">", $out) or die; binmode O; print O $d;
EOF2
	bad_runs=0
	for seed in $(seq 1 100); do
		perl mutate.pl k.o m.o $seed
		./decode-asan decode m.o > /dev/null 2> err; rc=$?
		if [[ $rc -ne 0 && ( $rc -ne 2 || $(wc -l < err) -ne 1 ) ]]; then
			bad_runs=$((bad_runs + 1))
			echo "seed $seed: exit $rc"; head -n 5 err
		fi
	done
	expect_eq "100 corrupted objects: exit 0 or 2 with one line, no sanitizer report" 0 "$bad_runs"
else
	not_ok "ASan build of decode"
fi
