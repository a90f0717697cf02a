/* SPDX-License-Identifier: MIT */
/*
 * The credit policy ("sched=credit", the default). Per run queue, every vCPU holds credit: ns
 * of run time at the default weight. Running burns it at 256/weight of the time taken, so a
 * vCPU of weight 512 burns half as fast and gets twice the time of one of weight 256. The
 * runnable vCPU with the most credit runs next; when even that one has none left, a new round
 * starts and every vCPU of the queue gets CREDIT_INIT more (unused credit is not banked beyond
 * that). A vCPU woken from a halt with credit left is boosted: it runs before the others for one
 * short slice and may preempt a vCPU that is not boosted, so interactive guests answer fast.
 * A cap limits a whole VM to cap% of one CPU per CAP_PERIOD_NS, across its vCPUs: once its
 * budget is spent its vCPUs wait for the next period (pick skips them). docs/scheduler.md.
 * Pure policy: sched.c holds the run-queue lock around every call; unit-tested on the host.
 */
#define LOG_TAG "sched"
#include <hv/sched.h>
#include <hv/spinlock.h>
#include <hv/time.h>
#include <hv/vm.h>

#define CREDIT_INIT_NS   (10 * NSEC_PER_MSEC)
#define SLICE_ALONE_NS   (30 * NSEC_PER_MSEC) /* nobody waits: look again after this */
#define SLICE_MAX_NS     (10 * NSEC_PER_MSEC)
#define SLICE_MIN_NS     (4 * NSEC_PER_MSEC) /* fewer switches: they are dear under emulation */
#define SLICE_BOOST_NS   (2 * NSEC_PER_MSEC)
#define CAP_PERIOD_NS    (50 * NSEC_PER_MSEC)
#define CAP_SLICE_MIN_NS (NSEC_PER_MSEC / 2)

uint32_t sched_weight(const struct vcpu *v)
{
    uint32_t w = __atomic_load_n(&v->vm->sched.weight, __ATOMIC_RELAXED);

    return w ? w : AXVM_WEIGHT_DEFAULT;
}

/* Credit ns worth of run time at v's weight. */
static int64_t credit_to_ns(const struct vcpu *v, int64_t credit)
{
    return credit * (int64_t)sched_weight(v) / AXVM_WEIGHT_DEFAULT;
}

/* Move sd's cap period up to now. Context: sd->cap_lock held. */
static void cap_refill(struct sched_domain *sd, uint32_t cap, uint64_t now_ns)
{
    int64_t allowance = (int64_t)(CAP_PERIOD_NS * cap / 100);
    uint64_t periods;

    if (now_ns < sd->cap_period_ns + CAP_PERIOD_NS) {
        return;
    }
    periods = (now_ns - sd->cap_period_ns) / CAP_PERIOD_NS;
    sd->cap_period_ns += periods * CAP_PERIOD_NS;
    if (periods > 1 || sd->cap_budget_ns > 0) {
        sd->cap_budget_ns = allowance; /* unused budget is not banked */
    } else {
        /* An overrun is paid back from the next period, at most one period's worth. */
        sd->cap_budget_ns = MAX(sd->cap_budget_ns, -allowance) + allowance;
    }
}

/*
 * v's VM's cap budget left at now (INT64_MAX: no cap); *period_end gets when the period ends.
 */
static int64_t cap_budget(const struct vcpu *v, uint64_t now_ns, uint64_t *period_end)
{
    struct sched_domain *sd = &v->vm->sched;
    uint32_t cap = __atomic_load_n(&sd->cap, __ATOMIC_RELAXED);
    unsigned long flags;
    int64_t budget;

    if (!cap) {
        return INT64_MAX;
    }
    flags = spin_lock_irqsave(&sd->cap_lock);
    cap_refill(sd, cap, now_ns);
    budget = sd->cap_budget_ns;
    *period_end = sd->cap_period_ns + CAP_PERIOD_NS;
    spin_unlock_irqrestore(&sd->cap_lock, flags);
    return budget;
}

static void credit_enqueue(struct sched_queue *q, struct vcpu *v, enum sched_enqueue_why why)
{
    if (why == SCHED_WOKEN) {
        v->sched.boosted = v->sched.credit > 0;
    } else if (why == SCHED_MOVED) {
        /* Credit is relative to the queue it was earned in: bring it within one round. */
        v->sched.credit =
            MIN(MAX(v->sched.credit, -(int64_t)CREDIT_INIT_NS), (int64_t)CREDIT_INIT_NS);
    }
    sched_queue_append(q, v);
}

