/* SPDX-License-Identifier: MIT */
/* The x86 child domains of lib/guest.h: flat 32-bit code at 0x1000, COM1 and port 0xf4. */
#include <public/axvm/domctl.h>
#include <public/axvm/testdev.h>
#include "../guest.h"

/* What lib/guest.c's guest_child() starts from; the code is lib/x86/child-code.S. */
const struct guest_child guest_child_platform = {
    .arch = AXVM_ARCH_X86_64,
    .vcpu_mode = AXVM_VCPU_X86_PROTECTED32,
    .ram_base = 0,
    .ram_size = 0x10000,
    .entry = 0x1000,
    .stack = 0x8000,
    .uart_type = AXVM_DEV_UART16550,
    .uart_space = AXVM_SPACE_PIO,
    .uart_irq = 4,
    .uart_base = 0x3f8,
    .exit_space = AXVM_SPACE_PIO,
    .exit_base = AXVM_DEBUG_EXIT_PORT,
};
