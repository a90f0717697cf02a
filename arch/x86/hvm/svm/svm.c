/* SPDX-License-Identifier: MIT */
/*
 * AMD SVM, per CPU: check CPUID and VM_CR, give the CPU its host save area and set EFER.SVME
 * (AMD APM vol. 2, "Enabling SVM"), then report what CPUID 0x8000000A offers. Under TCG only
 * NPT, VGIF and the VMCB address check exist; NRIPS and decode assists never do (PLATFORM.md §2).
 */
#define LOG_TAG "svm"
#include <hv/fmt.h>
#include <hv/frame.h>
#include <hv/log.h>
#include <hv/page.h>
#include <hv/percpu.h>
#include <hv/string.h>
#include <public/axvm/errno.h>
#include <x86/asm.h>
#include <x86/hvm.h>
#include <x86/svm.h>

#define CPUID_EXT_FEATURES 0x80000001u
#define CPUID_SVM          0x8000000au
#define CPUID_EXT_ECX_SVM  (1u << 2)
#define VM_CR_SVMDIS       (1u << 4)

#define SVM_FEAT_NPT            (1u << 0)
#define SVM_FEAT_NRIPS          (1u << 3)
#define SVM_FEAT_DECODE_ASSISTS (1u << 7)

struct svm_caps {
    uint32_t revision;
    uint32_t nr_asids;
    uint32_t features; /* CPUID 0x8000000A EDX */
};

static const struct {
    uint32_t bit;
    const char *name;
} feature_names[] = {
    {0, "npt"},
    {1, "lbr-virt"},
    {2, "svm-lock"},
    {3, "nrips"},
    {4, "tsc-rate"},
    {5, "vmcb-clean"},
    {6, "flush-by-asid"},
    {7, "decode-assists"},
    {10, "pause-filter"},
    {12, "pause-threshold"},
    {13, "avic"},
    {15, "vmsave-virt"},
    {16, "vgif"},
    {17, "gmet"},
    {18, "x2avic"},
    {19, "sss-check"},
    {20, "spec-ctrl"},
    {25, "vnmi"},
    {28, "vmcb-addr-check"},
};

static struct svm_caps boot_caps; /* of the boot CPU, for the banner and ASIDs */

uint32_t svm_nr_asids(void)
{
    return boot_caps.nr_asids;
}

/* The host's VMSAVE image, which the world switch reloads after every exit. */
static int save_host_state(struct percpu *pc)
{
    hpa_t hpa;

    if (frame_alloc(1, 1, &hpa)) {
        return -AXVM_ENOMEM;
    }
    memset(hpa_to_virt(hpa), 0, PAGE_SIZE);
    __asm__ volatile("vmsave %0" : : "a"(hpa) : "memory");
    pc->arch.host_vmcb_hpa = hpa;
    pc->arch.next_asid = 1;
    pc->arch.asid_generation = 1;
    return 0;
}

static void read_caps(struct svm_caps *caps)
{
    struct cpuid_regs r = cpuid(CPUID_SVM, 0);

    caps->revision = r.eax & 0xff;
    caps->nr_asids = r.ebx;
    caps->features = r.edx;
}

static void format_features(uint32_t features, char *buf, size_t size)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(feature_names) && used < size; i++) {
        if (features & (1u << feature_names[i].bit)) {
            used += fmt_snprintf(buf + used, size - used, "%s%s", used ? " " : "",
                                 feature_names[i].name);
        }
    }
}

static int svm_cpu_enable(void)
{
    struct percpu *pc = this_cpu();
    struct svm_caps caps;
    char names[160];
    hpa_t hsave;

    if (!(cpuid(CPUID_EXT_FEATURES, 0).ecx & CPUID_EXT_ECX_SVM)) {
        log_warn("this CPU has no SVM");
        return -AXVM_ENODEV;
    }
    if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
        log_warn("SVM is disabled by the firmware (VM_CR.SVMDIS)");
        return -AXVM_EPERM;
    }
    if (frame_alloc(1, 1, &hsave)) {
        log_err("no memory for the host save area");
        return -AXVM_ENOMEM;
    }
    memset(hpa_to_virt(hsave), 0, PAGE_SIZE);
    wrmsr(MSR_VM_HSAVE_PA, hsave);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    pc->arch.host_save_hpa = hsave;
    if (save_host_state(pc)) {
        log_err("no memory for the host state page");
        return -AXVM_ENOMEM;
    }

    read_caps(&caps);
    if (pc->cpu_id == 0) {
        boot_caps = caps;
    }
    format_features(caps.features, names, sizeof(names));
    log_info("enabled: revision %u, %u ASIDs, features: %s", caps.revision, caps.nr_asids,
             names[0] ? names : "none");
    return 0;
}

static void set_feature(struct virt_feature *f, const char *name, const char *value)
{
    f->name = name;
    strlcpy(f->value, value, sizeof(f->value));
}

static unsigned int svm_describe(struct virt_feature *out, unsigned int max)
{
    const struct svm_caps *c = &boot_caps;
    struct virt_feature all[5];
    unsigned int n = 0;

    all[n].name = "svm revision";
    fmt_snprintf(all[n++].value, sizeof(all[0].value), "%u", c->revision);
    all[n].name = "asids";
    fmt_snprintf(all[n++].value, sizeof(all[0].value), "%u", c->nr_asids);
    set_feature(&all[n++], "npt", c->features & SVM_FEAT_NPT ? "yes" : "no");
    set_feature(&all[n++], "nrips", c->features & SVM_FEAT_NRIPS ? "yes" : "no");
    set_feature(&all[n++], "decode assists", c->features & SVM_FEAT_DECODE_ASSISTS ? "yes" : "no");
    n = MIN(n, max);
    memcpy(out, all, n * sizeof(all[0]));
    return n;
}

const struct hvm_ops svm_ops = {
    .name = "svm",
    .cpu_enable = svm_cpu_enable,
    .describe = svm_describe,
    .vm_create = svm_vm_create,
    .vm_destroy = svm_vm_destroy,
    .vm_passthrough_pio = svm_vm_passthrough_pio,
    .vm_holds_pio = svm_vm_holds_pio,
    .vm_revoke_pio = svm_vm_revoke_pio,
    .vm_flush_tlbs = svm_vm_flush_tlbs,
    .vcpu_create = svm_vcpu_create,
    .vcpu_destroy = svm_vcpu_destroy,
    .vcpu_setup = svm_vcpu_setup,
    .vcpu_set_boot = svm_vcpu_set_boot,
    .vcpu_start_real_mode = svm_vcpu_start_real_mode,
    .vcpu_run = svm_vcpu_run,
    .vcpu_complete = svm_vcpu_complete,
    .vcpu_decode_mmio = svm_vcpu_decode_mmio,
    .vcpu_dump = svm_vcpu_dump,
};
