/* SPDX-License-Identifier: MIT */
/*
 * The code of the x86 child domains the domctl guest builds (lib/x86/child.c): flat 32-bit
 * code, position-independent, kept as data here and copied into the child.
 */
    .section .rodata.child, "a"
    .code32

/* Print "hi\n" on COM1, then spin. */
    .globl guest_child_hi, guest_child_hi_end
guest_child_hi:
    mov $0x3f8, %dx
    mov $'h', %al
    out %al, %dx
    mov $'i', %al
    out %al, %dx
    mov $'\n', %al
    out %al, %dx
1:  jmp 1b
guest_child_hi_end:

/* End through the debug-exit port with code 42, then spin. */
    .globl guest_child_exit, guest_child_exit_end
guest_child_exit:
    mov $42, %al
    out %al, $0xf4
1:  jmp 1b
guest_child_exit_end:

    .code64
