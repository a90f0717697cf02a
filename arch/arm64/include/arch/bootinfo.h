/* SPDX-License-Identifier: MIT */
/* arm64 twin of <hv/bootinfo.h>: where the device tree the loader gave us lives. */
#ifndef ARCH_ARM64_BOOTINFO_H
#define ARCH_ARM64_BOOTINFO_H

#include <hv/types.h>

struct arch_boot_info {
    hpa_t dtb_hpa; /* kept (and reserved) for dom0's device tree later */
    uint32_t dtb_size;
};

#endif /* ARCH_ARM64_BOOTINFO_H */
