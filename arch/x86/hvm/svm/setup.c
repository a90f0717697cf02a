/* SPDX-License-Identifier: MIT */
/*
 * Building SVM guests: the I/O and MSR permission maps a VM's vCPUs share, and each vCPU's VMCB
 * with its intercepts, nested paging, TSC offset and boot state (AMD APM vol. 2, "Nested
 * Paging", "I/O Intercepts", "MSR Intercepts"; appendix B for the fields).
 */
#define LOG_TAG "svm"
#include <hv/frame.h>
#include <hv/page.h>
#include <hv/string.h>
#include <public/axvm/errno.h>
#include <public/axvm/platform_x86.h>
#include <x86/hvm.h>
#include <x86/svm.h>

#define GUEST_PAT 0x0007040600070406ULL /* the power-on PAT */

/* MSRs VMLOAD/VMSAVE swap for us: the guest may read and write them freely. */
static const uint32_t passthrough_msrs[] = {
    0xc0000100u, /* FS_BASE */
    0xc0000101u, /* GS_BASE */
    0xc0000102u, /* KERNEL_GS_BASE */
    0xc0000081u, /* STAR */
    0xc0000082u, /* LSTAR */
    0xc0000083u, /* CSTAR */
    0xc0000084u, /* SFMASK */
    0x00000174u, /* SYSENTER_CS */
    0x00000175u, /* SYSENTER_ESP */
    0x00000176u, /* SYSENTER_EIP */
    0x00000277u, /* PAT: the guest's lives in the VMCB (G_PAT) under nested paging */
};

/* The two bits of msr in the permission map, or false for MSRs outside its three ranges. */
static bool msrpm_slot(uint32_t msr, size_t *byte, unsigned int *bit)
{
    static const uint32_t range_base[] = {0x00000000u, 0xc0000000u, 0xc0010000u};

    for (unsigned int i = 0; i < ARRAY_SIZE(range_base); i++) {
        if (msr >= range_base[i] && msr - range_base[i] < 0x2000u) {
            size_t index = (size_t)i * 0x2000u + (msr - range_base[i]);

            *byte = index / 4;
            *bit = (unsigned int)(index % 4) * 2;
            return true;
        }
    }
    return false;
}

int svm_vm_create(struct vm *vm)
{
    uint8_t *msrpm;
    int rc = frame_alloc(SVM_IOPM_PAGES, 1, &vm->arch.iopm_hpa);

    if (rc) {
        return rc;
    }
    rc = frame_alloc(SVM_MSRPM_PAGES, 1, &vm->arch.msrpm_hpa);
    if (rc) {
        frame_free(vm->arch.iopm_hpa, SVM_IOPM_PAGES);
        return rc;
    }
    memset(hpa_to_virt(vm->arch.iopm_hpa), 0xff, SVM_IOPM_PAGES * PAGE_SIZE);
    msrpm = hpa_to_virt(vm->arch.msrpm_hpa);
    memset(msrpm, 0xff, SVM_MSRPM_PAGES * PAGE_SIZE);
    for (size_t i = 0; i < ARRAY_SIZE(passthrough_msrs); i++) {
        size_t byte;
        unsigned int bit;

        if (msrpm_slot(passthrough_msrs[i], &byte, &bit)) {
            msrpm[byte] &= (uint8_t) ~(3u << bit);
        }
    }
    return 0;
}

void svm_vm_destroy(struct vm *vm)
{
    frame_free(vm->arch.msrpm_hpa, SVM_MSRPM_PAGES);
    frame_free(vm->arch.iopm_hpa, SVM_IOPM_PAGES);
}

/*
 * The IOPM's bytes change atomically: dom0's map gives and takes ports for several domains,
 * whose ranges may share a byte, while dom0 runs.
 */
int svm_vm_passthrough_pio(struct vm *vm, uint64_t base, uint64_t size)
{
    uint8_t *iopm = hpa_to_virt(vm->arch.iopm_hpa);

    if (size == 0 || base + size > 0x10000u) {
        return -AXVM_EINVAL;
    }
    for (uint64_t port = base; port < base + size; port++) {
        __atomic_fetch_and(&iopm[port / 8], (uint8_t) ~(1u << (port % 8)), __ATOMIC_RELAXED);
    }
    return 0;
}

