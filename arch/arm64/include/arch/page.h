/* SPDX-License-Identifier: MIT */
/* arm64 twin of <hv/page.h>: the hypervisor maps RAM 1:1 at EL2, so virtual equals physical. */
#ifndef ARCH_ARM64_PAGE_H
#define ARCH_ARM64_PAGE_H

#include <hv/types.h>

static inline void *arch_hpa_to_virt(hpa_t hpa)
{
    return (void *)(uintptr_t)hpa;
}

static inline hpa_t arch_virt_to_hpa(const void *va)
{
    return (hpa_t)(uintptr_t)va;
}

#endif /* ARCH_ARM64_PAGE_H */
