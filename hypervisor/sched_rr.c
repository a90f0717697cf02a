/* SPDX-License-Identifier: MIT */
/*
 * The round-robin policy ("sched=rr"): one FIFO per CPU, fixed time slices, no weights. Pure
 * queue logic (the scheduler in sched.c holds the run-queue lock around every call),
 * unit-tested on the host.
 */
#define LOG_TAG "sched"
#include <hv/sched.h>
#include <hv/time.h>

#define RR_SLICE_NS (30 * NSEC_PER_MSEC)

static void rr_enqueue(struct sched_queue *q, struct vcpu *v, enum sched_enqueue_why why)
{
    (void)why; /* round robin: preempted or woken, everyone joins at the tail */
    sched_queue_append(q, v);
}

/* The first vCPU that may run here; the others keep their places. */
static struct vcpu *rr_pick(struct sched_queue *q, uint64_t now_ns)
{
    (void)now_ns;
    q->retry_ns = 0;
    for (struct vcpu *v = q->head; v; v = v->runq_next) {
        if (sched_allowed(v, q->cpu)) {
            sched_queue_unlink(q, v);
            return v;
        }
    }
    return NULL;
}

static void rr_remove(struct sched_queue *q, struct vcpu *v)
{
    sched_queue_unlink(q, v);
}

static void rr_charge(struct sched_queue *q, struct vcpu *v, uint64_t ran_ns, uint64_t now_ns)
{
    (void)q, (void)v, (void)ran_ns, (void)now_ns; /* no credit to burn */
}

static uint64_t rr_slice_ns(const struct sched_queue *q, const struct vcpu *v, uint64_t now_ns)
{
    (void)q, (void)v, (void)now_ns;
    return RR_SLICE_NS;
}

static bool rr_wake_preempts(const struct vcpu *running, const struct vcpu *woken)
{
    (void)running, (void)woken;
    return false;
}

const struct sched_ops sched_rr_ops = {
    .name = "rr",
    .id = AXVM_SCHED_RR,
    .enqueue = rr_enqueue,
    .pick = rr_pick,
    .remove = rr_remove,
    .charge = rr_charge,
    .slice_ns = rr_slice_ns,
    .wake_preempts = rr_wake_preempts,
};
