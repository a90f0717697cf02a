/* SPDX-License-Identifier: MIT */
/*
 * The scheduler's mechanism (<hv/sched.h>): per-CPU run queues, the loop every CPU ends in, time
 * slices, blocking and waking, affinity and balance. The order of runnable vCPUs is the
 * policy's (sched_credit.c, sched_rr.c).
 *
 * A run queue's lock guards its queue and the state of every vCPU assigned to that CPU. A vCPU
 * changes CPU only while it waits on a run queue, moved by the CPU it leaves (which owns its
 * timers: arch_vcpu_migrate), with both run-queue locks held, lower CPU first. So whoever finds
 * v->pcpu, locks that queue and sees v->pcpu unchanged, has v's queue (lock_vcpu_rq).
 * Balance is pushed: a CPU with vCPUs waiting gives one to a CPU with two fewer (an idle CPU
 * asks the busy ones to look), and vCPUs outside their affinity leave at the next look.
 * Lock order: run-queue locks (lower CPU first), then a VM's cap lock, then the timer and
 * console (never the other way).
 */
#define LOG_TAG "sched"
#include <hv/cmdline.h>
#include <hv/cpu.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/spinlock.h>
#include <hv/time.h>
#include <hv/timer.h>
#include <hv/vm.h>
#include <public/axvm/errno.h>

#define BALANCE_NS (20 * NSEC_PER_MSEC) /* how often a busy CPU looks for an idler one */
#define ROTATE_NS  (50 * NSEC_PER_MSEC) /* how often it looks for an unfair split */
#define WAKE_SLACK (20 * NSEC_PER_MSEC) /* service a waking vCPU may be behind its queue's */

struct run_queue {
    spinlock_t lock;
    struct sched_queue q;   /* runnable vCPUs and members, under lock */
    struct vcpu *current;   /* running here, under lock */
    uint64_t current_since; /* when current was picked, same lock */
    bool need_resched;      /* the exit loop should hand the CPU back; atomic */
    bool balance_due;       /* look for vCPUs to move before the next pick; atomic */
    bool idle;              /* halted with nothing to run; atomic */
    bool entered;           /* sched_stress: current entered its guest once; this CPU only */
    struct timer slice;     /* ends current's time slice */
    uint64_t last_balance;  /* this CPU only */
    uint64_t last_rotate;   /* this CPU only */
    uint64_t min_vtime;     /* lowest service of its runnable vCPUs seen at a pick; never falls */
    uint64_t idle_ns;       /* statistics: written by this CPU only, read atomically */
    uint64_t nr_switches;
    uint64_t sched_ns;
};

static struct run_queue run_queues[CONFIG_NR_CPUS];
static const struct sched_ops *policy = &sched_credit_ops;

static struct run_queue *rq_of(unsigned int cpu)
{
    return &run_queues[cpu];
}

static void stat_add(uint64_t *counter, uint64_t n)
{
    __atomic_store_n(counter, *counter + n, __ATOMIC_RELAXED); /* one writer */
}

void sched_init(void)
{
    if (hv_opts.sched_rr) {
        policy = &sched_rr_ops;
    }
    for (unsigned int cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
        spin_lock_init(&run_queues[cpu].lock);
        run_queues[cpu].q.cpu = cpu;
    }
    log_info("%s scheduler", policy->name);
}

unsigned int sched_policy_id(void)
{
    return policy->id;
}

void sched_domain_init(struct vm *vm)
{
    spin_lock_init(&vm->sched.cap_lock);
    vm->sched.weight = AXVM_WEIGHT_DEFAULT;
    vm->sched.cap = 0;
}

/* Lock v's run queue; v->pcpu does not change while it is held. */
static struct run_queue *lock_vcpu_rq(struct vcpu *v, unsigned long *flags)
{
    for (;;) {
        unsigned int cpu = READ_ONCE(v->pcpu);
        struct run_queue *rq = rq_of(cpu);

        *flags = spin_lock_irqsave(&rq->lock);
        if (READ_ONCE(v->pcpu) == cpu) {
            return rq;
        }
        spin_unlock_irqrestore(&rq->lock, *flags);
    }
}

static void member_add(struct run_queue *rq, struct vcpu *v)
{
    v->sched.member_next = rq->q.members;
    rq->q.members = v;
    rq->q.nr_members++;
}

