/* SPDX-License-Identifier: MIT */
/*
 * Host twin of <hv/vcpu.h>: what the fake arch hooks (tests/unit/hv/host/fake_vm.c) keep per
 * vCPU, so a test can see what vm.c told the arch about it.
 */
#ifndef ARCH_HOST_VCPU_H
#define ARCH_HOST_VCPU_H

#include <hv/types.h>
#include <arm64/vgic.h> /* so arch/arm64/vgic.c builds on the host */

#define HOST_VCPU_LIVE 0x76637075u /* host_magic between arch_vcpu_create and _destroy */

struct arch_vcpu {
    uint32_t host_magic;       /* HOST_VCPU_LIVE while the arch state exists */
    hpa_t host_stage2_root;    /* from arch_vcpu_setup() */
    gpa_t host_entry;          /* from arch_vcpu_set_boot() */
    uint64_t host_args[4];     /* from arch_vcpu_set_boot() */
    unsigned int host_nr_runs; /* calls of arch_vcpu_run() */
    uint64_t host_stack;       /* from arch_vcpu_set_context() */
    uint64_t host_regs[6];     /* from arch_vcpu_set_context() */
    struct vgic_cpu vgic;      /* arch/arm64/vgic.c's state (tests/unit/arm64/test_vgic.c) */
};

#endif /* ARCH_HOST_VCPU_H */
