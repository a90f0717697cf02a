/* SPDX-License-Identifier: MIT */
/*
 * Vendor-neutral MSRs of x86 guests: the local APIC (APIC_BASE and the x2APIC range), the TSC,
 * and the handful of MSRs guests probe at boot. Everything else the guest reaches here (the
 * MSR permission map sends every MSR not saved by VMLOAD/VMSAVE) gets #GP, as on a CPU that
 * does not have it.
 */
#define LOG_TAG "msr"
#include <hv/vm.h>
#include <public/axvm/errno.h>
#include <x86/hvm.h>

#define MSR_TSC            0x00000010u
#define MSR_PLATFORM_ID    0x00000017u
#define MSR_BIOS_SIGN_ID   0x0000008bu
#define MSR_MTRR_CAP       0x000000feu
#define MSR_MTRR_DEF_TYPE  0x000002ffu
#define MSR_MCG_CAP        0x00000179u
#define MSR_MCG_STATUS     0x0000017au
#define MSR_K8_INT_PENDING 0xc0010055u /* AMD: interrupt-pending message (C1E) */

static bool is_x2apic(uint32_t msr)
{
    return msr == VLAPIC_MSR_APIC_BASE ||
           (msr >= VLAPIC_MSR_X2APIC_FIRST && msr <= VLAPIC_MSR_X2APIC_LAST);
}

int hvm_msr_read(struct vcpu *v, uint32_t msr, uint64_t *value)
{
    if (is_x2apic(msr)) {
        return vlapic_msr_read(&v->arch.vlapic, msr, value);
    }
    switch (msr) {
    case MSR_TSC:
        *value = rdtsc() + v->vm->arch.tsc_offset;
        return 0;
    case MSR_PLATFORM_ID:
    case MSR_BIOS_SIGN_ID:  /* microcode revision: none */
    case MSR_MTRR_CAP:      /* no variable or fixed MTRRs */
    case MSR_MTRR_DEF_TYPE: /* MTRRs off */
    case MSR_MCG_CAP:       /* no machine-check banks */
    case MSR_MCG_STATUS:
    case MSR_K8_INT_PENDING: /* Linux reads it on AMD to see whether C1E is on: it is not */
        *value = 0;
        return 0;
    default:
        return -AXVM_EINVAL;
    }
}

int hvm_msr_write(struct vcpu *v, uint32_t msr, uint64_t value)
{
    if (is_x2apic(msr)) {
        return vlapic_msr_write(&v->arch.vlapic, msr, value);
    }
    switch (msr) {
    case MSR_TSC:
        /* The guest's TSC is per VM: one offset for all its vCPUs keeps them in step. */
        v->vm->arch.tsc_offset = value - rdtsc();
        return 0;
    case MSR_BIOS_SIGN_ID: /* "load microcode": nothing to do */
    case MSR_MCG_STATUS:
        return 0;
    default:
        return -AXVM_EINVAL;
    }
}
