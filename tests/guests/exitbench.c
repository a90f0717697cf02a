/* SPDX-License-Identifier: MIT */
/*
 * Exit costs for make bench: the round trip of a CPUID exit, which the SVM backend finishes by
 * itself (the floor: VMRUN, #VMEXIT and a few lines of C), against an abi_version hypercall,
 * which goes through the core's exit loop and the hypercall table. Prints the figures only.
 */
#include <public/axvm/hypercall.h>
#include "lib/guest.h"

#define ROUNDS 20000

static uint64_t ns_per(uint64_t cycles, uint64_t tsc_khz)
{
    return cycles * 1000000 / tsc_khz / ROUNDS;
}

void guest_main(uint32_t magic, const struct mb1_info *mbi)
{
    uint64_t tsc_khz = guest_tsc_khz(), t0, floor_ns, hc_ns;

    (void)magic;
    (void)mbi;
    t0 = rdtsc();
    for (unsigned int i = 0; i < ROUNDS; i++) {
        (void)guest_cpuid(0, 0);
    }
    floor_ns = ns_per(rdtsc() - t0, tsc_khz);
    t0 = rdtsc();
    for (unsigned int i = 0; i < ROUNDS; i++) {
        (void)hypercall(AXVM_HC_ABI_VERSION, 0, 0, 0);
    }
    hc_ns = ns_per(rdtsc() - t0, tsc_khz);
    guest_printf("exitbench: cpuid exit %lu ns, hypercall %lu ns, ratio %lu.%02lu\n",
                 (unsigned long)floor_ns, (unsigned long)hc_ns, (unsigned long)(hc_ns / floor_ns),
                 (unsigned long)(hc_ns * 100 / floor_ns % 100));
    guest_exit(0);
}