/* A new round: every vCPU of q gets CREDIT_INIT_NS more, positive balances capped at that. */
static void new_round(struct sched_queue *q)
{
    for (struct vcpu *m = q->members; m; m = m->sched.member_next) {
        int64_t c = m->sched.credit;

        m->sched.credit = c > 0 ? (int64_t)CREDIT_INIT_NS
                                : MAX(c, -(int64_t)CREDIT_INIT_NS) + (int64_t)CREDIT_INIT_NS;
    }
}

/*
 * The waiting vCPU that should run next on q, other than skip: boosted ones first in queue
 * order, then the most credit (the earlier one on a tie); never one outside its affinity or
 * over its cap. Notes in q->retry_ns when a capped one may run again.
 */
static struct vcpu *best_waiting(struct sched_queue *q, const struct vcpu *skip, uint64_t now_ns)
{
    struct vcpu *best = NULL;

    for (struct vcpu *v = q->head; v; v = v->runq_next) {
        uint64_t period_end = 0;

        if (v == skip || !sched_allowed(v, q->cpu)) {
            continue;
        }
        if (cap_budget(v, now_ns, &period_end) <= 0) {
            if (!q->retry_ns || period_end < q->retry_ns) {
                q->retry_ns = period_end;
            }
            continue;
        }
        if (best && best->sched.boosted) {
            continue;
        }
        if (!best || v->sched.boosted || v->sched.credit > best->sched.credit) {
            best = v;
        }
    }
    return best;
}

static struct vcpu *credit_pick(struct sched_queue *q, uint64_t now_ns)
{
    struct vcpu *v;

    q->retry_ns = 0;
    v = best_waiting(q, NULL, now_ns);
    if (!v) {
        return NULL;
    }
    if (!v->sched.boosted && v->sched.credit <= 0) {
        new_round(q); /* every credit moves by the same amount: v is still the best */
    }
    sched_queue_unlink(q, v);
    return v;
}

static void credit_remove(struct sched_queue *q, struct vcpu *v)
{
    sched_queue_unlink(q, v);
}

static void credit_charge(struct sched_queue *q, struct vcpu *v, uint64_t ran_ns, uint64_t now_ns)
{
    struct sched_domain *sd = &v->vm->sched;
    uint32_t cap = __atomic_load_n(&sd->cap, __ATOMIC_RELAXED);

    (void)q;
    v->sched.credit -= (int64_t)(ran_ns * AXVM_WEIGHT_DEFAULT / sched_weight(v));
    v->sched.boosted = false;
    if (cap) {
        unsigned long flags = spin_lock_irqsave(&sd->cap_lock);

        cap_refill(sd, cap, now_ns);
        sd->cap_budget_ns -= (int64_t)ran_ns;
        spin_unlock_irqrestore(&sd->cap_lock, flags);
    }
}

static uint64_t credit_slice_ns(const struct sched_queue *q, const struct vcpu *v, uint64_t now_ns)
{
    struct sched_queue scratch = *q; /* best_waiting notes retry_ns; q is not ours to change */
    const struct vcpu *next = best_waiting(&scratch, v, now_ns);
    uint64_t period_end = 0;
    int64_t budget = cap_budget(v, now_ns, &period_end);
    uint64_t slice;

    if (v->sched.boosted) {
        slice = SLICE_BOOST_NS;
    } else if (!next) {
        slice = SLICE_ALONE_NS;
    } else if (next->sched.boosted) {
        slice = SLICE_MIN_NS;
    } else {
        /* Run until its credit falls to the next one's. */
        int64_t ns = credit_to_ns(v, v->sched.credit - next->sched.credit);

        slice = (uint64_t)MIN(MAX(ns, (int64_t)SLICE_MIN_NS), (int64_t)SLICE_MAX_NS);
    }
    if (budget != INT64_MAX) {
        slice = MIN(slice, (uint64_t)MAX(budget, (int64_t)CAP_SLICE_MIN_NS));
    }
    return slice;
}

static bool credit_wake_preempts(const struct vcpu *running, const struct vcpu *woken)
{
    return woken->sched.boosted && !running->sched.boosted;
}

const struct sched_ops sched_credit_ops = {
    .name = "credit",
    .id = AXVM_SCHED_CREDIT,
    .enqueue = credit_enqueue,
    .pick = credit_pick,
    .remove = credit_remove,
    .charge = credit_charge,
    .slice_ns = credit_slice_ns,
    .wake_preempts = credit_wake_preempts,
};
