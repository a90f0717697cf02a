/* SPDX-License-Identifier: MIT */
/*
 * Host twin of <hv/percpu.h>: the per-CPU "register" is a plain pointer, set up in
 * tests/unit/hv/host/cpu.c to a CPU 0 area, so log lines read "[cpu0]".
 */
#ifndef ARCH_HOST_PERCPU_H
#define ARCH_HOST_PERCPU_H

#include <hv/types.h>

struct percpu;

struct arch_percpu {
    unsigned int host_unused; /* nothing arch-specific on the host */
};

/* The executing CPU's per-CPU area. */
extern struct percpu *host_this_cpu;

static inline struct percpu *arch_this_cpu(void)
{
    return host_this_cpu;
}

static inline void arch_percpu_install(struct percpu *pc)
{
    host_this_cpu = pc;
}

#endif /* ARCH_HOST_PERCPU_H */
