/* SPDX-License-Identifier: MIT */
/*
 * A CPU hog: says it started, then computes forever without an exit of its own. The scheduler
 * boot test (x86_64/sched) runs several on shared CPUs and measures the shares they get.
 */
#include "lib/guest.h"

void guest_main(const struct guest_boot *boot)
{
    volatile uint64_t x = 0x9e3779b97f4a7c15ULL;

    (void)boot;
    guest_printf("hog: spinning\n");
    for (;;) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
}
