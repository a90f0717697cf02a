/* SPDX-License-Identifier: MIT */
/*
 * The other side of "hostile": fills 4 MiB of its RAM with a pattern and checks it again and
 * again for a few seconds while the hostile guest writes all over guest-physical space.
 */
#include "lib/guest.h"

#define AREA_OFFSET 0x400000u /* 4 MiB into RAM */
#define AREA_SIZE   0x400000u

static uint64_t pattern(uintptr_t p)
{
    return (p * 0x9e3779b97f4a7c15ULL) ^ 0x0123456789abcdefULL;
}

void guest_main(const struct guest_boot *boot)
{
    const uintptr_t area = (uintptr_t)(boot->ram_base + AREA_OFFSET);
    uint64_t start;
    unsigned int rounds = 0, bad = 0;

    for (uintptr_t p = area; p < area + AREA_SIZE; p += 8) {
        *(volatile uint64_t *)p = pattern(p);
    }
    start = guest_now_ns();
    while (guest_now_ns() - start < 3000000000ULL) { /* 3 s */
        for (uintptr_t p = area; p < area + AREA_SIZE; p += 64) {
            bad += *(volatile uint64_t *)p != pattern(p);
        }
        rounds++;
    }
    check(rounds > 0 && bad == 0, "victim: memory intact over %u checks (%u bad words)", rounds,
          bad);
    guest_finish("victim");
}
