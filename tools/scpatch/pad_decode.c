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

#include "big_alloc.h"
#include "diag.h"
#include "pad_internal.h"

bool pad_have_popcnt;

#if defined(__x86_64__) && !defined(__POPCNT__)
#include <cpuid.h>

__attribute__((constructor)) static void detect_popcnt(void)
{
	unsigned a, b, c, d;

	pad_have_popcnt = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_POPCNT);
}
#endif

void pad_refuse(struct pad_sec *ps, const char *why, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (ps->why)
		return;
	ps->why = why;
	if (ps->quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	note_at(obj_path(ps->obj), "%s: not padded: %s", ps->sec->name, buf);
}

/*
 * Millions of lookups on a large section, spread over every reference into
 * it: a binary search over the instructions, or a scan of their records,
 * misses the cache at every step.  One bit per byte of code says where an
 * instruction starts, and per 64-byte block a count of the instructions
 * that start before it: a lookup reads one word of each and needs no
 * instruction record at all.
 */
static int count_blocks(struct pad_sec *ps)
{
	size_t nb = (ps->size >> 6) + 1;
	uint32_t count = 0;

	ps->blocks = big_malloc(nb * sizeof(*ps->blocks));
	if (!ps->blocks)
		return -1;
	for (size_t b = 0; b < nb; b++) {
		ps->blocks[b] = count;
		count += pad_popcount64(ps->starts[b]);
	}
	return 0;
}

int pad_rank_alloc(struct pad_rank *r, size_t n)
{
	r->bits = big_calloc((n >> 6) + 1, sizeof(*r->bits));
	r->counts = big_malloc(((n >> 6) + 1) * sizeof(*r->counts));
	return r->bits && r->counts ? 0 : -1;
}

int pad_rank_count(struct pad_rank *r, size_t n)
{
	uint32_t count = 0;

	for (size_t w = 0; w <= n >> 6; w++) {
		r->counts[w] = count;
		count += pad_popcount64(r->bits[w]);
	}
	return 0;
}

void pad_rank_free(struct pad_rank *r)
{
	free(r->bits);
	free(r->counts);
}

#define MAX_SECTION (1ull << 30)

static void mark_laid(struct pad_sec *ps, size_t i)
{
	pad_rank_set(&ps->laid, i);
}

/* The run of instructions [FIRST, LAST), which ends at offset END. */
static int add_run(struct pad_sec *ps, size_t first, size_t last,
		   uint64_t end, bool int3)
{
	struct pad_run *r;

	if (!(ps->nruns & (ps->nruns - 1))) {	/* 0, 1, 2, 4...: double */
		r = big_realloc(ps->runs, 2 * (ps->nruns + 1) * sizeof(*r));
		if (!r)
			return -1;
		ps->runs = r;
	}
	r = &ps->runs[ps->nruns];
	*r = (struct pad_run){ .first = first, .last = last, .int3 = int3,
			       .start = ps->insns[first].off, .end = end };
	for (size_t i = first; i < last; i++) {
		ps->insns[i].run = 1;
		bitmap_set(ps->in_run, i);
		mark_laid(ps, i);
	}
	ps->nruns++;
	return 0;
}

enum run_kind { NO_RUN, NOP_RUN, INT3_RUN };

/* int3 bytes count only between functions: inside one they may be traps
 * that code jumps to. */
static enum run_kind run_kind(struct pad_sec *ps, uint64_t off,
			      const struct insn *d)
{
	if (d->kind == INSN_NOP)
		return NOP_RUN;
	if (d->len == 1 && ps->data[off] == 0xcc &&
	    !obj_find_func_containing(ps->obj, ps->sec, off))
		return INT3_RUN;
	return NO_RUN;
}

/* Maximal runs of NOPs, or of int3 between functions, as the decode
 * reaches instruction I at OFF (D; NULL at the end of the section): the
 * current one ends where the next instruction is of another kind. */
static int extend_runs(struct pad_sec *ps, size_t i, uint64_t off,
		       const struct insn *d, size_t *first,
		       enum run_kind *cur)
{
	enum run_kind k = d ? run_kind(ps, off, d) : NO_RUN;

	if (k == *cur)
		return 0;
	if (*cur != NO_RUN && add_run(ps, *first, i, off, *cur == INT3_RUN))
		return -1;
	*first = i;
	*cur = k;
	return 0;
}

static int push_pcrel(struct pad_sec *ps, size_t i)
{
	if (!(ps->npcrel & (ps->npcrel - 1))) {
		uint32_t *p = big_realloc(ps->pcrel, 2 * (ps->npcrel + 1) *
				      sizeof(*p));

		if (!p)
			return -1;
		ps->pcrel = p;
	}
	ps->pcrel[ps->npcrel++] = i;
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
		   (uint64_t)in->off);
	return false;
}

/* Which run each instruction of a run is in: the rank of its first. */
static int rank_runs(struct pad_sec *ps)
{
	if (pad_rank_alloc(&ps->run_firsts, ps->n))
		return -1;
	for (size_t r = 0; r < ps->nruns; r++)
		pad_rank_set(&ps->run_firsts, ps->runs[r].first);
	return pad_rank_count(&ps->run_firsts, ps->n);
}

/* Which site each site instruction is: the last site that names it, as
 * the order of the sites says (unsorted ones too). */
