/* SPDX-License-Identifier: MIT */
/*
 * The arm64 Image header parser of <arm64/image.h>. The header (booting.rst) is: code0, code1
 * (u32 each), text_offset, image_size, flags (u64 each, little-endian), res2-4, magic (u32 at
 * 56), res5. Byte loads only, so any buffer alignment does.
 */
#include <arm64/image.h>
#include <public/axvm/errno.h>

#define OFF_TEXT_OFFSET 8
#define OFF_IMAGE_SIZE  16
#define OFF_FLAGS       24
#define OFF_MAGIC       56

#define FLAG_BE              0x1ull /* bit 0: the kernel is big-endian */
#define FLAG_PAGE_SIZE_SHIFT 1      /* bits 2:1: 0 unspecified, 1 4K, 2 16K, 3 64K */
#define FLAG_PAGE_SIZE_MASK  0x3ull

static uint64_t get_le(const uint8_t *p, unsigned int bytes)
{
    uint64_t v = 0;

    for (unsigned int i = bytes; i-- > 0;) {
        v = v << 8 | p[i];
    }
    return v;
}

static int reject(const char **why, const char *reason)
{
    if (why) {
        *why = reason;
    }
    return -AXVM_EINVAL;
}

int arm64_image_layout(const struct arm64_image *img, uint64_t ram, uint64_t ram_size,
                       uint64_t initrd_size, struct arm64_layout *out, const char **why)
{
    const uint64_t block = ARM64_IMAGE_DT_ROOM;
    uint64_t kernel_off = block + img->text_offset, initrd_off;

    if (img->text_offset >= ram_size || img->image_size >= ram_size ||
        kernel_off > ram_size - img->image_size) {
        return reject(why, "the Image does not fit in the domain's RAM");
    }
    /* Below ram_size, so rounding up to a 2 MiB boundary cannot wrap. */
    initrd_off = (kernel_off + img->image_size + block - 1) & ~(block - 1);
    if (initrd_off > ram_size || initrd_size > ram_size - initrd_off) {
        return reject(why, "the Image and its initrd do not fit in the domain's RAM");
    }
    *out = (struct arm64_layout){ram, ram + kernel_off, ram + initrd_off};
    return 0;
}

int arm64_image_parse(const void *data, size_t size, struct arm64_image *out, const char **why)
{
    static const unsigned int page_kib[4] = {0, 4, 16, 64};
    const uint8_t *h = data;
    uint64_t flags;

    if (!data || size < ARM64_IMAGE_HEADER_SIZE) {
        return reject(why, "shorter than the 64-byte arm64 Image header");
    }
    if (get_le(h + OFF_MAGIC, 4) != ARM64_IMAGE_MAGIC) {
        return reject(why, "no arm64 Image magic (\"ARM\\x64\" at offset 56)");
    }
    *out = (struct arm64_image){
        .text_offset = get_le(h + OFF_TEXT_OFFSET, 8),
        .image_size = get_le(h + OFF_IMAGE_SIZE, 8),
    };
    if (out->image_size == 0) {
        /* Before 3.17: the flags are not there either, and the kernel was little-endian. */
        out->text_offset = ARM64_IMAGE_OLD_TEXT_OFFSET;
        out->image_size = size;
        return 0;
    }
    flags = get_le(h + OFF_FLAGS, 8);
    out->big_endian = flags & FLAG_BE;
    out->page_size_kib = page_kib[(flags >> FLAG_PAGE_SIZE_SHIFT) & FLAG_PAGE_SIZE_MASK];
    if (out->big_endian) {
        return reject(why, "a big-endian kernel (guests run little-endian at EL1)");
    }
    /* Bytes appended after the kernel (a signature) are copied too: room for them as well. */
    if (out->image_size < size) {
        out->image_size = size;
    }
    return 0;
}