static void member_remove(struct run_queue *rq, struct vcpu *v)
{
    for (struct vcpu **pp = &rq->q.members; *pp; pp = &(*pp)->sched.member_next) {
        if (*pp == v) {
            *pp = v->sched.member_next;
            v->sched.member_next = NULL;
            rq->q.nr_members--;
            return;
        }
    }
}

/* The online CPU in mask with the fewest vCPUs assigned, or -1. */
static int least_loaded_cpu(uint64_t mask)
{
    unsigned int best_load = UINT32_MAX;
    struct percpu *pc;
    int best = -1;

    for_each_online_cpu (pc) {
        unsigned int load = READ_ONCE(rq_of(pc->cpu_id)->q.nr_members);

        if (pc->cpu_id < 64 && ((mask >> pc->cpu_id) & 1) && load < best_load) {
            best = (int)pc->cpu_id;
            best_load = load;
        }
    }
    return best;
}

int sched_add_vcpu(struct vcpu *v, int cpu, uint64_t affinity)
{
    uint64_t mask = (affinity ? affinity : ~0ull) & percpu_online_mask();
    struct run_queue *rq;
    unsigned long flags;

    if (cpu < 0) {
        cpu = least_loaded_cpu(mask);
    }
    if (cpu < 0 || cpu >= 64 || !((mask >> cpu) & 1)) {
        return -AXVM_EINVAL;
    }
    rq = rq_of((unsigned int)cpu);
    flags = spin_lock_irqsave(&rq->lock);
    v->pcpu = (unsigned int)cpu;
    v->state = VCPU_OFFLINE;
    v->sched.affinity = mask;
    v->sched.ran_on = 0;
    member_add(rq, v);
    spin_unlock_irqrestore(&rq->lock, flags);
    return 0;
}

void sched_remove_vcpu(struct vcpu *v)
{
    unsigned long flags;
    struct run_queue *rq = lock_vcpu_rq(v, &flags);

    BUG_ON(v->state == VCPU_RUNNING);
    if (v->state == VCPU_RUNNABLE) {
        policy->remove(&rq->q, v);
    }
    v->state = VCPU_OFFLINE;
    v->dead = true;
    member_remove(rq, v);
    spin_unlock_irqrestore(&rq->lock, flags);
}

/*
 * Service: run time divided by weight (ns at weight 256), what a vCPU got for its weight since
 * it started, the measure the rotation keeps even across CPUs. Context: v's run-queue lock.
 */
static void account_service(struct vcpu *v, uint64_t ran_ns)
{
    WRITE_ONCE(v->sched.vtime, v->sched.vtime + ran_ns * AXVM_WEIGHT_DEFAULT / sched_weight(v));
}

/* v waking on rq may be behind the vCPUs there by WAKE_SLACK at most: sleep is not banked. */
static void clamp_service(struct run_queue *rq, struct vcpu *v)
{
    if (rq->min_vtime > WAKE_SLACK && v->sched.vtime < rq->min_vtime - WAKE_SLACK) {
        WRITE_ONCE(v->sched.vtime, rq->min_vtime - WAKE_SLACK);
    }
}

/* Is there an idle online CPU other than cpu in mask? */
static bool idle_cpu_in(uint64_t mask, unsigned int cpu)
{
    struct percpu *pc;

    for_each_online_cpu (pc) {
        if (pc->cpu_id != cpu && pc->cpu_id < 64 && ((mask >> pc->cpu_id) & 1) &&
            READ_ONCE(rq_of(pc->cpu_id)->idle)) {
            return true;
        }
    }
    return false;
}

void sched_wake(struct vcpu *v)
{
    unsigned long flags;
    struct run_queue *rq = lock_vcpu_rq(v, &flags);
    unsigned int cpu = v->pcpu;
    bool kick = false;

    if (v->dead) {
        /* gone for good */
    } else if (READ_ONCE(v->parked)) {
        /*
         * Its VM is paused: vm_unpause() (or vm_shutdown()) clears parked and wakes it. Run
         * now, it would only park again, and a wake source that fires again at once (a guest
         * timer already expired) would keep its CPU busy doing that. Read without vm->lock: a
         * stale true is covered by vm_unpause()'s own wake, a stale false by the exit loop,
         * which parks it again.
         */
    } else if (v->state == VCPU_OFFLINE || v->state == VCPU_BLOCKED) {
        struct vcpu *cur = rq->current;

        v->state = VCPU_RUNNABLE;
        clamp_service(rq, v);
        policy->enqueue(&rq->q, v, SCHED_WOKEN);
        if (!cur) {
            kick = true; /* idle, or about to pick */
        } else if (policy->wake_preempts(cur, v)) {
            WRITE_ONCE(rq->need_resched, true);
            kick = true;
        } else if (!sched_allowed(v, cpu) || idle_cpu_in(v->sched.affinity, cpu)) {
            WRITE_ONCE(rq->balance_due, true); /* it may run sooner elsewhere */
            kick = true;
        }
    } else if (v->state == VCPU_RUNNING) {
        v->wake_pending = true; /* it may be about to block: it must not */
    }
    spin_unlock_irqrestore(&rq->lock, flags);
    if (kick && cpu != this_cpu_id()) {
        arch_smp_kick(cpu); /* out of idle, or out of a guest to reschedule */
    }
}

void sched_kick(struct vcpu *v)
{
    unsigned int cpu = READ_ONCE(v->pcpu);

    if (cpu == this_cpu_id()) {
        WRITE_ONCE(rq_of(cpu)->need_resched, true);
    } else if (READ_ONCE(v->state) == VCPU_RUNNING) {
        arch_smp_kick(cpu);
    }
}

void sched_yield(void)
{
    WRITE_ONCE(rq_of(this_cpu_id())->need_resched, true);
}

/* Under "sched_stress=1" every exit hands the CPU back, to shake out state lost on the way. */
bool sched_should_preempt(void)
{
    struct run_queue *rq = rq_of(this_cpu_id());

    if (hv_opts.sched_stress) {
        if (rq->entered) {
            return true;
        }
        rq->entered = true;
    }
    return READ_ONCE(rq->need_resched) || READ_ONCE(rq->balance_due);
}

struct vcpu *sched_current(void)
{
    return READ_ONCE(rq_of(this_cpu_id())->current);
}

/* The slice is over (or an idle CPU's capped vCPUs may run again): look at the queue. */
static void slice_expired(struct timer *t)
{
    struct run_queue *rq = container_of(t, struct run_queue, slice);

    WRITE_ONCE(rq->need_resched, true);
}

/* ---------------------------------------------------------------------------------------- */
/* Balance */

/* Lock two run queues, lower CPU first. */
static unsigned long lock_pair(struct run_queue *a, struct run_queue *b)
{
    unsigned long flags = local_irq_save();

    if (a < b) {
        spin_lock(&a->lock);
        spin_lock(&b->lock);
    } else {
        spin_lock(&b->lock);
        spin_lock(&a->lock);
    }
    return flags;
}

static void unlock_pair(struct run_queue *a, struct run_queue *b, unsigned long flags)
{
    spin_unlock(&a->lock);
    spin_unlock(&b->lock);
    local_irq_restore(flags);
}

/*
 * Move v, waiting on this CPU's queue, to cpu's. Context: this CPU's scheduler loop, IRQs off.
 * Returns: whether it moved (it may have been picked, removed or woken meanwhile).
 */
static bool migrate(struct run_queue *from, struct vcpu *v, unsigned int cpu)
{
    struct run_queue *to = rq_of(cpu);
    unsigned long flags = lock_pair(from, to);
    bool moved = v->pcpu == from->q.cpu && v->state == VCPU_RUNNABLE && !v->dead;

    if (moved) {
        policy->remove(&from->q, v);
        member_remove(from, v);
        arch_vcpu_migrate(v, cpu);
        WRITE_ONCE(v->pcpu, cpu);
        v->sched.nr_migrations++;
        member_add(to, v);
        policy->enqueue(&to->q, v, SCHED_MOVED);
    }
    unlock_pair(from, to, flags);
    if (moved) {
        arch_smp_kick(cpu);
    }
    return moved;
}

static unsigned int load_of(unsigned int cpu)
{
    struct run_queue *rq = rq_of(cpu);

    return READ_ONCE(rq->q.nr) + (READ_ONCE(rq->current) ? 1u : 0u);
}

/*
 * One balance step: find a waiting vCPU outside its affinity, or one an emptier CPU should
 * take, and move it. Returns: whether one moved (there may be more).
 */
