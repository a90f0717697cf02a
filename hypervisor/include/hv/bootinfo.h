/* SPDX-License-Identifier: MIT */
/*
 * What the boot loader told us, in one arch-neutral shape: the command line, the RAM map, the
 * modules and the ranges the frame allocator must never hand out. The arch fills it from
 * Multiboot2 tags (x86) or the device tree (arm64) and copies every string, so the loader's own
 * structures can be overwritten afterwards.
 */
#ifndef HV_BOOTINFO_H
#define HV_BOOTINFO_H

#include <hv/compiler.h>
#include <hv/types.h>
#include <arch/bootinfo.h>

#define BOOT_MAX_MEM_RANGES 128
#define BOOT_MAX_MODULES    16
#define BOOT_MAX_RESERVED   32
#define BOOT_STRINGS_SIZE   4096

enum mem_type {
    MEM_USABLE = 1,
    MEM_RESERVED = 2,
    MEM_ACPI_RECLAIM = 3,
    MEM_ACPI_NVS = 4,
    MEM_BAD = 5,
};

struct mem_range {
    uint64_t base;
    uint64_t size_bytes;
    enum mem_type type;
};

struct boot_module {
    hpa_t start;        /* first byte */
    hpa_t end;          /* one past the last byte */
    const char *string; /* the loader's string for it, "" if none */
};

struct boot_info {
    const char *cmdline; /* never NULL */
    unsigned int nr_mem;
    struct mem_range mem[BOOT_MAX_MEM_RANGES];
    unsigned int nr_modules;
    struct boot_module modules[BOOT_MAX_MODULES];
    unsigned int nr_reserved; /* beyond the map: image, loader data, firmware reservations */
    struct mem_range reserved[BOOT_MAX_RESERVED];
    size_t strings_used;
    char strings[BOOT_STRINGS_SIZE];
    struct arch_boot_info arch;
};

/* Empty bi, cmdline "". */
void bootinfo_init(struct boot_info *bi);

/*
 * Append a memory-map range (size 0 is ignored).
 * Returns: 0, or -AXVM_ENOSPC when the map is full.
 */
int bootinfo_add_mem(struct boot_info *bi, uint64_t base, uint64_t size_bytes, enum mem_type type);

/* Append a module with a copy of its string. Returns: 0, -AXVM_ENOSPC, -AXVM_EINVAL if end < start.
 */
int bootinfo_add_module(struct boot_info *bi, hpa_t start, hpa_t end, const char *string,
                        size_t string_len);

/* Append a reserved range. Returns: 0 or -AXVM_ENOSPC. */
int bootinfo_add_reserved(struct boot_info *bi, hpa_t base, uint64_t size_bytes);

/* Set the command line to a copy of s[0..len). Returns: 0 or -AXVM_ENOSPC. */
int bootinfo_set_cmdline(struct boot_info *bi, const char *s, size_t len);

/* Returns: the bytes of MEM_USABLE RAM in the map, counting overlaps once. */
uint64_t bootinfo_usable_bytes(const struct boot_info *bi);

/* Print the map, the modules and the reserved ranges at info level. */
void bootinfo_log(const struct boot_info *bi);

const char *bootinfo_mem_type_name(enum mem_type type);

#endif /* HV_BOOTINFO_H */
