/* SPDX-License-Identifier: MIT */
/* arm64 twin of <hv/vm.h>. TODO(#7): VMID. */
#ifndef ARCH_ARM64_VM_H
#define ARCH_ARM64_VM_H

#include <hv/types.h>
#include <arm64/vgic.h>

struct arch_vm {
    uint16_t vmid;
    struct vgic_dist vgic; /* its distributor */
};

#endif /* ARCH_ARM64_VM_H */
