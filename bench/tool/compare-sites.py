#!/usr/bin/env python3
# compare-sites.py A.o B.o: compare the static call sites that two tools
# wrote into .static_call_sites* (e.g. objtool's and scpatch's output for
# the same input), entry by entry: the site (relocation symbol + addend of
# the address field), the key symbol and the TAIL flag.  Exit 1 when the
# sets differ.  Slow on objects with 200,000 sections (readelf -r).
import re
import subprocess
import sys

ENTRY = re.compile(r"^([0-9a-f]{16})\s+\S+\s+(R_X86_64_\w+)\s+[0-9a-f]+\s+(\S+)\s*([+-])\s*([0-9a-f]+)")


def sites(path):
    out = subprocess.run(["readelf", "-rW", path], capture_output=True,
                         text=True, check=True).stdout
    fields = {}
    table = None
    for line in out.splitlines():
        head = re.match(r"Relocation section '(\S+)' at offset (\S+)", line)
        if head:
            # Several sections may share a name: the offset tells them apart.
            name = head.group(1)
            table = head.group(2) if name.startswith(".rela.static_call_sites") else None
            continue
        m = ENTRY.match(line) if table else None
        if not m or m.group(2) != "R_X86_64_PC32":
            continue
        off = int(m.group(1), 16)
        addend = int(m.group(5), 16) * (1 if m.group(4) == "+" else -1)
        fields.setdefault((table, off - off % 8), {})[off % 8] = (m.group(3), addend)
    result = set()
    for entry in fields.values():
        addr, key = entry.get(0), entry.get(4)
        if addr and key:
            result.add((addr[0], addr[1], key[0], key[1] & 1))
    return result


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: compare-sites.py A.o B.o")
    a, b = sites(sys.argv[1]), sites(sys.argv[2])
    print(f"{sys.argv[1]}: {len(a)} sites, {sys.argv[2]}: {len(b)} sites, "
          f"{len(a & b)} identical")
    for site in sorted(a - b)[:10]:
        print("only in", sys.argv[1], site)
    for site in sorted(b - a)[:10]:
        print("only in", sys.argv[2], site)
    sys.exit(0 if a == b else 1)


if __name__ == "__main__":
    main()
