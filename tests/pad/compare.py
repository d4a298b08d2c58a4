#!/usr/bin/env python3
"""Compare an object with its padded version, independently of scpatch.

    compare.py [--lines] ORIG.o PADDED.o

Reads both with objdump and readelf only.  Per code section, the
instructions without NOPs (and int3) must be the same, in the same order,
with branch and RIP-relative targets naming the same instruction (an
address maps to the first non-NOP instruction at or after it), and the
same relocations at the same place in each instruction.  .eh_frame: the
same FDEs covering the same instructions, with the same CFA rows at the same
instructions (readelf -wF).  With --lines, addr2line must give every
original instruction the same function, file and line, and every address
range in the DWARF (llvm-dwarfdump: DIE ranges, location and range lists)
must cover the same instructions.  Prints the first difference and exits 1.
"""
import re
import subprocess
import sys
from bisect import bisect_left

INSN = re.compile(r'^\s*([0-9a-f]+):\t(.*)$')
RELOC = re.compile(r'^\s*([0-9a-f]+): (R_X86_64_\S+)\s+(\S+)$')
SECTION = re.compile(r'^Disassembly of section (\S+):$')
TARGET = re.compile(r'^(\S.*?\s)([0-9a-f]+) <[^>]*>$')
RIPCOMMENT = re.compile(r'^(.*?)(-?0x[0-9a-f]+)(\(%rip\).*)# ([0-9a-f]+)( <[^>]*>)?$')


def is_padding(text):
    words = text.split()
    while words and words[0] in ('cs', 'ds', 'data16', 'rex', 'rex.W'):
        words = words[1:]
    op = words[0] if words else 'nop'
    return (op.startswith('nop') or op == 'int3' or
            ''.join(words) == 'xchg%ax,%ax')


def disassemble(path):
    out = subprocess.run(['objdump', '-dr', '--no-show-raw-insn', path],
                         capture_output=True, text=True, check=True).stdout
    secs, cur = {}, None
    for line in out.splitlines():
        m = SECTION.match(line)
        if m:
            cur = secs.setdefault(m.group(1), [])
            continue
        m = RELOC.match(line)
        if m and cur:
            cur[-1][2].append((int(m.group(1), 16), m.group(2), m.group(3)))
            continue
        m = INSN.match(line)
        if m and cur is not None:
            cur.append([int(m.group(1), 16), m.group(2).strip(), []])
    return secs


class Code:
    def __init__(self, insns):
        self.all = insns
        self.real = [i for i in insns if not is_padding(i[1])]
        self.addrs = [i[0] for i in self.real]

    def index(self, addr):
        return bisect_left(self.addrs, addr)

    def normal(self, k, names):
        addr, text, relocs = self.real[k]
        m = RIPCOMMENT.match(text)
        if m:
            text = '%sX%s@%d' % (m.group(1), m.group(3).strip(),
                                 self.index(int(m.group(4), 16)))
        else:
            m = TARGET.match(text)
            if m:
                text = '%s@%d' % (m.group(1),
                                  self.index(int(m.group(2), 16)))
        rel = []
        for off, typ, sym in relocs:
            base = re.split(r'[-+]', sym)[0]
            if base in names:
                sym = base   # section-relative addend: checked by running
            rel.append((off - addr, typ, sym))
        return text, tuple(rel)


def fdes(path):
    """(section, begin, end, [(loc, row)]) per FDE, from readelf -wF."""
    rel = subprocess.run(['readelf', '-rW', path], capture_output=True,
                         text=True, check=True).stdout
    where, in_eh = {}, False
    for line in rel.splitlines():
        if line.startswith('Relocation section'):
            in_eh = "'.rela.eh_frame'" in line
            continue
        f = line.split()
        if in_eh and len(f) >= 7 and re.match(r'^[0-9a-f]+$', f[0]):
            where[int(f[0], 16)] = f[4]
    out = subprocess.run(['readelf', '-wF', path], capture_output=True,
                         text=True, check=True).stdout
    res, cur = [], None
    for line in out.splitlines():
        m = re.match(r'^([0-9a-f]+) [0-9a-f]+ [0-9a-f]+ FDE .*pc=([0-9a-f]+)\.\.([0-9a-f]+)', line)
        if m:
            cur = [where.get(int(m.group(1), 16) + 8, '?'),
                   int(m.group(2), 16), int(m.group(3), 16), []]
            res.append(cur)
            continue
        m = re.match(r'^([0-9a-f]{16}) (.*)$', line)
        if m and cur:
            cur[3].append((int(m.group(1), 16), m.group(2).split()))
        elif not line.strip():
            cur = None
    return res


