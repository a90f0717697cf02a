/* SPDX-License-Identifier: MIT */
/*
 * The header of an arm64 Linux kernel Image (the kernel's Documentation/arm64/booting.rst,
 * "Call the kernel image"): where it wants to be placed and how much memory it needs.
 */
#ifndef ARM64_IMAGE_H
#define ARM64_IMAGE_H

#include <hv/types.h>

#define ARM64_IMAGE_HEADER_SIZE     64
#define ARM64_IMAGE_MAGIC           0x644d5241u /* "ARM\x64", little-endian at offset 56 */
/* The text_offset of kernels before 3.17, whose header had no image_size. */
#define ARM64_IMAGE_OLD_TEXT_OFFSET 0x80000u

struct arm64_image {
    uint64_t text_offset; /* the load address is a 2 MiB-aligned base plus this */
    uint64_t image_size;  /* bytes from the load address the kernel uses, BSS included, and
                           * at least the file's size */
    bool big_endian;
    unsigned int page_size_kib; /* 4, 16 or 64; 0: the kernel does not say */
};

/*
 * Check an Image's header and read it into *out. A kernel whose image_size is 0 predates the
 * field: text_offset 0x80000 and the file's size are taken. Context: any; reads only data.
 * Returns: 0; -AXVM_EINVAL with *why (a static string; why may be NULL) set for a file shorter
 * than the header, a missing magic or a big-endian kernel.
 */
int arm64_image_parse(const void *data, size_t size, struct arm64_image *out, const char **why);

/*
 * Where a domain's pieces go in its RAM, the same for boot-time domains and the toolstack's:
 * the device tree at the start of RAM (the first 2 MiB are its), the Image 2 MiB in plus its
 * text_offset, the initrd from the first 2 MiB boundary after the Image's image_size.
 */
#define ARM64_IMAGE_DT_ROOM 0x200000u

struct arm64_layout {
    uint64_t dt;     /* the device tree, ARM64_IMAGE_DT_ROOM bytes at most */
    uint64_t kernel; /* the Image's load address: vCPU 0's entry */
    uint64_t initrd; /* the initrd (where it would go, when there is none) */
};

/*
 * Plan where an Image (parsed into *img) and an initrd of initrd_size bytes go in RAM of
 * ram_size bytes at ram (2 MiB aligned). Context: any; pure arithmetic.
 * Returns: 0 and *out; -AXVM_EINVAL with *why (static) when they do not fit.
 */
int arm64_image_layout(const struct arm64_image *img, uint64_t ram, uint64_t ram_size,
                       uint64_t initrd_size, struct arm64_layout *out, const char **why);

#endif /* ARM64_IMAGE_H */
