/* SPDX-License-Identifier: MIT */
/*
 * Why a vCPU left the guest, in arch-neutral terms (ARCHITECTURE.md §3). The arch decodes the
 * hardware's exit information into one of these; the core's exit loop (vm.c) is the only place
 * that dispatches them. CPUID, MSRs, system registers and interrupt windows the arch finishes
 * itself; they come back as VM_EXIT_NONE with their reason set, for the statistics.
 */
#ifndef HV_VM_EXIT_H
#define HV_VM_EXIT_H

#include <hv/types.h>

enum vm_exit_kind {
    VM_EXIT_NONE,       /* the arch handled it: just re-enter */
    VM_EXIT_MMIO_READ,  /* mmio: a load from gpa of width bytes */
    VM_EXIT_MMIO_WRITE, /* mmio: a store of value to gpa */
    VM_EXIT_IO_READ,    /* io: IN from port */
    VM_EXIT_IO_WRITE,   /* io: OUT of value to port */
    VM_EXIT_PAGE_FAULT, /* fault: stage-2 miss or permission fault at gpa */
    VM_EXIT_HYPERCALL,  /* hypercall: nr and six arguments */
    VM_EXIT_HALT,       /* HLT / WFI: nothing to do until an interrupt */
    VM_EXIT_SHUTDOWN,   /* shutdown: the guest can not go on (x86 triple fault) */
    VM_EXIT_CPU_UP,     /* cpu_up: start vCPU target (the arch set its state, finished the insn) */
    VM_EXIT_PREEMPT,    /* a host interrupt came in: time to look at the scheduler */
    VM_EXIT_NR_KINDS
};

/* fault.access bits */
#define VM_ACCESS_READ  (1u << 0)
#define VM_ACCESS_WRITE (1u << 1)
#define VM_ACCESS_EXEC  (1u << 2)

struct vm_exit {
    enum vm_exit_kind kind;
    uint8_t reason; /* AXVM_EXIT_* for the statistics when kind does not say it (CPUID, MSR,
                       interrupt windows, refused instructions); 0: the core derives it */
    union {
        struct {
            gpa_t gpa;
            uint8_t width;  /* bytes: 1, 2, 4 or 8 */
            uint64_t value; /* MMIO_WRITE: the data */
        } mmio;
        struct {
            uint16_t port;
            uint8_t width;  /* 1, 2 or 4 */
            uint64_t value; /* IO_WRITE: the data */
        } io;
        struct {
            gpa_t gpa;
            uint8_t access; /* VM_ACCESS_* that faulted */
        } fault;
        struct {
            uint64_t nr;
            uint64_t args[6];
        } hypercall;
        struct {
            uint32_t reason; /* AXVM_SHUTDOWN_* */
            const char *why; /* for the log */
        } shutdown;
        struct {
            unsigned int target;
            gpa_t entry;
        } cpu_up;
    };
};

/* Returns: a short name for the log ("mmio-read", "hlt", ...). */
const char *vm_exit_kind_name(enum vm_exit_kind kind);

/* Returns: the AXVM_EXIT_* reason exit counts as in the statistics (its reason, or its kind's). */
unsigned int vm_exit_reason(const struct vm_exit *exit);

/* Returns: the reason's name for the log ("mmio", "halt", ...), "?" for an unknown one. */
const char *vm_exit_reason_name(unsigned int reason);

#endif /* HV_VM_EXIT_H */
