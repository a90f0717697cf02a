/* SPDX-License-Identifier: MIT */
/* x86 twin of <hv/cpu.h>: interrupt flag and spin hints. */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H

#include <hv/types.h>

static inline void cpu_relax(void)
{
    __asm__ volatile("pause" ::: "memory");
}

static inline void arch_irq_enable(void)
{
    __asm__ volatile("sti" ::: "memory");
}

static inline void arch_irq_disable(void)
{
    __asm__ volatile("cli" ::: "memory");
}

/* Returns: the old RFLAGS, with interrupts now disabled. */
static inline unsigned long arch_irq_save(void)
{
    unsigned long flags;

    __asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
    return flags;
}

static inline void arch_irq_restore(unsigned long flags)
{
    __asm__ volatile("pushq %0; popfq" : : "r"(flags) : "memory", "cc");
}

#endif /* ARCH_X86_CPU_H */
