/* SPDX-License-Identifier: MIT */
/* arm64 twin of <hv/vcpu.h>. TODO(#7): EL1 context and timer state. */
#ifndef ARCH_ARM64_VCPU_H
#define ARCH_ARM64_VCPU_H

#include <hv/types.h>
#include <arm64/vgic.h>

struct arch_vcpu {
    uint64_t x[31];       /* the guest's general-purpose registers */
    struct vgic_cpu vgic; /* its redistributor and virtual CPU interface */
};

#endif /* ARCH_ARM64_VCPU_H */
