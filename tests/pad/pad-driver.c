// SPDX-License-Identifier: MIT
/*
 * Test driver for the padding pass until annotate calls it:
 *	pad-driver [-v] IN.o OUT.o
 * finds the sites (calls, jmps and jccs relocated against __SCT__), pads with pad_sites() and
 * writes OUT.o.  Prints one line per site:
 *	<section>+0x<old> -> +0x<new> aligned|unaligned [why]
 * Exit 0, or 2 on an error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "elf.h"
#include "pad.h"

/* A call, jmp or jcc whose rel32 is relocated against a __SCT__ symbol:
 * the sites of refs.c, found here with the object model only so that
 * the driver depends on nothing but elf.h and pad.h. */
static int find_sites(struct obj *obj, struct pad_site **out, size_t *n)
{
	struct section *sec;
	struct reloc *r;

	obj_for_each_section(obj, sec) {
		const uint8_t *d;

		if (!(sec->sh.sh_flags & SHF_EXECINSTR) || !sec->rela ||
		    obj_nrelocs(obj, sec) <= 0 || !(d = obj_section_data(obj, sec)))
			continue;
		obj_for_each_reloc(obj, sec, r) {
			uint64_t o = r->offset, site;
			void *p;

			if (!r->sym || strncmp(r->sym->name, "__SCT__", 7) ||
			    (r->type != R_X86_64_PLT32 && r->type != R_X86_64_PC32) ||
			    o < 1)
				continue;
			if (d[o - 1] == 0xe8 || d[o - 1] == 0xe9)
				site = o - 1;
			else if (o >= 2 && d[o - 2] == 0x0f &&
				 (d[o - 1] & 0xf0) == 0x80)
				site = o - 2;
			else
				continue;
			p = realloc(*out, (*n + 1) * sizeof(**out));
			if (!p)
				return -1;
			*out = p;
			(*out)[(*n)++] = (struct pad_site){ sec->idx, site, NULL };
		}
	}
	return 0;
}

static int cmp_site(const void *a, const void *b)
{
	const struct pad_site *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return (x->site > y->site) - (x->site < y->site);
}

int main(int argc, char **argv)
{
	struct pad_site *sites = NULL;
	size_t n = 0;
	struct obj *obj;
	int ret = 2;

	if (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = true;
		argv++;
		argc--;
	}
	if (argc != 3)
		return fprintf(stderr, "usage: pad-driver [-v] IN OUT\n"), 2;
	obj = obj_open(argv[1], OBJ_MODIFY);
	if (!obj) {
		error_at(argv[1], "%s", obj_errmsg());
		return 2;
	}
	if (find_sites(obj, &sites, &n))
		goto out;
	if (n)
		qsort(sites, n, sizeof(*sites), cmp_site);
	{
		uint64_t old[n + 1];

		for (size_t i = 0; i < n; i++)
			old[i] = sites[i].site;
		if (pad_sites(obj, sites, n))
			goto out;
		for (size_t i = 0; i < n; i++)
			printf("%s+0x%" PRIx64 " -> +0x%" PRIx64 " %s%s%s\n",
			       obj_section(obj, sites[i].sec)->name, old[i],
			       sites[i].site, sites[i].why ? "unaligned" :
			       "aligned", sites[i].why ? " " : "",
			       sites[i].why ? sites[i].why : "");
	}
	if (obj_write(obj, argv[2], OBJ_WRITE_ALWAYS)) {
		error_at(argv[2], "%s", obj_errmsg());
		goto out;
	}
	ret = 0;
out:
	obj_close(obj);
	free(sites);
	return ret;
}
