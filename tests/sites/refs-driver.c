// SPDX-License-Identifier: MIT
/* Test driver for sites.h: prints sc_find_refs() of a file, one per line:
 * KIND ADDR(hex) NAME call|tail. */
#include <stdio.h>
#include <inttypes.h>
#include "sites.h"
int main(int argc, char **argv)
{
	struct sc_file *f = sc_open(argv[1]);
	struct sc_ref *r; size_t n;
	if (!f || sc_find_refs(f, &r, &n)) return 2;
	for (size_t i = 0; i < n; i++)
		printf("%s %" PRIx64 " %s %s\n", sc_ref_kind_name(r[i].kind),
		       r[i].addr, r[i].name, r[i].flags & 1 ? "tail" : "call");
	sc_close(f);
	return 0;
}
