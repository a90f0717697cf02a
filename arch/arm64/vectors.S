/* SPDX-License-Identifier: MIT */
/*
 * The EL2 exception vector table (Arm ARM D1, "Exception vectors"): 16 slots of 0x80 bytes.
 * Each EL2 slot saves x0/x1, passes its slot number and joins trap_entry, which saves the rest
 * as a struct cpu_regs and calls arm64_trap(regs, slot). The lower-EL slots are exits from a
 * guest: they join guest_exit (guest_entry.S).
 */
#define FRAME_SIZE (18 * 16)

    .macro vector slot
    .balign 0x80
    sub sp, sp, #FRAME_SIZE
    stp x0, x1, [sp, #16 * 0]
    mov x1, #\slot
    b trap_entry
    .endm

    /* From a guest: back to arm64_guest_enter's caller (guest_entry.S). */
    .macro guest_vector slot
    .balign 0x80
    stp x0, x1, [sp, #-16]!
    mov x1, #\slot
    b guest_exit
    .endm

    .section .text
    .balign 0x800
    .globl vectors
vectors:
    vector 0    /* current EL, SP_EL0: sync, IRQ, FIQ, SError */
    vector 1
    vector 2
    vector 3
    vector 4    /* current EL, SP_ELx */
    vector 5
    vector 6
    vector 7
    guest_vector 8    /* lower EL, AArch64: a guest */
    guest_vector 9
    guest_vector 10
    guest_vector 11
    guest_vector 12   /* lower EL, AArch32: EL0 only (RW keeps EL1 AArch64); stops the domain */
    guest_vector 13
    guest_vector 14
    guest_vector 15

trap_entry:
    stp x2, x3, [sp, #16 * 1]
    stp x4, x5, [sp, #16 * 2]
    stp x6, x7, [sp, #16 * 3]
    stp x8, x9, [sp, #16 * 4]
    stp x10, x11, [sp, #16 * 5]
    stp x12, x13, [sp, #16 * 6]
    stp x14, x15, [sp, #16 * 7]
    stp x16, x17, [sp, #16 * 8]
    stp x18, x19, [sp, #16 * 9]
    stp x20, x21, [sp, #16 * 10]
    stp x22, x23, [sp, #16 * 11]
    stp x24, x25, [sp, #16 * 12]
    stp x26, x27, [sp, #16 * 13]
    stp x28, x29, [sp, #16 * 14]
    add x2, sp, #FRAME_SIZE         /* the interrupted SP */
    stp x30, x2, [sp, #16 * 15]
    mrs x2, elr_el2
    mrs x3, spsr_el2
    stp x2, x3, [sp, #16 * 16]
    mrs x2, esr_el2
    mrs x3, far_el2
    stp x2, x3, [sp, #16 * 17]
    mov x0, sp
    bl arm64_trap
    ldp x2, x3, [sp, #16 * 16]
    msr elr_el2, x2
    msr spsr_el2, x3
    ldp x0, x1, [sp, #16 * 0]
    ldp x2, x3, [sp, #16 * 1]
    ldp x4, x5, [sp, #16 * 2]
    ldp x6, x7, [sp, #16 * 3]
    ldp x8, x9, [sp, #16 * 4]
    ldp x10, x11, [sp, #16 * 5]
    ldp x12, x13, [sp, #16 * 6]
    ldp x14, x15, [sp, #16 * 7]
    ldp x16, x17, [sp, #16 * 8]
    ldp x18, x19, [sp, #16 * 9]
    ldp x20, x21, [sp, #16 * 10]
    ldp x22, x23, [sp, #16 * 11]
    ldp x24, x25, [sp, #16 * 12]
    ldp x26, x27, [sp, #16 * 13]
    ldp x28, x29, [sp, #16 * 14]
    ldr x30, [sp, #16 * 15]
    add sp, sp, #FRAME_SIZE
    eret
