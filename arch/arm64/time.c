/* SPDX-License-Identifier: MIT */
/*
 * arm64 time: the system counter (CNTPCT_EL0 at CNTFRQ_EL0) is the clock; the EL2 physical
 * timer (CNTHP_*) gives each CPU its tick, as a PPI through the GIC (Arm ARM D11, "The Generic
 * Timer"). QEMU's counter runs at 62.5 MHz (PLATFORM.md §5).
 */
#define LOG_TAG "time"
#include <hv/log.h>
#include <hv/time.h>
#include <hv/timer.h>
#include <arm64/arm64.h>
#include <arm64/sysreg.h>

#define CNTHP_CTL_ENABLE (1u << 0)
#define CNTHCTL_EL1PCTEN (1u << 0) /* EL1/EL0 may read the physical counter */

static uint64_t counter_hz;
static uint64_t ns_mult;    /* ns = (count * ns_mult) >> 32 */
static uint64_t count_mult; /* count = (ns * count_mult) >> 32 */
static uint32_t hyp_intid;

uint64_t arch_time_now_ns(void)
{
    uint64_t count;

    isb(); /* keep the counter read in program order */
    count = read_sysreg(cntpct_el0);
    return time_count_to_ns(count);
}

uint64_t time_count_to_ns(uint64_t count)
{
    return (uint64_t)(((unsigned __int128)count * ns_mult) >> 32);
}

uint32_t time_hyp_intid(void)
{
    return hyp_intid;
}

void time_init(const struct arm64_platform *plat)
{
    counter_hz = read_sysreg(cntfrq_el0);
    if (counter_hz == 0) {
        log_warn("CNTFRQ_EL0 is 0 (firmware did not set it); assuming 62.5 MHz");
        counter_hz = 62500000;
    }
    ns_mult = (NSEC_PER_SEC << 32) / counter_hz;
    count_mult = (counter_hz << 32) / NSEC_PER_SEC;
    hyp_intid = plat->hyp_timer_intid;
    log_info("system counter %llu kHz, EL2 timer on INTID %u",
             (unsigned long long)(counter_hz / 1000), hyp_intid);
}

void time_init_cpu(void)
{
    write_sysreg(cnthctl_el2, CNTHCTL_EL1PCTEN); /* EL1's physical timer traps: not a guest's */
    write_sysreg(cntvoff_el2, 0);
    write_sysreg(cnthp_ctl_el2, 0); /* off until the first timer is set */
    isb();
    gic_enable_ppi(hyp_intid);
}

void arch_timer_program(uint64_t deadline_ns)
{
    if (deadline_ns == 0) {
        write_sysreg(cnthp_ctl_el2, 0);
    } else {
        /* The compare value is absolute: a past deadline fires at once. */
        write_sysreg(cnthp_cval_el2,
                     (uint64_t)(((unsigned __int128)deadline_ns * count_mult) >> 32));
        write_sysreg(cnthp_ctl_el2, CNTHP_CTL_ENABLE);
    }
    isb();
}

void time_handle_irq(void)
{
    timer_interrupt(); /* re-programs the compare value, which drops the timer condition */
}
