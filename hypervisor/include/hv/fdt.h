/* SPDX-License-Identifier: MIT */
/*
 * A read-only flattened device tree reader (Devicetree Specification v0.4, "Flattened
 * Devicetree (DTB) Format"). Every access is bounds-checked against the blob's declared size,
 * so a truncated or corrupt blob gives errors, never wild reads. Byte loads only: it runs on
 * arm64 with the MMU off, where unaligned accesses fault.
 */
#ifndef HV_FDT_H
#define HV_FDT_H

#include <hv/types.h>

#define FDT_MAGIC     0xd00dfeedu
#define FDT_MAX_DEPTH 16

struct fdt {
    const uint8_t *blob;
    uint32_t size; /* totalsize from the header */
    uint32_t off_struct;
    uint32_t size_struct;
    uint32_t off_strings;
    uint32_t size_strings;
    uint32_t off_rsvmap;
};

/* A node or a property, by its offset in the structure block. */
struct fdt_prop {
    const char *name;
    const uint8_t *value;
    uint32_t len;
};

/*
 * Check the header of the blob at dtb (max_size bytes readable) and prepare f.
 * Returns: 0; -AXVM_EINVAL (bad magic, version below 16, blocks outside totalsize);
 * -AXVM_E2BIG (totalsize larger than max_size).
 */
int fdt_open(struct fdt *f, const void *dtb, size_t max_size);

/*
 * Step to the next node in document order. Start with *node = -1 and *depth = -1 to get the
 * root at depth 0. Returns: 0 with *node and *depth updated; -AXVM_ENOENT after the last node;
 * -AXVM_EINVAL for a malformed structure block.
 */
int fdt_next_node(const struct fdt *f, int *node, int *depth);

/* Returns: the node's name ("" for the root, "cpu@0"...), or NULL for a bad offset. */
const char *fdt_node_name(const struct fdt *f, int node);

/* Returns: true and *prop when node has a property called name. */
bool fdt_get_prop(const struct fdt *f, int node, const char *name, struct fdt_prop *prop);

/*
 * Step through node's properties in order: start with *cursor = 0. Returns: 0 with *prop set
 * and *cursor moved past it; -AXVM_ENOENT after the last; -AXVM_EINVAL for a malformed one.
 */
int fdt_next_prop(const struct fdt *f, int node, uint32_t *cursor, struct fdt_prop *prop);

/* Returns: whether node's "compatible" string list contains compat. */
bool fdt_is_compatible(const struct fdt *f, int node, const char *compat);

/* Returns: whether a property value is one NUL-terminated string equal to s. */
bool fdt_prop_is_string(const struct fdt_prop *prop, const char *s);

/* Returns: the value of a u32 property, or def when absent or not 4 bytes long. */
uint32_t fdt_get_u32(const struct fdt *f, int node, const char *name, uint32_t def);

/*
 * Read the big-endian number of cells cells (1 or 2) at p. Returns: its value.
 */
uint64_t fdt_read_cells(const uint8_t *p, uint32_t cells);

/*
 * The index-th /memreserve/ entry. Returns: 0 and the range, or -AXVM_ENOENT past the last,
 * or -AXVM_EINVAL if the block runs past the blob.
 */
int fdt_rsvmap_entry(const struct fdt *f, unsigned int index, uint64_t *base, uint64_t *size);

#endif /* HV_FDT_H */
