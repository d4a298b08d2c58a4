// SPDX-License-Identifier: MIT
/*
 * The padding pass (pad.h): per text section with unaligned sites, decode
 * (pad_decode.c), collect every reference into the code (branches,
 * relocations from anywhere, symbols, .eh_frame rows), plan (pad_layout.c),
 * build and validate the new bytes (pad_emit.c, pad_validate.c), and only
 * then commit relocations, symbols, .eh_frame, DWARF and C++ exception
 * tables together, prove them (pad_verify.c) and hand the new code over.
 * A section that fails any step is left exactly as it was.  The decode of
 * a section can come first, for the site finder (pad_insn_starts()).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "big_alloc.h"
#include "diag.h"
#include "dwarf_fix.h"
#include "pad_internal.h"
#include "pad_verify.h"

struct pad_pass {
	struct obj *obj;
	struct pad_site *sites;
	size_t n;
	struct pad_sec **by_idx;	/* per section index */
	bool *undecodable;	/* per section index: pad_insn_starts()
				 * could not decode it */
	size_t nsecs;
	struct eh_frame eh;
	struct dwarf_fixes dw;
	struct pad_bases *bases;	/* pad_relocs.c, mark to fix */
	struct pad_verify *verify;	/* the state before the commit */
};

static bool is_fragment(const struct section *sec)
{
	return !strcmp(sec->name, ".init") || !strcmp(sec->name, ".fini");
}

static uint64_t field_of(const uint8_t *data, size_t size, uint64_t site)
{
	return site < size && data[site] == 0x0f ? site + 2 : site + 1;
}

static struct pad_sec *new_sec(struct pad_pass *pp, struct section *sec)
{
	struct pad_sec *ps = calloc(1, sizeof(*ps));

	if (!ps)
		return NULL;
	ps->obj = pp->obj;
	ps->sec = sec;
	pp->by_idx[sec->idx] = ps;
	return ps;
}

static int add_sites(struct pad_pass *pp, struct pad_sec *ps, size_t first,
		     size_t last)
{
	ps->sites = big_calloc(last - first, sizeof(*ps->sites));
	if (!ps->sites)
		return -1;
	for (size_t i = first; i < last; i++)
		ps->sites[ps->nsites++] = (struct pad_sec_site){
			.idx = i, .site = pp->sites[i].site };
	return 0;
}

/* Why the pass does not pad SEC at all, NULL when it may. */
static const char *not_paddable(const struct section *sec)
{
	if (!(sec->sh.sh_flags & SHF_EXECINSTR) || sec->sh.sh_type != SHT_PROGBITS)
		return "not in a code section";
	if (is_fragment(sec))
		return "in .init/.fini, whose fragments are concatenated: "
		       "its alignment cannot be raised";
	return NULL;
}

static void free_sec(struct pad_sec *ps)
{
	free(ps->insns);
	free(ps->blocks);
	free(ps->starts);
	free(ps->refs);
	pad_rank_free(&ps->laid);
	free(ps->in_run);
	free(ps->shifts);
	free(ps->pcrel);
	free(ps->targets);
	pad_plan_free(ps);
	free(ps->runs);
	pad_rank_free(&ps->run_firsts);
	pad_rank_free(&ps->site_insns);
	free(ps->site_at);
	free(ps->sites);
	free(ps->frozen);
	free(ps->fdes.v);
	free(ps->fixes.v);
	if (!ps->new_data_given)
		free(ps->new_data);
	free(ps);
}

const uint64_t *pad_insn_starts(struct pad_pass *pp, struct section *sec)
{
	struct pad_sec *ps = sec->idx < pp->nsecs ? pp->by_idx[sec->idx] : NULL;

	if (!ps) {
		if (sec->idx >= pp->nsecs || not_paddable(sec) ||
		    pp->undecodable[sec->idx])
			return NULL;
		ps = new_sec(pp, sec);
		if (!ps)
			return NULL;
		ps->data = obj_section_data(pp->obj, sec);
		ps->size = sec->size;
		/* refused quietly: the pass decodes again and says why when
		 * the section has sites to pad */
		ps->quiet = true;
		if (!ps->data || pad_decode_insns(ps) || ps->why) {
			pad_forget(pp, sec);
			pp->undecodable[sec->idx] = true;
			return NULL;
		}
		ps->quiet = false;	/* what the pass finds next, it says */
	}
	return ps->why ? NULL : ps->starts;
}

void pad_forget(struct pad_pass *pp, struct section *sec)
{
	if (sec->idx < pp->nsecs && pp->by_idx[sec->idx]) {
		free_sec(pp->by_idx[sec->idx]);
		pp->by_idx[sec->idx] = NULL;
	}
}

