#!/bin/bash
# What the port onto libelf brought: contents handed out without a copy
# (libelf's data of a native-endian file points into its mapping), objects
# opened from memory behaving as from a file, R_X86_64_NONE at offset 0 of
# an empty section (GAS and LLVM emit it for .reloc markers), sh_entsize
# set through the model, and archives refused with a word of their own.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/elf/elf-lib.sh"

FIX=$ROOT/tests/fixtures/elf
build_objtest || { not_ok "build objtest"; exit 0; }
gcc -O2 -g -c "$FIX/model.c" -o gcc.o || { not_ok "compile gcc"; exit 0; }
clang -O2 -g -ffunction-sections -c "$FIX/model.c" -o clang.o ||
	{ not_ok "compile clang"; exit 0; }
g++ -O2 -c "$FIX/comdat.cc" -o cxx.o || { not_ok "compile g++"; exit 0; }

# Zero copy: every section's contents lie in libelf's image of the file.
for f in gcc.o clang.o cxx.o /bin/ls; do
	./objtest zero-copy "$f" > zc.txt 2>&1
	expect_eq "zero copy: $(basename "$f"): $(tail -1 zc.txt)" 0 $?
done

# From memory: the same dump and the same bytes written as from the file,
# the same one-line errors for damaged input.
for f in gcc.o clang.o cxx.o; do
	./objtest dump $f > file.txt 2>&1
	OBJTEST_MEMORY=1 ./objtest dump $f > mem.txt 2>&1
	expect "from memory: $f: same dump" cmp -s file.txt mem.txt
	./objtest add-section $f file-out.o > /dev/null
	OBJTEST_MEMORY=1 ./objtest add-section $f mem-out.o > /dev/null
	expect "from memory: $f: written as from the file" cmp file-out.o mem-out.o
	cp $f before.o
	expect_exit "from memory: $f: no write in place" 2 \
		env OBJTEST_MEMORY=1 ./objtest add-local $f - scpatch_m
	expect "from memory: $f: input untouched" cmp -s before.o $f
done
head -c 40 gcc.o > trunc.o
OBJTEST_MEMORY=1 ./objtest dump trunc.o 2> err.txt
expect_eq "from memory: truncated header: exit 2" 2 $?
expect "from memory: truncated header: says so" \
	grep -q "^scpatch: trunc.o: truncated ELF header" err.txt
head -c 3000 clang.o > half.o
OBJTEST_MEMORY=1 ./objtest dump half.o 2> err.txt
expect_eq "from memory: truncated file: exit 2, one line" "2 1" "$? $(wc -l < err.txt)"

# Field K after the name of section NAME in readelf -SW (1 type, 2 address,
# 3 offset, 4 size, 5 entsize), as a number.
sec_field() {
	local hex
	hex=$(readelf -SW "$1" | awk -v name="$2" -v k="$3" '
		{ for (i = 1; i <= NF; i++) if ($i == name) { print $(i + k); exit } }')
	[[ -n $hex ]] && echo $(( 16#$hex ))
}

# R_X86_64_NONE at offset 0 of an empty section, from both assemblers:
# read, renumbered (a local added), and added by the model itself.
cat > marker.s <<'S'
	.text
	.globl f
f:	ret
	.section .markers,"a",@progbits
	.reloc ., R_X86_64_NONE, f
S
for as in gcc clang; do
	$as -c marker.s -o m-$as.o || { not_ok "assemble with $as"; continue; }
	expect_eq "$as: .markers is empty" 0 "$(sec_field m-$as.o .markers 4)"
	expect "$as: NONE at 0 of an empty section: read" ./objtest dump m-$as.o
	./objtest add-local m-$as.o out-$as.o scpatch_l 2> err.txt
	expect_eq "$as: NONE at 0 of an empty section: renumbered and written" \
		"0 " "$? $(cat err.txt)"
	expect "$as: the marker survives" \
		grep -q R_X86_64_NONE <(readelf -rW out-$as.o)
done
./objtest none-in-empty gcc.o none.o 2> err.txt
expect_eq "NONE added at 0 of a new empty section: written" "0 " "$? $(cat err.txt)"
expect "NONE added at 0 of a new empty section: in .rela.scpatch_empty" \
	grep -q "R_X86_64_NONE" <(readelf -rW none.o | sed -n '/rela.scpatch_empty/,$p')
expect "NONE added at 0 of a new empty section: links" \
	ld -r -o linked.o none.o

# sh_entsize through the model (one that divides the size: libelf checks).
size=$(sec_field gcc.o .rodata 4)
for es in 16 8 4 2 1; do (( size % es == 0 )) && break; done
expect_eq "set-entsize: .rodata had none" 0 "$(sec_field gcc.o .rodata 5)"
./objtest set-entsize gcc.o es.o .rodata $es
expect_eq "set-entsize: .rodata has entsize $es" $es "$(sec_field es.o .rodata 5)"

# An archive is not an object: one line that says so.
ar rc lib.a gcc.o
./objtest dump lib.a 2> err.txt
expect_eq "archive: exit 2, one line" "2 1" "$? $(wc -l < err.txt)"
expect "archive: says so" grep -q "^scpatch: lib.a: an archive" err.txt
