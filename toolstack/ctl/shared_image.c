/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's arm64 Image header parser (arch/arm64/image.c), compiled into libaxvmctl
 * unchanged, so both loaders accept and refuse the same kernels.
 */
#include "../../arch/arm64/image.c" /* NOLINT(bugprone-suspicious-include) */
