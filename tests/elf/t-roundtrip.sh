#!/bin/bash
# Object model round trips on objects from gcc and clang: read, change one
# thing, write; readelf -aW and objdump -dr differ from the input only by
# the intended change, llvm-readelf --addrsig agrees, the result still links
# (GNU ld and lld) and runs the same.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/elf/elf-lib.sh"

FIX=$ROOT/tests/fixtures/elf
build_objtest || { not_ok "build objtest"; exit 0; }

# The same program linked from ORIG and from NEW prints the same, with both
# linkers.
links_and_runs() {
	local name=$1 cc=$2 orig=$3 new=$4 want got ld
	want=$($cc $LDFLAGS "$orig" -o want.exe && ./want.exe) || { not_ok "$name: original does not run"; return; }
	for ld in bfd lld; do
		got=$($cc $LDFLAGS -fuse-ld=$ld "$new" -o got.exe && ./got.exe)
		expect_eq "$name: links with $ld and runs" "$want" "$got"
	done
}

addrsig_same() {
	expect_eq "$1: llvm-readelf --addrsig unchanged" \
		"$(llvm-readelf --addrsig "$2" 2>&1 | grep -v File:)" \
		"$(llvm-readelf --addrsig "$3" 2>&1 | grep -v File:)"
}

readelf_clean() {
	expect_eq "$1: readelf has no warnings" "" \
		"$(readelf -aW "$2" 2>&1 >/dev/null)"
}

SYMTAB_HDR='^[<>] +\[ *[0-9]+\] \.(symtab|strtab) '
SYMCOUNT="^[<>] Symbol table '.symtab' contains"

check_add_symbol() {
	local name=$1 cc=$2 obj=$3 op=$4 sym=$5
	./objtest "$op" "$obj" new.o "$sym" || { not_ok "$name: $op failed"; return; }
	norm_readelf "$obj" > a.txt
	norm_readelf new.o > b.txt
	expect_eq "$name: only the new symbol in readelf -aW" "" \
		"$(unexpected_diff a.txt b.txt "$SYMTAB_HDR" "$SYMCOUNT" "^> +N: .* $sym\$")"
	expect_eq "$name: the new symbol is listed once" 1 \
		"$(grep -cE "^ N: .* $sym\$" b.txt)"
	expect_eq "$name: objdump -dr unchanged" "" \
		"$(diff <(norm_objdump "$obj") <(norm_objdump new.o))"
	readelf_clean "$name" new.o
	addrsig_same "$name" "$obj" new.o
	links_and_runs "$name" "$cc" "$obj" new.o
}

check_add_section() {
	local name=$1 cc=$2 obj=$3
	./objtest add-section "$obj" new.o || { not_ok "$name: add-section failed"; return; }
	norm_readelf "$obj" > a.txt
	norm_readelf new.o > b.txt
	# Section count, .shstrtab, the symbol table (a section symbol may be
	# added) and the new section with its relocations may change.
	expect_eq "$name: only the new section in readelf -aW" "" \
		"$(unexpected_diff a.txt b.txt "$SYMTAB_HDR" "$SYMCOUNT" \
			'^[<>] +\[ *[0-9]+\] \.(shstrtab|rela\.scpatch_test|scpatch_test) ' \
			'section headers|There are [0-9]+ section headers' \
			"^> +N: .* SECTION +LOCAL +DEFAULT" \
			"^> +N: 0{16} +24 OBJECT +GLOBAL +HIDDEN +[0-9]+ scpatch_test_start\$" \
			"^> Relocation section '.rela.scpatch_test'" \
			'^> +Offset +Info +Type' \
			'^> 0{14}(00|08|10) INFO R_X86_64_(64|PC32|NONE) ' '^> $')"
	expect "$name: new symbol in the new section" grep -qE \
		"OBJECT +GLOBAL +HIDDEN +$(readelf -SW new.o | sed -nE 's/^ +\[ *([0-9]+)\] \.scpatch_test .*/\1/p') scpatch_test_start\$" \
		<(readelf -sW new.o)
	expect_eq "$name: new relocations as added" \
		"R_X86_64_64 R_X86_64_PC32 R_X86_64_NONE" \
		"$(readelf -rW new.o | sed -n "/'.rela.scpatch_test'/,/^$/p" | awk '/R_X86/ {printf "%s%s", s, $3; s=" "}')"
	expect_eq "$name: objdump -dr unchanged" "" \
		"$(diff <(norm_objdump "$obj") <(norm_objdump new.o))"
	readelf_clean "$name" new.o
	addrsig_same "$name" "$obj" new.o
	links_and_runs "$name" "$cc" "$obj" new.o
}