static int prepare(struct pad_pass *pp, struct pad_sec *ps)
{
	struct section *sec = ps->sec;

	ps->why = not_paddable(sec);
	if (ps->why)
		return 0;
	if (sec->sh.sh_addralign < 4 && obj_section_set_align(pp->obj, sec, 4))
		return -1;
	ps->data = obj_section_data(pp->obj, sec);
	if (!ps->data)
		return -1;
	ps->size = sec->size;
	for (size_t s = 0; s < ps->nsites; s++)
		if (field_of(ps->data, ps->size, ps->sites[s].site) % 4)
			ps->wanted = true;
	if (!ps->wanted)
		return 0;
	return pad_decode(ps);
}

static int collect(struct pad_pass *pp)
{
	for (size_t i = 0; i < pp->n;) {
		size_t j = i;
		struct pad_sec *ps;

		while (j < pp->n && pp->sites[j].sec == pp->sites[i].sec)
			j++;
		if (pp->sites[i].sec >= pp->nsecs ||
		    (pp->by_idx[pp->sites[i].sec] &&
		     pp->by_idx[pp->sites[i].sec]->sites))
			return error_at(obj_path(pp->obj), "padding: sites not "
					"sorted by section"), -1;
		ps = pp->by_idx[pp->sites[i].sec];
		if (!ps)	/* not decoded for the site finder */
			ps = new_sec(pp, obj_section(pp->obj, pp->sites[i].sec));
		if (!ps || add_sites(pp, ps, i, j) || prepare(pp, ps))
			return -1;
		i = j;
	}
	return 0;
}

#define for_each_active(pp, ps)						\
	for (size_t __s = 0; __s < (pp)->nsecs; __s++)			\
		if (((ps) = pad_find_sec((pp)->by_idx, (pp)->nsecs, __s)))

/* Assemblers and ld -r write one .eh_frame; the pass reads one, so any
 * other would keep describing code that moved. */
static size_t count_named(struct obj *obj, const char *name)
{
	struct section *sec;
	size_t n = 0;

	obj_for_each_section(obj, sec)
		n += !strcmp(sec->name, name);
	return n;
}

static int mark_references(struct pad_pass *pp)
{
	struct pad_sec *ps;

	for_each_active(pp, ps)
		pad_mark_branches(ps);
	pp->eh.sec = obj_find_section(pp->obj, ".eh_frame");
	if (count_named(pp->obj, ".eh_frame") > 1)
		pp->eh.why = "several .eh_frame sections: which one describes "
			     "the code is not known";
	else if (pp->eh.sec &&
		 eh_frame_read(pp->obj, &pp->eh, pp->by_idx, pp->nsecs))
		return -1;
	if (pp->eh.why)
		for_each_active(pp, ps)
			pad_refuse(ps, pp->eh.why, "%s", ".eh_frame");
	if (lsda_read(pp->obj, &pp->eh, &pp->dw))
		return -1;
	eh_frame_mark(&pp->eh);
	if (dwarf_read(pp->obj, &pp->dw, pp->by_idx, pp->nsecs))
		return -1;
	return pad_mark_reloc_targets(pp->obj, pp->by_idx, pp->nsecs, &pp->dw,
				      &pp->bases);
}

static int index_alloc(struct pad_index *x)
{
	if (!x->n)
		return 0;
	x->v = malloc(x->n * sizeof(*x->v));
	x->n = 0;
	return x->v ? 0 : -1;
}

/* Each section's FDEs and DWARF fixes, counted then listed: a C++ object
 * has tens of thousands of padded sections, and a scan of every FDE and
 * fix per section and round cost more than the plans. */
static int index_checks(struct pad_pass *pp)
{
	for (size_t i = 0; i < pp->eh.n; i++)
		if (pp->eh.fdes[i].ps)
			pp->eh.fdes[i].ps->fdes.n++;
	for (size_t i = 0; i < pp->dw.n; i++)
		if (pp->dw.fixes[i].ps)
			pp->dw.fixes[i].ps->fixes.n++;
	for (size_t i = 0; i < pp->nsecs; i++) {
		struct pad_sec *ps = pp->by_idx[i];

		if (ps && (index_alloc(&ps->fdes) || index_alloc(&ps->fixes)))
			return -1;
	}
	for (size_t i = 0; i < pp->eh.n; i++) {
		struct pad_sec *ps = pp->eh.fdes[i].ps;

		if (ps)
			ps->fdes.v[ps->fdes.n++] = i;
	}
	for (size_t i = 0; i < pp->dw.n; i++) {
		struct pad_sec *ps = pp->dw.fixes[i].ps;

		if (ps)
			ps->fixes.v[ps->fixes.n++] = i;
	}
	return 0;
}

