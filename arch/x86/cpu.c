/* SPDX-License-Identifier: MIT */
/* x86 implementations of the CPU hooks of <hv/cpu.h>. */
#define LOG_TAG "cpu"
#include <hv/cpu.h>
#include <x86/asm.h>
#include <x86/x86.h>

void arch_cpu_idle(void)
{
    unsigned long flags = arch_irq_save();

    /* STI's one-instruction shadow makes "sti; hlt" race-free against a pending interrupt. */
    __asm__ volatile("sti; hlt" ::: "memory");
    arch_irq_restore(flags);
}

void arch_cpu_halt(void)
{
    for (;;) {
        __asm__ volatile("cli; hlt" ::: "memory");
    }
}

void arch_smp_stop_others(void)
{
    traps_request_stop();
    if (lapic_is_ready()) {
        lapic_broadcast_nmi();
    }
}
