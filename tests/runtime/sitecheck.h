/* SPDX-License-Identifier: MIT */
/*
 * Test helper: reads this image's own .static_call_sites table (the bounds
 * come from the linker script fragment) and checks the bytes of each site
 * against what the patching rules say it must hold.  Independent of the
 * runtime's code: it decodes the table and the instructions itself.
 */
#ifndef SITECHECK_H
#define SITECHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <static_call.h>

extern const struct static_call_site __start_static_call_sites[]
	__attribute__((weak, visibility("hidden")));
extern const struct static_call_site __stop_static_call_sites[]
	__attribute__((weak, visibility("hidden")));

#define SC_MAX_SITES 4096

struct sc_census {
	int direct;		/* aligned, jumping straight to the target */
	int home;		/* on the link-time target (trampoline or PLT) */
	int unaligned;		/* of which unaligned */
	int wrong;		/* anything else */
	int total;
};

static __attribute__((unused)) uintptr_t sc_home[SC_MAX_SITES];

static inline uintptr_t sc_entry_key(const struct static_call_site *e)
{
	uintptr_t raw = (uintptr_t)&e->key + (intptr_t)e->key;
	uintptr_t key = raw & ~(uintptr_t)7;

	return (raw & 4) ? *(uintptr_t *)key : key;
}

static inline uintptr_t sc_entry_insn(const struct static_call_site *e)
{
	return (uintptr_t)&e->addr + (intptr_t)e->addr;
}

/* Length of the call/jmp/jcc at insn and its target; 0 if it is none. */
static inline int sc_decode(uintptr_t insn, uintptr_t *target)
{
	const unsigned char *p = (const unsigned char *)insn;
	int len = p[0] == 0xe8 || p[0] == 0xe9 ? 5 :
		  p[0] == 0x0f && (p[1] & 0xf0) == 0x80 ? 6 : 0;
	int32_t rel;

	if (!len)
		return 0;
	memcpy(&rel, p + len - 4, 4);
	*target = insn + len + rel;
	return len;
}

/* Records every site's link-time target; call before the first update. */
static inline void sc_snapshot(void)
{
	int i = 0;

	for (const struct static_call_site *e = __start_static_call_sites;
	     e < __stop_static_call_sites && i < SC_MAX_SITES; e++, i++)
		if (!sc_decode(sc_entry_insn(e), &sc_home[i]))
			sc_home[i] = 0;
}

static inline int sc_reaches(uintptr_t from, uintptr_t to)
{
	intptr_t d = (intptr_t)(to - from);

	return d == (int32_t)d;
}

/* Classifies the sites of key; want is where a patchable site must jump,
 * 0 before the first update (every site on its link-time target). */
static inline struct sc_census sc_census(const struct static_call_key *key, uintptr_t want)
{
	struct sc_census c = { 0, 0, 0, 0, 0 };
	int i = 0;

	for (const struct static_call_site *e = __start_static_call_sites;
	     e < __stop_static_call_sites && i < SC_MAX_SITES; e++, i++) {
		uintptr_t insn = sc_entry_insn(e), target;
		int len;

		if (sc_entry_key(e) != (uintptr_t)key)
			continue;
		c.total++;
		len = sc_decode(insn, &target);
		if (!len) {
			c.wrong++;
			continue;
		}
		if (!want || (insn + len - 4) % 4) {
			c.unaligned += !!((insn + len - 4) % 4);
			if (target == sc_home[i])
				c.home++;
			else
				c.wrong++;
		} else if (sc_reaches(insn + len, want)) {
			if (target == want)
				c.direct++;
			else
				c.wrong++;
		} else if (target == sc_home[i]) {
			c.home++;
		} else {
			c.wrong++;
		}
	}
	return c;
}

/* Where sites and trampoline go for func (docs/runtime.md). */
static inline uintptr_t sc_want(const struct static_call_key *key, void *func)
{
	if (!func)
		return (uintptr_t)key->tramp + STATIC_CALL_TRAMP_RET;
	if (func == (void *)__static_call_return0)
		return (uintptr_t)key->tramp + STATIC_CALL_TRAMP_RET0;
	return (uintptr_t)func;
}

/* 1 if some mapping of the process is writable and executable. */
static inline int sc_have_wx_mapping(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int wx = 0;

	if (!f)
		return 1;
	while (fgets(line, sizeof(line), f)) {
		char perms[8];

		if (sscanf(line, "%*s %7s", perms) == 1 &&
		    perms[1] == 'w' && perms[2] == 'x') {
			fprintf(stderr, "W+X mapping: %s", line);
			wx = 1;
		}
	}
	fclose(f);
	return wx;
}

#define SC_FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); exit(1); } while (0)

#endif
