/* SPDX-License-Identifier: MIT */
/*
 * An arm64 guest that crashes on purpose, the way x86's crash guest triple-faults: its exception
 * vectors point where it has no memory, and it jumps there. The instruction abort cannot be
 * delivered (its vector is the same hole), so the hypervisor must stop this domain, say so, and
 * keep every other domain running. Bare QEMU just spins there.
 */
#include "lib/guest.h"

void guest_main(const struct guest_boot *boot)
{
    uint64_t hole = (boot->ram_end + 0x8000000) & ~0x7ffull; /* 128 MiB above RAM */

    guest_printf("crash: about to jump into a hole at 0x%lx, vectors there too\n",
                 (unsigned long)hole);
    write_sysreg(vbar_el1, hole);
    __asm__ volatile("isb\n\tbr %0" : : "r"(hole) : "memory");
    guest_puts("crash: still alive, which is wrong\n");
    guest_exit(1);
}
