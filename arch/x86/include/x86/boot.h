/* SPDX-License-Identifier: MIT */
/* Constants and symbols shared by the x86 entry code and C: Multiboot2, image layout, AP start. */
#ifndef X86_BOOT_H
#define X86_BOOT_H

#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_BOOT_MAGIC   0x36d76289 /* in EAX when a Multiboot2 loader enters us */

/* Page where APs start in real mode (the SIPI vector is its page number). */
#define AP_TRAMPOLINE_HPA 0x8000
#define AP_STACK_SIZE     16384

#define BOOT_STACK_SIZE 16384

#ifndef __ASSEMBLY__
#include <hv/compiler.h>
#include <hv/types.h>

/* Linker-script symbols: use their addresses only. */
extern char __image_start[], __image_end[];
extern char __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_end[];

/* head.S */
extern uint64_t early_pml4[512];

/* trampoline.S: the real-mode AP start code and its parameter block. */
extern char trampoline_start[], trampoline_end[];
extern uint32_t tramp_cr3, tramp_cpu;
extern uint64_t tramp_stack, tramp_entry;

/* Entered from head.S in long mode. */
__noreturn void x86_start(uint32_t magic, uint64_t mbi_hpa);
/* Entered from the trampoline with the early page tables and the stack prepared by the BSP. */
__noreturn void x86_ap_start(uint32_t cpu);
#endif

#endif /* X86_BOOT_H */
