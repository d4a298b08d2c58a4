// SPDX-License-Identifier: MIT
/*
 * Test driver for the padding pass until annotate calls it:
 *	pad-driver [-v] IN.o OUT.o
 * finds the sites as annotate does (refs.h), pads with pad_sites() and
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
#include "refs.h"

int main(int argc, char **argv)
{
	struct view v;
	struct tramp_set t = { 0 };
	struct obj_ref *refs = NULL;
	struct pad_site *sites;
	size_t nrefs = 0, n = 0;
	struct obj *obj;
	int ret = 2;

	if (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = true;
		argv++;
		argc--;
	}
	if (argc != 3)
		return fprintf(stderr, "usage: pad-driver [-v] IN OUT\n"), 2;
	if (view_open(&v, argv[1], true))
		return 2;
	if (tramp_set_build(&v, &t) || obj_find_refs(&v, &t, &refs, &nrefs))
		return 2;
	sites = calloc(nrefs + 1, sizeof(*sites));
	for (size_t i = 0; i < nrefs; i++)
		if (refs[i].kind == SC_REF_SITE)
			sites[n++] = (struct pad_site){ refs[i].sec, refs[i].site,
							NULL };
	obj = obj_open(argv[1], OBJ_MODIFY);
	if (!obj) {
		error_at(argv[1], "%s", obj_errmsg());
		return 2;
	}
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
	free(refs);
	tramp_set_free(&t);
	view_close(&v);
	return ret;
}
