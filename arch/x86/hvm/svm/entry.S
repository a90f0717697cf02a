/* SPDX-License-Identifier: MIT */
/*
 * The SVM world switch. VMRUN loads and #VMEXIT saves only RAX, RSP, RIP and RFLAGS of the
 * guest (AMD APM vol. 2, "VMRUN Instruction"), so the other GPRs are swapped here; VMLOAD and
 * VMSAVE swap the state VMRUN leaves alone (FS, GS, TR, LDTR with their hidden parts, and the
 * SYSCALL/SYSENTER MSRs), and the host's copy is reloaded before any C code runs, because the
 * host's GS base is its per-CPU pointer.
 *
 * void svm_world_switch(hpa_t vmcb, struct x86_gprs *gprs, hpa_t host_vmcb);
 * Context: CLGI done and RFLAGS.IF set by the caller (so host interrupts exit the guest).
 */
#define GPR(n) (8 * (n))

    .section .text
    .globl svm_world_switch
svm_world_switch:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    push %rdx                   /* 16(%rsp): host VMCB */
    push %rsi                   /*  8(%rsp): guest GPRs */
    push %rdi                   /*  0(%rsp): guest VMCB */

    mov %rsi, %rax
    mov GPR(1)(%rax), %rcx
    mov GPR(2)(%rax), %rdx
    mov GPR(3)(%rax), %rbx
    mov GPR(5)(%rax), %rbp
    mov GPR(6)(%rax), %rsi
    mov GPR(7)(%rax), %rdi
    mov GPR(8)(%rax), %r8
    mov GPR(9)(%rax), %r9
    mov GPR(10)(%rax), %r10
    mov GPR(11)(%rax), %r11
    mov GPR(12)(%rax), %r12
    mov GPR(13)(%rax), %r13
    mov GPR(14)(%rax), %r14
    mov GPR(15)(%rax), %r15

    mov (%rsp), %rax
    vmload %rax
    vmrun %rax
    vmsave %rax

    mov 8(%rsp), %rax
    mov %rcx, GPR(1)(%rax)
    mov %rdx, GPR(2)(%rax)
    mov %rbx, GPR(3)(%rax)
    mov %rbp, GPR(5)(%rax)
    mov %rsi, GPR(6)(%rax)
    mov %rdi, GPR(7)(%rax)
    mov %r8, GPR(8)(%rax)
    mov %r9, GPR(9)(%rax)
    mov %r10, GPR(10)(%rax)
    mov %r11, GPR(11)(%rax)
    mov %r12, GPR(12)(%rax)
    mov %r13, GPR(13)(%rax)
    mov %r14, GPR(14)(%rax)
    mov %r15, GPR(15)(%rax)

    mov 16(%rsp), %rax
    vmload %rax                 /* the host's FS, GS (per-CPU pointer), TR, LDTR, MSRs */

    add $24, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret
