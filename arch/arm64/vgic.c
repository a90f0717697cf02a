/* SPDX-License-Identifier: MIT */
/*
 * The virtual GICv3's register model: the distributor and redistributor windows of an arm64
 * guest (affinity routing only, a single security state as QEMU's virt board shows: DS=1),
 * the per-interrupt state, SGIs, and what goes into the list registers. Pure C, so it is
 * unit-tested on the host; vgic_hw.c moves the list registers in and out of the hardware.
 * Arm GIC architecture specification v3/v4 (IHI 0069), chapters 12 (registers) and 4.
 */
#define LOG_TAG "vgic"
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/vcpu.h>
#include <hv/vm.h>
#include <public/axvm/errno.h>
#include <arm64/vgic.h>

/* Distributor registers (12.9). */
#define GICD_CTLR       0x0000
#define GICD_TYPER      0x0004
#define GICD_IIDR       0x0008
#define GICD_TYPER2     0x000c
#define GICD_STATUSR    0x0010
#define GICD_BITS_START 0x0080 /* IGROUPR ... ICACTIVER: one bit per INTID, 0x80 apart */
#define GICD_BITS_END   0x0400
#define GICD_IPRIORITYR 0x0400
#define GICD_PRIO_END   0x0800
#define GICD_ICFGR      0x0c00
#define GICD_ICFGR_END  0x0d00
#define GICD_IROUTER    0x6000
#define GICD_IDREGS     0xffd0 /* PIDR4 ... CIDR3 */

#define GICD_CTLR_ENABLE_G0 (1u << 0)
#define GICD_CTLR_ENABLE_G1 (1u << 1)
#define GICD_CTLR_ARE       (1u << 4) /* RAO/WI: affinity routing only */
#define GICD_CTLR_DS        (1u << 6) /* RAO/WI: a single security state */
#define GICD_TYPER_LINES    ((VGIC_NR_IRQS / 32) - 1)
#define GICD_TYPER_IDBITS   (9u << 19)  /* 10-bit INTIDs: 0-1023 */
#define VGIC_IIDR           0x0000043bu /* JEP106 code of Arm, as QEMU's GIC reports */
#define IROUTER_IRM         (1ull << 31)
#define IROUTER_AFF_MASK    0xff00ffffffull /* Aff3 (39:32), Aff2-Aff0 (23:0) */

/* Redistributor registers (12.10, 12.11): RD frame, then the SGI frame. */
#define GICR_CTLR          0x0000
#define GICR_IIDR          0x0004
#define GICR_TYPER         0x0008
#define GICR_TYPER_HI      0x000c
#define GICR_WAKER         0x0014
#define GICR_IDREGS        0xffd0
#define GICR_SGI_FRAME     0x10000
#define GICR_TYPER_LAST    (1u << 4)
#define GICR_WAKER_SLEEP   (1u << 1)
#define GICR_WAKER_ASLEEP  (1u << 2)
#define GICR_ICFGR0        0x0c00
#define GICR_ICFGR1        0x0c04
#define GICR_ICFGR_SGI_ALL 0xaaaaaaaau /* SGIs are edge-triggered, read-only */

/* The kinds of one-bit-per-INTID registers, in their order from offset 0x80 on. */
enum bit_reg {
    REG_IGROUPR,
    REG_ISENABLER,
    REG_ICENABLER,
    REG_ISPENDR,
    REG_ICPENDR,
    REG_ISACTIVER,
    REG_ICACTIVER,
};

/* PIDR4 ... PIDR3, CIDR0 ... CIDR3 from 0xffd0 (ArchRev 3 in PIDR2, as Linux checks). */
static const uint8_t id_regs[12] = {0x44, 0, 0, 0, 0x92, 0xb4, 0x3b, 0, 0x0d, 0xf0, 0x05, 0xb1};

/* ICC_SGI1R_EL1 fields (12.2.23). */
#define SGI1R_TARGETS(v) ((unsigned int)((v)&0xffff))
#define SGI1R_AFF1(v)    (((v) >> 16) & 0xff)
#define SGI1R_INTID(v)   ((unsigned int)(((v) >> 24) & 0xf))
#define SGI1R_AFF2(v)    (((v) >> 32) & 0xff)
#define SGI1R_IRM        (1ull << 40)
#define SGI1R_RS(v)      ((unsigned int)(((v) >> 44) & 0xf))
#define SGI1R_AFF3(v)    (((v) >> 48) & 0xff)

_Static_assert(VM_MAX_VCPUS <= 16, "vCPU n has Aff0 n: one SGI target list reaches them all");
_Static_assert(VM_MAX_VCPUS < VGIC_NO_TARGET, "a vCPU id fits an SPI's target byte");

static struct vgic_dist *dist_of(struct vm *vm)
{
    return &vm->arch.vgic;
}

/* Returns: the state of intid as vCPU v sees it (v may be NULL for an SPI), or NULL. */
static struct vgic_irq *irq_of(struct vm *vm, struct vcpu *v, unsigned int intid)
{
    if (intid < VGIC_NR_PRIVATE) {
        return v ? &v->arch.vgic.priv[intid] : NULL;
    }
    if (intid < VGIC_NR_IRQS) {
        return &dist_of(vm)->spi[intid - VGIC_NR_PRIVATE];
    }
    return NULL;
}

static bool irq_is_pending(const struct vgic_irq *irq)
{
    return irq->latch || (!irq->edge && irq->line);
}

static bool group_enabled(const struct vgic_dist *d, const struct vgic_irq *irq)
{
    return irq->group1 ? d->enable_grp1 : d->enable_grp0;
}

/* Whether the distributor forwards irq to its CPU interface now (4.1). Context: lock held. */
static bool irq_can_fire(const struct vgic_dist *d, const struct vgic_irq *irq)
{
    return irq->enabled && irq_is_pending(irq) && !irq->active && group_enabled(d, irq);
}

static void reset_irq(struct vgic_irq *irq, bool edge)
{
    *irq = (struct vgic_irq){.edge = edge, .target = 0, .owner = 0};
}

/*
 * Wake the vCPUs in mask (bit n: vCPU n) for an interrupt they may take, and get them out of
 * their guest if they run elsewhere. A vCPU that is off (PSCI, or not started) stays off: an
 * interrupt does not start it. Context: no vGIC lock held.
 */
static void wake_vcpus(struct vm *vm, uint32_t mask)
{
    for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
        struct vcpu *t = vm->vcpus[i];

        if (!(mask & (1u << i)) || !t || READ_ONCE(t->state) == VCPU_OFFLINE) {
            continue;
        }
        sched_wake(t);
        if (READ_ONCE(t->pcpu) != this_cpu_id()) {
            sched_kick(t);
        }
    }
}

/* The vCPUs with an SPI they could take now. Context: lock held. */
static uint32_t spi_targets_to_wake(const struct vgic_dist *d)
{
    uint32_t mask = 0;

    for (unsigned int i = 0; i < VGIC_NR_IRQS - VGIC_NR_PRIVATE; i++) {
        if (d->spi[i].target != VGIC_NO_TARGET && irq_can_fire(d, &d->spi[i])) {
            mask |= 1u << d->spi[i].target;
        }
    }
    return mask;
}

/* Whether v has a private interrupt it could take now. Context: lock held. */
static bool private_can_fire(const struct vgic_dist *d, const struct vcpu *v)
{
    for (unsigned int i = 0; i < VGIC_NR_PRIVATE; i++) {
        if (irq_can_fire(d, &v->arch.vgic.priv[i])) {
            return true;
        }
    }
    return false;
}

/* The one-bit-per-INTID registers over 32 interrupts from irqs. */
static uint32_t bits_read(const struct vgic_irq *irqs, enum bit_reg reg)
{
    uint32_t value = 0;

    for (unsigned int i = 0; i < 32; i++) {
        const struct vgic_irq *irq = &irqs[i];
        bool bit = false;

        switch (reg) {
        case REG_IGROUPR:
            bit = irq->group1;
            break;
        case REG_ISENABLER:
        case REG_ICENABLER:
            bit = irq->enabled;
            break;
        case REG_ISPENDR:
        case REG_ICPENDR:
            bit = irq_is_pending(irq);
            break;
        case REG_ISACTIVER:
        case REG_ICACTIVER:
            bit = irq->active;
            break;
        }
        value |= (uint32_t)bit << i;
    }
    return value;
}

static void bits_write(struct vgic_irq *irqs, enum bit_reg reg, uint32_t value)
{
    for (unsigned int i = 0; i < 32; i++) {
        struct vgic_irq *irq = &irqs[i];
        bool bit = (value >> i) & 1;

        if (reg == REG_IGROUPR) {
            irq->group1 = bit;
        } else if (!bit) {
            continue; /* the set/clear registers ignore zeros */
        } else if (reg == REG_ISENABLER || reg == REG_ICENABLER) {
            irq->enabled = reg == REG_ISENABLER;
        } else if (reg == REG_ISPENDR || reg == REG_ICPENDR) {
            irq->latch = reg == REG_ISPENDR; /* a level line stays high if it is */
        } else {
            irq->active = reg == REG_ISACTIVER;
        }
    }
}

/* ICFGR: two bits per INTID, bit 1 of each set for edge-triggered. */
static uint32_t cfg_read(const struct vgic_irq *irqs)
{
    uint32_t value = 0;

    for (unsigned int i = 0; i < 16; i++) {
        value |= (uint32_t)irqs[i].edge << (2 * i + 1);
    }
    return value;
}

static void cfg_write(struct vgic_irq *irqs, uint32_t value)
{
    for (unsigned int i = 0; i < 16; i++) {
        irqs[i].edge = (value >> (2 * i + 1)) & 1;
    }
}

/* IPRIORITYR: one byte per INTID; bytes says which of the four the access writes. */
static uint32_t prio_read(const struct vgic_irq *irqs)
{
    uint32_t value = 0;

    for (unsigned int i = 0; i < 4; i++) {
        value |= (uint32_t)irqs[i].priority << (8 * i);
    }
    return value;
}

static void prio_write(struct vgic_irq *irqs, uint32_t value, unsigned int bytes)
{
    for (unsigned int i = 0; i < 4; i++) {
        if (bytes & (1u << i)) {
            irqs[i].priority = (uint8_t)(value >> (8 * i));
        }
    }
}

static uint32_t id_reg_read(uint64_t offset)
{
    uint64_t i = (offset - GICD_IDREGS) / 4;

    return i < sizeof(id_regs) ? id_regs[i] : 0;
}

/* The vCPU an IROUTER value names: Aff0 when Aff1-3 are 0 and the vCPU exists; IRM: vCPU 0. */
static uint8_t route_target(const struct vm *vm, uint64_t irouter)
{
    if (irouter & IROUTER_IRM) {
        return 0; /* 1 of N: any participating PE will do */
    }
    if ((irouter & ~0xffull) != 0 || (irouter & 0xff) >= vm->nr_vcpus) {
        return VGIC_NO_TARGET;
    }
    return (uint8_t)(irouter & 0xff);
}

/* A 32-bit read of the distributor at offset (4-aligned). Context: lock held. */
static uint32_t dist_read32(struct vm *vm, uint64_t offset)
{
    struct vgic_dist *d = dist_of(vm);

    if (offset == GICD_CTLR) {
        return GICD_CTLR_DS | GICD_CTLR_ARE | (d->enable_grp0 ? GICD_CTLR_ENABLE_G0 : 0) |
               (d->enable_grp1 ? GICD_CTLR_ENABLE_G1 : 0);
    }
    if (offset == GICD_TYPER) {
        return GICD_TYPER_IDBITS | (((vm->nr_vcpus - 1) & 7) << 5) | GICD_TYPER_LINES;
    }
    if (offset == GICD_IIDR) {
        return VGIC_IIDR;
    }
    if (offset >= GICD_BITS_START && offset < GICD_BITS_END) {
        unsigned int bank = (unsigned int)(offset & 0x7f) / 4;

        if (bank == 0 || bank >= VGIC_NR_IRQS / 32) {
            return 0; /* the redistributors own 0-31 under affinity routing */
        }
        return bits_read(&d->spi[(bank - 1) * 32], (enum bit_reg)(offset / 0x80 - 1));
    }
    if (offset >= GICD_IPRIORITYR + VGIC_NR_PRIVATE && offset < GICD_IPRIORITYR + VGIC_NR_IRQS) {
        return prio_read(&d->spi[offset - GICD_IPRIORITYR - VGIC_NR_PRIVATE]);
    }
    if (offset >= GICD_ICFGR + VGIC_NR_PRIVATE / 4 && offset < GICD_ICFGR + VGIC_NR_IRQS / 4) {
        return cfg_read(&d->spi[(offset - GICD_ICFGR) * 4 - VGIC_NR_PRIVATE]);
    }
    if (offset >= GICD_IROUTER + 8 * VGIC_NR_PRIVATE && offset < GICD_IROUTER + 8 * VGIC_NR_IRQS) {
        uint64_t r = d->irouter[(offset - GICD_IROUTER) / 8 - VGIC_NR_PRIVATE];

        return (uint32_t)(offset & 4 ? r >> 32 : r);
    }
    if (offset >= GICD_IDREGS) {
        return id_reg_read(offset);
    }
    return 0; /* TYPER2, STATUSR, ITARGETSR, IGRPMODR, NSACR, unimplemented: RAZ */
}

/*
 * A write of the bytes set in bytes (bit i: byte i) of the distributor word at offset.
 * Returns: the vCPUs to wake. Context: lock held.
 */
static uint32_t dist_write32(struct vm *vm, uint64_t offset, uint32_t value, unsigned int bytes)
{
    struct vgic_dist *d = dist_of(vm);

    if (offset >= GICD_IPRIORITYR + VGIC_NR_PRIVATE && offset < GICD_IPRIORITYR + VGIC_NR_IRQS) {
        prio_write(&d->spi[offset - GICD_IPRIORITYR - VGIC_NR_PRIVATE], value, bytes);
        return 0;
    }
    if (bytes != 0xf) {
        return 0; /* only the priorities take byte writes */
    }
    if (offset == GICD_CTLR) {
        d->enable_grp0 = value & GICD_CTLR_ENABLE_G0;
        d->enable_grp1 = value & GICD_CTLR_ENABLE_G1;
    } else if (offset >= GICD_BITS_START && offset < GICD_BITS_END) {
        unsigned int bank = (unsigned int)(offset & 0x7f) / 4;

        if (bank == 0 || bank >= VGIC_NR_IRQS / 32) {
            return 0;
        }
        bits_write(&d->spi[(bank - 1) * 32], (enum bit_reg)(offset / 0x80 - 1), value);
    } else if (offset >= GICD_ICFGR + VGIC_NR_PRIVATE / 4 &&
               offset < GICD_ICFGR + VGIC_NR_IRQS / 4) {
        cfg_write(&d->spi[(offset - GICD_ICFGR) * 4 - VGIC_NR_PRIVATE], value);
    } else if (offset >= GICD_IROUTER + 8 * VGIC_NR_PRIVATE &&
               offset < GICD_IROUTER + 8 * VGIC_NR_IRQS) {
        unsigned int i = (unsigned int)(offset - GICD_IROUTER) / 8 - VGIC_NR_PRIVATE;
        uint64_t r = d->irouter[i];

        r = offset & 4 ? (r & 0xffffffffull) | (uint64_t)value << 32 : (r & ~0xffffffffull) | value;
        d->irouter[i] = r & (IROUTER_AFF_MASK | IROUTER_IRM);
        d->spi[i].target = route_target(vm, d->irouter[i]);
    } else {
        return 0;
    }
    return spi_targets_to_wake(d);
}

/* A 32-bit read of vCPU v's redistributor (RD or SGI frame) at offset. Context: lock held. */
static uint32_t redist_read32(struct vcpu *v, uint64_t offset)
{
    struct vgic_cpu *c = &v->arch.vgic;
    struct vm *vm = v->vm;

    if (offset < GICR_SGI_FRAME) {
        switch (offset) {
        case GICR_IIDR:
            return VGIC_IIDR;
        case GICR_TYPER:
            return (v->id << 8) | (v->id == vm->nr_vcpus - 1 ? GICR_TYPER_LAST : 0);
        case GICR_TYPER_HI:
            return v->id; /* Affinity: Aff0 = the vCPU's index, as its MPIDR_EL1 */
        case GICR_WAKER:
            return c->sleep ? GICR_WAKER_SLEEP | GICR_WAKER_ASLEEP : 0;
        default:
            return offset >= GICR_IDREGS ? id_reg_read(offset - GICR_IDREGS + GICD_IDREGS) : 0;
        }
    }
    offset -= GICR_SGI_FRAME;
    if (offset >= GICD_BITS_START && offset < GICD_BITS_END && (offset & 0x7f) == 0) {
        return bits_read(c->priv, (enum bit_reg)(offset / 0x80 - 1));
    }
    if (offset >= GICD_IPRIORITYR && offset < GICD_IPRIORITYR + VGIC_NR_PRIVATE) {
        return prio_read(&c->priv[offset - GICD_IPRIORITYR]);
    }
    if (offset == GICR_ICFGR0 || offset == GICR_ICFGR1) {
        return cfg_read(&c->priv[(offset - GICR_ICFGR0) * 4]);
    }
    return 0; /* CTLR (no LPIs), STATUSR, IGRPMODR0, NSACR, unimplemented: RAZ */
}

/* A write to vCPU v's redistributor; bytes as dist_write32. Returns: whether v may wake. */
static bool redist_write32(struct vcpu *v, uint64_t offset, uint32_t value, unsigned int bytes)
{
    struct vgic_cpu *c = &v->arch.vgic;

    if (offset >= GICR_SGI_FRAME + GICD_IPRIORITYR &&
        offset < GICR_SGI_FRAME + GICD_IPRIORITYR + VGIC_NR_PRIVATE) {
        prio_write(&c->priv[offset - GICR_SGI_FRAME - GICD_IPRIORITYR], value, bytes);
        return false;
    }
    if (bytes != 0xf) {
        return false;
    }
    if (offset == GICR_WAKER) {
        c->sleep = value & GICR_WAKER_SLEEP; /* ChildrenAsleep follows at once */
        return false;
    }
    if (offset < GICR_SGI_FRAME) {
        return false;
    }
    offset -= GICR_SGI_FRAME;
    if (offset >= GICD_BITS_START && offset < GICD_BITS_END && (offset & 0x7f) == 0) {
        bits_write(c->priv, (enum bit_reg)(offset / 0x80 - 1), value);
        return true;
    }
    if (offset == GICR_ICFGR1) {
        cfg_write(&c->priv[16], value); /* PPIs; the SGIs' ICFGR0 is read-only */
    }
    return false;
}

/*
 * Split an access into 32-bit words: a 64-bit one is two, a narrow one touches some bytes of
 * one. Misaligned accesses read as zero and write nothing (never a fault for the guest).
 */
static bool access_is_aligned(uint64_t offset, unsigned int width)
{
    return (width == 1 || width == 2 || width == 4 || width == 8) && (offset & (width - 1)) == 0;
}

static unsigned int byte_mask(uint64_t offset, unsigned int width)
{
    return width >= 4 ? 0xf : ((1u << width) - 1) << (offset & 3);
}

static int gicd_read(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                     uint64_t *value)
{
    struct vgic_dist *d = container_of(dev, struct vgic_dist, gicd);
    unsigned long flags;
    uint64_t word;

    (void)v;
    *value = 0;
    if (!access_is_aligned(offset, width)) {
        return 0;
    }
    flags = spin_lock_irqsave(&d->lock);
    word = dist_read32(d->vm, offset & ~3ull);
    if (width == 8) {
        word |= (uint64_t)dist_read32(d->vm, offset + 4) << 32;
    }
    spin_unlock_irqrestore(&d->lock, flags);
    *value = width >= 4 ? word : (word >> (8 * (offset & 3))) & ((1u << (8 * width)) - 1);
    return 0;
}

static int gicd_write(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                      uint64_t value)
{
    struct vgic_dist *d = container_of(dev, struct vgic_dist, gicd);
    unsigned long flags;
    uint32_t wake;

    if (!access_is_aligned(offset, width)) {
        return 0;
    }
    if (width < 4) {
        value &= (1u << (8 * width)) - 1;
    }
    flags = spin_lock_irqsave(&d->lock);
    wake = dist_write32(d->vm, offset & ~3ull, (uint32_t)(value << (8 * (offset & 3))),
                        byte_mask(offset, width));
    if (width == 8) {
        wake |= dist_write32(d->vm, offset + 4, (uint32_t)(value >> 32), 0xf);
    }
    spin_unlock_irqrestore(&d->lock, flags);
    if (v) {
        wake &= ~(1u << v->id); /* the writer is out of its guest already */
    }
    wake_vcpus(d->vm, wake);
    return 0;
}

/* Returns: the vCPU whose GICR frame pair holds offset (offset made relative), or NULL. */
static struct vcpu *redist_vcpu(struct vgic_dist *d, uint64_t *offset)
{
    uint64_t n = *offset / AXVM_ARM64_GICR_STRIDE;

    if (n >= d->vm->nr_vcpus) {
        return NULL;
    }
    *offset -= n * AXVM_ARM64_GICR_STRIDE;
    return d->vm->vcpus[n];
}

static int gicr_read(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                     uint64_t *value)
{
    struct vgic_dist *d = container_of(dev, struct vgic_dist, gicr);
    struct vcpu *t = redist_vcpu(d, &offset);
    unsigned long flags;
    uint64_t word;

    (void)v;
    *value = 0;
    if (!t || !access_is_aligned(offset, width)) {
        return 0;
    }
    flags = spin_lock_irqsave(&d->lock);
    word = redist_read32(t, offset & ~3ull);
    if (width == 8) {
        word |= (uint64_t)redist_read32(t, offset + 4) << 32;
    }
    spin_unlock_irqrestore(&d->lock, flags);
    *value = width >= 4 ? word : (word >> (8 * (offset & 3))) & ((1u << (8 * width)) - 1);
    return 0;
}

