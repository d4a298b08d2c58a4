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
 * clang does not emit: then walk the CUs and ask each whether it covers
 * the address (DW_AT_low_pc/high_pc or DW_AT_ranges).
 */
static bool lookup_by_cu_walk(struct srcpos_file *sf, Dwarf_Addr addr,
			      struct srcpos *pos)
{
	Dwarf_Addr dwarf_addr = addr - sf->dwarf_bias;
	Dwarf_Die cudie, *cu = NULL;
	Dwarf_Addr bias;
	Dwarf_Line *line;
	int lineno = 0, column = 0;
	const char *file;

	while ((cu = dwfl_module_nextcu(sf->mod, cu, &bias))) {
		if (dwarf_haspc(cu, dwarf_addr) == 1)
			break;
	}
	if (!cu)
		return false;
	cudie = *cu;
	line = dwarf_getsrc_die(&cudie, dwarf_addr);
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
	return lookup_by_cu_walk(sf, addr, pos);
}

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
