/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's freestanding fdt_writer code (hypervisor/lib/fdt_writer.c), compiled into
 * libaxvmctl unchanged, so the toolstack and the hypervisor build guests the same way.
 * (toolstack/build.mk only compiles toolstack/; this file brings the shared source in.)
 */
#include "../../hypervisor/lib/fdt_writer.c" /* NOLINT(bugprone-suspicious-include) */
