#!/bin/bash
# A trampoline's address loaded from the GOT is an unpatchable call only
# when the register it fills is called through (clang -fno-plt hoists the
# load out of loops); a function pointer taken from the GOT is not
# reported.  In objects (annotate -v, check) and in a linked library.
. "$ROOT/tests/lib.sh"

fix=$ROOT/tests/fixtures/check/got-loads.s
gcc -c "$fix" -o got.o || { not_ok "assemble got-loads.s"; exit 0; }
expect_eq "the fixture has four GOT loads" 4 \
	"$(objdump -dr got.o | grep -c 'GOTPCRELX.*__SCT__op')"

# want FILE: the functions check reports an unpatchable call in, sorted.
reported() {
	"$SCPATCH" check "$1" 2>&1 |
		sed -nE "s/.*\((.*)\+0x[0-9a-f]+\): warning: unpatchable call to static call 'op'.*/\1/p" |
		sort | tr '\n' ' '
}
expect_eq "object: the calls through the loaded register are reported" \
	"hoisted_call tail_through_r11 " "$(reported got.o)"
"$SCPATCH" -v -o got-a.o got.o 2> notes.txt
expect_eq "annotate -v: two GOT loads that cannot be rewritten" 2 \
	"$(grep -c 'loaded from the GOT into a register' notes.txt)"
expect_eq "annotate -v: two addresses taken" 2 \
	"$(grep -c 'referenced but not called' notes.txt)"

# A shared library: the same, through the linked-file reader.
printf '%s\n' 'int op_target(int x) { return x; }' \
	'__asm__(".globl __SCT__op\n.type __SCT__op, @function\n__SCT__op: jmp op_target\n.size __SCT__op, 5");' > tramp.c
gcc -shared -fPIC -o libgot.so got.o tramp.c || { not_ok "link libgot.so"; exit 0; }
expect_eq "shared library: the calls through the loaded register are reported" \
	"hoisted_call tail_through_r11 " "$(reported libgot.so)"
