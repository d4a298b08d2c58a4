// SPDX-License-Identifier: MIT
/*
 * Write-back: libelf gets a new ELF handle on the temporary file with one
 * section per section of the model, in index order, headers only; its
 * elf_update() writes the ELF header and the section headers, and then
 * write_contents() writes every section's contents in file order through
 * one buffer, from the input's bytes (untouched sections: no copy), the
 * model's buffers (changed ones), or converted on the fly (the symbol and
 * relocation tables that are rebuilt).  The layout is ours (ELF_F_LAYOUT):
 * the ELF header, then every section's contents in input offset order (new
 * sections last), each at its sh_addralign, then the section headers, so
 * that an input written without changes comes out byte for byte the same.
 * Only the tables that must be renumbered (symbols, relocations, groups,
 * .llvm_addrsig) are rebuilt.
 *
 * Safety: everything goes to a temporary file in the destination's
 * directory, which is renamed over the destination only when complete.  The
 * input mapping stays valid after the rename (the old inode lives on).  No
 * fsync: objects are build products that make regenerates, and a rename
 * over an existing file is ordered after its data by ext4 and xfs anyway.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf_internal.h"
#include "leb128.h"

/* Relocation tables written straight from the model, not from a buffer. */
enum out_stream {
	STREAM_NONE,
	STREAM_STRUCTS,		/* from the relocation structs */
	STREAM_RENUMBERED,	/* the input's, symbol indices renumbered */
	STREAM_SYMTAB,		/* the symbol table, from the symbols */
};

struct out_sec {
	struct section *sec;
	const void *data;
	size_t size;		/* bytes in the file */
	void *owned;		/* buffer built for the output */
	const void *tail;	/* more contents after data's, if any */
	size_t tail_size;	/* (size counts them) */
	bool as_read;		/* the input's bytes, unchanged */
	enum out_stream stream;	/* written after libelf's part, see below */
	GElf_Shdr sh;
};

struct writer {
	struct obj *obj;
	struct out_sec *secs;	/* by index */
	struct out_sec **order;	/* file order */
	unsigned int n;
	uint64_t shoff;
	int fd;
};

/* ---- building the tables that change ---------------------------------- */

static int build_strtab(struct obj *obj, struct out_sec *o,
			const struct strtab_ext *ext)
{
	const void *old = obj_input_bytes(obj, o->sec);

	if (!old)
		return -1;
	/* Two pieces for libelf: the input's strings, the added ones. */
	o->data = old;
	o->tail = ext->buf;
	o->tail_size = ext->len;
	o->size = o->sec->sh.sh_size + ext->len;
	return 0;
}
/* A symbol as written: its section's current index. */
static void out_symbol(Elf64_Sym *out, const struct symbol *sym)
{
	memcpy(out, &sym->sym, sizeof(*out));
	if (sym->sec)
		out->st_shndx = sym->sec->idx < SHN_LORESERVE ?
				sym->sec->idx : SHN_XINDEX;
}

static int build_symtab(struct obj *obj, struct symtab *tab,
			struct out_sec *o, struct out_sec *xo)
{
	unsigned int n = obj_nsymbols(tab);
	Elf64_Sym *out;
	uint32_t *x;

	(void)obj;
	o->sh.sh_info = symtab_first_global(tab);
	if (!xo) {	/* the usual case: streamed, see write_contents() */
		o->stream = STREAM_SYMTAB;
		o->size = (size_t)n * sizeof(*out);
		return 0;
	}
	out = calloc(n, sizeof(*out));
	x = calloc(n, sizeof(*x));
	if (!out || !x) {
		free(out);
		free(x);
		return obj_nomem();
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct symbol *sym = obj_symbol(tab, i);

		out_symbol(&out[i], sym);
		if (sym->sec && sym->sec->idx >= SHN_LORESERVE)
			x[i] = sym->sec->idx;
	}
	o->owned = out;
	o->data = out;
	o->size = (size_t)n * sizeof(*out);
	xo->owned = x;
	xo->data = x;
	xo->size = (size_t)n * sizeof(*x);
	return 0;
}

/*
 * Relocation tables are the largest part a changed object rebuilds (2M
 * entries, 50 MB, when c.o is padded): they are checked here, and written
 * entry by entry through a small buffer once libelf has written the rest
 * (write_contents()), so that no output copy of them is ever allocated.
 */
static int check_rela_structs(struct obj *obj, struct out_sec *o)
{
	struct section *base = o->sec->base;
	long n = obj_nrelocs(obj, base);

	if (n < 0)
		return -1;
	for (long i = 0; i < n && base->sh.sh_type != SHT_NOBITS; i++) {
		const struct reloc *r = obj_reloc(obj, base, i);

		/* A pass that moved code must not leave one behind the end. */
		if (!obj_reloc_fits(base, r->offset, r->type))
			return obj_sec_error(o->sec,
					     "relocation %ld at 0x%llx is past the end of %s (0x%zx bytes)",
					     i, (unsigned long long)r->offset,
					     base->name, base->size);
	}
	o->stream = STREAM_STRUCTS;
	o->size = n * sizeof(Elf64_Rela);
	return 0;
}

static int check_rela_renumbered(struct obj *obj, struct out_sec *o)
{
	const Elf64_Rela *in = obj_input_bytes(obj, o->sec);
	size_t n = o->sec->sh.sh_size / sizeof(*in);
	struct symtab *tab = o->sec->symtab;

	if (!in)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned int s = GELF_R_SYM(in[i].r_info);

		if (s >= tab->norig ||
		    !obj_reloc_fits(o->sec->base, in[i].r_offset,
				    GELF_R_TYPE(in[i].r_info)))
			return obj_sec_error(o->sec,
					     "relocation %zu: symbol index %u or offset 0x%llx out of range",
					     i, s, (unsigned long long)in[i].r_offset);
	}
	o->stream = STREAM_RENUMBERED;
	o->size = n * sizeof(*in);
	return 0;
}

/* clang's .llvm_addrsig: ULEB128 symbol indices with no relocations. */
static int build_addrsig(struct obj *obj, struct out_sec *o)
{
	const unsigned char *in = obj_section_data(obj, o->sec);
	size_t size = o->sec->size, n = 0;
	unsigned char *out;

	if (!in)
		return -1;
	/* Each entry is at least one byte in and at most five out (a
	 * ULEB128 of a 32-bit index), whatever the renumbering. */
	out = malloc(size * 5 + 1);
	if (!out)
		return obj_nomem();
	for (size_t i = 0; i < size;) {
		uint64_t v;
		/* a 32-bit index takes at most 5 bytes; 6 was always accepted */
		size_t len = leb128_decode(in + i, size - i < 6 ? size - i : 6,
					   0, &v);

		if (!len) {
			free(out);
			return obj_sec_error(o->sec, "malformed ULEB128");
		}
		i += len;
		if (v >= obj->symtab->norig) {
			free(out);
			return obj_sec_error(o->sec, "symbol index %llu out of range",
					     (unsigned long long)v);
		}
		n += uleb128_encode(out + n, symtab_new_index(obj->symtab, v), 0);
	}
	o->owned = out;
	o->data = out;
	o->size = n;
	return 0;
}

static void group_header(struct obj *obj, struct out_sec *o)
{
	struct symbol *sig = obj_group_signature(obj, o->sec);

	if (sig)
		o->sh.sh_info = sig->idx;
}

/*
 * elf_newscn(), NULL when it failed, with libelf's error in *ERR.  When it
 * cannot allocate the new header, elf_newscn() of elfutils 0.188 sets its
 * error but still returns the section, with no ELF behind it: the next
 * call on it would crash.  Its error state says.
 */
static Elf_Scn *new_scn(Elf *e, int *err)
{
	Elf_Scn *scn;

	elf_errno();
	scn = elf_newscn(e);
	*err = elf_errno();
	return *err ? NULL : scn;
}

