#!/bin/bash
# Bad input to the object model: every damaged or foreign file gives one
# line "scpatch: FILE: ...", exit 2, no sanitizer report, and the file is
# left byte for byte as it was, whether opened to read or to change.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/elf/elf-lib.sh"

FIX=$ROOT/tests/fixtures/elf
build_objtest || { not_ok "build objtest"; exit 0; }
gcc -O2 -c "$FIX/model.c" -o good.o || { not_ok "compile"; exit 0; }

# Little-endian unsigned field of SIZE bytes at OFFSET.
field() {
	od -An -t u"$3" -j "$2" -N "$3" "$1" | tr -d ' '
}

# Writes the little-endian value VALUE in SIZE bytes at OFFSET.
poke() {
	local file=$1 off=$2 size=$3 value=$4 bytes="" i
	for ((i = 0; i < size; i++)); do
		bytes+=$(printf '\\x%02x' $(( (value >> (8 * i)) & 255 )))
	done
	printf "$bytes" | dd of="$file" bs=1 seek="$off" conv=notrunc status=none
}

# Offset of the section header of section NAME.
shdr_of() {
	local idx shoff
	idx=$(readelf -SW "$1" | sed -nE "s/^ +\[ *([0-9]+)\] ${2//./\\.} .*/\1/p" | head -1)
	shoff=$(field "$1" 40 8)
	echo $(( shoff + idx * 64 ))
}

# Offset in the file of section NAME's contents.
contents_of() {
	field "$1" $(( $(shdr_of "$1" "$2") + 24 )) 8
}

# bad NAME FILE OP PATTERN: OP (dump or add-local) fails properly.
bad() {
	local name=$1 file=$2 op=$3 pattern=$4 rc err
	cp "$file" before.o
	if [[ $op == dump ]]; then
		./objtest dump "$file" > /dev/null 2> err.txt
	else
		./objtest add-local "$file" - scpatch_new 2> err.txt
	fi
	rc=$?
	err=$(cat err.txt)
	expect_eq "$name ($op): exit 2" 2 $rc
	expect_eq "$name ($op): one line" 1 "$(wc -l < err.txt)"
	expect "$name ($op): says what is wrong: $err" \
		grep -qE "^scpatch: $file: .*$pattern" err.txt
	expect "$name ($op): file unchanged" cmp -s before.o "$file"
	expect_eq "$name ($op): no temporary file left" "" \
		"$(ls -A | grep scpatch- || true)"
}

both() {
	bad "$1" "$2" dump "$3"
	bad "$1" "$2" add-local "$3"
}

printf 'hello\n' > text.o
both "text file" text.o "not an ELF file"
: > empty.o
both "empty file" empty.o "empty file"
head -c 40 good.o > trunc-hdr.o
both "truncated header" trunc-hdr.o "truncated ELF header"
head -c $(( $(stat -c %s good.o) / 2 )) good.o > trunc-half.o
both "truncated file" trunc-half.o "past the end of the file"

cp good.o aarch64.o; poke aarch64.o 18 2 183
both "aarch64 machine" aarch64.o "not an x86-64 ELF64 object.*aarch64"
cp good.o i386.o; poke i386.o 18 2 3
both "i386 machine" i386.o "not an x86-64 ELF64 object.*i386"
cp good.o elf32.o; poke elf32.o 4 1 1
both "32-bit ELF" elf32.o "not an x86-64 ELF64 object.*32-bit"
cp good.o be.o; poke be.o 5 1 2
both "big-endian ELF" be.o "not an x86-64 ELF64 object.*big-endian"
if clang -flto -c "$FIX/model.c" -o bitcode.o 2> /dev/null; then
	both "LLVM bitcode" bitcode.o "LLVM bitcode"
fi
cp /bin/true exec.o
bad "linked file opened for changes" exec.o add-local "not a relocatable object"

cp good.o shoff.o; poke shoff.o 40 8 $(( 1 << 40 ))
both "section headers past the end" shoff.o "section headers"
cp good.o shnum.o; poke shnum.o 60 2 60000
both "too many section headers" shnum.o "past the end of the file"
cp good.o secoff.o; poke secoff.o $(( $(shdr_of secoff.o .text) + 24 )) 8 $(( 1 << 33 ))
both "section offset past the end" secoff.o "past the end of the file"
cp good.o secsize.o; poke secsize.o $(( $(shdr_of secsize.o .data) + 32 )) 8 $(( 1 << 33 ))
both "section size past the end" secsize.o "past the end of the file"
cp good.o shstrndx.o; poke shstrndx.o 62 2 999
both "name table index out of range" shstrndx.o "section name table index"
cp good.o secname.o; poke secname.o $(( $(shdr_of secname.o .text) )) 4 $(( 1 << 30 ))
both "section name out of range" secname.o "name offset"
cp good.o strtab.o; poke strtab.o $(( $(contents_of strtab.o .strtab) + $(field strtab.o $(( $(shdr_of strtab.o .strtab) + 32 )) 8) - 1 )) 1 65
both "string table without its final NUL" strtab.o "string table without a final NUL"
cp good.o shstrtab.o; poke shstrtab.o $(( $(shdr_of shstrtab.o .shstrtab) + 4 )) 4 1
both "section name table not a string table" shstrtab.o "broken section name table"

