/* SPDX-License-Identifier: MIT */
/*
 * The x86 side of domain control (<hv/domctl.h>, <hv/vcpu.h>, <hv/vm.h>): what PHYSINFO says
 * about this machine, a vCPU's boot state from dom0's description, and interrupt pass-through.
 */
#define LOG_TAG "domctl"
#include <hv/domctl.h>
#include <hv/string.h>
#include <public/axvm/domctl.h>
#include <x86/hvm.h>
#include <x86/x86.h>

void arch_domctl_physinfo(struct axvm_physinfo *info)
{
    const struct hvm_ops *hvm = hvm_get_ops();

    info->arch = AXVM_ARCH_X86_64;
    info->cpu_khz = time_tsc_hz() / 1000;
    /* SVM guests always run on nested paging, and every guest is offered an x2APIC. */
    info->features |= hvm ? AXVM_FEATURE_NPT | AXVM_FEATURE_X2APIC : 0;
    strlcpy(info->virt, hvm ? hvm->name : "", sizeof(info->virt));
}

/*
 * Flat 32-bit protected mode with paging off, as Multiboot and the Linux boot protocol want:
 * every address and register fits in 32 bits.
 */
int arch_vcpu_set_context(struct vcpu *v, const struct axvm_vcpu_context *ctx)
{
    struct vcpu_boot boot = {ctx->entry, {ctx->regs[0], ctx->regs[1], ctx->regs[2], ctx->regs[3]}};

    if (ctx->mode != AXVM_VCPU_X86_PROTECTED32 || ctx->entry > UINT32_MAX ||
        ctx->stack > UINT32_MAX) {
        return -AXVM_EINVAL;
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(ctx->regs); i++) {
        if (ctx->regs[i] > UINT32_MAX) {
            return -AXVM_EINVAL;
        }
    }
    hvm_get_ops()->vcpu_set_boot(v, &boot); /* EAX-EDX; the rest are zero */
    v->arch.gprs.r[X86_RSI] = ctx->regs[4];
    v->arch.gprs.r[X86_RDI] = ctx->regs[5];
    v->arch.gprs.r[X86_RSP] = ctx->stack; /* loaded into the VMCB at each entry */
    return 0;
}
