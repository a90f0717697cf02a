/* SPDX-License-Identifier: MIT */
/*
 * Host twin of <hv/cpu.h>: one simulated CPU whose interrupt flag is a variable, so tests can
 * check that the core restores it. The hooks live in tests/unit/hv/host/cpu.c.
 */
#ifndef ARCH_HOST_CPU_H
#define ARCH_HOST_CPU_H

#include <hv/compiler.h>
#include <hv/types.h>

/* The simulated interrupt flag: true while interrupts are enabled. */
extern bool host_irqs_enabled;

/*
 * The unit tests run on one thread, so spinning on a lock means the lock is already held by
 * the spinner (for example after a panic was caught mid-critical-section): report and abort
 * instead of hanging.
 */
__noreturn void host_cpu_relax(void);

static inline void cpu_relax(void)
{
    host_cpu_relax();
}

static inline void arch_irq_enable(void)
{
    host_irqs_enabled = true;
}

static inline void arch_irq_disable(void)
{
    host_irqs_enabled = false;
}

/* Returns: the old flag (1 enabled, 0 disabled), with interrupts now disabled. */
static inline unsigned long arch_irq_save(void)
{
    unsigned long flags = host_irqs_enabled ? 1 : 0;

    host_irqs_enabled = false;
    return flags;
}

static inline void arch_irq_restore(unsigned long flags)
{
    host_irqs_enabled = flags != 0;
}

#endif /* ARCH_HOST_CPU_H */
