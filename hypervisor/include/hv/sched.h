/* SPDX-License-Identifier: MIT */
/*
 * The scheduler: per-CPU run queues of runnable vCPUs, a policy behind struct sched_ops (credit,
 * the default, or round robin: "sched=credit|rr"), time slices on the per-CPU timers, vCPUs
 * moved between CPUs for their affinity and for balance, and idle CPUs halted. Each CPU ends its
 * bring-up in sched_run_cpu() and never leaves it. docs/scheduler.md explains the design.
 */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include <hv/compiler.h>
#include <hv/types.h>
#include <hv/vcpu.h>

struct vm;
struct axvm_pcpu_stats;

/* A CPU's run queue as the policy sees it; the scheduler holds its lock around every call. */
struct sched_queue {
    struct vcpu *head; /* runnable vCPUs waiting for the CPU, linked by runq_next */
    struct vcpu *tail;
    unsigned int nr;
    struct vcpu *members;    /* every vCPU assigned to the CPU, linked by sched.member_next */
    unsigned int nr_members; /* (for placement) */
    unsigned int cpu;        /* the CPU it belongs to */
    uint64_t retry_ns;       /* set by pick: vCPUs wait for their cap until then; 0: none */
};

/* Why a vCPU joins a run queue. */
enum sched_enqueue_why {
    SCHED_WOKEN,     /* it was halted (or never started) and has work now */
    SCHED_PREEMPTED, /* its slice ended, or it yielded, while it still wanted to run */
    SCHED_MOVED,     /* it came from another CPU's queue */
};

/* A scheduling policy: pure queue logic, unit-tested on the host (tests/unit/hv). */
struct sched_ops {
    const char *name;
    unsigned int id; /* AXVM_SCHED_* */
    /* Put runnable v on q. */
    void (*enqueue)(struct sched_queue *q, struct vcpu *v, enum sched_enqueue_why why);
    /*
     * Take the vCPU to run next off q: one whose affinity has q->cpu. Returns NULL when there
     * is none; then q->retry_ns says when a capped one may run (0: never by itself).
     */
    struct vcpu *(*pick)(struct sched_queue *q, uint64_t now_ns);
    /* Take v off q (it may not be on it). */
    void (*remove)(struct sched_queue *q, struct vcpu *v);
    /* v ran for ran_ns until now_ns: burn its credit and its VM's cap budget. */
    void (*charge)(struct sched_queue *q, struct vcpu *v, uint64_t ran_ns, uint64_t now_ns);
    /* How long v, just picked off q, may run before the scheduler looks again. */
    uint64_t (*slice_ns)(const struct sched_queue *q, const struct vcpu *v, uint64_t now_ns);
    /* Whether woken, just queued, should take the CPU from running at once. */
    bool (*wake_preempts)(const struct vcpu *running, const struct vcpu *woken);
};

/* Queue links shared by the policies (sched_queue.c): append v; unlink v if it is on q. */
void sched_queue_append(struct sched_queue *q, struct vcpu *v);
bool sched_queue_unlink(struct sched_queue *q, struct vcpu *v);

/* Returns: whether v may run on cpu. */
static inline bool sched_allowed(const struct vcpu *v, unsigned int cpu)
{
    return cpu < 64 && (v->sched.affinity >> cpu) & 1;
}

/* Returns: v's VM's credit weight. */
uint32_t sched_weight(const struct vcpu *v);

extern const struct sched_ops sched_rr_ops;
extern const struct sched_ops sched_credit_ops;

/* The policies' default weight and cap for a new VM's struct sched_domain. */
void sched_domain_init(struct vm *vm);

/* Context: boot CPU, during setup (reads hv_opts.sched_rr). */
void sched_init(void);

/* This CPU's scheduling loop: run what is runnable, halt when nothing is. Context: IRQs off. */
__noreturn void sched_run_cpu(void);

/*
 * Assign v to a CPU (cpu >= 0: that one; -1: the least loaded one in affinity) and set its
 * hard affinity (0: every CPU); v starts offline.
 * Returns: 0 or -AXVM_EINVAL when that CPU is not online or not in affinity.
 */
int sched_add_vcpu(struct vcpu *v, int cpu, uint64_t affinity);

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

/* Returns: the policy in use (AXVM_SCHED_*). */
unsigned int sched_policy_id(void);

/*
 * Set v's hard affinity (CPUs in mask that are online); it leaves a CPU outside it at its next
 * exit, and its ran_on history starts again. Context: any, no scheduler locks.
 * Returns: 0, or -AXVM_EINVAL when mask names no online CPU.
 */
int sched_set_affinity(struct vcpu *v, uint64_t mask);

/*
 * Set vm's credit weight and/or cap (AXVM_SCHED_SET_* in flags), checked against the ABI's
 * limits (cap at most 100 per vCPU). Returns: 0, -AXVM_EINVAL, or -AXVM_EOPNOTSUPP under a
 * policy without them (only with flags set).
 */
int sched_set_credit(struct vm *vm, unsigned int flags, uint32_t weight, uint32_t cap);

/* Fill the scheduler's view of cpu (not the zeroed fields it does not own). Context: any. */
void sched_pcpu_stats(unsigned int cpu, struct axvm_pcpu_stats *out);

/* Returns: a consistent snapshot of v's state, CPU and scheduler fields. Context: any. */
void sched_vcpu_snapshot(struct vcpu *v, enum vcpu_state *state, unsigned int *pcpu,
                         struct sched_vcpu *out);

/*
 * Where to move a vCPU that may run on allowed, waiting on from (load = vCPUs there, counting
 * the running one), given every CPU's load (UINT32_MAX: offline) and whether it is idle.
 * misplaced: from is not in allowed, so any allowed CPU beats staying. Pure; unit-tested.
 * Returns: the CPU, or -1 to leave it where it is.
 */
int sched_balance_target(const unsigned int *load, const bool *idle, unsigned int nr_cpus,
                         unsigned int from, uint64_t allowed, bool misplaced);

/*
 * Whether the least-served vCPU waiting on a busier CPU should have the lone place of one
 * running alone on a CPU with one vCPU fewer, so that CPU time rotates fairly when the busy
 * vCPUs do not divide over the CPUs: when its service (run time over weight, ns) is behind the
 * lone one's by more than SCHED_ROTATE_GAP_NS. Pure; unit-tested.
 */
#define SCHED_ROTATE_GAP_NS (10 * 1000 * 1000ull)
bool sched_rotate_worthwhile(uint64_t waiting_vtime, uint64_t running_vtime);

/* Arch hooks: implemented in arch/<a>/smp.c */

/* Interrupt cpu so it leaves guest mode or idle and looks at its run queue. Context: any. */
void arch_smp_kick(unsigned int cpu);

#endif /* HV_SCHED_H */
