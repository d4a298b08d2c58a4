/* SPDX-License-Identifier: MIT */
/*
 * Static calls for user space: the Linux kernel's API (include/linux/
 * static_call.h) for C and C++ programs on x86-64 Linux.
 *
 *	DECLARE_STATIC_CALL(name, func);	in a header
 *	DEFINE_STATIC_CALL(name, func);		in one source file
 *	DEFINE_STATIC_CALL_NULL(name, func);	starts as a no-op
 *	DEFINE_STATIC_CALL_RET0(name, func);	starts returning 0
 *	EXPORT_STATIC_CALL(name);		BEFORE the DEFINE: key and
 *	EXPORT_STATIC_CALL_TRAMP(name);		trampoline visible to other images
 *	static_call(name)(args...)		a plain `call __SCT__name`
 *	static_call_cond(name)(args...)		void calls; NULL target = no-op
 *	static_call_update(name, func)		retarget: 0 or -errno
 *	static_call_query(name)			current target
 *	static_call_set_warning_handler(fn)	hears of updates that took
 *						effect but did not finish cleanly
 *
 * Build mode: compile with -DSTATIC_CALL_INDIRECT and static_call() becomes
 * an indirect call through the key, static_call_update() a store to it;
 * no code is ever written.  Every object of an image must agree.
 *
 * docs/runtime.md describes the trampoline layout and the patching rules.
 */
#ifndef SCPATCH_STATIC_CALL_H
#define SCPATCH_STATIC_CALL_H

#include "static_call_table.h"

#ifdef __cplusplus
#define __SC_EXTERN_C		extern "C"
#define __SC_DEFINE_C		extern "C"
#define __SC_EXTERN_C_BEGIN	extern "C" {
#define __SC_EXTERN_C_END	}
#else
#define __SC_EXTERN_C		extern
#define __SC_DEFINE_C
#define __SC_EXTERN_C_BEGIN
#define __SC_EXTERN_C_END
#endif

__SC_EXTERN_C_BEGIN

/* The key: the current target, and the trampoline that the runtime patches
 * together with the sites.  func is NULL for a no-op, __static_call_return0
 * for "return 0". */
struct static_call_key {
	void *func;
	void *tramp;
} __attribute__((aligned(8)));

/* Retargets every registered site of the key and its trampoline.  0: the
 * new target is live; -errno: nothing changed, every site and the
 * trampoline still reach the old target. */
int __static_call_update(struct static_call_key *key, void *func);

/*
 * An update whose stores were made but whose cleanup failed returns 0 (the
 * new target is live) and calls the warning handler after its lock is
 * released, once per failure: err is -errno, what says what failed and
 * what it means.  The two cases: restoring a code page to read+execute
 * failed, so the page stays writable and executable; or the
 * core-serializing membarrier failed, so another thread may run the old
 * target until its next serializing instruction.  The default handler
 * writes one line to stderr, once per case and process.  Returns the
 * previous handler; NULL restores the default.
 */
typedef void (*static_call_warning_fn)(int err, const char *what);
static_call_warning_fn static_call_set_warning_handler(static_call_warning_fn fn);
/* The RET0 target (a real function, so that the indirect mode and
 * static_call_query() can call it). */
long __static_call_return0(void);
/* The no-op that static_call_cond() calls in the indirect mode. */
void __static_call_nop(void);
/* How many images (executable, shared libraries) registered a table. */
int __scpatch_registered_images(void);

__SC_EXTERN_C_END

#define STATIC_CALL_KEY(name)		__SCK__##name
#define STATIC_CALL_TRAMP(name)		__SCT__##name
#define STATIC_CALL_SLOT(name)		__SCP__##name
#define STATIC_CALL_KEY_STR(name)	"__SCK__" #name
#define STATIC_CALL_TRAMP_STR(name)	"__SCT__" #name
#define STATIC_CALL_SLOT_STR(name)	"__SCP__" #name
#define STATIC_CALL_TRAMP_ADDR(name)	(&STATIC_CALL_TRAMP(name))

/*
 * Trampoline layout, 24 bytes, 8-byte aligned (docs/runtime.md):
 *	+0	endbr64			a PLT entry may jump here indirectly
 *	+4	nopl (%rax)
 *	+7	jmp rel32		rel32 at +8: one aligned 4-byte store
 *	+12	jmp *slot(%rip)		far stub, for targets beyond +-2 GiB
 *	+18	ret			the NULL target
 *	+19	xor %eax,%eax; ret	the RET0 target
 */
#define STATIC_CALL_TRAMP_JMP		7
#define STATIC_CALL_TRAMP_FAR		12
#define STATIC_CALL_TRAMP_RET		18
#define STATIC_CALL_TRAMP_RET0		19
#define STATIC_CALL_TRAMP_SIZE		24

#define __SC_STR(x)	#x
#define __SC_XSTR(x)	__SC_STR(x)

