/* SPDX-License-Identifier: MIT */
/*
 * Entry of every x86 test guest: a Multiboot (v1) header, then from 32-bit protected mode
 * (how Multiboot loaders, axvm's and QEMU's -kernel alike, enter) into 64-bit long mode with an
 * identity map of the low 4 GiB in 2 MiB pages, and on to guest_start(magic, mbi) (lib/x86/arch.c).
 */
#define MB1_MAGIC 0x1badb002
#define MB1_FLAGS 0x3 /* page-aligned modules, memory information */

    .section .multiboot, "a"
    .balign 4
    .long MB1_MAGIC
    .long MB1_FLAGS
    .long -(MB1_MAGIC + MB1_FLAGS)

    .section .text.start, "ax"
    .code32
    .globl _start
_start:
    cli
    mov $stack_top, %esp
    mov %eax, %edi              /* keep the boot magic and the information pointer */
    mov %ebx, %esi

    mov $pdpt, %eax             /* PML4[0] -> PDPT; PDPT[0..3] -> four page directories */
    or $3, %eax
    mov %eax, pml4
    mov $pd, %eax
    or $3, %eax
    mov $pdpt, %ebx
    mov $4, %ecx
1:  mov %eax, (%ebx)
    add $4096, %eax
    add $8, %ebx
    loop 1b
    mov $pd, %ebx               /* 2048 entries of 2 MiB: 0-4 GiB, present, writable */
    xor %ecx, %ecx
2:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax
    mov %eax, (%ebx, %ecx, 8)
    movl $0, 4(%ebx, %ecx, 8)
    inc %ecx
    cmp $2048, %ecx
    jb 2b

    mov %cr4, %eax
    or $(1 << 5), %eax          /* PAE */
    mov %eax, %cr4
    mov $pml4, %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx
    rdmsr
    or $(1 << 8), %eax          /* LME */
    wrmsr
    mov %cr0, %eax
    or $((1 << 31) | 1), %eax   /* PG, PE */
    mov %eax, %cr0
    lgdt gdt_ptr
    ljmp $0x08, $long_mode

    .code64
long_mode:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $stack_top, %rsp
    mov %edi, %edi
    mov %esi, %esi
    call guest_start
3:  cli
    hlt
    jmp 3b

    .section .rodata
    .balign 16
gdt:
    .quad 0
    .quad 0x00af9a000000ffff    /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff    /* 0x10: data */
gdt_end:
gdt_ptr:
    .short gdt_end - gdt - 1
    .long gdt

    .section .bss
    .balign 4096
pml4:
    .skip 4096
pdpt:
    .skip 4096
pd:
    .skip 4 * 4096
    .balign 16
stack:
    .skip 32768
stack_top:
