/* SPDX-License-Identifier: MIT */
/*
 * x86 time: the TSC is the clock, the local APIC timer gives the tick. Both are measured
 * against the 8254 PIT channel 2, gated through port 0x61, over a 50 ms window; TCG's TSC
 * follows the host's, so a frequency is never assumed (PLATFORM.md §3b).
 */
#define LOG_TAG "time"
#include <hv/log.h>
#include <hv/time.h>
#include <hv/timer.h>
#include <x86/asm.h>
#include <x86/x86.h>

#define PIT_HZ        1193182u
#define PIT_CH2_DATA  0x42
#define PIT_CMD       0x43
#define PIT_GATE_PORT 0x61
#define PIT_GATE      0x01
#define PIT_SPEAKER   0x02
#define PIT_OUT2      0x20
#define CALIBRATE_MS  50u
#define PIT_MAX_POLLS 100000000u /* a missing PIT must not hang the boot */
#define FALLBACK_HZ   1000000000ull

static uint64_t tsc_hz;
static uint64_t lapic_hz;
static uint64_t ns_mult;    /* ns = (tsc * ns_mult) >> 32 */
static uint64_t lapic_mult; /* APIC timer clocks = (ns * lapic_mult) >> 32 */

uint64_t time_tsc_hz(void)
{
    return tsc_hz;
}

uint64_t time_lapic_hz(void)
{
    return lapic_hz;
}

uint64_t arch_time_now_ns(void)
{
    return (uint64_t)(((unsigned __int128)rdtsc() * ns_mult) >> 32);
}

void time_calibrate(void)
{
    uint16_t count = (uint16_t)(PIT_HZ * CALIBRATE_MS / 1000);
    uint8_t gate = inb(PIT_GATE_PORT);
    uint64_t tsc0, tsc1;
    uint32_t apic0, apic1;
    uint32_t polls = 0;

    outb(PIT_GATE_PORT, (uint8_t)((gate & ~PIT_SPEAKER) & ~PIT_GATE)); /* gate low */
    outb(PIT_CMD, 0xb0); /* channel 2, lobyte/hibyte, mode 0: OUT2 rises at terminal count */
    outb(PIT_CH2_DATA, (uint8_t)count);
    outb(PIT_CH2_DATA, (uint8_t)(count >> 8));
    lapic_timer_oneshot_max();
    outb(PIT_GATE_PORT, (uint8_t)((gate & ~PIT_SPEAKER) | PIT_GATE)); /* start counting */
    tsc0 = rdtsc();
    apic0 = lapic_timer_count();
    while (!(inb(PIT_GATE_PORT) & PIT_OUT2) && ++polls < PIT_MAX_POLLS) {
    }
    tsc1 = rdtsc();
    apic1 = lapic_timer_count();
    outb(PIT_GATE_PORT, gate);

    tsc_hz = (tsc1 - tsc0) * 1000 / CALIBRATE_MS;
    lapic_hz = (uint64_t)(apic0 - apic1) * 1000 / CALIBRATE_MS;
    if (polls == PIT_MAX_POLLS || tsc_hz == 0 || lapic_hz == 0) {
        log_warn("PIT calibration failed; assuming 1 GHz for the TSC and the APIC timer");
        tsc_hz = FALLBACK_HZ;
        lapic_hz = FALLBACK_HZ;
    }
    ns_mult = (NSEC_PER_SEC << 32) / tsc_hz;
    lapic_mult = (lapic_hz << 32) / NSEC_PER_SEC;
    log_info("TSC %llu MHz, local APIC timer %llu MHz (measured against the PIT)",
             (unsigned long long)(tsc_hz / 1000000), (unsigned long long)(lapic_hz / 1000000));
}

void arch_timer_program(uint64_t deadline_ns)
{
    uint64_t now = arch_time_now_ns();
    uint64_t clocks;

    if (deadline_ns == 0) {
        lapic_timer_arm(0);
        return;
    }
    clocks = deadline_ns > now
                 ? (uint64_t)(((unsigned __int128)(deadline_ns - now) * lapic_mult) >> 32)
                 : 0;
    /* Past the 32-bit counter it fires early; timer_interrupt() then simply re-arms. */
    lapic_timer_arm(clocks == 0 ? 1 : clocks > UINT32_MAX ? UINT32_MAX : (uint32_t)clocks);
}
