/* SPDX-License-Identifier: MIT */
/*
 * The MMIO test device ("testdev" in a boot-time domain's string), which tests/guests/mmio uses
 * to check every emulated instruction form from inside a guest: a 256-byte scratch window that
 * reads back what was written, at any width and alignment, and registers that say what the
 * last scratch access looked like from the device's side.
 */
#ifndef AXVM_PUBLIC_TESTDEV_H
#define AXVM_PUBLIC_TESTDEV_H

#define AXVM_TESTDEV_X86_GPA   0xd0000000u /* where x86 guests find it; one 4 KiB page */
#define AXVM_TESTDEV_ARM64_GPA 0x0a000000u /* where arm64 guests find it */
#define AXVM_TESTDEV_SIZE      0x1000u

#define AXVM_TESTDEV_SCRATCH      0x000u /* 256 bytes, read/write, little-endian */
#define AXVM_TESTDEV_SCRATCH_SIZE 0x100u
#define AXVM_TESTDEV_LAST_WIDTH   0x100u /* u64, read-only: bytes of the last scratch access */
#define AXVM_TESTDEV_LAST_OFFSET  0x108u /* u64, read-only: its offset in the scratch window */
#define AXVM_TESTDEV_LAST_VALUE   0x110u /* u64, read-only: the value the last write stored */
#define AXVM_TESTDEV_NR_ACCESSES  0x118u /* u64, read-only: scratch accesses so far */

#define AXVM_DEBUG_EXIT_PORT      0xf4u /* x86 debug-exit device: a write of v ends the domain */
/* arm64 debug-exit device: a 32-bit write of v at this gpa (a 4-byte window) ends the domain */
#define AXVM_DEBUG_EXIT_ARM64_GPA 0x09100000u

#endif /* AXVM_PUBLIC_TESTDEV_H */
