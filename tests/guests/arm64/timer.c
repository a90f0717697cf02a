/* SPDX-License-Identifier: MIT */
/*
 * The virtual timer (CNTV_*, PPI 27 through the GICv3) from inside: the counter, periodic ticks
 * by moving CNTV_CVAL_EL0 on from the handler, a one-shot by CNTV_TVAL_EL0 waking WFI, the
 * timer's own mask (IMASK: ISTATUS set, nothing raised) and the GIC's (the PPI disabled: held
 * pending until enabled again), and the timer stopped. Timing is only checked from below
 * (timers must not fire early).
 */
#include "lib/guest.h"

#define CTL_ENABLE  (1u << 0)
#define CTL_IMASK   (1u << 1)
#define CTL_ISTATUS (1u << 2)

static volatile unsigned int ticks, spurious;
static volatile uint64_t period; /* counter ticks; 0 = one-shot */
static uint64_t hz;

/*
 * A tick is an interrupt while the timer's output is asserted (enabled, expired, not masked).
 * Otherwise it is spurious, and ignored as Linux's timer driver ignores it: the interrupt is
 * level-sensitive, and one the guest lowers itself (writing CNTV_CTL, which does not trap)
 * can still be delivered once from the list register it was already in, until the next exit
 * lets the hypervisor sample the timer again (seen under load: the 1 s timer of the TVAL test
 * expired while the vCPU waited for its CPU, was disabled with interrupts masked, and arrived
 * in the IMASK test).
 */
static void on_timer(uint32_t intid)
{
    uint64_t ctl = read_sysreg(cntv_ctl_el0);

    (void)intid;
    if ((ctl & (CTL_ENABLE | CTL_IMASK | CTL_ISTATUS)) != (CTL_ENABLE | CTL_ISTATUS)) {
        spurious++;
        return;
    }
    ticks++;
    if (period) {
        write_sysreg(cntv_cval_el0, read_sysreg(cntv_cval_el0) + period);
    } else {
        write_sysreg(cntv_ctl_el0, 0); /* one-shot: stop, so the level drops */
    }
    __asm__ volatile("isb");
}

static uint64_t us_to_ticks(uint64_t us)
{
    return hz * us / 1000000;
}

/* WFI until ticks reaches want or limit_us passes. Returns: the microseconds it took. */
static uint64_t wait_ticks(unsigned int want, uint64_t limit_us)
{
    uint64_t start = guest_now_ns() / 1000;

    while (ticks < want && guest_now_ns() / 1000 - start < limit_us) {
        guest_wait_irq();
    }
    return guest_now_ns() / 1000 - start;
}

/* Let ns pass with interrupts on, so that whatever is due is taken now. */
static void delay_with_irqs(uint64_t ns)
{
    irq_enable();
    guest_delay_ns(ns);
    irq_disable();
}

static void test_counter(void)
{
    uint64_t c0 = guest_cycles(), c1;

    guest_delay_ns(1000000);
    c1 = guest_cycles();
    check(hz >= 1000000, "timer: CNTFRQ_EL0 %lu Hz", (unsigned long)hz);
    check(c1 > c0, "timer: CNTVCT_EL0 counts (%lu ticks in 1 ms)", (unsigned long)(c1 - c0));
}

static void test_periodic(void)
{
    uint64_t took;
    unsigned int seen;

    ticks = 0;
    period = us_to_ticks(10000); /* 10 ms */
    write_sysreg(cntv_cval_el0, guest_cycles() + period);
    write_sysreg(cntv_ctl_el0, CTL_ENABLE);
    took = wait_ticks(10, 5000000);
    check(ticks >= 10, "timer: periodic: %u ticks", ticks);
    check(took >= 50000, "timer: periodic: 10 ticks took %lu us, not less than 50 ms",
          (unsigned long)took);
    write_sysreg(cntv_ctl_el0, 0);
    __asm__ volatile("isb");
    delay_with_irqs(1000000);
    seen = ticks;
    delay_with_irqs(50000000);
    check(ticks == seen, "timer: periodic stops when disabled (%u more)", ticks - seen);
}

