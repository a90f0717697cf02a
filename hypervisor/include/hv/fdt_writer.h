/* SPDX-License-Identifier: MIT */
/*
 * A small flattened device tree writer (Devicetree Specification v0.4, "Flattened Devicetree
 * (DTB) Format"): nodes and properties in document order into one caller buffer, then a
 * finish step that lays out the blob (version 17, no memory reservations). Errors are sticky:
 * the calls after the first failure do nothing and fdt_writer_finish() reports it, so a tree
 * is written without a check after every property. Byte stores only, no config: shared by the
 * toolstack (domU trees) and the hypervisor (dom0's tree on arm64).
 */
#ifndef HV_FDT_WRITER_H
#define HV_FDT_WRITER_H

#include <hv/types.h>

struct fdt_writer {
    uint8_t *buf;
    size_t size;
    size_t pos;         /* end of the structure block so far */
    size_t strings_low; /* property names grow down from the end: [strings_low, size) */
    unsigned int depth; /* nodes open */
    bool has_root;
    int error; /* the first error, or 0 */
};

/* Start a tree in buf (size bytes; any alignment). Context: any; touches only buf and w. */
void fdt_writer_init(struct fdt_writer *w, void *buf, size_t size);

/* Open a node: the root ("") first and once, then children by name ("cpu@0"). */
void fdt_writer_begin_node(struct fdt_writer *w, const char *name);
void fdt_writer_end_node(struct fdt_writer *w);

/* Properties of the node open last. */
void fdt_writer_prop(struct fdt_writer *w, const char *name, const void *value, uint32_t len);
void fdt_writer_prop_empty(struct fdt_writer *w, const char *name);
void fdt_writer_prop_u32(struct fdt_writer *w, const char *name, uint32_t v);
void fdt_writer_prop_u64(struct fdt_writer *w, const char *name, uint64_t v);
void fdt_writer_prop_cells(struct fdt_writer *w, const char *name, const uint32_t *cells,
                           unsigned int nr);
void fdt_writer_prop_string(struct fdt_writer *w, const char *name, const char *s);
/* A string list ("compatible"): each string with its NUL, one after the other. */
void fdt_writer_prop_strings(struct fdt_writer *w, const char *name, const char *const *list,
                             unsigned int nr);

/*
 * Close the tree and lay out the blob at the start of buf. Context: any. Returns: 0 and *total (the
 * blob's size); -AXVM_ENOSPC when the buffer was too small; -AXVM_EINVAL when nodes are unbalanced,
 * a property came outside a node, a second root was opened or a name was empty.
 */
int fdt_writer_finish(struct fdt_writer *w, size_t *total);

#endif /* HV_FDT_WRITER_H */