static int gicr_write(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                      uint64_t value)
{
    struct vgic_dist *d = container_of(dev, struct vgic_dist, gicr);
    struct vcpu *t = redist_vcpu(d, &offset);
    unsigned long flags;
    bool wake;

    if (!t || !access_is_aligned(offset, width)) {
        return 0;
    }
    if (width < 4) {
        value &= (1u << (8 * width)) - 1;
    }
    flags = spin_lock_irqsave(&d->lock);
    wake = redist_write32(t, offset & ~3ull, (uint32_t)(value << (8 * (offset & 3))),
                          byte_mask(offset, width));
    if (width == 8) {
        wake |= redist_write32(t, offset + 4, (uint32_t)(value >> 32), 0xf);
    }
    wake = wake && t != v && private_can_fire(d, t);
    spin_unlock_irqrestore(&d->lock, flags);
    if (wake) {
        wake_vcpus(d->vm, 1u << t->id);
    }
    return 0;
}

static void gicd_destroy(struct device *dev)
{
    vgic_hw_release_vm(container_of(dev, struct vgic_dist, gicd)->vm);
}

static void gicr_destroy(struct device *dev)
{
    (void)dev; /* embedded in the VM: freed with it */
}

static const struct device_ops gicd_ops = {
    .read = gicd_read,
    .write = gicd_write,
    .destroy = gicd_destroy,
};

static const struct device_ops gicr_ops = {
    .read = gicr_read,
    .write = gicr_write,
    .destroy = gicr_destroy,
};

void vgic_vcpu_init(struct vcpu *v)
{
    struct vgic_cpu *c = &v->arch.vgic;

    for (unsigned int i = 0; i < VGIC_NR_PRIVATE; i++) {
        reset_irq(&c->priv[i], i < 16); /* SGIs edge; PPIs level until the guest says */
    }
    c->sleep = true;
    /* VFIQEn, VBPR1 3, VBPR0 2: QEMU's reset value; at least the minimum on any GIC */
    c->vmcr = (1u << 3) | (3u << 18) | (2u << 21);
    for (unsigned int i = 0; i < VGIC_MAX_APRS; i++) {
        c->ap0r[i] = 0;
        c->ap1r[i] = 0;
    }
    c->nr_lrs_used = 0;
}

int vgic_vm_init(struct vm *vm)
{
    struct vgic_dist *d = dist_of(vm);
    int rc;

    spin_lock_init(&d->lock);
    d->enable_grp0 = false;
    d->enable_grp1 = false;
    d->vm = vm;
    for (unsigned int i = 0; i < VGIC_NR_IRQS - VGIC_NR_PRIVATE; i++) {
        reset_irq(&d->spi[i], false);
        d->irouter[i] = 0; /* Aff 0.0.0.0: vCPU 0 */
    }
    d->gicd = (struct device){"gicd", DEV_SPACE_MMIO, AXVM_ARM64_GICD_BASE, AXVM_ARM64_GICD_SIZE,
                              &gicd_ops};
    d->gicr = (struct device){"gicr", DEV_SPACE_MMIO, AXVM_ARM64_GICR_BASE,
                              AXVM_ARM64_GICR_STRIDE * vm->nr_vcpus, &gicr_ops};
    rc = devbus_attach(&vm->devices, &d->gicd);
    if (rc) {
        return rc;
    }
    return devbus_attach(&vm->devices, &d->gicr);
}

void vgic_set_irq(struct vm *vm, struct vcpu *v, unsigned int intid, bool level)
{
    struct vgic_dist *d = dist_of(vm);
    struct vgic_irq *irq = irq_of(vm, v, intid);
    uint32_t wake = 0;
    unsigned long flags;

    if (!irq) {
        log_dbg("d%u: no interrupt %u to drive", vm->id, intid);
        return;
    }
    flags = spin_lock_irqsave(&d->lock);
    if (irq->edge) {
        irq->latch |= level; /* each call with level high is one edge */
    } else {
        irq->line = level;
    }
    if (irq_can_fire(d, irq)) {
        if (intid < VGIC_NR_PRIVATE) {
            wake = 1u << v->id;
        } else if (irq->target != VGIC_NO_TARGET) {
            wake = 1u << irq->target;
        }
    }
    spin_unlock_irqrestore(&d->lock, flags);
    wake_vcpus(vm, wake);
}

