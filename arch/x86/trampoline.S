/* SPDX-License-Identifier: MIT */
/*
 * Where application processors start: the BSP copies this blob to AP_TRAMPOLINE_HPA and sends
 * INIT-SIPI-SIPI. The AP comes up in real mode at CS:IP = (page << 8):0, goes through
 * protected mode into long mode on the early page tables and jumps to x86_ap_start with the
 * stack and CPU number the BSP left in the parameter block.
 */
#include <x86/boot.h>

/* Address of a trampoline symbol in the copy the AP runs. */
#define T(sym) (AP_TRAMPOLINE_HPA + ((sym) - trampoline_start))

    .section .rodata.trampoline, "a"
    .balign 16
    .globl trampoline_start
    .code16
trampoline_start:
    cli
    cld
    mov %cs, %ax
    mov %ax, %ds
    lgdtl (tramp_gdt_ptr - trampoline_start)
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $0x08, $T(tramp_pm32)

    .code32
tramp_pm32:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %cr4, %eax
    or $(1 << 5), %eax          /* PAE */
    mov %eax, %cr4
    mov T(tramp_cr3), %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx       /* EFER: long mode, no-execute */
    rdmsr
    or $((1 << 8) | (1 << 11)), %eax
    wrmsr
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16)), %eax   /* PG, WP */
    mov %eax, %cr0
    ljmp $0x18, $T(tramp_lm64)

    .code64
tramp_lm64:
    mov T(tramp_stack), %rsp
    mov T(tramp_cpu), %edi
    mov T(tramp_entry), %rax
    jmp *%rax

    .balign 8
tramp_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff    /* 0x08: 32-bit code */
    .quad 0x00cf92000000ffff    /* 0x10: data */
    .quad 0x00af9a000000ffff    /* 0x18: 64-bit code */
tramp_gdt_ptr:
    .short tramp_gdt_ptr - tramp_gdt - 1
    .long T(tramp_gdt)

    .balign 8
    .globl tramp_cr3, tramp_cpu, tramp_stack, tramp_entry
tramp_cr3:
    .long 0
tramp_cpu:
    .long 0
tramp_stack:
    .quad 0
tramp_entry:
    .quad 0
    .globl trampoline_end
trampoline_end:
