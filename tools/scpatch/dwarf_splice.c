// SPDX-License-Identifier: MIT
/*
 * Padding: writing the DWARF fixes of one debug section.  A ULEB128 that
 * needs more bytes, or a line-program special opcode whose address advance
 * no longer fits (it becomes DW_LNS_advance_pc + a special opcode with the
 * same line advance), makes the section grow.  The section is rebuilt, and
 * everything that holds an offset into it follows: its own relocations,
 * relocations from other sections against it (DW_AT_location,
 * DW_AT_ranges, DW_AT_stmt_list, DW_AT_GNU_locviews, ..._base), the
 * unit_length of each contribution, and the offset tables of
 * .debug_loclists and .debug_rnglists (clang's loclistx/rnglistx).
 */
#include <stdlib.h>
#include <string.h>

#include "dwarf_fix.h"
#include "leb128.h"

struct edit {
	uint64_t pos;		/* old offset of the field */
	unsigned old_len;
	uint8_t bytes[24];
	unsigned new_len;
};

struct splice {
	struct edit *e;
	size_t n;
	int64_t *shift;		/* shift[i]: growth of edits 0..i-1 */
};

/* New offset of old offset X: edits before X shift it. */
static uint64_t map_off(const struct splice *sp, uint64_t x)
{
	size_t lo = 0, hi = sp->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (sp->e[mid].pos < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return x + sp->shift[lo];
}

static bool encode(const struct dfix *f, uint64_t v, struct edit *e)
{
	uint64_t op;

	e->pos = f->off;
	e->old_len = f->kind == DFIX_SPECIAL ? f->span : f->len;
	switch (f->kind) {
	case DFIX_FIXED:
		if (f->len < 8 && v >> (8 * f->len))
			return false;
		for (unsigned k = 0; k < f->len; k++)
			e->bytes[k] = v >> (8 * k);
		e->new_len = f->len;
		return true;
	case DFIX_ULEB:
		e->new_len = uleb128_encode(e->bytes, v, f->len);
		return true;
	}
	op = (uint64_t)(f->line_adv - f->line_base) + f->line_range * v +
	     f->opcode_base;
	if (op <= 255) {
		e->bytes[0] = op;
		e->new_len = 1;
		return true;
	}
	e->bytes[0] = 0x02;			/* DW_LNS_advance_pc */
	e->new_len = 1 + uleb128_encode(e->bytes + 1, v, 1);
	e->bytes[e->new_len++] = (f->line_adv - f->line_base) + f->opcode_base;
	return true;
}

static void put32(uint8_t *p, uint64_t v)
{
	for (int k = 0; k < 4; k++)
		p[k] = v >> (8 * k);
}

static uint64_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint64_t)p[3] << 24;
}

static bool is_lists(const struct section *d)
{
	return !strcmp(d->name, ".debug_loclists") ||
	       !strcmp(d->name, ".debug_rnglists");
}

/* Offset of the unit after the one at U of DATA (SIZE bytes), 0 when its
 * header is malformed: a unit_length past the end (or 64-bit DWARF), or a
 * list offset table (and its offsets) not inside the unit. */
static uint64_t next_unit(const uint8_t *data, uint64_t size, uint64_t u,
			  bool lists)
{
	uint64_t len = get32(data + u), end = u + 4 + len, count;

	if (len >= 0xfffffff0 || end > size)
		return 0;
	if (!lists)
		return end;
	if (len < 8)
		return 0;
	count = get32(data + u + 8);
	if (count > (end - u - 12) / 4)
		return 0;
	for (uint64_t i = 0; i < count; i++)
		if (get32(data + u + 12 + 4 * i) > end - u - 12)
			return 0;
	return end;
}

bool dwarf_units_ok(struct obj *obj, struct section *d)
{
	const uint8_t *data = obj_section_data(obj, d);
	uint64_t u = 0;

	if (!data)
		return false;
	while (u + 4 <= d->size)
		if (!(u = next_unit(data, d->size, u, is_lists(d))))
			return false;
	return true;
}

