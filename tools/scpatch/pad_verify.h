/* SPDX-License-Identifier: MIT */
/*
 * Padding: translation validation of the fix-ups (pad_verify.c).  What
 * pad_validate.c proves about the bytes of each section, this proves about
 * everything that refers to them: relocations in and into the padded code,
 * symbols and .eh_frame FDEs.  The original state is taken just before the
 * pass commits, and compared with the committed object before it can be
 * written.
 */
#ifndef SCPATCH_PAD_VERIFY_H
#define SCPATCH_PAD_VERIFY_H

#include <stddef.h>

struct obj;
struct pad_sec;
struct pad_verify;

/*
 * Takes what the checks compare against from the object as it is before
 * the commit (SECS: the pass's sections by index).  *OUT is NULL when no
 * section is padded.  Returns -1 when out of memory.
 */
int pad_verify_prepare(struct obj *obj, struct pad_sec **secs, size_t nsecs,
		       struct pad_verify **out);
/*
 * After the commit: 0 when every relocation, symbol and FDE maps to its
 * original; else -1 after printing the first place that does not (then
 * the object must not be written).
 */
int pad_verify(struct pad_verify *pv);
void pad_verify_free(struct pad_verify *pv);

#endif
