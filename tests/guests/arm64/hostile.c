/* SPDX-License-Identifier: MIT */
/*
 * An arm64 guest that writes where it must not: every MiB of guest-physical space below 4 GiB
 * outside its RAM and its devices (the GIC, the PL011, debug-exit and test device windows at
 * 0x08000000-0x0affffff), which covers every host-physical address of this machine's RAM (from
 * 0x40000000 on QEMU's virt board) had any of them been mapped. Each access must be refused:
 * a write vanishes or aborts, a read gives all-ones or aborts; the "victim" guest checks its
 * own memory meanwhile.
 */
#include "lib/guest.h"

#define STEP        0x100000u
#define DEVICES     0x08000000u
#define DEVICES_END 0x0b000000u
#define LIMIT       0x100000000ULL
#define PATTERN     0xbad0bad0bad0bad0ULL

static volatile unsigned int nr_aborts;

static bool on_sync(struct trap_frame *f)
{
    if (ESR_EC(f->esr) != EC_DABT_CUR) {
        return false;
    }
    nr_aborts++;
    f->x[0] = ~0ull; /* a refused read reads as all-ones; see probe() */
    f->elr += 4;
    return true;
}

/* One write then one read at gpa. Returns: whether the write stuck. */
static bool probe(uint64_t gpa)
{
    register uint64_t x0 __asm__("x0") = PATTERN;

    __asm__ volatile("str %0, [%1]\n\tldr %0, [%1]" : "+r"(x0) : "r"(gpa) : "memory");
    return x0 == PATTERN;
}

void guest_main(const struct guest_boot *boot)
{
    unsigned int tried = 0, leaked = 0;

    guest_set_sync_handler(on_sync);
    for (uint64_t gpa = 0; gpa < LIMIT; gpa += STEP) {
        if ((gpa >= boot->ram_base && gpa < boot->ram_end) ||
            (gpa >= DEVICES && gpa < DEVICES_END)) {
            continue;
        }
        leaked += probe(gpa);
        tried++;
    }
    guest_printf("hostile: %u of the accesses aborted\n", nr_aborts);
    check(tried > 3000 && leaked == 0, "hostile: %u writes outside RAM, %u stuck", tried, leaked);
    guest_finish("hostile");
}
