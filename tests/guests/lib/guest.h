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
 * Sleep about ns nanoseconds with the vCPU halted, so that its CPU is free for the others,
 * woken by the arch's timer (x86: the local APIC timer, one-shot, on GUEST_SLEEP_VECTOR; arm64:
 * the virtual timer, PPI 27: on a secondary vCPU gic_init_cpu() must have run). Not for guests
 * that drive that timer themselves. Interrupts are masked before and after.
 */
void guest_sleep_ns(uint64_t ns);

/*
 * The cheapest exit to the hypervisor there is (x86: CPUID; arm64: PSCI_VERSION), which the
 * backend answers without the core's exit loop; GUEST_CHEAP_EXIT_NAME says which.
 */
void guest_cheap_exit(void);

/* The arch's console output: len bytes of s. */
void guest_console_write(const char *s, size_t len);

/*
 * A one-vCPU domain small enough to build by hand with the control hypercalls (the domctl
 * guest): a few instructions of this arch, copied to entry in one RAM region, and the devices
 * they use, in the terms of <public/axvm/domctl.h>.
 */
enum guest_child_kind {
    GUEST_CHILD_SAY_HI,  /* print "hi\n" on its console, then spin */
    GUEST_CHILD_EXIT_42, /* end itself through its debug-exit device with code 42, then spin */
};

struct guest_child {
    uint32_t arch;      /* AXVM_ARCH_* */
    uint32_t vcpu_mode; /* AXVM_VCPU_* */
    uint64_t ram_base;  /* its RAM region, ram_size bytes */
    uint64_t ram_size;
    uint64_t entry; /* where the code goes and vCPU 0 starts */
    uint64_t stack; /* vCPU 0's stack pointer */
    const void *code;
    uint64_t code_size;
    uint8_t uart_type;  /* AXVM_DEV_*: its console */
    uint8_t uart_space; /* AXVM_SPACE_* */
    uint32_t uart_irq;
    uint64_t uart_base;
    uint8_t exit_space; /* its AXVM_DEV_DEBUG_EXIT */
    uint64_t exit_base;
};

/* Returns: the domain of that kind for this arch. */
const struct guest_child *guest_child(enum guest_child_kind kind);

#endif /* GUEST_H */
