// SPDX-License-Identifier: MIT
/*
 * static_call_update(): retarget a key's trampoline and every registered
 * site, with the rules of DESIGN.md ("Runtime patching rules"):
 *   - verify each site's bytes first; leave anything unexpected alone;
 *   - write only aligned 4-byte rel32 fields, one store each;
 *   - make the pages RX -> RWX -> RX, all of them before the first write,
 *     so that a refusal (PR_SET_MDWE, SELinux execmod) changes nothing;
 *   - one core-serializing membarrier before returning.
 * An update that needs an image that did not register runs inside a
 * dl_iterate_phdr() callback, where the loader unmaps nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runtime.h"
#include "static_call.h"

/* One pending aligned 4-byte store into code: rel at at, so that the
 * jump goes to at + 4 + rel. */
struct sc_write {
	uintptr_t at;
	struct sc_site *site;	/* NULL for the trampoline */
	int32_t rel;
	int prot;		/* the page's protection to restore */
};

struct sc_plan {
	struct sc_write *writes;
	size_t n, max;
	uintptr_t tramp, page_size;
	struct sc_view view;		/* of the trampoline's image */
	bool pinned;		/* no image can be unmapped meanwhile */
	bool needs_pin;		/* an image that did not register was needed */
	struct sc_warnings warn;
};

/* update_locked() could not go on without an image that did not register:
 * run it again where no image can be unmapped.  Not an errno. */
#define SC_NEEDS_PIN	(-4096 - 1)

static int32_t read_rel32(uintptr_t at)
{
	int32_t v;

	memcpy(&v, (const void *)at, 4);
	return v;
}

static bool rel32_reaches(uintptr_t from, uintptr_t to, int32_t *rel)
{
	intptr_t d = (intptr_t)(to - from);

	if (d != (int32_t)d)
		return false;
	*rel = (int32_t)d;
	return true;
}

/* Where a site or the trampoline jumps for func: NULL and RET0 go to the
 * trampoline's own ret and xor-ret, which keeps them one store away. */
static uintptr_t code_target(uintptr_t tramp, void *func)
{
	if (!func)
		return tramp + STATIC_CALL_TRAMP_RET;
	if (func == (void *)&__static_call_return0)
		return tramp + STATIC_CALL_TRAMP_RET0;
	return (uintptr_t)func;
}

static const uint8_t tramp_head[] = {
	0xf3, 0x0f, 0x1e, 0xfa, 0x0f, 0x1f, 0x00, 0xe9
};

static bool is_trampoline(uintptr_t t)
{
	const uint8_t *p = (const uint8_t *)t;

	return !((t + STATIC_CALL_TRAMP_JMP + 1) & 3) &&
	       !memcmp(p, tramp_head, sizeof(tramp_head)) &&
	       p[STATIC_CALL_TRAMP_FAR] == 0xff &&
	       p[STATIC_CALL_TRAMP_FAR + 1] == 0x25;
}

/* A call, jmp or jcc at insn: the length, or 0 for anything else. */
static int branch_len(const struct sc_image *img, uintptr_t insn)
{
	const uint8_t *p = (const uint8_t *)insn;

	if (p[0] == 0xe8 || p[0] == 0xe9)
		return 5;
	if (p[0] == 0x0f && (p[1] & 0xf0) == 0x80 &&
	    sc_find_range(img->view.loads, img->view.nloads, insn, 6))
		return 6;
	return 0;
}

/* The image that contains addr: from the registry, where the lock keeps it
 * mapped; else from /proc/self/maps, but only where no image can be
 * unmapped meanwhile (plan->pinned). */
static bool image_view(struct sc_plan *plan, uintptr_t addr, struct sc_view *v)
{
	if (addr == plan->tramp && plan->view.nloads) {
		*v = plan->view;
		return true;
	}
	if (sc_registered_view(addr, v))
		return true;
	if (!plan->pinned) {
		plan->needs_pin = true;
		*v = (struct sc_view){ 0 };
		return false;
	}
	return sc_maps_view(addr, v);
}

static const uint8_t *skip_endbr64(const uint8_t *p)
{
	return p[0] == 0xf3 && p[1] == 0x0f && p[2] == 0x1e && p[3] == 0xfa ?
	       p + 4 : p;
}

/* The GOT slot through which the PLT entry at entry of image v jumps
 * (lazy .plt, IBT .plt.sec, .plt.got, lld; jmp *slot(%rip), after an
 * endbr64 and a bnd prefix), or 0 if entry is none. */