static int rank_sites(struct pad_sec *ps)
{
	if (pad_rank_alloc(&ps->site_insns, ps->n))
		return -1;
	ps->site_at = big_malloc((ps->nsites + 1) * sizeof(*ps->site_at));
	if (!ps->site_at)
		return -1;
	for (size_t s = 0; s < ps->nsites; s++)
		if (!ps->sites[s].skip)
			pad_rank_set(&ps->site_insns, ps->sites[s].insn);
	pad_rank_count(&ps->site_insns, ps->n);
	for (size_t s = 0; s < ps->nsites; s++)
		if (!ps->sites[s].skip)
			ps->site_at[pad_rank_le(&ps->site_insns,
						ps->sites[s].insn) - 1] = s;
	return 0;
}

static int find_site_insns(struct pad_sec *ps)
{
	for (size_t s = 0; s < ps->nsites; s++) {
		struct pad_sec_site *st = &ps->sites[s];
		uint64_t site = st->site;
		long i = pad_insn_covering(ps, site);
		struct pad_insn *in = i >= 0 ? &ps->insns[i] : NULL;

		if (!in || in->run || in->d.disp_size != 4 ||
		    !in->reloc_in_disp ||
		    in->off + in->d.disp_off <= site ||
		    (in->d.kind != INSN_CALL && in->d.kind != INSN_JMP &&
		     in->d.kind != INSN_JCC)) {
			st->skip = true;
			st->why = "not a call, jmp or jcc with a relocated rel32";
			continue;
		}
		st->insn = i;
		in->site = 1;
		mark_laid(ps, i);
	}
	return rank_sites(ps);
}

/* Room for the records of a section of SIZE bytes, and for the bitmaps. */
static int decode_alloc(struct pad_sec *ps, size_t cap)
{
	ps->insns = big_malloc(cap * sizeof(*ps->insns));
	ps->starts = big_calloc((ps->size >> 6) + 1, sizeof(*ps->starts));
	ps->refs = big_calloc((ps->size >> 6) + 1, sizeof(*ps->refs));
	/* one bit per instruction: there are fewer than bytes */
	ps->in_run = big_calloc((ps->size >> 6) + 1, sizeof(*ps->in_run));
	if (!ps->insns || !ps->starts || !ps->refs || !ps->in_run ||
	    pad_rank_alloc(&ps->laid, ps->size))
		return -1;
	return 0;
}

/*
 * One walk: records, instruction starts, runs, pc-relative fields.  Five
 * million instructions on a large object: what the loop keeps is in
 * locals (its stores into the bitmaps could alias the size_t fields of
 * ps, which the compiler would then read again for every instruction),
 * and the common instruction, in no run and not one that starts one, is
 * decided without a call.
 */
int pad_decode_insns(struct pad_sec *ps)
{
	size_t cap = ps->size / 3 + 16, n = 0, run_first = 0;
	enum run_kind run = NO_RUN;
	const uint8_t *data = ps->data;
	size_t size = ps->size;
	struct pad_insn *insns;
	uint64_t *starts, off;
	struct insn d;

	/* offsets are 32 bits, even after the section grows (at most 3
	 * bytes for a 5-byte site, 4 for a 2-byte branch) */
	if (size >= MAX_SECTION) {
		pad_refuse(ps, "a code section of 1 GiB or more",
			   "%zu bytes", size);
		return 0;
	}
	if (decode_alloc(ps, cap))
		return -1;
	insns = ps->insns;
	starts = ps->starts;
	for (off = 0; off < size; off += d.len, n++) {
		if (n == cap) {
			insns = big_realloc(insns, 2 * cap * sizeof(*insns));
			if (!insns)
				return -1;
			ps->insns = insns;
			cap *= 2;
		}
		if (!arch_decode(data + off, size - off, off, &d)) {
			ps->n = n + 1;
			pad_refuse(ps, "code that does not decode",
				   "no instruction at +0x%" PRIx64, off);
			return 0;
		}
		insns[n].off = off;
		insns[n].d = (struct pad_dec){ .len = d.len, .kind = d.kind,
			.disp_off = d.disp_off, .disp_size = d.disp_size,
			.imm_off = d.imm_off, .imm_size = d.imm_size,
			.pc_relative = d.pc_relative };
		insns[n].pad = 0;
		insns[n].relaxed = insns[n].wide = insns[n].reloc_in_disp = 0;
		insns[n].run = insns[n].site = 0;
		bitmap_set(starts, off);
		if (d.pc_relative) {
			mark_laid(ps, n);
			if (push_pcrel(ps, n))
				return -1;
		}
		if (__builtin_expect(run != NO_RUN || d.kind == INSN_NOP ||
				     d.kind == INSN_TRAP, 0) &&
		    extend_runs(ps, n, off, &d, &run_first, &run))
			return -1;
	}
	ps->n = n;
	if (extend_runs(ps, n, size, NULL, &run_first, &run) ||
	    count_blocks(ps) || rank_runs(ps))
		return -1;
	return 0;
}

int pad_decode(struct pad_sec *ps)
{
	struct reloc *r;

	if (!ps->insns && pad_decode_insns(ps))
		return -1;
	if (ps->why)
		return 0;
	obj_for_each_reloc(ps->obj, ps->sec, r)
		if (!check_reloc(ps, r))
			return 0;
	if (find_site_insns(ps))
		return -1;
	/* every instruction that will be laid out is known: room for
	 * their shifts */
	pad_rank_count(&ps->laid, ps->n);
	ps->shifts = big_malloc((pad_rank_le(&ps->laid, ps->n) + 1) *
				sizeof(*ps->shifts));
	return ps->shifts ? 0 : -1;
}
