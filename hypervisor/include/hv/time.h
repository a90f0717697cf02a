/* SPDX-License-Identifier: MIT */
/* Time in the hypervisor: a monotonic clock and the periodic tick on every CPU. */
#ifndef HV_TIME_H
#define HV_TIME_H

#include <hv/types.h>

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC  1000000000ULL

/* Called by the arch's timer interrupt handler on each tick. Context: IRQ, on that CPU. */
void time_tick(void);

/* Spin for at least ns nanoseconds. Context: any; usable once arch_setup() calibrated time. */
void time_delay_ns(uint64_t ns);

/* Arch hooks: implemented in arch/<a>/time.c */

/* Returns: nanoseconds since an arbitrary point, monotonic, the same base on every CPU. */
uint64_t arch_time_now_ns(void);

#endif /* HV_TIME_H */
