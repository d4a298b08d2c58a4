// SPDX-License-Identifier: MIT
/*
 * Sections of the object model: lookup by name, contents (libelf's data of
 * the input, which on x86-64 points into its mapping; decompressed through
 * libelf when SHF_COMPRESSED; copied on the first change), header setters,
 * new sections and section groups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_internal.h"

/* ---- sections ------------------------------------------------------- */

unsigned int obj_nsections(const struct obj *obj)
{
	return obj->nsecs;
}

struct section *obj_section(const struct obj *obj, unsigned int idx)
{
	return idx < obj->nsecs ? obj->secs[idx] : NULL;
}

/* Chains stay in index order (lookups find the lowest index first): each
 * bucket keeps its tail, so that thousands of sections of one name (.group,
 * .static_call_sites) still go in at O(1). */
static void hash_section(struct obj *obj, struct section *sec)
{
	size_t b = obj_name_hash(sec->name) & obj->sec_hash_mask;

	if (obj->sec_hash_tail[b])
		obj->sec_hash_next[obj->sec_hash_tail[b]->idx] = sec;
	else
		obj->sec_hash[b] = sec;
	obj->sec_hash_tail[b] = sec;
}

static int update_section_hash(struct obj *obj)
{
	if (!obj->sec_hash || obj->nsecs > obj->sec_hash_mask + 1) {
		size_t size = 64;

		while (size < obj->nsecs * 2)
			size *= 2;
		free(obj->sec_hash);
		free(obj->sec_hash_tail);
		free(obj->sec_hash_next);
		obj->sec_hash = calloc(size, sizeof(*obj->sec_hash));
		obj->sec_hash_tail = calloc(size, sizeof(*obj->sec_hash_tail));
		obj->sec_hash_next = calloc(size, sizeof(*obj->sec_hash_next));
		if (!obj->sec_hash || !obj->sec_hash_tail || !obj->sec_hash_next)
			return obj_nomem();
		obj->sec_hash_mask = size - 1;
		obj->sec_hash_n = 0;
	}
	for (; obj->sec_hash_n < obj->nsecs; obj->sec_hash_n++)
		hash_section(obj, obj->secs[obj->sec_hash_n]);
	return 0;
}

struct section *obj_find_section(struct obj *obj, const char *name)
{
	struct section *sec;

	if (update_section_hash(obj))
		return NULL;
	sec = obj->sec_hash[obj_name_hash(name) & obj->sec_hash_mask];
	for (; sec; sec = obj->sec_hash_next[sec->idx])
		if (!strcmp(sec->name, name))
			return sec;
	return NULL;
}

struct section *obj_find_next_section(struct obj *obj, struct section *sec)
{
	const char *name = sec->name;

	if (update_section_hash(obj))
		return NULL;
	for (sec = obj->sec_hash_next[sec->idx]; sec;
	     sec = obj->sec_hash_next[sec->idx])
		if (!strcmp(sec->name, name))
			return sec;
	return NULL;
}

const void *obj_input_bytes(struct obj *obj, struct section *sec)
{
	static const uint64_t empty[1];
	Elf_Data *d;

	(void)obj;
	if (sec->input)
		return sec->input;
	if (sec->is_new || sec->idx == 0 || sec->sh.sh_type == SHT_NOBITS ||
	    !sec->sh.sh_size)
		return empty;
	/* Raw for compressed sections: elf_getdata() would hand out a
	 * converted compression header, and decompressing replaces both. */
	d = sec->sh.sh_flags & SHF_COMPRESSED ? elf_rawdata(sec->scn, NULL) :
	    elf_getdata(sec->scn, NULL);
	if (!d || !d->d_buf || d->d_size != sec->sh.sh_size)
		return obj_sec_error(sec, "cannot read contents: libelf: %s",
				     d ? "size differs from the header" :
				     elf_errmsg(-1)), NULL;
	sec->input = d->d_buf;
	return sec->input;
}

/*
 * elf_compress() replaces libelf's data of the section with the
 * decompressed bytes; the input bytes were fetched first, for the writer
 * of an untouched section.
 */
static int decompress(struct obj *obj, struct section *sec)
{
	Elf_Data *d;

	if (!obj_input_bytes(obj, sec))
		return -1;
	if (elf_compress(sec->scn, 0, 0) < 0 ||
	    !(d = elf_getdata(sec->scn, NULL)))
		return obj_sec_error(sec, "cannot decompress: %s",
				     elf_errmsg(-1));
	if (d->d_size != sec->size)
		return obj_sec_error(sec, "decompressed size 0x%zx, header says 0x%zx",
				     d->d_size, sec->size);
	sec->data = d->d_buf;
	return 0;
}

