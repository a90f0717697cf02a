/* SPDX-License-Identifier: MIT */
/*
 * The virtual GIC's hardware half: the list registers and the rest of the ICH_*_EL2 state of
 * the virtual CPU interface moved in and out around each guest entry (the choices are made in
 * vgic.c), the maintenance interrupt, and physical SPIs passed through to a guest.
 *
 * What the guest's GIC accesses do while HCR_EL2.IMO is set (GIC spec 12.1, checked against
 * QEMU 7.2's hw/intc/arm_gicv3_cpuif.c): its ICC_* register accesses at EL1 go to the ICV_*
 * ones, fed by the LRs, and do not trap; only the SGI generation registers ICC_SGI0R_EL1,
 * ICC_SGI1R_EL1 and ICC_ASGI1R_EL1 trap to EL2 (EC 0x18) whenever IMO or FMO is set. (ICH_HCR_EL2
 * TC/TALL0/TALL1/TDIR could trap more; we leave them clear.)
 *
 * Maintenance (GIC spec 6.6.1, ICH_MISR_EL2; QEMU computes it the same way): the interrupt
 * (PPI 25 at the host) is asserted while ICH_HCR_EL2.En is set and any MISR bit is: EOI when an
 * LR with its EOI bit and HW clear has become invalid (the guest EOI'd it: ICH_EISR_EL2 shows
 * which, and it stays so until the LR is rewritten); U (with UIE) while at most one LR is valid
 * (pending, active or both); NP (with NPIE) while no LR is pending. It is a level, so the
 * handler clears En and the exit path rewrites every LR before the next entry.
 */
#define LOG_TAG "vgic"
#include <hv/dom0.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/spinlock.h>
#include <hv/vcpu.h>
#include <hv/vm.h>
#include <public/axvm/errno.h>
#include <arm64/arm64.h>
#include <arm64/sysreg.h>
#include <arm64/vgic.h>

/* The EL2 virtualization registers (GIC spec 12.4; op0 3, op1 4, CRn 12). */
#define ICH_AP0R0_EL2  S3_4_C12_C8_0
#define ICH_AP0R1_EL2  S3_4_C12_C8_1
#define ICH_AP0R2_EL2  S3_4_C12_C8_2
#define ICH_AP0R3_EL2  S3_4_C12_C8_3
#define ICH_AP1R0_EL2  S3_4_C12_C9_0
#define ICH_AP1R1_EL2  S3_4_C12_C9_1
#define ICH_AP1R2_EL2  S3_4_C12_C9_2
#define ICH_AP1R3_EL2  S3_4_C12_C9_3
#define ICH_HCR_EL2    S3_4_C12_C11_0
/* ICH_VTR_EL2 (S3_4_C12_C11_1) is in <arm64/sysreg.h> */
#define ICH_MISR_EL2   S3_4_C12_C11_2
#define ICH_EISR_EL2   S3_4_C12_C11_3
#define ICH_ELRSR_EL2  S3_4_C12_C11_5
#define ICH_VMCR_EL2   S3_4_C12_C11_7
/* ICH_LR<n>_EL2: CRm 12 + n / 8, op2 n % 8 */
#define ICH_LR_EL2(n)  S3_4_C12_C12_##n
#define ICH_LR8_EL2(n) S3_4_C12_C13_##n

#define VTR_LISTREGS(vtr) ((unsigned int)((vtr)&0x1f) + 1)
#define VTR_PREBITS(vtr)  ((unsigned int)(((vtr) >> 26) & 7) + 1)

static unsigned int nr_lrs;  /* from ICH_VTR_EL2, read once */
static unsigned int nr_aprs; /* ICH_AP<g>R<n>_EL2 per group: 1, 2 or 4 */

/*
 * Pass-through SPIs: the VM each physical SPI belongs to (vgic_owner.c). Lock order:
 * passthrough_lock, then a VM's vgic_dist.lock.
 */
static spinlock_t passthrough_lock = SPINLOCK_INIT;
static struct vgic_owners spis; /* under passthrough_lock */

static void probe(void)
{
    uint64_t vtr;

    if (nr_lrs) {
        return;
    }
    vtr = read_sysreg(ICH_VTR_EL2);
    nr_aprs = 1u << (VTR_PREBITS(vtr) - 5);
    nr_lrs = VTR_LISTREGS(vtr);
    if (nr_lrs > VGIC_MAX_LRS) {
        nr_lrs = VGIC_MAX_LRS;
    }
}

static uint64_t read_lr(unsigned int n)
{
    switch (n) {
    case 0:
        return read_sysreg(ICH_LR_EL2(0));
    case 1:
        return read_sysreg(ICH_LR_EL2(1));
    case 2:
        return read_sysreg(ICH_LR_EL2(2));
    case 3:
        return read_sysreg(ICH_LR_EL2(3));
    case 4:
        return read_sysreg(ICH_LR_EL2(4));
    case 5:
        return read_sysreg(ICH_LR_EL2(5));
    case 6:
        return read_sysreg(ICH_LR_EL2(6));
    case 7:
        return read_sysreg(ICH_LR_EL2(7));
    case 8:
        return read_sysreg(ICH_LR8_EL2(0));
    case 9:
        return read_sysreg(ICH_LR8_EL2(1));
    case 10:
        return read_sysreg(ICH_LR8_EL2(2));
    case 11:
        return read_sysreg(ICH_LR8_EL2(3));
    case 12:
        return read_sysreg(ICH_LR8_EL2(4));
    case 13:
        return read_sysreg(ICH_LR8_EL2(5));
    case 14:
        return read_sysreg(ICH_LR8_EL2(6));
    default:
        return read_sysreg(ICH_LR8_EL2(7));
    }
}

static void write_lr(unsigned int n, uint64_t v)
{
    switch (n) {
    case 0:
        write_sysreg(ICH_LR_EL2(0), v);
        break;
    case 1:
        write_sysreg(ICH_LR_EL2(1), v);
        break;
    case 2:
        write_sysreg(ICH_LR_EL2(2), v);
        break;
    case 3:
        write_sysreg(ICH_LR_EL2(3), v);
        break;
    case 4:
        write_sysreg(ICH_LR_EL2(4), v);
        break;
    case 5:
        write_sysreg(ICH_LR_EL2(5), v);
        break;
    case 6:
        write_sysreg(ICH_LR_EL2(6), v);
        break;
    case 7:
        write_sysreg(ICH_LR_EL2(7), v);
        break;
    case 8:
        write_sysreg(ICH_LR8_EL2(0), v);
        break;
    case 9:
        write_sysreg(ICH_LR8_EL2(1), v);
        break;
    case 10:
        write_sysreg(ICH_LR8_EL2(2), v);
        break;
    case 11:
        write_sysreg(ICH_LR8_EL2(3), v);
        break;
    case 12:
        write_sysreg(ICH_LR8_EL2(4), v);
        break;
    case 13:
        write_sysreg(ICH_LR8_EL2(5), v);
        break;
    case 14:
        write_sysreg(ICH_LR8_EL2(6), v);
        break;
    default:
        write_sysreg(ICH_LR8_EL2(7), v);
        break;
    }
}

static void write_aprs(const struct vgic_cpu *c)
{
    write_sysreg(ICH_AP0R0_EL2, c->ap0r[0]);
    write_sysreg(ICH_AP1R0_EL2, c->ap1r[0]);
    if (nr_aprs >= 2) {
        write_sysreg(ICH_AP0R1_EL2, c->ap0r[1]);
        write_sysreg(ICH_AP1R1_EL2, c->ap1r[1]);
    }
    if (nr_aprs == 4) {
        write_sysreg(ICH_AP0R2_EL2, c->ap0r[2]);
        write_sysreg(ICH_AP1R2_EL2, c->ap1r[2]);
        write_sysreg(ICH_AP0R3_EL2, c->ap0r[3]);
        write_sysreg(ICH_AP1R3_EL2, c->ap1r[3]);
    }
}

static void read_aprs(struct vgic_cpu *c)
{
    c->ap0r[0] = (uint32_t)read_sysreg(ICH_AP0R0_EL2);
    c->ap1r[0] = (uint32_t)read_sysreg(ICH_AP1R0_EL2);
    if (nr_aprs >= 2) {
        c->ap0r[1] = (uint32_t)read_sysreg(ICH_AP0R1_EL2);
        c->ap1r[1] = (uint32_t)read_sysreg(ICH_AP1R1_EL2);
    }
    if (nr_aprs == 4) {
        c->ap0r[2] = (uint32_t)read_sysreg(ICH_AP0R2_EL2);
        c->ap1r[2] = (uint32_t)read_sysreg(ICH_AP1R2_EL2);
        c->ap0r[3] = (uint32_t)read_sysreg(ICH_AP0R3_EL2);
        c->ap1r[3] = (uint32_t)read_sysreg(ICH_AP1R3_EL2);
    }
}

void vgic_load(struct vcpu *v)
{
    probe();
    write_sysreg(ICH_HCR_EL2, 0);
    for (unsigned int i = 0; i < nr_lrs; i++) {
        write_lr(i, 0); /* outside a guest every LR is empty */
    }
    write_sysreg(ICH_VMCR_EL2, v->arch.vgic.vmcr);
    write_aprs(&v->arch.vgic);
    isb();
}

void vgic_put(struct vcpu *v)
{
    v->arch.vgic.vmcr = read_sysreg(ICH_VMCR_EL2);
    read_aprs(&v->arch.vgic);
}

void vgic_flush_lrs(struct vcpu *v)
{
    uint64_t lrs[VGIC_MAX_LRS];
    struct vgic_lr_set set;

    probe();
    set = vgic_lr_build(v, lrs, nr_lrs);
    for (unsigned int i = 0; i < set.nr; i++) {
        write_lr(i, lrs[i]);
    }
    write_sysreg(ICH_HCR_EL2, set.hcr);
    isb();
}

