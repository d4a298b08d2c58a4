// SPDX-License-Identifier: MIT
/*
 * Test driver for srcpos.c: prints the source position of each offset in
 * a section (objects) or of each address (linked files), one line each,
 * "LINE:COL FILE" or "?" when there is none, so that the test can compare
 * the lines with addr2line's.
 *     srcpos_driver FILE -j SECTION OFFSET...
 *     srcpos_driver FILE ADDRESS...
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gelf.h>

#include "srcpos.h"

static size_t section_index(const char *path, const char *name)
{
	size_t shstrndx, found = 0;
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	Elf *elf;
	int fd;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		return 0;
	while (!found && (scn = elf_nextscn(elf, scn))) {
		gelf_getshdr(scn, &shdr);
		if (!strcmp(elf_strptr(elf, shstrndx, shdr.sh_name), name))
			found = elf_ndxscn(scn);
	}
	elf_end(elf);
	close(fd);
	return found;
}

int main(int argc, char **argv)
{
	struct srcpos_file *sf;
	size_t shndx = 0;
	int i = 2;

	if (argc < 3)
		return 2;
	sf = srcpos_open(argv[1]);
	if (!sf) {
		fprintf(stderr, "cannot open %s\n", argv[1]);
		return 2;
	}
	if (!strcmp(argv[2], "-j")) {
		shndx = section_index(argv[1], argv[3]);
		if (!shndx)
			return 2;
		i = 4;
	}
	for (; i < argc; i++) {
		uint64_t where = strtoull(argv[i], NULL, 16);
		struct srcpos pos;
		bool found;

		if (shndx)
			found = srcpos_at_section(sf, shndx, where, &pos);
		else
			found = srcpos_at_addr(sf, where, &pos);
		if (found)
			printf("%d:%d %s\n", pos.line, pos.column, pos.file);
		else
			puts("?");
	}
	srcpos_close(sf);
	return 0;
}
