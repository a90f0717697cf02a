/* SPDX-License-Identifier: MIT */
/* Each CPU's GDT (flat 64-bit code and data, plus its TSS) lives in its per-CPU area. */
#define LOG_TAG "gdt"
#include <hv/percpu.h>
#include <x86/segment.h>
#include <x86/x86.h>

#define GDT_CODE64         0x00af9a000000ffffULL
#define GDT_DATA           0x00cf92000000ffffULL
#define TSS_TYPE_AVAILABLE 0x89ULL /* present, 64-bit TSS available */

void gdt_load_cpu(void)
{
    struct arch_percpu *a = &this_cpu()->arch;
    uint64_t tss = (uint64_t)(uintptr_t)&a->tss;
    uint64_t limit = sizeof(a->tss) - 1;
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } gdtr = {sizeof(a->gdt) - 1, (uint64_t)(uintptr_t)a->gdt};

    for (unsigned int i = 0; i < NR_IST_STACKS; i++) {
        a->tss.ist[i] = a->ist_stacks[i] + IST_STACK_SIZE;
    }
    a->tss.iomap_base = sizeof(a->tss); /* no I/O bitmap */

    a->gdt[0] = 0;
    a->gdt[GDT_SEL_CODE64 / 8] = GDT_CODE64;
    a->gdt[GDT_SEL_DATA / 8] = GDT_DATA;
    a->gdt[GDT_SEL_TSS / 8] = (limit & 0xffff) | ((tss & 0xffffff) << 16) |
                              (TSS_TYPE_AVAILABLE << 40) | (((tss >> 24) & 0xff) << 56);
    a->gdt[GDT_SEL_TSS / 8 + 1] = tss >> 32;

    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movw %w2, %%ds\n\t"
                     "movw %w2, %%es\n\t"
                     "movw %w2, %%ss\n\t"
                     "ltr %w3"
                     :
                     : "m"(gdtr), "i"(GDT_SEL_CODE64), "r"(GDT_SEL_DATA), "r"(GDT_SEL_TSS)
                     : "rax", "memory");
}