void vgic_mark_hw(struct vm *vm, unsigned int intid)
{
    struct vgic_dist *d = dist_of(vm);
    unsigned long flags;

    if (intid < VGIC_NR_PRIVATE || intid >= VGIC_NR_IRQS) {
        return;
    }
    flags = spin_lock_irqsave(&d->lock);
    d->spi[intid - VGIC_NR_PRIVATE].hw = true;
    d->spi[intid - VGIC_NR_PRIVATE].edge = false; /* held high until the guest EOIs it */
    d->spi[intid - VGIC_NR_PRIVATE].line = false; /* the physical SPI says when it is high */
    spin_unlock_irqrestore(&d->lock, flags);
}

void vgic_unmark_hw(struct vm *vm, unsigned int intid)
{
    struct vgic_dist *d = dist_of(vm);
    unsigned long flags;

    if (intid < VGIC_NR_PRIVATE || intid >= VGIC_NR_IRQS) {
        return;
    }
    /*
     * The line drops: what fired before is not taken any more (it may still sit in a list
     * register of a running vCPU: vgic_owner.c says why that is harmless). Without hw, the
     * guest's EOI unmasks nothing at the physical distributor. The rest is the guest's own
     * virtual state and stays: a pending latch (ISPENDR), the active state, enable, priority.
     */
    flags = spin_lock_irqsave(&d->lock);
    d->spi[intid - VGIC_NR_PRIVATE].hw = false;
    d->spi[intid - VGIC_NR_PRIVATE].line = false;
    spin_unlock_irqrestore(&d->lock, flags);
}

void vgic_sgi1r_write(struct vcpu *v, uint64_t value)
{
    struct vm *vm = v->vm;
    struct vgic_dist *d = dist_of(vm);
    unsigned int intid = SGI1R_INTID(value);
    uint32_t targets = 0, wake = 0;
    unsigned long flags;

    if (value & SGI1R_IRM) {
        targets = ((1u << vm->nr_vcpus) - 1) & ~(1u << v->id); /* every other PE */
    } else if (SGI1R_AFF1(value) == 0 && SGI1R_AFF2(value) == 0 && SGI1R_AFF3(value) == 0 &&
               SGI1R_RS(value) == 0) {
        /* Aff0 of vCPU n is n < 16: range 0 of Aff 0.0.0 holds every one */
        targets = SGI1R_TARGETS(value) & ((1u << vm->nr_vcpus) - 1);
    }
    flags = spin_lock_irqsave(&d->lock);
    for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
        struct vgic_irq *irq;

        if (!(targets & (1u << i)) || !vm->vcpus[i]) {
            continue;
        }
        irq = &vm->vcpus[i]->arch.vgic.priv[intid];
        irq->latch = true;
        if (irq_can_fire(d, irq)) {
            wake |= 1u << i;
        }
    }
    spin_unlock_irqrestore(&d->lock, flags);
    wake_vcpus(vm, wake & ~(1u << v->id));
}

/* Whether v's virtual CPU interface would signal irq (group enabled, under its PMR). */
static bool cpuif_would_take(const struct vgic_cpu *c, const struct vgic_irq *irq)
{
    uint64_t veng = irq->group1 ? (1u << 1) : (1u << 0);
    uint32_t vpmr = (uint32_t)(c->vmcr >> 24) & 0xff;

    return (c->vmcr & veng) && irq->priority < vpmr;
}

bool vgic_vcpu_pending(struct vcpu *v)
{
    struct vgic_dist *d = dist_of(v->vm);
    const struct vgic_cpu *c = &v->arch.vgic;
    unsigned long flags;
    bool found = false;

    flags = spin_lock_irqsave(&d->lock);
    for (unsigned int i = 0; i < VGIC_NR_IRQS && !found; i++) {
        const struct vgic_irq *irq = irq_of(v->vm, v, i);

        if (i >= VGIC_NR_PRIVATE && irq->target != v->id) {
            continue;
        }
        found = irq_can_fire(d, irq) && cpuif_would_take(c, irq);
    }
    spin_unlock_irqrestore(&d->lock, flags);
    return found;
}

/* Whether INTID a goes into v's list registers before b: active ones, then by priority. */
static bool candidate_before(struct vcpu *v, unsigned int a, unsigned int b)
{
    const struct vgic_irq *ia = irq_of(v->vm, v, a), *ib = irq_of(v->vm, v, b);

    if (ia->active != ib->active) {
        return ia->active;
    }
    if (ia->priority != ib->priority) {
        return ia->priority < ib->priority;
    }
    return a < b;
}

