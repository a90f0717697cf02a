/* SPDX-License-Identifier: MIT */
/*
 * Entry of every arm64 test guest: the arm64 Linux Image header (Linux's
 * Documentation/arch/arm64/booting.rst), then, entered at EL1h with the MMU off and x0 = the
 * device tree: exception vectors, the EL1 MMU on with a fixed identity map of the low 4 GiB in
 * 1 GiB blocks (normal write-back memory for 0x40000000-0x7fffffff, where RAM is; device nGnRE
 * elsewhere), so that exclusives (spinlocks) and unaligned accesses work; the bss cleared; a
 * stack; guest_start(dtb) (lib/arm64/arch.c). A guest that defines a true
 * `const bool guest_mmu_off` keeps the MMU off. Secondary vCPUs come in at guest_secondary_entry
 * (PSCI CPU_ON) with x0 = their struct guest_cpu_context.
 */
#define SCTLR_M (1 << 0)
#define SCTLR_A (1 << 1)
#define SCTLR_C (1 << 2)
#define SCTLR_I (1 << 12)

/* MAIR: attribute 0 device nGnRE, attribute 1 normal inner/outer write-back RW-allocate. */
#define MAIR_VALUE 0xff04
/* TCR: T0SZ 32 (4 GiB, walks start at level 1), WBWA inner shareable walks, 4K granule, TTBR1
 * walks off (EPD1, TG1 4K), 32-bit IPS. */
#define TCR_VALUE ((32 << 0) | (1 << 8) | (1 << 10) | (3 << 12) | (32 << 16) | (1 << 23) | (2 << 30))
/* Level 1 block descriptors: AF, AttrIndx; device ones never executable (PXN, UXN). */
#define BLOCK_DEVICE (0x1 | (0 << 2) | (1 << 10) | (3 << 53))
#define BLOCK_NORMAL (0x1 | (1 << 2) | (3 << 8) | (1 << 10))

#define FRAME_SIZE 288 /* struct trap_frame, 16-byte aligned */

    .section .text.head, "ax"
    .globl _start
_start:
    b primary_entry             /* code0 */
    .long 0                     /* code1 */
    .quad 0                     /* text_offset: loaded at a 2 MiB boundary */
    .quad _image_size           /* image_size, bss included */
    .quad 0x2                   /* flags: little-endian, 4K pages, 2 MiB-aligned base */
    .quad 0                     /* res2 */
    .quad 0                     /* res3 */
    .quad 0                     /* res4 */
    .long 0x644d5241            /* magic "ARM\x64" */
    .long 0                     /* res5 */

primary_entry:
    msr daifset, #0xf
    mov x19, x0
    bl cpu_setup
    adrp x0, __bss_start
    add x0, x0, :lo12:__bss_start
    adrp x1, __bss_end
    add x1, x1, :lo12:__bss_end
1:  cmp x0, x1
    b.hs 2f
    stp xzr, xzr, [x0], #16
    b 1b
2:  adrp x0, boot_stack_top
    add x0, x0, :lo12:boot_stack_top
    mov sp, x0
    mov x0, x19
    bl guest_start
3:  wfi
    b 3b

/* PSCI CPU_ON lands here, x0 = context: { u64 stack_top, u64 fn, u64 arg }. */
    .text
    .globl guest_secondary_entry
guest_secondary_entry:
    msr daifset, #0xf
    mov x19, x0
    bl cpu_setup                /* the context is read with caches on, as it was written */
    ldr x1, [x19]
    mov sp, x1
    ldr x2, [x19, #8]
    ldr x0, [x19, #16]
    blr x2
    bl guest_cpu_off
4:  wfi
    b 4b

/* Vectors, MMU and caches for this vCPU; uses x0-x2 and no stack. */
cpu_setup:
    adr x0, vectors
    msr vbar_el1, x0
    ldr x0, =guest_mmu_off      /* weak: 0 when the guest does not define it */
    cbz x0, 1f
    ldrb w0, [x0]
    cbnz w0, 2f
1:  ldr x0, =MAIR_VALUE
    msr mair_el1, x0
    ldr x0, =TCR_VALUE
    msr tcr_el1, x0
    adrp x0, page_table
    msr ttbr0_el1, x0
    isb
    tlbi vmalle1
    ic iallu
    dsb nsh
    isb
    mrs x0, sctlr_el1
    ldr x1, =(SCTLR_M | SCTLR_C | SCTLR_I)
    orr x0, x0, x1
    bic x0, x0, #SCTLR_A
    msr sctlr_el1, x0
    isb
2:  ret

    .weak guest_mmu_off

/* One vector: make room for the frame, keep x0/x1, go to the common code with the kind. */
.macro ventry kind
    .balign 0x80
    sub sp, sp, #FRAME_SIZE
    stp x0, x1, [sp, #0]
    mov x1, #\kind
    b trap_common
.endm

    .balign 2048
vectors:
    ventry 0    /* current EL with SP_EL0: sync, IRQ, FIQ, SError */
    ventry 1
    ventry 2
    ventry 3
    ventry 4    /* current EL with SP_ELx: what a guest at EL1h takes */
    ventry 5
    ventry 6
    ventry 7
    ventry 8    /* lower EL, AArch64 */
    ventry 9
    ventry 10
    ventry 11
    ventry 12   /* lower EL, AArch32 */
    ventry 13
    ventry 14
    ventry 15

/* Save x2-x30, ELR, SPSR, ESR, FAR; guest_trap(frame, kind); restore (ELR as left) and return. */
trap_common:
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    stp x8, x9, [sp, #64]
    stp x10, x11, [sp, #80]
    stp x12, x13, [sp, #96]
    stp x14, x15, [sp, #112]
    stp x16, x17, [sp, #128]
    stp x18, x19, [sp, #144]
    stp x20, x21, [sp, #160]
    stp x22, x23, [sp, #176]
    stp x24, x25, [sp, #192]
    stp x26, x27, [sp, #208]
    stp x28, x29, [sp, #224]
    mrs x2, elr_el1
    stp x30, x2, [sp, #240]
    mrs x2, spsr_el1
    mrs x3, esr_el1
    stp x2, x3, [sp, #256]
    mrs x2, far_el1
    str x2, [sp, #272]
    mov x0, sp
    bl guest_trap
    ldp x30, x2, [sp, #240]
    msr elr_el1, x2
    ldr x2, [sp, #256]
    msr spsr_el1, x2
    ldp x0, x1, [sp, #0]
    ldp x2, x3, [sp, #16]
    ldp x4, x5, [sp, #32]
    ldp x6, x7, [sp, #48]
    ldp x8, x9, [sp, #64]
    ldp x10, x11, [sp, #80]
    ldp x12, x13, [sp, #96]
    ldp x14, x15, [sp, #112]
    ldp x16, x17, [sp, #128]
    ldp x18, x19, [sp, #144]
    ldp x20, x21, [sp, #160]
    ldp x22, x23, [sp, #176]
    ldp x24, x25, [sp, #192]
    ldp x26, x27, [sp, #208]
    ldp x28, x29, [sp, #224]
    add sp, sp, #FRAME_SIZE
    eret

    .section .data.page_table, "aw"
    .balign 4096
page_table:
    .quad 0x00000000 | BLOCK_DEVICE
    .quad 0x40000000 | BLOCK_NORMAL
    .quad 0x80000000 | BLOCK_DEVICE
    .quad 0xc0000000 | BLOCK_DEVICE
    .balign 4096

    .section .bss
    .balign 16
boot_stack:
    .skip 32768
boot_stack_top:
