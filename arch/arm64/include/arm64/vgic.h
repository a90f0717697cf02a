/* SPDX-License-Identifier: MIT */
/*
 * The virtual GICv3 (issue #7): an emulated distributor and one emulated redistributor per
 * vCPU at the guest addresses of QEMU's virt board, and the hardware's virtual CPU interface
 * fed through the list registers (ICH_LR<n>_EL2; 4 of them under TCG, more pending interrupts
 * wait in the model until one frees). Owned by arch/arm64/vgic*.c.
 */
#ifndef ARM64_VGIC_H
#define ARM64_VGIC_H

#include <hv/spinlock.h>
#include <hv/types.h>

struct vm;
struct vcpu;

#define VGIC_GICD_BASE    0x08000000ull /* distributor, 64 KiB */
#define VGIC_GICD_SIZE    0x10000ull
#define VGIC_GICR_BASE    0x080a0000ull /* redistributor of vCPU n at BASE + n * STRIDE */
#define VGIC_GICR_STRIDE  0x20000ull    /* RD frame, then SGI frame at +64 KiB */
#define VGIC_NR_IRQS      96u           /* SGIs 0-15, PPIs 16-31, SPIs 32-95 */
#define VGIC_NR_PRIVATE   32u
#define VGIC_INTID_VTIMER 27u /* the guest's virtual timer PPI */
#define VGIC_INTID_UART   33u /* the PL011's SPI 1 */

/* Per-VM state (embedded in struct arch_vm). TODO(#7, vGIC helper): the fields. */
struct vgic_dist {
    spinlock_t lock;
};

/* Per-vCPU state (embedded in struct arch_vcpu). TODO(#7, vGIC helper): the fields. */
struct vgic_cpu {
    spinlock_t lock;
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
 * Hand physical SPI intid to vm: it is enabled at the physical distributor and each time it
 * fires it is made pending in vm's vGIC. Returns: 0, -AXVM_EINVAL (not an SPI the vGIC has),
 * -AXVM_EBUSY (another VM has it).
 */
int vgic_passthrough_spi(struct vm *vm, unsigned int intid);

/*
 * A physical interrupt the hypervisor took: the vGIC's maintenance interrupt or a passed-
 * through SPI. Returns: whether it was one of those (then it is handled, EOI included).
 * Context: the EL2 IRQ handler.
 */
bool vgic_host_irq(uint32_t iar);

#endif /* ARM64_VGIC_H */