/*
 * A changed SHF_COMPRESSED section goes out compressed again, with the
 * input's algorithm: libelf compresses it in a scratch ELF handle that owns
 * nothing of ours (elf_compress on the input's handle would free buffers
 * it does not own).  If libelf cannot, it goes out uncompressed.
 */
static int compress_into(struct out_sec *o, uint32_t type, const void *data,
			 size_t size)
{
	/* A write handle needs a descriptor; nothing is ever written to it. */
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	Elf *e = fd < 0 ? NULL : elf_begin(fd, ELF_C_WRITE, NULL);
	Elf_Scn *scn;
	Elf_Data *d;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	int ret = -1, err;	/* unused: any failure here means uncompressed */

	if (!e || !gelf_newehdr(e, ELFCLASS64) || !gelf_getehdr(e, &eh))
		goto out;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	if (!gelf_update_ehdr(e, &eh) || !(scn = new_scn(e, &err)) ||
	    !gelf_getshdr(scn, &sh))
		goto out;
	sh.sh_type = SHT_PROGBITS;
	sh.sh_addralign = o->sh.sh_addralign;
	if (!gelf_update_shdr(scn, &sh) || !(d = elf_newdata(scn)))
		goto out;
	d->d_buf = (void *)data;
	d->d_size = size;
	d->d_type = ELF_T_BYTE;
	d->d_align = 1;
	if (elf_compress(scn, type, ELF_CHF_FORCE) != 1 ||
	    !(d = elf_getdata(scn, NULL)) || !(o->owned = malloc(d->d_size)))
		goto out;
	memcpy(o->owned, d->d_buf, d->d_size);
	o->data = o->owned;
	o->size = d->d_size;
	ret = 0;
out:
	if (e)
		elf_end(e);
	if (fd >= 0)
		close(fd);
	return ret;
}

static int recompress(struct obj *obj, struct out_sec *o)
{
	struct section *sec = o->sec;
	const void *in = obj_input_bytes(obj, sec);
	Elf64_Chdr ch;	/* as stored: clang does not align it */

	if (!in)
		return -1;
	memcpy(&ch, in, sizeof(ch));
	o->sh.sh_addralign = ch.ch_addralign;
	if (!compress_into(o, ch.ch_type, o->data, o->size)) {
		o->sh.sh_addralign = sec->sh.sh_addralign;
		return 0;
	}
	o->sh.sh_flags &= ~(uint64_t)SHF_COMPRESSED;
	return 0;
}

static bool is_symtab_sec(struct symtab *tab, struct section *sec)
{
	return tab && tab->sec == sec;
}

static int prepare_contents(struct writer *w, struct out_sec *o)
{
	struct obj *obj = w->obj;
	struct section *sec = o->sec;
	struct symtab *tab = obj->symtab;
	bool renumber = tab && tab->nadded_locals;

	if (is_symtab_sec(tab, sec) && tab->changed)
		return build_symtab(obj, tab, o,
				    tab->shndx ? &w->secs[tab->shndx->idx] : NULL);
	if (tab && sec == tab->shndx && tab->changed)
		return 0;	/* filled in by build_symtab */
	if (tab && sec == tab->strtab && tab->names_ext->len)
		return build_strtab(obj, o, tab->names_ext);
	if (sec == obj->shstrtab && obj->secnames.len)
		return build_strtab(obj, o, &obj->secnames);
	if (sec->sh.sh_type == SHT_RELA && sec->base && sec->base->relocs &&
	    sec->base->relocs->changed)
		return check_rela_structs(obj, o);
	if (sec->sh.sh_type == SHT_RELA && renumber && sec->symtab == tab &&
	    !sec->is_new)
		return check_rela_renumbered(obj, o);
	if (sec->sh.sh_type == SHT_GROUP)
		group_header(obj, o);
	if (sec == obj->addrsig && renumber)
		return build_addrsig(obj, o);
	if (sec->is_new || sec->data_changed || sec->data_owned) {
		o->data = obj_section_data(obj, sec);
		o->size = sec->sh.sh_type == SHT_NOBITS ? 0 : sec->size;
		if (o->data && (sec->sh.sh_flags & SHF_COMPRESSED))
			return recompress(obj, o);
		return o->data ? 0 : -1;
	}
	/* Untouched, compressed or not: the input bytes. */
	o->data = obj_input_bytes(obj, sec);
	o->size = sec->sh.sh_type == SHT_NOBITS ? 0 : sec->sh.sh_size;
	o->as_read = true;
	return o->data ? 0 : -1;
}

static int prepare(struct writer *w)
{
	struct obj *obj = w->obj;

	if (obj->symtab)
		obj_settle_indices(obj->symtab);
	w->n = obj->nsecs;
	w->secs = calloc(w->n, sizeof(*w->secs));
	w->order = calloc(w->n, sizeof(*w->order));
	if (!w->secs || !w->order)
		return obj_nomem();
	for (unsigned int i = 0; i < w->n; i++) {
		w->secs[i].sec = obj->secs[i];
		w->secs[i].sh = obj->secs[i]->sh;
	}
	for (unsigned int i = 1; i < w->n; i++) {
		struct out_sec *o = &w->secs[i];

		if (prepare_contents(w, o))
			return -1;
	}
	for (unsigned int i = 1; i < w->n; i++) {
		struct out_sec *o = &w->secs[i];

		if (o->sec->sh.sh_type == SHT_NOBITS)
			o->sh.sh_size = o->sec->size;
		else if (o->data || o->stream)
			o->sh.sh_size = o->size;
	}
	return 0;
}

/* ---- layout ------------------------------------------------------------ */

static int cmp_file_order(const void *a, const void *b)
{
	const struct out_sec *x = *(struct out_sec *const *)a;
	const struct out_sec *y = *(struct out_sec *const *)b;

	if (x->sec->is_new != y->sec->is_new)
		return x->sec->is_new ? 1 : -1;
	if (!x->sec->is_new && x->sec->sh.sh_offset != y->sec->sh.sh_offset)
		return x->sec->sh.sh_offset < y->sec->sh.sh_offset ? -1 : 1;
	/* An empty section shares its offset with the next one: first. */
	if (!x->sec->is_new && !x->size != !y->size)
		return x->size ? 1 : -1;
	return x->sec->idx < y->sec->idx ? -1 : x->sec->idx > y->sec->idx;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return a > 1 ? (v + a - 1) / a * a : v;
}

/*
 * The next offset at or after POS for SEC.  An input section written as
 * read keeps its offset modulo its alignment: 0 in a well-formed file, except that clang
 * writes SHF_COMPRESSED sections at any offset (readers copy the header).
 */
static uint64_t place(uint64_t pos, uint64_t align, const struct section *sec,
		      bool as_read)
{
	uint64_t want;

	if (align <= 1)
		return pos;
	want = as_read ? sec->sh.sh_offset % align : 0;
	return pos + (want - pos % align + align) % align;
}

/*
 * A damaged alignment can ask for exabytes of padding: refuse any layout
 * larger than what the input, the new contents and one page of padding per
 * section can explain.
 */
static int check_layout_size(struct writer *w)
{
	uint64_t limit = 2 * (uint64_t)w->obj->map_size + (1u << 20) +
			 (uint64_t)w->n * 4096;

	for (unsigned int i = 1; i < w->n; i++)
		if (!w->secs[i].as_read)
			limit += w->secs[i].size;
	if (w->shoff <= limit)
		return 0;
	return obj_set_error(OBJ_ERR_CORRUPT,
			     "section alignments would pad the output to 0x%llx bytes",
			     (unsigned long long)w->shoff);
}

