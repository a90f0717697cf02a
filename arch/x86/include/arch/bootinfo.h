/* SPDX-License-Identifier: MIT */
/* x86 twin of <hv/bootinfo.h>: what only x86 boot loaders pass on. */
#ifndef ARCH_X86_BOOTINFO_H
#define ARCH_X86_BOOTINFO_H

#include <hv/types.h>

#define X86_RSDP_MAX 36 /* ACPI 2.0+ RSDP; ACPI 1.0 uses the first 20 bytes */

struct arch_boot_info {
    uint8_t rsdp[X86_RSDP_MAX]; /* copy of the loader's RSDP tag, if any */
    size_t rsdp_len;            /* 0: none given, scan the BIOS areas */
};

#endif /* ARCH_X86_BOOTINFO_H */
