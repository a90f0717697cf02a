/* SPDX-License-Identifier: MIT */
/*
 * The scheduler's mechanism (<hv/sched.h>): per-CPU run queues, the loop every CPU ends in, time
 * slices, blocking and waking. The order of runnable vCPUs is the policy's (sched_rr.c).
 * A run queue's lock guards its queue and the state of every vCPU assigned to that CPU.
 * Lock order: run-queue lock, then the timer and console (never the other way).
 */
#define LOG_TAG "sched"
#include <hv/cpu.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/spinlock.h>
#include <hv/time.h>
#include <hv/timer.h>
#include <hv/vm.h>
#include <public/axvm/errno.h>

struct run_queue {
    spinlock_t lock;
    struct sched_queue q;  /* runnable vCPUs, under lock */
    struct vcpu *current;  /* running here, under lock */
    bool need_resched;     /* the exit loop should hand the CPU back; this CPU only */
    unsigned int nr_vcpus; /* assigned here, for placement; under lock */
    struct timer slice;    /* ends current's time slice */
};

static struct run_queue run_queues[CONFIG_NR_CPUS];
static const struct sched_ops *policy = &sched_rr_ops;

static struct run_queue *rq_of(unsigned int cpu)
{
    return &run_queues[cpu];
}

void sched_init(void)
{
    for (unsigned int cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
        spin_lock_init(&run_queues[cpu].lock);
    }
    log_info("%s scheduler", policy->name);
}

/* The online CPU with the fewest vCPUs assigned. */
static unsigned int least_loaded_cpu(void)
{
    unsigned int best = 0, best_load = UINT32_MAX;
    struct percpu *pc;

    for_each_online_cpu (pc) {
        unsigned int load = READ_ONCE(rq_of(pc->cpu_id)->nr_vcpus);

        if (load < best_load) {
            best = pc->cpu_id;
            best_load = load;
        }
    }
    return best;
}

int sched_add_vcpu(struct vcpu *v, int cfg_pcpu)
{
    unsigned int cpu = cfg_pcpu < 0 ? least_loaded_cpu() : (unsigned int)cfg_pcpu;
    struct percpu *pc = percpu_of(cpu);
    struct run_queue *rq;
    unsigned long flags;

    if (!pc || !READ_ONCE(pc->online)) {
        return -AXVM_EINVAL;
    }
    rq = rq_of(cpu);
    flags = spin_lock_irqsave(&rq->lock);
    v->pcpu = cpu;
    v->state = VCPU_OFFLINE;
    rq->nr_vcpus++;
    spin_unlock_irqrestore(&rq->lock, flags);
    return 0;
}

void sched_remove_vcpu(struct vcpu *v)
{
    struct run_queue *rq = rq_of(v->pcpu);
    unsigned long flags = spin_lock_irqsave(&rq->lock);

    BUG_ON(v->state == VCPU_RUNNING);
    if (v->state == VCPU_RUNNABLE) {
        policy->remove(&rq->q, v);
    }
    v->state = VCPU_OFFLINE;
    v->dead = true;
    rq->nr_vcpus--;
    spin_unlock_irqrestore(&rq->lock, flags);
}

void sched_wake(struct vcpu *v)
{
    struct run_queue *rq = rq_of(v->pcpu);
    unsigned long flags = spin_lock_irqsave(&rq->lock);
    bool queued = false;

    if (v->dead) {
        /* gone for good */
    } else if (v->state == VCPU_OFFLINE || v->state == VCPU_BLOCKED) {
        v->state = VCPU_RUNNABLE;
        policy->enqueue(&rq->q, v, false);
        queued = true;
    } else if (v->state == VCPU_RUNNING) {
        v->wake_pending = true; /* it may be about to block: it must not */
    }
    spin_unlock_irqrestore(&rq->lock, flags);
    if (queued && v->pcpu != this_cpu_id()) {
        arch_smp_kick(v->pcpu); /* out of idle, or out of a guest to reschedule */
    }
}

void sched_kick(struct vcpu *v)
{
    if (v->pcpu == this_cpu_id()) {
        WRITE_ONCE(rq_of(v->pcpu)->need_resched, true);
    } else if (READ_ONCE(v->state) == VCPU_RUNNING) {
        arch_smp_kick(v->pcpu);
    }
}

void sched_yield(void)
{
    WRITE_ONCE(rq_of(this_cpu_id())->need_resched, true);
}

bool sched_should_preempt(void)
{
    return READ_ONCE(rq_of(this_cpu_id())->need_resched);
}

struct vcpu *sched_current(void)
{
    return READ_ONCE(rq_of(this_cpu_id())->current);
}

/* The slice is over: hand the CPU back only if somebody is waiting for it. */
static void slice_expired(struct timer *t)
{
    struct run_queue *rq = container_of(t, struct run_queue, slice);
    struct vcpu *v = READ_ONCE(rq->current);

    if (READ_ONCE(rq->q.nr)) {
        WRITE_ONCE(rq->need_resched, true);
    } else if (v) {
        timer_set(t, arch_time_now_ns() + policy->slice_ns(v));
    }
}

static struct vcpu *pick_next(struct run_queue *rq)
{
    unsigned long flags = spin_lock_irqsave(&rq->lock);
    struct vcpu *v = policy->pick(&rq->q);

    if (v) {
        v->state = VCPU_RUNNING;
        v->wake_pending = false;
        rq->current = v;
        rq->need_resched = false;
    }
    spin_unlock_irqrestore(&rq->lock, flags);
    return v;
}

/* Record how v left the CPU. Returns: whether it stopped for good. */
static bool put_prev(struct run_queue *rq, struct vcpu *v, int result)
{
    unsigned long flags = spin_lock_irqsave(&rq->lock);
    bool stopped = result == VCPU_RUN_STOPPED || result < 0;

    rq->current = NULL;
    if (stopped) {
        v->state = VCPU_OFFLINE;
        v->dead = true;
    } else if (result == VCPU_RUN_BLOCKED && !v->wake_pending) {
        v->state = VCPU_BLOCKED;
    } else {
        v->state = VCPU_RUNNABLE;
        v->nr_preempted += result == VCPU_RUN_PREEMPTED;
        policy->enqueue(&rq->q, v, result == VCPU_RUN_PREEMPTED);
    }
    spin_unlock_irqrestore(&rq->lock, flags);
    return stopped;
}

void sched_run_cpu(void)
{
    struct run_queue *rq = rq_of(this_cpu_id());

    timer_init(&rq->slice, slice_expired, this_cpu_id());
    local_irq_save(); /* the loop runs with IRQs off; idle and guests take them */
    for (;;) {
        struct vcpu *v = pick_next(rq);
        int result;

        if (!v) {
            arch_cpu_idle();
            continue;
        }
        timer_set(&rq->slice, arch_time_now_ns() + policy->slice_ns(v));
        arch_vcpu_load(v);
        result = vm_run_vcpu(v->vm, v->id);
        arch_vcpu_put(v);
        timer_stop(&rq->slice);
        if (put_prev(rq, v, result)) {
            vm_vcpu_stopped(v); /* may free v and its VM */
        }
    }
}
