/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's freestanding ACPI table builder (hypervisor/lib/acpi_build.c), compiled into
 * libaxvmctl unchanged, so domUs built by the toolstack and boot-time domains built by the
 * hypervisor see the same tables. (toolstack/build.mk only compiles toolstack/.)
 */
#include "../../hypervisor/lib/acpi_build.c" /* NOLINT(bugprone-suspicious-include) */
