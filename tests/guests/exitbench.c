/* SPDX-License-Identifier: MIT */
/*
 * Exit costs for make bench: the round trip of the cheapest exit (x86: CPUID, which the SVM
 * backend finishes by itself: VMRUN, #VMEXIT and a few lines of C; arm64: PSCI_VERSION), the
 * floor, against an abi_version hypercall, which goes through the core's exit loop and the
 * hypercall table. Prints the figures only.
 */
#include <public/axvm/hypercall.h>
#include "lib/guest.h"

#define ROUNDS 20000

static uint64_t ns_per(uint64_t ns)
{
    return ns / ROUNDS;
}

void guest_main(const struct guest_boot *boot)
{
    uint64_t t0, floor_ns, hc_ns;

    (void)boot;
    t0 = guest_now_ns();
    for (unsigned int i = 0; i < ROUNDS; i++) {
        guest_cheap_exit();
    }
    floor_ns = ns_per(guest_now_ns() - t0);
    t0 = guest_now_ns();
    for (unsigned int i = 0; i < ROUNDS; i++) {
        (void)hypercall(AXVM_HC_ABI_VERSION, 0, 0, 0);
    }
    hc_ns = ns_per(guest_now_ns() - t0);
    floor_ns = floor_ns ? floor_ns : 1;
    guest_printf("exitbench: " GUEST_CHEAP_EXIT_NAME " %lu ns, hypercall %lu ns, ratio %lu.%02lu\n",
                 (unsigned long)floor_ns, (unsigned long)hc_ns, (unsigned long)(hc_ns / floor_ns),
                 (unsigned long)(hc_ns * 100 / floor_ns % 100));
    guest_exit(0);
}
