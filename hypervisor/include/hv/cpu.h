/* SPDX-License-Identifier: MIT */
/* The executing CPU: interrupt masking, spinning hints, halting. */
#ifndef HV_CPU_H
#define HV_CPU_H

#include <hv/compiler.h>
#include <hv/types.h>
#include <arch/cpu.h>

/*
 * The twin <arch/cpu.h> provides, as static inlines:
 *   cpu_relax()                 hint inside a spin loop
 *   arch_irq_save() / arch_irq_restore(flags), arch_irq_enable(), arch_irq_disable()
 */
static inline unsigned long local_irq_save(void)
{
    return arch_irq_save();
}

static inline void local_irq_restore(unsigned long flags)
{
    arch_irq_restore(flags);
}

/* Arch hooks: implemented in arch/<a>/cpu.c */

/*
 * Sleep until an interrupt arrives, with interrupts enabled while waiting, and return with
 * them as they were. Context: any CPU, no locks held.
 */
void arch_cpu_idle(void);

/* Stop this CPU for good: interrupts off, halted. Context: any, used by panic and traps. */
__noreturn void arch_cpu_halt(void);

/*
 * Ask every other online CPU to stop (panic path): they halt without touching shared state.
 * Context: any CPU, IRQs off. Never fails; CPUs that do not answer are left as they are.
 */
void arch_smp_stop_others(void);

#endif /* HV_CPU_H */
