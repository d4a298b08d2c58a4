// SPDX-License-Identifier: MIT
/*
 * Trampolines must be retargetable too: the runtime rewrites a
 * trampoline's `jmp rel32` with one aligned 4-byte store, like a site, so
 * its rel32 must sit on a multiple of 4 in the final image.  A trampoline
 * may start with endbr64 or padding; the first jmp rel32 within the
 * symbol is the one that gets patched.
 */
#include <string.h>

#include "check.h"
#include "decode.h"
#include "diag.h"
#include "elf.h"
#include "static_call_table.h"

/* How far to look when the symbol has no size. */
#define TRAMP_SCAN_DEFAULT	16

struct tramp_scan {
	struct check_file *c;
	struct obj *obj;
	int status;
};

/* Offset of the first jmp rel32's field in [start, end) of data, or -1. */
static int64_t find_jmp_rel32(const uint8_t *data, uint64_t start,
			      uint64_t end)
{
	struct insn in;

	for (uint64_t at = start; at < end; at += in.len) {
		if (!arch_decode(data + at, end - at, at, &in))
			return -1;
		if (in.kind == INSN_JMP && in.disp_size == 4)
			return at + in.disp_off;
		if (in.kind != INSN_NOP && in.kind != INSN_OTHER)
			return -1;
	}
	return -1;
}

static void check_one_tramp(struct tramp_scan *t, struct symbol *sym)
{
	struct section *sec = sym->sec;
	struct check_place where = { 0 };
	uint64_t start, end;
	const uint8_t *data;
	int64_t field;
	bool aligned;

	start = sym->sym.st_value - (t->c->linked ? sec->sh.sh_addr : 0);
	if (start >= sec->size)
		return;
	end = start + (sym->sym.st_size ? sym->sym.st_size : TRAMP_SCAN_DEFAULT);
	if (end > sec->size || end < start)
		end = sec->size;
	data = obj_section_data(t->obj, sec);
	if (!data) {
		error_at(t->c->path, "%s", obj_errmsg());
		t->status = -1;
		return;
	}
	where.section = sec->name;
	where.section_index = sec->idx;
	where.offset = start;
	where.addr = sym->sym.st_value;
	field = find_jmp_rel32(data, start, end);
	t->c->ntramps++;
	if (field < 0) {
		t->c->counts.other++;
		check_emit(t->c, RULE_UNALIGNED_TRAMP, &where,
			   sym->name + STATIC_CALL_TRAMP_PREFIX_LEN,
			   "no jmp rel32 to retarget",
			   "unpatchable static call trampoline '%s'", sym->name);
		return;
	}
	aligned = field % 4 == 0;
	if (t->c->linked)
		aligned = (sec->sh.sh_addr + field) % 4 == 0;
	else
		aligned = aligned && sec->sh.sh_addralign >= 4;
	if (aligned)
		return;
	t->c->counts.other++;
	where.offset = field - 1;
	where.addr = sym->sym.st_value + (field - 1 - start);
	check_emit(t->c, RULE_UNALIGNED_TRAMP, &where,
		   sym->name + STATIC_CALL_TRAMP_PREFIX_LEN,
		   "its jmp rel32 is not on a 4-byte boundary",
		   "unaligned static call trampoline '%s'", sym->name);
}

static int visit(struct symbol *sym, void *arg)
{
	struct tramp_scan *t = arg;

	if (!sym->sec || !(sym->sec->sh.sh_flags & SHF_EXECINSTR) ||
	    sym->type == STT_SECTION)
		return 0;
	check_one_tramp(t, sym);
	return t->status;
}

int check_trampolines(struct check_file *c)
{
	struct tramp_scan t = { .c = c };
	struct symtab *tab;

	t.obj = c->obj;
	/* .dynsym repeats what .symtab has; read one of them. */
	tab = obj_symtab(t.obj);
	if (!tab)
		tab = obj_dynsym(t.obj);
	if (tab && obj_for_each_symbol_prefixed(t.obj, tab,
						STATIC_CALL_TRAMP_PREFIX,
						visit, &t) < 0)
		t.status = -1;
	return t.status;
}
