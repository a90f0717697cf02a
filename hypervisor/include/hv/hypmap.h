/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's own address space, the same on every arch: RAM mapped 1:1 (virtual ==
 * physical) and never executable, the hypervisor image mapped section by section with its own
 * rights, page 0 left unmapped to catch NULL pointers. MMIO is added by the arch on top.
 */
#ifndef HV_HYPMAP_H
#define HV_HYPMAP_H

#include <hv/bootinfo.h>
#include <hv/pagetable.h>

struct hypmap_section {
    const char *name; /* "text", "rodata", "data": for people reading the code */
    hpa_t start;      /* page-aligned */
    hpa_t end;        /* page-aligned, exclusive */
    struct pt_attr attr;
};

/*
 * Fill pt: usable and ACPI RAM from bi 1:1 as read-write, non-executable normal memory, except
 * the span of the sections, which are then mapped with their own attributes.
 * Context: boot CPU, before pt is live; takes no lock and does not log (arm64 calls it with
 * the MMU off). Returns: 0 or pagetable_map()'s error.
 */
int hypmap_build(struct pagetable *pt, const struct boot_info *bi,
                 const struct hypmap_section *sections, unsigned int nr_sections);

#endif /* HV_HYPMAP_H */
