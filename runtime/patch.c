// SPDX-License-Identifier: MIT
/*
 * static_call_update(): retarget a key's trampoline and every registered
 * site, with the rules of DESIGN.md ("Runtime patching rules"):
 *   - verify each site's bytes first; leave anything unexpected alone;
 *   - write only aligned 4-byte rel32 fields, one store each;
 *   - make the pages RX -> RWX -> RX, all of them before the first write,
 *     so that a refusal (PR_SET_MDWE, SELinux execmod) changes nothing;
 *   - one core-serializing membarrier before returning.
 */
#define _GNU_SOURCE
#include <errno.h>
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
	struct sc_range loads[SC_MAX_LOADS];	/* of the trampoline's image */
	int nloads;
};

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
	    sc_find_range(img->loads, img->nloads, insn, 6))
		return 6;
	return 0;
}

/* A lazy-binding stub that a PLT entry's GOT slot points at before the
 * first call: push $index (after an endbr64 in IBT .plt sections). */
static bool is_lazy_stub(const struct sc_range *r, int n, uintptr_t at)
{
	const struct sc_range *code = sc_find_range(r, n, at, 9);
	const uint8_t *p = (const uint8_t *)at;

	if (!code || !(code->prot & PROT_EXEC))
		return false;
	if (p[0] == 0xf3 && p[1] == 0x0f && p[2] == 0x1e && p[3] == 0xfa)
		p += 4;
	return p[0] == 0x68;
}

/* A PLT entry of the image with segments r[0..n) (lazy, IBT .plt.sec,
 * .plt.got, lld) whose GOT slot holds target, or is not bound yet. */
static bool is_plt_to(const struct sc_range *r, int n, uintptr_t entry,
		      uintptr_t target)
{
	const struct sc_range *code = sc_find_range(r, n, entry, 16);
	const uint8_t *p = (const uint8_t *)entry;
	uintptr_t slot, value;

	if (!code || !(code->prot & PROT_EXEC))
		return false;
	if (p[0] == 0xf3 && p[1] == 0x0f && p[2] == 0x1e && p[3] == 0xfa)
		p += 4;			/* endbr64 */
	if (p[0] == 0xf2)
		p++;			/* bnd */
	if (p[0] != 0xff || p[1] != 0x25)
		return false;
	slot = (uintptr_t)p + 6 + read_rel32((uintptr_t)p + 2);
	if (!sc_find_range(r, n, slot, 8) || (slot & 7))
		return false;
	value = __atomic_load_n((const uintptr_t *)slot, __ATOMIC_RELAXED);
	return value == target || is_lazy_stub(r, n, value);
}

/* What a function address leads to: the GOT value when it is a PLT entry
 * (a non-PIE program's canonical PLT entry for a library function). */
static uintptr_t through_plt(uintptr_t func)
{
	struct sc_range r[SC_MAX_LOADS];
	int n = sc_image_ranges(func, r, SC_MAX_LOADS);
	const uint8_t *p = (const uint8_t *)func;
	uintptr_t slot;

	if (!sc_find_range(r, n, func, 16))
		return func;
	if (p[0] == 0xf3 && p[1] == 0x0f && p[2] == 0x1e && p[3] == 0xfa)
		p += 4;
	if (p[0] == 0xf2)
		p++;
	if (p[0] != 0xff || p[1] != 0x25)
		return func;
	slot = (uintptr_t)p + 6 + read_rel32((uintptr_t)p + 2);
	if (!sc_find_range(r, n, slot, 8) || (slot & 7))
		return func;
	return *(const uintptr_t *)slot;
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
		    !is_plt_to(img->loads, img->nloads, cur, plan->tramp))
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
			 sc_find_range(img->loads, img->nloads, field, 4)->prot, s);
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

	code = sc_find_range(plan->loads, plan->nloads, t, STATIC_CALL_TRAMP_SIZE);
	if (!code || !(code->prot & PROT_EXEC) || !is_trampoline(t))
		return -EINVAL;
	slot = far + 6 + read_rel32(far + 2);
	cur = end + read_rel32(end - 4);
	want = code_target(t, func);
	/* Its link-time jump may go through a PLT entry to a preemptible func. */
	if (cur != code_target(t, old) && cur != far && cur != want &&
	    !is_plt_to(plan->loads, plan->nloads, cur, (uintptr_t)old) &&
	    !is_plt_to(plan->loads, plan->nloads, cur, through_plt((uintptr_t)old)))
		return -EINVAL;		/* not ours any more: change nothing */
	*far_slot = NULL;
	if (!rel32_reaches(end, want, &rel)) {
		data = sc_find_range(plan->loads, plan->nloads, slot, 8);
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

static int apply(struct sc_plan *plan, struct static_call_key *key, void *func,
		 void **far_slot)
{
	size_t done;
	int err = 0;

	order_writes(plan->writes, plan->n);
	done = protect_runs(plan, plan->n, PROT_WRITE, &err);
	if (done < plan->n) {
		int ignored = 0;

		/* Every run, the failed one too: Linux may have changed part
		 * of a range before mprotect failed.  Restoring a page that
		 * was never made writable changes nothing. */
		protect_runs(plan, plan->n, 0, &ignored);
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
	protect_runs(plan, plan->n, 0, &err);
	if (plan->n) {
		int sync = sc_sync_cores();

		if (!err)
			err = sync;
	}
	return err;
}

static int update_locked(struct static_call_key *key, void *func)
{
	struct sc_plan plan = { .tramp = (uintptr_t)key->tramp,
				.page_size = (uintptr_t)sysconf(_SC_PAGESIZE) };
	void *old = key->func, **far_slot = NULL;
	int err;

	err = sc_membarrier_status();
	if (err)
		return err;
	plan.nloads = sc_image_ranges(plan.tramp, plan.loads, SC_MAX_LOADS);
	err = plan_trampoline(&plan, old, func, &far_slot);
	if (!err)
		err = plan_sites(&plan, (uintptr_t)key, old, func);
	if (!err)
		err = apply(&plan, key, func, far_slot);
	free(plan.writes);
	return err;
}

SC_EXPORT int __static_call_update(struct static_call_key *key, void *func)
{
	int err;

	sc_init();
	sc_lock();
	err = update_locked(key, func);
	sc_unlock();
	return err;
}