static void layout(struct writer *w)
{
	uint64_t pos = sizeof(Elf64_Ehdr);

	bool sorted = true;

	for (unsigned int i = 1; i < w->n; i++) {
		w->order[i - 1] = &w->secs[i];
		if (i > 1 && cmp_file_order(&w->order[i - 2], &w->order[i - 1]) > 0)
			sorted = false;
	}
	/* Compilers and linkers write contents in index order: no sort. */
	if (!sorted)
		qsort(w->order, w->n - 1, sizeof(*w->order), cmp_file_order);
	for (unsigned int i = 0; i + 1 < w->n; i++) {
		struct out_sec *o = w->order[i];
		uint64_t align = o->sh.sh_addralign;

		if (o->sh.sh_type == SHT_RELA || o->sh.sh_type == SHT_SYMTAB)
			align = align < 8 ? 8 : align;
		else if (o->sh.sh_type == SHT_GROUP ||
			 o->sh.sh_type == SHT_SYMTAB_SHNDX)
			align = align < 4 ? 4 : align;
		pos = place(pos, align, o->sec, o->as_read);
		o->sh.sh_offset = pos;
		pos += o->size;
	}
	w->shoff = align_up(pos, 8);
}

/* ---- output through libelf ------------------------------------------- */

/* A failed write says why in the system's words ("File too large"). */
static int libelf_error(const char *what)
{
	int err = errno;

	if (err)
		return obj_set_error(OBJ_ERR_IO, "%s: libelf: %s (%s)", what,
				     elf_errmsg(-1), strerror(err));
	return obj_set_error(OBJ_ERR_IO, "%s: libelf: %s", what, elf_errmsg(-1));
}

/* One section: its header as laid out, its contents as one byte buffer
 * (no conversion: the file is native-endian). */
static int add_section(Elf *e, struct out_sec *o)
{
	int err;
	Elf_Scn *scn = new_scn(e, &err);

	if (!scn)
		return obj_set_error(OBJ_ERR_IO, "new section: libelf: %s",
				     err ? elf_errmsg(err) : "failed");
	/* No data for libelf: it leaves the contents' bytes alone, for
	 * write_contents(). */
	if (!gelf_update_shdr(scn, &o->sh))
		return libelf_error("section header");
	return 0;
}

/* Section 0 and the ELF header, with the extended numbering of objects
 * that have SHN_LORESERVE sections or more. */
static int set_headers(struct writer *w, Elf *e)
{
	struct obj *obj = w->obj;
	unsigned int shstrndx = obj->shstrtab->idx;
	GElf_Ehdr ehdr = obj->ehdr;
	GElf_Shdr sh0 = obj->secs[0]->sh;
	Elf_Scn *scn0 = elf_getscn(e, 0);

	sh0.sh_size = w->n >= SHN_LORESERVE ? w->n : 0;
	sh0.sh_link = shstrndx >= SHN_LORESERVE ? shstrndx : 0;
	if (!scn0 || !gelf_update_shdr(scn0, &sh0))
		return libelf_error("section 0");
	ehdr.e_shoff = w->shoff;
	ehdr.e_shnum = w->n >= SHN_LORESERVE ? 0 : w->n;
	ehdr.e_shstrndx = shstrndx >= SHN_LORESERVE ? SHN_XINDEX : shstrndx;
	ehdr.e_phoff = 0;
	ehdr.e_phnum = 0;
	if (!gelf_update_ehdr(e, &ehdr))
		return libelf_error("ELF header");
	return 0;
}

/* ---- contents --------------------------------------------------------- */

/*
 * libelf writes the ELF header and the section headers; every section's
 * contents we write ourselves afterwards, in file order, through one
 * buffer: an object of 250K small sections (C++ COMDAT groups) took as
 * many pwrite() calls from libelf, twice as many with the padding between
 * them.  Large contents go straight from where they are; gaps are zeros
 * (or holes, which read as zeros: the file is new).
 */
#define STREAM_BUF (1u << 20)
#define STREAM_DIRECT (256u << 10)	/* written without the buffer */
#define STREAM_GAP (64u << 10)		/* zeros put in the buffer */

