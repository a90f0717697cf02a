/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's freestanding ACPI table builder (arch/x86/acpi_build.c), compiled into
 * libaxvmctl unchanged, so domUs built by the toolstack and boot-time domains built by the
 * hypervisor see the same tables. (toolstack/build.mk only compiles toolstack/.)
 */
#include "../../arch/x86/acpi_build.c" /* NOLINT(bugprone-suspicious-include) */
