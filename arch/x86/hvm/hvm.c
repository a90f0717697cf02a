/* SPDX-License-Identifier: MIT */
/*
 * Picks the vendor backend for hardware virtualization and answers the core's questions about
 * it (<hv/virt.h>).
 */
#define LOG_TAG "hvm"
#include <hv/fmt.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/string.h>
#include <hv/virt.h>
#include <public/axvm/errno.h>
#include <x86/asm.h>
#include <x86/hvm.h>
#include <x86/x86.h>

static const struct hvm_ops *hvm;
static char vendor[13];
static const char *absent_reason = "not probed";

void hvm_init(void)
{
    struct cpuid_regs r = cpuid(0, 0);

    memcpy(vendor, &r.ebx, 4);
    memcpy(vendor + 4, &r.edx, 4);
    memcpy(vendor + 8, &r.ecx, 4);
    vendor[12] = '\0';
    if (strcmp(vendor, "AuthenticAMD") == 0 || strcmp(vendor, "HygonGenuine") == 0) {
        hvm = &svm_ops;
    } else if (strcmp(vendor, "GenuineIntel") == 0) {
        absent_reason = "Intel VMX is not supported yet";
        log_warn("%s CPU: VMX backend not implemented; guests cannot run", vendor);
    } else {
        absent_reason = "unknown CPU vendor";
        log_warn("CPU vendor '%s' has no virtualization backend", vendor);
    }
}

const struct hvm_ops *hvm_get_ops(void)
{
    return hvm;
}

/* Guests' FPU and SSE state is saved with FXSAVE, which needs CR4.OSFXSR (and CR0.EM, TS off). */
static void enable_fxsave(void)
{
    uint64_t cr0 = read_cr0(), cr4 = read_cr4();

    cr0 = (cr0 & ~((1ULL << 2) | (1ULL << 3))) | (1ULL << 1) | (1ULL << 5); /* -EM -TS +MP +NE */
    cr4 |= (1ULL << 9) | (1ULL << 10);                                      /* OSFXSR OSXMMEXCPT */
    __asm__ volatile("mov %0, %%cr0\n\tmov %1, %%cr4" : : "r"(cr0), "r"(cr4) : "memory");
}

void hvm_cpu_enable(void)
{
    int rc;

    if (!hvm) {
        return;
    }
    enable_fxsave();
    rc = hvm->cpu_enable();
    this_cpu()->arch.virt_enabled = rc == 0;
    if (rc == -AXVM_ENODEV) {
        absent_reason = "the CPU has no SVM";
    } else if (rc == -AXVM_EPERM) {
        absent_reason = "SVM is disabled by the firmware";
    } else if (rc) {
        absent_reason = "SVM could not be enabled";
    }
}

bool arch_virt_is_usable(void)
{
    struct percpu *pc;

    if (!hvm) {
        return false;
    }
    for_each_online_cpu (pc) {
        if (!pc->arch.virt_enabled) {
            return false;
        }
    }
    return true;
}

unsigned int arch_virt_describe(struct virt_feature *out, unsigned int max)
{
    if (max == 0) {
        return 0;
    }
    if (hvm && this_cpu()->arch.virt_enabled) {
        return hvm->describe(out, max);
    }
    out[0].name = "hardware virtualization";
    fmt_snprintf(out[0].value, sizeof(out[0].value), "none (%s)", absent_reason);
    return 1;
}
