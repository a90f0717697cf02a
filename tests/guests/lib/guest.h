/* SPDX-License-Identifier: MIT */
/*
 * The test-guest library, the part every arch shares: console output, verdicts, the exit,
 * hypercalls and time. What only one arch has (I/O ports, CPUID, the IDT on x86; the GIC,
 * PSCI and exception vectors on arm64) is in lib/<arch>/guest-arch.h, included from here.
 * Guests run identity-mapped (lib/<arch>/start.S), under axvm or directly under QEMU
 * (-kernel) where the test allows.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest-arch.h" /* from lib/x86/ or lib/arm64/, by the include path */

/* What the loader handed the guest, in the same terms on every arch. */
struct guest_boot {
    uint64_t ram_base;   /* the guest-physical start of its (first) RAM region */
    uint64_t ram_end;    /* one past its last byte */
    const char *cmdline; /* "" when there is none */
    struct guest_arch_boot arch;
};

/* Each guest defines this; the arch's start code calls it once, on the boot vCPU. */
void guest_main(const struct guest_boot *boot);

void guest_puts(const char *s);
void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Record one check: prints "<guest>: <what>: ok" or "... FAILED". */
void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print the verdict line "SUMMARY <name>: <n> passed, <m> failed". Returns: the failures. */
unsigned int guest_summary(const char *name);

/*
 * Print the verdict line and end the domain through the debug-exit device with code 0 when
 * nothing failed, 1 otherwise.
 */
__attribute__((noreturn)) void guest_finish(const char *name);

/*
 * Leave through the debug-exit device with code (x86: port 0xf4; arm64: a 32-bit write at
 * 0x09100000, then PSCI SYSTEM_OFF); halt for good if nothing stops us.
 */
__attribute__((noreturn)) void guest_exit(uint8_t code);

/* Whether we run on axvm (x86: its CPUID signature; arm64: the abi_version hypercall). */
bool on_axvm(void);

/* A hypercall with the arch's convention of <public/axvm/hypercall.h>. */
int64_t hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2);

/* The same with a fourth argument: the control hypercalls' buffer size. */
int64_t hypercall4(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);

/* The arch's free-running counter (TSC, CNTVCT_EL0); GUEST_CYCLES_NAME says which. */
uint64_t guest_cycles(void);

/* Nanoseconds since an arbitrary point, from that counter. */
uint64_t guest_now_ns(void);

/* Spin for ns nanoseconds. */
void guest_delay_ns(uint64_t ns);

/*
 * The cheapest exit to the hypervisor there is (x86: CPUID; arm64: PSCI_VERSION), which the
 * backend answers without the core's exit loop; GUEST_CHEAP_EXIT_NAME says which.
 */
void guest_cheap_exit(void);

/* The arch's console output: len bytes of s. */
void guest_console_write(const char *s, size_t len);

#endif /* GUEST_H */
