/* SPDX-License-Identifier: MIT */
/*
 * The x86 side of the vCPU hooks of <hv/vcpu.h>: vendor-neutral state (the virtual local APIC
 * with its timer, FPU switching, queued exceptions) here, the rest through the vendor's table.
 */
#define LOG_TAG "vcpu"
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/string.h>
#include <hv/time.h>
#include <public/axvm/errno.h>
#include <x86/hvm.h>

#define FXSAVE_FCW    0
#define FXSAVE_MXCSR  24
#define FCW_DEFAULT   0x037f /* FNINIT's control word */
#define MXCSR_DEFAULT 0x1f80 /* all SIMD exceptions masked */

static struct vcpu *vcpu_of_vlapic(struct vlapic *l)
{
    return container_of(l, struct vcpu, arch.vlapic);
}

static uint64_t env_now(void)
{
    return arch_time_now_ns();
}

static void env_timer_arm(struct vlapic *l, uint64_t deadline_ns)
{
    struct vcpu *v = vcpu_of_vlapic(l);

    if (deadline_ns) {
        timer_set(&v->arch.vlapic_timer, deadline_ns);
    } else {
        timer_stop(&v->arch.vlapic_timer);
    }
}

static void env_notify(struct vlapic *l)
{
    sched_wake(vcpu_of_vlapic(l)); /* a halted vCPU runs again; a running one is unaffected */
}

/* A level-triggered vector was EOI'd: only the I/O APIC sends those. */
static void env_eoi_level(struct vlapic *l, uint8_t vector)
{
    vioapic_eoi(&vcpu_of_vlapic(l)->vm->arch.vioapic, vector);
}

/* An interrupt was posted: a vCPU in guest mode on another CPU must exit to take it. */
static void env_kick(struct vlapic *l)
{
    struct vcpu *v = vcpu_of_vlapic(l);

    if (v->pcpu != this_cpu_id()) {
        sched_kick(v);
    }
}

static void env_send_ipi(struct vlapic *l, uint32_t dest, uint32_t icr_low)
{
    struct vcpu *v = vcpu_of_vlapic(l);

    /* TODO(#5): IPIs between a guest's vCPUs, and INIT-SIPI-SIPI for its APs. */
    log_guest(WARN, v->vm->id, v->id, "IPI 0x%x to APIC %u not delivered (not supported yet)",
              icr_low, dest);
}

static const struct vlapic_env vlapic_env = {
    .now_ns = env_now,
    .timer_arm = env_timer_arm,
    .notify = env_notify,
    .send_ipi = env_send_ipi,
    .timer_hz = HVM_LAPIC_TIMER_HZ,
    .eoi_level = env_eoi_level,
    .kick = env_kick,
};

static void vlapic_timer_fired(struct timer *t)
{
    struct vcpu *v = container_of(t, struct vcpu, arch.vlapic_timer);

    vlapic_timer_expired(&v->arch.vlapic);
}

int arch_vcpu_create(struct vcpu *v)
{
    const struct hvm_ops *hvm = hvm_get_ops();

    if (!hvm) {
        return -AXVM_EOPNOTSUPP;
    }
    vlapic_init(&v->arch.vlapic, &vlapic_env, v->id, v->id == 0);
    memset(v->arch.fpu, 0, sizeof(v->arch.fpu));
    *(uint16_t *)(v->arch.fpu + FXSAVE_FCW) = FCW_DEFAULT;
    *(uint32_t *)(v->arch.fpu + FXSAVE_MXCSR) = MXCSR_DEFAULT;
    return hvm->vcpu_create(v);
}

void arch_vcpu_destroy(struct vcpu *v)
{
    hvm_get_ops()->vcpu_destroy(v);
}

void arch_vcpu_setup(struct vcpu *v, hpa_t stage2_root)
{
    timer_init(&v->arch.vlapic_timer, vlapic_timer_fired, v->pcpu); /* v->pcpu is known now */
    hvm_get_ops()->vcpu_setup(v, stage2_root);
}

void arch_vcpu_set_boot(struct vcpu *v, const struct vcpu_boot *boot)
{
    hvm_get_ops()->vcpu_set_boot(v, boot);
}

void arch_vcpu_run(struct vcpu *v, struct vm_exit *exit)
{
    hvm_get_ops()->vcpu_run(v, exit);
}

void arch_vcpu_complete(struct vcpu *v, const struct vm_exit *exit, uint64_t value)
{
    hvm_get_ops()->vcpu_complete(v, exit, value);
}

int arch_vcpu_decode_mmio(struct vcpu *v, struct vm_exit *exit)
{
    return hvm_get_ops()->vcpu_decode_mmio(v, exit);
}

bool arch_vcpu_has_work(struct vcpu *v)
{
    return v->arch.pending_event || ((v->arch.rflags & RFLAGS_IF) && hvm_pending_irq(v) >= 0);
}

/* The hypervisor never touches FPU or SIMD registers, so a guest's stay loaded across exits. */
void arch_vcpu_load(struct vcpu *v)
{
    __asm__ volatile("fxrstor64 %0" : : "m"(*(const uint8_t(*)[X86_FXSAVE_SIZE])v->arch.fpu));
}

void arch_vcpu_put(struct vcpu *v)
{
    __asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[X86_FXSAVE_SIZE])v->arch.fpu));
    /*
     * A stopping vCPU leaves its CPU for the last time here; its LAPIC timer must leave that
     * CPU's timer list now, on that CPU, before the vCPU is freed.
     */
    if (__atomic_load_n(&v->vm->shutting_down, __ATOMIC_ACQUIRE)) {
        timer_stop(&v->arch.vlapic_timer);
    }
}

int hvm_pending_irq(struct vcpu *v)
{
    vlapic_sync_posted(&v->arch.vlapic);
    return vlapic_pending_vector(&v->arch.vlapic);
}

void hvm_accept_irq(struct vcpu *v, uint8_t vector)
{
    vlapic_accept(&v->arch.vlapic, vector);
}

void hvm_inject_exception(struct vcpu *v, uint8_t vector, uint32_t error_code)
{
    uint64_t ev = vector | HVM_EVENT_TYPE_EXCEPTION | HVM_EVENT_VALID;

    if (vector == X86_EXC_GP) {
        ev |= HVM_EVENT_ERROR_VALID | ((uint64_t)error_code << 32);
    }
    v->arch.pending_event = ev;
}