static bool balance_once(struct run_queue *rq)
{
    unsigned int load[CONFIG_NR_CPUS];
    bool idle[CONFIG_NR_CPUS];
    struct vcpu *move = NULL;
    struct percpu *pc;
    unsigned long flags;
    int target = -1;

    for (unsigned int cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
        load[cpu] = UINT32_MAX;
        idle[cpu] = false;
    }
    for_each_online_cpu (pc) {
        load[pc->cpu_id] = load_of(pc->cpu_id);
        idle[pc->cpu_id] = READ_ONCE(rq_of(pc->cpu_id)->idle);
    }
    flags = spin_lock_irqsave(&rq->lock);
    load[rq->q.cpu] = rq->q.nr;
    for (struct vcpu *v = rq->q.head; v && target < 0; v = v->runq_next) {
        target = sched_balance_target(load, idle, CONFIG_NR_CPUS, rq->q.cpu, v->sched.affinity,
                                      !sched_allowed(v, rq->q.cpu));
        move = v;
    }
    spin_unlock_irqrestore(&rq->lock, flags);
    return target >= 0 && migrate(rq, move, (unsigned int)target);
}

/*
 * Returns: whether cpu runs a vCPU, and *vtime its service (it may stop meanwhile), counting
 * the run in progress: a vCPU alone on its CPU is charged only when its 30 ms slice ends, and
 * later still when that CPU is slow to take its timer interrupt (an emulated CPU that the host
 * is not running at the moment), so its recorded service alone lags behind.
 */
static bool running_service(unsigned int cpu, uint64_t now, uint64_t *vtime)
{
    struct run_queue *rq = rq_of(cpu);
    unsigned long flags = spin_lock_irqsave(&rq->lock);
    struct vcpu *c = rq->current;

    if (c) {
        uint64_t ran = now > rq->current_since ? now - rq->current_since : 0;

        *vtime = c->sched.vtime + ran * AXVM_WEIGHT_DEFAULT / sched_weight(c);
    }
    spin_unlock_irqrestore(&rq->lock, flags);
    return c != NULL;
}

/*
 * With one busy vCPU more here than on another CPU, the split is uneven: one runs alone there,
 * the others share this CPU. When the one with the least service here is clearly behind the
 * lone one, give it the lone place of this CPU: move the one with the most service here over
 * there, so the two CPUs swap roles and service stays even. Returns: whether one moved.
 */
static bool rotate(struct run_queue *rq, uint64_t now)
{
    struct percpu *pc;

    for_each_online_cpu (pc) {
        unsigned int cpu = pc->cpu_id, mine = READ_ONCE(rq->q.nr);
        struct vcpu *low = NULL, *move = NULL;
        uint64_t lone = 0;
        unsigned long flags;

        if (cpu == rq->q.cpu || mine < 2 || load_of(cpu) + 1 != mine ||
            !running_service(cpu, now, &lone)) {
            continue;
        }
        flags = spin_lock_irqsave(&rq->lock);
        for (struct vcpu *v = rq->q.head; v; v = v->runq_next) {
            low = !low || v->sched.vtime < low->sched.vtime ? v : low;
        }
        for (struct vcpu *v = sched_rotate_worthwhile(low->sched.vtime, lone) ? rq->q.head : NULL;
             v; v = v->runq_next) {
            if (v != low && sched_allowed(v, cpu) &&
                (!move || v->sched.vtime > move->sched.vtime)) {
                move = v;
            }
        }
        spin_unlock_irqrestore(&rq->lock, flags);
        if (move && migrate(rq, move, cpu)) {
            return true;
        }
    }
    return false;
}

static void balance(struct run_queue *rq, uint64_t now)
{
    unsigned int moved = 0;

    WRITE_ONCE(rq->balance_due, false);
    rq->last_balance = now;
    while (moved < VM_MAX_VCPUS * 2 && balance_once(rq)) {
        moved++;
    }
    if (!moved && now - rq->last_rotate >= ROTATE_NS) {
        rq->last_rotate = now;
        rotate(rq, now);
    }
}

/* About to idle: ask CPUs with waiting vCPUs that may run here to push one. */
static void ask_for_work(struct run_queue *rq)
{
    struct percpu *pc;

    for_each_online_cpu (pc) {
        struct run_queue *other = rq_of(pc->cpu_id);
        bool ask = false;
        unsigned long flags;

        if (other == rq || READ_ONCE(other->q.nr) == 0 || READ_ONCE(other->balance_due)) {
            continue;
        }
        flags = spin_lock_irqsave(&other->lock);
        for (struct vcpu *v = other->q.head; v && !ask; v = v->runq_next) {
            ask = sched_allowed(v, rq->q.cpu) && other->q.nr + (other->current ? 1 : 0) >= 2;
        }
        if (ask) {
            WRITE_ONCE(other->balance_due, true);
        }
        spin_unlock_irqrestore(&other->lock, flags);
        if (ask) {
            arch_smp_kick(pc->cpu_id);
        }
    }
}

