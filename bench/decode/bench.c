// SPDX-License-Identifier: MIT
/*
 * Decoder throughput on the same bytes, in the same run: scpatch's
 * arch_decode(), Zydis 4 in minimal mode (no operands) and Capstone with
 * detail off (cs_disasm_iter).  Each decoder walks the whole buffer
 * linearly, skipping one byte where it finds no instruction; the median of
 * RUNS passes is printed as CSV, referenced to Zydis minimal:
 *     decode,<metric>,<MB/s>,MB/s,Zydis minimal,<MB/s>
 * Progress and instruction counts (a sanity check that the three walked the
 * same stream) go to stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <Zydis/Zydis.h>
#include <capstone/capstone.h>

#include "decode.h"

#define RUNS 5

typedef size_t (*walker)(const uint8_t *buf, size_t size);

static size_t walk_scpatch(const uint8_t *buf, size_t size)
{
	struct insn insn;
	size_t n = 0;

	for (size_t off = 0; off < size; off += insn.len, n++)
		arch_decode(buf + off, size - off, off, &insn);
	return n;
}

static ZydisDecoder zydis;

static size_t walk_zydis(const uint8_t *buf, size_t size)
{
	ZydisDecodedInstruction insn;
	size_t n = 0;

	for (size_t off = 0; off < size; n++) {
		if (ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&zydis, NULL,
				buf + off, size - off, &insn)))
			off += insn.length;
		else
			off++;
	}
	return n;
}

static csh capstone;

static size_t walk_capstone(const uint8_t *buf, size_t size)
{
	cs_insn *insn = cs_malloc(capstone);
	const uint8_t *code = buf;
	uint64_t addr = 0;
	size_t left = size, n = 0;

	while (left) {
		if (!cs_disasm_iter(capstone, &code, &left, &addr, insn)) {
			code++;
			left--;
			addr++;
		}
		n++;
	}
	cs_free(insn, 1);
	return n;
}

/*
 * CPU time of this process: on a machine shared with other jobs, time spent
 * waiting for a core is not decoding (wall time swung by +-30% here, CPU
 * time by about 1%).  Cache interference from the other jobs still counts.
 */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct decoder {
	const char *name;
	walker walk;
	double mbs[RUNS];
	size_t count;
};

/*
 * Passes alternate between the decoders, so that a change in machine load
 * (other jobs on a shared machine) hits all of them alike; the median of
 * each decoder's passes is its figure.
 */
static void measure(struct decoder *d, int ndec, const uint8_t *buf,
		    size_t size, int runs)
{
	for (int r = 0; r < runs; r++)
		for (int k = 0; k < ndec; k++) {
			double t = now();

			d[k].count = d[k].walk(buf, size);
			t = now() - t;
			d[k].mbs[r] = size / t / 1e6;
		}
	for (int k = 0; k < ndec; k++) {
		qsort(d[k].mbs, runs, sizeof(d[k].mbs[0]), cmp_double);
		fprintf(stderr, "%-16s %10zu instructions, median %.1f MB/s "
			"(min %.1f, max %.1f)\n", d[k].name, d[k].count,
			d[k].mbs[runs / 2], d[k].mbs[0], d[k].mbs[runs - 1]);
	}
}

int main(int argc, char **argv)
{
	struct decoder d[] = {
		{ .name = "Zydis minimal", .walk = walk_zydis },
		{ .name = "scpatch", .walk = walk_scpatch },
		{ .name = "Capstone", .walk = walk_capstone },
	};
	uint8_t *buf;
	size_t size;
	FILE *f;
	int runs = RUNS;

	if (argc < 2) {
		fprintf(stderr, "usage: %s TEXT.bin [runs]\n", argv[0]);
		return 2;
	}
	if (argc > 2)
		runs = atoi(argv[2]) < 1 || atoi(argv[2]) > RUNS ? RUNS : atoi(argv[2]);
	f = fopen(argv[1], "rb");
	if (!f || fseek(f, 0, SEEK_END) || (long)(size = ftell(f)) < 0) {
		perror(argv[1]);
		return 2;
	}
	rewind(f);
	buf = malloc(size ? size : 1);
	if (!buf || fread(buf, 1, size, f) != size) {
		perror(argv[1]);
		return 2;
	}
	fclose(f);
	if (!ZYAN_SUCCESS(ZydisDecoderInit(&zydis, ZYDIS_MACHINE_MODE_LONG_64,
					   ZYDIS_STACK_WIDTH_64)) ||
	    !ZYAN_SUCCESS(ZydisDecoderEnableMode(&zydis,
					ZYDIS_DECODER_MODE_MINIMAL, ZYAN_TRUE))) {
		fprintf(stderr, "Zydis init failed\n");
		return 2;
	}
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &capstone) != CS_ERR_OK) {
		fprintf(stderr, "Capstone init failed\n");
		return 2;
	}
	fprintf(stderr, "%zu bytes of .text, %d runs each\n", size, runs);
	walk_scpatch(buf, size);	/* warm-up: page in the buffer */
	measure(d, 3, buf, size, runs);
	printf("decode,scpatch decoder,%.1f,MB/s,Zydis minimal,%.1f\n",
	       d[1].mbs[runs / 2], d[0].mbs[runs / 2]);
	printf("decode,Capstone (detail off),%.1f,MB/s,Zydis minimal,%.1f\n",
	       d[2].mbs[runs / 2], d[0].mbs[runs / 2]);
	cs_close(&capstone);
	free(buf);
	return 0;
}
