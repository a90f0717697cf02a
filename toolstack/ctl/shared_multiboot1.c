/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's freestanding multiboot1 code (hypervisor/lib/multiboot1.c), compiled into
 * libaxvmctl unchanged, so the toolstack and the hypervisor build guests the same way.
 * (toolstack/build.mk only compiles toolstack/; this file brings the shared source in.)
 */
#include "../../hypervisor/lib/multiboot1.c" /* NOLINT(bugprone-suspicious-include) */
