/* SPDX-License-Identifier: MIT */
/*
 * The arm64 child domains of lib/guest.h: code at the start of 64 KiB of RAM at 0x40000000,
 * entered at EL1h with the MMU off; a PL011 and the debug-exit register where the guest
 * platform has them.
 */
#include <public/axvm/domctl.h>
#include <public/axvm/platform_arm64.h>
#include <public/axvm/testdev.h>
#include "../guest.h"

/* What lib/guest.c's guest_child() starts from; the code is lib/arm64/child-code.S. */
const struct guest_child guest_child_platform = {
    .arch = AXVM_ARCH_ARM64,
    .vcpu_mode = AXVM_VCPU_ARM64_EL1,
    .ram_base = GUEST_RAM_BASE,
    .ram_size = 0x10000,
    .entry = GUEST_RAM_BASE + 0x1000,
    .stack = GUEST_RAM_BASE + 0x8000,
    .uart_type = AXVM_DEV_PL011,
    .uart_space = AXVM_SPACE_MMIO,
    .uart_irq = AXVM_ARM64_PL011_INTID,
    .uart_base = AXVM_ARM64_PL011_BASE,
    .exit_space = AXVM_SPACE_MMIO,
    .exit_base = AXVM_DEBUG_EXIT_ARM64_GPA,
};
