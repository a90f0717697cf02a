/* SPDX-License-Identifier: MIT */
/*
 * The scheduler: per-CPU run queues of runnable vCPUs, a policy behind struct sched_ops (round
 * robin today; a credit scheduler later), time slices on the per-CPU timers, and idle CPUs
 * halted. Each CPU ends its bring-up in sched_run_cpu() and never leaves it.
 */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include <hv/compiler.h>
#include <hv/types.h>
#include <hv/vcpu.h>

/* A run queue; the policy decides the order. */
struct sched_queue {
    struct vcpu *head;
    struct vcpu *tail;
    unsigned int nr;
};

struct sched_ops {
    const char *name;
    /* Put a runnable vCPU on q; back says it was preempted rather than woken. */
    void (*enqueue)(struct sched_queue *q, struct vcpu *v, bool back);
    /* Take the vCPU to run next off q, or NULL when q is empty. */
    struct vcpu *(*pick)(struct sched_queue *q);
    /* Take v off q (it is on it). */
    void (*remove)(struct sched_queue *q, struct vcpu *v);
    /* How long v may run before it is preempted. */
    uint64_t (*slice_ns)(const struct vcpu *v);
};

extern const struct sched_ops sched_rr_ops;

/* Context: boot CPU, during setup. */
void sched_init(void);

/* This CPU's scheduling loop: run what is runnable, halt when nothing is. Context: IRQs off. */
__noreturn void sched_run_cpu(void);

/*
 * Choose v's CPU (cfg_pcpu >= 0 pins it there) and record it; v starts offline.
 * Returns: 0 or -AXVM_EINVAL when that CPU is not online.
 */
int sched_add_vcpu(struct vcpu *v, int cfg_pcpu);

/* v goes away: take it off its run queue. Context: v is not running. */
void sched_remove_vcpu(struct vcpu *v);

/* Make v runnable if it is offline or blocked, and kick its CPU. Context: any, IRQs any. */
void sched_wake(struct vcpu *v);

/* Ask the CPU running v (if any) to return to its scheduler soon. Context: any. */
void sched_kick(struct vcpu *v);

/* The vCPU running here gives up the rest of its slice. Context: its exit loop. */
void sched_yield(void);

/* Returns: whether the exit loop on this CPU should hand the CPU back now. */
bool sched_should_preempt(void);

/* Returns: the vCPU this CPU is running, or NULL. */
struct vcpu *sched_current(void);

/* Arch hooks: implemented in arch/<a>/smp.c */

/* Interrupt cpu so it leaves guest mode or idle and looks at its run queue. Context: any. */
void arch_smp_kick(unsigned int cpu);

#endif /* HV_SCHED_H */
