/* SPDX-License-Identifier: MIT */
/*
 * Every MMIO instruction form the hypervisor decodes, run against the test device
 * (<public/axvm/testdev.h>): for stores the device's last-access registers must show the
 * width, offset and value; for loads the destination register must hold what a real CPU
 * leaves there (merged, zero- or sign-extended). Also empty MMIO space (all-ones, writes lost).
 */
#include <public/axvm/testdev.h>
#include "lib/guest.h"

#define TD      ((uintptr_t)AXVM_TESTDEV_X86_GPA)
#define SCRATCH (TD + AXVM_TESTDEV_SCRATCH)
#define EMPTY   0xe0000000u /* no RAM and no device */

static uint64_t reg(unsigned int off)
{
    return *(volatile uint64_t *)(TD + off);
}

/* The device saw a store of width bytes at offset with value. */
static void check_store(const char *what, unsigned int width, unsigned int offset, uint64_t value)
{
    check(reg(AXVM_TESTDEV_LAST_WIDTH) == width && reg(AXVM_TESTDEV_LAST_OFFSET) == offset &&
              reg(AXVM_TESTDEV_LAST_VALUE) == value,
          "mmio: %s (device saw width %lu offset 0x%lx value 0x%lx)", what,
          (unsigned long)reg(AXVM_TESTDEV_LAST_WIDTH), (unsigned long)reg(AXVM_TESTDEV_LAST_OFFSET),
          (unsigned long)reg(AXVM_TESTDEV_LAST_VALUE));
}

static void put64(unsigned int offset, uint64_t v)
{
    *(volatile uint64_t *)(SCRATCH + offset) = v;
}

static void test_register_stores(void)
{
    uintptr_t p = SCRATCH + 0x10;
    uint64_t big = 0x8877665544332211ULL;

    __asm__ volatile("movb %%al, (%0)" : : "r"(p), "a"(big) : "memory");
    check_store("movb %al, (m)", 1, 0x10, 0x11);
    __asm__ volatile("movb %%ah, (%0)" : : "D"(p), "a"(big) : "memory");
    check_store("movb %ah, (m) (high byte)", 1, 0x10, 0x22);
    __asm__ volatile("movb %%sil, (%0)" : : "D"(p), "S"(big) : "memory");
    check_store("movb %sil, (m) (REX byte register)", 1, 0x10, 0x11);
    __asm__ volatile("movw %%ax, (%0)" : : "r"(p), "a"(big) : "memory");
    check_store("movw %ax, (m)", 2, 0x10, 0x2211);
    __asm__ volatile("movl %%eax, (%0)" : : "r"(p), "a"(big) : "memory");
    check_store("movl %eax, (m)", 4, 0x10, 0x44332211);
    __asm__ volatile("movq %%rax, (%0)" : : "r"(p), "a"(big) : "memory");
    check_store("movq %rax, (m)", 8, 0x10, big);
    __asm__ volatile("mov %1, %%r9\n\tmov %0, %%r10\n\tmov $3, %%rcx\n\t"
                     "movq %%r9, 8(%%r10,%%rcx,4)"
                     :
                     : "r"(SCRATCH), "r"(big)
                     : "r9", "r10", "rcx", "memory");
    check_store("movq %r9, 8(%r10,%rcx,4) (REX.R/X/B, SIB)", 8, 0x14, big);
    __asm__ volatile("movl %%eax, (%0)" : : "r"(SCRATCH + 3), "a"(0xa1b2c3d4u) : "memory");
    check_store("movl %eax, (m) unaligned", 4, 0x3, 0xa1b2c3d4u);
}

static void test_immediate_stores(void)
{
    uintptr_t p = SCRATCH + 0x20;

    __asm__ volatile("movb $0x5a, (%0)" : : "r"(p) : "memory");
    check_store("movb $imm8, (m)", 1, 0x20, 0x5a);
    __asm__ volatile("movw $0x1234, (%0)" : : "r"(p) : "memory");
    check_store("movw $imm16, (m)", 2, 0x20, 0x1234);
    __asm__ volatile("movl $0xdeadbeef, (%0)" : : "r"(p) : "memory");
    check_store("movl $imm32, (m)", 4, 0x20, 0xdeadbeef);
    __asm__ volatile("movq $-2, (%0)" : : "r"(p) : "memory");
    check_store("movq $-2, (m) (imm32 sign-extended)", 8, 0x20, 0xfffffffffffffffeULL);
    __asm__ volatile("movl $7, 0x10(%0)" : : "r"(p) : "memory");
    check_store("movl $imm32, disp8(m)", 4, 0x30, 7);
}

static void test_plain_loads(void)
{
    uintptr_t p = SCRATCH + 0x40;
    uint64_t r;

    put64(0x40, 0x8070605040302010ULL);
    r = 0x1111111111111111ULL;
    __asm__ volatile("movb (%1), %%al" : "+a"(r) : "r"(p));
    check(r == 0x1111111111111110ULL, "mmio: movb (m), %%al keeps bits 63:8 (0x%lx)",
          (unsigned long)r);
    r = 0x1111111111111111ULL;
    __asm__ volatile("movb 1(%1), %%ah" : "+a"(r) : "D"(p));
    check(r == 0x1111111111112011ULL, "mmio: movb (m), %%ah (0x%lx)", (unsigned long)r);
    r = 0x1111111111111111ULL;
    __asm__ volatile("movw (%1), %%ax" : "+a"(r) : "r"(p));
    check(r == 0x1111111111112010ULL, "mmio: movw (m), %%ax keeps bits 63:16 (0x%lx)",
          (unsigned long)r);
    r = 0x1111111111111111ULL;
    __asm__ volatile("movl (%1), %%eax" : "+a"(r) : "r"(p));
    check(r == 0x40302010ULL, "mmio: movl (m), %%eax clears bits 63:32 (0x%lx)", (unsigned long)r);
    __asm__ volatile("movq (%1), %%r12\n\tmov %%r12, %0" : "=r"(r) : "r"(p) : "r12");
    check(r == 0x8070605040302010ULL, "mmio: movq (m), %%r12 (0x%lx)", (unsigned long)r);
    check(*(volatile uint32_t *)(p + 4) == 0x80706050u, "mmio: readl() at +4");
    *(volatile uint32_t *)(p + 8) = 0xcafef00du;
    check_store("writel()", 4, 0x48, 0xcafef00du);
}

