/* SPDX-License-Identifier: MIT */
/*
 * The boot sequence. The arch does what must come first (stack, console, traps, reading the
 * boot loader's data into a struct boot_info) and hands over to setup_main(); every secondary
 * CPU ends its arch bring-up in setup_secondary().
 */
#ifndef HV_SETUP_H
#define HV_SETUP_H

#include <hv/bootinfo.h>
#include <hv/compiler.h>

/* Context: boot CPU, IRQs off, per-CPU area 0 installed, console working. */
__noreturn void setup_main(struct boot_info *bi);

/* Context: a secondary CPU whose arch setup is complete, IRQs off. Marks it online, idles. */
__noreturn void setup_secondary(void);

/* Arch hooks: implemented in arch/<a>/setup.c */

/*
 * Bring up the platform on the boot CPU once frames and heap exist: the hypervisor's own page
 * tables, platform discovery (ACPI or device tree), interrupt controller, the hypervisor
 * timer, and hardware virtualization on this CPU. Context: boot CPU, IRQs off.
 * Returns: 0, or a negative error after logging why (setup panics).
 */
int arch_setup(const struct boot_info *bi);

/*
 * Start every other CPU the platform describes, up to max_cpus in all, each ending in
 * setup_secondary(). Context: boot CPU, IRQs off, after arch_setup().
 * Returns: the number of CPUs found by the platform (online or not).
 */
unsigned int arch_smp_boot(unsigned int max_cpus);

/*
 * Deliberately fault on this CPU so that the trap path can be tested ("selftest=fault").
 * Context: boot CPU, after the banner. Does not return if the trap handler is sound.
 */
void arch_selftest_fault(void);

#endif /* HV_SETUP_H */
