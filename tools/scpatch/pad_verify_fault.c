// SPDX-License-Identifier: MIT
/*
 * Padding: fault injection for the tests of pad_verify*.c.  Only a build
 * with -DSCPATCH_FAULT_INJECTION (made by tests/pad/t-pad-validate.sh
 * itself, never by the Makefile) reads SCPATCH_FAULT: after the commit it
 * corrupts one fix-up of the first kind named, so that the test sees the
 * check of that kind refuse the object.
 *	reloc-addend	the addend of a relocation into padded code
 *	reloc-addend:S	the same from a section whose name starts with S
 *	reloc-offset	the offset of a relocation in padded code
 *	sym-value	the value of a symbol in padded code
 *	sym-size	the size of a function in padded code
 *	fde-range	the pc_range of an FDE of padded code
 *	cfa-advance	the first advance of such an FDE's CFA program
 *	lsda-length	the first call-site length of an LSDA the pass
 *			wrote anew elsewhere (a moved one)
 * and one before the validation of the new code (pad_validate.c), from
 * pad_inject_layout_fault():
 *	shift		the shift of the last laid-out instruction before
 *			a run (or the section end, when there is no run):
 *			the labels of the code up to the run's start (where
 *			the end of the function before it maps) one byte off
 */
#include "pad_verify_internal.h"

#ifndef SCPATCH_FAULT_INJECTION
void pv_inject_fault(struct pad_verify *pv)
{
	(void)pv;
}

void pad_inject_layout_fault(struct pad_sec *ps)
{
	(void)ps;
}
#else
#include <stdlib.h>
#include <string.h>

/* The first relocation in padded code (OFFSET), or into it from a section
 * whose name starts with IN (any when NULL). */
static void corrupt_reloc(struct pad_verify *pv, bool offset, const char *in)
{
	for (size_t k = 0; k < pv->nrsecs; k++) {
		struct section *t = pv->rsecs[k].sec;
		struct reloc *r;

		if ((offset && !pv->rsecs[k].padded) ||
		    (in && strncmp(t->name, in, strlen(in))))
			continue;
		obj_for_each_reloc(pv->obj, t, r) {
			if (r->type == R_X86_64_NONE ||
			    (!offset && !(r->sym && r->sym->sec &&
					  pad_find_sec(pv->secs, pv->nsecs,
						       r->sym->sec->idx))))
				continue;
			if (offset)
				r->offset += 1;
			else
				r->addend += 1;
			return;
		}
	}
}

static void corrupt_symbol(struct pad_verify *pv, bool size)
{
	for (size_t i = 0; i < pv->nsyms; i++) {
		struct symbol *sym = pv->syms[i].sym;

		if (size && (!sym->sym.st_size || sym->type != STT_FUNC))
			continue;
		if (size)
			sym->sym.st_size += 1;
		else
			sym->sym.st_value += 1;
		return;
	}
}

static void corrupt_fde(struct pad_verify *pv, bool advance)
{
	for (size_t i = 0; i < pv->nfdes; i++) {
		uint64_t at = pv_cfi_find(pv, &pv->fdes[i]);
		uint8_t *d = obj_section_data_writable(pv->obj, pv->eh), *op;

		if (at == UINT64_MAX || !d)
			continue;
		if (!advance) {
			d[at + 8 + pv->fdes[i].range_size] += 1;
			return;
		}
		op = pv_cfi_first_advance(d, pv->eh->size, at);
		if (!op)
			continue;
		if ((*op & 0xc0) == 0x40)
			*op = (*op & 0x3f) == 0x3f ? *op - 1 : *op + 1;
		else
			op[1] += 1;
		return;
	}
}

/* The first call-site length of the first LSDA whose FDE's pointer moved:
 * a ULEB128 byte one more or less, keeping its continuation bit. */
static void corrupt_lsda(struct pad_verify *pv)
{
	for (size_t i = 0; i < pv->nfdes; i++) {
		struct vfde *f = &pv->fdes[i];
		uint64_t at = pv_cfi_find(pv, f);
		struct reloc *l;
		uint8_t *len;

		if (!f->has_lsda || at == UINT64_MAX)
			continue;
		l = pv_cfi_lsda_pointer(pv, at);
		if (!l || l->addend == f->lsda_addend || !l->sym->sec)
			continue;
		len = pv_lsda_first_length(pv, l->sym->sec, l->addend +
					   (l->sym->type == STT_SECTION ? 0 :
					    l->sym->sym.st_value));
		if (!len)
			continue;
		*len = (*len & 0x7f) == 0x7f ? *len - 1 : *len + 1;
		return;
	}
}

void pad_inject_layout_fault(struct pad_sec *ps)
{
	const char *f = getenv("SCPATCH_FAULT");

	if (!f || strcmp(f, "shift"))
		return;
	for (size_t r = 0; r <= ps->nruns; r++) {
		long j = pad_prev_laid(ps, r < ps->nruns ? ps->runs[r].first :
				       ps->n);

		if (j >= 0 && !ps->insns[j].run) {
			*pad_shift_of(ps, j) += 1;
			return;
		}
	}
}

void pv_inject_fault(struct pad_verify *pv)
{
	const char *f = getenv("SCPATCH_FAULT");

	if (!f)
		return;
	if (!strcmp(f, "reloc-offset"))
		corrupt_reloc(pv, true, NULL);
	else if (!strncmp(f, "reloc-addend", 12))
		corrupt_reloc(pv, false, f[12] == ':' ? f + 13 : NULL);
	else if (!strcmp(f, "sym-value") || !strcmp(f, "sym-size"))
		corrupt_symbol(pv, !strcmp(f, "sym-size"));
	else if (!strcmp(f, "fde-range") || !strcmp(f, "cfa-advance"))
		corrupt_fde(pv, !strcmp(f, "cfa-advance"));
	else if (!strcmp(f, "lsda-length"))
		corrupt_lsda(pv);
}
#endif
