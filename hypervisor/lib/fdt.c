/* SPDX-License-Identifier: MIT */
/* Flattened device tree reader: tokens, node names and properties, all bounds-checked. */
#include <hv/compiler.h>
#include <hv/fdt.h>
#include <hv/string.h>
#include <public/axvm/errno.h>

#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9

#define FDT_HEADER_SIZE 40
#define FDT_MIN_VERSION 16

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint64_t fdt_read_cells(const uint8_t *p, uint32_t cells)
{
    uint64_t v = 0;

    for (uint32_t i = 0; i < cells && i < 2; i++) {
        v = v << 32 | be32(p + (size_t)4 * i);
    }
    return v;
}

static bool block_fits(uint32_t off, uint32_t size, uint32_t total)
{
    return off <= total && size <= total - off;
}

int fdt_open(struct fdt *f, const void *dtb, size_t max_size)
{
    const uint8_t *h = dtb;

    if (max_size < FDT_HEADER_SIZE || be32(h) != FDT_MAGIC) {
        return -AXVM_EINVAL;
    }
    f->blob = h;
    f->size = be32(h + 4);
    f->off_struct = be32(h + 8);
    f->off_strings = be32(h + 12);
    f->off_rsvmap = be32(h + 16);
    f->size_strings = be32(h + 32);
    f->size_struct = be32(h + 36);
    if (f->size > max_size) {
        return -AXVM_E2BIG;
    }
    if (f->size < FDT_HEADER_SIZE || be32(h + 20) < FDT_MIN_VERSION ||
        !block_fits(f->off_struct, f->size_struct, f->size) ||
        !block_fits(f->off_strings, f->size_strings, f->size) ||
        !block_fits(f->off_rsvmap, 16, f->size) || (f->off_struct & 3) || (f->off_rsvmap & 7)) {
        return -AXVM_EINVAL;
    }
    return 0;
}

/* Token at structure offset off, or FDT_END when off is outside the block. */
static uint32_t token_at(const struct fdt *f, uint32_t off)
{
    if (f->size_struct < 4 || off > f->size_struct - 4) {
        return FDT_END;
    }
    return be32(f->blob + f->off_struct + off);
}

/* Length of the NUL-terminated string at structure offset off; -1 if it is not terminated. */
static int64_t struct_string_len(const struct fdt *f, uint32_t off)
{
    const char *s = (const char *)f->blob + f->off_struct + off;
    size_t max = off < f->size_struct ? f->size_struct - off : 0;
    size_t n = strnlen(s, max);

    return n == max ? -1 : (int64_t)n;
}

/* Offset just past the token at off (a node header or a property), or 0 if malformed. */
static uint32_t skip_token(const struct fdt *f, uint32_t off)
{
    uint32_t tok = token_at(f, off);
    int64_t len;
    uint32_t plen;

    switch (tok) {
    case FDT_BEGIN_NODE:
        len = struct_string_len(f, off + 4);
        return len < 0 ? 0 : off + 4 + ALIGN_UP((uint32_t)len + 1, 4u);
    case FDT_PROP:
        if (off + 12 > f->size_struct) {
            return 0;
        }
        plen = be32(f->blob + f->off_struct + off + 4);
        if (plen > f->size_struct - off - 12) {
            return 0;
        }
        return off + 12 + ALIGN_UP(plen, 4u);
    case FDT_END_NODE:
    case FDT_NOP:
        return off + 4;
    default:
        return 0;
    }
}

int fdt_next_node(const struct fdt *f, int *node, int *depth)
{
    uint32_t off = 0;

    if (*node >= 0) {
        off = skip_token(f, (uint32_t)*node);
        if (!off) {
            return -AXVM_EINVAL;
        }
    }
    for (;;) {
        uint32_t tok = token_at(f, off);

        if (tok == FDT_BEGIN_NODE) {
            if (*depth + 1 >= FDT_MAX_DEPTH) {
                return -AXVM_EINVAL;
            }
            *node = (int)off;
            (*depth)++;
            return 0;
        }
        if (tok == FDT_END_NODE) {
            if (--(*depth) < -1) {
                return -AXVM_EINVAL;
            }
            off += 4;
            continue;
        }
        if (tok == FDT_END) {
            return *depth == -1 ? -AXVM_ENOENT : -AXVM_EINVAL; /* nodes left open: cut short */
        }
        off = skip_token(f, off);
        if (!off) {
            return -AXVM_EINVAL;
        }
    }
}

