#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Damage a static call table in place, for the check tests.
    damage.py FILE retarget SITE NEW   the entry of SITE points at NEW instead
    damage.py FILE flags SITE          flip the TAIL flag of SITE's entry
SITE and NEW are section offsets (objects: the table's relocations name
the text section plus an addend, as objtool and scpatch write them) or
addresses (linked files: the table's bytes change), in hex."""
import struct
import sys

path, what, site = sys.argv[1], sys.argv[2], int(sys.argv[3], 16)
new = int(sys.argv[4], 16) if what == 'retarget' else None
data = bytearray(open(path, 'rb').read())

e_type = struct.unpack_from('<H', data, 16)[0]
e_shoff, = struct.unpack_from('<Q', data, 0x28)
e_shentsize, e_shnum, e_shstrndx = struct.unpack_from('<HHH', data, 0x3a)


def shdr(i):
    return struct.unpack_from('<IIQQQQIIQQ', data, e_shoff + i * e_shentsize)


strtab_off = shdr(e_shstrndx)[4]


def name(i):
    start = strtab_off + shdr(i)[0]
    return data[start:data.index(b'\0', start)].decode()


tables = [i for i in range(e_shnum) if name(i) == '.static_call_sites']


def damage_object():
    for table in tables:
        for rela in range(e_shnum):
            if shdr(rela)[1] != 4 or shdr(rela)[7] != table:
                continue
            off, size = shdr(rela)[4], shdr(rela)[5]
            relocs = {}
            for r in range(off, off + size, 24):
                relocs[struct.unpack_from('<Q', data, r)[0]] = r
            for field, r in relocs.items():
                r_offset, r_info, r_addend = struct.unpack_from('<QQq', data, r)
                if field % 8 or r_addend != site:
                    continue
                if what == 'flags':
                    r = relocs[field + 4]
                    r_offset, r_info, r_addend = struct.unpack_from('<QQq', data, r)
                    r_addend ^= 1
                else:
                    r_addend = new
                struct.pack_into('<QQq', data, r, r_offset, r_info, r_addend)
                return True
    return False


def damage_linked():
    for table in tables:
        addr, off, size = shdr(table)[3], shdr(table)[4], shdr(table)[5]
        for i in range(0, size, 8):
            value, key = struct.unpack_from('<ii', data, off + i)
            if addr + i + value != site:
                continue
            if what == 'flags':
                struct.pack_into('<i', data, off + i + 4, key ^ 1)
            else:
                struct.pack_into('<i', data, off + i, new - (addr + i))
            return True
    return False


if not (damage_object() if e_type == 1 else damage_linked()):
    sys.exit('damage.py: no table entry for site 0x%x in %s' % (site, path))
open(path, 'wb').write(data)
