/* SPDX-License-Identifier: MIT */
/*
 * A guest that writes where it must not: every MiB of guest-physical space above its RAM up to
 * 4 GiB, which covers every host-physical address of this machine's RAM (where the hypervisor
 * and the other guests live) had any of them been mapped. Each write must vanish and each read
 * return all-ones; the "victim" guest checks its own memory meanwhile.
 */
#include "lib/guest.h"

#define STEP    0x100000u
#define TESTDEV 0xd0000000u
#define LAPIC   0xfee00000u

static bool is_device(uint64_t gpa)
{
    return (gpa >= TESTDEV && gpa < TESTDEV + STEP) || (gpa >= LAPIC && gpa < LAPIC + STEP);
}

void guest_main(const struct guest_boot *boot)
{
    const struct mb1_info *mbi = boot->arch.mbi;
    uint64_t ram_end = 0x100000ULL + (uint64_t)mbi->mem_upper * 1024;
    unsigned int tried = 0, leaked = 0;

    for (uint64_t gpa = ram_end; gpa < 0x100000000ULL; gpa += STEP) {
        volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)gpa;

        if (is_device(gpa)) {
            continue;
        }
        *p = 0xbad0bad0bad0bad0ULL;
        leaked += *p != UINT64_MAX;
        tried++;
    }
    check(tried > 1000 && leaked == 0, "hostile: %u writes outside RAM, %u stuck", tried, leaked);
    guest_finish("hostile");
}
