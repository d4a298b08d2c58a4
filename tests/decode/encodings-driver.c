// SPDX-License-Identifier: MIT
/*
 * Checks arch_decode() against tests/decode/encodings.txt, a table of
 * encodings whose lengths, kinds and fields were written from the Intel SDM,
 * the AMD APM and the APX specification.  Each line:
 *
 *     BYTES | LEN KIND [disp=OFF/SIZE] [imm=OFF/SIZE] [target=0xHEX] [pcrel]
 *
 * Unlisted fields must be empty (size 0, no target, not pc-relative).
 * The instruction is at address 0x1000.  Every encoding and every truncation
 * of it is also decoded from the very end of a page followed by a PROT_NONE
 * page, so a read past `size` faults.  Built with ASan and UBSan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "decode.h"

#define ADDR 0x1000

static unsigned failures, checked;
static uint8_t *page_end;	/* first byte of the PROT_NONE page */

static void fail(int line, const char *text, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#include <stdarg.h>
static void fail(int line, const char *text, const char *fmt, ...)
{
	va_list ap;

	failures++;
	printf("FAIL line %d: %s: ", line, text);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int kind_by_name(const char *name)
{
	for (int k = INSN_INVALID; k <= INSN_TRAP; k++)
		if (!strcmp(insn_kind_name(k), name))
			return k;
	return -1;
}

/* Decodes from the end of the guarded page. */
static bool decode_at_page_end(const uint8_t *bytes, size_t n, struct insn *insn)
{
	memcpy(page_end - n, bytes, n);
	return arch_decode(page_end - n, n, ADDR, insn);
}

static void check_line(int line, char *text)
{
	uint8_t bytes[32];
	size_t n = 0;
	char *p = text, *bar = strchr(text, '|'), *tok;
	unsigned len = 0, doff = 0, dsize = 0, ioff = 0, isize = 0;
	unsigned long long target = 0;
	bool want_target = false, want_pcrel = false;
	int kind;
	struct insn insn;
	bool ok;

	if (!bar) {
		fail(line, text, "no '|'");
		return;
	}
	*bar = 0;
	while ((tok = strtok(p, " \t"))) {
		p = NULL;
		if (n == sizeof(bytes)) {
			fail(line, text, "too many bytes");
			return;
		}
		bytes[n++] = strtoul(tok, NULL, 16);
	}
	p = bar + 1;
	tok = strtok(p, " \t");
	len = tok ? atoi(tok) : 0;
	tok = strtok(NULL, " \t");
	kind = tok ? kind_by_name(tok) : -1;
	if (!len || kind < 0) {
		fail(line, text, "bad expectation");
		return;
	}
	while ((tok = strtok(NULL, " \t"))) {
		if (sscanf(tok, "disp=%u/%u", &doff, &dsize) == 2)
			continue;
		if (sscanf(tok, "imm=%u/%u", &ioff, &isize) == 2)
			continue;
		if (sscanf(tok, "target=%llx", &target) == 1) {
			want_target = true;
			continue;
		}
		if (!strcmp(tok, "pcrel")) {
			want_pcrel = true;
			continue;
		}
		fail(line, text, "unknown field %s", tok);
		return;
	}
	checked++;
	ok = arch_decode(bytes, n, ADDR, &insn);
	if (kind == INSN_INVALID) {
		if (ok || insn.len != 1 || insn.kind != INSN_INVALID)
			fail(line, text, "decoded as len %u kind %s, want invalid",
			     insn.len, insn_kind_name(insn.kind));
		return;
	}
	if (!ok || insn.len != len || insn.kind != kind) {
		fail(line, text, "got %s len %u kind %s, want len %u kind %s",
		     ok ? "valid" : "INVALID", insn.len,
		     insn_kind_name(insn.kind), len, insn_kind_name(kind));
		return;
	}
	if (insn.disp_size != dsize || (dsize && insn.disp_off != doff))
		fail(line, text, "disp %u/%u, want %u/%u", insn.disp_off,
		     insn.disp_size, doff, dsize);
	if (insn.imm_size != isize || (isize && insn.imm_off != ioff))
		fail(line, text, "imm %u/%u, want %u/%u", insn.imm_off,
		     insn.imm_size, ioff, isize);
	if (insn.has_target != want_target ||
	    (want_target && insn.target != target))
		fail(line, text, "target %d/0x%llx, want %d/0x%llx",
		     insn.has_target, (unsigned long long)insn.target,
		     want_target, target);
	if (insn.pc_relative != want_pcrel)
		fail(line, text, "pc_relative %d, want %d", insn.pc_relative,
		     want_pcrel);
	if (insn.addr != ADDR)
		fail(line, text, "addr 0x%llx", (unsigned long long)insn.addr);

	/* With any bytes after it, the length stays the same. */
	{
		uint8_t longer[48];

		memcpy(longer, bytes, n);
		memset(longer + n, 0x90, sizeof(longer) - n);
		if (!arch_decode(longer, sizeof(longer), ADDR, &insn) ||
		    insn.len != len)
			fail(line, text, "followed by more bytes: len %u", insn.len);
	}
	/* The whole instruction, and every truncation, at a page end. */
	if (!decode_at_page_end(bytes, len, &insn) || insn.len != len)
		fail(line, text, "at page end: len %u", insn.len);
	for (size_t k = 0; k < len; k++)
		if (decode_at_page_end(bytes, k, &insn) || insn.len != 1 ||
		    insn.kind != INSN_INVALID)
			fail(line, text, "truncated to %zu bytes: not invalid", k);
}

/* Random bytes at the page end: any read past size faults. */
static void random_at_page_end(unsigned rounds)
{
	struct insn insn;
	uint8_t bytes[15];
	unsigned seed = 12345;

	for (unsigned r = 0; r < rounds; r++) {
		for (int i = 0; i < 15; i++) {
			seed = seed * 1103515245 + 12345;
			bytes[i] = seed >> 16;
		}
		/* bias towards prefixes and escapes to reach deep paths */
		if (r & 1)
			bytes[0] = (uint8_t[]){ 0x0f, 0x62, 0xc4, 0xc5, 0x8f,
						0xd5, 0x66, 0x48 }[r >> 1 & 7];
		size_t n = (r >> 4) % 16;
		bool ok = decode_at_page_end(bytes, n, &insn);

		if (ok && (insn.len == 0 || insn.len > n || insn.len > 15)) {
			failures++;
			printf("FAIL random round %u: len %u of %zu\n", r,
			       insn.len, n);
		}
		if (!ok && (insn.len != 1 || insn.kind != INSN_INVALID)) {
			failures++;
			printf("FAIL random round %u: invalid with len %u\n", r,
			       insn.len);
		}
	}
}

int main(int argc, char **argv)
{
	long pagesize = sysconf(_SC_PAGESIZE);
	char text[512];
	int line = 0;
	FILE *table;
	uint8_t *map;

	if (argc != 2) {
		fprintf(stderr, "usage: %s TABLE\n", argv[0]);
		return 2;
	}
	map = mmap(NULL, 2 * pagesize, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED || mprotect(map + pagesize, pagesize, PROT_NONE)) {
		perror("mmap");
		return 2;
	}
	page_end = map + pagesize;
	table = fopen(argv[1], "r");
	if (!table) {
		perror(argv[1]);
		return 2;
	}
	while (fgets(text, sizeof(text), table)) {
		char *hash = strchr(text, '#');

		line++;
		if (hash)
			*hash = 0;
		text[strcspn(text, "\n")] = 0;
		if (strspn(text, " \t") == strlen(text))
			continue;
		check_line(line, text);
	}
	fclose(table);
	random_at_page_end(2000000);
	printf("%u encodings checked, %u failures\n", checked, failures);
	return failures ? 1 : 0;
}
