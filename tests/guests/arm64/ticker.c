/* SPDX-License-Identifier: MIT */
/*
 * A guest that never stops: it prints "tick N" on its console about every 100 ms, N counting
 * up from 1, forever. Between ticks it waits in WFI, woken by its virtual timer (PPI 27), so it
 * costs almost no CPU time. A paused domain's counter must stand still, and move on after
 * unpause.
 */
#include "lib/guest.h"

#define TICK_MS 100u

static volatile uint64_t nr_timer_irqs;
static uint64_t period;

static void on_tick(uint32_t intid)
{
    (void)intid;
    nr_timer_irqs++;
    write_sysreg(cntv_cval_el0, read_sysreg(cntv_cval_el0) + period);
    __asm__ volatile("isb");
}

void guest_main(const struct guest_boot *boot)
{
    uint64_t seen = 0, n = 0;

    (void)boot;
    period = guest_counter_hz() / 1000 * TICK_MS;
    gic_init();
    gic_set_handler(GUEST_VTIMER_INTID, on_tick);
    gic_enable(GUEST_VTIMER_INTID, true);
    write_sysreg(cntv_cval_el0, guest_cycles() + period);
    write_sysreg(cntv_ctl_el0, 1);
    guest_puts("ticker: started\n");
    for (;;) {
        guest_wait_irq();
        /* One line per tick however many interrupts a long wait folded together. */
        if (nr_timer_irqs != seen) {
            seen = nr_timer_irqs;
            guest_printf("tick %lu\n", (unsigned long)++n);
        }
    }
}