const char *fdt_node_name(const struct fdt *f, int node)
{
    if (node < 0 || token_at(f, (uint32_t)node) != FDT_BEGIN_NODE ||
        struct_string_len(f, (uint32_t)node + 4) < 0) {
        return NULL;
    }
    return (const char *)f->blob + f->off_struct + (uint32_t)node + 4;
}

static const char *prop_name(const struct fdt *f, uint32_t nameoff)
{
    const char *s = (const char *)f->blob + f->off_strings + nameoff;

    if (nameoff >= f->size_strings ||
        strnlen(s, f->size_strings - nameoff) == f->size_strings - nameoff) {
        return NULL;
    }
    return s;
}

bool fdt_get_prop(const struct fdt *f, int node, const char *name, struct fdt_prop *prop)
{
    uint32_t off;

    if (node < 0 || token_at(f, (uint32_t)node) != FDT_BEGIN_NODE) {
        return false;
    }
    off = skip_token(f, (uint32_t)node);
    while (off) {
        uint32_t tok = token_at(f, off);
        const char *pname;

        if (tok == FDT_NOP) {
            off += 4;
            continue;
        }
        if (tok != FDT_PROP) {
            return false; /* properties come before subnodes */
        }
        if (!skip_token(f, off)) {
            return false;
        }
        pname = prop_name(f, be32(f->blob + f->off_struct + off + 8));
        if (pname && strcmp(pname, name) == 0) {
            prop->name = pname;
            prop->len = be32(f->blob + f->off_struct + off + 4);
            prop->value = f->blob + f->off_struct + off + 12;
            return true;
        }
        off = skip_token(f, off);
    }
    return false;
}

int fdt_next_prop(const struct fdt *f, int node, uint32_t *cursor, struct fdt_prop *prop)
{
    uint32_t off = *cursor;

    if (node < 0 || token_at(f, (uint32_t)node) != FDT_BEGIN_NODE) {
        return -AXVM_EINVAL;
    }
    if (!off) {
        off = skip_token(f, (uint32_t)node);
    }
    while (off && token_at(f, off) == FDT_NOP) {
        off += 4;
    }
    if (!off) {
        return -AXVM_EINVAL;
    }
    if (token_at(f, off) != FDT_PROP) {
        return -AXVM_ENOENT; /* properties come before subnodes */
    }
    if (!skip_token(f, off)) {
        return -AXVM_EINVAL;
    }
    prop->name = prop_name(f, be32(f->blob + f->off_struct + off + 8));
    if (!prop->name) {
        return -AXVM_EINVAL;
    }
    prop->len = be32(f->blob + f->off_struct + off + 4);
    prop->value = f->blob + f->off_struct + off + 12;
    *cursor = skip_token(f, off);
    return 0;
}

bool fdt_is_compatible(const struct fdt *f, int node, const char *compat)
{
    struct fdt_prop p;
    size_t want = strlen(compat) + 1;

    if (!fdt_get_prop(f, node, "compatible", &p)) {
        return false;
    }
    for (uint32_t off = 0; off < p.len;) {
        const char *s = (const char *)p.value + off;
        size_t n = strnlen(s, p.len - off);

        if (n == p.len - off) {
            return false; /* unterminated last string */
        }
        if (n + 1 == want && memcmp(s, compat, want) == 0) {
            return true;
        }
        off += (uint32_t)n + 1;
    }
    return false;
}

bool fdt_prop_is_string(const struct fdt_prop *prop, const char *s)
{
    size_t n = strlen(s) + 1;

    return prop->len == n && memcmp(prop->value, s, n) == 0;
}

uint32_t fdt_get_u32(const struct fdt *f, int node, const char *name, uint32_t def)
{
    struct fdt_prop p;

    if (!fdt_get_prop(f, node, name, &p) || p.len != 4) {
        return def;
    }
    return be32(p.value);
}

int fdt_rsvmap_entry(const struct fdt *f, unsigned int index, uint64_t *base, uint64_t *size)
{
    uint64_t off = (uint64_t)f->off_rsvmap + (uint64_t)index * 16;

    if (off + 16 > f->size) {
        return -AXVM_EINVAL;
    }
    *base = fdt_read_cells(f->blob + off, 2);
    *size = fdt_read_cells(f->blob + off + 8, 2);
    return *base == 0 && *size == 0 ? -AXVM_ENOENT : 0;
}