/* unit_length of every contribution, and the offset tables of lists;
 * false at a malformed header (dwarf_read() refused those already). */
static bool fix_headers(const struct splice *sp, const struct section *d,
			const uint8_t *old, size_t old_size, uint8_t *new)
{
	bool lists = is_lists(d);

	for (uint64_t u = 0; u + 4 <= old_size;) {
		uint64_t end = next_unit(old, old_size, u, lists);

		if (!end)
			return false;
		put32(new + map_off(sp, u), map_off(sp, end) - map_off(sp, u + 4));
		if (lists) {
			uint64_t count = get32(old + u + 8), base = u + 12;

			for (uint64_t i = 0; i < count; i++) {
				uint64_t e = get32(old + base + 4 * i);

				put32(new + map_off(sp, base) + 4 * i,
				      map_off(sp, base + e) - map_off(sp, base));
			}
		}
		u = end;
	}
	return true;
}

static void fix_relocs(struct obj *obj, const struct splice *sp,
		       struct section *d)
{
	struct section *t;
	struct reloc *r;

	obj_for_each_section(obj, t) {
		bool changed = false;

		if (t->sh.sh_type == SHT_RELA || !t->rela ||
		    obj_nrelocs(obj, t) <= 0)
			continue;
		obj_for_each_reloc(obj, t, r) {
			if (t == d) {
				r->offset = map_off(sp, r->offset);
				changed = true;
			}
			if (r->sym && r->sym->sec == d &&
			    r->sym->type == STT_SECTION) {
				r->addend = map_off(sp, r->addend);
				changed = true;
			}
		}
		if (changed)
			obj_relocs_changed(obj, t);
	}
}

static bool grows(const struct splice *sp)
{
	for (size_t i = 0; i < sp->n; i++)
		if (sp->e[i].new_len != sp->e[i].old_len)
			return true;
	return false;
}

int dwarf_splice(struct obj *obj, struct section *d, struct dfix *const *fixes,
		 size_t n, bool (*value)(const struct dfix *, uint64_t *))
{
	struct splice sp = { calloc(n + 1, sizeof(struct edit)), 0, NULL };
	const uint8_t *old = obj_section_data(obj, d);
	size_t old_size = d->size, size = old_size;
	uint8_t *new = NULL;
	int ret = -1;

	if (!sp.e || !old)
		goto out;
	for (size_t i = 0; i < n; i++) {
		uint64_t v;

		if (!value(fixes[i], &v) || !encode(fixes[i], v, &sp.e[sp.n]))
			goto out;
		size += sp.e[sp.n].new_len;
		size -= sp.e[sp.n].old_len;
		if (sp.n && sp.e[sp.n].pos <
			    sp.e[sp.n - 1].pos + sp.e[sp.n - 1].old_len)
			goto out;	/* overlapping fields: a parse error */
		sp.n++;
	}
	new = malloc(size + 1);
	if (!new)
		goto out;
	for (size_t i = 0, from = 0, to = 0; i <= sp.n; i++) {
		uint64_t upto = i < sp.n ? sp.e[i].pos : old_size;

		memcpy(new + to, old + from, upto - from);
		to += upto - from;
		if (i == sp.n)
			break;
		memcpy(new + to, sp.e[i].bytes, sp.e[i].new_len);
		to += sp.e[i].new_len;
		from = upto + sp.e[i].old_len;
	}
	if (grows(&sp)) {
		sp.shift = malloc((sp.n + 1) * sizeof(*sp.shift));
		if (!sp.shift)
			goto out;
		sp.shift[0] = 0;
		for (size_t i = 0; i < sp.n; i++)
			sp.shift[i + 1] = sp.shift[i] + sp.e[i].new_len -
					  (int64_t)sp.e[i].old_len;
		if (!fix_headers(&sp, d, old, old_size, new))
			goto out;
		fix_relocs(obj, &sp, d);
	}
	ret = obj_section_set_data(obj, d, new, size) ? 0 : -1;
out:
	free(new);
	free(sp.e);
	free(sp.shift);
	return ret;
}
