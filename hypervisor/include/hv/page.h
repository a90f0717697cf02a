/* SPDX-License-Identifier: MIT */
/* Turning host-physical addresses into pointers the hypervisor can use, and back. */
#ifndef HV_PAGE_H
#define HV_PAGE_H

#include <hv/types.h>
#include <arch/page.h>

/*
 * The twin <arch/page.h> provides arch_hpa_to_virt() and arch_virt_to_hpa() over the
 * hypervisor's direct map of RAM.
 */
static inline void *hpa_to_virt(hpa_t hpa)
{
    return arch_hpa_to_virt(hpa);
}

static inline hpa_t virt_to_hpa(const void *va)
{
    return arch_virt_to_hpa(va);
}

#endif /* HV_PAGE_H */
