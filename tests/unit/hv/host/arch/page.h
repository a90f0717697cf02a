/* SPDX-License-Identifier: MIT */
/*
 * Host twin of <hv/page.h>: "host-physical" RAM is a window [host_ram_hpa, +size) backed by a
 * page-aligned heap arena (host_ram_setup() in <host.h>). Converting an address outside the
 * window is a bug in the core or in a test, and aborts with a message.
 */
#ifndef ARCH_HOST_PAGE_H
#define ARCH_HOST_PAGE_H

#include <hv/compiler.h>
#include <hv/types.h>

extern uint8_t *host_ram_va;         /* the arena, NULL when there is none */
extern hpa_t host_ram_hpa;           /* host-physical address of its first byte */
extern uint64_t host_ram_size_bytes; /* 0 when there is none */

__noreturn void host_ram_bad_hpa(hpa_t hpa);
__noreturn void host_ram_bad_virt(const void *va);

static inline void *arch_hpa_to_virt(hpa_t hpa)
{
    if (hpa - host_ram_hpa >= host_ram_size_bytes) {
        host_ram_bad_hpa(hpa);
    }
    return host_ram_va + (hpa - host_ram_hpa);
}

static inline hpa_t arch_virt_to_hpa(const void *va)
{
    uint64_t offset = (uint64_t)((uintptr_t)va - (uintptr_t)host_ram_va);

    if (offset >= host_ram_size_bytes) {
        host_ram_bad_virt(va);
    }
    return host_ram_hpa + offset;
}

#endif /* ARCH_HOST_PAGE_H */
