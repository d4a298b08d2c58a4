#!/bin/bash
# Build an input of the tool benchmark: one relocatable object joined with
# `ld -r` from Debian's static archives, in which the cross-object calls of
# the most called functions go through static-call trampolines.
#
#     build-object.sh cxx|c OUT.o [quick]
#
# cxx: LLVM 14 (llvm-14-dev), C++, about 135 MiB and 200,000 sections
#      (COMDAT groups; more than 65280, so SHN_XINDEX everywhere).
# c:   the C archives that scpatch's own dependencies install (glibc's libc.a
#      and libm.a, capstone, elfutils, xz, zlib, bzip2: 14 MiB of code),
#      joined COPIES times under distinct symbol prefixes: about 110 MiB in
#      a few hundred sections, the shape of a kernel's vmlinux.o.
# "quick" makes a small one of each (smoke tests).  Nothing but apt is needed
# to rebuild either byte for byte.
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
# __builtin_unreachable()), at instructions its decoder does not know, at a
# jump into what it took for the middle of an instruction, and at every PIC
# switch table (see hide-rodata.c).  When it gives up it writes nothing and
# exits 0.  So the switch tables get out of sections called .rodata*, and
# the archive members that objtool still rejects on their own are left out
# (listed in OUT.o.excluded).
set -euo pipefail

set_name=$1
out=$2
quick=${3:-}
objtool=${OBJTOOL:-/usr/lib/linux-kbuild-6.1/tools/objtool/objtool}
functions=${BENCH_TOOL_FUNCTIONS:-1000}
work=$out.d
copies=1

case "$set_name" in
cxx)
	lib=/usr/lib/llvm-14/lib
	if [[ -n "$quick" ]]; then
		archives=(libLLVMCore.a libLLVMSupport.a libLLVMAnalysis.a
			  libLLVMTransformUtils.a)
	else
		archives=()
		for a in "$lib"/libLLVM*.a; do archives+=("$(basename "$a")"); done
	fi
	;;
c)
	lib=/usr/lib/x86_64-linux-gnu
	archives=(libc.a libm-2.36.a libcapstone.a libdw.a libelf.a liblzma.a
		  libz.a libbz2.a)
	[[ -n "$quick" ]] || copies=8
	;;
*)
	echo "build-object: unknown input set '$set_name' (cxx or c)" >&2
	exit 2
	;;
esac
for a in "${archives[@]}"; do
	[[ -f "$lib/$a" ]] && continue
	echo "build-object: missing $lib/$a (see scripts/packages.txt)" >&2
	exit 1
done

rm -rf "$work"
mkdir -p "$work/x"

# One directory per archive: member names repeat across archives.
for a in "${archives[@]}"; do
	mkdir -p "$work/x/${a%.a}"
	(cd "$work/x/${a%.a}" && ar x "$lib/$a")
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
ld -r -o "$work/copy.o" "$work/renamed.o" "$work/tramp.o"
rm -f "$work/renamed.o"

# Copies: every symbol gets the prefix cN_, and __SCT__/__SCK__ stay in front.
if [[ $copies -gt 1 ]]; then
	parts=()
	for ((i = 1; i <= copies; i++)); do
		awk -v p="c${i}_" '{
			print p "__SCT__" $1, "__SCT__" p $1
			print p "__SCK__" $1, "__SCK__" p $1
		}' "$work/functions" > "$work/rename$i"
		objcopy --prefix-symbols="c${i}_" "$work/copy.o" "$work/prefixed.o"
		objcopy --redefine-syms="$work/rename$i" "$work/prefixed.o" \
			"$work/copy$i.o"
		parts+=("$work/copy$i.o")
	done
	rm -f "$work/prefixed.o"
	ld -r -o "$out.tmp" "${parts[@]}"
else
	mv "$work/copy.o" "$out.tmp"
fi
"$work/hide-rodata" "$out.tmp"
mv "$out.tmp" "$out"
cp "$work/functions" "$out.functions"
sed "s|^$work/x/||" "$work/excluded" > "$out.excluded"
rm -rf "$work"
