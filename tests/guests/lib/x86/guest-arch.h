/* SPDX-License-Identifier: MIT */
/*
 * The x86 side of the test-guest library (included by lib/guest.h): Multiboot v1, the 16550 at
 * COM1, I/O ports, CPUID, MSRs, the TSC and a 64-bit IDT. Guests run in long mode with the low
 * 4 GiB identity-mapped (lib/x86/start.S).
 */
#ifndef GUEST_ARCH_H
#define GUEST_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#define GUEST_CYCLES_NAME     "TSC cycles"
#define GUEST_CHEAP_EXIT_NAME "cpuid exit"
#define GUEST_TESTDEV_GPA     0xd0000000u /* AXVM_TESTDEV_X86_GPA */
#define GUEST_SLEEP_VECTOR    0x40u       /* guest_sleep_ns()'s local APIC timer */

/* The Multiboot (v1) information the loader passes. */
struct mb1_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr, config_table, boot_loader_name, apm_table;
};

struct mb1_module {
    uint32_t mod_start, mod_end, string, reserved;
};

/* What only x86 guests get: magic and mbi as the loader left them in EAX and EBX. */
struct guest_arch_boot {
    uint32_t magic;
    const struct mb1_info *mbi;
};

struct cpuid_result {
    uint32_t eax, ebx, ecx, edx;
};
struct cpuid_result guest_cpuid(uint32_t leaf, uint32_t subleaf);

/* What the interrupt stubs saved (lib/x86/isr.S), lowest address first. */
struct trap_frame {
    uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};
typedef void (*trap_handler_fn)(struct trap_frame *f);

/* Route vector to fn (the IDT is loaded on first use). */
void guest_set_handler(uint8_t vector, trap_handler_fn fn);

/* Spin for ns nanoseconds of TSC time, given the TSC frequency in kHz. */
void guest_delay(uint64_t ns, uint64_t tsc_khz);

/* The TSC frequency: from axvm's CPUID leaf when there, else an estimate. */
uint64_t guest_tsc_khz(void);

uint64_t rdtsc(void);
uint64_t rdmsr(uint32_t msr);
void wrmsr(uint32_t msr, uint64_t value);
void outb(uint16_t port, uint8_t v);
uint8_t inb(uint16_t port);

#endif /* GUEST_ARCH_H */
