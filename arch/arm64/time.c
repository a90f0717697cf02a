/* SPDX-License-Identifier: MIT */
/*
 * arm64 time: the system counter (CNTPCT_EL0 at CNTFRQ_EL0) is the clock; the EL2 physical
 * timer (CNTHP_*) gives each CPU its tick, as a PPI through the GIC (Arm ARM D11, "The Generic
 * Timer"). QEMU's counter runs at 62.5 MHz (PLATFORM.md §5).
 */
#define LOG_TAG "time"
#include <hv/log.h>
#include <hv/time.h>
#include <arm64/arm64.h>
#include <arm64/sysreg.h>

#define CNTHP_CTL_ENABLE (1u << 0)
#define CNTHCTL_EL1PCTEN (1u << 0) /* EL1/EL0 may read the physical counter */
#define CNTHCTL_EL1PCEN  (1u << 1) /* ... and use the physical timer */

static uint64_t counter_hz;
static uint64_t ns_mult; /* ns = (count * ns_mult) >> 32 */
static uint64_t tick_count;
static uint32_t hyp_intid;

uint64_t arch_time_now_ns(void)
{
    uint64_t count;

    isb(); /* keep the counter read in program order */
    count = read_sysreg(cntpct_el0);
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
    tick_count = counter_hz / CONFIG_HZ;
    hyp_intid = plat->hyp_timer_intid;
    log_info("system counter %llu kHz, EL2 timer on INTID %u",
             (unsigned long long)(counter_hz / 1000), hyp_intid);
}

void time_init_cpu(void)
{
    write_sysreg(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
    write_sysreg(cntvoff_el2, 0);
    write_sysreg(cnthp_tval_el2, tick_count);
    write_sysreg(cnthp_ctl_el2, CNTHP_CTL_ENABLE);
    isb();
    gic_enable_ppi(hyp_intid);
}

void time_handle_irq(void)
{
    write_sysreg(cnthp_tval_el2, tick_count); /* re-arm: also clears the timer condition */
    isb();
    time_tick();
}
