// SPDX-License-Identifier: MIT
/*
 * The per-image index: a table decoded once, on the first update after its
 * image was loaded, into its sites grouped by key, so that each update
 * finds the sites of its key by binary search.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "runtime.h"

static bool is_code(const struct sc_image *img, uintptr_t addr, size_t len)
{
	const struct sc_range *r = sc_find_range(img->view.loads,
						 img->view.nloads, addr, len);

	return r && (r->prot & PROT_EXEC);
}

static bool is_readable(const struct sc_image *img, uintptr_t addr, size_t len)
{
	const struct sc_range *r = sc_find_range(img->view.loads,
						 img->view.nloads, addr, len);

	return r && (r->prot & PROT_READ);
}

/* The key of an entry, through its KEYREF slot when it has one; 0 when the
 * slot lies outside the image (a broken table). */
static uintptr_t entry_key(const struct sc_image *img,
			   const struct static_call_site *e)
{
	uintptr_t raw = (uintptr_t)&e->key + (intptr_t)e->key;
	uintptr_t key = raw & ~STATIC_CALL_SITE_FLAGS;

	if (!(raw & STATIC_CALL_SITE_KEYREF))
		return key;
	if (!is_readable(img, key, sizeof(uintptr_t)) || (key & 7))
		return 0;
	return *(const uintptr_t *)key;
}

static int key_order(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return (x > y) - (x < y);
}

/* Distinct keys of a table, with the number of sites of each: an open
 * addressing hash set, so that grouping 100,000 sites by key is linear. */
struct key_count {
	uintptr_t key;
	size_t count;
};

struct key_set {
	struct key_count *slot;
	size_t mask, used;
};

static size_t key_hash(uintptr_t key, size_t mask)
{
	return (size_t)((key >> 3) * 0x9e3779b97f4a7c15ull >> 17) & mask;
}

static struct key_count *key_find(struct key_set *set, uintptr_t key)
{
	size_t i = key_hash(key, set->mask);

	while (set->slot[i].key && set->slot[i].key != key)
		i = (i + 1) & set->mask;
	return &set->slot[i];
}

static int key_grow(struct key_set *set)
{
	struct key_set bigger = { NULL, set->mask * 2 + 1, set->used };

	bigger.slot = calloc(bigger.mask + 1, sizeof(*bigger.slot));
	if (!bigger.slot)
		return -ENOMEM;
	for (size_t i = 0; i <= set->mask; i++)
		if (set->slot[i].key)
			*key_find(&bigger, set->slot[i].key) = set->slot[i];
	free(set->slot);
	*set = bigger;
	return 0;
}

static int key_count(struct key_set *set, uintptr_t key)
{
	struct key_count *k = key_find(set, key);

	if (!k->key) {
		if (2 * (set->used + 1) > set->mask + 1) {
			if (key_grow(set))
				return -ENOMEM;
			k = key_find(set, key);
		}
		k->key = key;
		set->used++;
	}
	k->count++;
	return 0;
}

/* The key of entry e if it is a site to keep, else 0.  A site outside the
 * image's executable segments is dropped: lld resolves references to
 * discarded sections to the image base. */
static uintptr_t kept_key(const struct sc_image *img,
			  const struct static_call_site *e, uintptr_t *insn)
{
	uintptr_t key = entry_key(img, e);

	*insn = (uintptr_t)&e->addr + (intptr_t)e->addr;
	return key && is_code(img, *insn, 5) ? key : 0;
}

/* Turns the per-key counts into each key's first index, keys ascending. */
static int first_indexes(struct key_set *set)
{
	uintptr_t *keys = malloc((set->used ? set->used : 1) * sizeof(*keys));
	size_t at = 0, k = 0;

	if (!keys)
		return -ENOMEM;
	for (size_t i = 0; i <= set->mask; i++)
		if (set->slot[i].key)
			keys[k++] = set->slot[i].key;
	qsort(keys, k, sizeof(*keys), key_order);
	for (size_t i = 0; i < k; i++) {
		struct key_count *kc = key_find(set, keys[i]);
		size_t count = kc->count;

		kc->count = at;
		at += count;
	}
	free(keys);
	return 0;
}

/* Decodes the table once, into sites grouped by key (a counting sort over
 * the distinct keys: two passes over the table, one array); within a key
 * the sites keep the table's order. */
int sc_index_image(struct sc_image *img)
{
	struct key_set set = { calloc(64, sizeof(struct key_count)), 63, 0 };
	const struct static_call_site *e;
	struct sc_site *sites = NULL;
	size_t kept = 0;
	uintptr_t key, insn;
	int err = -ENOMEM;

	if (img->indexed) {
		free(set.slot);
		return 0;
	}
	if (!set.slot)
		return -ENOMEM;
	for (e = img->start; e < img->stop; e++) {
		if (!(key = kept_key(img, e, &insn)))
			continue;
		if (key_count(&set, key))
			goto out;
		kept++;
	}
	sites = malloc((kept ? kept : 1) * sizeof(*sites));
	if (!sites || first_indexes(&set))
		goto out;
	for (e = img->start; e < img->stop; e++)
		if ((key = kept_key(img, e, &insn)))
			sites[key_find(&set, key)->count++] =
				(struct sc_site){ key, insn, 0, 0 };
	img->sites = sites;
	img->nsites = kept;
	img->indexed = true;
	sites = NULL;
	err = 0;
out:
	free(sites);
	free(set.slot);
	return err;
}

/* The sites of one key in one image: a run of the sorted index. */
struct sc_site *sc_find_sites(struct sc_image *img, uintptr_t key, size_t *count)
{
	size_t lo = 0, hi = img->nsites, first;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (img->sites[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < img->nsites && img->sites[lo].key == key)
		lo++;
	*count = lo - first;
	return img->sites + first;
}
