/* SPDX-License-Identifier: MIT */
/* Building and reporting the arch-neutral description of what the boot loader gave us. */
#define LOG_TAG "boot"
#include <hv/bootinfo.h>
#include <hv/log.h>
#include <hv/string.h>
#include <public/axvm/errno.h>

void bootinfo_init(struct boot_info *bi)
{
    memset(bi, 0, sizeof(*bi));
    bi->cmdline = "";
}

/* Copy s[0..len) into the string pool. Returns: the copy, or NULL when the pool is full. */
static const char *pool_copy(struct boot_info *bi, const char *s, size_t len)
{
    char *dst;

    if (len >= sizeof(bi->strings) - bi->strings_used) {
        return NULL;
    }
    dst = bi->strings + bi->strings_used;
    memcpy(dst, s, len);
    dst[len] = '\0';
    bi->strings_used += len + 1;
    return dst;
}

int bootinfo_add_mem(struct boot_info *bi, uint64_t base, uint64_t size_bytes, enum mem_type type)
{
    if (size_bytes == 0) {
        return 0;
    }
    if (bi->nr_mem >= ARRAY_SIZE(bi->mem)) {
        return -AXVM_ENOSPC;
    }
    if (base + size_bytes < base) {
        size_bytes = UINT64_MAX - base; /* clamp a range that wraps past 2^64 */
    }
    bi->mem[bi->nr_mem++] = (struct mem_range){base, size_bytes, type};
    return 0;
}

int bootinfo_add_module(struct boot_info *bi, hpa_t start, hpa_t end, const char *string,
                        size_t string_len)
{
    const char *copy;

    if (end < start) {
        return -AXVM_EINVAL;
    }
    if (bi->nr_modules >= ARRAY_SIZE(bi->modules)) {
        return -AXVM_ENOSPC;
    }
    copy = pool_copy(bi, string ? string : "", string ? string_len : 0);
    if (!copy) {
        return -AXVM_ENOSPC;
    }
    bi->modules[bi->nr_modules++] = (struct boot_module){start, end, copy};
    return 0;
}

int bootinfo_add_reserved(struct boot_info *bi, hpa_t base, uint64_t size_bytes)
{
    if (size_bytes == 0) {
        return 0;
    }
    if (bi->nr_reserved >= ARRAY_SIZE(bi->reserved)) {
        return -AXVM_ENOSPC;
    }
    bi->reserved[bi->nr_reserved++] = (struct mem_range){base, size_bytes, MEM_RESERVED};
    return 0;
}

int bootinfo_set_cmdline(struct boot_info *bi, const char *s, size_t len)
{
    const char *copy = pool_copy(bi, s, len);

    if (!copy) {
        return -AXVM_ENOSPC;
    }
    bi->cmdline = copy;
    return 0;
}

uint64_t bootinfo_usable_bytes(const struct boot_info *bi)
{
    struct mem_range sorted[BOOT_MAX_MEM_RANGES];
    unsigned int n = 0;
    uint64_t total = 0;
    uint64_t covered_to = 0;

    /* Insertion-sort the usable ranges by base, then add up their union. */
    for (unsigned int i = 0; i < bi->nr_mem; i++) {
        unsigned int j = n++;

        if (bi->mem[i].type != MEM_USABLE) {
            n--;
            continue;
        }
        while (j > 0 && sorted[j - 1].base > bi->mem[i].base) {
            sorted[j] = sorted[j - 1];
            j--;
        }
        sorted[j] = bi->mem[i];
    }
    for (unsigned int i = 0; i < n; i++) {
        uint64_t start = MAX(sorted[i].base, covered_to);
        uint64_t end = sorted[i].base + sorted[i].size_bytes;

        if (end > start) {
            total += end - start;
            covered_to = end;
        }
    }
    return total;
}

const char *bootinfo_mem_type_name(enum mem_type type)
{
    switch (type) {
    case MEM_USABLE:
        return "usable";
    case MEM_RESERVED:
        return "reserved";
    case MEM_ACPI_RECLAIM:
        return "acpi";
    case MEM_ACPI_NVS:
        return "acpi-nvs";
    case MEM_BAD:
        return "bad";
    }
    return "unknown";
}

void bootinfo_log(const struct boot_info *bi)
{
    log_info("memory map, %u entries:", bi->nr_mem);
    for (unsigned int i = 0; i < bi->nr_mem; i++) {
        const struct mem_range *r = &bi->mem[i];

        log_info("mem 0x%016llx-0x%016llx %s", (unsigned long long)r->base,
                 (unsigned long long)(r->base + r->size_bytes - 1),
                 bootinfo_mem_type_name(r->type));
    }
    for (unsigned int i = 0; i < bi->nr_modules; i++) {
        const struct boot_module *m = &bi->modules[i];

        if (m->end == m->start) {
            log_info("module %u: 0x%016llx, empty, \"%s\"", i, (unsigned long long)m->start,
                     m->string);
            continue;
        }
        log_info("module %u: 0x%016llx-0x%016llx (%llu KiB) \"%s\"", i,
                 (unsigned long long)m->start, (unsigned long long)(m->end - 1),
                 (unsigned long long)((m->end - m->start + 1023) / 1024), m->string);
    }
    for (unsigned int i = 0; i < bi->nr_reserved; i++) {
        const struct mem_range *r = &bi->reserved[i];

        log_info("reserved 0x%016llx-0x%016llx", (unsigned long long)r->base,
                 (unsigned long long)(r->base + r->size_bytes - 1));
    }
}
