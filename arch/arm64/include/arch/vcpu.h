/* SPDX-License-Identifier: MIT */
/*
 * arm64 twin of <hv/vcpu.h>: a vCPU's EL1 context. The general-purpose registers, PC and
 * PSTATE move at every entry and exit (guest_entry.S); the EL1 system registers, the virtual
 * timer and the FP/SIMD registers stay in the CPU between exits and move only when another
 * vCPU takes the CPU (arch_vcpu_load / arch_vcpu_put), since the hypervisor itself never uses
 * EL1 or the FP registers (-mgeneral-regs-only).
 */
#ifndef ARCH_ARM64_VCPU_H
#define ARCH_ARM64_VCPU_H

#include <hv/timer.h>
#include <hv/types.h>
#include <arm64/vgic.h>

/* What guest_entry.S moves: x0-x30, then PC (ELR_EL2) and PSTATE (SPSR_EL2). */
struct guest_regs {
    uint64_t x[31];
    uint64_t pc;
    uint64_t pstate;
};

/* The EL1 (and EL0) system registers a guest owns, in the order vcpu.c saves them. */
enum el1_sysreg {
    EL1_SCTLR,
    EL1_TTBR0,
    EL1_TTBR1,
    EL1_TCR,
    EL1_MAIR,
    EL1_AMAIR,
    EL1_VBAR,
    EL1_CONTEXTIDR,
    EL1_TPIDR,
    EL1_TPIDR_EL0,
    EL1_TPIDRRO_EL0,
    EL1_SP_EL0,
    EL1_SP_EL1,
    EL1_ELR,
    EL1_SPSR,
    EL1_ESR,
    EL1_FAR,
    EL1_AFSR0,
    EL1_AFSR1,
    EL1_PAR,
    EL1_CPACR,
    EL1_CNTKCTL,
    EL1_CSSELR,
    EL1_MDSCR,
    EL1_CNTV_CTL,
    EL1_CNTV_CVAL,
    EL1_NR_SYSREGS
};

/* PSCI power state of a vCPU (PSCI 1.0, AFFINITY_INFO's values). */
enum vcpu_power {
    VCPU_POWER_ON,
    VCPU_POWER_OFF,
    VCPU_POWER_ON_PENDING, /* CPU_ON accepted; it starts at its next entry */
};

struct arch_vcpu {
    struct guest_regs regs;       /* first: guest_entry.S addresses it */
    uint64_t sys[EL1_NR_SYSREGS]; /* valid while the vCPU is not loaded */
    uint64_t fpregs[66];          /* q0-q31, FPSR, FPCR; same */
    uint64_t vttbr;               /* its VM's stage-2 root and VMID */
    gpa_t on_entry;               /* CPU_ON's entry point and context, while ON_PENDING */
    uint64_t on_context;
    bool loaded;              /* its EL1 state is in its CPU's registers */
    enum vcpu_power power;    /* under the VM's arch.power_lock */
    uint64_t esr, far, hpfar; /* the last exit's syndrome */
    uint64_t exit_slot;       /* the vector it came through */
    bool vtimer_line;         /* PPI 27 raised in the vGIC, host PPI 27 masked */
    struct timer vtimer_wake; /* wakes it from WFI at its timer's deadline when put */
    uint64_t nr_entries;      /* for the crash dump */
    struct vgic_cpu vgic;     /* its redistributor and virtual CPU interface */
};

#endif /* ARCH_ARM64_VCPU_H */
