/* SPDX-License-Identifier: MIT */
/* Host time hook: the host's monotonic clock. */
#define _POSIX_C_SOURCE 200809L
#include <time.h>
#include <hv/time.h>

uint64_t arch_time_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}
