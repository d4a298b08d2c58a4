#!/bin/bash
# Static calls whose trampolines live in another shared library: the sites
# reach them through PLT entries (resolved through .rela.plt), which check
# follows to verify the table; a damaged entry is still caught there; and
# unannotated -fno-plt code calls them through the GOT, which can never be
# patched and is reported call by call.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/check/common.sh"

# scpatch's tables only: objtool's direct key references to keys exported
# by another library become dynamic R_X86_64_PC32 relocations, which the
# table reader does not follow (DESIGN.md's KEYREF slots exist for this).
ANNOTATOR=scpatch

pub=-DSC_DEFAULT_VISIBILITY	# keys and trampolines exported
compile gcc tramp.o -O2 -g -fPIC $pub "$FIX/main.c"
gcc -shared -o libtramp.so tramp.o
compile gcc anchor.o -fPIC "$FIX/anchor.c"

for cc in $TEST_COMPILERS; do
	compile $cc calls-$cc.o -O2 -g -fPIC $pub "$FIX/calls.c"
	annotate calls-$cc.o
	$cc -shared -o libcalls-$cc.so calls-$cc.o anchor.o -L. -ltramp
	lib=libcalls-$cc.so
	expect "$cc: sites go through the PLT" \
		grep -q '@plt>' <(objdump -d $lib)
	"$SCPATCH" check $lib > out.txt
	total=$(count_sites $lib) unaligned=$(count_sites $lib unaligned)
	expect_eq "$cc shared library through the PLT: summary" \
		"$lib: $total sites, $((total - unaligned)) aligned, $unaligned unaligned, 0 invalid" \
		"$(tail -n 1 out.txt)"
	expect_eq "$cc shared library through the PLT: lines are addr2line's" \
		"$(expected_unaligned $lib)" "$(reported_unaligned out.txt)"
done

# A PIE whose sites call exported trampolines through its own PLT.
compile gcc main-pie.o -O2 -g -fPIE $pub "$FIX/more.c"
printf 'int more_calls(int);\nint main(void) { return more_calls(1) & 1; }\n' > pmain.c
compile gcc pmain.o -O2 -fPIE pmain.c
annotate main-pie.o
gcc -pie -o prog main-pie.o pmain.o anchor.o -L. -ltramp -lcalls-gcc
"$SCPATCH" check prog > out.txt
expect_eq "PIE through the PLT: all entries valid" 0 \
	"$(tail -n 1 out.txt | sed -nE 's/.* ([0-9]+) invalid.*/\1/p')"
expect_eq "PIE through the PLT: every site in the table" \
	"$(count_sites prog)" "$(tail -n 1 out.txt | sed -nE 's/^prog: ([0-9]+) sites.*/\1/p')"

# An entry moved to another static call's site, behind the PLT.
lib=libcalls-gcc.so
hook=$(python3 "$ROOT/tests/check/expected_sites.py" $lib | awk '$3 == "hook" { print $2; exit }')
op=$(python3 "$ROOT/tests/check/expected_sites.py" $lib | awk '$3 == "op" && $4 == "call" { print $2; exit }')
cp $lib damaged.so
python3 "$ROOT/tests/check/damage.py" damaged.so retarget "$hook" "$op"
"$SCPATCH" check damaged.so > out.txt
expect_eq "damaged entry behind the PLT: exit 1" 1 $?
expect "damaged entry behind the PLT: key and trampoline named" \
	grep -q "names key '__SCK__hook' but the branch goes to '__SCT__op'" out.txt

# Unannotated -fno-plt code: every call through the GOT is reported.
for cc in $TEST_COMPILERS; do
	compile $cc noplt-$cc.o -O2 -g -fPIC -fno-plt $pub "$FIX/calls.c"
	$cc -shared -o libnoplt-$cc.so noplt-$cc.o -L. -ltramp
	lib=libnoplt-$cc.so
	want=$(objdump -d --no-show-raw-insn $lib |
		grep -cE '(call|jmp|mov) +\*?0x[0-9a-f]+\(%rip\).*<__SCT__')
	"$SCPATCH" check $lib > out.txt
	expect_eq "$cc -fno-plt shared library: exit 1" 1 $?
	expect_eq "$cc -fno-plt shared library: each GOT reference reported ($want)" "$want" \
		"$(grep -c "warning: unpatchable call to static call" out.txt)"
done
