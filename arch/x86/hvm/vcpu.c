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

static bool is_waiting_for_sipi(struct vcpu *v)
{
    return __atomic_load_n(&v->arch.wait_sipi, __ATOMIC_ACQUIRE);
}

/* A halted vCPU runs again; a running one is unaffected; one in wait-for-SIPI stays there. */
static void env_notify(struct vlapic *l)
{
    struct vcpu *v = vcpu_of_vlapic(l);

    if (!is_waiting_for_sipi(v)) {
        sched_wake(v);
    }
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

_Static_assert(VM_MAX_VCPUS <= 32, "vlapic_ipi_targets() masks hold every vCPU");

#define NO_SIPI (-1)

/* INIT: t stops running guest code at its next entry and waits for a SIPI. */
static void send_init(struct vcpu *t)
{
    unsigned long flags = spin_lock_irqsave(&t->arch.power_lock);

    __atomic_store_n(&t->arch.init_pending, true, __ATOMIC_RELEASE);
    t->arch.sipi_vector = NO_SIPI;
    spin_unlock_irqrestore(&t->arch.power_lock, flags);
    sched_kick(t); /* out of guest mode if it is there now */
}

/* SIPI: starts t if it waits for one (or will, having an INIT to take); else ignored. */
static void send_sipi(struct vcpu *t, uint8_t vector)
{
    unsigned long flags = spin_lock_irqsave(&t->arch.power_lock);
    bool start = (t->arch.wait_sipi || t->arch.init_pending) && t->arch.sipi_vector == NO_SIPI;

    if (start) {
        t->arch.sipi_vector = vector;
    }
    spin_unlock_irqrestore(&t->arch.power_lock, flags);
    if (start) {
        sched_wake(t);
    }
}

static void send_nmi(struct vcpu *t)
{
    __atomic_store_n(&t->arch.nmi_pending, true, __ATOMIC_SEQ_CST);
    if (!is_waiting_for_sipi(t)) {
        sched_wake(t);
        sched_kick(t);
    }
}

/*
 * An IPI the vLAPIC could not finish alone: everything for other vCPUs, and NMI, INIT, SIPI
 * and logical destinations for any. Only this VM's vCPUs are looked at, so an IPI can never
 * reach a physical CPU or another domain; destinations naming nobody here are dropped.
 * Context: the sender's CPU, in its exit (MMIO or MSR write of the ICR), no locks held.
 */
static void env_send_ipi(struct vlapic *l, uint32_t dest, uint32_t icr_low)
{
    struct vm *vm = vcpu_of_vlapic(l)->vm;
    struct vlapic *lapics[VM_MAX_VCPUS];
    uint8_t vector;
    enum vlapic_ipi_kind kind = vlapic_ipi_kind(icr_low, &vector);
    uint32_t targets;

    if (kind == VLAPIC_IPI_NONE) {
        return;
    }
    for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
        lapics[i] = &vm->vcpus[i]->arch.vlapic;
    }
    targets = vlapic_ipi_targets(l, lapics, vm->nr_vcpus, dest, icr_low);
    for (; targets; targets &= targets - 1) {
        struct vcpu *t = vm->vcpus[__builtin_ctz(targets)];

        switch (kind) {
        case VLAPIC_IPI_FIXED:
            vlapic_post_irq(&t->arch.vlapic, vector, false);
            break;
        case VLAPIC_IPI_NMI:
            send_nmi(t);
            break;
        case VLAPIC_IPI_INIT:
            send_init(t);
            break;
        case VLAPIC_IPI_SIPI:
            send_sipi(t, vector);
            break;
        default:
            break;
        }
    }
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
    spin_lock_init(&v->arch.power_lock);
    v->arch.wait_sipi = v->id != 0; /* application processors wait for INIT-SIPI */
    v->arch.sipi_vector = NO_SIPI;
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

/*
 * Take what INIT and SIPI left for v: INIT resets its local APIC and drops pending events; a
 * SIPI then gives it the real-mode start state. Context: v's CPU, before entry.
 * Returns: whether v may run guest code (it is not in wait-for-SIPI).
 */
static bool take_init_sipi(struct vcpu *v)
{
    unsigned long flags;
    bool did_init = false;
    int start = NO_SIPI;
    bool waiting;

    if (!__atomic_load_n(&v->arch.init_pending, __ATOMIC_ACQUIRE) && !is_waiting_for_sipi(v)) {
        return true;
    }
    flags = spin_lock_irqsave(&v->arch.power_lock);
    if (v->arch.init_pending) {
        v->arch.init_pending = false;
        __atomic_store_n(&v->arch.wait_sipi, true, __ATOMIC_RELEASE);
        did_init = true;
    }
    if (v->arch.wait_sipi && v->arch.sipi_vector != NO_SIPI) {
        start = v->arch.sipi_vector;
        v->arch.sipi_vector = NO_SIPI;
        __atomic_store_n(&v->arch.wait_sipi, false, __ATOMIC_RELEASE);
    }
    waiting = v->arch.wait_sipi;
    spin_unlock_irqrestore(&v->arch.power_lock, flags);
    if (did_init) {
        vlapic_init_reset(&v->arch.vlapic);
        v->arch.pending_event = 0;
        __atomic_store_n(&v->arch.nmi_pending, false, __ATOMIC_RELAXED);
    }
    if (start != NO_SIPI) {
        hvm_get_ops()->vcpu_start_real_mode(v, (uint8_t)start);
        log_guest(INFO, v->vm->id, v->id, "started by SIPI at 0x%x", (unsigned int)start << 12);
    }
    return !waiting;
}

/* A vCPU in wait-for-SIPI leaves as if halted, and stays blocked (arch_vcpu_has_work). */
void arch_vcpu_run(struct vcpu *v, struct vm_exit *exit)
{
    v->arch.sipi_parked = !take_init_sipi(v);
    if (v->arch.sipi_parked) {
        exit->kind = VM_EXIT_HALT;
        return;
    }
    hvm_get_ops()->vcpu_run(v, exit);
}

void arch_vcpu_complete(struct vcpu *v, const struct vm_exit *exit, uint64_t value)
{
    if (v->arch.sipi_parked) {
        return; /* no instruction to finish */
    }
    hvm_get_ops()->vcpu_complete(v, exit, value);
}

int arch_vcpu_decode_mmio(struct vcpu *v, struct vm_exit *exit)
{
    return hvm_get_ops()->vcpu_decode_mmio(v, exit);
}

void arch_vcpu_dump(struct vcpu *v)
{
    hvm_get_ops()->vcpu_dump(v);
}

bool arch_vcpu_has_work(struct vcpu *v)
{
    if (is_waiting_for_sipi(v) || __atomic_load_n(&v->arch.init_pending, __ATOMIC_ACQUIRE)) {
        return false; /* a SIPI wakes it */
    }
    return v->arch.pending_event || v->arch.virq ||
           __atomic_load_n(&v->arch.nmi_pending, __ATOMIC_ACQUIRE) ||
           ((v->arch.rflags & RFLAGS_IF) && hvm_pending_irq(v) >= 0);
}

bool arch_vcpu_is_off(struct vcpu *v)
{
    return is_waiting_for_sipi(v);
}

/* The hypervisor never touches FPU or SIMD registers, so a guest's stay loaded across exits. */
void arch_vcpu_load(struct vcpu *v)
{
    __asm__ volatile("fxrstor64 %0" : : "m"(*(const uint8_t(*)[X86_FXSAVE_SIZE])v->arch.fpu));
    if (v->arch.vlapic_timer_moved) {
        timer_set(&v->arch.vlapic_timer, v->arch.vlapic_timer_moved); /* past: fires at once */
        v->arch.vlapic_timer_moved = 0;
    }
}

/* The LAPIC timer lives on its CPU's timer list: take it off here, re-arm it there on load. */
void arch_vcpu_migrate(struct vcpu *v, unsigned int cpu)
{
    struct timer *t = &v->arch.vlapic_timer;

    if (t->active) {
        v->arch.vlapic_timer_moved = t->deadline_ns ? t->deadline_ns : 1;
        timer_stop(t);
    }
    timer_init(t, vlapic_timer_fired, cpu);
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

bool hvm_take_nmi(struct vcpu *v)
{
    return __atomic_load_n(&v->arch.nmi_pending, __ATOMIC_ACQUIRE) &&
           __atomic_exchange_n(&v->arch.nmi_pending, false, __ATOMIC_ACQ_REL);
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