struct stream {
	int fd;
	unsigned char *buf;
	size_t len;		/* bytes in buf */
	uint64_t pos;		/* file offset of buf[0] */
};

static int pwrite_all(int fd, const void *p, size_t len, uint64_t pos)
{
	while (len) {
		ssize_t k = pwrite(fd, p, len, pos);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return obj_set_error(OBJ_ERR_IO, "write: %s",
					     k ? strerror(errno) : "no progress");
		p = (const char *)p + k;
		len -= k;
		pos += k;
	}
	return 0;
}

static int stream_flush(struct stream *st)
{
	if (pwrite_all(st->fd, st->buf, st->len, st->pos))
		return -1;
	st->pos += st->len;
	st->len = 0;
	return 0;
}

/* Room for one entry of SIZE bytes (at most 64). */
static void *stream_entry(struct stream *st, size_t size)
{
	void *p;

	if (st->len + size > STREAM_BUF && stream_flush(st))
		return NULL;
	p = st->buf + st->len;
	st->len += size;
	return p;
}

/* Continue at file offset OFF. */
static int stream_seek(struct stream *st, uint64_t off)
{
	uint64_t end = st->pos + st->len;

	if (off == end)
		return 0;
	if (off > end && off - end <= STREAM_GAP &&
	    st->len + (off - end) <= STREAM_BUF) {
		memset(st->buf + st->len, 0, off - end);
		st->len += off - end;
		return 0;
	}
	if (stream_flush(st))
		return -1;
	st->pos = off;
	return 0;
}

static int stream_bytes(struct stream *st, const void *p, size_t n)
{
	if (n >= STREAM_DIRECT) {
		if (stream_flush(st) || pwrite_all(st->fd, p, n, st->pos))
			return -1;
		st->pos += n;
		return 0;
	}
	while (n) {
		size_t k = STREAM_BUF - st->len < n ? STREAM_BUF - st->len : n;

		memcpy(st->buf + st->len, p, k);
		st->len += k;
		p = (const char *)p + k;
		n -= k;
		if (st->len == STREAM_BUF && stream_flush(st))
			return -1;
	}
	return 0;
}

static int stream_put(struct stream *st, uint64_t offset, uint64_t info,
		      int64_t addend)
{
	Elf64_Rela e = { offset, info, addend };
	void *p = stream_entry(st, sizeof(e));

	if (!p)
		return -1;
	memcpy(p, &e, sizeof(e));	/* the buffer holds any bytes before */
	return 0;
}

static int stream_symtab(struct stream *st, struct symtab *tab)
{
	unsigned int n = obj_nsymbols(tab);

	for (unsigned int i = 0; i < n; i++) {
		Elf64_Sym e;
		void *p = stream_entry(st, sizeof(e));

		if (!p)
			return -1;
		out_symbol(&e, obj_symbol(tab, i));
		memcpy(p, &e, sizeof(e));
	}
	return 0;
}

static int put_reloc(struct stream *st, const struct reloc *r)
{
	return stream_put(st, r->offset,
			  GELF_R_INFO(r->sym ? r->sym->idx : 0, r->type),
			  r->addend);
}

/* In obj_reloc() order: the base array, then the added ones. */
static int stream_structs(struct stream *st, struct obj_relocs *rel)
{
	for (size_t i = 0; i < rel->nbase; i++)
		if (put_reloc(st, &rel->base[i]))
			return -1;
	for (size_t i = 0; i < rel->nadded; i++)
		if (put_reloc(st, rel->added[i]))
			return -1;
	return 0;
}

static int stream_renumbered(struct obj *obj, struct stream *st,
			     struct section *rela)
{
	const Elf64_Rela *in = obj_input_bytes(obj, rela);
	size_t n = rela->sh.sh_size / sizeof(*in);

	if (!in)
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint64_t info = in[i].r_info;

