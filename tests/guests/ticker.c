/* SPDX-License-Identifier: MIT */
/*
 * A guest that never stops: it prints "tick N" on its console about every 100 ms, N counting
 * up from 1, forever. Between ticks it halts, woken by its LAPIC timer (periodic), so it costs
 * almost no CPU time. dom0's boot tests watch it: a paused domain's counter must stand still,
 * and move on after unpause.
 */
#include "lib/guest.h"

#define LAPIC       0xfee00000u
#define REG_EOI     0x0b0
#define REG_SVR     0x0f0
#define REG_LVT_TMR 0x320
#define REG_INITIAL 0x380
#define REG_DIVIDE  0x3e0
#define VEC_TICK    0x40
#define VEC_SPUR    0xff
#define LAPIC_HZ    1000000000u /* axvm's LAPIC timer counts at 1 GHz (divide by 1) */
#define TICK_MS     100u

static volatile uint64_t nr_timer_irqs;

static void lapic_write(unsigned int reg, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)(LAPIC + reg) = v;
}

static void on_tick(struct trap_frame *f)
{
    (void)f;
    nr_timer_irqs++;
    lapic_write(REG_EOI, 0);
}

static void on_spurious(struct trap_frame *f)
{
    (void)f;
}

void guest_main(const struct guest_boot *boot)
{
    (void)boot;
    uint64_t seen = 0, n = 0;

    guest_set_handler(VEC_TICK, on_tick);
    guest_set_handler(VEC_SPUR, on_spurious);
    lapic_write(REG_SVR, 0x100 | VEC_SPUR);
    lapic_write(REG_DIVIDE, 0xb);
    lapic_write(REG_LVT_TMR, VEC_TICK | (1u << 17)); /* periodic */
    lapic_write(REG_INITIAL, LAPIC_HZ / 1000u * TICK_MS);
    guest_puts("ticker: started\n");
    for (;;) {
        __asm__ volatile("sti; hlt; cli");
        /* One line per tick however many interrupts a long halt folded together. */
        if (nr_timer_irqs != seen) {
            seen = nr_timer_irqs;
            guest_printf("tick %lu\n", (unsigned long)++n);
        }
    }
}
