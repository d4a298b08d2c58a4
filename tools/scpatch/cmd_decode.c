// SPDX-License-Identifier: MIT
/*
 * scpatch decode FILE [SECTION]: one line per instruction of the executable
 * sections (or of SECTION only):
 *
 *     <section>+0x<hex offset> <length> <kind> [0x<hex target>]
 *
 * The target of a relative branch or RIP-relative operand is a section
 * offset in relocatable objects (the bytes there are unrelocated) and an
 * address in linked files.  Undecodable bytes print as one-byte "invalid"
 * lines and decoding resumes at the next byte, so every byte is covered.
 *
 * This reads the file with libelf directly rather than through the object
 * model, and checks only what it reads (headers and code): it was written
 * before the model existed.  Moving it onto obj_open(OBJ_READ) would drop
 * the duplicated header checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "decode.h"
#include "diag.h"

/* Output is millions of lines for a large library: format by hand. */
struct out {
	char buf[1 << 16];
	size_t used;
};

static void out_flush(struct out *out)
{
	fwrite(out->buf, 1, out->used, stdout);
	out->used = 0;
}

static char *put_hex(char *p, uint64_t v)
{
	char tmp[16];
	int n = 0;

	*p++ = '0';
	*p++ = 'x';
	do {
		tmp[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static void put_insn(struct out *out, const char *secname, size_t namelen,
		     uint64_t offset, const struct insn *insn)
{
	const char *kind = insn_kind_name(insn->kind);
	size_t kindlen = strlen(kind);
	char *p;

	if (out->used + namelen + kindlen + 64 > sizeof(out->buf))
		out_flush(out);
	if (namelen + kindlen + 64 > sizeof(out->buf))
		return;		/* absurd section name: nothing sane to print */
	p = out->buf + out->used;
	memcpy(p, secname, namelen);
	p += namelen;
	*p++ = '+';
	p = put_hex(p, offset);
	*p++ = ' ';
	if (insn->len >= 10)
		*p++ = '1';
	*p++ = '0' + insn->len % 10;
	*p++ = ' ';
	memcpy(p, kind, kindlen);
	p += kindlen;
	if (insn->has_target) {
		*p++ = ' ';
		p = put_hex(p, insn->target);
	}
	*p++ = '\n';
	out->used = p - out->buf;
}

static void decode_bytes(struct out *out, const char *secname,
			 const uint8_t *bytes, size_t size, uint64_t base)
{
	size_t namelen = strlen(secname);
	struct insn insn;

	for (size_t off = 0; off < size; off += insn.len) {
		arch_decode(bytes + off, size - off, base + off, &insn);
		put_insn(out, secname, namelen, off, &insn);
	}
}

/* Checks that make the rest of the walk safe; 0 when fine, else EXIT_BAD. */
static int check_header(const char *file, Elf *elf, GElf_Ehdr *ehdr,
			off_t file_size)
{
	const char *ident;
	size_t shnum;

	if (elf_kind(elf) != ELF_K_ELF) {
		error_at(file, "not an ELF file");
		return EXIT_BAD;
	}
	ident = elf_getident(elf, NULL);
	if (!ident || ident[EI_CLASS] != ELFCLASS64) {
		error_at(file, "not a 64-bit ELF file");
		return EXIT_BAD;
	}
	if (ident[EI_DATA] != ELFDATA2LSB) {
		error_at(file, "not a little-endian ELF file");
		return EXIT_BAD;
	}
	if (!gelf_getehdr(elf, ehdr)) {
		error_at(file, "bad ELF header: %s", elf_errmsg(-1));
		return EXIT_BAD;
	}
	if (ehdr->e_machine != EM_X86_64) {
		error_at(file, "not an x86-64 ELF file (e_machine %u)",
			 ehdr->e_machine);
		return EXIT_BAD;
	}
	if (ehdr->e_type != ET_REL && ehdr->e_type != ET_EXEC &&
	    ehdr->e_type != ET_DYN) {
		error_at(file, "not a relocatable object, executable or shared "
			 "library (e_type %u)", ehdr->e_type);
		return EXIT_BAD;
	}
	/*
	 * libelf silently sees no sections when their headers are cut off:
	 * check the table against the file (e_shnum 0 with e_shoff set means
	 * the count is in section 0, which libelf reads).
	 */
	shnum = ehdr->e_shnum;
	if (!shnum && ehdr->e_shoff && elf_getshdrnum(elf, &shnum) < 0)
		shnum = SIZE_MAX;
	if (!ehdr->e_shoff || !shnum) {
		error_at(file, "no section headers");
		return EXIT_BAD;
	}
	if (ehdr->e_shentsize != sizeof(Elf64_Shdr) ||
	    ehdr->e_shoff > (uint64_t)file_size ||
	    shnum > ((uint64_t)file_size - ehdr->e_shoff) / sizeof(Elf64_Shdr)) {
		error_at(file, "section headers extend past the end of the file");
		return EXIT_BAD;
	}
	return 0;
}

static bool overlaps(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return a < b + b_size && b < a + a_size;
}

/*
 * The layout of every section, not only the decoded ones: a file cut short,
 * a section over the headers or a link out of range is damaged, and decode
 * says so like the other commands instead of printing what is left.
 */
static int check_sections(const char *file, Elf *elf, const GElf_Ehdr *ehdr,
			  off_t file_size)
{
	Elf_Scn *scn = NULL;
	uint64_t shdrs_size;
	size_t shnum;

	if (elf_getshdrnum(elf, &shnum) < 0) {
		error_at(file, "bad section header count: %s", elf_errmsg(-1));
		return EXIT_BAD;
	}
	shdrs_size = (uint64_t)shnum * sizeof(Elf64_Shdr);
	while ((scn = elf_nextscn(elf, scn))) {
		size_t idx = elf_ndxscn(scn);
		GElf_Shdr shdr;

		if (!gelf_getshdr(scn, &shdr)) {
			error_at(file, "bad section header %zu: %s", idx,
				 elf_errmsg(-1));
			return EXIT_BAD;
		}
		if (shdr.sh_link >= shnum || (shdr.sh_link && shdr.sh_link == idx)) {
			error_at(file, "section %zu links to section %u", idx,
				 shdr.sh_link);
			return EXIT_BAD;
		}
		if (shdr.sh_type == SHT_NOBITS || !shdr.sh_size)
			continue;
		if (shdr.sh_offset > (uint64_t)file_size ||
		    shdr.sh_size > (uint64_t)file_size - shdr.sh_offset) {
			error_at(file, "section %zu extends past the end of the "
				 "file", idx);
			return EXIT_BAD;
		}
		if (overlaps(shdr.sh_offset, shdr.sh_size, 0, sizeof(Elf64_Ehdr)) ||
		    overlaps(shdr.sh_offset, shdr.sh_size, ehdr->e_shoff,
			     shdrs_size)) {
			error_at(file, "section %zu overlaps the ELF or section "
				 "headers", idx);
			return EXIT_BAD;
		}
	}
	return 0;
}

/* Returns 0 when done (or skipped), EXIT_BAD on bad section contents. */
static int decode_section(const char *file, Elf_Scn *scn, GElf_Shdr *shdr,
			  const char *name, off_t file_size, bool relocatable,
			  struct out *out)
{
	Elf_Data *data;

	if (shdr->sh_type == SHT_NOBITS)
		return 0;
	if (shdr->sh_offset > (uint64_t)file_size ||
	    shdr->sh_size > (uint64_t)file_size - shdr->sh_offset) {
		error_at(file, "section %s extends past the end of the file",
			 name);
		return EXIT_BAD;
	}
	if ((shdr->sh_flags & SHF_COMPRESSED) && elf_compress(scn, 0, 0) < 0) {
		error_at(file, "section %s: cannot decompress: %s", name,
			 elf_errmsg(-1));
		return EXIT_BAD;
	}
	data = elf_getdata(scn, NULL);
	if (!data && elf_errno()) {
		error_at(file, "section %s: %s", name, elf_errmsg(-1));
		return EXIT_BAD;
	}
	if (!data || !data->d_buf)
		return 0;
	decode_bytes(out, name, data->d_buf, data->d_size,
		     relocatable ? 0 : shdr->sh_addr);
	return 0;
}

static int decode_elf(const char *file, Elf *elf, off_t file_size,
		      const char *only)
{
	static struct out out;
	Elf_Scn *scn = NULL;
	GElf_Ehdr ehdr;
	size_t shstrndx;
	bool found = false;
	int err;

	err = check_header(file, elf, &ehdr, file_size);
	if (!err)
		err = check_sections(file, elf, &ehdr, file_size);
	if (err)
		return err;
	if (elf_getshdrstrndx(elf, &shstrndx) < 0) {
		error_at(file, "bad section header string table: %s",
			 elf_errmsg(-1));
		return EXIT_BAD;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *name;

		if (!gelf_getshdr(scn, &shdr)) {
			error_at(file, "bad section header: %s", elf_errmsg(-1));
			return EXIT_BAD;
		}
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (!name) {
			error_at(file, "section %zu has a bad name",
				 elf_ndxscn(scn));
			return EXIT_BAD;
		}
		if (only ? strcmp(name, only) : !(shdr.sh_flags & SHF_EXECINSTR))
			continue;
		found = true;
		err = decode_section(file, scn, &shdr, name, file_size,
				     ehdr.e_type == ET_REL, &out);
		if (err)
			break;
	}
	out_flush(&out);
	if (!err && elf_errno()) {
		error_at(file, "bad section headers: %s", elf_errmsg(-1));
		return EXIT_BAD;
	}
	if (!err && only && !found) {
		error_at(file, "no section %s", only);
		return EXIT_BAD;
	}
	return err;
}

int cmd_decode(int argc, char **argv)
{
	const char *file, *only;
	struct stat st;
	Elf *elf;
	int fd, status;

	if (argc < 2 || argc > 3)
		return usage_error("usage: scpatch decode FILE [SECTION]");
	file = argv[1];
	only = argc == 3 ? argv[2] : NULL;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		error_at(NULL, "libelf is out of date");
		return EXIT_BAD;
	}
	/* O_NONBLOCK: a FIFO must be refused below, not waited on. */
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0) {
		error_at(file, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_BAD;
	}
	if (!S_ISREG(st.st_mode)) {
		error_at(file, "not a regular file");
		close(fd);
		return EXIT_BAD;
	}
	/* private: decompressing writes section headers in libelf's copy */
	elf = elf_begin(fd, ELF_C_READ_MMAP_PRIVATE, NULL);
	if (!elf) {
		error_at(file, "%s", elf_errmsg(-1));
		close(fd);
		return EXIT_BAD;
	}
	status = decode_elf(file, elf, st.st_size, only);
	elf_end(elf);
	close(fd);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		error_at(NULL, "write error on standard output");
		return EXIT_BAD;
	}
	return status;
}