const void *obj_section_data(struct obj *obj, struct section *sec)
{
	static const uint64_t empty[1];

	if (sec->data_loaded)
		return sec->data ? sec->data : (const void *)empty;
	if (sec->sh.sh_type == SHT_NOBITS || sec->size == 0 || sec->idx == 0)
		sec->data = NULL;
	else if (sec->sh.sh_flags & SHF_COMPRESSED) {
		if (decompress(obj, sec))
			return NULL;
	} else {
		const void *p = obj_input_bytes(obj, sec);

		if (!p)
			return NULL;
		sec->data = (void *)p;
	}
	sec->data_loaded = true;
	return sec->data ? sec->data : (const void *)empty;
}

static void mark_changed(struct obj *obj, struct section *sec)
{
	obj->changed = true;
	sec->data_changed = true;
}

void *obj_section_resize(struct obj *obj, struct section *sec, size_t size)
{
	const void *old;
	void *p;

	if (obj_check_modifiable(obj))
		return NULL;
	if (sec->idx == 0)
		return obj_set_error(OBJ_ERR_USAGE, "section 0 has no contents"),
		       NULL;
	if (sec->sh.sh_type == SHT_NOBITS) {
		sec->size = size;
		sec->data_loaded = true;
		mark_changed(obj, sec);
		return (void *)obj_section_data(obj, sec);
	}
	old = obj_section_data(obj, sec);
	if (!old)
		return NULL;
	if (sec->data_owned) {
		p = realloc(sec->data, size ? size : 1);
		if (!p)
			return obj_nomem(), NULL;
	} else {
		p = malloc(size ? size : 1);
		if (!p)
			return obj_nomem(), NULL;
		memcpy(p, old, sec->size < size ? sec->size : size);
	}
	if (size > sec->size)
		memset((char *)p + sec->size, 0, size - sec->size);
	sec->data = p;
	sec->data_owned = true;
	sec->size = size;
	mark_changed(obj, sec);
	return p;
}

void *obj_section_data_writable(struct obj *obj, struct section *sec)
{
	if (sec->data_owned) {
		if (obj_check_modifiable(obj))
			return NULL;
		mark_changed(obj, sec);
		return sec->data;
	}
	return obj_section_resize(obj, sec, sec->size);
}

void *obj_section_take_data(struct obj *obj, struct section *sec, void *buf,
			    size_t size)
{
	if (obj_check_modifiable(obj))
		return NULL;
	if (sec->idx == 0 || sec->sh.sh_type == SHT_NOBITS || !buf)
		return obj_set_error(OBJ_ERR_USAGE,
				     "cannot give contents to section %u", sec->idx),
		       NULL;
	if (sec->data_owned)
		free(sec->data);
	sec->data = buf;
	sec->data_owned = true;
	sec->data_loaded = true;
	sec->size = size;
	mark_changed(obj, sec);
	return buf;
}

/* A fresh buffer, not a resize: realloc would copy the old contents
 * only for them to be overwritten; calloc'ed zeroes cost no clearing. */
void *obj_section_set_data(struct obj *obj, struct section *sec,
			   const void *data, size_t size)
{
	void *p;

	if (obj_check_modifiable(obj))
		return NULL;
	if (sec->idx == 0 || sec->sh.sh_type == SHT_NOBITS)
		return obj_section_resize(obj, sec, size);
	p = data && size ? malloc(size) : calloc(size ? size : 1, 1);
	if (!p)
		return obj_nomem(), NULL;
	if (data && size)
		memcpy(p, data, size);
	if (!obj_section_take_data(obj, sec, p, size)) {
		free(p);
		return NULL;
	}
	return p;
}

int64_t obj_section_append(struct obj *obj, struct section *sec,
			   const void *data, size_t size)
{
	size_t old = sec->size;
	char *p = obj_section_resize(obj, sec, old + size);

	if (!p)
		return -1;
	if (data && sec->sh.sh_type != SHT_NOBITS)
		memcpy(p + old, data, size);
	return old;
}

static int header_changed(struct obj *obj, struct section *sec)
{
	if (obj_check_modifiable(obj))
		return -1;
	sec->hdr_changed = true;
	obj->changed = true;
	return 0;
}

int obj_section_set_flags(struct obj *obj, struct section *sec, uint64_t flags)
{
	if (header_changed(obj, sec))
		return -1;
	sec->sh.sh_flags = flags;
	return 0;
}

int obj_section_set_link(struct obj *obj, struct section *sec,
			 unsigned int link)
{
	if (header_changed(obj, sec))
		return -1;
	sec->sh.sh_link = link;
	return 0;
}

int obj_section_set_info(struct obj *obj, struct section *sec,
			 unsigned int info)
{
	if (header_changed(obj, sec))
		return -1;
	sec->sh.sh_info = info;
	return 0;
}

int obj_section_set_align(struct obj *obj, struct section *sec, uint64_t align)
{
	if (align & (align - 1))
		return obj_set_error(OBJ_ERR_USAGE,
				     "alignment %llu is not a power of two",
				     (unsigned long long)align);
	if (header_changed(obj, sec))
		return -1;
	sec->sh.sh_addralign = align;
	return 0;
}