cp good.o align.o; poke align.o $(( $(shdr_of align.o .data) + 48 )) 8 12
both "alignment not a power of two" align.o "not a power of two"
cp good.o align4g.o; poke align4g.o $(( $(shdr_of align4g.o .data) + 48 )) 8 $(( 1 << 32 ))
cp align4g.o before.o
./objtest grow align4g.o - .data 8 2> err.txt
expect_eq "4 GiB alignment of a grown section: exit 2" 2 $?
expect "4 GiB alignment of a grown section: says why" \
	grep -q "^scpatch: align4g.o: section alignments would pad the output" err.txt
expect "4 GiB alignment of a grown section: file unchanged" cmp -s before.o align4g.o
expect_eq "4 GiB alignment of a grown section: no temporary file left" "" \
	"$(ls -A | grep scpatch- || true)"

cp good.o before.o
./objtest reloc-past-end good.o - 2> err.txt
expect_eq "relocation added past the end of its section: exit 2" 2 $?
expect "relocation added past the end of its section: says so" \
	grep -q "^scpatch: good.o: .*past the end of" err.txt
expect "relocation added past the end of its section: file unchanged" cmp -s before.o good.o

symtab=$(contents_of good.o .symtab)
cp good.o symname.o; poke symname.o $(( symtab + 24 * 3 )) 4 $(( 1 << 30 ))
both "symbol name out of range" symname.o "name offset"
cp good.o symsec.o; poke symsec.o $(( symtab + 24 * 3 + 6 )) 2 30000
both "symbol section index out of range" symsec.o "section index .* out of range"
cp good.o symlink.o; poke symlink.o $(( $(shdr_of symlink.o .symtab) + 40 )) 4 9999
both "symbol table linked to nothing" symlink.o "sh_link 9999 out of range"
cp good.o syminfo.o; poke syminfo.o $(( $(shdr_of syminfo.o .symtab) + 44 )) 4 9999
both "first global out of range" syminfo.o "first global"

rela=$(contents_of good.o .rela.text)
cp good.o relsym.o; poke relsym.o $(( rela + 12 )) 4 99999
both "relocation symbol index out of range" relsym.o "symbol index"
cp good.o reloff.o; poke reloff.o $rela 8 $(( 1 << 32 ))
both "relocation offset out of range" reloff.o "offset"
cp good.o relinfo.o; poke relinfo.o $(( $(shdr_of relinfo.o .rela.text) + 44 )) 4 9999
both "relocation target section out of range" relinfo.o "target section"
cp good.o rellink.o; poke rellink.o $(( $(shdr_of rellink.o .rela.text) + 40 )) 4 1
both "relocations linked to a non-symbol table" rellink.o "not a symbol table"
cp good.o rel.o; poke rel.o $(( $(shdr_of rel.o .rela.text) + 4 )) 4 9
both "SHT_REL instead of SHT_RELA" rel.o "SHT_REL"

g++ -O2 -c "$FIX/comdat.cc" -o cxx.o || not_ok "compile C++"
group=$(contents_of cxx.o .group)
cp cxx.o grpmem.o; poke grpmem.o $(( group + 4 )) 4 77777
both "group member out of range" grpmem.o "member section"
cp cxx.o grpsig.o; poke grpsig.o $(( $(shdr_of grpsig.o .group) + 44 )) 4 77777
both "group signature out of range" grpsig.o "signature"

# Random damage anywhere: never a crash or a sanitizer report.
crashes=0
for seed in $(seq 1 60); do
	cp good.o fuzz.o
	size=$(stat -c %s fuzz.o)
	off=$(( (seed * 7919 * 104729) % size ))
	poke fuzz.o $off 4 $(( (seed * 2654435761) & 0xffffffff ))
	./objtest dump fuzz.o > /dev/null 2>&1
	rc=$?
	[[ $rc -eq 0 || $rc -eq 2 ]] || { crashes=$((crashes + 1)); echo "fuzz seed $seed: dump exit $rc"; }
	cp fuzz.o fuzz.orig
	./objtest add-mixed fuzz.o - 3 > /dev/null 2>&1
	rc=$?
	[[ $rc -eq 0 || $rc -eq 2 ]] || { crashes=$((crashes + 1)); echo "fuzz seed $seed: change exit $rc"; }
	[[ $rc -eq 0 ]] || cmp -s fuzz.o fuzz.orig || { crashes=$((crashes + 1)); echo "fuzz seed $seed: failed but changed the file"; }
done
expect_eq "60 damaged objects read and changed: no crash, no sanitizer report, failures leave the file alone" 0 $crashes
