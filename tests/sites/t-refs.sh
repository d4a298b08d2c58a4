#!/bin/bash
# sites.h's reference finder (what `scpatch check` builds on): in linked
# files every static call branch objdump sees is a "site" (also through the
# PLT of a shared library and after ld's GOTPCRELX relaxation); in objects
# gcc -fno-plt GOT calls are "got-call", clang's GOT loads "got-load", and
# an address-taken trampoline "other".
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/sites/sites-lib.sh"

# The driver links the tool's own objects, every one but main.o, so that
# it follows the tool's files as they are split or added.
O=$BUILD/tools/scpatch
objs=()
for src in "$ROOT"/tools/scpatch/*.c "$ROOT"/tools/scpatch/arch/x86/*.c; do
	rel=${src#"$ROOT"/tools/scpatch/}
	[[ $rel == main.c ]] || objs+=("$O/${rel%.c}.o")
done
gcc ${SCPATCH_SAN_FLAGS:-} -std=gnu11 -iquote "$ROOT/tools/scpatch" -I"$ROOT/runtime" -o drv \
	"$ROOT/tests/sites/refs-driver.c" "${objs[@]}" \
	$(pkg-config --libs libelf libdw libxxhash) -lstdc++ ||
	{ not_ok "driver builds"; exit 0; }

E=$FIX/e2e
export PKG_CONFIG_PATH=$BUILD/runtime/pkgconfig
CF=$(pkg-config --cflags scpatch)
LIBS=$(pkg-config --libs scpatch)

refs_sites() { ./drv "$1" | awk '$1 == "site" { print $2, $3, $4 }' | sort; }

# Not annotated, -fno-plt: ld relaxes the GOT calls of hidden trampolines.
gcc -O2 -fPIC -fno-plt $CF -c "$E/use.c" -o use.o
gcc -O2 $CF -c "$E/defs.c" -o defs.o
gcc -O2 $CF -c "$E/main.c" -o main.o
expect_eq "object: every GOT call of a trampoline is a got-call" \
	"$(objdump -dr use.o | grep -c 'GOTPCRELX.*__SCT__')" \
	"$(./drv use.o | grep -c '^got-call')"
gcc -o prog main.o use.o defs.o $LIBS
expect_eq "linked: sites are objdump's static call branches" \
	"$(objdump_sites prog)" "$(refs_sites prog)"
expect "linked: at least 6 sites" test "$(refs_sites prog | wc -l)" -ge 6

# Through the PLT of a shared library (trampolines exported by another one).
gcc -O2 -fPIC $CF -DEXPORT_CALLS -c "$E/defs.c" -o defs-x.o
gcc -O2 -fPIC $CF -c "$E/use.c" -o use-pic.o
gcc -shared -o libdefs.so defs-x.o
gcc -shared -o libuse.so use-pic.o libdefs.so
expect "shared library calls trampolines through the PLT" \
	grep -q '__SCT__sc_op@plt' <(objdump -d libuse.so)
expect_eq "shared library: PLT sites resolved to their static calls" \
	"$(objdump_sites libuse.so)" "$(refs_sites libuse.so)"

# clang -fno-plt: the GOT entry goes through a register.
clang -O2 -fPIC -fno-plt $CF -c "$E/use.c" -o use-clang.o
if objdump -dr use-clang.o | grep -q 'REX_GOTPCRELX.*__SCT__'; then
	expect "object: clang's GOT load is a got-load" grep -q '^got-load' <(./drv use-clang.o)
fi

# address taken
gcc -O2 -I"$FIX" -c "$FIX/calls.c" -o calls.o
expect "object: an address-taken trampoline is other" \
	grep -q '^other .* sc_a ' <(./drv calls.o)
"$SCPATCH" -o calls-a.o calls.o
expect_eq "object: as many sites as annotate's table has entries" \
	"$(table_set calls-a.o | wc -l)" "$(./drv calls.o | grep -c '^site')"