int obj_section_set_entsize(struct obj *obj, struct section *sec,
			    uint64_t entsize)
{
	if (header_changed(obj, sec))
		return -1;
	sec->sh.sh_entsize = entsize;
	return 0;
}

static int add_section_slot(struct obj *obj, struct section *sec)
{
	if (obj->nsecs == obj->secs_cap) {
		unsigned int cap = obj->secs_cap * 2 + 16;
		struct section **v = obj_xrealloc_array(obj->secs, cap,
							sizeof(*v));

		if (!v)
			return obj_nomem();
		obj->secs = v;
		obj->secs_cap = cap;
	}
	sec->idx = obj->nsecs;
	obj->secs[obj->nsecs++] = sec;
	return 0;
}

struct section *obj_create_section(struct obj *obj, const char *name,
				   uint32_t type, uint64_t flags,
				   uint64_t entsize, uint64_t addralign,
				   const void *data, size_t size)
{
	struct section *sec;
	size_t name_off;

	if (obj_check_modifiable(obj))
		return NULL;
	if (type == SHT_REL || type == SHT_SYMTAB || type == SHT_DYNSYM ||
	    (addralign & (addralign - 1)))
		return obj_set_error(OBJ_ERR_USAGE,
				     "cannot create section %s of type %u, alignment %llu",
				     name, type, (unsigned long long)addralign),
		       NULL;
	sec = calloc(1, sizeof(*sec));
	if (!sec || !(sec->name = strdup(name))) {
		free(sec);
		return obj_nomem(), NULL;
	}
	sec->is_new = true;
	if (strtab_ext_add(&obj->secnames, obj->shstrtab->sh.sh_size, name,
			   &name_off) || add_section_slot(obj, sec)) {
		free((char *)sec->name);
		free(sec);
		return NULL;
	}
	sec->sh.sh_name = name_off;
	sec->sh.sh_type = type;
	sec->sh.sh_flags = flags;
	sec->sh.sh_entsize = entsize;
	sec->sh.sh_addralign = addralign;
	sec->data_loaded = true;
	obj->changed = true;
	sec->hdr_changed = true;
	if (!obj_section_set_data(obj, sec, data, size))
		return NULL;
	return sec;
}

static bool rela_name_fits(const char *name)
{
	return strlen(name) < 4000;
}

struct section *obj_section_rela(struct obj *obj, struct section *sec)
{
	char name[4096];
	struct section *rela;

	if (sec->rela)
		return sec->rela;
	if (obj_check_modifiable(obj))
		return NULL;
	if (!obj->symtab || !rela_name_fits(sec->name))
		return obj_set_error(OBJ_ERR_USAGE,
				     "cannot add relocations to %s: no symbol table",
				     sec->name), NULL;
	snprintf(name, sizeof(name), ".rela%s", sec->name);
	rela = obj_create_section(obj, name, SHT_RELA, SHF_INFO_LINK,
				  sizeof(Elf64_Rela), 8, NULL, 0);
	if (!rela)
		return NULL;
	rela->sh.sh_link = obj->symtab->sec->idx;
	rela->sh.sh_info = sec->idx;
	rela->symtab = obj->symtab;
	rela->base = sec;
	sec->rela = rela;
	if (sec->group && obj_group_add(obj, sec->group, rela))
		return NULL;
	return rela;
}

/* ---- groups --------------------------------------------------------- */

struct symbol *obj_group_signature(struct obj *obj, struct section *group)
{
	struct symbol *sym;

	(void)obj;
	if (group->sh.sh_type != SHT_GROUP || !group->symtab)
		return NULL;
	/* sh_info holds the input index; the symbol knows its current one. */
	obj_settle_indices(group->symtab);
	sym = &group->symtab->orig[0];
	if (group->is_new)
		return NULL;
	return group->sh.sh_info < group->symtab->norig ?
	       sym + group->sh.sh_info : NULL;
}

uint32_t obj_group_flags(struct obj *obj, struct section *group)
{
	const uint32_t *w = obj_section_data(obj, group);

	return w && group->size >= 4 ? w[0] : 0;
}

int obj_group_add(struct obj *obj, struct section *group, struct section *sec)
{
	uint32_t idx = sec->idx;

	if (obj_check_modifiable(obj))
		return -1;
	if (group->sh.sh_type != SHT_GROUP || (sec->group && sec->group != group))
		return obj_set_error(OBJ_ERR_USAGE,
				     "cannot add section %s to group %s",
				     sec->name, group->name);
	if (sec->group)
		return 0;
	if (obj_section_append(obj, group, &idx, sizeof(idx)) < 0)
		return -1;
	sec->group = group;
	sec->sh.sh_flags |= SHF_GROUP;
	sec->hdr_changed = true;
	return 0;
}
