/* SPDX-License-Identifier: MIT */
/*
 * The virtual GICv3 (issue #7): an emulated distributor and one emulated redistributor per
 * vCPU at the guest addresses of QEMU's virt board, and the hardware's virtual CPU interface
 * fed through the list registers (ICH_LR<n>_EL2; 4 of them under TCG, more pending interrupts
 * wait in the model until one frees). Owned by arch/arm64/vgic*.c.
 */
#ifndef ARM64_VGIC_H
#define ARM64_VGIC_H

#include <hv/devbus.h>
#include <hv/spinlock.h>
#include <hv/types.h>
#include <public/axvm/platform_arm64.h>

struct vm;
struct vcpu;

#define VGIC_NR_IRQS    96u /* SGIs 0-15, PPIs 16-31, SPIs 32-95 */
#define VGIC_NR_PRIVATE 32u

#define VGIC_MAX_LRS     16u   /* the architecture's most list registers */
#define VGIC_MAX_APRS    4u    /* ICH_AP<g>R<n>_EL2 per group with 7 preemption bits */
#define VGIC_NO_TARGET   0xffu /* an SPI IROUTER names no vCPU of the VM */
#define VGIC_INTID_MAINT 25u   /* the host's maintenance interrupt PPI */

/*
 * One interrupt's state. Every field is under the VM's vgic_dist.lock, the private ones of
 * each vCPU included: one leaf lock per VM, taken with IRQs saved, never held while waking.
 */
struct vgic_irq {
    uint8_t priority; /* IPRIORITYR byte */
    uint8_t target;   /* SPI: the vCPU its IROUTER names, or VGIC_NO_TARGET */
    uint8_t owner;    /* the vCPU that holds it active (an SPI may be rerouted meanwhile) */
    bool enabled;
    bool group1; /* IGROUPR */
    bool edge;   /* ICFGR: edge-triggered (SGIs always) */
    bool latch;  /* pending latch: an edge, ISPENDR, an SGI */
    bool line;   /* the input line's level (level-sensitive ones are pending while high) */
    bool active;
    bool in_lr; /* in a list register of a vCPU in its guest: the LR has the truth */
    bool hw;    /* a passed-through physical SPI, masked at the GIC until the guest EOIs */
};

/* Per-VM state (embedded in struct arch_vm): the distributor. */
struct vgic_dist {
    spinlock_t lock;
    bool enable_grp0, enable_grp1;                       /* GICD_CTLR; under lock */
    uint64_t irouter[VGIC_NR_IRQS - VGIC_NR_PRIVATE];    /* as written (Aff and IRM); under lock */
    struct vgic_irq spi[VGIC_NR_IRQS - VGIC_NR_PRIVATE]; /* under lock */
    struct vm *vm;                                       /* set by vgic_vm_init */
    struct device gicd, gicr; /* bus windows: GICD, and every vCPU's GICR as one */
};

/*
 * Per-vCPU state (embedded in struct arch_vcpu): its redistributor's interrupts (under the
 * VM's vgic_dist.lock) and its virtual CPU interface's saved registers (its own CPU only).
 */
struct vgic_cpu {
    struct vgic_irq priv[VGIC_NR_PRIVATE]; /* SGIs and PPIs; under vgic_dist.lock */
    bool sleep;                            /* GICR_WAKER.ProcessorSleep; under vgic_dist.lock */
    uint64_t vmcr;                         /* ICH_VMCR_EL2 (read by vgic_vcpu_pending) */
    uint32_t ap0r[VGIC_MAX_APRS], ap1r[VGIC_MAX_APRS];
    unsigned int nr_lrs_used; /* LRs vgic_flush_lrs filled (vgic_sync_lrs reads them back) */
};

/* Reset v's private interrupts and interface state. Context: arch_vcpu_create. */
void vgic_vcpu_init(struct vcpu *v);

/*
 * Reset the distributor and attach the GICD and every vCPU's GICR to vm->devices (the bus
 * destroys them with the VM). Context: arch_vm_add_devices, all vCPUs created.
 * Returns: 0, -AXVM_ENOMEM or devbus_attach()'s error.
 */
int vgic_vm_init(struct vm *vm);

/*
 * Drive interrupt line intid: an SGI/PPI (intid < 32) of vCPU v, or an SPI (v NULL). A
 * level-sensitive line stays pending while high; an edge one (level true) becomes pending
 * once. Wakes the target vCPU (sched_wake) and kicks it out of the guest if it runs on another
 * CPU (sched_kick). Context: any CPU, any lock order below the vGIC's own locks.
 */
void vgic_set_irq(struct vm *vm, struct vcpu *v, unsigned int intid, bool level);

/*
 * Just before entering v's guest: load the list registers with its most urgent pending
 * interrupts and ICH_HCR_EL2 (En; an underflow/no-pending maintenance request when more wait
 * than fit). Context: v's CPU, IRQs off, after vgic_load().
 */
void vgic_flush_lrs(struct vcpu *v);

/* Right after v's guest exits: read the list registers back into the model. Same context. */
void vgic_sync_lrs(struct vcpu *v);

/*
 * Returns: whether v has a pending, enabled interrupt its virtual CPU interface would take
 * (group enabled, priority above its PMR): a WFI must end. Context: any CPU.
 */
bool vgic_vcpu_pending(struct vcpu *v);

/* Move ICH_VMCR_EL2 and the active-priority registers in (load) and out (put). IRQs off. */
void vgic_load(struct vcpu *v);
void vgic_put(struct vcpu *v);

/*
 * The guest wrote ICC_SGI1R_EL1 (trapped to EL2 while HCR_EL2.IMO is set): send the SGI to the
 * vCPUs it names (target list by affinity, or all others with IRM).
 */
void vgic_sgi1r_write(struct vcpu *v, uint64_t value);

/*
 * Hand physical SPI intid to vm: it is routed to this CPU, enabled at the physical distributor
 * and each time it fires it is made pending in vm's vGIC. Once dom0 runs, another VM gets only
 * an SPI dom0 holds, taken from dom0 until that VM is destroyed (vgic_owner.c has the details).
 * Returns: 0, -AXVM_EINVAL (not an SPI the vGIC has), -AXVM_EBUSY (another domain holds it, or
 * the hypervisor: one dom0 does not hold). Context: no vGIC lock held.
 */
int vgic_passthrough_spi(struct vm *vm, unsigned int intid);

/*
 * A physical interrupt the hypervisor took: the vGIC's maintenance interrupt or a passed-
 * through SPI. Returns: whether it was one of those (then it is handled, EOI included).
 * Context: the EL2 IRQ handler.
 */
bool vgic_host_irq(uint32_t iar);

/* Between the register model (vgic.c) and the list-register glue (vgic_hw.c); unit-tested. */

/* ICH_HCR_EL2 and list-register fields (Arm GIC architecture specification v3/v4, 12.4.6). */
#define ICH_HCR_EN        (1ull << 0)
#define ICH_HCR_UIE       (1ull << 1) /* underflow: at most one LR valid */
#define ICH_HCR_NPIE      (1ull << 3) /* no LR pending */
#define ICH_LR_VINTID     0xffffffffull
#define ICH_LR_EOI        (1ull << 41) /* with HW 0: a maintenance interrupt once it is EOI'd */
#define ICH_LR_PRIO_SHIFT 48
#define ICH_LR_GROUP1     (1ull << 60)
#define ICH_LR_HW         (1ull << 61)
#define ICH_LR_PENDING    (1ull << 62)
#define ICH_LR_ACTIVE     (1ull << 63)

/* What vgic_lr_build() put into the list registers. */
struct vgic_lr_set {
    unsigned int nr; /* LRs filled, from LR0 */
    uint64_t hcr;    /* the ICH_HCR_EL2 to enter with */
};

/*
 * Choose what v's list registers hold for its next guest entry, out of nr_lrs: first its
 * active interrupts, then its pending, enabled ones (group enabled in GICD_CTLR) by priority
 * (then INTID); level-sensitive ones ask for an EOI maintenance interrupt; when more wait than
 * fit, hcr asks for an underflow (or, with one LR, no-pending) maintenance interrupt. Marks
 * them as held (in_lr) until vgic_lr_fold(). Context: v's CPU, before its guest entry.
 * Returns: the LR values in lrs[0..nr) and ICH_HCR_EL2.
 */
struct vgic_lr_set vgic_lr_build(struct vcpu *v, uint64_t *lrs, unsigned int nr_lrs);

/*
 * Take back the nr list registers vgic_lr_build() filled for v, as the guest left them: the
 * active and pending states, EOI'd level interrupts (sampled again at the next build).
 * Returns: a mask of the passed-through SPIs the guest deactivated (bit n: INTID 32 + n),
 * to unmask at the physical distributor. Context: v's CPU, after its guest exit.
 */
uint64_t vgic_lr_fold(struct vcpu *v, const uint64_t *lrs, unsigned int nr);

/*
 * Mark SPI intid of vm as a passed-through one (vgic_passthrough_spi's model half), its line
 * low until the physical SPI fires. Context: any lock order below the vGIC's own locks.
 */
void vgic_mark_hw(struct vm *vm, unsigned int intid);

/*
 * SPI intid of vm is no longer passed through (taken by another VM): its line drops and its
 * EOI no longer unmasks the physical SPI; the guest's own virtual state stays. Same context.
 */
void vgic_unmark_hw(struct vm *vm, unsigned int intid);

/*
 * Who holds each passed-through physical SPI (vgic_owner.c; the caller serialises every call,
 * vgic_hw.c with its passthrough lock, taken before any vgic_dist.lock).
 */
struct vgic_owners {
    struct vm *owner[VGIC_NR_IRQS]; /* whose vGIC its interrupts go to; NULL: nobody's (masked) */
    struct vm *home[VGIC_NR_IRQS];  /* dom0, while another VM holds an SPI taken from it */
};

/*
 * Give SPI intid to vm. Free SPIs go to whoever asks while no dom0 runs (dom0 NULL; dom0 itself
 * is built so); once dom0 runs, another VM may have only SPIs dom0 holds, which are taken from
 * it (dom0's vGIC copy unmarked, vgic_unmark_hw) until that VM is released.
 * Returns: 0 with *program set when the caller must route the physical SPI here and unmask it
 * (clear: vm had it already, its mask is left alone); -AXVM_EINVAL (not an SPI);
 * -AXVM_EBUSY (another domain holds it, or the hypervisor: no owner while dom0 runs).
 */
int vgic_owner_claim(struct vgic_owners *t, struct vm *vm, struct vm *dom0, unsigned int intid,
                     bool *program);

/* What vgic_owner_release() leaves to the caller (bit n: INTID 32 + n). */
struct vgic_owner_release {
    uint64_t give_back; /* back with dom0 (marked hw again): unmask them */
    uint64_t disable;   /* nobody's now: mask them */
};

/* vm goes away: every SPI it holds returns to the VM it was taken from, or to nobody. */
struct vgic_owner_release vgic_owner_release(struct vgic_owners *t, struct vm *vm);

/* Returns: the VM that holds SPI intid, or NULL (none, or not an SPI). */
struct vm *vgic_owner_of(const struct vgic_owners *t, unsigned int intid);

/*
 * vm's distributor goes away: the physical SPIs it owned return to dom0 if they were taken
 * from dom0 (unmasked, marked hw in dom0's vGIC), else they are masked and nobody's
 * (vgic_hw.c). Context: the VM's device bus is being destroyed, no vCPU of vm runs.
 */
void vgic_hw_release_vm(struct vm *vm);

#endif /* ARM64_VGIC_H */
