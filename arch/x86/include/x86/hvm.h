/* SPDX-License-Identifier: MIT */
/*
 * Hardware virtualization on x86 behind one table of operations, chosen at run time from the
 * CPU vendor (STYLE.md §2): SVM on AMD and Hygon; VMX can be added as a second table without
 * touching the core or the vendor-neutral parts (CPUID and MSR policy, the virtual LAPIC, the
 * MMIO decoder).
 */
#ifndef X86_HVM_H
#define X86_HVM_H

#include <hv/types.h>
#include <hv/vcpu.h>
#include <hv/virt.h>
#include <hv/vm.h>
#include <x86/asm.h>

struct hvm_ops {
    const char *name;
    /*
     * Check and enable the extension on the executing CPU and log what it offers.
     * Context: each CPU once, IRQs off. Returns: 0, -AXVM_ENODEV (absent),
     * -AXVM_EPERM (disabled by firmware) or -AXVM_ENOMEM.
     */
    int (*cpu_enable)(void);
    /* Fill banner lines for the boot CPU. Returns: the number filled. */
    unsigned int (*describe)(struct virt_feature *out, unsigned int max);

    /* The vendor side of the arch_vm_* and arch_vcpu_* hooks of <hv/vm.h>, <hv/vcpu.h>. */
    int (*vm_create)(struct vm *vm);
    void (*vm_destroy)(struct vm *vm);
    int (*vm_passthrough_pio)(struct vm *vm, uint64_t base, uint64_t size);
    /* Whether every port of [base, base+size) is handed through to vm. */
    bool (*vm_holds_pio)(struct vm *vm, uint64_t base, uint64_t size);
    /* Intercept those ports again: vm's accesses reach the device bus (empty: all-ones). */
    void (*vm_revoke_pio)(struct vm *vm, uint64_t base, uint64_t size);
    /* arch_vm_flush_tlbs(): every vCPU of vm forgets its nested-paging translations. */
    void (*vm_flush_tlbs)(struct vm *vm);
    int (*vcpu_create)(struct vcpu *v);
    void (*vcpu_destroy)(struct vcpu *v);
    void (*vcpu_setup)(struct vcpu *v, hpa_t stage2_root);
    void (*vcpu_set_boot)(struct vcpu *v, const struct vcpu_boot *boot);
    /* The state after INIT and a SIPI with vector: real mode at vector << 12, IP 0. */
    void (*vcpu_start_real_mode)(struct vcpu *v, uint8_t vector);
    void (*vcpu_run)(struct vcpu *v, struct vm_exit *exit);
    void (*vcpu_complete)(struct vcpu *v, const struct vm_exit *exit, uint64_t value);
    int (*vcpu_decode_mmio)(struct vcpu *v, struct vm_exit *exit);
    void (*vcpu_dump)(struct vcpu *v);
};

extern const struct hvm_ops svm_ops;

/* The vendor table in use (NULL when the CPU has none we support). */
const struct hvm_ops *hvm_get_ops(void);

/* cpuid.c: what a guest sees for CPUID leaf/subleaf. */
struct cpuid_regs hvm_cpuid(const struct vcpu *v, uint32_t leaf, uint32_t subleaf);

/*
 * msr.c: vendor-neutral MSRs (APIC base, x2APIC, TSC, and the few a guest may probe).
 * Returns: 0, or -AXVM_EINVAL where the guest must get #GP.
 */
int hvm_msr_read(struct vcpu *v, uint32_t msr, uint64_t *value);
int hvm_msr_write(struct vcpu *v, uint32_t msr, uint64_t value);

/* vlapic glue (vcpu.c): deliverable vector of v's LAPIC, or -1; and its acceptance. */
int hvm_pending_irq(struct vcpu *v);
void hvm_accept_irq(struct vcpu *v, uint8_t vector);

/*
 * An NMI sent to v (vcpu.c) is taken for injection: returns whether one was pending.
 * Context: v's CPU, before entry.
 */
bool hvm_take_nmi(struct vcpu *v);

/* The TSC frequency guests are told (CPUID 0x40000010) and their LAPIC timer's rate. */
#define HVM_LAPIC_TIMER_HZ 1000000000ULL

/* Exceptions the hypervisor injects. */
#define X86_EXC_UD 6
#define X86_EXC_GP 13

/*
 * A pending event, in the encoding SVM's EVENTINJ and VMX's entry interruption field share:
 * vector in bits 7:0, type in 10:8, error code valid in 11, valid in 31; the error code in 63:32.
 */
#define HVM_EVENT_TYPE_EXCEPTION (3u << 8)
#define HVM_EVENT_ERROR_VALID    (1u << 11)
#define HVM_EVENT_VALID          (1u << 31)

/* Queue a hardware exception for v's next entry (error code pushed for #GP). */
void hvm_inject_exception(struct vcpu *v, uint8_t vector, uint32_t error_code);

#endif /* X86_HVM_H */
