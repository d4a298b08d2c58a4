#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Damaged variants of a real relocatable object, for t-damaged.sh.
    damage.py GOOD.o OUTDIR
writes OUTDIR/<case>.o for every case and prints one line per case:
    <case> <class>
class "elf": the ELF structure is broken, every command must fail (exit 2);
class "table": the ELF is sound but the static call table is not (see
t-damaged.sh for what each command may do with it);
class "link": a table fragment linked to a section that holds none of its
sites; class "debug": a compressed debug section is corrupt (the input was built
with -gz); class "good": a valid rewrite of GOOD.o (headers moved), every command
must accept it; the truncations that follow cut that layout, so that
they land inside sections while the headers stay whole.
The cases t-badinput.sh runs through the object model are left out."""
import os
import struct
import sys

good_path, outdir = sys.argv[1], sys.argv[2]
good = bytes(open(good_path, 'rb').read())

SHDR = struct.Struct('<IIQQQQIIQQ')   # name type flags addr off size link info align entsize
SYM = struct.Struct('<IBBHQQ')
RELA = struct.Struct('<QQq')
SHT_SYMTAB, SHT_STRTAB, SHT_RELA, SHT_REL, SHT_NOBITS, SHT_GROUP = 2, 3, 4, 9, 8, 17
SHF_COMPRESSED = 0x800


class Elf:
    def __init__(self, data):
        self.d = bytearray(data)
        self.shoff, = struct.unpack_from('<Q', self.d, 0x28)
        self.shnum, self.shstrndx = struct.unpack_from('<HH', self.d, 0x3c)

    def shdr(self, i):
        return list(SHDR.unpack_from(self.d, self.shoff + 64 * i))

    def set_shdr(self, i, h):
        SHDR.pack_into(self.d, self.shoff + 64 * i, *h)

    def poke(self, i, field, value):
        h = self.shdr(i)
        h[field] = value
        self.set_shdr(i, h)

    def name(self, i):
        base = self.shdr(self.shstrndx)[4]
        start = base + self.shdr(i)[0]
        return self.d[start:self.d.index(b'\0', start)].decode()

    def find(self, pred):
        return [i for i in range(self.shnum) if pred(i, self.shdr(i))]

    def first(self, name):
        return self.find(lambda i, h: self.name(i) == name)[0]


cases = []


def emit(name, cls, data):
    with open(os.path.join(outdir, name + '.o'), 'wb') as f:
        f.write(data)
    cases.append((name, cls))


def variant(name, cls, change):
    e = Elf(good)
    change(e)
    emit(name, cls, bytes(e.d))


g = Elf(good)
symtab = g.find(lambda i, h: h[1] == SHT_SYMTAB)[0]
strtab = g.shdr(symtab)[6]
relas = g.find(lambda i, h: h[1] == SHT_RELA)
tables = g.find(lambda i, h: g.name(i) == '.static_call_sites')
table_relas = [i for i in relas if g.shdr(i)[7] in tables]
text = tables and g.shdr(tables[0])[6]


# ---- the headers-first layout, and truncations that cut it ------------------
def headers_first(e):
    """Section headers right after the ELF header, contents after them in
    their order, so that a cut inside any section leaves the headers."""
    hdrs = [e.shdr(i) for i in range(e.shnum)]
    pos = 64 + 64 * e.shnum
    body = bytearray()
    starts = {}
    for i in sorted(range(1, e.shnum), key=lambda i: hdrs[i][4]):
        h = hdrs[i]
        if h[1] == SHT_NOBITS or h[5] == 0:
            h[4] = pos + len(body)
            continue
        align = max(h[8], 1)
        while (pos + len(body)) % align:
            body.append(0)
        starts[i] = pos + len(body)
        body += good[h[4]:h[4] + h[5]]
        h[4] = starts[i]
    out = bytearray(good[:64])
    struct.pack_into('<Q', out, 0x28, 64)
    for h in hdrs:
        out += SHDR.pack(*h)
    return bytes(out + body), hdrs


moved, hdrs = headers_first(g)
emit('headers-first', 'good', moved)
seen = set()


def cut(name, size):
    if size in seen or size >= len(moved):
        return
    seen.add(size)
    emit('cut-' + name, 'elf', moved[:size])


for n in (1, 4, 16, 63):
    cut('ehdr-%d' % n, n)
# Every header is checked by the same bound (e_shoff + e_shnum * size):
# the first ones, one in the middle (also cut inside it), the last ones.
for i in sorted({0, 1, 2, g.shnum // 2, g.shnum - 2, g.shnum - 1}):
    cut('shdr%d' % i, 64 + 64 * i)
cut('shdr%d-mid' % (g.shnum // 2), 64 + 64 * (g.shnum // 2) + 24)
for i in range(1, g.shnum):
    off, size = hdrs[i][4], hdrs[i][5]
    if hdrs[i][1] == SHT_NOBITS or size == 0:
        continue
    # Tables (entsize set) are also cut inside their first entry.
    ats = {off + size // 2}
    if hdrs[i][9] > 1:
        ats |= {off + hdrs[i][9] // 2, off + size - 1}
    for at in sorted(ats):
        cut('sec%d-%s-%d' % (i, g.name(i).strip('.').replace('.', '_'), at - off), at)


# ---- foreign and impossible headers (through the commands) -----------------
def ehdr(name, off, fmt, value):
    e = bytearray(good)
    struct.pack_into(fmt, e, off, value)
    emit(name, 'elf', bytes(e))


ehdr('class-none', 4, '<B', 0)
ehdr('class-32', 4, '<B', 1)
ehdr('data-be', 5, '<B', 2)
ehdr('data-none', 5, '<B', 0)
ehdr('version-bad', 6, '<B', 9)
ehdr('machine-arm', 18, '<H', 40)
ehdr('machine-riscv', 18, '<H', 243)
ehdr('type-core', 16, '<H', 4)
ehdr('type-none', 16, '<H', 0)
ehdr('shentsize-32', 0x3a, '<H', 32)
ehdr('shentsize-0', 0x3a, '<H', 0)
ehdr('shnum-ext-huge', 0x3c, '<H', 0)   # extended numbering, sh_size of [0] below
variant('shnum-ext-huge', 'elf', lambda e: (
    struct.pack_into('<H', e.d, 0x3c, 0), e.poke(0, 5, 1 << 40)))
variant('shstrndx-ext-bad', 'elf', lambda e: (
    struct.pack_into('<H', e.d, 0x3e, 0xffff), e.poke(0, 6, 1 << 30)))
ehdr('shoff-misaligned', 0x28, '<Q', g.shoff + 3)
ehdr('shoff-wrap', 0x28, '<Q', (1 << 64) - 64)

# ---- sections: sizes, offsets, overlaps, counts -----------------------------
variant('symtab-size-huge', 'elf', lambda e: e.poke(symtab, 5, 1 << 62))
variant('symtab-off-wrap', 'elf', lambda e: e.poke(symtab, 4, (1 << 64) - 8))
variant('symtab-entsize-0', 'elf', lambda e: e.poke(symtab, 9, 0))
variant('symtab-entsize-huge', 'elf', lambda e: e.poke(symtab, 9, 1 << 40))
variant('symtab-size-ragged', 'elf', lambda e: e.poke(symtab, 5, e.shdr(symtab)[5] - 5))
variant('symtab-info-huge', 'elf', lambda e: e.poke(symtab, 7, 0xffffffff))
variant('strtab-size-huge', 'elf', lambda e: e.poke(strtab, 5, 1 << 62))
variant('strtab-not-strtab', 'elf', lambda e: e.poke(strtab, 1, 1))
variant('symtab-link-self', 'elf', lambda e: e.poke(symtab, 6, symtab))
variant('symtab-link-null', 'elf', lambda e: e.poke(symtab, 6, 0))
variant('two-symtabs', 'elf', lambda e: e.poke(strtab, 1, SHT_SYMTAB))
for r in relas[:1] + table_relas[:1]:
    tag = 'text' if r not in table_relas else 'table'
    variant('rela-%s-size-huge' % tag, 'elf', lambda e, r=r: e.poke(r, 5, 1 << 62))
    variant('rela-%s-entsize-0' % tag, 'elf', lambda e, r=r: e.poke(r, 9, 0))
    variant('rela-%s-entsize-8' % tag, 'elf', lambda e, r=r: e.poke(r, 9, 8))
    variant('rela-%s-size-ragged' % tag, 'elf', lambda e, r=r: e.poke(r, 5, e.shdr(r)[5] - 7))
    variant('rela-%s-link-self' % tag, 'elf', lambda e, r=r: e.poke(r, 6, r))
    variant('rela-%s-info-self' % tag, 'elf', lambda e, r=r: e.poke(r, 7, r))
    variant('rela-%s-info-0' % tag, 'elf', lambda e, r=r: e.poke(r, 7, 0))
    variant('rela-%s-is-rel' % tag, 'elf', lambda e, r=r: e.poke(r, 1, SHT_REL))
    variant('rela-%s-overlaps-symtab' % tag, 'elf', lambda e, r=r: e.poke(r, 4, e.shdr(symtab)[4]))
    variant('rela-%s-overlaps-ehdr' % tag, 'elf', lambda e, r=r: e.poke(r, 4, 0))
    variant('rela-%s-past-end' % tag, 'elf', lambda e, r=r: e.poke(r, 4, len(good) - 8))
variant('strtab-overlaps-symtab', 'elf', lambda e: e.poke(strtab, 4, e.shdr(symtab)[4] + 8))
comment = g.find(lambda i, h: g.name(i) == '.comment')
if comment:
    variant('comment-link-self', 'elf', lambda e: e.poke(comment[0], 6, comment[0]))
    variant('comment-link-huge', 'elf', lambda e: e.poke(comment[0], 6, 1 << 20))
if text:
    variant('text-past-end', 'elf', lambda e: e.poke(text, 4, len(good) + 4096))
    variant('text-off-wrap', 'elf', lambda e: e.poke(text, 4, (1 << 64) - 4))
    variant('text-overlaps-shdrs', 'elf', lambda e: (
        e.poke(text, 4, e.shoff), e.poke(text, 5, 64 * e.shnum)))
    variant('text-size-huge', 'elf', lambda e: e.poke(text, 5, (1 << 64) - 1))


# ---- symbols and relocations out of range -----------------------------------
def sym(name, field, value, index=None):
    def change(e):
        h = e.shdr(symtab)
        i = index if index is not None else h[5] // 24 - 1
        s = list(SYM.unpack_from(e.d, h[4] + 24 * i))
        s[field] = value
        SYM.pack_into(e.d, h[4] + 24 * i, *s)
    variant(name, 'elf', change)


sym('sym-shndx-reserved', 3, 0xff00)
sym('sym-shndx-os', 3, 0xff20)
sym('sym-shndx-xindex', 3, 0xffff)       # SHN_XINDEX without .symtab_shndx
sym('sym-name-at-end', 0, g.shdr(strtab)[5])
sym('sym0-name', 0, 1 << 31, 0)


def rela(name, cls, r, field, value, entry=0):
    def change(e):
        off = e.shdr(r)[4] + 24 * entry
        v = list(RELA.unpack_from(e.d, off))
        v[field] = value
        RELA.pack_into(e.d, off, *v)
    variant(name, cls, change)


if relas:
    rela('rela-sym-0xffffffff', 'elf', relas[0], 1, (0xffffffff << 32) | 4)
    rela('rela-type-bad', 'elf', relas[0], 1, (1 << 32) | 0xffffffff)
    rela('rela-offset-wrap', 'elf', relas[0], 0, (1 << 64) - 2)
    rela('rela-type-52', 'elf', relas[0], 1, (1 << 32) | 52)
    # a 4-byte field that starts inside its section and ends past it
    target = g.shdr(relas[0])[7]
    first_type = RELA.unpack_from(good, g.shdr(relas[0])[4])[1] & 0xffffffff
    if first_type in (2, 4, 9, 10, 11, 41, 42):
        rela('rela-field-past-end', 'elf', relas[0], 0, g.shdr(target)[5] - 2)
    # every relocation section is checked, also those no command reads
    others = [r for r in relas if g.name(g.shdr(r)[7]).startswith('.debug')
              or g.name(g.shdr(r)[7]) == '.eh_frame']
    if others:
        rela('rela-unread-sym-bad', 'elf', others[-1], 1, (0x7fffffff << 32) | 1)
        rela('rela-unread-type-bad', 'elf', others[-1], 1, (1 << 32) | 200)

# ---- string tables ---------------------------------------------------------
def shstrtab_no_nul(e):
    h = e.shdr(e.shstrndx)
    e.d[h[4] + h[5] - 1] = 0x41
variant('shstrtab-no-final-nul', 'elf', shstrtab_no_nul)
variant('shstrtab-empty', 'elf', lambda e: e.poke(e.shstrndx, 5, 0))
variant('strtab-empty', 'elf', lambda e: e.poke(strtab, 5, 0))

# ---- the table: sound ELF, damaged entries ----------------------------------
def site_reloc(r):
    """Index of the relocation of the first entry's site field (PC32 at 0)."""
    off = g.shdr(r)[4]
    for k in range(g.shdr(r)[5] // 24):
        o, info, _ = RELA.unpack_from(good, off + 24 * k)
        if o == 0 and info & 0xffffffff == 2:
            return k
    return 0


if tables and table_relas:
    t, tr = tables[0], table_relas[0]
    k = site_reloc(tr)
    rela('table-site-past-text', 'table', tr, 2, 1 << 30, k)
    rela('table-site-negative', 'table', tr, 2, -(1 << 20), k)
    rela('table-site-sym-undef', 'table', tr, 1, (0 << 32) | 2, k)
    rela('table-site-in-middle', 'table', tr, 2, 1, k)
    variant('table-link-self', 'elf', lambda e: e.poke(t, 6, t))
    variant('table-link-huge', 'elf', lambda e: e.poke(t, 6, 0xffff))
    variant('table-link-to-data', 'link', lambda e: e.poke(t, 6, e.first('.data')))
    # Cut, turned NOBITS, or with its relocations moved to another
    # section, the table leaves relocations outside their section: broken
    # ELF (linkers refuse it), not only a broken table.
    variant('table-size-ragged', 'elf', lambda e: e.poke(t, 5, 12))
    variant('table-size-huge', 'elf', lambda e: e.poke(t, 5, 1 << 40))
    variant('table-entsize-0', 'good', lambda e: e.poke(t, 9, 0))
    variant('table-nobits', 'elf', lambda e: e.poke(t, 1, SHT_NOBITS))
    variant('table-relocs-dropped', 'elf', lambda e: e.poke(tr, 7, e.first('.data')))

# ---- compressed sections (the input is built with -gz) -----------------------
for i in g.find(lambda i, h: h[2] & SHF_COMPRESSED)[:1]:
    off, size = g.shdr(i)[4], g.shdr(i)[5]
    def chdr(name, field_off, fmt, value, i=i, off=off):
        e = bytearray(good)
        struct.pack_into(fmt, e, off + field_off, value)
        emit(name, 'debug', bytes(e))
    chdr('gz-type-bad', 0, '<I', 77)
    chdr('gz-size-huge', 8, '<Q', 1 << 60)
    chdr('gz-size-small', 8, '<Q', 3)
    chdr('gz-align-bad', 16, '<Q', 3)
    e = bytearray(good)
    e[off + 24:off + size] = bytes((x * 37 + 11) & 255 for x in range(size - 24))
    emit('gz-stream-garbage', 'debug', bytes(e))
    variant('gz-header-cut', 'elf', lambda e, i=i: e.poke(i, 5, 10))

for name, cls in cases:
    print(name, cls)
