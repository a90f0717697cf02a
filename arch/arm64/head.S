/* SPDX-License-Identifier: MIT */
/*
 * arm64 entry. The image starts with the arm64 Linux Image header (Linux
 * Documentation/arch/arm64/booting.rst), so QEMU's -kernel, U-Boot's booti and GRUB load it
 * like a kernel: at RAM base + text_offset, at EL2, MMU off, x0 = device tree. It is linked at
 * 0x40200000 (QEMU virt's RAM base + 2 MiB) and refuses to run anywhere else.
 */
#include <arm64/hcr.h>

#define ARM64_IMAGE_FLAGS 0x2  /* little endian, 4 KiB pages, base near the start of RAM */
#define TEXT_OFFSET 0x200000

    .section .text.head, "ax"
    .globl _start
_start:
    b primary_entry                 /* code0 */
    .long 0                         /* code1 */
    .quad TEXT_OFFSET
    .quad __image_size
    .quad ARM64_IMAGE_FLAGS
    .quad 0, 0, 0                   /* res2-res4 */
    .ascii "ARM\x64"                /* magic */
    .long 0                         /* res5: no PE/COFF header */

primary_entry:
    mov x19, x0                     /* device tree, physical */
    adr x1, _start
    ldr x2, =_start
    cmp x1, x2
    b.ne wrong_address              /* absolute addresses would all be wrong: stop here */

    ldr x1, =__bss_start            /* .bss holds the stack, the page-table pool, per-CPU */
    ldr x2, =__bss_end
1:  cmp x1, x2
    b.hs 2f
    str xzr, [x1], #8
    b 1b
2:  ldr x1, =boot_stack_top
    mov sp, x1

    mrs x1, CurrentEL
    cmp x1, #(2 << 2)
    b.ne 3f
    ldr x1, =vectors
    msr vbar_el2, x1
    ldr x1, =HCR_EL2_BOOT
    msr hcr_el2, x1
    isb
    mov x0, x19
    bl arm64_start
    b park

3:  mov x0, x19                     /* not at EL2: say so on the console, then stop */
    lsr x1, x1, #2
    bl arm64_wrong_el

wrong_address:
park:
    wfe
    b park

/* PSCI CPU_ON enters here at EL2 with the MMU off and x0 = the logical CPU number. */
    .globl secondary_entry
secondary_entry:
    mov x19, x0
    ldr x1, =secondary_stack_top
    ldr x1, [x1, x19, lsl #3]
    mov sp, x1
    ldr x1, =vectors
    msr vbar_el2, x1
    ldr x1, =HCR_EL2_BOOT
    msr hcr_el2, x1
    isb
    ldr x0, =mmu_regs
    bl mmu_enable
    mov x0, x19
    bl arm64_secondary_start
    b park

/*
 * Turn the EL2 MMU and caches on with the settings in *x0 (struct mmu_regs). The mapping is
 * 1:1, so execution continues at the next instruction.
 */
    .globl mmu_enable
mmu_enable:
    ldp x1, x2, [x0]                /* mair, tcr */
    ldp x3, x4, [x0, #16]           /* ttbr0, sctlr */
    msr mair_el2, x1
    msr tcr_el2, x2
    msr ttbr0_el2, x3
    isb
    tlbi alle2
    dsb ish
    isb
    msr sctlr_el2, x4
    isb
    ic iallu
    dsb ish
    isb
    ret

    .section .bss
    .balign 16
boot_stack:
    .skip 16384
boot_stack_top:
