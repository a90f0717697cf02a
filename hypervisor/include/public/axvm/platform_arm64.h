/* SPDX-License-Identifier: MIT */
/*
 * The arm64 guest platform: the fixed guest-physical addresses and interrupt lines every arm64
 * domain sees, after QEMU's virt board, shared by the hypervisor (which emulates them) and the
 * domain builders (which describe them in the guest's device tree). docs/platform-arm64.md has
 * the whole picture; the test device and debug-exit addresses are in testdev.h.
 */
#ifndef AXVM_PUBLIC_PLATFORM_ARM64_H
#define AXVM_PUBLIC_PLATFORM_ARM64_H

#define AXVM_ARM64_RAM_BASE 0x40000000ull /* a domain's first RAM region starts here */

/* The GICv3: the distributor, then one redistributor (RD and SGI frames) per vCPU. */
#define AXVM_ARM64_GICD_BASE   0x08000000ull
#define AXVM_ARM64_GICD_SIZE   0x10000ull
#define AXVM_ARM64_GICR_BASE   0x080a0000ull /* vCPU n's at BASE + n * STRIDE */
#define AXVM_ARM64_GICR_STRIDE 0x20000ull

/* The console: a PL011 on SPI 1, clocked (for the device tree) at 24 MHz. */
#define AXVM_ARM64_PL011_BASE  0x09000000ull
#define AXVM_ARM64_PL011_SIZE  0x1000ull
#define AXVM_ARM64_PL011_INTID 33u
#define AXVM_ARM64_APB_CLOCK   24000000u

/* The guest's own virtual timer (PPI 11 in device-tree terms). */
#define AXVM_ARM64_VTIMER_INTID 27u
#define AXVM_ARM64_SPI_BASE     32u /* INTIDs of shared peripheral interrupts start here */

#endif /* AXVM_PUBLIC_PLATFORM_ARM64_H */
