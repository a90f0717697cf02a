/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU software timers (<hv/timer.h>). Lists are only touched by their own CPU with IRQs
 * off, so they need no lock; a timer is only ever set on the CPU it fires on.
 */
#define LOG_TAG "timer"
#include <hv/console.h>
#include <hv/cpu.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/time.h>
#include <hv/timer.h>

#define TICK_NS (NSEC_PER_SEC / CONFIG_HZ)

void timer_init(struct timer *t, timer_fn fn, unsigned int cpu)
{
    t->deadline_ns = 0;
    t->fn = fn;
    t->cpu = cpu;
    t->active = false;
    t->next = NULL;
}

/* Context: IRQs off, on this CPU. */
static void unlink_timer(struct percpu *pc, struct timer *t)
{
    for (struct timer **pp = &pc->timers; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    t->active = false;
    t->next = NULL;
}

static void program_next(const struct percpu *pc)
{
    arch_timer_program(pc->timers ? pc->timers->deadline_ns : 0);
}

void timer_set(struct timer *t, uint64_t deadline_ns)
{
    unsigned long flags = local_irq_save();
    struct percpu *pc = this_cpu();
    struct timer **pp = &pc->timers;

    BUG_ON(t->cpu != pc->cpu_id);
    if (t->active) {
        unlink_timer(pc, t);
    }
    t->deadline_ns = deadline_ns;
    while (*pp && (*pp)->deadline_ns <= deadline_ns) {
        pp = &(*pp)->next;
    }
    t->next = *pp;
    *pp = t;
    t->active = true;
    if (pc->timers == t) {
        program_next(pc);
    }
    local_irq_restore(flags);
}

void timer_stop(struct timer *t)
{
    unsigned long flags = local_irq_save();
    struct percpu *pc = this_cpu();

    BUG_ON(t->cpu != pc->cpu_id);
    if (t->active) {
        bool was_first = pc->timers == t;

        unlink_timer(pc, t);
        if (was_first) {
            program_next(pc);
        }
    }
    local_irq_restore(flags);
}

void timer_interrupt(void)
{
    struct percpu *pc = this_cpu();
    uint64_t now = arch_time_now_ns();

    while (pc->timers && pc->timers->deadline_ns <= now) {
        struct timer *t = pc->timers;

        unlink_timer(pc, t);
        t->fn(t); /* may set timers again, this one included */
        now = arch_time_now_ns();
    }
    program_next(pc);
}

static void tick(struct timer *t)
{
    time_tick();
    console_poll(t->deadline_ns);
    timer_set(t, t->deadline_ns + TICK_NS);
}

void timer_start_tick(void)
{
    struct percpu *pc = this_cpu();

    timer_init(&pc->tick, tick, pc->cpu_id);
    timer_set(&pc->tick, arch_time_now_ns() + TICK_NS);
}
