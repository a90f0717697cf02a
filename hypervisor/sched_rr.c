/* SPDX-License-Identifier: MIT */
/*
 * The round-robin policy: one FIFO per CPU, fixed time slices. Pure queue logic (the scheduler
 * in sched.c holds the run-queue lock around every call), unit-tested on the host.
 */
#define LOG_TAG "sched"
#include <hv/sched.h>
#include <hv/time.h>

#define RR_SLICE_NS (30 * NSEC_PER_MSEC)

static void rr_enqueue(struct sched_queue *q, struct vcpu *v, bool back)
{
    (void)back; /* round robin: preempted or woken, everyone joins at the tail */
    v->runq_next = NULL;
    if (q->tail) {
        q->tail->runq_next = v;
    } else {
        q->head = v;
    }
    q->tail = v;
    q->nr++;
}

static struct vcpu *rr_pick(struct sched_queue *q)
{
    struct vcpu *v = q->head;

    if (v) {
        q->head = v->runq_next;
        if (!q->head) {
            q->tail = NULL;
        }
        v->runq_next = NULL;
        q->nr--;
    }
    return v;
}

static void rr_remove(struct sched_queue *q, struct vcpu *v)
{
    struct vcpu *prev = NULL;

    for (struct vcpu *cur = q->head; cur; prev = cur, cur = cur->runq_next) {
        if (cur != v) {
            continue;
        }
        if (prev) {
            prev->runq_next = v->runq_next;
        } else {
            q->head = v->runq_next;
        }
        if (q->tail == v) {
            q->tail = prev;
        }
        v->runq_next = NULL;
        q->nr--;
        return;
    }
}

static uint64_t rr_slice_ns(const struct vcpu *v)
{
    (void)v;
    return RR_SLICE_NS;
}

const struct sched_ops sched_rr_ops = {
    .name = "rr",
    .enqueue = rr_enqueue,
    .pick = rr_pick,
    .remove = rr_remove,
    .slice_ns = rr_slice_ns,
};
