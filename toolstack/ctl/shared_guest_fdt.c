/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's arm64 guest device trees (arch/arm64/guest_fdt.c), compiled into libaxvmctl
 * unchanged, so a domU axvm-xl builds and a boot-time domain see the same tree.
 */
#include "../../arch/arm64/guest_fdt.c" /* NOLINT(bugprone-suspicious-include) */
