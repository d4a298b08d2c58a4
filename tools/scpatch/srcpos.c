// SPDX-License-Identifier: MIT
/*
 * Source positions through libdwfl.  See srcpos.h for why relocatable
 * objects go through offline reporting.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>

#include "srcpos.h"

struct srcpos_file {
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Elf *elf;		/* libdwfl's own handle; ET_REL sections laid out */
	GElf_Addr bias;		/* module address minus link-time address */
	Dwarf *dwarf;		/* NULL without debug information */
	Dwarf_Addr dwarf_bias;
	/* Address ranges of the CUs, sorted, built on the first lookup
	 * that .debug_aranges cannot answer. */
	struct cu_range *ranges;
	size_t nranges;
	bool ranges_built;
};

struct cu_range {
	Dwarf_Addr low, high;	/* [low, high) in DWARF addresses */
	Dwarf_Die cu;
};

static char *debuginfo_path;

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path,
};

static Dwfl_Module *report_file(Dwfl *dwfl, const char *path)
{
	Dwfl_Module *mod;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	dwfl_report_begin(dwfl);
	/* On success libdwfl owns fd. */
	mod = dwfl_report_offline(dwfl, path, path, fd);
	if (!mod) {
		close(fd);
		return NULL;
	}
	if (dwfl_report_end(dwfl, NULL, NULL) != 0)
		return NULL;
	return mod;
}

struct srcpos_file *srcpos_open(const char *path)
{
	struct srcpos_file *sf;

	sf = calloc(1, sizeof(*sf));
	if (!sf)
		return NULL;
	sf->dwfl = dwfl_begin(&offline_callbacks);
	if (!sf->dwfl)
		goto fail;
	sf->mod = report_file(sf->dwfl, path);
	if (!sf->mod)
		goto fail;
	sf->elf = dwfl_module_getelf(sf->mod, &sf->bias);
	if (!sf->elf)
		goto fail;
	/* Also applies the .rela.debug_* sections of an ET_REL file. */
	sf->dwarf = dwfl_module_getdwarf(sf->mod, &sf->dwarf_bias);
	return sf;
fail:
	srcpos_close(sf);
	return NULL;
}

void srcpos_close(struct srcpos_file *sf)
{
	if (!sf)
		return;
	if (sf->dwfl)
		dwfl_end(sf->dwfl);
	free(sf->ranges);
	free(sf);
}

bool srcpos_has_lines(struct srcpos_file *sf)
{
	return sf->dwarf != NULL;
}

static bool fill_pos(Dwfl_Line *line, struct srcpos *pos)
{
	int lineno = 0, column = 0;
	const char *file;

	file = dwfl_lineinfo(line, NULL, &lineno, &column, NULL, NULL);
	if (!file || lineno <= 0)
		return false;
	pos->file = file;
	pos->line = lineno;
	pos->column = column > 0 ? column : 0;
	return true;
}

/*
 * libdw 0.188 finds a CU by address only through .debug_aranges, which
 * clang and lld do not emit: then look the address up in a table of every
 * CU's DW_AT_low_pc/high_pc or DW_AT_ranges, built once, so that many
 * lookups in a large file stay cheap.
 */
static int cmp_range(const void *a, const void *b)
{
	const struct cu_range *x = a, *y = b;

	if (x->low != y->low)
		return x->low < y->low ? -1 : 1;
	return 0;
}

static bool add_range(struct srcpos_file *sf, size_t *cap, Dwarf_Die *cu,
		      Dwarf_Addr low, Dwarf_Addr high)
{
	struct cu_range *grown;

	if (low >= high)
		return true;
	if (sf->nranges == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		grown = realloc(sf->ranges, *cap * sizeof(*grown));
		if (!grown)
			return false;
		sf->ranges = grown;
	}
	sf->ranges[sf->nranges++] = (struct cu_range){ low, high, *cu };
	return true;
}

static void build_ranges(struct srcpos_file *sf)
{
	Dwarf_Addr bias, base, low, high;
	Dwarf_Die *cu = NULL;
	size_t cap = 0;

	sf->ranges_built = true;
	while ((cu = dwfl_module_nextcu(sf->mod, cu, &bias))) {
		ptrdiff_t off = 0;

		while ((off = dwarf_ranges(cu, off, &base, &low, &high)) > 0)
			if (!add_range(sf, &cap, cu, low, high))
				return;
	}
	if (sf->nranges)	/* qsort(NULL, 0) is undefined */
		qsort(sf->ranges, sf->nranges, sizeof(*sf->ranges), cmp_range);
}

/* The CU whose ranges hold addr: the last range starting at or below it,
 * and the ones before it when ranges nest (they rarely do). */
static Dwarf_Die *cu_containing(struct srcpos_file *sf, Dwarf_Addr addr)
{
	size_t lo = 0, hi = sf->nranges;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (sf->ranges[mid].low <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo-- > 0)
		if (addr < sf->ranges[lo].high)
			return &sf->ranges[lo].cu;
	return NULL;
}

static bool lookup_by_ranges(struct srcpos_file *sf, Dwarf_Addr addr,
			     struct srcpos *pos)
{
	Dwarf_Addr dwarf_addr = addr - sf->dwarf_bias;
	int lineno = 0, column = 0;
	const char *file;
	Dwarf_Line *line;
	Dwarf_Die *cu;

	if (!sf->ranges_built)
		build_ranges(sf);
	cu = cu_containing(sf, dwarf_addr);
	if (!cu)
		return false;
	line = dwarf_getsrc_die(cu, dwarf_addr);
	if (!line)
		return false;
	file = dwarf_linesrc(line, NULL, NULL);
	if (!file || dwarf_lineno(line, &lineno) || lineno <= 0)
		return false;
	dwarf_linecol(line, &column);
	pos->file = file;
	pos->line = lineno;
	pos->column = column > 0 ? column : 0;
	return true;
}

/* Lookup by module address (link-time address plus bias). */
static bool lookup(struct srcpos_file *sf, Dwarf_Addr addr, struct srcpos *pos)
{
	Dwfl_Line *line;

	if (!sf->dwarf)
		return false;
	line = dwfl_module_getsrc(sf->mod, addr);
	if (line && fill_pos(line, pos))
		return true;
	return lookup_by_ranges(sf, addr, pos);
}

/* In an ET_REL file libdwfl writes its section layout into the section
 * headers of its own Elf handle; eu-addr2line -j maps sections the same way. */
bool srcpos_at_section(struct srcpos_file *sf, size_t shndx, uint64_t offset,
		       struct srcpos *pos)
{
	GElf_Shdr shdr;
	Elf_Scn *scn;

	scn = elf_getscn(sf->elf, shndx);
	if (!scn || !gelf_getshdr(scn, &shdr))
		return false;
	if (!(shdr.sh_flags & SHF_ALLOC) || offset >= shdr.sh_size)
		return false;
	return lookup(sf, shdr.sh_addr + offset + sf->bias, pos);
}

bool srcpos_at_addr(struct srcpos_file *sf, uint64_t addr, struct srcpos *pos)
{
	return lookup(sf, addr + sf->bias, pos);
}
