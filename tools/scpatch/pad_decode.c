// SPDX-License-Identifier: MIT
/*
 * Padding, step one: decode a whole text section, find the NOP runs that
 * can absorb a shift, the instruction of each site, and check that every
 * relocation of the section sits on a displacement or immediate field.  A
 * section that fails any check is not padded: moving bytes whose meaning
 * is not understood could produce a wrong object.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "pad_internal.h"

void pad_refuse(struct pad_sec *ps, const char *why, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (ps->why)
		return;
	ps->why = why;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	note_at(obj_path(ps->obj), "%s: not padded: %s", ps->sec->name, buf);
}

#define BLOCK_SHIFT 6

/* Millions of lookups on a large section: a binary search misses the
 * cache at every step, a block table and a short scan do not. */
static int index_blocks(struct pad_sec *ps)
{
	size_t nb = (ps->size >> BLOCK_SHIFT) + 1, j = 0;

	if (ps->n >= UINT32_MAX)
		return 0;
	ps->blocks = malloc(nb * sizeof(*ps->blocks));
	if (!ps->blocks)
		return -1;
	for (size_t b = 0; b < nb; b++) {
		while (j + 1 < ps->n &&
		       ps->insns[j + 1].off <= (uint64_t)b << BLOCK_SHIFT)
			j++;
		ps->blocks[b] = j;
	}
	return 0;
}

long pad_insn_covering(const struct pad_sec *ps, uint64_t off)
{
	size_t lo = 0, hi = ps->n;

	if (ps->blocks && off < ps->size) {
		size_t i = ps->blocks[off >> BLOCK_SHIFT];

		while (i + 1 < ps->n && ps->insns[i + 1].off <= off)
			i++;
		return i;
	}

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ps->insns[mid].off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || off >= ps->size)
		return -1;
	return lo - 1;
}

long pad_insn_at(const struct pad_sec *ps, uint64_t off)
{
	long i = pad_insn_covering(ps, off);

	return i >= 0 && ps->insns[i].off == off ? i : -1;
}

static bool is_int3(const struct pad_sec *ps, const struct pad_insn *in)
{
	return in->d.len == 1 && ps->data[in->off] == 0xcc;
}

static int add_run(struct pad_sec *ps, size_t first, size_t last, bool int3)
{
	struct pad_run *r = realloc(ps->runs, (ps->nruns + 1) * sizeof(*r));

	if (!r)
		return -1;
	ps->runs = r;
	r = &ps->runs[ps->nruns];
	*r = (struct pad_run){ .first = first, .last = last, .int3 = int3,
			       .start = ps->insns[first].off };
	r->end = last < ps->n ? ps->insns[last].off : ps->size;
	for (size_t i = first; i < last; i++)
		ps->insns[i].run = ps->nruns;
	ps->nruns++;
	return 0;
}

/* int3 bytes count only between functions: inside one they may be traps
 * that code jumps to. */
static bool runnable(struct pad_sec *ps, size_t i, bool int3)
{
	struct pad_insn *in = &ps->insns[i];

	if (int3)
		return is_int3(ps, in) &&
		       !obj_find_func_containing(ps->obj, ps->sec, in->off);
	return in->d.kind == INSN_NOP;
}

static int find_runs(struct pad_sec *ps)
{
	for (size_t i = 0; i < ps->n;) {
		bool int3 = ps->insns[i].d.kind != INSN_NOP;
		size_t j = i;

		while (j < ps->n && runnable(ps, j, int3))
			j++;
		if (j == i) {
			i++;
			continue;
		}
		if (add_run(ps, i, j, int3))
			return -1;
		i = j;
	}
	return 0;
}

