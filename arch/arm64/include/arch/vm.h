/* SPDX-License-Identifier: MIT */
/* arm64 twin of <hv/vm.h>. TODO(#7): VMID and virtual GIC distributor state. */
#ifndef ARCH_ARM64_VM_H
#define ARCH_ARM64_VM_H

#include <hv/types.h>

struct arch_vm {
    uint16_t vmid;
};

#endif /* ARCH_ARM64_VM_H */
