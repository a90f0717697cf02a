/* SPDX-License-Identifier: MIT */
/* arm64 twin of <hv/vm.h>: the VMID, the virtual counter's offset and the vGIC distributor. */
#ifndef ARCH_ARM64_VM_H
#define ARCH_ARM64_VM_H

#include <hv/spinlock.h>
#include <hv/types.h>
#include <arm64/vgic.h>

/* Where a guest's RAM starts unless it says otherwise: QEMU virt's RAM base. */
#define ARCH_VM_RAM_BASE AXVM_ARM64_RAM_BASE

struct arch_vm {
    uint16_t vmid;                 /* tags its stage-2 TLB entries */
    uint64_t cntvoff;              /* CNTVOFF_EL2: its virtual counter starts at 0 */
    spinlock_t power_lock;         /* PSCI power states of its vCPUs */
    int last_vcpu[CONFIG_NR_CPUS]; /* per CPU, which of its vCPUs ran there last */
    struct vgic_dist vgic;         /* its distributor */
};

#endif /* ARCH_ARM64_VM_H */