# Size of section $2 in a normalized dump $1.
sec_size() {
	sed -nE "s/^ +\[ *[0-9]+\] ${2//./\\.} +[^ ]+ +[0-9a-f]{16} OFF ([0-9a-f]+) .*/\1/p" "$1"
}

check_grow() {
	local name=$1 cc=$2 obj=$3 sec
	sec=$(readelf -SW "$obj" | grep -oE ' \.data[^ ]*' | head -1 | tr -d ' ')
	./objtest grow "$obj" new.o "$sec" 24 || { not_ok "$name: grow failed"; return; }
	norm_readelf "$obj" > a.txt
	norm_readelf new.o > b.txt
	expect_eq "$name: $sec grew by 24 bytes" \
		$(( 0x$(sec_size a.txt "$sec") + 24 )) $(( 0x$(sec_size b.txt "$sec") ))
	expect_eq "$name: nothing else in readelf -aW" "" \
		"$(unexpected_diff a.txt b.txt "^[<>] +\[ *[0-9]+\] ${sec//./\\.} ")"
	links_and_runs "$name" "$cc" "$obj" new.o
	# Contents handed over (obj_section_take_data) write the same bytes.
	./objtest take "$obj" take.o "$sec" 24 || { not_ok "$name: take failed"; return; }
	expect "$name: taken contents written as grown ones" cmp new.o take.o
}

for cc in gcc clang; do
	for flags in "-O0 -g" "-O2" "-O2 -g -fPIC -ffunction-sections" "-Os -fno-pic -fdata-sections"; do
		tag="$cc ${flags// /}"
		LDFLAGS=
		[[ $flags == *-fno-pic* ]] && LDFLAGS=-no-pie
		$cc $flags -c "$FIX/model.c" -o m.o || { not_ok "$tag: compile"; continue; }
		./objtest rewrite m.o same.o && cmp -s m.o same.o
		expect_eq "$tag: rewritten without changes, byte for byte" 0 $?
		./objtest lookups m.o > lookups.txt
		expect_eq "$tag: lookups agree with a scan" 0 $?
		check_add_symbol "$tag add local" $cc m.o add-local scpatch_new_local
		check_add_symbol "$tag add global" $cc m.o add-global scpatch_new_global
		check_add_section "$tag add section" $cc m.o
		check_grow "$tag grow .data" $cc m.o
	done
done

# clang records address-taken functions in .llvm_addrsig: it must name the
# same functions after a local symbol moved every global.
clang -O2 -c "$FIX/model.c" -o m.o
expect "addrsig fixture has entries" grep -q api <(llvm-readelf --addrsig m.o)
./objtest add-local m.o new.o scpatch_new_local
expect_eq "addrsig names the same symbols after renumbering" \
	"$(llvm-readelf --addrsig m.o | grep -v File:)" \
	"$(llvm-readelf --addrsig new.o | grep -v File:)"

# Compressed debug sections (-gz): read decompressed, written back as they
# were when untouched, compressed again when changed.
for cc in gcc clang; do
	$cc -O2 -g -gz=zlib -c "$FIX/model.c" -o z.o || { not_ok "$cc -gz: compile"; continue; }
	expect "$cc -gz: fixture has compressed sections" grep -q ' C ' <(readelf -SW z.o)
	./objtest rewrite z.o same.o && cmp -s z.o same.o
	expect_eq "$cc -gz: rewritten byte for byte" 0 $?
	./objtest dump z.o > dump.txt
	expect "$cc -gz: relocations of .debug_info read" grep -q 'reloc .* .debug_abbrev' dump.txt
	./objtest touch z.o new.o .debug_info
	expect "$cc -gz: changed section compressed again" grep -qE \
		'\] \.debug_info .* C ' <(readelf -SW new.o)
	expect_eq "$cc -gz: DWARF unchanged" "" \
		"$(diff <(objdump --dwarf=info z.o | tail -n +3) <(objdump --dwarf=info new.o | tail -n +3))"
	readelf_clean "$cc -gz" new.o
	links_and_runs "$cc -gz" $cc z.o new.o
	./objtest grow z.o new.o .debug_str 10
	objcopy --decompress-debug-sections z.o plain-a.o
	objcopy --decompress-debug-sections new.o plain-b.o
	expect_eq "$cc -gz: grown compressed section holds 10 bytes more" \
		$(( 0x$(readelf -SW plain-a.o | sed -nE 's/.*\] \.debug_str +PROGBITS +[0-9a-f]+ [0-9a-f]+ ([0-9a-f]+) .*/\1/p') + 10 )) \
		$(( 0x$(readelf -SW plain-b.o | sed -nE 's/.*\] \.debug_str +PROGBITS +[0-9a-f]+ [0-9a-f]+ ([0-9a-f]+) .*/\1/p') ))
	expect_eq "$cc -gz: grown section keeps its strings" \
		"$(readelf -p .debug_str plain-a.o | tail -n +2)" \
		"$(readelf -p .debug_str plain-b.o | tail -n +2)"
done

# Outputs of ld -r (GNU ld and lld): merged sections, many groups, symbols of
# the same name from several inputs.
for ld in ld ld.lld; do
	for cxx in g++ clang++; do
		tag="$ld -r of $cxx objects"
		$cxx -O2 -g -c "$FIX/comdat.cc" -o c1.o &&
		$cxx -O2 -g -DSECOND -c "$FIX/comdat.cc" -o c2.o &&
		$ld -r c1.o c2.o -o r.o || { not_ok "$tag: build"; continue; }
		want=$($cxx r.o -o want.exe && ./want.exe)
		./objtest rewrite r.o same.o && cmp -s r.o same.o
		expect_eq "$tag: rewritten byte for byte" 0 $?
		./objtest lookups r.o > /dev/null
		expect_eq "$tag: lookups agree with a scan" 0 $?
		for op in add-local add-section; do
			./objtest $op r.o new.o scpatch_x || { not_ok "$tag: $op"; continue; }
			readelf_clean "$tag $op" new.o
			expect_eq "$tag $op: groups unchanged" \
				"$(readelf -gW r.o)" "$(readelf -gW new.o | grep -v scpatch)"
			expect_eq "$tag $op: relocations name the same symbols" \
				"$(readelf -rW r.o | awk '/R_X86/ { print $1, $3, $5, $6, $7 }')" \
				"$(readelf -rW new.o | sed "/'.rela.scpatch_test'/,/^$/d" | awk '/R_X86/ { print $1, $3, $5, $6, $7 }')"
			addrsig_same "$tag $op" r.o new.o
			expect_eq "$tag $op: links and runs" "$want" \
				"$($cxx new.o -o got.exe && ./got.exe)"
		done
	done
done

# Locals and globals added in turn, each used by a relocation made right
# after it: every local still precedes every global, sh_info counts them,
# and each relocation names its symbol.
for cc in gcc clang; do
	$cc -O2 -c "$FIX/model.c" -o m.o
	./objtest add-mixed m.o new.o 50 || { not_ok "$cc add-mixed"; continue; }
	syms=$(readelf -sW new.o | sed -n "/'.symtab'/,/^$/p" | awk '$1 ~ /^[0-9]+:$/ { print $5 }')
	expect_eq "$cc add-mixed: locals before globals" "" \
		"$(sed -n '/GLOBAL\|WEAK/,$p' <<< "$syms" | grep LOCAL)"
	expect_eq "$cc add-mixed: sh_info is the number of locals" \
		"$(grep -c LOCAL <<< "$syms")" \
		"$(readelf -SW new.o | sed -nE 's/.*\] \.symtab +SYMTAB +[0-9a-f]+ [0-9a-f]+ [0-9a-f]+ [0-9a-f]+ +[0-9]+ +([0-9]+) .*/\1/p')"
	expect_eq "$cc add-mixed: relocations name their symbols" \
		"$(for i in $(seq 0 49); do echo "scpatch_l$i"; echo "scpatch_g$i"; done)" \
		"$(readelf -rW new.o | sed -n "/'.rela.scpatch_mixed'/,/^$/p" | awk '/R_X86/ { print $5 }')"
	readelf_clean "$cc add-mixed" new.o
	links_and_runs "$cc add-mixed" $cc m.o new.o
done
