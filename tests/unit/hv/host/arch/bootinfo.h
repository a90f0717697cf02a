/* SPDX-License-Identifier: MIT */
/*
 * Host twin of <hv/bootinfo.h>. It has the shape of the x86 twin because the unit tests also
 * build arch/x86/multiboot2.c, which fills it.
 */
#ifndef ARCH_HOST_BOOTINFO_H
#define ARCH_HOST_BOOTINFO_H

#include <hv/types.h>

#define HOST_RSDP_MAX 36 /* as X86_RSDP_MAX: ACPI 2.0+ RSDP */

struct arch_boot_info {
    uint8_t rsdp[HOST_RSDP_MAX]; /* copy of the loader's RSDP tag, if any */
    size_t rsdp_len;             /* 0: none given */
};

#endif /* ARCH_HOST_BOOTINFO_H */
