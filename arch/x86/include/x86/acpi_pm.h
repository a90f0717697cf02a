/* SPDX-License-Identifier: MIT */
/*
 * The ACPI PM registers and keyboard-controller reset of the x86 domU platform
 * (<public/axvm/platform_x86.h>): how a guest powers itself off or reboots (acpi_pm.c).
 */
#ifndef X86_ACPI_PM_H
#define X86_ACPI_PM_H

#include <hv/vm.h>

/*
 * Give vm the sleep control, sleep status and reset registers of its FADT at
 * AXVM_X86_ACPI_PM_PORT, and the i8042 command port's reset. Context: vm_create, adding devices.
 * Returns: 0, -AXVM_ENOMEM, or devbus_add()'s error.
 */
int acpi_pm_create(struct vm *vm);

#endif /* X86_ACPI_PM_H */
