/* SPDX-License-Identifier: MIT */
/* The arm64 side of domain control (<hv/domctl.h>): PHYSINFO describes the machine. */
#define LOG_TAG "domctl"
#include <hv/domctl.h>
#include <hv/string.h>
#include <hv/virt.h>
#include <hv/vm.h>
#include <public/axvm/domctl.h>

void arch_domctl_physinfo(struct axvm_physinfo *info)
{
    uint64_t hz;

    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
    info->arch = AXVM_ARCH_ARM64;
    info->cpu_khz = hz / 1000;
    info->features |= arch_virt_is_usable() ? AXVM_FEATURE_NPT : 0;
    strlcpy(info->virt, arch_virt_is_usable() ? "el2" : "", sizeof(info->virt));
}
