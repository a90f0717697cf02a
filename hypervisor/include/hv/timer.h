/* SPDX-License-Identifier: MIT */
/*
 * One-shot software timers, per CPU. Each CPU keeps its pending timers sorted by deadline and
 * programs its hardware timer for the earliest; the periodic hypervisor tick is one of them.
 * A timer fires on the CPU it was set on.
 */
#ifndef HV_TIMER_H
#define HV_TIMER_H

#include <hv/types.h>

struct timer;
typedef void (*timer_fn)(struct timer *t);

struct timer {
    uint64_t deadline_ns; /* arch_time_now_ns() time at which fn runs */
    timer_fn fn;          /* runs in interrupt context, IRQs off, on cpu */
    unsigned int cpu;     /* the CPU whose list holds it */
    bool active;          /* on that list; changed on that CPU with IRQs off */
    struct timer *next;
};

/* Prepare t to run fn on cpu. Context: any; t must not be active. */
void timer_init(struct timer *t, timer_fn fn, unsigned int cpu);

/* (Re)arm t for deadline_ns (a past deadline fires at once). Context: on t->cpu, any IRQ state. */
void timer_set(struct timer *t, uint64_t deadline_ns);

/* Disarm t if it is armed. Context: on t->cpu, any IRQ state. */
void timer_stop(struct timer *t);

/* Start this CPU's periodic tick (CONFIG_HZ). Context: the CPU itself, once, during bring-up. */
void timer_start_tick(void);

/*
 * Run this CPU's expired timers and program the hardware for the next one. Called by the arch
 * from its timer interrupt. Context: IRQ, IRQs off.
 */
void timer_interrupt(void);

/* Arch hooks: implemented in arch/<a>/time.c */

/*
 * Raise this CPU's timer interrupt at deadline_ns (as soon as possible if it is past), or
 * never when deadline_ns is 0. Context: IRQs off, on the CPU itself. Never fails.
 */
void arch_timer_program(uint64_t deadline_ns);

#endif /* HV_TIMER_H */
