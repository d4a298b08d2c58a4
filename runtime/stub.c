// SPDX-License-Identifier: MIT
/*
 * The per-image stub (libscpatch_stub.a), linked into every executable and
 * shared library by `pkg-config --libs scpatch`: it hands the image's table,
 * bounded by the linker script fragment, to the one registry of the process
 * (libscpatch.so) when the image is loaded, and takes it back when the image
 * is unloaded.  Annotated objects reference the anchor so that the stub is
 * linked even into an image that calls nothing of the runtime.
 */
#include "runtime.h"

extern const struct static_call_site __start_static_call_sites[]
	__attribute__((weak, visibility("hidden")));
extern const struct static_call_site __stop_static_call_sites[]
	__attribute__((weak, visibility("hidden")));

/* In .data, so that every image has the .data output section that the
 * linker script fragment inserts the table after (lld refuses to INSERT
 * after a section that does not exist, e.g. in a small non-PIE program). */
__attribute__((visibility("hidden"), used, section(".data")))
char __scpatch_stub_anchor[1] = { 0 };

__attribute__((constructor(101))) static void register_image(void)
{
	__scpatch_register(__start_static_call_sites, __stop_static_call_sites,
			   __scpatch_stub_anchor);
}

__attribute__((destructor(101))) static void unregister_image(void)
{
	__scpatch_unregister(__scpatch_stub_anchor);
}