bool svm_vm_holds_pio(struct vm *vm, uint64_t base, uint64_t size)
{
    const uint8_t *iopm = hpa_to_virt(vm->arch.iopm_hpa);

    if (size == 0 || base + size > 0x10000u) {
        return false;
    }
    for (uint64_t port = base; port < base + size; port++) {
        if (__atomic_load_n(&iopm[port / 8], __ATOMIC_RELAXED) & (1u << (port % 8))) {
            return false;
        }
    }
    return true;
}

void svm_vm_revoke_pio(struct vm *vm, uint64_t base, uint64_t size)
{
    uint8_t *iopm = hpa_to_virt(vm->arch.iopm_hpa);

    for (uint64_t port = base; port < base + size && port < 0x10000u; port++) {
        __atomic_fetch_or(&iopm[port / 8], (uint8_t)(1u << (port % 8)), __ATOMIC_RELAXED);
    }
}

static void set_intercepts(struct vmcb *vmcb)
{
    vmcb->intercept_vec3 = SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI | SVM_INTERCEPT_SMI |
                           SVM_INTERCEPT_CPUID | SVM_INTERCEPT_INVD | SVM_INTERCEPT_HLT |
                           SVM_INTERCEPT_INVLPGA | SVM_INTERCEPT_IOIO | SVM_INTERCEPT_MSR |
                           SVM_INTERCEPT_FERR_FREEZE | SVM_INTERCEPT_SHUTDOWN;
    vmcb->intercept_vec4 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL | SVM_INTERCEPT_VMLOAD |
                           SVM_INTERCEPT_VMSAVE | SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
                           SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_WBINVD | SVM_INTERCEPT_MONITOR |
                           SVM_INTERCEPT_MWAIT | SVM_INTERCEPT_MWAIT_ARMED | SVM_INTERCEPT_XSETBV;
}

int svm_vcpu_create(struct vcpu *v)
{
    struct vmcb *vmcb;
    int rc = frame_alloc(1, 1, &v->arch.vmcb_hpa);

    if (rc) {
        return rc;
    }
    vmcb = hpa_to_virt(v->arch.vmcb_hpa);
    memset(vmcb, 0, sizeof(*vmcb));
    set_intercepts(vmcb);
    vmcb->iopm_base_pa = v->vm->arch.iopm_hpa;
    vmcb->msrpm_base_pa = v->vm->arch.msrpm_hpa;
    vmcb->tsc_offset = v->vm->arch.tsc_offset;
    vmcb->vintr = SVM_VINTR_MASKING; /* the guest's IF masks only virtual interrupts */
    vmcb->np_enable = 1;
    vmcb->g_pat = GUEST_PAT;
    v->arch.vmcb = vmcb;
    return 0;
}

void svm_vcpu_destroy(struct vcpu *v)
{
    frame_free(v->arch.vmcb_hpa, 1);
}

void svm_vcpu_setup(struct vcpu *v, hpa_t stage2_root)
{
    v->arch.vmcb->n_cr3 = stage2_root;
}

static void flat_segment(struct vmcb_seg *seg, uint16_t selector, uint16_t attrib)
{
    *seg = (struct vmcb_seg){selector, attrib, 0xffffffffu, 0};
}

