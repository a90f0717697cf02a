/* SPDX-License-Identifier: MIT */
/*
 * Multiboot2 boot information parser. Everything is bounds-checked against the declared total
 * size, so a truncated or corrupt structure ends in an error, not in a wild read.
 */
#define LOG_TAG "multiboot2"
#include <hv/log.h>
#include <hv/string.h>
#include <public/axvm/errno.h>
#include <x86/multiboot2.h>

static enum mem_type mmap_type(uint32_t type)
{
    switch (type) {
    case MB2_MMAP_AVAILABLE:
        return MEM_USABLE;
    case MB2_MMAP_ACPI_RECLAIMABLE:
        return MEM_ACPI_RECLAIM;
    case MB2_MMAP_NVS:
        return MEM_ACPI_NVS;
    case MB2_MMAP_BADRAM:
        return MEM_BAD;
    default:
        return MEM_RESERVED;
    }
}

static int parse_mmap(const struct mb2_tag_mmap *tag, struct boot_info *bi)
{
    const uint8_t *p = (const uint8_t *)(tag + 1);
    const uint8_t *end = (const uint8_t *)tag + tag->size;

    if (tag->size < sizeof(*tag)) {
        log_err("memory map tag: size %u is smaller than its header", tag->size);
        return -AXVM_EINVAL;
    }
    if (tag->entry_size < sizeof(struct mb2_mmap_entry)) {
        log_err("memory map tag: entry size %u is too small", tag->entry_size);
        return -AXVM_EINVAL;
    }
    for (; p + sizeof(struct mb2_mmap_entry) <= end; p += tag->entry_size) {
        struct mb2_mmap_entry e;

        memcpy(&e, p, sizeof(e));
        if (bootinfo_add_mem(bi, e.base_addr, e.length, mmap_type(e.type))) {
            log_warn("memory map has more than %u entries; the rest is ignored",
                     BOOT_MAX_MEM_RANGES);
            return -AXVM_ENOSPC;
        }
    }
    return 0;
}

/* Length of the NUL-terminated string at s, which must end before limit. */
static int tag_string(const char *s, const char *limit, size_t *len)
{
    size_t max = (size_t)(limit - s);
    size_t n = strnlen(s, max);

    if (n == max) {
        return -AXVM_EINVAL;
    }
    *len = n;
    return 0;
}

static int parse_module(const struct mb2_tag_module *tag, struct boot_info *bi)
{
    size_t len;

    if (tag->size < sizeof(*tag) + 1 ||
        tag_string(tag->string, (const char *)tag + tag->size, &len)) {
        log_err("module tag: string is not terminated");
        return -AXVM_EINVAL;
    }
    if (tag->mod_end < tag->mod_start) {
        log_err("module tag: end 0x%x is below start 0x%x", tag->mod_end, tag->mod_start);
        return -AXVM_EINVAL;
    }
    if (bootinfo_add_module(bi, tag->mod_start, tag->mod_end, tag->string, len)) {
        log_warn("more than %u modules; module at 0x%x is ignored", BOOT_MAX_MODULES,
                 tag->mod_start);
        return -AXVM_ENOSPC;
    }
    return 0;
}

static int parse_cmdline(const struct mb2_tag *tag, struct boot_info *bi)
{
    const char *s = (const char *)(tag + 1);
    size_t len;

    if (tag_string(s, (const char *)tag + tag->size, &len)) {
        log_err("command line tag: string is not terminated");
        return -AXVM_EINVAL;
    }
    return bootinfo_set_cmdline(bi, s, len);
}

static void parse_rsdp(const struct mb2_tag *tag, struct boot_info *bi)
{
    size_t len = tag->size - sizeof(*tag);

    /* Prefer the ACPI 2.0 copy (tag 15) when the loader gives both. */
    if (bi->arch.rsdp_len > len && bi->arch.rsdp_len > 20) {
        return;
    }
    len = MIN(len, sizeof(bi->arch.rsdp));
    memcpy(bi->arch.rsdp, tag + 1, len);
    bi->arch.rsdp_len = len;
}

/* The memory map from the basic meminfo tag, for loaders that give no full map. */
static void use_basic_meminfo(const struct mb2_tag_basic_meminfo *tag, struct boot_info *bi)
{
    log_warn("no memory map tag; using the basic meminfo (%u KiB low, %u KiB high)", tag->mem_lower,
             tag->mem_upper);
    bootinfo_add_mem(bi, 0, KIB(tag->mem_lower), MEM_USABLE);
    bootinfo_add_mem(bi, MIB(1), KIB(tag->mem_upper), MEM_USABLE);
}

static int parse_tag(const struct mb2_tag *tag, struct boot_info *bi,
                     const struct mb2_tag_basic_meminfo **basic)
{
    switch (tag->type) {
    case MB2_TAG_CMDLINE:
        return parse_cmdline(tag, bi);
    case MB2_TAG_MODULE:
        return parse_module((const struct mb2_tag_module *)tag, bi);
    case MB2_TAG_MMAP:
        return parse_mmap((const struct mb2_tag_mmap *)tag, bi);
    case MB2_TAG_BASIC_MEMINFO:
        if (tag->size >= sizeof(**basic)) {
            *basic = (const struct mb2_tag_basic_meminfo *)tag;
        }
        return 0;
    case MB2_TAG_ACPI_OLD:
    case MB2_TAG_ACPI_NEW:
        parse_rsdp(tag, bi);
        return 0;
    default:
        return 0; /* framebuffer, ELF sections, load base...: not needed */
    }
}

int mb2_parse(const void *info, size_t size, struct boot_info *bi)
{
    const struct mb2_info_header *hdr = info;
    const uint8_t *base = info;
    const struct mb2_tag_basic_meminfo *basic = NULL;
    size_t total, off = sizeof(*hdr);
    int rc = 0;

    if (size < sizeof(*hdr) || hdr->total_size < sizeof(*hdr) + sizeof(struct mb2_tag) ||
        hdr->total_size > size) {
        log_err("boot information size %u is impossible",
                size < sizeof(*hdr) ? 0 : hdr->total_size);
        return -AXVM_EINVAL;
    }
    total = hdr->total_size;
    while (off + sizeof(struct mb2_tag) <= total) {
        const struct mb2_tag *tag = (const struct mb2_tag *)(base + off);
        int tag_rc;

        if (tag->type == MB2_TAG_END) {
            break;
        }
        if (tag->size < sizeof(*tag) || tag->size > total - off) {
            log_err("tag %u at offset %zu has size %u, past the end (%zu bytes)", tag->type, off,
                    tag->size, total);
            rc = -AXVM_EINVAL;
            break;
        }
        tag_rc = parse_tag(tag, bi, &basic);
        if (tag_rc == -AXVM_EINVAL) {
            rc = tag_rc;
            break;
        }
        rc = rc ? rc : tag_rc;
        off += ALIGN_UP((size_t)tag->size, 8);
    }
    if (bi->nr_mem == 0 && basic) {
        use_basic_meminfo(basic, bi);
    }
    return rc;
}
