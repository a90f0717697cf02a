/* SPDX-License-Identifier: MIT */
/*
 * x86 twin of <hv/vcpu.h>: what an x86 vCPU carries besides the core's fields. Vendor-neutral
 * state (registers, the virtual local APIC, FPU image, the MMIO instruction in flight) is here;
 * the vendor's hardware block (the SVM VMCB) is reached through vmcb.
 */
#ifndef ARCH_X86_VCPU_H
#define ARCH_X86_VCPU_H

#include <hv/spinlock.h>
#include <hv/timer.h>
#include <hv/types.h>
#include <x86/emulate.h>
#include <x86/vlapic.h>

#define X86_FXSAVE_SIZE 512

struct vmcb;

/* One entry and exit, kept for the report when a guest shuts down (x86/hvm/svm/run.c). */
struct x86_exit_trace {
    uint64_t entry_rip, exit_rip, eventinj, exitcode, exitinfo1, exitintinfo;
    uint32_t cpu;
    uint8_t virq; /* the vector offered through V_IRQ, or 0 */
};

#define X86_EXIT_TRACE_LEN 12

struct arch_vcpu {
    struct x86_gprs gprs; /* RAX and RSP mirror the VMCB's around each exit */
    struct vlapic vlapic;
    struct timer vlapic_timer;   /* on the vCPU's CPU */
    uint64_t vlapic_timer_moved; /* deadline it had when the vCPU changed CPU; 0: none */
    struct x86_mmio_insn mmio;   /* the instruction behind the MMIO exit being handled */
    uint64_t pending_event;      /* an exception to deliver at the next entry (EVENTINJ form) */
    uint64_t rflags;             /* the guest's RFLAGS at its last exit */
    uint8_t fpu[X86_FXSAVE_SIZE] __attribute__((aligned(16))); /* FXSAVE image when not loaded */

    /*
     * INIT and SIPI (Intel SDM vol. 3A, "MP Initialization"): other vCPUs post them here, the
     * vCPU takes them at its next entry. wait_sipi: in wait-for-SIPI, never runs guest code
     * (every vCPU but 0 starts so). sipi_vector: a SIPI accepted, or -1.
     */
    spinlock_t power_lock;
    bool init_pending; /* under power_lock; read lock-free by the vCPU's CPU */
    bool wait_sipi;    /* under power_lock; read lock-free anywhere */
    int sipi_vector;   /* under power_lock */
    bool sipi_parked;  /* the last entry found it in wait-for-SIPI; the vCPU's CPU only */
    bool nmi_pending;  /* an NMI to inject; atomic */

    /* SVM */
    struct vmcb *vmcb;
    hpa_t vmcb_hpa;
    uint32_t asid;
    uint8_t virq;             /* vector offered through V_IRQ for this entry, 0: none */
    bool virq_accepted;       /* ... already moved to the vLAPIC's ISR (a re-delivery) */
    uint64_t asid_generation; /* of asid_cpu, when asid was handed out */
    unsigned int asid_cpu;
    bool asid_stale; /* its VM's tables lost a mapping: a fresh ASID at the next entry; atomic */
    bool in_guest;   /* from that check to the exit it may use its ASID's entries; atomic */
    struct x86_exit_trace trace[X86_EXIT_TRACE_LEN]; /* the last entries and exits, a ring */
    unsigned int trace_next;
};

#endif /* ARCH_X86_VCPU_H */
