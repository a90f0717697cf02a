/* SPDX-License-Identifier: MIT */
/*
 * A guest that triple-faults on purpose: with an empty IDT, an invalid opcode cannot be
 * delivered, nor the #GP nor the #DF that follow. The hypervisor must stop this domain, say so,
 * and keep every other domain running.
 */
#include "lib/guest.h"

void guest_main(const struct guest_boot *boot)
{
    (void)boot;
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) empty_idt = {0, 0};

    guest_puts("crash: about to triple-fault\n");
    __asm__ volatile("lidt %0\n\tud2" : : "m"(empty_idt));
    guest_puts("crash: still alive, which is wrong\n");
    guest_exit(1);
}