static unsigned reloc_width(uint32_t type)
{
	switch (type) {
	case R_X86_64_64: case R_X86_64_PC64: case R_X86_64_GOTOFF64:
	case R_X86_64_GOTPC64: case R_X86_64_GOTPCREL64: case R_X86_64_GOT64:
	case R_X86_64_PLTOFF64: case R_X86_64_SIZE64: case R_X86_64_DTPOFF64:
	case R_X86_64_TPOFF64: case R_X86_64_DTPMOD64:
		return 8;
	case R_X86_64_32: case R_X86_64_32S: case R_X86_64_PC32:
	case R_X86_64_PLT32: case R_X86_64_GOT32: case R_X86_64_GOTPCREL:
	case R_X86_64_GOTPCRELX: case R_X86_64_REX_GOTPCRELX:
	case R_X86_64_GOTPC32: case R_X86_64_TLSGD: case R_X86_64_TLSLD:
	case R_X86_64_DTPOFF32: case R_X86_64_GOTTPOFF: case R_X86_64_TPOFF32:
	case R_X86_64_SIZE32: case R_X86_64_GOTPC32_TLSDESC:
		return 4;
	case R_X86_64_16: case R_X86_64_PC16:
		return 2;
	case R_X86_64_8: case R_X86_64_PC8:
		return 1;
	}
	return 0;
}

static bool check_reloc(struct pad_sec *ps, const struct reloc *r)
{
	long i = pad_insn_covering(ps, r->offset);
	unsigned w = reloc_width(r->type);
	struct pad_insn *in;
	uint64_t at;

	if (r->type == R_X86_64_NONE || r->type == R_X86_64_TLSDESC_CALL)
		return true;
	if (i < 0 || !w) {
		pad_refuse(ps, "relocation the pass does not understand",
			   "relocation type %u at +0x%" PRIx64, r->type,
			   r->offset);
		return false;
	}
	in = &ps->insns[i];
	at = r->offset - in->off;
	if (in->d.disp_size == w && at == in->d.disp_off) {
		in->reloc_in_disp = true;
		return true;
	}
	/* enter and extrq-like pairs: an imm16 then an imm8 */
	if (in->d.imm_size && (at == in->d.imm_off ||
			       (in->d.imm_size == 3 && at == in->d.imm_off + 2u)) &&
	    at + w <= (uint64_t)in->d.imm_off + in->d.imm_size)
		return true;
	pad_refuse(ps, "relocation inside an instruction (damaged object?)",
		   "relocation at +0x%" PRIx64 " is not on a displacement or "
		   "immediate of the instruction at +0x%" PRIx64, r->offset,
		   in->off);
	return false;
}

static void find_site_insns(struct pad_sec *ps)
{
	for (size_t s = 0; s < ps->nsites; s++) {
		struct pad_sec_site *st = &ps->sites[s];
		uint64_t site = st->site;
		long i = pad_insn_covering(ps, site);
		struct pad_insn *in = i >= 0 ? &ps->insns[i] : NULL;

		if (!in || in->d.disp_size != 4 || !in->reloc_in_disp ||
		    in->off + in->d.disp_off <= site ||
		    (in->d.kind != INSN_CALL && in->d.kind != INSN_JMP &&
		     in->d.kind != INSN_JCC)) {
			st->skip = true;
			st->why = "not a call, jmp or jcc with a relocated rel32";
			continue;
		}
		st->insn = i;
		in->site = s;
	}
}

int pad_decode(struct pad_sec *ps)
{
	size_t cap = ps->size / 3 + 16;
	struct reloc *r;
	struct insn d;

	ps->insns = malloc(cap * sizeof(*ps->insns));
	if (!ps->insns)
		return -1;
	for (uint64_t off = 0; off < ps->size;) {
		struct pad_insn *in;

		if (ps->n == cap) {
			void *p = realloc(ps->insns, 2 * cap * sizeof(*in));

			if (!p)
				return -1;
			ps->insns = p;
			cap *= 2;
		}
		in = &ps->insns[ps->n++];
		*in = (struct pad_insn){ .off = off, .run = -1, .site = -1,
					 .target = PAD_NO_INSN };
		if (!arch_decode(ps->data + off, ps->size - off, off, &d)) {
			pad_refuse(ps, "code that does not decode",
				   "no instruction at +0x%" PRIx64, off);
			return 0;
		}
		in->d = (struct pad_dec){ d.len, d.kind, d.disp_off, d.disp_size,
					  d.imm_off, d.imm_size, d.pc_relative };
		off += d.len;
	}
	if (index_blocks(ps) || find_runs(ps))
		return -1;
	obj_for_each_reloc(ps->obj, ps->sec, r)
		if (!check_reloc(ps, r))
			return 0;
	find_site_insns(ps);
	return 0;
}
