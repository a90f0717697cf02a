/* SPDX-License-Identifier: MIT */
/* Per-CPU data: one struct percpu per possible CPU, reached through this_cpu(). */
#ifndef HV_PERCPU_H
#define HV_PERCPU_H

#include <hv/compiler.h>
#include <hv/timer.h>
#include <hv/types.h>

struct percpu;

#include <arch/percpu.h>

/*
 * The twin <arch/percpu.h> provides struct arch_percpu (embedded below), and the inlines
 * arch_this_cpu() and arch_percpu_install(pc), which points this CPU's per-CPU register
 * (x86 GS base, arm64 TPIDR_EL2) at pc.
 */
struct percpu {
    struct percpu *self;  /* first: x86 reads it as %gs:0 */
    unsigned int cpu_id;  /* logical id, 0 = boot CPU */
    bool online;          /* set once by the CPU itself when it is ready */
    uint64_t ticks;       /* hypervisor timer ticks taken on this CPU */
    struct timer *timers; /* pending timers by deadline; this CPU only, IRQs off */
    struct timer tick;    /* the periodic tick (CONFIG_HZ) */
    struct arch_percpu arch;
};

static inline struct percpu *this_cpu(void)
{
    return arch_this_cpu();
}

static inline unsigned int this_cpu_id(void)
{
    return this_cpu()->cpu_id;
}

/* Returns: the per-CPU data of cpu (which need not be online), or NULL past CONFIG_NR_CPUS. */
struct percpu *percpu_of(unsigned int cpu);

/* Prepare cpu's area and point this CPU's per-CPU register at it. Context: that CPU, early. */
void percpu_install(unsigned int cpu);

/* Mark the executing CPU online. Context: the CPU itself, once its setup is done. */
void percpu_set_online(void);

/*
 * Wait up to timeout_ns for cpu to mark itself online. Context: any, spins.
 * Returns: whether it did.
 */
bool percpu_wait_online(unsigned int cpu, uint64_t timeout_ns);

/* Returns: the number of CPUs that have marked themselves online. */
unsigned int percpu_nr_online(void);

/* Returns: the online CPUs as a mask; they are numbered from 0 without gaps. */
static inline uint64_t percpu_online_mask(void)
{
    unsigned int n = percpu_nr_online();

    return n >= 64 ? UINT64_MAX : ((uint64_t)1 << n) - 1;
}

#define for_each_online_cpu(pc)                                               \
    for (unsigned int cpu_iter_ = 0; cpu_iter_ < CONFIG_NR_CPUS; cpu_iter_++) \
        if (((pc) = percpu_of(cpu_iter_)) != NULL && READ_ONCE((pc)->online))

#endif /* HV_PERCPU_H */