		info = GELF_R_INFO(symtab_new_index(rela->symtab,
						    GELF_R_SYM(info)),
				   GELF_R_TYPE(info));
		if (stream_put(st, in[i].r_offset, info, in[i].r_addend))
			return -1;
	}
	return 0;
}

static int write_one(struct writer *w, struct stream *st, struct out_sec *o)
{
	if (stream_seek(st, o->sh.sh_offset))
		return -1;
	switch (o->stream) {
	case STREAM_STRUCTS:
		return stream_structs(st, o->sec->base->relocs);
	case STREAM_RENUMBERED:
		return stream_renumbered(w->obj, st, o->sec);
	case STREAM_SYMTAB:
		return stream_symtab(st, w->obj->symtab);
	case STREAM_NONE:
		break;
	}
	return stream_bytes(st, o->data, o->size - o->tail_size) ||
	       stream_bytes(st, o->tail, o->tail_size);
}

/* Every section's contents at the offset the layout gave it. */
static int write_contents(struct writer *w)
{
	/* Contents start after the ELF header (objects have no program
	 * headers), which libelf wrote: the gaps must not cover it. */
	struct stream st = { .fd = w->fd, .pos = sizeof(Elf64_Ehdr) };
	int ret = 0;

	st.buf = malloc(STREAM_BUF);
	if (!st.buf)
		return obj_nomem();
	for (unsigned int i = 0; i + 1 < w->n && !ret; i++) {
		struct out_sec *o = w->order[i];

		if (o->sh.sh_type != SHT_NOBITS && o->size)
			ret = write_one(w, &st, o);
	}
	if (!ret)
		ret = stream_flush(&st);
	free(st.buf);
	return ret;
}

static int write_model(struct writer *w)
{
	Elf *e = elf_begin(w->fd, ELF_C_WRITE, NULL);
	int ret = -1;

	if (!e)
		return libelf_error("write");
	if (!gelf_newehdr(e, ELFCLASS64)) {
		libelf_error("ELF header");
		goto out;
	}
	for (unsigned int i = 1; i < w->n; i++)
		if (add_section(e, &w->secs[i]))
			goto out;
	if (set_headers(w, e))
		goto out;
	elf_flagelf(e, ELF_C_SET, ELF_F_LAYOUT);
	errno = 0;
	if (elf_update(e, ELF_C_WRITE) < 0) {
		libelf_error("write");
		goto out;
	}
	ret = write_contents(w);
out:
	elf_end(e);
	return ret;
}

static void free_writer(struct writer *w)
{
	if (w->secs)
		for (unsigned int i = 0; i < w->n; i++)
			free(w->secs[i].owned);
	free(w->secs);
	free(w->order);
}

/* An unchanged object to -o OUT: the input image as it is. */
static int copy_image(struct obj *obj, int fd)
{
	const unsigned char *p = obj->map;
	size_t left = obj->map_size;

	while (left) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return obj_set_error(OBJ_ERR_IO, "write: %s",
					     strerror(errno));
		p += n;
		left -= n;
	}
	return 0;
}

static int write_to_fd(struct obj *obj, int fd, bool copy_input)
{
	struct writer w = { .obj = obj, .fd = fd };
	int ret;

	if (copy_input)
		return copy_image(obj, fd);
	ret = prepare(&w);
	if (!ret) {
		layout(&w);
		ret = check_layout_size(&w);
	}
	if (!ret)
		ret = write_model(&w);
	free_writer(&w);
	return ret;
}

/* ---- the temporary file and the rename ------------------------------- */

/* The file that gets replaced: DEST itself, or what a symlink points to. */
static char *resolve_dest(const char *dest)
{
	struct stat st;
	char *p;

	if (lstat(dest, &st) || !S_ISLNK(st.st_mode)) {
		p = strdup(dest);
		if (!p)
			obj_nomem();
		return p;
	}
	p = realpath(dest, NULL);
	if (!p)
		obj_set_error(OBJ_ERR_IO, "cannot follow symlink: %s",
			      strerror(errno));
	return p;
}

