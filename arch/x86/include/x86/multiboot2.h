/* SPDX-License-Identifier: MIT */
/*
 * The Multiboot2 boot information format (Multiboot2 specification, "Boot information
 * format") and its parser, which turns it into a struct boot_info.
 */
#ifndef X86_MULTIBOOT2_H
#define X86_MULTIBOOT2_H

#include <hv/bootinfo.h>
#include <hv/types.h>

#define MB2_TAG_END           0
#define MB2_TAG_CMDLINE       1
#define MB2_TAG_MODULE        3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_MMAP          6
#define MB2_TAG_FRAMEBUFFER   8
#define MB2_TAG_ACPI_OLD      14
#define MB2_TAG_ACPI_NEW      15

#define MB2_MMAP_AVAILABLE        1
#define MB2_MMAP_ACPI_RECLAIMABLE 3
#define MB2_MMAP_NVS              4
#define MB2_MMAP_BADRAM           5

struct mb2_info_header {
    uint32_t total_size; /* 0x00 */
    uint32_t reserved;   /* 0x04 */
};

struct mb2_tag {
    uint32_t type; /* 0x00 */
    uint32_t size; /* 0x04: including this header, excluding padding to 8 */
};

struct mb2_tag_module {
    uint32_t type;      /* 0x00 */
    uint32_t size;      /* 0x04 */
    uint32_t mod_start; /* 0x08 */
    uint32_t mod_end;   /* 0x0c: one past the last byte */
    char string[];      /* 0x10 */
};

struct mb2_tag_basic_meminfo {
    uint32_t type;      /* 0x00 */
    uint32_t size;      /* 0x04 */
    uint32_t mem_lower; /* 0x08: KiB from 0 */
    uint32_t mem_upper; /* 0x0c: KiB from 1 MiB */
};

struct mb2_tag_mmap {
    uint32_t type;          /* 0x00 */
    uint32_t size;          /* 0x04 */
    uint32_t entry_size;    /* 0x08 */
    uint32_t entry_version; /* 0x0c */
};

struct mb2_mmap_entry {
    uint64_t base_addr; /* 0x00 */
    uint64_t length;    /* 0x08 */
    uint32_t type;      /* 0x10 */
    uint32_t reserved;  /* 0x14 */
};
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "Multiboot2 mmap entry");

/*
 * Read the boot information at info (size bytes are readable there, at most) into bi: command
 * line, memory map (falling back to the basic meminfo tag), modules and the ACPI RSDP. Every
 * string is copied. Context: boot CPU; pure, host-testable.
 * Returns: 0; -AXVM_EINVAL for a structure whose sizes do not add up (bi keeps what was read
 * before the bad tag); -AXVM_ENOSPC when bi is full (the rest of that kind is dropped).
 */
int mb2_parse(const void *info, size_t size, struct boot_info *bi);

#endif /* X86_MULTIBOOT2_H */
