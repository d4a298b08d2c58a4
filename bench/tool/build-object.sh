#!/bin/bash
# Build the input of the tool benchmark: one relocatable object of real
# C++ code (LLVM 14's static archives from Debian's llvm-14-dev, joined with
# `ld -r`) in which the cross-object calls of the most called functions go
# through static-call trampolines.
#
#     build-object.sh OUT.o [quick]
#
# Why this object: it is large (about 190 MB), it has COMDAT groups and far
# more than 65280 sections (SHN_XINDEX), and nothing but apt is needed to
# rebuild it byte for byte.  "quick" joins a few archives only (smoke tests).
#
# How the sites are made real: `ld -r --wrap=F` turns every reference to F
# from another object into a reference to __wrap_F while F's own object keeps
# calling F directly, as a static call would; objcopy renames __wrap_F to
# __SCT__F, and a generated object adds the trampoline __SCT__F (a jmp to F,
# encoded as DESIGN.md says) and the key __SCK__F, both hidden.
#
# objtool 6.1 is the reference, and it gives up on some user-space code: at
# a function symbol that has no instruction ("can't find starting
# instruction"; clang emits empty bodies for functions that end in
# __builtin_unreachable()), at a jump into what its decoder took for the
# middle of an instruction, and at every PIC switch table (see
# hide-rodata.c).  When it gives up it writes nothing and exits 0.  So the
# switch tables get out of sections called .rodata*, and the archive members
# that objtool still rejects on their own (about 250 of 3,300) are left out.
set -euo pipefail

out=$1
quick=${2:-}
llvm_lib=/usr/lib/llvm-14/lib
objtool=${OBJTOOL:-/usr/lib/linux-kbuild-6.1/tools/objtool/objtool}
functions=${BENCH_TOOL_FUNCTIONS:-1000}
work=$out.d

if [[ -n "$quick" ]]; then
	archives=(libLLVMCore.a libLLVMSupport.a libLLVMAnalysis.a
		  libLLVMTransformUtils.a)
else
	archives=()
	for a in "$llvm_lib"/libLLVM*.a; do archives+=("$(basename "$a")"); done
fi
[[ ${#archives[@]} -gt 0 && -f "$llvm_lib/${archives[0]}" ]] || {
	echo "build-object: no LLVM 14 archives in $llvm_lib (llvm-14-dev)" >&2
	exit 1
}

rm -rf "$work"
mkdir -p "$work/x"

# One directory per archive: member names repeat across archives.
for a in "${archives[@]}"; do
	mkdir -p "$work/x/${a%.a}"
	(cd "$work/x/${a%.a}" && ar x "$llvm_lib/$a")
done
find "$work/x" -name '*.o' | LC_ALL=C sort > "$work/all-members"

# The members that objtool cannot process, even alone (see above).
cc -O2 -o "$work/hide-rodata" "$(dirname "$0")/hide-rodata.c"
while read -r member; do
	cp "$member" "$work/probe.o"
	"$work/hide-rodata" "$work/probe.o" 2>/dev/null
	if "$objtool" --static-call "$work/probe.o" 2>&1 | grep -q 'warning:'
	then
		echo "$member"
	fi
done < "$work/all-members" > "$work/excluded"
LC_ALL=C comm -23 "$work/all-members" "$work/excluded" > "$work/members"

# The functions that get static calls: defined (T) in one member and
# referenced from the most other members.  Ties break by name, so that the
# choice is the same on every machine with the same packages.
xargs -a "$work/members" nm -P 2>/dev/null |
	awk '$2 == "T" { def[$1] = 1 }
	     $2 == "U" { refs[$1]++ }
	     END { for (s in def) if (s in refs) print refs[s], s }' |
	LC_ALL=C sort -k1,1nr -k2,2 |
	awk -v n="$functions" 'NR <= n { print $2 }' > "$work/functions"

awk '{ print "--wrap=" $1 }' "$work/functions" > "$work/wrap.args"
awk '{ print "__wrap_" $1, "__SCT__" $1 }' "$work/functions" > "$work/rename"

# Trampolines and keys, one per function.
awk '{
	print "\t.section .static_call.text,\"ax\",@progbits"
	print "\t.balign 8"
	print "\t.globl __SCT__" $1 "\n\t.hidden __SCT__" $1
	print "\t.type __SCT__" $1 ",@function"
	print "__SCT__" $1 ":"
	print "\t.byte 0xe9\n\t.reloc ., R_X86_64_PLT32, " $1 "-4\n\t.long 0"
	print "\t.byte 0xcc"
	print "\t.size __SCT__" $1 ", .-__SCT__" $1
	print "\t.reloc __SCT__" $1 ", R_X86_64_NONE, __SCK__" $1
	print "\t.section .data.static_call_keys,\"aw\",@progbits"
	print "\t.balign 8"
	print "\t.globl __SCK__" $1 "\n\t.hidden __SCK__" $1
	print "\t.type __SCK__" $1 ",@object"
	print "__SCK__" $1 ":\n\t.quad " $1 "\n\t.quad 0"
	print "\t.size __SCK__" $1 ", 16"
}
END { print "\t.section .note.GNU-stack,\"\",@progbits" }' \
	"$work/functions" > "$work/tramp.s"
as -o "$work/tramp.o" "$work/tramp.s"

ld -r -o "$work/wrapped.o" @"$work/wrap.args" @"$work/members"
objcopy --redefine-syms="$work/rename" "$work/wrapped.o" "$work/renamed.o"
rm -f "$work/wrapped.o"
ld -r -o "$out.tmp" "$work/renamed.o" "$work/tramp.o"
"$work/hide-rodata" "$out.tmp"
mv "$out.tmp" "$out"
cp "$work/functions" "$out.functions"
cp "$work/excluded" "$out.excluded"
rm -rf "$work"
