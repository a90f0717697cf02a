/* SPDX-License-Identifier: MIT */
/*
 * The GICv3 as a guest drives it (Arm IHI 0069, "GICv3 and GICv4 Software Overview" steps):
 * the distributor with affinity routing, each vCPU's redistributor woken, the CPU interface by
 * ICC_* system registers (group 1, priority mask open), interrupts acknowledged with IAR1 and
 * ended with EOIR1 (EOImode 0: priority drop and deactivation in one).
 */
#include "../guest.h"

#define GICD_CTLR       0x0000
#define GICD_TYPER      0x0004
#define GICD_IGROUPR    0x0080
#define GICD_ISENABLER  0x0100
#define GICD_ICENABLER  0x0180
#define GICD_IPRIORITYR 0x0400
#define GICD_IROUTER    0x6000
#define CTLR_RWP        (1u << 31)
#define CTLR_ENABLE     0x13u /* ARE(_NS) and group 1 (both the one- and two-security views) */

#define GICR_WAKER           0x0014
#define WAKER_SLEEP          (1u << 1)
#define WAKER_CHILDREN_SLEEP (1u << 2)
#define GICR_SGI             0x10000 /* the SGI/PPI frame */
#define GICR_IGROUPR0        (GICR_SGI + 0x0080)
#define GICR_ISENABLER0      (GICR_SGI + 0x0100)
#define GICR_ICENABLER0      (GICR_SGI + 0x0180)
#define GICR_IPRIORITYR      (GICR_SGI + 0x0400)

#define NR_INTIDS 96u /* GICD_TYPER.ITLinesNumber 2 */
#define PRIORITY  0xa0u

static irq_handler_fn handlers[NR_INTIDS];
static volatile uint32_t nr_unhandled;

void gic_handle_irq(void);

static uintptr_t redist(unsigned int cpu)
{
    return GUEST_GICR + (uintptr_t)cpu * GUEST_GICR_STRIDE;
}

uint32_t gic_dist_read32(unsigned int offset)
{
    return mmio_read32(GUEST_GICD + (offset));
}

uint64_t gic_redist_read64(unsigned int cpu, unsigned int offset)
{
    return mmio_read64(redist(cpu) + offset);
}

static void wait_rwp(void)
{
    for (unsigned int i = 0; i < 1000000 && (mmio_read32(GUEST_GICD + (GICD_CTLR)) & CTLR_RWP);
         i++) {
    }
}

void gic_init(void)
{
    static bool done;

    if (done) {
        return;
    }
    done = true;
    mmio_write32(GUEST_GICD + (GICD_CTLR), 0);
    wait_rwp();
    for (unsigned int n = 32; n < NR_INTIDS; n += 32) {
        mmio_write32(GUEST_GICD + (GICD_ICENABLER + n / 8), ~0u);
        mmio_write32(GUEST_GICD + (GICD_IGROUPR + n / 8), ~0u);
    }
    for (unsigned int n = 32; n < NR_INTIDS; n += 4) {
        mmio_write32(GUEST_GICD + (GICD_IPRIORITYR + n), PRIORITY * 0x01010101u);
    }
    wait_rwp();
    mmio_write32(GUEST_GICD + (GICD_CTLR), CTLR_ENABLE);
    wait_rwp();
    gic_init_cpu();
}

void gic_init_cpu(void)
{
    uintptr_t rd = redist(guest_cpu_id());

    mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~WAKER_SLEEP);
    for (unsigned int i = 0; i < 1000000 && (mmio_read32(rd + GICR_WAKER) & WAKER_CHILDREN_SLEEP);
         i++) {
    }
    mmio_write32(rd + GICR_ICENABLER0, ~0u);
    mmio_write32(rd + GICR_IGROUPR0, ~0u);
    for (unsigned int n = 0; n < 32; n += 4) {
        mmio_write32(rd + GICR_IPRIORITYR + n, PRIORITY * 0x01010101u);
    }
    write_sysreg(icc_sre_el1, read_sysreg(icc_sre_el1) | 1); /* system registers */
    __asm__ volatile("isb");
    write_sysreg(icc_pmr_el1, 0xff);
    write_sysreg(icc_bpr1_el1, 0);
    write_sysreg(icc_ctlr_el1, 0); /* EOImode 0 */
    write_sysreg(icc_igrpen1_el1, 1);
    __asm__ volatile("isb");
}

void gic_set_handler(uint32_t intid, irq_handler_fn fn)
{
    if (intid < NR_INTIDS) {
        handlers[intid] = fn;
    }
}

void gic_enable(uint32_t intid, bool on)
{
    uint32_t bit = 1u << (intid % 32);

    if (intid >= NR_INTIDS) {
        return;
    }
    if (intid < 32) {
        uintptr_t rd = redist(guest_cpu_id());

        mmio_write32(rd + (on ? GICR_ISENABLER0 : GICR_ICENABLER0), bit);
        return;
    }
    if (on) {
        mmio_write64(GUEST_GICD + GICD_IROUTER + 8 * intid, 0); /* vCPU 0 */
    }
    mmio_write32(GUEST_GICD + ((on ? GICD_ISENABLER : GICD_ICENABLER) + intid / 32 * 4), bit);
    wait_rwp();
}

void gic_send_sgi(uint32_t intid, uint32_t target_mask)
{
    __asm__ volatile("dsb ishst" ::: "memory");
    write_sysreg(icc_sgi1r_el1, ((uint64_t)(intid & 0xf) << 24) | (target_mask & 0xffff));
    __asm__ volatile("isb" ::: "memory");
}

void gic_send_sgi_others(uint32_t intid)
{
    __asm__ volatile("dsb ishst" ::: "memory");
    write_sysreg(icc_sgi1r_el1, ((uint64_t)(intid & 0xf) << 24) | (1ull << 40)); /* IRM */
    __asm__ volatile("isb" ::: "memory");
}

uint32_t gic_nr_unhandled(void)
{
    return nr_unhandled;
}

/* From the IRQ vector: every pending interrupt, until IAR1 says spurious (1023). */
void gic_handle_irq(void)
{
    for (;;) {
        uint32_t intid = (uint32_t)read_sysreg(icc_iar1_el1) & 0xffffff;

        if (intid >= 1020) {
            return;
        }
        if (intid < NR_INTIDS && handlers[intid]) {
            handlers[intid](intid);
        } else {
            nr_unhandled++;
        }
        write_sysreg(icc_eoir1_el1, intid);
        __asm__ volatile("isb");
    }
}
