#!/bin/bash
# The object model reads what readelf reads: sections, symbols and every
# relocation of objects, executables (PIE and not) and shared libraries of
# the system, opened read-only; linked files cannot be opened for changes.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/elf/elf-lib.sh"

FIX=$ROOT/tests/fixtures/elf
build_objtest || { not_ok "build objtest"; exit 0; }
gcc -O2 -g "$FIX/model.c" -o pie.exe
gcc -O2 -no-pie -fno-pic "$FIX/model.c" -o nopie.exe
clang -O2 -ffunction-sections -c "$FIX/model.c" -o model.o
libc=$(gcc -print-file-name=libc.so.6)
libc=$(readlink -f "$libc")

# Hex numbers at the start of each line without 0x and leading zeros (awk
# here may be mawk: no strtonum).
hexnorm() {
	sed -E 's/^(0x)?0*([0-9a-f])/\2/'
}

for f in model.o pie.exe nopie.exe "$libc" /bin/ls; do
	name=$(basename "$f")
	./objtest dump "$f" > dump.txt || { not_ok "$name: dump"; continue; }
	expect_eq "$name: section names as readelf" \
		"$(readelf -SW "$f" | sed -nE 's/^ +\[ *[0-9]+\] ([^ ]+) .*/\1/p')" \
		"$(awk '$1 == "section" { print $3 }' dump.txt)"
	expect_eq "$name: relocations as readelf" \
		"$(readelf -rW "$f" | grep -cE '^[0-9a-f]{16} ')" \
		"$(grep -c '^  reloc ' dump.txt)"
	expect_eq "$name: relocation offsets as readelf" \
		"$(readelf -rW "$f" | grep -oE '^[0-9a-f]{16} ' | tr -d ' ' | hexnorm | sort | md5sum)" \
		"$(awk '$1 == "reloc" { print $2 }' dump.txt | hexnorm | sort | md5sum)"
	expect_eq "$name: .symtab as readelf" \
		"$(readelf -sW "$f" | sed -n "/'.symtab'/,/^$/p" | awk '$1 ~ /^[0-9]+:$/ && $1 != "0:" && $4 != "SECTION" { print $2, $3, $8 }' | hexnorm)" \
		"$(awk '$1 == "symbol" && $4 != "type=3" { sub("value=", "", $6); sub("size=", "", $7); print $6, $7, $8 }' dump.txt | hexnorm)"
	# The raw scan finds every relocation that names a symbol.
	tab=; [[ $f == *.o ]] || tab=dyn:
	expect_eq "$name: raw scan finds what readelf lists" \
		"$(readelf -rW "$f" | grep -E '^[0-9a-f]{16} ' | awk 'substr($2, 1, 8) != "00000000" { n++ } END { print n + 0 }')" \
		"$(./objtest scan "$f" "$tab" | grep -vc '^no symbols')"
	./objtest lookups "$f" > lookups.txt
	expect_eq "$name: lookups agree with a scan" 0 $?
done
expect_exit "linked file cannot be opened for changes" 2 ./objtest modify pie.exe

# Containing lookups at every offset against a brute-force scan, on symbols
# that nest, overlap, alias and have no size, and on compiled code.
as "$FIX/nested.s" -o nested.o
gcc -O2 -ffunction-sections -c "$FIX/model.c" -o gcc-fs.o
g++ -O0 -c "$FIX/comdat.cc" -o cxx.o
for f in nested.o model.o gcc-fs.o cxx.o; do
	./objtest brute "$f" > brute.txt
	expect_eq "$f: containing lookups as a brute-force scan" 0 $?
	expect "$f: brute force checked offsets" grep -qE 'checked [1-9][0-9]* offsets' brute.txt
done
