/* SPDX-License-Identifier: MIT */
/*
 * Padding: DWARF 4 and 5 numbers that depend on code layout but carry no
 * relocation.  Each is recorded as a fix: a field whose new value is
 * map(end) - map(base) - extra, for two places in one padded section.
 * Addresses (which do carry relocations) are fixed with the others in
 * pad_relocs.c.  Not for use outside the padding pass.
 */
#ifndef SCPATCH_DWARF_FIX_H
#define SCPATCH_DWARF_FIX_H

#include "pad_internal.h"

enum dfix_kind {
	DFIX_FIXED,		/* little-endian, len bytes */
	DFIX_ULEB,		/* ULEB128 kept at len bytes */
	DFIX_SPECIAL,		/* a line-program special opcode */
};

struct dfix {
	struct section *dsec;
	uint64_t off;
	struct pad_sec *ps;
	uint64_t base, end;
	uint64_t extra;
	uint8_t kind, len;
	/* DFIX_SPECIAL */
	uint8_t opcode_base, line_range;
	int8_t line_base;
	int line_adv;
	uint8_t span;		/* bytes replaced: 2 when a const_add_pc
				 * right before it is folded in */
	bool no_grow;		/* the field must keep its size */
	uint32_t lsda;		/* 1 + index into dwarf_fixes.lsdas, 0 */
	bool done;		/* written elsewhere (a moved LSDA) */
};

/* An LSDA pad_lsda.c can rewrite elsewhere when a number outgrows its
 * field: no type table, no actions, so it ends with its call sites. */
struct lsda {
	struct eh_fde *f;
	struct reloc *ptr;	/* the FDE's pointer to it */
	struct section *ptr_sec;	/* .eh_frame */
	uint64_t start, end;	/* in f->lsda_sec */
	size_t first, n;	/* its fixes */
	bool movable;
};

struct dwarf_fixes {
	struct dfix *fixes;
	size_t n, cap;
	struct lsda *lsdas;
	size_t nlsdas;
	const char *why;	/* DWARF present but not understood */
	bool present;		/* some debug section refers to padded code */
};

/* Reads the DWARF of OBJ and records the fixes for padded sections;
 * sets dw->why when the DWARF cannot be followed. */
int dwarf_read(struct obj *obj, struct dwarf_fixes *dw,
	       struct pad_sec **secs, size_t nsecs);
/* True for debug sections whose relocations pad_relocs.c may follow. */
bool dwarf_handled(const struct dwarf_fixes *dw, const struct section *sec);
/* After planning: skips sites whose move a field cannot express. */
bool dwarf_check(struct dwarf_fixes *dw, struct pad_sec *ps);
int dwarf_rewrite(struct obj *obj, struct dwarf_fixes *dw);
void dwarf_free(struct dwarf_fixes *dw);

/* pad_lsda.c: fixes for the call-site tables of FDEs with an LSDA; the
 * ones followed are no longer frozen.  Call before eh_frame_mark(). */
int lsda_read(struct obj *obj, struct eh_frame *eh, struct dwarf_fixes *dw);
/* Writes a copy of every movable LSDA whose numbers outgrow their fields
 * at the end of its section, points its FDE there and marks its fixes
 * done.  Called by dwarf_rewrite(). */
int lsda_move(struct obj *obj, struct dwarf_fixes *dw);
/* Where a reference to OFF in padded code goes (a boundary or the byte). */
uint64_t dwarf_map(const struct pad_sec *ps, uint64_t off);

/* dwarf_line.c, called by dwarf_read() */
int dwarf_read_line(struct obj *obj, struct dwarf_fixes *dw,
		    struct pad_sec **secs, size_t nsecs);
int dwarf_add_fix(struct dwarf_fixes *dw, const struct dfix *f);

/* dwarf_splice.c: writes the sorted FIXES of section D, growing it when
 * a field needs more bytes; VALUE gives each fix's new number. */
int dwarf_splice(struct obj *obj, struct section *d, struct dfix *const *fixes,
		 size_t n, bool (*value)(const struct dfix *, uint64_t *));
/* The unit headers of D that dwarf_splice() rewrites when D grows are
 * well formed (unit lengths, list offset tables). */
bool dwarf_units_ok(struct obj *obj, struct section *d);

/* A reader over one debug section with its relocations. */
struct dreader {
	struct obj *obj;
	struct section *sec;
	const uint8_t *data;
	uint64_t pos, end;
	bool bad;
};

uint64_t dr_u(struct dreader *r, unsigned n);
/* Skips N bytes; past the end (or a length that wraps) makes R bad. */
void dr_skip(struct dreader *r, uint64_t n);
uint64_t dr_uleb(struct dreader *r);
int64_t dr_sleb(struct dreader *r);
/* A code address: known when relocated; ps is its section when that is
 * being padded. */
struct place {
	struct pad_sec *ps;
	uint64_t off;
	bool known;
};

/* Reads the N-byte address field at pos through its relocation. */
struct place dr_addr(struct dreader *r, struct pad_sec **secs, size_t nsecs,
		     unsigned n);
/* A section offset field (relocated against a debug section). */
uint64_t dr_offset(struct dreader *r, unsigned n);

#endif
