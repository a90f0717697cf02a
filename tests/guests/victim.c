/* SPDX-License-Identifier: MIT */
/*
 * The other side of "hostile": fills 4 MiB of its RAM with a pattern and checks it again and
 * again for a few seconds while the hostile guest writes all over guest-physical space.
 */
#include "lib/guest.h"

#define AREA_START 0x400000u
#define AREA_SIZE  0x400000u

static uint64_t pattern(uintptr_t p)
{
    return (p * 0x9e3779b97f4a7c15ULL) ^ 0x0123456789abcdefULL;
}

void guest_main(uint32_t magic, const struct mb1_info *mbi)
{
    uint64_t tsc_khz = guest_tsc_khz(), start;
    unsigned int rounds = 0, bad = 0;

    (void)magic;
    (void)mbi;
    for (uintptr_t p = AREA_START; p < AREA_START + AREA_SIZE; p += 8) {
        *(volatile uint64_t *)p = pattern(p);
    }
    start = rdtsc();
    while ((rdtsc() - start) / tsc_khz < 3000) { /* 3 s */
        for (uintptr_t p = AREA_START; p < AREA_START + AREA_SIZE; p += 64) {
            bad += *(volatile uint64_t *)p != pattern(p);
        }
        rounds++;
    }
    check(rounds > 0 && bad == 0, "victim: memory intact over %u checks (%u bad words)", rounds,
          bad);
    guest_finish("victim");
}
