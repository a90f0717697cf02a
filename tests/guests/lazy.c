/* SPDX-License-Identifier: MIT */
/*
 * Lazily populated memory: with "lazy" in its domain string, the guest's RAM gets frames only
 * when first touched. It writes and re-reads 8 MiB a page at a time; the hypervisor counts the
 * frames it populated on demand and reports them when the domain stops.
 */
#include "lib/guest.h"

#define AREA_OFFSET 0x400000u /* 4 MiB into RAM: above the kernel and its stack */
#define AREA_SIZE   0x800000u /* 8 MiB */
#define PAGE        4096u

void guest_main(const struct guest_boot *boot)
{
    const uintptr_t area = (uintptr_t)(boot->ram_base + AREA_OFFSET);
    unsigned int bad = 0;

    check(boot->ram_end >= area + AREA_SIZE + 9 * PAGE, "lazy: at least 12 MiB of RAM");
    for (uintptr_t p = area; p < area + AREA_SIZE; p += PAGE) {
        *(volatile uint64_t *)p = p ^ 0x5a5a5a5a5a5a5a5aULL;
        *(volatile uint64_t *)(p + PAGE - 8) = ~p;
    }
    for (uintptr_t p = area; p < area + AREA_SIZE; p += PAGE) {
        bad += *(volatile uint64_t *)p != (p ^ 0x5a5a5a5a5a5a5a5aULL);
        bad += *(volatile uint64_t *)(p + PAGE - 8) != ~p;
    }
    check(bad == 0, "lazy: 2048 pages written and read back (%u mismatches)", bad);
    check(*(volatile uint64_t *)(area + AREA_SIZE + 8 * PAGE) == 0,
          "lazy: an untouched page reads as zero");
    guest_finish("lazy");
}
