/* SPDX-License-Identifier: MIT */
/*
 * The code of the arm64 child domains the domctl guest builds (lib/arm64/child.c): EL1, MMU
 * off, position-independent, kept as data here and copied into the child. Device stores are
 * plain 32-bit STRs, which carry a syndrome the hypervisor can emulate.
 */
    .section .rodata.child, "a"
    .balign 4

/* Print "hi\n" on the PL011 at 0x09000000 (its data register), then spin. */
    .globl guest_child_hi, guest_child_hi_end
guest_child_hi:
    movz x1, #0x0900, lsl #16
    mov w0, #'h'
    str w0, [x1]
    mov w0, #'i'
    str w0, [x1]
    mov w0, #'\n'
    str w0, [x1]
1:  b 1b
guest_child_hi_end:

/* End through the debug-exit register at 0x09100000 with code 42, then spin. */
    .globl guest_child_exit, guest_child_exit_end
guest_child_exit:
    movz x1, #0x0910, lsl #16
    mov w0, #42
    str w0, [x1]
1:  b 1b
guest_child_exit_end:
