/* SPDX-License-Identifier: MIT */
/*
 * Run-queue links shared by the scheduling policies (<hv/sched.h>): a singly linked FIFO of
 * runnable vCPUs through runq_next. The caller holds the run queue's lock.
 */
#include <hv/sched.h>

void sched_queue_append(struct sched_queue *q, struct vcpu *v)
{
    v->runq_next = NULL;
    if (q->tail) {
        q->tail->runq_next = v;
    } else {
        q->head = v;
    }
    q->tail = v;
    q->nr++;
}

bool sched_queue_unlink(struct sched_queue *q, struct vcpu *v)
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
        return true;
    }
    return false;
}

int sched_balance_target(const unsigned int *load, const bool *idle, unsigned int nr_cpus,
                         unsigned int from, uint64_t allowed, bool misplaced)
{
    int best = -1;

    for (unsigned int cpu = 0; cpu < nr_cpus && cpu < 64; cpu++) {
        if (cpu == from || load[cpu] == UINT32_MAX || !((allowed >> cpu) & 1)) {
            continue;
        }
        if (best < 0 || load[cpu] < load[best] ||
            (load[cpu] == load[best] && idle[cpu] && !idle[best])) {
            best = (int)cpu;
        }
    }
    if (best < 0) {
        return -1;
    }
    if (misplaced) {
        return best;
    }
    /* Worth it only when from stays at least as busy as best becomes. */
    return load[from] != UINT32_MAX && load[best] + 2 <= load[from] ? best : -1;
}

bool sched_rotate_worthwhile(uint64_t waiting_vtime, uint64_t running_vtime)
{
    return waiting_vtime + SCHED_ROTATE_GAP_NS < running_vtime;
}
