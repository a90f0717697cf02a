/* SPDX-License-Identifier: MIT */
/* The arch-neutral side of time: tick accounting and delays. */
#define LOG_TAG "time"
#include <hv/cpu.h>
#include <hv/percpu.h>
#include <hv/time.h>

void time_tick(void)
{
    struct percpu *pc = this_cpu();

    WRITE_ONCE(pc->ticks, pc->ticks + 1);
}

void time_delay_ns(uint64_t ns)
{
    uint64_t start = arch_time_now_ns();

    while (arch_time_now_ns() - start < ns) {
        cpu_relax();
    }
}