static char *temp_name(const char *dest)
{
	const char *slash = strrchr(dest, '/');
	size_t dirlen = slash ? (size_t)(slash - dest + 1) : 0;
	const char *base = slash ? slash + 1 : dest;
	size_t len = dirlen + strlen(base) + 32;
	char *t = malloc(len);

	if (t)
		snprintf(t, len, "%.*s.%s.scpatch-XXXXXX", (int)dirlen, dest,
			 base);
	return t;
}

struct dest_attrs {
	mode_t mode;
	uid_t uid;
	gid_t gid;
	bool exists;
};

static int check_dest(const char *dest, struct dest_attrs *a,
		      const struct obj *obj)
{
	struct stat st;

	a->mode = obj->st.st_mode & 07777;
	a->exists = false;
	if (stat(dest, &st)) {
		if (errno == ENOENT)
			return 0;
		return obj_set_error(OBJ_ERR_IO, "%s", strerror(errno));
	}
	if (!S_ISREG(st.st_mode))
		return obj_set_error(OBJ_ERR_IO, "output is not a regular file");
	if (access(dest, W_OK))
		return obj_set_error(OBJ_ERR_IO, "not writable: %s",
				     strerror(errno));
	a->mode = st.st_mode & 07777;
	a->uid = st.st_uid;
	a->gid = st.st_gid;
	a->exists = true;
	return 0;
}

static int write_temp(struct obj *obj, char *tmp, const struct dest_attrs *a,
		      bool copy)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int fd = mkostemp(tmp, O_CLOEXEC);
	int ret;

	if (fd < 0)
		return obj_set_error(OBJ_ERR_IO,
				     "cannot create a temporary file %s: %s",
				     tmp, strerror(errno));
	/* Over a file size limit write() must fail, not kill us mid-file. */
	sigaction(SIGXFSZ, &ign, &old);
	ret = write_to_fd(obj, fd, copy);
	sigaction(SIGXFSZ, &old, NULL);
	/* Owner kept where we may (root rewriting a user's object); the
	 * group too, when we belong to it.  Best effort: failing is normal. */
	if (!ret && a->exists && fchown(fd, a->uid, a->gid) &&
	    fchown(fd, -1, a->gid))
		errno = 0;
	if (!ret && fchmod(fd, a->mode))
		ret = obj_set_error(OBJ_ERR_IO, "chmod: %s", strerror(errno));
	if (close(fd) && !ret)
		ret = obj_set_error(OBJ_ERR_IO, "close: %s", strerror(errno));
	return ret;
}

int obj_write_file(struct obj *obj, const char *dest_path, bool copy_input)
{
	char *dest = resolve_dest(dest_path);
	char *tmp = NULL;
	struct dest_attrs attrs;
	int ret = -1;

	if (!dest)
		return -1;
	if (check_dest(dest, &attrs, obj))
		goto out;
	tmp = temp_name(dest);
	if (!tmp) {
		obj_nomem();
		goto out;
	}
	ret = write_temp(obj, tmp, &attrs, copy_input);
	if (!ret && rename(tmp, dest))
		ret = obj_set_error(OBJ_ERR_IO, "rename: %s", strerror(errno));
	if (ret)
		unlink(tmp);
out:
	free(tmp);
	free(dest);
	return ret;
}

int obj_write(struct obj *obj, const char *out, unsigned int flags)
{
	bool relayout = flags & OBJ_WRITE_RELAYOUT;

	if (obj_check_modifiable(obj))
		return -1;
	if (!out && obj->mem)
		return obj_set_error(OBJ_ERR_USAGE,
				     "read from memory: give an output file");
	if (!obj->changed && !relayout) {
		if (!out && !(flags & OBJ_WRITE_ALWAYS))
			return 0;
		return obj_write_file(obj, out ? out : obj->path, true);
	}
	return obj_write_file(obj, out ? out : obj->path, false);
}
