/* SPDX-License-Identifier: MIT */
/*
 * What x86 guests see for CPUID: the host's answers, less what the hypervisor does not
 * virtualize (SVM and VMX, MONITOR/MWAIT, XSAVE and AVX, MTRRs, machine checks, performance
 * counters, RDTSCP), plus the hypervisor bit, x2APIC (our virtual LAPIC has it), the APIC ids
 * of the vCPU, and axvm's own leaves (<public/axvm/hypercall.h>).
 */
#define LOG_TAG "cpuid"
#include <hv/string.h>
#include <hv/vm.h>
#include <public/axvm/hypercall.h>
#include <x86/hvm.h>
#include <x86/x86.h>

/* Leaf 1 */
#define L1_ECX_MONITOR      (1u << 3)
#define L1_ECX_VMX          (1u << 5)
#define L1_ECX_SMX          (1u << 6)
#define L1_ECX_EST          (1u << 7)
#define L1_ECX_TM2          (1u << 8)
#define L1_ECX_FMA          (1u << 12)
#define L1_ECX_PDCM         (1u << 15)
#define L1_ECX_PCID         (1u << 17)
#define L1_ECX_X2APIC       (1u << 21)
#define L1_ECX_TSC_DEADLINE (1u << 24)
#define L1_ECX_XSAVE        (1u << 26)
#define L1_ECX_OSXSAVE      (1u << 27)
#define L1_ECX_AVX          (1u << 28)
#define L1_ECX_F16C         (1u << 29)
#define L1_ECX_HYPERVISOR   (1u << 31)
#define L1_EDX_MCE          (1u << 7)
#define L1_EDX_MTRR         (1u << 12)
#define L1_EDX_MCA          (1u << 14)
#define L1_EDX_DS           (1u << 21)
#define L1_EDX_ACPI         (1u << 22)
#define L1_EDX_TM           (1u << 29)
#define L1_EDX_PBE          (1u << 31)

/* Leaf 7.0 EBX: what guests may keep. */
#define L7_EBX_ALLOWED                                                                     \
    ((1u << 0) | (1u << 3) | (1u << 7) | (1u << 8) | (1u << 9) | (1u << 18) | (1u << 19) | \
     (1u << 20) | (1u << 23) | (1u << 29)) /* FSGSBASE BMI1 SMEP BMI2 ERMS RDSEED ADX SMAP \
                                              CLFLUSHOPT SHA */

/* Leaf 0x80000001 */
#define E1_ECX_SVM     (1u << 2)
#define E1_ECX_IBS     (1u << 10)
#define E1_ECX_SKINIT  (1u << 12)
#define E1_ECX_WDT     (1u << 13)
#define E1_ECX_LWP     (1u << 15)
#define E1_ECX_TOPOEXT (1u << 22)
#define E1_ECX_PERFCTR ((1u << 23) | (1u << 24) | (1u << 28))
#define E1_EDX_MTRR    (1u << 12)
#define E1_EDX_RDTSCP  (1u << 27)

#define AXVM_SIGNATURE "axvmaxvmaxvm"

static struct cpuid_regs leaf_1(const struct vcpu *v, struct cpuid_regs r)
{
    r.ecx &= ~(L1_ECX_MONITOR | L1_ECX_VMX | L1_ECX_SMX | L1_ECX_EST | L1_ECX_TM2 | L1_ECX_FMA |
               L1_ECX_PDCM | L1_ECX_PCID | L1_ECX_TSC_DEADLINE | L1_ECX_XSAVE | L1_ECX_OSXSAVE |
               L1_ECX_AVX | L1_ECX_F16C);
    r.ecx |= L1_ECX_X2APIC | L1_ECX_HYPERVISOR;
    r.edx &=
        ~(L1_EDX_MCE | L1_EDX_MTRR | L1_EDX_MCA | L1_EDX_DS | L1_EDX_ACPI | L1_EDX_TM | L1_EDX_PBE);
    /* EBX: initial APIC id in 31:24, logical processor count in 23:16. */
    r.ebx = (r.ebx & 0xffffu) | (v->id << 24) | ((v->vm->nr_vcpus & 0xffu) << 16);
    return r;
}

static struct cpuid_regs hypervisor_leaf(uint32_t leaf)
{
    struct cpuid_regs r = {0, 0, 0, 0};

    if (leaf == AXVM_CPUID_SIGNATURE) {
        r.eax = AXVM_CPUID_TIMING;
        memcpy(&r.ebx, AXVM_SIGNATURE, 4);
        memcpy(&r.ecx, AXVM_SIGNATURE + 4, 4);
        memcpy(&r.edx, AXVM_SIGNATURE + 8, 4);
    } else if (leaf == AXVM_CPUID_TIMING) {
        r.eax = (uint32_t)(time_tsc_hz() / 1000);
        r.ebx = (uint32_t)(HVM_LAPIC_TIMER_HZ / 1000);
    }
    return r;
}

static struct cpuid_regs extended_leaf(uint32_t leaf, struct cpuid_regs r)
{
    switch (leaf) {
    case 0x80000000u:
        r.eax = MIN(r.eax, 0x80000008u);
        return r;
    case 0x80000001u:
        r.ecx &= ~(E1_ECX_SVM | E1_ECX_IBS | E1_ECX_SKINIT | E1_ECX_WDT | E1_ECX_LWP |
                   E1_ECX_TOPOEXT | E1_ECX_PERFCTR);
        r.edx &= ~(E1_EDX_MTRR | E1_EDX_RDTSCP);
        return r;
    case 0x80000002u ... 0x80000008u:
        return r; /* brand string, caches, power, address sizes */
    default:
        return (struct cpuid_regs){0, 0, 0, 0};
    }
}

struct cpuid_regs hvm_cpuid(const struct vcpu *v, uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs host = cpuid(leaf, subleaf);
    struct cpuid_regs none = {0, 0, 0, 0};

    if (leaf >= 0x40000000u && leaf < 0x40010000u) {
        return hypervisor_leaf(leaf);
    }
    if (leaf >= 0x80000000u) {
        return extended_leaf(leaf, host);
    }
    switch (leaf) {
    case 0:
        host.eax = MIN(host.eax, 7u);
        return host;
    case 1:
        return leaf_1(v, host);
    case 2:
    case 4:
        return host; /* cache descriptions */
    case 7:
        if (subleaf != 0) {
            return none;
        }
        host.eax = 0;
        host.ebx &= L7_EBX_ALLOWED;
        host.ecx = 0;
        host.edx = 0;
        return host;
    default:
        return none; /* thermal, performance monitoring, topology, XSAVE, ... */
    }
}
