/* SPDX-License-Identifier: MIT */
/*
 * Host twin of <hv/bootinfo.h>: the union of both arches' twins, because the unit tests build
 * arch/x86/multiboot2.c, which fills the RSDP copy, and arch/arm64/bootfdt.c, which records
 * where the device tree is.
 */
#ifndef ARCH_HOST_BOOTINFO_H
#define ARCH_HOST_BOOTINFO_H

#include <hv/types.h>

#define HOST_RSDP_MAX 36 /* as X86_RSDP_MAX: ACPI 2.0+ RSDP */

struct arch_boot_info {
    uint8_t rsdp[HOST_RSDP_MAX]; /* x86: copy of the loader's RSDP tag, if any */
    size_t rsdp_len;             /* x86: 0: none given */
    hpa_t dtb_hpa;               /* arm64: the device tree; on the host, its buffer's address */
    uint32_t dtb_size;           /* arm64: its totalsize */
};

#endif /* ARCH_HOST_BOOTINFO_H */
