/* SPDX-License-Identifier: MIT */
/*
 * The world switch. arm64_guest_enter(regs) saves the hypervisor's callee-saved registers on
 * its EL2 stack, loads the guest's x0-x30, ELR_EL2 (its PC) and SPSR_EL2 (its PSTATE) from
 * struct guest_regs and ERETs to EL1. Any exception from the guest arrives at a lower-EL slot
 * of the vector table (vectors.S) on the same EL2 stack, which pushes x0/x1, puts the slot
 * number in x1 and branches to guest_exit: the guest's registers go back into regs and
 * arm64_guest_enter returns the slot number. ESR/FAR/HPFAR_EL2 stay valid for the C side
 * (IRQs are masked at EL2 throughout).
 */
#define SAVED_SIZE 112 /* x19-x30 and the regs pointer, 16-byte aligned */
#define REGS_PTR   96

    .section .text
    .globl arm64_guest_enter
arm64_guest_enter:
    sub sp, sp, #SAVED_SIZE
    stp x19, x20, [sp, #16 * 0]
    stp x21, x22, [sp, #16 * 1]
    stp x23, x24, [sp, #16 * 2]
    stp x25, x26, [sp, #16 * 3]
    stp x27, x28, [sp, #16 * 4]
    stp x29, x30, [sp, #16 * 5]
    str x0, [sp, #REGS_PTR]
    ldp x1, x2, [x0, #8 * 31]       /* pc, pstate */
    msr elr_el2, x1
    msr spsr_el2, x2
    ldp x2, x3, [x0, #16 * 1]
    ldp x4, x5, [x0, #16 * 2]
    ldp x6, x7, [x0, #16 * 3]
    ldp x8, x9, [x0, #16 * 4]
    ldp x10, x11, [x0, #16 * 5]
    ldp x12, x13, [x0, #16 * 6]
    ldp x14, x15, [x0, #16 * 7]
    ldp x16, x17, [x0, #16 * 8]
    ldp x18, x19, [x0, #16 * 9]
    ldp x20, x21, [x0, #16 * 10]
    ldp x22, x23, [x0, #16 * 11]
    ldp x24, x25, [x0, #16 * 12]
    ldp x26, x27, [x0, #16 * 13]
    ldp x28, x29, [x0, #16 * 14]
    ldr x30, [x0, #8 * 30]
    ldp x0, x1, [x0, #16 * 0]
    eret
    dsb nsh                         /* no speculation past the ERET */
    isb

/* From a lower-EL vector slot: the guest's x0/x1 at [sp], the slot number in x1. */
    .globl guest_exit
guest_exit:
    ldr x0, [sp, #16 + REGS_PTR]
    stp x2, x3, [x0, #16 * 1]
    stp x4, x5, [x0, #16 * 2]
    stp x6, x7, [x0, #16 * 3]
    stp x8, x9, [x0, #16 * 4]
    stp x10, x11, [x0, #16 * 5]
    stp x12, x13, [x0, #16 * 6]
    stp x14, x15, [x0, #16 * 7]
    stp x16, x17, [x0, #16 * 8]
    stp x18, x19, [x0, #16 * 9]
    stp x20, x21, [x0, #16 * 10]
    stp x22, x23, [x0, #16 * 11]
    stp x24, x25, [x0, #16 * 12]
    stp x26, x27, [x0, #16 * 13]
    stp x28, x29, [x0, #16 * 14]
    str x30, [x0, #8 * 30]
    ldp x2, x3, [sp], #16           /* the guest's x0, x1 */
    stp x2, x3, [x0, #16 * 0]
    mrs x2, elr_el2
    mrs x3, spsr_el2
    stp x2, x3, [x0, #8 * 31]
    mov x0, x1
    ldp x19, x20, [sp, #16 * 0]
    ldp x21, x22, [sp, #16 * 1]
    ldp x23, x24, [sp, #16 * 2]
    ldp x25, x26, [sp, #16 * 3]
    ldp x27, x28, [sp, #16 * 4]
    ldp x29, x30, [sp, #16 * 5]
    add sp, sp, #SAVED_SIZE
    ret

/* fpsimd_save(buf) / fpsimd_restore(buf): q0-q31 at buf, then FPSR and FPCR. */
    .arch_extension fp
    .arch_extension simd
    .globl fpsimd_save
fpsimd_save:
    stp q0, q1, [x0, #32 * 0]
    stp q2, q3, [x0, #32 * 1]
    stp q4, q5, [x0, #32 * 2]
    stp q6, q7, [x0, #32 * 3]
    stp q8, q9, [x0, #32 * 4]
    stp q10, q11, [x0, #32 * 5]
    stp q12, q13, [x0, #32 * 6]
    stp q14, q15, [x0, #32 * 7]
    stp q16, q17, [x0, #32 * 8]
    stp q18, q19, [x0, #32 * 9]
    stp q20, q21, [x0, #32 * 10]
    stp q22, q23, [x0, #32 * 11]
    stp q24, q25, [x0, #32 * 12]
    stp q26, q27, [x0, #32 * 13]
    stp q28, q29, [x0, #32 * 14]
    stp q30, q31, [x0, #32 * 15]
    mrs x1, fpsr
    mrs x2, fpcr
    add x0, x0, #32 * 16
    stp x1, x2, [x0]
    ret

    .globl fpsimd_restore
fpsimd_restore:
    ldp q0, q1, [x0, #32 * 0]
    ldp q2, q3, [x0, #32 * 1]
    ldp q4, q5, [x0, #32 * 2]
    ldp q6, q7, [x0, #32 * 3]
    ldp q8, q9, [x0, #32 * 4]
    ldp q10, q11, [x0, #32 * 5]
    ldp q12, q13, [x0, #32 * 6]
    ldp q14, q15, [x0, #32 * 7]
    ldp q16, q17, [x0, #32 * 8]
    ldp q18, q19, [x0, #32 * 9]
    ldp q20, q21, [x0, #32 * 10]
    ldp q22, q23, [x0, #32 * 11]
    ldp q24, q25, [x0, #32 * 12]
    ldp q26, q27, [x0, #32 * 13]
    ldp q28, q29, [x0, #32 * 14]
    ldp q30, q31, [x0, #32 * 15]
    add x0, x0, #32 * 16
    ldp x1, x2, [x0]
    msr fpsr, x1
    msr fpcr, x2
    ret
