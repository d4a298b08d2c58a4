#!/bin/bash
# scpatch check finds what is wrong and says where: damaged tables (an
# entry moved to the wrong instruction, to another static call's site, a
# flipped TAIL flag; in objects and in a linked program), files that were
# never annotated, programs that link annotated and unannotated objects,
# unaligned trampolines, clang -fno-plt calls through registers; and exits
# 0 on a file that is all aligned and valid.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/check/common.sh"

# The other tests read scpatch's own tables (KEYREF slots, one fragment per
# text section); these read the kernel's objtool format (direct key
# references, one table), which check must understand as well.
ANNOTATOR=${CHECK_ANNOTATOR:-objtool}

# run_check FILE...: text output in out.txt, exit status in $rc.
run_check() {
	"$SCPATCH" check "$@" > out.txt 2> err.txt
	rc=$?
	cat out.txt err.txt
}

# site_of FILE NAME KIND [N]: section offset / address of the N-th (1-based)
# site of static call NAME and kind call|tail, as objdump finds it.
site_of() {
	python3 "$ROOT/tests/check/expected_sites.py" "$1" |
		awk -v n="$2" -v k="$3" '$3 == n && $4 == k { print $2 }' |
		sed -n "${4:-1}p"
}

summary_field() {	# summary_field WORD: the count before WORD on the last line
	tail -n 1 out.txt | grep -oE "[0-9]+ $1" | cut -d' ' -f1
}

# --- all aligned and valid: exit 0 ------------------------------------------
gcc -g -c -o aligned.o "$FIX/aligned.s"
annotate aligned.o
run_check aligned.o
expect_eq "all aligned: exit 0" 0 $rc
expect_eq "all aligned: summary" \
	"aligned.o: 2 sites, 2 aligned, 0 unaligned, 0 invalid" "$(tail -n 1 out.txt)"

# --- damaged tables in an object ---------------------------------------------
compile gcc calls.o -O2 -g "$FIX/calls.c"
annotate calls.o
op=$(site_of calls.o op call 1)
hook=$(site_of calls.o hook call 1)
next=$(printf '%x' $((0x$op + 5)))
if [[ -z "$op" || -z "$hook" ]] ||
   python3 "$ROOT/tests/check/expected_sites.py" calls.o | grep -q " $next "; then
	not_ok "fixture: gcc -O2 calls.o has an op and a hook call, and no site right after the op call"
fi

cp calls.o wrong-insn.o
python3 "$ROOT/tests/check/damage.py" wrong-insn.o retarget "$op" "$next"
run_check wrong-insn.o
expect_eq "entry at a non-branch: exit 1" 1 $rc
expect_eq "entry at a non-branch: 1 invalid" 1 "$(summary_field invalid)"
expect "entry at a non-branch: error says so" \
	grep -q "error: invalid static call site 'op'.*does not point at a call, jmp or jcc" out.txt

cp calls.o wrong-key.o
python3 "$ROOT/tests/check/damage.py" wrong-key.o retarget "$hook" "$op"
run_check wrong-key.o
expect_eq "entry at another call's site: exit 1" 1 $rc
expect_eq "entry at another call's site: 1 invalid" 1 "$(summary_field invalid)"
expect "entry at another call's site: names both" \
	grep -q "error: invalid static call site.*names key '__SCK__hook' but the branch goes to '__SCT__op'" out.txt
line=$(addr2line -e calls.o -j .text "$op" | sed -E 's/ \(.*//; s|.*/||')
expect "entry at another call's site: at the call's line ($line)" \
	grep -q "^\(.*/\)\?$line:[0-9]*: error: invalid" out.txt
expect "entry at another call's site: the orphaned site is reported" \
	grep -q "warning: static call site 'hook' not in the table" out.txt

op2=$(site_of calls.o op call 2)
cp calls.o twice.o
python3 "$ROOT/tests/check/damage.py" twice.o retarget "$op" "$op2"
run_check twice.o
expect_eq "two entries for one site: exit 1" 1 $rc
expect_eq "two entries for one site: 1 invalid" 1 "$(summary_field invalid)"
expect "two entries for one site: error says so" \
	grep -q "error: invalid static call site 'op'.*duplicates another entry" out.txt

cp calls.o wrong-flags.o
python3 "$ROOT/tests/check/damage.py" wrong-flags.o flags "$op"
run_check wrong-flags.o
expect_eq "TAIL flag on a call: exit 1" 1 $rc
expect "TAIL flag on a call: error says so" \
	grep -q "error: invalid static call site 'op'.*says tail call but the instruction is a call" out.txt

tail=$(site_of calls.o op tail 1)
cp calls.o wrong-flags-tail.o
python3 "$ROOT/tests/check/damage.py" wrong-flags-tail.o flags "$tail"
run_check wrong-flags-tail.o
expect "no TAIL flag on a tail jmp: error says so" \
	grep -q "error: invalid static call site 'op'.*says call but the instruction is a jmp" out.txt

# --- damaged table in a linked program ------------------------------------------
compile gcc main.o -O2 -g "$FIX/main.c"
gcc -o prog main.o calls.o
main_addr=$(nm prog | awk '$3 == "main" { print $1 }')
op=$(site_of prog op call 1)
cp prog prog-damaged
python3 "$ROOT/tests/check/damage.py" prog-damaged retarget "$op" "$main_addr"
run_check prog-damaged
expect_eq "program, entry moved into main: exit 1" 1 $rc
expect "program, entry moved into main: invalid in main" \
	grep -q "error: invalid static call site 'op' in main+0x0" out.txt
run_check prog
expect_eq "program undamaged: no invalid entry" 0 "$(summary_field invalid)"

# --- never annotated ---------------------------------------------------------
compile clang plain.o -O2 -g "$FIX/calls.c"
run_check plain.o
n=$(count_sites plain.o)
expect_eq "unannotated object: exit 1" 1 $rc
expect "unannotated object: never annotated, $n calls" \
	grep -q "^plain.o: warning: $n calls to static call trampolines but no .static_call_sites table: never annotated" out.txt
compile clang main-clang.o -O2 -g "$FIX/main.c"
clang -o prog-plain main-clang.o plain.o
run_check prog-plain
expect_eq "unannotated program: exit 1" 1 $rc
expect "unannotated program: never annotated" grep -q "never annotated" out.txt

# No table and no calls: fine.
run_check main.o
expect_eq "no table, no calls: exit 0" 0 $rc
expect_eq "no table, no calls: summary" \
	"main.o: 0 sites, 0 aligned, 0 unaligned, 0 invalid" "$(tail -n 1 out.txt)"

# --- an unannotated object linked with annotated ones -----------------------
compile gcc more.o -O2 -g "$FIX/more.c"
gcc -o prog-mixed main.o calls.o more.o
run_check prog-mixed
expect_eq "mixed program: exit 1" 1 $rc
want=$(python3 "$ROOT/tests/check/expected_sites.py" more.o | while read -r sec off _; do
	addr2line -e more.o -j "$sec" "$off"; done | sed -E 's/ \(.*//; s|.*/||' | sort)
got=$(sed -nE "s|^(.*/)?([^/:]+:[0-9]+):[0-9]*:? warning: static call site '.*' not in the table.*|\2|p" out.txt | sort)
expect_eq "mixed program: exactly the unannotated object's sites, at their lines" "$want" "$got"

# --- trampolines -------------------------------------------------------------
compile gcc tramp-bad.o -O2 -g -DSC_TRAMP_SKEW=1 "$FIX/main.c"
run_check tramp-bad.o
expect_eq "unaligned trampolines: exit 1" 1 $rc
expect_eq "unaligned trampolines: one error each" 3 \
	"$(grep -c "error: unaligned static call trampoline '__SCT__[a-z]*'" out.txt)"
gcc -o prog-tramp-bad tramp-bad.o calls.o
run_check prog-tramp-bad
expect_eq "program with unaligned trampolines: one error each" 3 \
	"$(grep -c "error: unaligned static call trampoline" out.txt)"
expect_eq "aligned trampolines: none reported" 0 \
	"$(run_check main.o prog | grep -c trampoline)"

# A trampoline without a jmp rel32 cannot be retargeted at all.
cat > noj.s <<'ASM'
	.section .static_call.text, "ax"
	.balign	8
	.globl	__SCT__noj
	.type	__SCT__noj, @function
__SCT__noj:
	ret
	.size	__SCT__noj, . - __SCT__noj
	.section .note.GNU-stack, "", @progbits
ASM
gcc -c -o noj.o noj.s
run_check noj.o
expect_eq "trampoline without jmp rel32: exit 1" 1 $rc
expect "trampoline without jmp rel32: error says so" \
	grep -q "error: unpatchable static call trampoline '__SCT__noj': no jmp rel32 to retarget" out.txt

# --- calls that can never be sites (clang -fno-plt) --------------------------
compile clang noplt.o -O2 -g -fPIC -fno-plt -DSC_DEFAULT_VISIBILITY "$FIX/calls.c"
loads=$(objdump -dr noplt.o | grep -c 'R_X86_64_REX_GOTPCRELX.*__SCT__')
run_check noplt.o
expect_eq "-fno-plt: exit 1" 1 $rc
if [[ $loads -eq 0 ]]; then
	not_ok "-fno-plt: clang loads no trampoline address into a register"
else
	expect_eq "-fno-plt: each register load reported ($loads)" "$loads" \
		"$(grep -c "warning: unpatchable call to static call '[a-z]*'.*GOT into a register" out.txt)"
fi
