#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Static call sites of an ELF file as objdump sees them, independent of
scpatch: one line per call/jmp/jcc whose rel32 goes to a __SCT__ trampoline
(through a relocation in an object, a direct or PLT target in a linked
file), as
    SECTION INSN_START NAME call|tail aligned|unaligned
INSN_START is the section offset (objects) or the address (linked files),
in hex.  Aligned: the rel32 field (the last 4 bytes of the instruction) on a
multiple of 4, and in an object a section alignment of at least 4."""
import re
import subprocess
import sys

path = sys.argv[1]
linked = 'REL' not in subprocess.run(['readelf', '-h', path], capture_output=True,
                                     text=True).stdout.split('Type:')[1].split('\n')[0]

align = {}
for line in subprocess.run(['readelf', '-SW', path], capture_output=True,
                           text=True).stdout.splitlines():
    m = re.match(r'\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+'
                 r'[0-9a-f]+\s+[0-9a-f]+\s+\S*\s+\d+\s+\d+\s+(\d+)$', line)
    if m:
        align[m.group(1)] = int(m.group(2))

out = subprocess.run(['objdump', '-dr', '-w', path], capture_output=True,
                     text=True).stdout
insns = []          # [section, start, text, size, reloc]
section = None
for line in out.splitlines():
    m = re.match(r'Disassembly of section (\S+):', line)
    if m:
        section = m.group(1)
        continue
    m = re.match(r'\s+([0-9a-f]+):\t((?:[0-9a-f]{2} )+)\s*\t?([^\t]*)(.*)$', line)
    if not m or not section:
        continue
    reloc = re.search(r'([0-9a-f]+): (R_X86_64_\S+)\t(\S+)', m.group(4))
    if reloc:
        reloc = (int(reloc.group(1), 16), reloc.group(2), reloc.group(3))
    insns.append([section, int(m.group(1), 16), m.group(3).strip(),
                  len(m.group(2).split()), reloc])

for sec, start, text, size, reloc in insns:
    mnem = text.split()[0] if text else ''
    if mnem in ('call', 'jmp', 'bnd') or re.match(r'j[a-z]+$', mnem):
        pass
    else:
        continue
    name = None
    if linked:
        m = re.search(r'<__SCT__([A-Za-z0-9_]+?)(@plt)?>', text)
        if m and size >= 5 and '*' not in text:
            name = m.group(1)
    elif reloc and reloc[1] in ('R_X86_64_PLT32', 'R_X86_64_PC32'):
        m = re.match(r'__SCT__([A-Za-z0-9_]+)-0x4$', reloc[2])
        if m and reloc[0] == start + size - 4:
            name = m.group(1)
    if not name:
        continue
    rel32 = start + size - 4
    ok = rel32 % 4 == 0 and (linked or align.get(sec, 1) >= 4)
    kind = 'call' if mnem == 'call' else 'tail'
    print(sec, '%x' % start, name, kind, 'aligned' if ok else 'unaligned')
