/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's freestanding bzimage code (arch/x86/bzimage.c), compiled into libaxvmctl
 * unchanged, so the toolstack and the hypervisor build guests the same way. (toolstack/build.mk
 * only compiles toolstack/; this file brings the shared source in.)
 */
#include "../../arch/x86/bzimage.c" /* NOLINT(bugprone-suspicious-include) */
