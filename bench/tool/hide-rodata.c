// SPDX-License-Identifier: MIT
/*
 * hide-rodata FILE.o: rename every section ".rodata*" to ".RODATA*" in
 * place, in the section name string table.
 *
 * Why: objtool 6.1 takes any relocation from code into a ".rodata*" section
 * before an indirect jump for a switch table of absolute 8-byte entries, as
 * the kernel has them.  User-space PIC code has tables of 4-byte relative
 * entries; objtool then stops ("can't find switch jump table") without
 * writing anything, and still exits 0.  Under another name the tables are
 * plain data to objtool, and the benchmark gets a reference.  The code is
 * unchanged; objcopy --rename-section cannot do this in reasonable time
 * on 250,000 sections (it searches its rename list for every section).
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *file, const char *what)
{
	fprintf(stderr, "hide-rodata: %s: %s\n", file, what);
	return 1;
}

int main(int argc, char **argv)
{
	struct stat st;
	unsigned char *map;
	Elf64_Ehdr *eh;
	Elf64_Shdr *sh;
	size_t count, strndx, i, renamed = 0;
	int fd;

	if (argc != 2)
		return fail("usage", "hide-rodata FILE.o");
	fd = open(argv[1], O_RDWR);
	if (fd < 0 || fstat(fd, &st) < 0)
		return fail(argv[1], "cannot open");
	map = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED || (size_t)st.st_size < sizeof(*eh))
		return fail(argv[1], "cannot map");
	eh = (Elf64_Ehdr *)map;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_REL ||
	    eh->e_shoff + sizeof(*sh) > (size_t)st.st_size)
		return fail(argv[1], "not a 64-bit relocatable ELF object");
	sh = (Elf64_Shdr *)(map + eh->e_shoff);
	count = eh->e_shnum ? eh->e_shnum : sh[0].sh_size;
	strndx = eh->e_shstrndx != SHN_XINDEX ? eh->e_shstrndx : sh[0].sh_link;
	if (eh->e_shoff + count * sizeof(*sh) > (size_t)st.st_size ||
	    strndx >= count ||
	    sh[strndx].sh_offset + sh[strndx].sh_size > (size_t)st.st_size)
		return fail(argv[1], "bad section headers");

	char *names = (char *)map + sh[strndx].sh_offset;
	for (i = 1; i < count; i++) {
		char *name = names + sh[i].sh_name;

		if (sh[i].sh_name + 8 > sh[strndx].sh_size ||
		    strncmp(name, ".rodata", 7))
			continue;
		memcpy(name, ".RODATA", 7);
		renamed++;
	}
	if (msync(map, st.st_size, MS_SYNC) < 0)
		return fail(argv[1], "cannot write");
	fprintf(stderr, "hide-rodata: %s: %zu sections renamed\n", argv[1],
		renamed);
	return 0;
}
