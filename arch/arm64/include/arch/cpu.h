/* SPDX-License-Identifier: MIT */
/* arm64 twin of <hv/cpu.h>: the DAIF interrupt mask and spin hints. */
#ifndef ARCH_ARM64_CPU_H
#define ARCH_ARM64_CPU_H

#include <hv/types.h>

#define DAIF_IRQ (1u << 7)

static inline void cpu_relax(void)
{
    __asm__ volatile("yield" ::: "memory");
}

static inline void arch_irq_enable(void)
{
    __asm__ volatile("msr daifclr, #2" ::: "memory");
}

static inline void arch_irq_disable(void)
{
    __asm__ volatile("msr daifset, #2" ::: "memory");
}

/* Returns: the old DAIF, with IRQs now masked. */
static inline unsigned long arch_irq_save(void)
{
    unsigned long flags;

    __asm__ volatile("mrs %0, daif\n\tmsr daifset, #2" : "=r"(flags) : : "memory");
    return flags;
}

static inline void arch_irq_restore(unsigned long flags)
{
    __asm__ volatile("msr daif, %0" : : "r"(flags) : "memory");
}

#endif /* ARCH_ARM64_CPU_H */
