/* SPDX-License-Identifier: MIT */
/* arm64 twin of <hv/percpu.h>: the per-CPU pointer lives in TPIDR_EL2. */
#ifndef ARCH_ARM64_PERCPU_H
#define ARCH_ARM64_PERCPU_H

#include <hv/types.h>

struct arch_percpu {
    uint64_t mpidr;  /* affinity of this CPU, as MPIDR_EL1 reads it */
    hpa_t gicr_hpa;  /* this CPU's GICv3 redistributor (RD_base) */
    hpa_t stack_hpa; /* base of its hypervisor stack (secondaries) */
};

static inline struct percpu *arch_this_cpu(void)
{
    struct percpu *pc;

    __asm__ volatile("mrs %0, tpidr_el2" : "=r"(pc));
    return pc;
}

static inline void arch_percpu_install(struct percpu *pc)
{
    __asm__ volatile("msr tpidr_el2, %0" : : "r"(pc) : "memory");
}

#endif /* ARCH_ARM64_PERCPU_H */