/* Whether irq belongs in v's list registers. Context: lock held. */
static bool wants_lr(const struct vgic_dist *d, const struct vcpu *v, unsigned int intid,
                     const struct vgic_irq *irq)
{
    if (irq->in_lr) {
        return false; /* another vCPU's guest holds it (an SPI that was rerouted) */
    }
    if (intid >= VGIC_NR_PRIVATE) {
        if (irq->active) {
            return irq->owner == v->id;
        }
        if (irq->target != v->id) {
            return false;
        }
    }
    return irq->active || irq_can_fire(d, irq);
}

static uint64_t lr_value(const struct vgic_dist *d, unsigned int intid, const struct vgic_irq *irq)
{
    uint64_t lr = intid | (uint64_t)irq->priority << ICH_LR_PRIO_SHIFT;

    lr |= irq->group1 ? ICH_LR_GROUP1 : 0;
    lr |= irq->active ? ICH_LR_ACTIVE : 0;
    lr |= irq_is_pending(irq) && irq->enabled && group_enabled(d, irq) ? ICH_LR_PENDING : 0;
    if (!irq->edge) {
        lr |= ICH_LR_EOI; /* learn when the guest is done, to sample the line again */
    }
    return lr;
}

struct vgic_lr_set vgic_lr_build(struct vcpu *v, uint64_t *lrs, unsigned int nr_lrs)
{
    struct vgic_dist *d = dist_of(v->vm);
    uint8_t cand[VGIC_NR_IRQS]; /* INTIDs, in the order they go into the LRs */
    struct vgic_lr_set set = {0, ICH_HCR_EN};
    unsigned int nr = 0;
    unsigned long flags;

    nr_lrs = nr_lrs < VGIC_MAX_LRS ? nr_lrs : VGIC_MAX_LRS;
    flags = spin_lock_irqsave(&d->lock);
    for (unsigned int i = 0; i < VGIC_NR_IRQS; i++) {
        unsigned int j = nr;

        if (!wants_lr(d, v, i, irq_of(v->vm, v, i))) {
            continue;
        }
        for (; j > 0 && candidate_before(v, i, cand[j - 1]); j--) { /* insertion sort */
            cand[j] = cand[j - 1];
        }
        cand[j] = (uint8_t)i;
        nr++;
    }
    for (; set.nr < nr && set.nr < nr_lrs; set.nr++) {
        struct vgic_irq *irq = irq_of(v->vm, v, cand[set.nr]);

        lrs[set.nr] = lr_value(d, cand[set.nr], irq);
        if (irq->edge && (lrs[set.nr] & ICH_LR_PENDING)) {
            irq->latch = false; /* the LR holds this edge now */
        }
        irq->in_lr = true;
    }
    if (nr > set.nr) {
        /*
         * Refill once the guest has drained the LRs: an underflow maintenance interrupt (at
         * most one LR left valid). With a single LR that holds at once, so then ask for "no LR
         * pending" instead.
         */
        set.hcr |= nr_lrs > 1 ? ICH_HCR_UIE : ICH_HCR_NPIE;
    }
    spin_unlock_irqrestore(&d->lock, flags);
    v->arch.vgic.nr_lrs_used = set.nr;
    return set;
}

uint64_t vgic_lr_fold(struct vcpu *v, const uint64_t *lrs, unsigned int nr)
{
    struct vgic_dist *d = dist_of(v->vm);
    uint64_t unmask = 0;
    unsigned long flags;

    flags = spin_lock_irqsave(&d->lock);
    for (unsigned int i = 0; i < nr; i++) {
        unsigned int intid = (unsigned int)(lrs[i] & ICH_LR_VINTID);
        struct vgic_irq *irq = irq_of(v->vm, v, intid);
        bool pending = lrs[i] & ICH_LR_PENDING;

        if (!irq) {
            continue; /* not one we wrote: cannot happen */
        }
        irq->in_lr = false;
        irq->active = lrs[i] & ICH_LR_ACTIVE;
        irq->owner = (uint8_t)v->id;
        if (irq->edge) {
            irq->latch |= pending; /* not yet acknowledged; new edges may have come */
        } else if (!pending) {
            irq->latch = false; /* acknowledged: a level one stays pending only while high */
        }
        if (irq->hw && !irq->active && !pending) {
            irq->line = false; /* EOI'd: the physical SPI says again when it is high */
            unmask |= 1ull << (intid - VGIC_NR_PRIVATE);
        }
    }
    spin_unlock_irqrestore(&d->lock, flags);
    return unmask;
}
