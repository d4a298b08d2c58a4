// SPDX-License-Identifier: MIT
/*
 * Lengths of arch_decode() against Zydis 4 over the whole opcode space:
 * every opcode of every map (legacy, 0F, 0F38, 0F3A, VEX 0F/0F38/0F3A,
 * EVEX 0F/0F38/0F3A/map 5/map 6, XOP 8/9/A) with every ModRM byte, under
 * several prefix sets, followed by random bytes; then random byte strings.
 * Wherever Zydis decodes an instruction, scpatch must decode one of the same
 * length, both with 15 bytes available and with exactly the instruction's
 * bytes (the two paths of the decoder).  One class is excluded and counted: Knights Corner
 * instructions (isa_set KNC*: Xeon Phi only; Zydis decodes them in ordinary
 * 64-bit mode) and nothing else.  Where Zydis rejects bytes that scpatch
 * accepts (undefined opcodes inside VEX/EVEX/XOP maps, mandatory-prefix and
 * ModRM.mod restrictions that do not change the length, APX that Zydis 4.0
 * does not know), the count is printed, not failed: docs/decoder.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <Zydis/Zydis.h>

#include "decode.h"

static ZydisDecoder zydis;
static unsigned long checked, agreed, knc, only_ours, failures;
static unsigned seed = 2026;

static unsigned next_random(void)
{
	seed = seed * 1103515245 + 12345;
	return seed >> 16;
}

static void check(const uint8_t *b, size_t n)
{
	ZydisDecodedInstruction zi;
	struct insn insn;
	bool zok, ok;

	checked++;
	zok = ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&zydis, NULL, b, n, &zi));
	ok = arch_decode(b, n, 0, &insn);
	if (!zok) {
		only_ours += ok;
		return;
	}
	if (!strncmp(ZydisISASetGetString(zi.meta.isa_set), "KNC", 3)) {
		knc++;
		return;
	}
	/* exactly as long as the instruction: the bounds-checked path */
	if (ok && insn.len == zi.length &&
	    arch_decode(b, zi.length, 0, &insn) && insn.len == zi.length) {
		agreed++;
		return;
	}
	if (++failures <= 30) {
		printf("FAIL: scpatch %s len %u, Zydis len %u:", ok ? "valid" : "invalid",
		       insn.len, zi.length);
		for (size_t i = 0; i < zi.length; i++)
			printf(" %02x", b[i]);
		printf("\n");
	}
}

/* prefix bytes, opcode map lead-in, then opcode, ModRM, random tail */
static void sweep(const uint8_t *lead, size_t nlead)
{
	uint8_t b[32];

	for (unsigned op = 0; op < 256; op++)
		for (unsigned modrm = 0; modrm < 256; modrm++) {
			memcpy(b, lead, nlead);
			b[nlead] = op;
			b[nlead + 1] = modrm;
			for (size_t i = nlead + 2; i < sizeof(b); i++)
				b[i] = next_random();
			check(b, 15);
		}
}

int main(void)
{
	static const struct { uint8_t bytes[6]; size_t n; } leads[] = {
		{ {0}, 0 }, { {0x66}, 1 }, { {0xf2}, 1 }, { {0xf3}, 1 },
		{ {0x67}, 1 }, { {0x48}, 1 }, { {0x66, 0x48}, 2 },
		{ {0x0f}, 1 }, { {0x66, 0x0f}, 2 }, { {0xf2, 0x0f}, 2 },
		{ {0xf3, 0x0f}, 2 }, { {0x48, 0x0f}, 2 },
		{ {0x0f, 0x38}, 2 }, { {0x66, 0x0f, 0x38}, 3 },
		{ {0xf2, 0x0f, 0x38}, 3 }, { {0xf3, 0x0f, 0x38}, 3 },
		{ {0x66, 0xf2, 0x0f, 0x38}, 4 }, { {0x0f, 0x3a}, 2 },
		{ {0x66, 0x0f, 0x3a}, 3 }, { {0xf3, 0x0f, 0x3a}, 3 },
		{ {0x66, 0xf3, 0x0f}, 3 }, { {0xf2, 0x66, 0x0f}, 3 },
		{ {0xc5, 0xf8}, 2 }, { {0xc5, 0xf9}, 2 }, { {0xc5, 0xfd}, 2 },
		{ {0xc5, 0xfa}, 2 }, { {0xc5, 0xfb}, 2 },
		{ {0xc4, 0xe2, 0x79}, 3 }, { {0xc4, 0xe2, 0xf9}, 3 },
		{ {0xc4, 0xe2, 0x78}, 3 }, { {0xc4, 0xe2, 0x7b}, 3 },
		{ {0xc4, 0xe3, 0x79}, 3 }, { {0xc4, 0xe3, 0xfd}, 3 },
		{ {0x62, 0xf1, 0x7c, 0x48}, 4 }, { {0x62, 0xf1, 0xfd, 0x48}, 4 },
		{ {0x62, 0xf2, 0x7d, 0x48}, 4 }, { {0x62, 0xf3, 0x7d, 0x48}, 4 },
		{ {0x62, 0xf5, 0x7c, 0x48}, 4 }, { {0x62, 0xf6, 0x7d, 0x48}, 4 },
		{ {0x8f, 0xe8, 0x78}, 3 }, { {0x8f, 0xe9, 0x78}, 3 },
		{ {0x8f, 0xea, 0x78}, 3 },
	};
	uint8_t b[16];

	ZydisDecoderInit(&zydis, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	for (size_t i = 0; i < sizeof(leads) / sizeof(leads[0]); i++)
		sweep(leads[i].bytes, leads[i].n);
	for (unsigned long r = 0; r < 3000000; r++) {
		for (int i = 0; i < 16; i++)
			b[i] = next_random();
		check(b, 15);
	}
	printf("%lu checked: %lu same length, %lu Knights Corner (excluded), "
	       "%lu valid only for scpatch, %lu length disagreements\n",
	       checked, agreed, knc, only_ours, failures);
	return failures ? 1 : 0;
}
