/* SPDX-License-Identifier: MIT */
/*
 * What the guest sees of the CPU: CPUID (hypervisor bit, axvm's leaves, SVM hidden, x2APIC
 * offered) and MSRs (EFER without SVME, a working TSC, the APIC base, and #GP for MSRs that do
 * not exist here).
 */
#include <hv/string.h>
#include <public/axvm/hypercall.h>
#include "lib/guest.h"

#define MSR_TSC       0x10u
#define MSR_APIC_BASE 0x1bu
#define MSR_EFER      0xc0000080u
#define MSR_VM_CR     0xc0010114u /* SVM control: hidden from guests */
#define EFER_NXE      (1u << 11)
#define EFER_SVME     (1u << 12)

static volatile unsigned int gp_count;

static void on_gp(struct trap_frame *f)
{
    gp_count++;
    f->rip += 2; /* skip the faulting RDMSR / WRMSR */
}

static void test_cpuid(void)
{
    struct cpuid_result sig = guest_cpuid(AXVM_CPUID_SIGNATURE, 0);
    struct cpuid_result timing = guest_cpuid(AXVM_CPUID_TIMING, 0);

    check(guest_cpuid(1, 0).ecx & (1u << 31), "cpuid: hypervisor bit set");
    check(guest_cpuid(1, 0).ecx & (1u << 21), "cpuid: x2APIC offered");
    check(!(guest_cpuid(0x80000001, 0).ecx & (1u << 2)), "cpuid: SVM hidden");
    check(!(guest_cpuid(1, 0).ecx & (1u << 26)), "cpuid: XSAVE hidden");
    check(on_axvm() && sig.eax >= AXVM_CPUID_TIMING, "cpuid: axvm signature, max leaf 0x%x",
          sig.eax);
    check(timing.eax >= 100000 && timing.ebx == 1000000, "cpuid: TSC %u kHz, APIC timer %u kHz",
          timing.eax, timing.ebx);
    check((guest_cpuid(1, 0).ebx >> 24) == 0, "cpuid: initial APIC id 0");
}

static void test_msrs(void)
{
    uint64_t efer = rdmsr(MSR_EFER), t0, t1;
    /* A vCPU may wait for its CPU between any two exits: allow 2 s of TSC between the reads. */
    uint64_t slack = (uint64_t)guest_cpuid(AXVM_CPUID_TIMING, 0).eax * 2000;

    check(!(efer & EFER_SVME), "msr: EFER does not show SVME (0x%lx)", (unsigned long)efer);
    wrmsr(MSR_EFER, efer ^ EFER_NXE);
    check(rdmsr(MSR_EFER) == (efer ^ EFER_NXE), "msr: EFER.NXE toggles");
    wrmsr(MSR_EFER, efer);
    check((rdmsr(MSR_APIC_BASE) & 0xfffff900u) == 0xfee00900u, "msr: APIC base enabled, BSP");
    t0 = rdmsr(MSR_TSC);
    t1 = rdtsc();
    check(t1 >= t0 && t1 - t0 < slack, "msr: TSC MSR agrees with RDTSC (%lu cycles apart)",
          (unsigned long)(t1 - t0));
    wrmsr(MSR_TSC, 1000000000ULL);
    t1 = rdtsc();
    check(t1 >= 1000000000ULL && t1 < 1000000000ULL + slack,
          "msr: TSC write moves the guest's clock (to %lu)", (unsigned long)t1);
    gp_count = 0;
    (void)rdmsr(MSR_VM_CR);
    wrmsr(0xdeadu, 1);
    check(gp_count == 2, "msr: unknown MSRs raise #GP (%u)", gp_count);
}

void guest_main(const struct guest_boot *boot)
{
    (void)boot;
    guest_set_handler(13, on_gp);
    test_cpuid();
    test_msrs();
    guest_finish("cpuid");
}
