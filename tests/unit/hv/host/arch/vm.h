/* SPDX-License-Identifier: MIT */
/* Host twin of <hv/vm.h>: what the fake arch hooks (tests/unit/hv/host/fake_vm.c) keep per VM. */
#ifndef ARCH_HOST_VM_H
#define ARCH_HOST_VM_H

#include <hv/types.h>
#include <arm64/vgic.h> /* so arch/arm64/vgic.c builds on the host */

#define HOST_VM_LIVE     0x766d766du /* host_magic between arch_vm_create and _destroy */
#define ARCH_VM_RAM_BASE 0ull        /* as on x86: the boot-domain tests expect RAM at 0 */

struct arch_vm {
    uint32_t host_magic;   /* HOST_VM_LIVE while the arch state exists */
    struct vgic_dist vgic; /* arch/arm64/vgic.c's state (tests/unit/arm64/test_vgic.c) */
};

#endif /* ARCH_HOST_VM_H */