/*
 * Unmask the physical SPIs in mask (bit n: INTID 32 + n) whose virtual ones vm's guest has
 * EOI'd, those vm still holds: one taken from it meanwhile is its new owner's to unmask.
 */
static void unmask_owned(struct vm *vm, uint64_t mask)
{
    unsigned long flags = spin_lock_irqsave(&passthrough_lock);

    for (unsigned int n = 0; n < VGIC_NR_IRQS - VGIC_NR_PRIVATE; n++) {
        if ((mask & (1ull << n)) && vgic_owner_of(&spis, VGIC_NR_PRIVATE + n) == vm) {
            gic_spi_enable(VGIC_NR_PRIVATE + n);
        }
    }
    spin_unlock_irqrestore(&passthrough_lock, flags);
}

void vgic_sync_lrs(struct vcpu *v)
{
    uint64_t lrs[VGIC_MAX_LRS];
    unsigned int nr = v->arch.vgic.nr_lrs_used;
    uint64_t unmask;

    /* En off first: the maintenance interrupt drops, and the LRs stay as the guest left them */
    write_sysreg(ICH_HCR_EL2, 0);
    isb();
    for (unsigned int i = 0; i < nr; i++) {
        lrs[i] = read_lr(i);
        write_lr(i, 0);
    }
    v->arch.vgic.nr_lrs_used = 0;
    v->arch.vgic.vmcr = read_sysreg(ICH_VMCR_EL2); /* vgic_vcpu_pending() reads its PMR */
    unmask = vgic_lr_fold(v, lrs, nr);
    if (unmask) {
        unmask_owned(v->vm, unmask);
    }
}

int vgic_passthrough_spi(struct vm *vm, unsigned int intid)
{
    struct vm *dom0 = dom0_get(); /* NULL while dom0 itself is built */
    struct vm *from = NULL;
    unsigned long flags;
    bool program;
    int rc;

    if (intid < VGIC_NR_PRIVATE || intid >= VGIC_NR_IRQS || intid >= gic_nr_lines()) {
        return -AXVM_EINVAL;
    }
    flags = spin_lock_irqsave(&passthrough_lock);
    from = vgic_owner_of(&spis, intid);
    rc = vgic_owner_claim(&spis, vm, dom0, intid, &program);
    if (!rc && program) {
        /*
         * Unmasked even if dom0 had it masked in flight: dom0's vGIC no longer unmasks it
         * (vgic_owner.c), and a device still asserting it interrupts its new owner.
         */
        gic_spi_route(intid, this_cpu()->arch.mpidr);
        gic_spi_enable(intid);
    }
    spin_unlock_irqrestore(&passthrough_lock, flags);
    if (!rc && program && from) {
        log_info("SPI %u (INTID %u) taken from d%u for d%u until it is destroyed",
                 intid - VGIC_NR_PRIVATE, intid, from->id, vm->id);
    }
    return rc;
}

void vgic_hw_release_vm(struct vm *vm)
{
    unsigned long flags = spin_lock_irqsave(&passthrough_lock);
    struct vgic_owner_release r = vgic_owner_release(&spis, vm);

    for (unsigned int n = 0; n < VGIC_NR_IRQS - VGIC_NR_PRIVATE; n++) {
        if (r.disable & (1ull << n)) {
            gic_spi_disable(VGIC_NR_PRIVATE + n);
        } else if (r.give_back & (1ull << n)) {
            /* whatever vm left it at (masked in flight, perhaps): dom0's line starts low */
            gic_spi_enable(VGIC_NR_PRIVATE + n);
        }
    }
    spin_unlock_irqrestore(&passthrough_lock, flags);
    for (unsigned int n = 0; n < VGIC_NR_IRQS - VGIC_NR_PRIVATE; n++) {
        if (r.give_back & (1ull << n)) {
            log_info("SPI %u (INTID %u) given back to dom0 by d%u", n, VGIC_NR_PRIVATE + n, vm->id);
        }
    }
}

bool vgic_host_irq(uint32_t iar)
{
    uint32_t intid = iar & 0xffffff;
    struct vm *owner = NULL;

    if (intid == GIC_MAINT_PPI) {
        /* The exit that brought us here is the point: vgic_sync_lrs() reads the LRs. Drop the
         * level now, in case IRQs come on before that. */
        write_sysreg(ICH_HCR_EL2, read_sysreg(ICH_HCR_EL2) & ~ICH_HCR_EN);
        isb();
        gic_eoi(iar);
        return true;
    }
    if (intid < VGIC_NR_PRIVATE || intid >= VGIC_NR_IRQS) {
        return false;
    }
    spin_lock(&passthrough_lock); /* IRQs are off in the handler */
    owner = vgic_owner_of(&spis, intid);
    if (owner) {
        /* masked until the guest EOIs the virtual one (vgic_sync_lrs unmasks it) */
        gic_spi_disable(intid);
        gic_eoi(iar);
        vgic_set_irq(owner, NULL, intid, true);
    }
    spin_unlock(&passthrough_lock);
    return owner != NULL;
}