static int plan_and_build(struct pad_pass *pp)
{
	struct pad_sec *ps;

	if (index_checks(pp))
		return -1;
	for_each_active(pp, ps) {
		bool again;

		do {
			if (pad_plan(ps))
				return -1;
			/* both checks run: each may drop sites */
			again = !ps->why && eh_frame_check(&pp->eh, ps);
			if (!ps->why && dwarf_check(&pp->dw, ps))
				again = true;
			pad_checks_done(ps);
		} while (again);
	}
	for_each_active(pp, ps) {
		if (pad_build(ps))
			return -1;
		pad_inject_layout_fault(ps);
		if (!ps->why)
			pad_validate(ps);
	}
	return 0;
}

static int commit(struct pad_pass *pp)
{
	if (pad_fix_relocs(pp->obj, pp->by_idx, pp->nsecs, &pp->bases) ||
	    eh_frame_rewrite(pp->obj, &pp->eh) ||
	    dwarf_rewrite(pp->obj, &pp->dw))
		return -1;
	pad_fix_symbols(pp->obj, pp->by_idx, pp->nsecs);
	return 0;
}

/*
 * The new code, once the fix-ups are proved (the proof reads the code from
 * ps->new_data, and the old code from ps->data, which the object may free
 * when it takes the new).  The object takes the buffer: no copy.
 */
static int hand_over(struct pad_pass *pp)
{
	struct pad_sec *ps;

	for_each_active(pp, ps) {
		if (!obj_section_take_data(pp->obj, ps->sec, ps->new_data,
					   ps->new_size))
			return -1;
		ps->new_data_given = true;
		note_at(obj_path(pp->obj), "%s: padded, %zu -> %" PRIu64
			" bytes", ps->sec->name, ps->size, ps->new_size);
	}
	return 0;
}

static void report(struct pad_pass *pp, struct pad_sec *ps)
{
	bool active = pad_find_sec(&ps, 1, 0);
	const uint8_t *data = active ? ps->new_data : ps->data;
	size_t size = active ? ps->new_size : ps->size;

	for (size_t s = 0; s < ps->nsites; s++) {
		struct pad_sec_site *st = &ps->sites[s];
		struct pad_site *out = &pp->sites[st->idx];

		if (active) {
			const struct pad_insn *in = &ps->insns[st->insn];

			out->site = pad_new_off(ps, st->insn) +
				    (st->site - in->off);
		}
		out->why = NULL;
		if (!data || field_of(data, size, out->site) % 4 ||
		    ps->sec->sh.sh_addralign < 4)
			out->why = st->why ? st->why : ps->why ? ps->why :
				   "not padded";
	}
}

static void pass_free(struct pad_pass *pp)
{
	pad_verify_free(pp->verify);
	for (size_t i = 0; i < pp->nsecs && pp->by_idx; i++)
		if (pp->by_idx[i])
			free_sec(pp->by_idx[i]);
	free(pp->by_idx);
	free(pp->undecodable);
	eh_frame_free(&pp->eh);
	dwarf_free(&pp->dw);
	pad_bases_free(pp->bases);
}

struct pad_pass *pad_begin(struct obj *obj)
{
	struct pad_pass *pp = calloc(1, sizeof(*pp));

	if (!pp)
		return NULL;
	pp->obj = obj;
	pp->nsecs = obj_nsections(obj);
	pp->by_idx = calloc(pp->nsecs, sizeof(*pp->by_idx));
	pp->undecodable = calloc(pp->nsecs, sizeof(*pp->undecodable));
	if (!pp->by_idx || !pp->undecodable) {
		pad_end(pp);
		return NULL;
	}
	return pp;
}

void pad_end(struct pad_pass *pp)
{
	if (!pp)
		return;
	pass_free(pp);
	free(pp);
}

int pad_run(struct pad_pass *pp, struct pad_site *sites, size_t n)
{
	struct obj *obj = pp->obj;
	int ret = -1;

	pp->sites = sites;
	pp->n = n;
	if (collect(pp) || mark_references(pp) || plan_and_build(pp) ||
	    pad_verify_prepare(obj, pp->by_idx, pp->nsecs, &pp->verify) ||
	    commit(pp)) {
		error_at(obj_path(obj), "padding: %s", obj_errmsg()[0] ?
			 obj_errmsg() : "out of memory");
		goto out;
	}
	/* it prints where the committed object differs */
	if (pad_verify(pp->verify))
		goto out;
	if (hand_over(pp)) {
		error_at(obj_path(obj), "padding: %s", obj_errmsg());
		goto out;
	}
	for (size_t i = 0; i < pp->nsecs; i++)
		if (pp->by_idx[i])
			report(pp, pp->by_idx[i]);
	ret = 0;
out:
	/* it reads the section list, which the caller may extend next */
	pad_verify_free(pp->verify);
	pp->verify = NULL;
	return ret;
}

int pad_sites(struct obj *obj, struct pad_site *sites, size_t n)
{
	struct pad_pass *pp = pad_begin(obj);
	int ret;

	if (!pp) {
		error_at(obj_path(obj), "padding: out of memory");
		return -1;
	}
	ret = pad_run(pp, sites, n);
	pad_end(pp);
	return ret;
}