static void test_oneshot(void)
{
    uint64_t start, took;

    ticks = 0;
    period = 0;
    start = guest_now_ns();
    write_sysreg(cntv_tval_el0, us_to_ticks(5000)); /* 5 ms */
    write_sysreg(cntv_ctl_el0, CTL_ENABLE);
    wait_ticks(1, 5000000);
    took = guest_now_ns() - start;
    delay_with_irqs(50000000);
    check(ticks == 1, "timer: one-shot fires once (%u)", ticks);
    check(took >= 5000000, "timer: ... after %lu us, not less than 5 ms",
          (unsigned long)(took / 1000));
    write_sysreg(cntv_tval_el0, us_to_ticks(1000000)); /* 1 s */
    write_sysreg(cntv_ctl_el0, CTL_ENABLE);
    __asm__ volatile("isb");
    {
        int32_t t0 = (int32_t)read_sysreg(cntv_tval_el0), t1;

        guest_delay_ns(2000000);
        t1 = (int32_t)read_sysreg(cntv_tval_el0);
        check(t1 < t0 && t0 <= (int32_t)us_to_ticks(1000000),
              "timer: CNTV_TVAL_EL0 counts down (%d, then %d)", t0, t1);
    }
    write_sysreg(cntv_ctl_el0, 0);
}

static void test_masks(void)
{
    ticks = 0;
    period = 0;
    write_sysreg(cntv_tval_el0, us_to_ticks(1000));
    write_sysreg(cntv_ctl_el0, CTL_ENABLE | CTL_IMASK);
    delay_with_irqs(20000000);
    /* QEMU updates ISTATUS from a host timer of its own, which lags when the host is busy: give
     * it up to 2 s more, interrupts still on (none may come). */
    for (unsigned int ms = 0; !(read_sysreg(cntv_ctl_el0) & CTL_ISTATUS) && ms < 2000; ms++) {
        delay_with_irqs(1000000);
    }
    check(ticks == 0, "timer: IMASK: no interrupt (%u)", ticks);
    check(read_sysreg(cntv_ctl_el0) & CTL_ISTATUS, "timer: IMASK: ISTATUS says it expired");
    gic_enable(GUEST_VTIMER_INTID, false);
    write_sysreg(cntv_ctl_el0, CTL_ENABLE);
    delay_with_irqs(20000000);
    check(ticks == 0, "timer: PPI 27 disabled in the GIC: no interrupt (%u)", ticks);
    gic_enable(GUEST_VTIMER_INTID, true);
    wait_ticks(1, 5000000);
    check(ticks == 1, "timer: enabled again: the pending tick arrives (%u)", ticks);
}

/* Several vCPU-blocking sleeps in a row: each WFI wakes on its own timer. */
static void test_wfi_sleeps(void)
{
    unsigned int woken = 0;

    period = 0;
    for (unsigned int i = 0; i < 5; i++) {
        uint64_t start = guest_now_ns();

        ticks = 0;
        write_sysreg(cntv_tval_el0, us_to_ticks(20000));
        write_sysreg(cntv_ctl_el0, CTL_ENABLE);
        wait_ticks(1, 5000000);
        woken += ticks == 1 && guest_now_ns() - start >= 20000000;
    }
    check(woken == 5, "timer: 5 WFI sleeps of 20 ms each woken by the timer, none early (%u)",
          woken);
}

void guest_main(const struct guest_boot *boot)
{
    (void)boot;
    hz = guest_counter_hz();
    gic_init();
    gic_set_handler(GUEST_VTIMER_INTID, on_timer);
    gic_enable(GUEST_VTIMER_INTID, true);
    test_counter();
    test_periodic();
    test_oneshot();
    test_masks();
    test_wfi_sleeps();
    check(gic_nr_unhandled() == 0, "timer: no interrupt without a handler (%u)",
          gic_nr_unhandled());
    /* One stale tick per test at most (0-2 per boot seen under load); a storm is a bug. */
    check(spurious <= 8, "timer: %u spurious interrupts (the timer already lowered), at most 8",
          spurious);
    /* Leave with a periodic timer running: the hypervisor must disarm it when we go away. */
    period = us_to_ticks(1000);
    write_sysreg(cntv_cval_el0, guest_cycles() + period);
    write_sysreg(cntv_ctl_el0, CTL_ENABLE);
    guest_finish("timer");
}
