/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's freestanding device tree reader (hypervisor/lib/fdt.c), compiled into libaxvmctl
 * unchanged for the arm64 device trees (shared_guest_fdt.c).
 */
#include "../../hypervisor/lib/fdt.c" /* NOLINT(bugprone-suspicious-include) */