/* ---------------------------------------------------------------------------------------- */
/* The loop */

static struct vcpu *pick_next(struct run_queue *rq, uint64_t now)
{
    unsigned long flags = spin_lock_irqsave(&rq->lock);
    struct vcpu *v = policy->pick(&rq->q, now);

    if (v) {
        uint64_t low = v->sched.vtime;

        for (struct vcpu *w = rq->q.head; w; w = w->runq_next) {
            low = MIN(low, w->sched.vtime);
        }
        rq->min_vtime = MAX(rq->min_vtime, low);
        v->state = VCPU_RUNNING;
        v->wake_pending = false;
        v->sched.ran_on |= 1ull << rq->q.cpu;
        v->sched.nr_scheduled++;
        rq->current = v;
        rq->current_since = now;
        rq->entered = false;
        WRITE_ONCE(rq->need_resched, false);
    } else {
        /* Only vCPUs outside their affinity (or none) wait: move them first. */
        for (struct vcpu *w = rq->q.head; w; w = w->runq_next) {
            if (!sched_allowed(w, rq->q.cpu)) {
                WRITE_ONCE(rq->balance_due, true);
            }
        }
    }
    spin_unlock_irqrestore(&rq->lock, flags);
    return v;
}

/* Record how v left the CPU after ran_ns. Returns: whether it stopped for good. */
static bool put_prev(struct run_queue *rq, struct vcpu *v, int result, uint64_t ran_ns,
                     uint64_t now)
{
    unsigned long flags = spin_lock_irqsave(&rq->lock);
    bool stopped = result == VCPU_RUN_STOPPED || result < 0;

    rq->current = NULL;
    policy->charge(&rq->q, v, ran_ns, now);
    account_service(v, ran_ns);
    if (stopped) {
        v->state = VCPU_OFFLINE;
        v->dead = true;
    } else if (result == VCPU_RUN_BLOCKED && !v->wake_pending) {
        v->state = VCPU_BLOCKED;
    } else {
        v->state = VCPU_RUNNABLE;
        v->nr_preempted += result == VCPU_RUN_PREEMPTED;
        policy->enqueue(&rq->q, v, result == VCPU_RUN_BLOCKED ? SCHED_WOKEN : SCHED_PREEMPTED);
        if (!sched_allowed(v, rq->q.cpu)) {
            WRITE_ONCE(rq->balance_due, true); /* its affinity changed while it ran */
        }
    }
    spin_unlock_irqrestore(&rq->lock, flags);
    return stopped;
}

static void idle(struct run_queue *rq)
{
    uint64_t start;

    if (rq->q.retry_ns) {
        timer_set(&rq->slice, rq->q.retry_ns); /* a capped vCPU may run then */
    }
    WRITE_ONCE(rq->idle, true);
    ask_for_work(rq);
    start = arch_time_now_ns();
    if (!READ_ONCE(rq->q.nr) || rq->q.retry_ns) {
        arch_cpu_idle();
    }
    WRITE_ONCE(rq->idle, false);
    stat_add(&rq->idle_ns, arch_time_now_ns() - start);
    timer_stop(&rq->slice);
}

/* "sched_stress=1": a vCPU left runnable moves on to the next other CPU it may use. */
static void stress_move(struct run_queue *rq, struct vcpu *v)
{
    uint64_t mask = READ_ONCE(v->sched.affinity) & percpu_online_mask();

    for (unsigned int i = 1; i < 64; i++) {
        unsigned int cpu = (rq->q.cpu + i) % 64;

        if ((mask >> cpu) & 1) {
            migrate(rq, v, cpu); /* refuses a vCPU that is not waiting here */
            return;
        }
    }
}

