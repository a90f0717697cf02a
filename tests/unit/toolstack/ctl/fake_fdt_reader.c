/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's own device tree reader (hypervisor/lib/fdt.c, <hv/fdt.h>) built into the
 * toolstack tests, so the trees the writer makes are checked by the code that will read them.
 * fdt.c includes <hv/compiler.h> only for ALIGN_UP; that header needs the hypervisor's generated
 * config.h, which a toolstack build does not have, so its guard is set and ALIGN_UP given here
 * with the same definition.
 */
#define HV_COMPILER_H
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define ALIGN_UP(x, a)   ALIGN_DOWN((x) + ((__typeof__(x))(a)-1), (a))
#include "../../../../hypervisor/lib/fdt.c" /* NOLINT(bugprone-suspicious-include) */
