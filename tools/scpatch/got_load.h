/* SPDX-License-Identifier: MIT */
/*
 * A trampoline's address loaded from the GOT into a register: is it for
 * a call (clang -fno-plt hoists `mov __SCT__x@GOTPCREL(%rip), %reg` and
 * calls `*%reg`: a call that can never be patched) or is the address only
 * taken (a function pointer: nothing to patch, nothing to report)?
 */
#ifndef SCPATCH_GOT_LOAD_H
#define SCPATCH_GOT_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "elf.h"

/*
 * LOAD is a decoded instruction at DATA[LOAD->addr - BASE] (BASE: the
 * address of DATA[0]).  True when LOAD is a 64-bit mov from memory into
 * a register and an indirect call or jmp through that same register
 * follows before END (the end of its function, an offset into DATA): the
 * register holds the trampoline there, as far as a scan in address order
 * can tell; also true when LOAD is not such a mov (we cannot tell, so it
 * is reported).  False when nothing up to END calls through the register.
 */
bool got_load_is_called(const uint8_t *data, uint64_t base, uint64_t end,
			const struct insn *load);

/* The same within the function around LOAD (decoded at its address in SEC,
 * whose bytes are DATA); true when no function symbol bounds it.  For
 * objects and linked files alike. */
bool got_load_called_in_func(struct obj *obj, struct section *sec,
			     const uint8_t *data, const struct insn *load);

#endif
