// SPDX-License-Identifier: MIT
/*
 * Updates that took effect but did not finish cleanly: restoring a code
 * page's protection failed (it stays writable and executable), or the
 * core-serializing membarrier failed (another core may run the previous
 * target until its next serializing event).  static_call_update() returns
 * 0 then, since the new target is live and a caller that saw an error
 * would believe the old one still is; the warning handler hears of it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "runtime.h"
#include "static_call.h"

static const char *const what[SC_WARN_KINDS] = {
	[SC_WARN_PROTECT] = "restoring the protection of code pages failed, "
			    "a page may stay writable and executable",
	[SC_WARN_SYNC] = "the core-serializing membarrier failed, other threads "
			 "may run the previous target for a while",
};

static static_call_warning_fn handler;

/* One line on stderr, once per kind and process: a library that writes to
 * stderr on every update would flood it. */
static void default_handler(int err, const char *text)
{
	static int said;
	char buf[64];
	int bit = text == what[SC_WARN_SYNC] ? 2 : 1;

	if (__atomic_fetch_or(&said, bit, __ATOMIC_RELAXED) & bit)
		return;
	fprintf(stderr, "scpatch: static_call_update: %s: %s (reported once)\n",
		text, strerror_r(-err, buf, sizeof(buf)));
}

SC_EXPORT static_call_warning_fn
static_call_set_warning_handler(static_call_warning_fn fn)
{
	static_call_warning_fn prev = __atomic_exchange_n(&handler, fn,
							   __ATOMIC_ACQ_REL);

	return prev ? prev : default_handler;
}

/* Outside the registry lock: a handler may update static calls itself. */
void sc_report_warnings(const struct sc_warnings *w)
{
	for (int k = 0; k < SC_WARN_KINDS; k++) {
		static_call_warning_fn fn;

		if (!w->err[k])
			continue;
		fn = __atomic_load_n(&handler, __ATOMIC_ACQUIRE);
		(fn ? fn : default_handler)(w->err[k], what[k]);
	}
}
