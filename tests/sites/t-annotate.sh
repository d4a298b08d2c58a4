#!/bin/bash
# Annotate on real objects: the table's shape (read with readelf),
# KEYREF slots, idempotence and determinism, objects without sites left
# alone, ld -r tables split per text section, .llvm_addrsig, -v notes, and
# the errors (missing key, LTO objects, not an object), input unchanged.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/sites/sites-lib.sh"

# --- table shape -----------------------------------------------------------
# Every fragment: WAL, entsize 8, align >= 4, linked to an AX section, an
# R_X86_64_NONE to the hidden anchor, entries sorted by site.
check_shape() {	# check_shape TAG OBJ
	local tag=$1 o=$2 bad
	bad=$(readelf -SW "$o" | sed 's/^ *\[ */[/' | awk '
		/^\[/ { i = substr($1, 2) + 0; name[i] = $2; flg[i] = $0 }
		END {
			for (i in name) if (name[i] == ".static_call_sites") {
				n++; split(flg[i], f, " ")
				# [N] name type addr off size es flg lk inf al
				if (f[7] != "08" || f[8] !~ /W/ || f[8] !~ /A/ || f[8] !~ /L/ || f[11] < 4)
					print "bad header: " flg[i]
				if (flg[f[9]] !~ / AX/) print "link to non-code: " flg[i]
			}
			if (!n) print "no table"
		}')
	expect_eq "$tag: fragment headers" "" "$bad"
	bad=$(readelf -rW "$o" | awk '
		/^Relocation section/ { split($0, q, "\047"); sec = q[2]; last = -1; next }
		sec != ".rela.static_call_sites" { next }
		$3 == "R_X86_64_NONE" { if ($5 == "__scpatch_stub_anchor") anchors++; next }
		$3 == "R_X86_64_PC32" && $1 ~ /[08]$/ {
			a = $7; v = 0
			for (i = 1; i <= length(a); i++) v = v * 16 + index("0123456789abcdef", substr(a, i, 1)) - 1
			if (v <= last) print "unsorted at " $1; last = v; entries++
		}
		END { if (!entries) print "no entries"; if (!anchors) print "no anchor reference" }')
	expect_eq "$tag: entries sorted, anchor referenced" "" "$bad"
	expect "$tag: anchor is an undefined hidden global" \
		grep -qE 'GLOBAL +HIDDEN +UND __scpatch_stub_anchor' <(readelf -sW "$o")
}

for cc in $TEST_COMPILERS; do
	compile $cc -O2 -ffunction-sections -o $cc.o "$FIX/calls.c"
	cp $cc.o $cc-a.o
	"$SCPATCH" $cc-a.o || not_ok "$cc: annotate"
	check_shape "$cc -ffunction-sections" $cc-a.o
	frags=$(readelf -SW $cc-a.o | grep -c ' \.static_call_sites ')
	texts=$(table_set $cc-a.o | sed 's/+.*//' | sort -u | wc -l)
	expect_eq "$cc: one fragment per text section with sites" "$texts" "$frags"

	# idempotence and determinism
	cp $cc-a.o $cc-b.o && "$SCPATCH" $cc-b.o
	expect "$cc: annotating an annotated object gives the same bytes" cmp $cc-a.o $cc-b.o
	cp $cc.o $cc-c.o && "$SCPATCH" -o $cc-d.o $cc-c.o
	expect "$cc: two runs on the same input give the same bytes" cmp $cc-a.o $cc-d.o
	expect "$cc: -o leaves the input alone" cmp $cc.o $cc-c.o

	# KEYREF: exported keys go through one 8-byte slot per key
	compile $cc -O2 -fPIC -DSC_VISIBILITY='"default"' -o $cc-exp.o "$FIX/calls.c"
	"$SCPATCH" $cc-exp.o
	slots=$(readelf -rW $cc-exp.o | awk '/^Relocation section/ { s = ($0 ~ /static_call_keyref/) ; next }
		s && $3 == "R_X86_64_64" { print $5 }' | sort)
	expect_eq "$cc: one KEYREF slot per exported key" \
		"$(printf '%s\n' __SCK__sc_a __SCK__sc_b __SCK__sc_v)" "$slots"
	expect "$cc: slot section is 8-byte aligned .data.rel.ro" \
		grep -qE '\.data\.rel\.ro\.static_call_keyref +PROGBITS .* WA +0 +0 +8$' <(readelf -SW $cc-exp.o)
	expect "$cc: hidden keys are referenced directly" \
		test -z "$(readelf -SW $cc-a.o | grep static_call_keyref)"
	expect_eq "$cc: exported and hidden keys give the same sites" \
		"$(table_set $cc-a.o | wc -l)" "$(table_set $cc-exp.o | wc -l)"

	# -v: references that are not sites are listed
	compile $cc -O2 -o $cc-v.o "$FIX/calls.c"
	expect "$cc: -v lists the address-taken trampoline" \
		grep -q '__SCT__sc_a is referenced but not called' <("$SCPATCH" -v $cc-v.o 2>&1)
done

# clang -fno-plt loads the GOT entry into a register: -v says so.
compile clang -O2 -fPIC -fno-plt -o gotload.o "$ROOT/tests/fixtures/sites/e2e/use.c" \
	-I"$ROOT/runtime" 2>/dev/null || compile clang -O2 -fPIC -fno-plt -o gotload.o "$FIX/calls.c"
if objdump -dr gotload.o | grep -q 'REX_GOTPCRELX.*__SCT__'; then
	expect "clang -fno-plt: -v says the GOT load cannot be rewritten" \
		grep -q 'loaded from the GOT into a register' <("$SCPATCH" -v gotload.o 2>&1)
fi

# .llvm_addrsig keeps naming the same symbols after symbols were added.
compile clang -O2 -ffunction-sections -o sig.o "$FIX/calls.c"
cp sig.o sig-a.o && "$SCPATCH" sig-a.o
addrsig() { llvm-readelf --addrsig "$1" | sed -nE 's/^ *[0-9]+: //p' | sort; }
expect "clang object has an address-significance table" test -n "$(addrsig sig.o)"
expect_eq "clang: .llvm_addrsig names the same symbols" "$(addrsig sig.o)" "$(addrsig sig-a.o)"

# --- ld -r: merged tables are split again per text section -------------------
compile gcc -O2 -ffunction-sections -o r1.o "$FIX/calls.c"
compile gcc -O1 -o r2.o "$ROOT/tests/fixtures/sites/nosites.c"
"$SCPATCH" r1.o
ld -r -o joined.o r1.o r2.o
merged=$(readelf -SW joined.o | grep -c ' \.static_call_sites ')
cp joined.o split.o && "$SCPATCH" split.o
expect_eq "ld -r: same entries after splitting" "$(table_set joined.o)" "$(table_set split.o)"
expect "ld -r: more fragments than ld -r left ($merged)" \
	test "$(readelf -SW split.o | grep -c ' \.static_call_sites ')" -gt "$merged"
check_shape "ld -r split" split.o
# each fragment describes only the section it links to
fragment_links() {	# print "text-of-link site-section" per entry
	{ readelf -SW "$1" | sed 's/^ *\[ */[/'; echo ===; readelf -rW "$1"; } | awk '
		/^===/ { phase = 1; next }
		!phase && /^\[/ { i = substr($1, 2) + 0; name[i] = $2; o = $5; sub(/^0+/, "", o)
			off[i] = o; lk[i] = $9; inf[i] = $10; next }
		phase && /^Relocation section/ {
			o = $0; sub(/.* at offset 0x/, "", o); sub(/ .*/, "", o); want = ""
			for (i in name) if (off[i] == o && name[i] == ".rela.static_call_sites")
				want = name[lk[inf[i]]]
			next
		}
		phase && want != "" && $3 == "R_X86_64_PC32" && $1 ~ /[08]$/ { print want, $5 }'
}
bad=$(fragment_links split.o | awk '$1 != $2')
expect "ld -r: fragments found" test -n "$(fragment_links split.o)"
expect_eq "ld -r: each fragment names only sites in the section it links to" "" "$bad"
cp split.o split2.o && "$SCPATCH" split2.o
expect "ld -r: annotating the split object again changes nothing" cmp split.o split2.o

# --- stale entries of an old table are dropped, missing ones added ---------
as -o stale.o "$FIX/stale.s"
expect_eq "old table as written" "$(printf '%s\n' 'f+0x0 __SCK__x call' 'f+0x5 __SCK__x call')" \
	"$(table_set stale.o)"
"$SCPATCH" --no-align stale.o
expect_eq "stale entry dropped, missing site added" \
	"$(printf '%s\n' '.text+0x0 __SCK__x call' '.text+0x6 __SCK__x call')" "$(table_set stale.o)"

# --no-align: the same sites, not padded
compile gcc -O2 -o na.o "$FIX/calls.c"
expect "--no-align accepted" "$SCPATCH" --no-align -o na-a.o na.o
"$SCPATCH" -o na-p.o na.o
expect_eq "--no-align: as many sites as when padding" "$(table_set na-p.o | wc -l)" "$(table_set na-a.o | wc -l)"
# (objcopy writes a temporary file and renames it over its output: never
# give it /dev/stdout, which it would replace when run as root)
for o in na na-a na-p; do objcopy -O binary -j .text $o.o $o.text; done
expect "--no-align: the code is not touched" cmp na.text na-a.text
expect "padding: the code moved (the fixture has unaligned calls)" \
	bash -c "test -s na.text && ! cmp -s na.text na-p.text"

# --- untouched objects ------------------------------------------------------
compile gcc -O2 -o none.o "$FIX/nosites.c"
cp none.o none-a.o && touch -d '2001-01-01' none-a.o
"$SCPATCH" none-a.o
expect "no sites: object byte for byte unchanged" cmp none.o none-a.o
expect_eq "no sites: object not even rewritten" "2001" "$(date -r none-a.o +%Y)"
"$SCPATCH" -o none-b.o none.o
expect "no sites, -o: output is a copy" cmp none.o none-b.o

# --- errors: one line, exit 2, input unchanged -------------------------------
compile gcc -O2 -o nokey.o "$FIX/nokey.c"
cp nokey.o nokey-a.o
expect_exit "missing key: exit 2" 2 "$SCPATCH" nokey-a.o
err=$("$SCPATCH" nokey-a.o 2>&1)
expect "missing key: names trampoline and key" \
	grep -q '__SCT__lonely.*__SCK__lonely' <<< "$err"
expect_eq "missing key: one line" 1 "$(grep -c . <<< "$err")"
expect "missing key: object unchanged" cmp nokey.o nokey-a.o

lto_case() {	# lto_case TAG ADVICE CC FLAGS...
	local tag=$1 advice=$2; shift 2
	"$@" -I"$FIX" -c "$FIX/calls.c" -o lto.o || { not_ok "$tag: compile"; return; }
	cp lto.o lto-a.o
	err=$("$SCPATCH" lto-a.o 2>&1); rc=$?
	expect_eq "$tag: exit 2" 2 $rc
	expect "$tag: says to run '$advice' first" grep -qF -- "$advice" <<< "$err"
	expect "$tag: object unchanged" cmp lto.o lto-a.o
}
lto_case "gcc -flto" "gcc -flto -r -flinker-output=nolto-rel" gcc -O2 -flto
lto_case "gcc -flto -ffat-lto-objects" "gcc -flto -r -flinker-output=nolto-rel" gcc -O2 -flto -ffat-lto-objects
lto_case "clang -flto" "clang -flto -fuse-ld=lld -r" clang -O2 -flto
lto_case "clang -flto=thin" "clang -flto -fuse-ld=lld -r" clang -O2 -flto=thin

# the advised way in works
gcc -O2 -flto -I"$FIX" -c "$FIX/calls.c" -o lto-g.o &&
gcc -O2 -flto -r -flinker-output=nolto-rel -o lto-g-r.o lto-g.o &&
	expect "gcc LTO -r output annotates" "$SCPATCH" lto-g-r.o &&
	expect "gcc LTO -r output has sites" test "$(table_set lto-g-r.o | wc -l)" -ge 8
clang -O2 -flto -I"$FIX" -c "$FIX/calls.c" -o lto-c.o &&
clang -flto -fuse-ld=lld -r -o lto-c-r.o lto-c.o &&
	expect "clang LTO -r output annotates" "$SCPATCH" lto-c-r.o &&
	expect "clang LTO -r output has sites" test "$(table_set lto-c-r.o | wc -l)" -ge 8

gcc -o exe.out "$FIX/nosites.c" -nostartfiles -e plain 2>/dev/null
expect_exit "an executable is not annotated" 2 "$SCPATCH" exe.out
head -c 100 $cc.o > trunc.o && cp trunc.o trunc-a.o
expect_exit "truncated object: exit 2" 2 "$SCPATCH" trunc-a.o
expect "truncated object: unchanged" cmp trunc.o trunc-a.o
expect_exit "-o with two inputs: usage error" 2 "$SCPATCH" -o x.o none.o none-a.o
