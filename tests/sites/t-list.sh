#!/bin/bash
# scpatch list: the line format, order, call/tail and aligned/unaligned,
# on objects, executables and shared libraries, against what objdump
# implies: a site is aligned when its rel32 field's address (section offset
# in an object whose section is at least 4-aligned) is a multiple of 4.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/sites/sites-lib.sh"

hex() { printf '%d' "0x$1"; }

# objdump_rel32 FILE: "SECTION OPCODE_ADDR REL32_ADDR NAME call|tail";
# objects through the relocation, linked files through the branch target.
objdump_rel32() {
	# objdump -dr -w: ADDR:<tab>BYTES<tab>INSN[<tab>OFF: TYPE<tab>SYMBOL]
	objdump -dr -w "$1" | awk -F'\t' '
		/^Disassembly of section / { split($0, q, " "); sec = q[4]; sub(/:$/, "", sec); next }
		/^ *[0-9a-f]+:\t/ {
			addr = $1; sub(/^ */, "", addr); sub(/:$/, "", addr)
			split($3, w, " "); m = w[1]; if (m == "addr32") m = w[2]
			if (m !~ /^(call|jmp|j[a-z]+)$/) next
			if (NF >= 5 && $4 ~ /R_X86_64_(PLT32|PC32)$/ && $5 ~ /^__SCT__/) {
				off = $4; sub(/:.*/, "", off); name = $5
				sub(/^__SCT__/, "", name); sub(/-0x4$/, "", name)
				print sec, off, m, name, "-", "reloc"
			} else if (match($3, /<__SCT__[A-Za-z0-9_]+(@plt)?>/)) {
				name = substr($3, RSTART + 8, RLENGTH - 9); sub(/@plt$/, "", name)
				print sec, addr, m, name, (w[1] == "addr32") ? "p" : "-", "linked"
			}
		}' |
	while read -r sec a m name p how; do
		local n=$(hex "$a") op rel w=2
		[[ $m == call || $m == jmp ]] && w=1	# opcode bytes before rel32
		if [[ $how == reloc ]]; then
			rel=$n; op=$((rel - w))
		else
			op=$n
			[[ $p == p ]] && op=$((n + 1))	# after the 67 prefix
			rel=$((op + w))
		fi
		echo "$sec $op $rel $name $([[ $m == call ]] && echo call || echo tail)"
	done
}

expected_list() {	# expected_list FILE
	local f=$1 reloc
	reloc=$(readelf -h "$f" | grep -c 'REL (Relocatable')
	objdump_rel32 "$f" | while read -r sec op rel name kind; do
		read -r vma al < <(objdump -h "$f" | awk -v s="$sec" '$2 == s { print $4, $7 }')
		al=${al#2\*\*}
		if ((reloc)); then
			aligned=$(( rel % 4 == 0 && al >= 2 )); off=$op
		else
			aligned=$(( rel % 4 == 0 )); off=$((op - 0x$vma))
		fi
		printf '%s+0x%x %s %s %s\n' "$sec" $off "$name" "$kind" \
			"$( ((aligned)) && echo aligned || echo unaligned)"
	done | sort
}

check_list() {	# check_list TAG FILE
	local tag=$1 f=$2 want got
	want=$(expected_list "$f")
	got=$("$SCPATCH" list "$f")
	expect "$tag: objdump sees sites" test "$(grep -c . <<< "$want")" -ge 4
	expect_eq "$tag: list equals what objdump implies" "$want" "$(sort <<< "$got")"
	expect "$tag: both aligned and unaligned sites" \
		test "$(grep -c ' aligned$' <<< "$got")" -gt 0 -a "$(grep -c ' unaligned$' <<< "$got")" -gt 0
	expect "$tag: every line has the contract's shape" \
		test -z "$(grep -vE '^[^ +]+\+0x[0-9a-f]+ [A-Za-z0-9_]+ (call|tail) (aligned|unaligned)$' <<< "$got")"
	# sorted: section order as in the file, offsets ascending
	local order
	order=$(while IFS='+ ' read -r s o _; do echo "$s $((o))"; done <<< "$got")
	expect_eq "$tag: sorted by section, then offset" "$order" \
		"$(awk '{ if (!($1 in f)) f[$1] = NR; print f[$1], $2, $0 }' <<< "$order" |
		   sort -n -k1,1 -k2,2 | cut -d' ' -f3-)"
	expect_eq "$tag: --why explains every unaligned site and nothing else" \
		"$(sed 's/ unaligned$/ unaligned: WHY/' <<< "$got")" \
		"$("$SCPATCH" list --why "$f" | sed 's/ unaligned: .*/ unaligned: WHY/')"
	expect_eq "$tag: --json has one object per line of text" \
		"$(grep -c . <<< "$got")" "$("$SCPATCH" list --json "$f" | grep -c '"section"')"
}

export PKG_CONFIG_PATH=$BUILD/runtime/pkgconfig
E=$FIX/e2e
CF=$(pkg-config --cflags scpatch)
LIBS=$(pkg-config --libs scpatch)
# --no-align: these objects must show both aligned and unaligned sites.
for f in defs use main; do gcc -O2 -fPIC $CF -c "$E/$f.c" -o $f.o && "$SCPATCH" --no-align $f.o; done
compile gcc -O2 -ffunction-sections -o calls.o "$FIX/calls.c" && "$SCPATCH" --no-align calls.o
compile clang -Os -o calls-os.o "$FIX/calls.c" && "$SCPATCH" --no-align calls-os.o
check_list "object" use.o
check_list "object, many sections" calls.o
check_list "object, clang -Os jcc" calls-os.o
gcc -o prog main.o use.o defs.o $LIBS && check_list "executable" prog
gcc -shared -o libuse.so use.o defs.o $LIBS && check_list "shared library" libuse.so

# --why: the reason annotate met, or that it was told not to pad.
expect "--why on a --no-align object says so" \
	grep -q 'unaligned: not padded when annotated (--no-align' <("$SCPATCH" list --why use.o)
expect "--why on a linked file points at its objects" \
	grep -q "unaligned: linked file: run 'scpatch list --why' on its objects" <("$SCPATCH" list --why prog)
gcc -c "$ROOT/tests/fixtures/pad/fixups.s" -o fixups.o && "$SCPATCH" fixups.o
expect_eq "--why: a site padding refuses names the padding pass's reason" \
	"1 1" "$("$SCPATCH" list --why fixups.o | grep -c ' unaligned: .*loop/jrcxz') $("$SCPATCH" list fixups.o | grep -c ' unaligned$')"
expect "--why --json carries the reason" \
	grep -q '"why": "a loop/jrcxz' <("$SCPATCH" list --why --json fixups.o)
compile gcc -O2 -ffunction-sections -o padded.o "$FIX/calls.c" && "$SCPATCH" padded.o
expect_eq "padded by default: no unaligned site" 0 "$("$SCPATCH" list padded.o | grep -c unaligned)"

expect_exit "list without a file: usage" 2 "$SCPATCH" list
expect_exit "list on a missing file" 2 "$SCPATCH" list nosuch.o