void sched_run_cpu(void)
{
    struct run_queue *rq = rq_of(this_cpu_id());
    uint64_t switch_start = 0; /* when the last vCPU left, while the next is being chosen */

    timer_init(&rq->slice, slice_expired, this_cpu_id());
    local_irq_save(); /* the loop runs with IRQs off; idle and guests take them */
    for (;;) {
        uint64_t now = arch_time_now_ns(), start;
        struct vcpu *v;
        int result;

        if (READ_ONCE(rq->balance_due) || now - rq->last_balance >= BALANCE_NS) {
            balance(rq, now);
        }
        v = pick_next(rq, now);
        if (!v) {
            if (!READ_ONCE(rq->balance_due)) {
                idle(rq);
            }
            switch_start = 0;
            continue;
        }
        timer_set(&rq->slice, now + policy->slice_ns(&rq->q, v, now));
        arch_vcpu_load(v);
        start = arch_time_now_ns();
        if (switch_start) {
            stat_add(&rq->sched_ns, start - switch_start);
        }
        stat_add(&rq->nr_switches, 1);
        result = vm_run_vcpu(v->vm, v->id);
        now = arch_time_now_ns();
        switch_start = now;
        arch_vcpu_put(v);
        timer_stop(&rq->slice);
        if (put_prev(rq, v, result, now - start, now)) {
            vm_vcpu_stopped(v); /* may free v and its VM */
        } else if (hv_opts.sched_stress) {
            stress_move(rq, v);
        }
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Control and statistics */

int sched_set_affinity(struct vcpu *v, uint64_t mask)
{
    uint64_t allowed = mask & percpu_online_mask();
    unsigned long flags;
    struct run_queue *rq;
    unsigned int cpu;
    bool kick = false;

    if (!allowed) {
        return -AXVM_EINVAL;
    }
    rq = lock_vcpu_rq(v, &flags);
    cpu = v->pcpu;
    v->sched.affinity = allowed;
    v->sched.ran_on = 0;
    if (!sched_allowed(v, cpu)) {
        if (v->state == VCPU_RUNNING) {
            WRITE_ONCE(rq->need_resched, true);
            kick = true;
        } else if (v->state == VCPU_RUNNABLE) {
            WRITE_ONCE(rq->balance_due, true);
            kick = true;
        }
        /* offline or blocked: it moves when it wakes (sched_wake) */
    }
    spin_unlock_irqrestore(&rq->lock, flags);
    if (kick && cpu != this_cpu_id()) {
        arch_smp_kick(cpu);
    }
    return 0;
}

int sched_set_credit(struct vm *vm, unsigned int flags, uint32_t weight, uint32_t cap)
{
    if (flags & ~(unsigned int)(AXVM_SCHED_SET_WEIGHT | AXVM_SCHED_SET_CAP)) {
        return -AXVM_EINVAL;
    }
    if ((flags & AXVM_SCHED_SET_WEIGHT) && (weight < AXVM_WEIGHT_MIN || weight > AXVM_WEIGHT_MAX)) {
        return -AXVM_EINVAL;
    }
    if ((flags & AXVM_SCHED_SET_CAP) && cap > 100u * vm->nr_vcpus) {
        return -AXVM_EINVAL;
    }
    if (flags && policy != &sched_credit_ops) {
        return -AXVM_EOPNOTSUPP;
    }
    if (flags & AXVM_SCHED_SET_WEIGHT) {
        __atomic_store_n(&vm->sched.weight, weight, __ATOMIC_RELAXED);
    }
    if (flags & AXVM_SCHED_SET_CAP) {
        unsigned long irq = spin_lock_irqsave(&vm->sched.cap_lock);

        vm->sched.cap_period_ns = 0; /* a fresh budget at the next look */
        vm->sched.cap_budget_ns = 0;
        __atomic_store_n(&vm->sched.cap, cap, __ATOMIC_RELAXED);
        spin_unlock_irqrestore(&vm->sched.cap_lock, irq);
    }
    return 0;
}

void sched_pcpu_stats(unsigned int cpu, struct axvm_pcpu_stats *out)
{
    struct run_queue *rq = rq_of(cpu);
    unsigned long flags = spin_lock_irqsave(&rq->lock);

    out->cpu = (uint16_t)cpu;
    out->domid = rq->current ? rq->current->vm->id : AXVM_DOMID_INVALID;
    out->vcpu = rq->current ? (uint16_t)rq->current->id : 0;
    out->nr_runnable = (uint16_t)rq->q.nr;
    spin_unlock_irqrestore(&rq->lock, flags);
    out->idle_ns = __atomic_load_n(&rq->idle_ns, __ATOMIC_RELAXED);
    out->nr_switches = __atomic_load_n(&rq->nr_switches, __ATOMIC_RELAXED);
    out->sched_ns = __atomic_load_n(&rq->sched_ns, __ATOMIC_RELAXED);
}

void sched_vcpu_snapshot(struct vcpu *v, enum vcpu_state *state, unsigned int *pcpu,
                         struct sched_vcpu *out)
{
    unsigned long flags;
    struct run_queue *rq = lock_vcpu_rq(v, &flags);

    *state = v->state;
    *pcpu = v->pcpu;
    *out = v->sched;
    spin_unlock_irqrestore(&rq->lock, flags);
}