def lines(path, sec, addrs):
    """addr2line's function and file:line of each address in SEC."""
    out = subprocess.run(['addr2line', '-f', '-e', path, '-j', sec] +
                         ['%x' % x for x in addrs], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    return [(out[2 * i], out[2 * i + 1]) for i in range(len(addrs))]


def same_lines(pa, pb, codes):
    """Every original instruction keeps its function, file and line."""
    for name, (ca, cb) in codes.items():
        if not ca.real:
            continue
        la = lines(pa, name, ca.addrs)
        lb = lines(pb, name, cb.addrs)
        for k, (x, y) in enumerate(zip(la, lb)):
            if x != y:
                print('%s+0x%x: %s, padded +0x%x: %s' % (
                    name, ca.addrs[k], x, cb.addrs[k], y))
                return False
    return True


def dwarf_ranges(path):
    """(section, begin, end) of every address range llvm-dwarfdump
    resolves in .debug_info (DIE ranges, location and range lists) and of
    every DW_AT_low_pc/DW_AT_high_pc length pair."""
    out = subprocess.run(['llvm-dwarfdump', '-v', '--debug-info', path],
                         capture_output=True, text=True, timeout=60).stdout
    res, low = [], None
    for line in out.splitlines():
        for m in re.finditer(r'\[0x([0-9a-f]+), 0x([0-9a-f]+)\) "([^"]+)"',
                             line):
            res.append((m[3], int(m[1], 16), int(m[2], 16)))
        m = re.search(r'DW_AT_low_pc \[DW_FORM_\w+\]\s+\(0x([0-9a-f]+) '
                      r'"([^"]+)"\)', line)
        if m:
            low = (m[2], int(m[1], 16))
        m = re.search(r'DW_AT_high_pc \[DW_FORM_(data\d|udata)\]\s+'
                      r'\(0x([0-9a-f]+)\)', line)
        if m and low:
            res.append((low[0], low[1], low[1] + int(m[2], 16)))
    return res


def position(code, x):
    """An address as an instruction index; gcc ends ranges at the last
    byte of a call, which is (index, 'last byte')."""
    k = bisect_left([i[0] for i in code.all], x)
    if k < len(code.all) and code.all[k][0] == x or k == 0:
        return (code.index(x), 0)
    return (code.index(code.all[k - 1][0]), x - code.all[k - 1][0])


def same_ranges(pa, pb, codes):
    ra, rb = dwarf_ranges(pa), dwarf_ranges(pb)
    if len(ra) != len(rb):
        print('DWARF ranges: %d, padded %d' % (len(ra), len(rb)))
        return False
    for x, y in zip(ra, rb):
        if x[0] not in codes or x[0] != y[0]:
            continue
        ca, cb = codes[x[0]]
        px = (position(ca, x[1]), position(ca, x[2]))
        py = (position(cb, y[1]), position(cb, y[2]))
        if px != py:
            print('DWARF range %s [0x%x, 0x%x) -> %s, padded [0x%x, 0x%x) -> '
                  '%s' % (x[0], x[1], x[2], px, y[1], y[2], py))
            return False
    return True


def main():
    check_lines = sys.argv[1] == '--lines'
    if check_lines:
        del sys.argv[1]
    a, b = disassemble(sys.argv[1]), disassemble(sys.argv[2])
    if sorted(a) != sorted(b):
        print('sections differ: %s %s' % (sorted(a), sorted(b)))
        return 1
    names = set(a)
    codes = {}
    for name in a:
        ca, cb = Code(a[name]), Code(b[name])
        codes[name] = (ca, cb)
        if len(ca.real) != len(cb.real):
            print('%s: %d instructions, padded %d' % (name, len(ca.real),
                                                      len(cb.real)))
            return 1
        for k in range(len(ca.real)):
            na, nb = ca.normal(k, names), cb.normal(k, names)
            if na != nb:
                print('%s+0x%x: %s  padded +0x%x: %s' % (
                    name, ca.real[k][0], na, cb.real[k][0], nb))
                return 1
    fa, fb = fdes(sys.argv[1]), fdes(sys.argv[2])
    if len(fa) != len(fb):
        print('FDE count %d, padded %d' % (len(fa), len(fb)))
        return 1
    for x, y in zip(fa, fb):
        sec = x[0].split('+')[0]
        if sec not in codes:
            continue
        ca, cb = codes[sec]
        rx = [(ca.index(l), r) for l, r in x[3]]
        ry = [(cb.index(l), r) for l, r in y[3]]
        if ((ca.index(x[1]), ca.index(x[2])) != (cb.index(y[1]), cb.index(y[2]))
                or rx != ry):
            print('FDE %s 0x%x..0x%x differs: %s / %s' % (sec, x[1], x[2],
                                                       rx, ry))
            return 1
    if check_lines and not same_lines(sys.argv[1], sys.argv[2], codes):
        return 1
    if check_lines and not same_ranges(sys.argv[1], sys.argv[2], codes):
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