static uintptr_t plt_slot(const struct sc_view *v, uintptr_t entry)
{
	const struct sc_range *code = sc_find_range(v->loads, v->nloads, entry, 16);
	const uint8_t *p = (const uint8_t *)entry;
	uintptr_t slot;

	if (!code || !(code->prot & PROT_EXEC))
		return 0;
	p = skip_endbr64(p);
	if (p[0] == 0xf2)
		p++;
	if (p[0] != 0xff || p[1] != 0x25)
		return 0;
	slot = (uintptr_t)p + 6 + read_rel32((uintptr_t)p + 2);
	if (!sc_find_range(v->loads, v->nloads, slot, 8) || (slot & 7))
		return 0;
	return slot;
}

/* The PLT relocation index that the lazy-binding stub at at pushes (push
 * $index, after an endbr64 in IBT .plt sections), or -1 if at is none. */
static int64_t lazy_index(const struct sc_view *v, uintptr_t at)
{
	const struct sc_range *code = sc_find_range(v->loads, v->nloads, at, 9);
	const uint8_t *p = (const uint8_t *)at;

	if (!code || !(code->prot & PROT_EXEC))
		return -1;
	p = skip_endbr64(p);
	if (p[0] != 0x68)
		return -1;
	return (uint32_t)read_rel32((uintptr_t)p + 1);
}

/*
 * Whether the PLT entry at entry of image v leads to target: its GOT slot
 * holds target; or it is not bound yet, and the R_X86_64_JUMP_SLOT
 * relocation that its lazy stub binds names a symbol (starting with prefix)
 * that target's image defines at target.  Any other unbound entry leads
 * somewhere else.
 */
static bool plt_leads_to(struct sc_plan *plan, const struct sc_view *v,
			 uintptr_t entry, uintptr_t target, const char *prefix)
{
	uintptr_t slot = plt_slot(v, entry), value;
	struct sc_view tv;
	const char *name;
	int64_t index;

	if (!slot)
		return false;
	value = __atomic_load_n((const uintptr_t *)slot, __ATOMIC_RELAXED);
	if (value == target)
		return true;
	index = lazy_index(v, value);
	if (index < 0)
		return false;
	name = sc_plt_symbol(v, slot, (uint32_t)index);
	return name && !strncmp(name, prefix, strlen(prefix)) &&
	       image_view(plan, target, &tv) && sc_defines(&tv, name, target);
}

/* What a function address leads to: the GOT value when it is a PLT entry
 * (a non-PIE program's canonical PLT entry for a library function). */
static uintptr_t through_plt(struct sc_plan *plan, uintptr_t func)
{
	struct sc_view v;
	uintptr_t slot;

	if (!image_view(plan, func, &v) || !(slot = plt_slot(&v, func)))
		return func;
	return __atomic_load_n((const uintptr_t *)slot, __ATOMIC_RELAXED);
}

/* The trampoline's link-time jump to a preemptible func goes through a PLT
 * entry of its own image, to func or to what func's PLT entry leads to. */
static bool tramp_plt_to(struct sc_plan *plan, uintptr_t entry, uintptr_t func)
{
	uintptr_t real;

	if (!func || !plt_slot(&plan->view, entry))
		return false;
	if (plt_leads_to(plan, &plan->view, entry, func, ""))
		return true;
	real = through_plt(plan, func);
	return real != func && plt_leads_to(plan, &plan->view, entry, real, "");
}

static int add_write(struct sc_plan *plan, uintptr_t at, int32_t rel, int prot,
		     struct sc_site *site)
{
	if (plan->n == plan->max) {
		size_t max = plan->max ? 2 * plan->max : 64;
		struct sc_write *w = realloc(plan->writes, max * sizeof(*w));

		if (!w)
			return -ENOMEM;
		plan->writes = w;
		plan->max = max;
	}
	plan->writes[plan->n++] = (struct sc_write){ at, site, rel, prot };
	return 0;
}

/* The new rel32 of one site, if it needs a store. */
static int plan_site(struct sc_plan *plan, struct sc_image *img,
		     struct sc_site *s, void *old, void *func)
{
	int len = branch_len(img, s->insn);
	uintptr_t field = s->insn + len - 4, end = s->insn + len, cur, want;
	int32_t rel;

