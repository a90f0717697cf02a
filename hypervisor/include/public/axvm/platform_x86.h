/* SPDX-License-Identifier: MIT */
/*
 * The x86 domU platform: the fixed guest-physical addresses, I/O ports, interrupt lines and
 * register values every x86 domain sees, shared by the hypervisor (which emulates them) and the
 * domain builders (which describe them in the guest's ACPI tables). docs/platform-x86.md has the
 * whole picture.
 */
#ifndef AXVM_PUBLIC_PLATFORM_X86_H
#define AXVM_PUBLIC_PLATFORM_X86_H

/* Interrupt controllers. */
#define AXVM_X86_LAPIC_GPA   0xfee00000u /* every vCPU's xAPIC page; APIC id = vCPU index */
#define AXVM_X86_IOAPIC_GPA  0xfec00000u
#define AXVM_X86_IOAPIC_ID   0u
#define AXVM_X86_IOAPIC_PINS 24u /* GSIs 0-23 */
#define AXVM_X86_IOAPIC_SIZE 0x1000u

/* The console: a 16550 at COM1's port, on GSI 4 (the ISA IRQ 4 it has on a PC). */
#define AXVM_X86_COM1_PORT 0x3f8u
#define AXVM_X86_COM1_SIZE 8u
#define AXVM_X86_COM1_GSI  4u

/*
 * The ACPI PM registers of a HW-reduced ACPI platform (ACPI 6.0 §4.8.3.7-§4.8.3.8, FADT
 * SLEEP_CONTROL_REG, SLEEP_STATUS_REG and RESET_REG), each one byte in I/O space. Writing
 * SLP_EN with SLP_TYP = AXVM_X86_SLP_TYP_S5 powers the domain off; writing
 * AXVM_X86_RESET_VALUE to the reset register reboots it.
 */
#define AXVM_X86_ACPI_PM_PORT       0x600u /* the block's first port */
#define AXVM_X86_ACPI_PM_SIZE       4u
#define AXVM_X86_SLEEP_CONTROL_PORT 0x600u
#define AXVM_X86_SLEEP_STATUS_PORT  0x601u
#define AXVM_X86_RESET_PORT         0x602u
#define AXVM_X86_RESET_VALUE        0x01u
#define AXVM_X86_SLP_TYP_SHIFT      2u /* SLP_TYP: bits 4:2 of the sleep control register */
#define AXVM_X86_SLP_TYP_MASK       0x1cu
#define AXVM_X86_SLP_EN             0x20u /* bit 5 */
#define AXVM_X86_WAK_STS            0x80u /* bit 7 of the sleep status register */
#define AXVM_X86_SLP_TYP_S5         5u    /* the \_S5 package's value */

/* The keyboard controller's command port, only for its reset command (Linux's reboot=k). */
#define AXVM_X86_I8042_CMD_PORT 0x64u
#define AXVM_X86_I8042_RESET    0xfeu

/*
 * Where the domain builders put the ACPI tables: the RSDP at the start, in the BIOS area
 * (so a guest that searches 0xe0000-0xfffff finds it too) that the e820 map marks reserved.
 */
#define AXVM_X86_ACPI_GPA  0xe0000u
#define AXVM_X86_ACPI_SIZE 0x10000u

/* A GDT the Linux loaders leave in guest memory for the 32-bit boot protocol's selectors. */
#define AXVM_X86_BOOT_GDT_GPA  0x6000u
#define AXVM_X86_BOOT_CS       0x10u                 /* flat 4 GiB code, execute/read */
#define AXVM_X86_BOOT_DS       0x18u                 /* flat 4 GiB data, read/write */
#define AXVM_X86_BOOT_GDT_CODE 0x00cf9a000000ffffull /* the descriptor at AXVM_X86_BOOT_CS */
#define AXVM_X86_BOOT_GDT_DATA 0x00cf92000000ffffull /* the descriptor at AXVM_X86_BOOT_DS */

#endif /* AXVM_PUBLIC_PLATFORM_X86_H */
