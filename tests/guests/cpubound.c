/* SPDX-License-Identifier: MIT */
/*
 * Fixed CPU work: a long xorshift sequence folded into a checksum. It makes almost no exits, so
 * its run time under axvm against bare QEMU is the cost of virtualization (make bench), and two
 * copies on one CPU must both finish with the same checksum (time slicing).
 */
#include "lib/guest.h"

#define ITERATIONS 150000000ULL

void guest_main(const struct guest_boot *boot)
{
    uint64_t x = 0x2545f4914f6cdd1dULL, sum = 0, t0, t1;

    (void)boot;
    t0 = guest_cycles();
    for (uint64_t i = 0; i < ITERATIONS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        sum += x;
    }
    t1 = guest_cycles();
    guest_printf("cpubound: checksum 0x%016lx\n", (unsigned long)sum);
    guest_printf("cpubound: %lu " GUEST_CYCLES_NAME "\n", (unsigned long)(t1 - t0));
    check(sum != 0 && x != 0, "cpubound: work done");
    guest_finish("cpubound");
}
