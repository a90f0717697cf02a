/* SPDX-License-Identifier: MIT */
/* x86 twin of <hv/percpu.h>: per-CPU descriptor tables and state, reached through GS. */
#ifndef ARCH_X86_PERCPU_H
#define ARCH_X86_PERCPU_H

#include <hv/types.h>
#include <x86/asm.h>
#include <x86/segment.h>

struct arch_percpu {
    uint32_t apic_id;
    uint64_t gdt[GDT_NR_ENTRIES] __attribute__((aligned(16)));
    struct x86_tss tss __attribute__((aligned(16)));
    hpa_t ist_stacks[NR_IST_STACKS]; /* base of each IST stack */
    bool virt_enabled;               /* hardware virtualization is on for this CPU */
    hpa_t host_save_hpa;             /* SVM host save area (VM_HSAVE_PA) */
    hpa_t host_vmcb_hpa;             /* SVM: the host's VMSAVE image, reloaded after each exit */
    uint32_t next_asid;              /* SVM: next ASID to hand out on this CPU */
    uint64_t asid_generation;        /* SVM: bumped (with a full TLB flush) when ASIDs run out */
};

static inline struct percpu *arch_this_cpu(void)
{
    struct percpu *pc;

    __asm__ volatile("movq %%gs:0, %0" : "=r"(pc));
    return pc;
}

static inline void arch_percpu_install(struct percpu *pc)
{
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)pc);
}

#endif /* ARCH_X86_PERCPU_H */
