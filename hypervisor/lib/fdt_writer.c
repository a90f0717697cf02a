/* SPDX-License-Identifier: MIT */
/*
 * The device tree writer of <hv/fdt_writer.h>. The structure block grows from the front of the
 * buffer and the strings block down from its end, each property remembering its name by the
 * distance from that end; fdt_writer_finish() moves the strings behind the structure and turns
 * those distances into the offsets the format wants (Devicetree Specification v0.4, 5.3-5.5).
 */
#include <hv/fdt_writer.h>
#include <hv/string.h>
#include <public/axvm/errno.h>

#define TOKEN_BEGIN_NODE 1
#define TOKEN_END_NODE   2
#define TOKEN_PROP       3
#define TOKEN_END        9

#define FDT_MAGIC_NUMBER 0xd00dfeedu
#define HEADER_SIZE      40
#define RSVMAP_SIZE      16 /* just the terminating entry */
#define STRUCT_START     (HEADER_SIZE + RSVMAP_SIZE)
#define FDT_VERSION      17
#define FDT_LAST_COMPAT  16
#define MAX_BLOB         0x7fffffffu

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static size_t pad4(size_t n)
{
    return (n + 3) & ~(size_t)3;
}

static void fail(struct fdt_writer *w, int error)
{
    if (!w->error) {
        w->error = error;
    }
}

void fdt_writer_init(struct fdt_writer *w, void *buf, size_t size)
{
    *w = (struct fdt_writer){.buf = buf, .size = size, .pos = STRUCT_START, .strings_low = size};
    if (size > MAX_BLOB) {
        w->size = w->strings_low = MAX_BLOB;
    }
    if (size < STRUCT_START + 2 * 4) {
        fail(w, -AXVM_ENOSPC);
    }
}

/* Reserve len structure bytes (zeroed, so padding is zero). Returns: them, or NULL. */
static uint8_t *reserve(struct fdt_writer *w, size_t len)
{
    uint8_t *p;

    if (w->error) {
        return NULL;
    }
    if (len > w->strings_low - w->pos) {
        fail(w, -AXVM_ENOSPC);
        return NULL;
    }
    p = w->buf + w->pos;
    memset(p, 0, len);
    w->pos += len;
    return p;
}

/* Returns: the distance from the buffer's end of name in the strings, added if new; or 0. */
static uint32_t string_distance(struct fdt_writer *w, const char *name)
{
    size_t len = strlen(name) + 1;

    for (size_t at = w->strings_low, n; at < w->size; at += n) {
        n = strlen((const char *)w->buf + at) + 1;
        if (n == len && memcmp(w->buf + at, name, len) == 0) {
            return (uint32_t)(w->size - at);
        }
    }
    if (len > w->strings_low - w->pos) {
        fail(w, -AXVM_ENOSPC);
        return 0;
    }
    w->strings_low -= len;
    memcpy(w->buf + w->strings_low, name, len);
    return (uint32_t)(w->size - w->strings_low);
}

void fdt_writer_begin_node(struct fdt_writer *w, const char *name)
{
    size_t len = strlen(name) + 1;
    uint8_t *p;

    if ((w->depth == 0) != (name[0] == '\0') || (w->depth == 0 && w->has_root)) {
        fail(w, -AXVM_EINVAL);
    }
    p = reserve(w, 4 + pad4(len));
    if (p) {
        put32(p, TOKEN_BEGIN_NODE);
        memcpy(p + 4, name, len);
        w->has_root = true;
        w->depth++;
    }
}

void fdt_writer_end_node(struct fdt_writer *w)
{
    uint8_t *p;

    if (w->depth == 0) {
        fail(w, -AXVM_EINVAL);
    }
    p = reserve(w, 4);
    if (p) {
        put32(p, TOKEN_END_NODE);
        w->depth--;
    }
}

/* Start a property of len value bytes. Returns: where the value goes, or NULL. */
static uint8_t *begin_prop(struct fdt_writer *w, const char *name, uint32_t len)
{
    uint32_t distance;
    uint8_t *p;

    if (w->depth == 0 || name[0] == '\0') {
        fail(w, -AXVM_EINVAL);
    }
    distance = w->error ? 0 : string_distance(w, name);
    p = reserve(w, 12 + pad4(len));
    if (!p) {
        return NULL;
    }
    put32(p, TOKEN_PROP);
    put32(p + 4, len);
    put32(p + 8, distance); /* until fdt_writer_finish() */
    return p + 12;
}

void fdt_writer_prop(struct fdt_writer *w, const char *name, const void *value, uint32_t len)
{
    uint8_t *p = begin_prop(w, name, len);

    if (p && len) {
        memcpy(p, value, len);
    }
}

void fdt_writer_prop_empty(struct fdt_writer *w, const char *name)
{
    begin_prop(w, name, 0);
}

void fdt_writer_prop_cells(struct fdt_writer *w, const char *name, const uint32_t *cells,
                           unsigned int nr)
{
    uint8_t *p = nr <= MAX_BLOB / 4 ? begin_prop(w, name, 4 * nr) : NULL;

    if (nr > MAX_BLOB / 4) {
        fail(w, -AXVM_ENOSPC);
    }
    for (unsigned int i = 0; p && i < nr; i++) {
        put32(p + (size_t)4 * i, cells[i]);
    }
}

void fdt_writer_prop_u32(struct fdt_writer *w, const char *name, uint32_t v)
{
    fdt_writer_prop_cells(w, name, &v, 1);
}

void fdt_writer_prop_u64(struct fdt_writer *w, const char *name, uint64_t v)
{
    const uint32_t cells[2] = {(uint32_t)(v >> 32), (uint32_t)v};

    fdt_writer_prop_cells(w, name, cells, 2);
}

void fdt_writer_prop_string(struct fdt_writer *w, const char *name, const char *s)
{
    fdt_writer_prop_strings(w, name, &s, 1);
}

void fdt_writer_prop_strings(struct fdt_writer *w, const char *name, const char *const *list,
                             unsigned int nr)
{
    size_t len = 0;
    uint8_t *p;

    for (unsigned int i = 0; i < nr; i++) {
        len += strlen(list[i]) + 1;
    }
    if (len > MAX_BLOB) {
        fail(w, -AXVM_ENOSPC);
        return;
    }
    p = begin_prop(w, name, (uint32_t)len);
    for (unsigned int i = 0; p && i < nr; i++) {
        size_t n = strlen(list[i]) + 1;

        memcpy(p, list[i], n);
        p += n;
    }
}

/* Turn every property's name distance into an offset in a strings block of strings_size. */
static void patch_name_offsets(struct fdt_writer *w, uint32_t strings_size)
{
    size_t at = STRUCT_START;

    while (at < w->pos) {
        uint32_t token = get32(w->buf + at);

        if (token == TOKEN_BEGIN_NODE) {
            at += 4 + pad4(strlen((const char *)w->buf + at + 4) + 1);
        } else if (token == TOKEN_PROP) {
            put32(w->buf + at + 8, strings_size - get32(w->buf + at + 8));
            at += 12 + pad4(get32(w->buf + at + 4));
        } else {
            at += 4;
        }
    }
}

int fdt_writer_finish(struct fdt_writer *w, size_t *total)
{
    uint32_t strings_size = (uint32_t)(w->size - w->strings_low);
    uint32_t struct_size;
    uint8_t *h = w->buf;
    uint8_t *end;

    if (!w->error && (w->depth || !w->has_root)) {
        fail(w, -AXVM_EINVAL);
    }
    end = reserve(w, 4);
    if (!end) {
        return w->error;
    }
    put32(end, TOKEN_END);
    patch_name_offsets(w, strings_size);
    memmove(w->buf + w->pos, w->buf + w->strings_low, strings_size);
    struct_size = (uint32_t)(w->pos - STRUCT_START);
    memset(h, 0, STRUCT_START);
    put32(h, FDT_MAGIC_NUMBER);
    put32(h + 4, (uint32_t)w->pos + strings_size); /* totalsize */
    put32(h + 8, STRUCT_START);                    /* off_dt_struct */
    put32(h + 12, (uint32_t)w->pos);               /* off_dt_strings */
    put32(h + 16, HEADER_SIZE);                    /* off_mem_rsvmap */
    put32(h + 20, FDT_VERSION);
    put32(h + 24, FDT_LAST_COMPAT);
    put32(h + 32, strings_size);
    put32(h + 36, struct_size);
    *total = w->pos + strings_size;
    w->error = -AXVM_EINVAL; /* finished: nothing more may be added */
    return 0;
}