/*
 * Keys and trampolines are hidden unless exported.  The C declarations stay
 * default so that other images can name exported ones; the DEFINE hides the
 * symbols in assembly.  ELF visibility can only be narrowed, so the EXPORT
 * must come first; the other order is an assembler error that says so.
 */
#define EXPORT_STATIC_CALL(name)					\
	EXPORT_STATIC_CALL_TRAMP(name);					\
	__asm__(".set .L__sc_export_key_" #name ", 1")
#define EXPORT_STATIC_CALL_TRAMP(name)					\
	__asm__(".ifdef .L__sc_defined_" #name "\n\t"			\
		".error \"EXPORT_STATIC_CALL(" #name ") must come before "	\
		"DEFINE_STATIC_CALL(" #name ")\"\n\t"			\
		".endif\n\t"						\
		".set .L__sc_export_tramp_" #name ", 1")

#define __SC_HIDE(name)							\
	".set .L__sc_defined_" #name ", 1\n\t"				\
	".ifndef .L__sc_export_key_" #name "\n\t"			\
	".hidden " STATIC_CALL_KEY_STR(name) "\n\t"			\
	".endif\n\t"							\
	".ifndef .L__sc_export_tramp_" #name "\n\t"			\
	".hidden " STATIC_CALL_TRAMP_STR(name) "\n\t"			\
	".endif\n\t"

/* The slot of the far stub, and an int3 after the block so that nothing
 * falls through.  The R_X86_64_NONE relocation to the key makes every
 * trampoline distinct for identical-code folding (lld --icf=all). */
#define __SC_TRAMP_HEAD(name)						\
	".pushsection .static_call.text, \"ax\", @progbits\n\t"		\
	".balign 8\n\t"							\
	".globl " STATIC_CALL_TRAMP_STR(name) "\n\t"			\
	".type " STATIC_CALL_TRAMP_STR(name) ", @function\n\t"		\
	__SC_HIDE(name)							\
	STATIC_CALL_TRAMP_STR(name) ":\n\t"				\
	".byte 0xf3, 0x0f, 0x1e, 0xfa\n\t"				\
	".byte 0x0f, 0x1f, 0x00\n\t"					\
	".byte 0xe9\n\t"

#define __SC_TRAMP_TAIL(name)						\
	".byte 0xff, 0x25\n\t"						\
	".long " STATIC_CALL_SLOT_STR(name) " - (. + 4)\n\t"		\
	".byte 0xc3\n\t"						\
	".byte 0x31, 0xc0, 0xc3\n\t"					\
	".reloc ., R_X86_64_NONE, " STATIC_CALL_KEY_STR(name) "\n\t"	\
	".byte 0xcc, 0xcc\n\t"						\
	".size " STATIC_CALL_TRAMP_STR(name) ", "			\
		__SC_XSTR(STATIC_CALL_TRAMP_SIZE) "\n\t"		\
	".popsection"

/* The trampoline's first jump goes to func itself (C), to its far stub
 * (C++: the assembler cannot name a mangled function; the slot holds it
 * until the first update makes the jump direct), or to its own ret
 * or xor-ret. */
#define __SC_JMP_LOCAL(name, off)					\
	".long " STATIC_CALL_TRAMP_STR(name) " + " __SC_XSTR(off)	\
	" - (. + 4)\n\t"
#ifdef __cplusplus
#define __SC_JMP_FUNC(name, func)	__SC_JMP_LOCAL(name, STATIC_CALL_TRAMP_FAR)
#else
#define __SC_JMP_FUNC(name, func)					\
	".reloc ., R_X86_64_PLT32, " #func " - 4\n\t"			\
	".long 0\n\t"
#endif

#define __SC_DEFINE_TRAMP(name, jmp)					\
	__asm__(__SC_TRAMP_HEAD(name) jmp __SC_TRAMP_TAIL(name))

/* Pointers to functions in void * (the kernel's key layout), without
 * -Wpedantic's complaint about the conversion. */
#define __SC_VOIDP(f)		(__extension__ (void *)(f))
#define __SC_FUNCP(name, p)	(__extension__ (__typeof__(STATIC_CALL_TRAMP_ADDR(name)))(p))

/* Every macro that declares ends without its semicolon: the caller's. */
#define DECLARE_STATIC_CALL(name, func)					\
	__SC_EXTERN_C struct static_call_key STATIC_CALL_KEY(name);	\
	__SC_EXTERN_C __typeof__(func) STATIC_CALL_TRAMP(name)

#ifndef STATIC_CALL_INDIRECT

#define __SC_DEFINE_KEY(name, func, init)				\
	DECLARE_STATIC_CALL(name, func);				\
	__SC_EXTERN_C_BEGIN						\
	__attribute__((visibility("hidden"))) void *STATIC_CALL_SLOT(name) = \
		__SC_VOIDP(init);					\
	struct static_call_key STATIC_CALL_KEY(name) = {		\
		__SC_VOIDP(init), __SC_VOIDP(STATIC_CALL_TRAMP_ADDR(name)) \
	};								\
	__SC_EXTERN_C_END

#define DEFINE_STATIC_CALL(name, func)					\
	__SC_DEFINE_KEY(name, func, &func)				\
	__SC_DEFINE_TRAMP(name, __SC_JMP_FUNC(name, func))
#define DEFINE_STATIC_CALL_NULL(name, func)				\
	__SC_DEFINE_KEY(name, func, 0)					\
	__SC_DEFINE_TRAMP(name, __SC_JMP_LOCAL(name, STATIC_CALL_TRAMP_RET))
#define DEFINE_STATIC_CALL_RET0(name, func)				\
	__SC_DEFINE_KEY(name, func, &__static_call_return0)		\
	__SC_DEFINE_TRAMP(name, __SC_JMP_LOCAL(name, STATIC_CALL_TRAMP_RET0))

/*
 * A call names the trampoline directly, so that every compiler at every
 * optimisation level emits `call __SCT__name` (a comma expression keeps
 * the direct call at -O0; a statement expression yielding the function
 * would not).  The R_X86_64_NONE relocation in .discard.static_call_keys
 * puts the key in the object's symbol table, where the annotator looks it
 * up.  The section is SHF_EXCLUDE: linkers drop it unread (GNU ld rejects
 * even a NONE relocation in a kept non-allocated section against a key
 * exported by another library), so it costs nothing in the output.
 * (.globl: clang 14 writes symbol 0 for a .reloc to a symbol that nothing
 * else names; the byte keeps the relocation inside its section.)
 */
#define __SC_KEY_USED(name)						\
	(__extension__({ __asm__(".pushsection .discard.static_call_keys, \"e\", @progbits\n\t" \
				 ".globl " STATIC_CALL_KEY_STR(name) "\n\t" \
				 ".reloc ., R_X86_64_NONE, " STATIC_CALL_KEY_STR(name) "\n\t" \
				 ".byte 0\n\t"				\
				 ".popsection"); }))
#define static_call(name)	(__SC_KEY_USED(name), STATIC_CALL_TRAMP(name))
#define static_call_cond(name)	(void)static_call(name)

#define __static_call_set(key, func)	__static_call_update(key, func)

#else /* STATIC_CALL_INDIRECT */

#define __SC_DEFINE_KEY(name, func, init)				\
	DECLARE_STATIC_CALL(name, func);				\
	__SC_DEFINE_C struct static_call_key STATIC_CALL_KEY(name) =	\
		{ __SC_VOIDP(init), 0 }
#define DEFINE_STATIC_CALL(name, func)	__SC_DEFINE_KEY(name, func, &func)
#define DEFINE_STATIC_CALL_NULL(name, func) __SC_DEFINE_KEY(name, func, 0)
#define DEFINE_STATIC_CALL_RET0(name, func)				\
	__SC_DEFINE_KEY(name, func, &__static_call_return0)

static inline void *__static_call_cond_func(void *func)
{
	return func ? func : __SC_VOIDP(&__static_call_nop);
}
#define static_call(name)						\
	__SC_FUNCP(name, __atomic_load_n(&STATIC_CALL_KEY(name).func,	\
					 __ATOMIC_RELAXED))
#define static_call_cond(name)						\
	(void)__SC_FUNCP(name, __static_call_cond_func(__atomic_load_n(	\
			&STATIC_CALL_KEY(name).func, __ATOMIC_RELAXED)))

static inline int __static_call_set(struct static_call_key *key, void *func)
{
	__atomic_store_n(&key->func, func, __ATOMIC_RELEASE);
	return 0;
}

#endif /* STATIC_CALL_INDIRECT */

/*
 * Updating with a function of another type is a compile error: C++ rejects
 * the conversion itself, C checks it with _Generic (NULL is allowed, for
 * static_call_cond()).
 */
#ifdef __cplusplus
#define __SC_TYPECHECK(name, func)	((void)0)
#else
#define __SC_TYPECHECK(name, func)					\
	_Static_assert(_Generic((func),					\
		__typeof__(STATIC_CALL_TRAMP_ADDR(name)): 1,		\
		void *: 1, default: 0),					\
		"static_call_update(" #name ", ...): wrong function type")
#endif

#define static_call_update(name, func)					\
	(__extension__({						\
		__SC_TYPECHECK(name, func);				\
		__typeof__(STATIC_CALL_TRAMP_ADDR(name)) __sc_f = (func); \
		__static_call_set(&STATIC_CALL_KEY(name), __SC_VOIDP(__sc_f)); \
	}))

#define static_call_query(name)						\
	__SC_FUNCP(name, __atomic_load_n(&STATIC_CALL_KEY(name).func,	\
					 __ATOMIC_ACQUIRE))

#endif /* SCPATCH_STATIC_CALL_H */
