/* SPDX-License-Identifier: MIT */
/*
 * The test-guest library: console on the 16550 at COM1, verdicts, exit through the debug-exit
 * port, hypercalls and CPUID. Guests run in 64-bit long mode with the low 4 GiB identity-mapped
 * (lib/start.S), under axvm or directly under QEMU (-kernel) where the test allows.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Each guest defines this: magic and mbi as the loader left them in EAX and EBX. */
void guest_main(uint32_t magic, const struct mb1_info *mbi);

void guest_puts(const char *s);
void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Record one check: prints "<guest>: <what>: ok" or "... FAILED". */
void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Print the verdict line "SUMMARY <name>: <n> passed, <m> failed" and end the domain through
 * the debug-exit port with code 0 when nothing failed, 1 otherwise.
 */
__attribute__((noreturn)) void guest_finish(const char *name);

/* Leave through the debug-exit port (port 0xf4) with code; halt if nothing stops us. */
__attribute__((noreturn)) void guest_exit(uint8_t code);

/* Whether CPUID says we run on axvm ("axvmaxvmaxvm" at 0x40000000). */
bool on_axvm(void);

struct cpuid_result {
    uint32_t eax, ebx, ecx, edx;
};
struct cpuid_result guest_cpuid(uint32_t leaf, uint32_t subleaf);

/* VMMCALL with the 64-bit convention of <public/axvm/hypercall.h>. */
int64_t hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2);

/* The same with a fourth argument (R10): the control hypercalls' buffer size. */
int64_t hypercall4(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);

/* What the interrupt stubs saved (lib/isr.S), lowest address first. */
struct trap_frame {
    uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};
typedef void (*trap_handler_fn)(struct trap_frame *f);

/* Route vector to fn (the IDT is loaded on first use). */
void guest_set_handler(uint8_t vector, trap_handler_fn fn);

/* Print the verdict line "SUMMARY <name>: <n> passed, <m> failed". Returns: the failures. */
unsigned int guest_summary(const char *name);

/* Spin for ns nanoseconds of TSC time, given the TSC frequency in kHz. */
void guest_delay(uint64_t ns, uint64_t tsc_khz);

/* The TSC frequency: from axvm's CPUID leaf when there, else an estimate. */
uint64_t guest_tsc_khz(void);

uint64_t rdtsc(void);
uint64_t rdmsr(uint32_t msr);
void wrmsr(uint32_t msr, uint64_t value);
void outb(uint16_t port, uint8_t v);
uint8_t inb(uint16_t port);

#endif /* GUEST_H */