static void test_extending_loads(void)
{
    uintptr_t p = SCRATCH + 0x50;
    uint64_t r;

    put64(0x50, 0x00000000f00d8081ULL); /* bytes 81 80 0d f0 */
    r = UINT64_MAX;
    __asm__ volatile("movzbl (%1), %%eax" : "+a"(r) : "r"(p));
    check(r == 0x81, "mmio: movzbl (0x%lx)", (unsigned long)r);
    r = UINT64_MAX;
    __asm__ volatile("movzwq (%1), %%rax" : "+a"(r) : "r"(p));
    check(r == 0x8081, "mmio: movzwq (0x%lx)", (unsigned long)r);
    r = UINT64_MAX;
    __asm__ volatile("movzbw (%1), %%ax" : "+a"(r) : "r"(p));
    check(r == 0xffffffffffff0081ULL, "mmio: movzbw keeps bits 63:16 (0x%lx)", (unsigned long)r);
    r = 0;
    __asm__ volatile("movsbl (%1), %%eax" : "+a"(r) : "r"(p));
    check(r == 0xffffff81ULL, "mmio: movsbl, then bits 63:32 clear (0x%lx)", (unsigned long)r);
    r = 0;
    __asm__ volatile("movsbq (%1), %%rax" : "+a"(r) : "r"(p));
    check(r == 0xffffffffffffff81ULL, "mmio: movsbq (0x%lx)", (unsigned long)r);
    r = 0;
    __asm__ volatile("movswq 2(%1), %%rax" : "+a"(r) : "r"(p));
    check(r == 0xfffffffffffff00dULL, "mmio: movswq (0x%lx)", (unsigned long)r);
    r = 0;
    __asm__ volatile("movslq (%1), %%r13\n\tmov %%r13, %0" : "=r"(r) : "r"(p) : "r13");
    check(r == 0xfffffffff00d8081ULL, "mmio: movslq / MOVSXD (0x%lx)", (unsigned long)r);
}

static void test_moffs(void)
{
    uint64_t r = 0;

    put64(0x60, 0x0123456789abcdefULL);
    __asm__ volatile("movabs 0xd0000060, %%rax" : "=a"(r));
    check(r == 0x0123456789abcdefULL, "mmio: movabs moffs64, %%rax (0x%lx)", (unsigned long)r);
    __asm__ volatile("movabs %%al, 0xd0000068" : : "a"(0x99));
    check_store("movabs %al, moffs64", 1, 0x68, 0x99);
}

static void test_stos(void)
{
    uintptr_t p = SCRATCH + 0x80;
    uint64_t rdi = p, rcx = 4;

    __asm__ volatile("cld\n\tstosb" : "+D"(rdi) : "a"(0x77) : "memory");
    check_store("stosb", 1, 0x80, 0x77);
    check(rdi == p + 1, "mmio: stosb moved RDI by 1");
    rdi = p;
    __asm__ volatile("stosq" : "+D"(rdi) : "a"(0x1122334455667788ULL) : "memory");
    check_store("stosq", 8, 0x80, 0x1122334455667788ULL);
    rdi = p;
    __asm__ volatile("rep stosl" : "+D"(rdi), "+c"(rcx) : "a"(0xabababab) : "memory");
    check(rcx == 0 && rdi == p + 16, "mmio: rep stosl: RCX %lu, RDI moved %lu", (unsigned long)rcx,
          (unsigned long)(rdi - p));
    check(*(volatile uint64_t *)p == 0xababababababababULL &&
              *(volatile uint64_t *)(p + 8) == 0xababababababababULL,
          "mmio: rep stosl stored four dwords");
    rdi = p + 8;
    __asm__ volatile("std\n\tstosw\n\tcld" : "+D"(rdi) : "a"(0x4242) : "memory");
    check(rdi == p + 6, "mmio: stosw with DF set moved RDI down");
}

static void test_empty_space(void)
{
    volatile uint32_t *empty = (volatile uint32_t *)(uintptr_t)EMPTY;
    uint64_t before = reg(AXVM_TESTDEV_NR_ACCESSES);

    *empty = 0x12345678;
    check(*empty == 0xffffffffu, "mmio: empty space reads all-ones after a write");
    check(*(volatile uint8_t *)(TD + 0x800) == 0xff, "mmio: unused device register reads all-ones");
    check(reg(AXVM_TESTDEV_NR_ACCESSES) == before, "mmio: none of that reached the scratch window");
}

void guest_main(const struct guest_boot *boot)
{
    (void)boot;
    if (!on_axvm()) {
        guest_puts("mmio: needs axvm's test device\n");
        guest_exit(2);
    }
    test_register_stores();
    test_immediate_stores();
    test_plain_loads();
    test_extending_loads();
    test_moffs();
    test_stos();
    test_empty_space();
    guest_finish("mmio");
}
