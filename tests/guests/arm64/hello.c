/* SPDX-License-Identifier: MIT */
/*
 * The smallest arm64 guest: greets on its console and checks what its loader handed it, as the
 * arm64 boot protocol promises: x0 is a device tree with its RAM (from 0x40000000) and command
 * line, the Image at RAM + 2 MiB, entered at EL1 with the MMU off (the library turned it on),
 * interrupts masked; then that the MMU works (unaligned accesses and exclusives on RAM), and
 * whether it runs on axvm.
 */
#include <hv/string.h>
#include "lib/guest.h"

extern char _start[];

void guest_main(const struct guest_boot *boot)
{
    static uint8_t buf[16] __attribute__((aligned(8)));
    static uint32_t counter;
    uint64_t current_el = read_sysreg(currentel) >> 2 & 3;
    volatile uint32_t *unaligned = (volatile uint32_t *)(uintptr_t)(buf + 1);

    guest_puts("hello from a guest\n");
    check(boot->arch.dtb != NULL, "hello: x0 is a device tree at 0x%lx",
          (unsigned long)(uintptr_t)boot->arch.dtb);
    check(boot->ram_base == GUEST_RAM_BASE && boot->ram_end > boot->ram_base,
          "hello: RAM 0x%lx-0x%lx (%lu KiB)", (unsigned long)boot->ram_base,
          (unsigned long)boot->ram_end, (unsigned long)((boot->ram_end - boot->ram_base) / 1024));
    check((uintptr_t)_start == GUEST_RAM_BASE + 0x200000, "hello: loaded at RAM + 2 MiB");
    guest_printf("hello: command line '%s'\n", boot->cmdline);
    check(current_el == 1, "hello: running at EL%lu", (unsigned long)current_el);
    check((read_sysreg(sctlr_el1) & 1) && (read_sysreg(daif) & 0x3c0) == 0x3c0,
          "hello: MMU on, DAIF masked");
    *unaligned = 0x11223344u;
    check(*unaligned == 0x11223344u && buf[1] == 0x44, "hello: an unaligned word in RAM");
    check(__atomic_add_fetch(&counter, 5, __ATOMIC_SEQ_CST) == 5, "hello: an atomic add");
    guest_printf("hello: %u vCPU(s) in the device tree, counter at %lu Hz\n", boot->arch.nr_cpus,
                 (unsigned long)guest_counter_hz());
    check(on_axvm(), "hello: the abi_version hypercall says axvm");
    guest_finish("hello");
}
