# Helpers for the site tests (sourced; not a test itself).
# The table is read back with readelf, independently of scpatch's reader.

FIX=$ROOT/tests/fixtures/sites
OBJTOOL=${OBJTOOL:-/usr/lib/linux-kbuild-6.1/tools/objtool/objtool}

# table_set OBJ: one line per table entry, "SECTION+0xOFF KEY call|tail",
# sorted; KEYREF slots are resolved through their R_X86_64_64 relocation.
table_set() {
	readelf -rW "$1" | awk '
	function hex(s,   i, c, v) {
		v = 0; s = tolower(s)
		for (i = 1; i <= length(s); i++) {
			c = index("0123456789abcdef", substr(s, i, 1)) - 1
			v = v * 16 + c
		}
		return v
	}
	/^Relocation section/ {
		split($0, q, "\047"); sec = q[2]; n++
		next
	}
	sec == ".rela.static_call_sites" && $3 == "R_X86_64_PC32" {
		off = hex($1); e = n ":" int(off / 8)
		a = ($6 == "-" ? -hex($7) : hex($7))
		if (off % 8 == 0) { site[e] = $5 "+0x" sprintf("%x", a); ents[e] = 1 }
		else { key[e] = $5; add[e] = a }
		next
	}
	sec == ".rela.data.rel.ro.static_call_keyref" && $3 == "R_X86_64_64" {
		slot[hex($1)] = $5
	}
	END {
		for (e in ents) {
			k = key[e]; a = add[e]; f = a % 8
			if (k == ".data.rel.ro.static_call_keyref") k = slot[a - f]
			print site[e], k, (f % 2 ? "tail" : "call")
		}
	}' | sort
}

# compile CC FLAGS... -o OUT SRC: quiet compile with the fixture headers.
compile() {
	local cc=$1; shift
	$cc -I"$FIX" -c "$@"
}

# objdump_sites FILE: "ADDR NAME call|tail" for every direct call, jmp or
# jcc whose target objdump names __SCT__NAME (directly or NAME@plt).
objdump_sites() {
	# The site is the opcode: after the 67 prefix of `addr32 call`.
	objdump -d --no-show-raw-insn -w "$1" | sed -nE \
		's/^ *([0-9a-f]+):\s+(addr32 )?(call|jmp|j[a-z]+)\s+[0-9a-f]+ <__SCT__([A-Za-z0-9_]+)(@plt)?>.*/\1 \4 \3 \2/p' |
		while read -r a n k p; do
			printf '%x %s %s\n' $((0x$a + (${#p} ? 1 : 0))) "$n" \
				"$([[ $k == call ]] && echo call || echo tail)"
		done | sort
}

# listed_sites FILE: the same triple from `scpatch list --json`.
listed_sites() {
	"$SCPATCH" list --json "$1" | sed -nE \
		's/.*"address": ([0-9]+), "name": "([^"]*)", "kind": "([a-z]+)".*/\1 \2 \3/p' |
		while read -r a n k; do printf '%x %s %s\n' "$a" "$n" "$k"; done | sort
}

# same_sites TAG FILE [MIN]: scpatch list on a linked FILE names exactly the
# static call branches objdump sees (and at least MIN of them).
same_sites() {
	local want got
	want=$(objdump_sites "$2")
	got=$(listed_sites "$2")
	if [[ $(grep -c . <<< "$want") -lt ${3:-1} ]]; then
		not_ok "$1: objdump sees only $(grep -c . <<< "$want") sites"
	elif [[ "$want" == "$got" ]]; then
		ok "$1: list names the $(grep -c . <<< "$got") linked sites"
	else
		not_ok "$1: list differs from objdump: $(diff <(echo "$want") <(echo "$got") | tr '\n' ' ')"
	fi
}