	if (!len)
		return 0;		/* a breakpoint, or not a branch */
	cur = end + read_rel32(field);
	if (!s->home) {
		if (cur != plan->tramp &&
		    !plt_leads_to(plan, &img->view, cur, plan->tramp,
				  STATIC_CALL_TRAMP_PREFIX))
			return 0;	/* a stale table */
		s->home = cur;
	} else if (cur != s->home && cur != s->written &&
		   cur != code_target(plan->tramp, old) &&
		   cur != code_target(plan->tramp, func)) {
		return 0;		/* rewritten by someone else */
	}
	if (field & 3)
		return 0;		/* unaligned: stays on its trampoline */
	want = code_target(plan->tramp, func);
	if (!rel32_reaches(end, want, &rel)) {
		want = s->home;
		rel = (int32_t)(want - end);
	}
	if (want == cur)
		return 0;
	return add_write(plan, field, rel,
			 sc_find_range(img->view.loads, img->view.nloads, field, 4)->prot, s);
}

static int plan_sites(struct sc_plan *plan, uintptr_t key, void *old, void *func)
{
	for (struct sc_image *img = sc_images(); img; img = img->next) {
		struct sc_site *s;
		size_t n;
		int err;

		if (img->start == img->stop)
			continue;	/* registered for its segments only */
		err = sc_index_image(img);
		if (err)
			return err;
		s = sc_find_sites(img, key, &n);
		for (size_t i = 0; i < n; i++) {
			err = plan_site(plan, img, &s[i], old, func);
			if (err)
				return err;
		}
	}
	return 0;
}

/* The trampoline's jump: to the target when rel32 reaches it, else to the
 * far stub, whose slot must then hold func before the jump is written. */
static int plan_trampoline(struct sc_plan *plan, void *old, void *func,
			   void ***far_slot)
{
	uintptr_t t = plan->tramp, end = t + STATIC_CALL_TRAMP_FAR;
	uintptr_t far = t + STATIC_CALL_TRAMP_FAR, cur, want, slot;
	const struct sc_range *code, *data;
	int32_t rel;

	code = sc_find_range(plan->view.loads, plan->view.nloads, t,
			     STATIC_CALL_TRAMP_SIZE);
	if (!code || !(code->prot & PROT_EXEC) || !is_trampoline(t))
		return -EINVAL;
	slot = far + 6 + read_rel32(far + 2);
	cur = end + read_rel32(end - 4);
	want = code_target(t, func);
	/* Its link-time jump may go through a PLT entry to a preemptible func. */
	if (cur != code_target(t, old) && cur != far && cur != want &&
	    !tramp_plt_to(plan, cur, (uintptr_t)old))
		return -EINVAL;		/* not ours any more: change nothing */
	*far_slot = NULL;
	if (!rel32_reaches(end, want, &rel)) {
		data = sc_find_range(plan->view.loads, plan->view.nloads, slot, 8);
		if (!data || !(data->prot & PROT_WRITE) || (slot & 7))
			return -EINVAL;
		*far_slot = (void **)slot;
		want = far;
		rel = (int32_t)(far - end);
	}
	if (want == cur)
		return 0;
	return add_write(plan, end - 4, rel, code->prot, NULL);
}

static int write_order(const void *a, const void *b)
{
	const struct sc_write *x = a, *y = b;

	return (x->at > y->at) - (x->at < y->at);
}

/* Orders the writes by address for batching page by page.  They come in
 * order already (the trampoline's first, then each image's sites in table
 * order), so this is usually one pass and one insertion. */
static void order_writes(struct sc_write *w, size_t n)
{
	size_t i = 2, pos = 1;
	struct sc_write first;

	while (i < n && w[i - 1].at <= w[i].at)
		i++;
	if (i < n) {
		qsort(w, n, sizeof(*w), write_order);
		return;
	}
	if (n < 2 || w[0].at <= w[1].at)
		return;
	first = w[0];
	while (pos < n && w[pos].at < first.at)
		pos++;
	memmove(w, w + 1, (pos - 1) * sizeof(*w));
	w[pos - 1] = first;
}

/* Calls mprotect on each run of consecutive pages of writes[0..n), with
 * prot|extra.  Making pages writable (extra != 0) stops at the first
 * failure and returns how far it got; restoring (extra == 0) goes on
 * through failures, so that no other run stays writable, keeps the first
 * error and returns n. */
static size_t protect_runs(struct sc_plan *plan, size_t n, int extra, int *err)
{
	size_t i = 0;

	while (i < n) {
		uintptr_t lo = plan->writes[i].at & ~(plan->page_size - 1);
		uintptr_t hi = lo + plan->page_size;
		int prot = plan->writes[i].prot;
		size_t j = i + 1;

		for (; j < n && plan->writes[j].prot == prot &&
		       plan->writes[j].at < hi + plan->page_size; j++)
			hi = (plan->writes[j].at & ~(plan->page_size - 1)) +
			     plan->page_size;
		if (mprotect((void *)lo, hi - lo, prot | extra)) {
			if (!*err)
				*err = -errno;
			if (extra)
				return i;
		}
		i = j;
	}
	return n;
}

