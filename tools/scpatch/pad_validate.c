// SPDX-License-Identifier: MIT
/*
 * Padding: translation validation.  Before anything is committed, the new
 * bytes of a section are decoded afresh, independently of how they were
 * produced, and walked beside the original instructions: every original
 * instruction must be there, with the same length and bytes except a
 * displacement the assembler resolved, whose decoded target must be the
 * mapped original target; a relaxed branch must be the same branch with a
 * rel32; inserted and shrunk padding must decode as NOPs (int3 between
 * functions); the section must end where the plan says; every aligned site
 * must have its rel32 at a multiple of 4.  Any mismatch leaves the whole
 * section unpadded.  What refers to the bytes (relocations, symbols,
 * .eh_frame) is proved after the commit, from the placement proved here,
 * by pad_verify.c.
 */
#include <inttypes.h>
#include <string.h>

#include "pad_internal.h"

static bool fail(struct pad_sec *ps, uint64_t off, const char *what)
{
	pad_refuse(ps, "translation validation failed",
		   "%s at original +0x%" PRIx64, what, off);
	return false;
}

static bool decode_new(const struct pad_sec *ps, uint64_t at, struct insn *d)
{
	return at < ps->new_size &&
	       arch_decode(ps->new_data + at, ps->new_size - at, at, d);
}

static bool check_run(struct pad_sec *ps, const struct pad_run *run)
{
	uint64_t at = run->new_start;
	uint64_t end = at + (run->end - run->start) - run->absorbed;
	struct insn d;

	if (!run->absorbed)
		return !memcmp(ps->new_data + at, ps->data + run->start,
			       end - at) || fail(ps, run->start, "run changed");
	while (at < end) {
		if (!decode_new(ps, at, &d) || at + d.len > end ||
		    (run->int3 ? ps->new_data[at] != 0xcc : d.kind != INSN_NOP))
			return fail(ps, run->start, "padding is not NOPs");
		at += d.len;
	}
	return true;
}

static bool same_bytes_but_disp(const struct pad_sec *ps,
				const struct pad_insn *in)
{
	const uint8_t *a = ps->data + in->off;
	const uint8_t *b = ps->new_data + pad_new_off(in);
	unsigned skip_from = pad_resolved_here(in) ? in->d.disp_off : in->d.len;
	unsigned skip_to = skip_from + in->d.disp_size;

	for (unsigned i = 0; i < in->d.len; i++)
		if ((i < skip_from || i >= skip_to) && a[i] != b[i])
			return false;
	return true;
}

/* A relaxed branch: the same condition, now with a rel32. */
static bool same_branch(const struct pad_sec *ps, const struct pad_insn *in,
			const struct insn *d)
{
	const uint8_t *p = ps->new_data + pad_new_off(in);
	uint8_t op = ps->data[in->off];

	if (d->disp_size != 4)
		return false;
	if (in->d.kind == INSN_JMP)
		return p[0] == 0xe9;
	return p[0] == 0x0f && p[1] == (0x80 | (op & 0x0f));
}

/* Where the target of IN (resolved here) must be: as pad_build()
 * encoded it when it recorded it, else mapped again.  *K walks the
 * pc-relative instructions in step with the walk. */
static uint64_t new_target(const struct pad_sec *ps, const struct pad_insn *in,
			   size_t *k)
{
	size_t i = in - ps->insns;

	while (*k < ps->npcrel && ps->pcrel[*k] < i)
		(*k)++;
	if (ps->targets && *k < ps->npcrel && ps->pcrel[*k] == i)
		return ps->targets[*k];
	return pad_map_ref(ps, pad_old_target(ps, in));
}

static bool check_insn(struct pad_sec *ps, const struct pad_insn *in,
		       size_t *k)
{
	struct insn d;

	if (in->pad && (!decode_new(ps, in->label, &d) ||
			d.kind != INSN_NOP || d.len != in->pad))
		return fail(ps, in->off, "inserted NOP");
	if (!decode_new(ps, pad_new_off(in), &d) || d.len != pad_new_len(in) ||
	    d.kind != in->d.kind)
		return fail(ps, in->off, "instruction");
	if (!in->relaxed && !same_bytes_but_disp(ps, in))
		return fail(ps, in->off, "instruction bytes");
	if (in->relaxed && !same_branch(ps, in, &d))
		return fail(ps, in->off, "relaxed branch");
	if (pad_resolved_here(in) &&
	    (!d.has_target || d.target != new_target(ps, in, k)))
		return fail(ps, in->off, "branch target");
	if (in->site && !ps->sites[pad_site_of(ps, in)].skip &&
	    (pad_new_off(in) + in->d.disp_off) % 4)
		return fail(ps, in->off, "site not aligned");
	return true;
}

/*
 * Copied unchanged, as the original decode says (not the plan): no site,
 * no inserted NOP, no relaxed branch, no displacement resolved here.  For a
 * stretch of them the same bytes at the same distances from a proved
 * boundary decode to the same instructions: one comparison proves them.
 */
static bool plain(const struct pad_insn *in)
{
	return !in->run && !in->site && !in->pad &&
	       !in->relaxed && pad_new_len(in) == in->d.len &&
	       !pad_resolved_here(in);
}

/* Proves the stretch of plain instructions from I placed at AT. */
static bool check_stretch(struct pad_sec *ps, size_t *i, uint64_t *at)
{
	const struct pad_insn *in = &ps->insns[*i];
	size_t j = *i + 1;
	uint64_t len;

	while (j < ps->n && plain(&ps->insns[j]) &&
	       ps->insns[j].label == *at + (ps->insns[j].off - in->off))
		j++;
	len = (j < ps->n ? ps->insns[j].off : ps->size) - in->off;
	if (*at + len > ps->new_size ||
	    memcmp(ps->new_data + *at, ps->data + in->off, len))
		return fail(ps, in->off, "instruction bytes");
	*at += len;
	*i = j;
	return true;
}

bool pad_validate(struct pad_sec *ps)
{
	uint64_t at = 0;
	size_t k = 0;

	for (size_t i = 0; i < ps->n;) {
		const struct pad_insn *in = &ps->insns[i];

		if (in->run) {
			const struct pad_run *run =
				&ps->runs[pad_run_of(ps, in)];

			if (run->new_start != at || !check_run(ps, run))
				return fail(ps, run->start, "run placement");
			at += run->end - run->start - run->absorbed;
			i = run->last;
			continue;
		}
		if (in->label != at)
			return fail(ps, in->off, "placement");
		if (plain(in)) {
			if (!check_stretch(ps, &i, &at))
				return false;
			continue;
		}
		if (!check_insn(ps, in, &k))
			return false;
		at = pad_new_off(in) + pad_new_len(in);
		i++;
	}
	return at == ps->new_size || fail(ps, ps->size, "section end");
}
