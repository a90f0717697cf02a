/* SPDX-License-Identifier: MIT */
/*
 * Host configuration for the unit tests. The hypervisor's own config.h is generated from
 * arch/<a>/config.mk; this one is fixed so that the tests see the same values on every arch.
 */
#ifndef GENERATED_CONFIG_H
#define GENERATED_CONFIG_H

#define CONFIG_ARCH_NAME "host"
#define CONFIG_NR_CPUS   8
#define CONFIG_HZ        100
#define CONFIG_DEBUG     1
/* CONFIG_FDT is not set */

#endif /* GENERATED_CONFIG_H */
