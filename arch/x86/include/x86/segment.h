/* SPDX-License-Identifier: MIT */
/* The hypervisor's GDT layout and the 64-bit TSS; included from C and assembly. */
#ifndef X86_SEGMENT_H
#define X86_SEGMENT_H

#define GDT_SEL_CODE64 0x08
#define GDT_SEL_DATA   0x10
#define GDT_SEL_TSS    0x18
#define GDT_NR_ENTRIES 5 /* null, code, data, TSS (two slots) */

/* Interrupt stack table slots (1-based, as in the IDT gate). */
#define IST_DOUBLE_FAULT  1
#define IST_NMI           2
#define IST_MACHINE_CHECK 3
#define NR_IST_STACKS     3
#define IST_STACK_SIZE    4096

#ifndef __ASSEMBLY__
#include <hv/types.h>

/* 64-bit TSS (AMD APM vol. 2, "64-Bit Task State Segment"). */
struct x86_tss {
    uint32_t reserved0;  /* 0x00 */
    uint64_t rsp[3];     /* 0x04 */
    uint64_t reserved1;  /* 0x1c */
    uint64_t ist[7];     /* 0x24 */
    uint64_t reserved2;  /* 0x5c */
    uint16_t reserved3;  /* 0x64 */
    uint16_t iomap_base; /* 0x66 */
} __attribute__((packed));
_Static_assert(sizeof(struct x86_tss) == 0x68, "64-bit TSS is 104 bytes");
#endif

#endif /* X86_SEGMENT_H */
