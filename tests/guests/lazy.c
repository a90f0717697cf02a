/* SPDX-License-Identifier: MIT */
/*
 * Lazily populated memory: with "lazy" in its domain string, the guest's RAM gets frames only
 * when first touched. It writes and re-reads 8 MiB a page at a time; the hypervisor counts the
 * frames it populated on demand and reports them when the domain stops.
 */
#include "lib/guest.h"

#define AREA_START 0x400000u /* 4 MiB: above the kernel and its stack */
#define AREA_SIZE  0x800000u /* 8 MiB */
#define PAGE       4096u

void guest_main(uint32_t magic, const struct mb1_info *mbi)
{
    unsigned int bad = 0;

    (void)magic;
    check((uint64_t)mbi->mem_upper * 1024 + 0x100000 >= AREA_START + AREA_SIZE,
          "lazy: at least 12 MiB of RAM");
    for (uintptr_t p = AREA_START; p < AREA_START + AREA_SIZE; p += PAGE) {
        *(volatile uint64_t *)p = p ^ 0x5a5a5a5a5a5a5a5aULL;
        *(volatile uint64_t *)(p + PAGE - 8) = ~p;
    }
    for (uintptr_t p = AREA_START; p < AREA_START + AREA_SIZE; p += PAGE) {
        bad += *(volatile uint64_t *)p != (p ^ 0x5a5a5a5a5a5a5a5aULL);
        bad += *(volatile uint64_t *)(p + PAGE - 8) != ~p;
    }
    check(bad == 0, "lazy: 2048 pages written and read back (%u mismatches)", bad);
    check(*(volatile uint64_t *)(AREA_START + AREA_SIZE + 8 * PAGE) == 0,
          "lazy: an untouched page reads as zero");
    guest_finish("lazy");
}