/* A protection that could not be restored leaves a page writable and
 * executable: said, not hidden. */
static void restore_runs(struct sc_plan *plan, size_t n)
{
	int err = 0;

	protect_runs(plan, n, 0, &err);
	if (err && !plan->warn.err[SC_WARN_PROTECT])
		plan->warn.err[SC_WARN_PROTECT] = err;
}

/* Returns 0 once the new target is live, else -errno and nothing changed.
 * What fails after the stores (restoring the protection, the barrier) no
 * longer undoes them: it becomes a warning. */
static int apply(struct sc_plan *plan, struct static_call_key *key, void *func,
		 void **far_slot)
{
	size_t done;
	int err = 0;

	order_writes(plan->writes, plan->n);
	done = protect_runs(plan, plan->n, PROT_WRITE, &err);
	if (done < plan->n) {
		/* Every run, the failed one too: Linux may have changed part
		 * of a range before mprotect failed.  Restoring a page that
		 * was never made writable changes nothing. */
		restore_runs(plan, plan->n);
		return err;
	}
	__atomic_store_n(&key->func, func, __ATOMIC_RELEASE);
	if (far_slot)
		__atomic_store_n(far_slot, func, __ATOMIC_RELEASE);
	for (size_t i = 0; i < plan->n; i++) {
		struct sc_write *w = &plan->writes[i];

		__atomic_store_n((int32_t *)w->at, w->rel, __ATOMIC_RELAXED);
		if (w->site)	/* recognised later even if skipped meanwhile */
			w->site->written = w->at + 4 + w->rel;
	}
	restore_runs(plan, plan->n);
	if (plan->n)
		plan->warn.err[SC_WARN_SYNC] = sc_sync_cores();
	return 0;
}

/* pinned: no image can be unmapped meanwhile, so that images that did not
 * register may be used; else SC_NEEDS_PIN when one is needed. */
static int update_locked(struct static_call_key *key, void *func, bool pinned,
			 struct sc_warnings *warn)
{
	struct sc_plan plan = { .tramp = (uintptr_t)key->tramp,
				.page_size = (uintptr_t)sysconf(_SC_PAGESIZE),
				.pinned = pinned };
	void *old = key->func, **far_slot = NULL;
	int err;

	err = sc_membarrier_status();
	if (err)
		return err;
	if (!image_view(&plan, plan.tramp, &plan.view))
		err = -EINVAL;
	if (!err)
		err = plan_trampoline(&plan, old, func, &far_slot);
	if (!err)
		err = plan_sites(&plan, (uintptr_t)key, old, func);
	if (plan.needs_pin)
		err = SC_NEEDS_PIN;	/* nothing written yet */
	if (!err)
		err = apply(&plan, key, func, far_slot);
	*warn = plan.warn;
	free(plan.writes);
	return err;
}

struct pinned_update {
	struct static_call_key *key;
	void *func;
	struct sc_warnings warn;
	int err;
	bool done;
};

/* glibc runs dl_iterate_phdr() callbacks under the lock with which
 * dlclose() removes and unmaps objects: no image goes away meanwhile.  Our
 * lock is taken inside (loader lock, then registry lock), never the other
 * way round: nothing calls the loader while holding the registry lock. */
static int update_pinned(struct dl_phdr_info *info, size_t size, void *data)
{
	struct pinned_update *u = data;

	(void)info;
	(void)size;
	sc_lock();
	u->err = update_locked(u->key, u->func, true, &u->warn);
	sc_unlock();
	u->done = true;
	return 1;
}

SC_EXPORT int __static_call_update(struct static_call_key *key, void *func)
{
	struct pinned_update u = { key, func, { { 0 } }, 0, false };

	sc_init();
	sc_lock();
	u.err = update_locked(key, func, false, &u.warn);
	sc_unlock();
	if (u.err == SC_NEEDS_PIN) {
		/* In a child of fork() the loader's lock may be held by a
		 * thread that does not exist there: no dl_iterate_phdr().  The
		 * child has one thread when it starts, so nothing unmaps an
		 * image behind its back unless it starts threads itself. */
		if (!sc_forked_child())
			dl_iterate_phdr(update_pinned, &u);
		if (!u.done) {
			sc_lock();
			u.err = update_locked(key, func, true, &u.warn);
			sc_unlock();
		}
	}
	sc_report_warnings(&u.warn);
	return u.err;
}
