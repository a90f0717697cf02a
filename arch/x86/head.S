/* SPDX-License-Identifier: MIT */
/*
 * The Multiboot2 header and the boot CPU's entry: GRUB enters _start in 32-bit protected mode
 * with paging off (Multiboot2 spec, "Machine state"). We clear .bss, check for long mode and
 * NX, identity-map the first 4 GiB with 2 MiB pages, switch to long mode and call x86_start.
 */
#include <x86/boot.h>
#include <x86/segment.h>

#define COM1 0x3f8
#define MB2_ARCH_I386 0

    .section .multiboot2, "a"
    .balign 8
mb2_header:
    .long MB2_HEADER_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    .balign 8
    .short 0            /* end tag: type 0, flags 0, size 8 */
    .short 0
    .long 8
mb2_header_end:

    .section .text.boot, "ax"
    .code32
    .globl _start
_start:
    cli
    cld
    mov %eax, %ebp              /* boot magic */
    mov %ebx, %esi              /* Multiboot2 information, physical */

    mov $__bss_start, %edi      /* .bss holds the stack and the page tables */
    mov $__bss_end, %ecx
    sub %edi, %ecx
    shr $2, %ecx
    xor %eax, %eax
    rep stosl
    mov $boot_stack_top, %esp

    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    test $(1 << 29), %edx       /* LM */
    jz no_long_mode
    test $(1 << 20), %edx       /* NX */
    jz no_long_mode

    mov $early_pdpt, %eax
    or $0x3, %eax
    mov %eax, early_pml4
    mov $early_pd, %eax
    or $0x3, %eax
    mov $early_pdpt, %edi
    mov $4, %ecx
1:  mov %eax, (%edi)            /* PDPT[0..3] -> the four page directories */
    add $4096, %eax
    add $8, %edi
    loop 1b

    mov $early_pd, %edi
    xor %ecx, %ecx
2:  mov %ecx, %eax              /* PD entry n maps n * 2 MiB, present, writable, large */
    shl $21, %eax
    or $0x83, %eax
    mov %eax, (%edi, %ecx, 8)
    inc %ecx
    cmp $2048, %ecx
    jb 2b

    mov %cr4, %eax
    or $(1 << 5), %eax          /* PAE */
    mov %eax, %cr4
    mov $early_pml4, %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx       /* EFER: long mode, no-execute */
    rdmsr
    or $((1 << 8) | (1 << 11)), %eax
    wrmsr
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16) | 1), %eax   /* PG, WP, PE */
    mov %eax, %cr0
    lgdt boot_gdt_ptr
    ljmp $GDT_SEL_CODE64, $long_mode_entry

no_long_mode:
    mov $msg_no_long_mode, %esi
3:  lodsb
    test %al, %al
    jz 5f
    mov %al, %bl
    mov $(COM1 + 5), %dx
4:  inb %dx, %al                /* wait for THR empty */
    test $0x20, %al
    jz 4b
    mov $COM1, %dx
    mov %bl, %al
    outb %al, %dx
    jmp 3b
5:  cli
    hlt
    jmp 5b

    .code64
long_mode_entry:
    mov $GDT_SEL_DATA, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %eax, %eax
    mov %ax, %fs
    mov %ax, %gs
    mov $boot_stack_top, %rsp
    mov %ebp, %edi              /* zero-extends: magic */
    mov %esi, %esi              /* zero-extends: MBI address */
    call x86_start
6:  cli
    hlt
    jmp 6b

    .section .rodata
msg_no_long_mode:
    .asciz "axvm: this CPU has no 64-bit long mode or no NX; cannot boot\r\n"

    .balign 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff    /* GDT_SEL_CODE64 */
    .quad 0x00cf92000000ffff    /* GDT_SEL_DATA */
boot_gdt_end:
boot_gdt_ptr:
    .short boot_gdt_end - boot_gdt - 1
    .long boot_gdt

    .section .bss
    .balign 4096
    .globl early_pml4
early_pml4:
    .skip 4096
early_pdpt:
    .skip 4096
early_pd:
    .skip 4 * 4096
    .balign 16
boot_stack:
    .skip BOOT_STACK_SIZE
boot_stack_top:
