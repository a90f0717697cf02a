/* SPDX-License-Identifier: MIT */
/* arm64 implementations of the CPU hooks of <hv/cpu.h>. */
#define LOG_TAG "cpu"
#include <hv/cpu.h>
#include <arm64/arm64.h>

void arch_cpu_idle(void)
{
    unsigned long flags = arch_irq_save();

    /* WFI wakes on a pending interrupt even while it is masked; unmask to take it. */
    __asm__ volatile("dsb sy\n\twfi" ::: "memory");
    arch_irq_enable();
    arch_irq_restore(flags);
}

void arch_cpu_halt(void)
{
    arch_irq_disable();
    for (;;) {
        __asm__ volatile("wfi" ::: "memory");
    }
}

void arch_smp_stop_others(void)
{
    traps_request_stop();
    if (gic_is_ready()) {
        gic_send_sgi_others(SGI_STOP);
    }
}
