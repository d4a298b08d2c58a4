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
 * The file is opened through the object model, read-only, so that decode
 * refuses every damaged file the other commands refuse, with the same
 * message, even where the damage lies outside the code it prints.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "decode.h"
#include "diag.h"
#include "elf.h"

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

/* Prints the executable sections (or ONLY); 0, or EXIT_BAD after a message. */
static int decode_obj(struct obj *obj, const char *only)
{
	static struct out out;
	bool relocatable = obj_is_relocatable(obj);
	struct section *sec;
	bool found = false;
	int err = 0;

	if (!obj_nsections(obj)) {
		error_at(obj_path(obj), "no section headers");
		return EXIT_BAD;
	}
	obj_for_each_section(obj, sec) {
		const uint8_t *bytes;

		if (only ? strcmp(sec->name, only) :
		    !(sec->sh.sh_flags & SHF_EXECINSTR))
			continue;
		found = true;
		if (sec->sh.sh_type == SHT_NOBITS)
			continue;
		bytes = obj_section_data(obj, sec);
		if (!bytes) {
			error_at(obj_path(obj), "%s", obj_errmsg());
			err = EXIT_BAD;
			break;
		}
		decode_bytes(&out, sec->name, bytes, sec->size,
			     relocatable ? 0 : sec->sh.sh_addr);
	}
	out_flush(&out);
	if (!err && only && !found) {
		error_at(obj_path(obj), "no section %s", only);
		return EXIT_BAD;
	}
	return err;
}

int cmd_decode(int argc, char **argv)
{
	const char *file, *only;
	struct obj *obj;
	int status;

	if (argc < 2 || argc > 3)
		return usage_error("usage: scpatch decode FILE [SECTION]");
	file = argv[1];
	only = argc == 3 ? argv[2] : NULL;
	obj = obj_open(file, OBJ_READ);
	if (!obj) {
		error_at(file, "%s", obj_errmsg());
		return EXIT_BAD;
	}
	status = decode_obj(obj, only);
	obj_close(obj);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		error_at(NULL, "write error on standard output");
		return EXIT_BAD;
	}
	return status;
}
