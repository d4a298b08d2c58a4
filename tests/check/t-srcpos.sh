#!/bin/bash
# Source positions (srcpos.c) against addr2line: for every static call site
# that objdump finds in objects and linked files from gcc and clang at
# -O0/-O2/-Os, DWARF 4 and 5, compressed debug sections, several text
# sections, PIE and shared libraries, the line srcpos reports is exactly
# the line addr2line reports.  Runs before `scpatch check` exists, through
# a small driver compiled against srcpos.c.
. "$ROOT/tests/lib.sh"

FIX=$ROOT/tests/fixtures/check
cc -std=gnu11 -Wall -Wextra -Werror -iquote "$ROOT/tools/scpatch" \
	-o drv "$ROOT/tests/check/srcpos_driver.c" "$ROOT/tools/scpatch/srcpos.c" \
	$(pkg-config --cflags --libs libelf libdw) || { not_ok "driver builds"; exit 0; }

# compare NAME FILE LINKED: the sites' lines from the driver and from
# addr2line, one call of each per section.
compare() {
	local name=$1 file=$2 linked=$3 sites mine= theirs= sec offs
	sites=$(python3 "$ROOT/tests/check/expected_sites.py" "$file")
	if [[ -z "$sites" ]]; then
		not_ok "$name: no sites found by objdump"
		return
	fi
	for sec in $(cut -d' ' -f1 <<< "$sites" | sort -u); do
		offs=$(awk -v s="$sec" '$1 == s { print $2 }' <<< "$sites")
		if [[ $linked == 1 ]]; then
			mine+=$(./drv "$file" $offs)$'\n'
			theirs+=$(addr2line -e "$file" $offs)$'\n'
		else
			mine+=$(./drv "$file" -j "$sec" $offs)$'\n'
			theirs+=$(addr2line -e "$file" -j "$sec" $offs)$'\n'
		fi
	done
	# "LINE:COL FILE" from the driver, "FILE:LINE (discriminator N)" from
	# addr2line: compare line and file name.
	mine=$(sed -E 's|^([0-9]+):[0-9]+ .*/([^/]+)$|\2:\1|' <<< "$mine")
	theirs=$(sed -E 's| \(discriminator [0-9]+\)||; s|^.*/([^/]+)$|\1|' <<< "$theirs")
	expect_eq "$name: lines are addr2line's" "$theirs" "$mine"
}

for cc in $TEST_COMPILERS; do
	for opt in O0 O2 Os; do
		for dw in 4 5; do
			o=$cc-$opt-dw$dw.o
			$cc -$opt -gdwarf-$dw -I"$FIX" -c "$FIX/calls.c" -o "$o"
			compare "$cc -$opt -gdwarf-$dw object" "$o" 0
		done
	done
	$cc -O2 -g -gz=zlib -ffunction-sections -I"$FIX" -c "$FIX/calls.c" -o $cc-gz.o
	if readelf -SW $cc-gz.o | grep -q ' \.debug_info .* [A-Z]*C[A-Z]* '; then
		ok "$cc -gz: .debug_info is compressed"
	else
		not_ok "$cc -gz: .debug_info is not compressed"
	fi
	compare "$cc -gz -ffunction-sections object" $cc-gz.o 0

	$cc -O2 -g -I"$FIX" -c "$FIX/main.c" -o main-$cc.o
	$cc -no-pie -o prog-$cc main-$cc.o $cc-O2-dw5.o
	compare "$cc -no-pie executable" prog-$cc 1
	$cc -pie -o pie-$cc main-$cc.o $cc-Os-dw4.o
	compare "$cc PIE" pie-$cc 1
	$cc -O2 -g -fPIC -I"$FIX" -c "$FIX/calls.c" -o calls-pic-$cc.o
	$cc -O2 -g -fPIC -I"$FIX" -c "$FIX/main.c" -o main-pic-$cc.o
	$cc -shared -o lib-$cc.so calls-pic-$cc.o main-pic-$cc.o
	compare "$cc shared library" lib-$cc.so 1
done

# Without debug information nothing is found, and nothing crashes.
gcc -O2 -I"$FIX" -c "$FIX/calls.c" -o nodebug.o
off=$(python3 "$ROOT/tests/check/expected_sites.py" nodebug.o | head -1 | cut -d' ' -f2)
expect_eq "no debug info: no position" "?" "$(./drv nodebug.o -j .text "$off")"
expect_exit "not ELF: open fails" 2 ./drv "$FIX/calls.c" 0
