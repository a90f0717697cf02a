/* SPDX-License-Identifier: MIT */
/* arm64 twin of <hv/vcpu.h>. TODO(#7): EL1 context, timer and virtual GIC state. */
#ifndef ARCH_ARM64_VCPU_H
#define ARCH_ARM64_VCPU_H

#include <hv/types.h>

struct arch_vcpu {
    uint64_t x[31]; /* the guest's general-purpose registers */
};

#endif /* ARCH_ARM64_VCPU_H */