/* 32-bit flat protected mode, paging off: the Multiboot entry state (and Linux's 32-bit one). */
void svm_vcpu_set_boot(struct vcpu *v, const struct vcpu_boot *boot)
{
    struct vmcb *vmcb = v->arch.vmcb;

    /*
     * Linux's 32-bit boot protocol names the selectors (boot.rst: __BOOT_CS 0x10, __BOOT_DS
     * 0x18) and its loaders put a matching GDT at AXVM_X86_BOOT_GDT_GPA; Multiboot leaves
     * selectors and GDTR undefined, so its kernels get the same.
     */
    flat_segment(&vmcb->cs, AXVM_X86_BOOT_CS, 0xc9b); /* G, D, P, code, read, accessed */
    flat_segment(&vmcb->ds, AXVM_X86_BOOT_DS, 0xc93); /* G, B, P, data, write, accessed */
    vmcb->es = vmcb->ss = vmcb->fs = vmcb->gs = vmcb->ds;
    vmcb->ldtr = (struct vmcb_seg){0, 0x82, 0xffff, 0};
    vmcb->tr = (struct vmcb_seg){0, 0x8b, 0x67, 0};
    vmcb->gdtr = (struct vmcb_seg){0, 0, AXVM_X86_BOOT_DS + 7, AXVM_X86_BOOT_GDT_GPA};
    vmcb->idtr = (struct vmcb_seg){0, 0, 0x3ff, 0};
    vmcb->cpl = 0;
    vmcb->efer = EFER_SVME; /* VMRUN requires it in the guest's EFER; guests never see it */
    vmcb->cr0 = 0x11;       /* PE, ET */
    vmcb->cr3 = 0;
    vmcb->cr4 = 0;
    vmcb->dr6 = 0xffff0ff0;
    vmcb->dr7 = 0x400;
    vmcb->rflags = 0x2;
    vmcb->rip = boot->entry;
    memset(&v->arch.gprs, 0, sizeof(v->arch.gprs));
    v->arch.gprs.r[X86_RAX] = boot->args[0];
    v->arch.gprs.r[X86_RBX] = boot->args[1];
    v->arch.gprs.r[X86_RCX] = boot->args[2];
    v->arch.gprs.r[X86_RDX] = boot->args[3];
    v->arch.gprs.r[X86_RSI] = boot->args[4];
    v->arch.gprs.r[X86_RDI] = boot->args[5];
    v->arch.rflags = vmcb->rflags;
}

/*
 * INIT, then a SIPI with vector: real mode at CS selector vector << 8, base vector << 12, IP 0,
 * every other register at its INIT value (Intel SDM vol. 3A, "IA-32 Processor States Following
 * Power-up, Reset, or INIT" and "MP Initialization"; AMD APM vol. 2, "Initial Processor State").
 * Segment attributes are in the VMCB's format (APM vol. 2, "Segment State in the VMCB"): present,
 * accessed, read/write data or readable code, DPL 0. EFER keeps SVME, which the guest never
 * sees; CR0 is CD, NW and ET, which VMRUN accepts (NW without CD it would not).
 */
void svm_vcpu_start_real_mode(struct vcpu *v, uint8_t vector)
{
    struct vmcb *vmcb = v->arch.vmcb;
    struct vmcb_seg data = {0, 0x93, 0xffff, 0};

    vmcb->cs = (struct vmcb_seg){(uint16_t)(vector << 8), 0x9b, 0xffff, (uint64_t)vector << 12};
    vmcb->ds = vmcb->es = vmcb->ss = vmcb->fs = vmcb->gs = data;
    vmcb->ldtr = (struct vmcb_seg){0, 0x82, 0xffff, 0};
    vmcb->tr = (struct vmcb_seg){0, 0x8b, 0xffff, 0};
    vmcb->gdtr = (struct vmcb_seg){0, 0, 0xffff, 0};
    vmcb->idtr = (struct vmcb_seg){0, 0, 0xffff, 0};
    vmcb->cpl = 0;
    vmcb->efer = EFER_SVME;
    vmcb->cr0 = 0x60000010; /* CD, NW, ET */
    vmcb->cr2 = vmcb->cr3 = vmcb->cr4 = 0;
    vmcb->dr6 = 0xffff0ff0;
    vmcb->dr7 = 0x400;
    vmcb->rflags = 0x2;
    vmcb->rip = 0;
    vmcb->star = vmcb->lstar = vmcb->cstar = vmcb->sfmask = vmcb->kernel_gs_base = 0;
    vmcb->sysenter_cs = vmcb->sysenter_esp = vmcb->sysenter_eip = 0;
    vmcb->g_pat = GUEST_PAT;
    /* Nothing from before the INIT may be delivered or re-delivered. */
    vmcb->eventinj = 0;
    vmcb->exitintinfo = 0;
    vmcb->interrupt_shadow = 0;
    vmcb->vintr = SVM_VINTR_MASKING;
    v->arch.virq = 0;
    memset(&v->arch.gprs, 0, sizeof(v->arch.gprs));
    v->arch.gprs.r[X86_RDX] = hvm_cpuid(v, 1, 0).eax; /* the processor signature */
    v->arch.rflags = vmcb->rflags;
}
