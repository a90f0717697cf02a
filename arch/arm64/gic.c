/* SPDX-License-Identifier: MIT */
/*
 * The physical GICv3 (Arm GIC architecture specification v3/v4): the distributor once, then on
 * each CPU its redistributor (found by affinity) and the system-register CPU interface. All
 * interrupts are Group 1 Non-secure; QEMU's GIC runs with a single security state (DS=1).
 */
#define LOG_TAG "gic"
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/time.h>
#include <public/axvm/errno.h>
#include <arm64/arm64.h>
#include <arm64/sysreg.h>

#define GICD_CTLR           0x0000
#define GICD_TYPER          0x0004
#define GICD_IGROUPR        0x0080
#define GICD_ISENABLER      0x0100
#define GICD_ICENABLER      0x0180
#define GICD_IPRIORITYR     0x0400
#define GICD_IROUTER        0x6000
#define GICD_PIDR2          0xffe8
#define GICD_CTLR_RWP       (1u << 31)
#define GICD_CTLR_ARE       (1u << 4)
#define GICD_CTLR_ENABLE_G1 (1u << 1)
#define GICD_CTLR_ENABLE_G0 (1u << 0)

#define GICR_FRAME_SIZE   0x10000
#define GICR_TYPER        0x0008
#define GICR_WAKER        0x0014
#define GICR_TYPER_VLPIS  (1ull << 1)
#define GICR_TYPER_LAST   (1ull << 4)
#define GICR_WAKER_SLEEP  (1u << 1)
#define GICR_WAKER_ASLEEP (1u << 2)
#define GICR_SGI_BASE     0x10000
#define GICR_IGROUPR0     (GICR_SGI_BASE + 0x0080)
#define GICR_ISENABLER0   (GICR_SGI_BASE + 0x0100)
#define GICR_ICENABLER0   (GICR_SGI_BASE + 0x0180)
#define GICR_IPRIORITYR   (GICR_SGI_BASE + 0x0400)

#define ICC_SRE_SRE      (1u << 0)
#define ICC_SRE_ENABLE   (1u << 3)
#define DEFAULT_PRIORITY 0xa0u
#define WAIT_NS          (100 * NSEC_PER_MSEC)

static hpa_t gicd;
static hpa_t gicr_region;
static uint64_t gicr_region_size;
static unsigned int nr_lines;
static bool gic_ready;

static uint32_t read32(hpa_t a)
{
    return *(volatile uint32_t *)(uintptr_t)a;
}

static void write32(hpa_t a, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)a = v;
}

static void write64(hpa_t a, uint64_t v)
{
    *(volatile uint64_t *)(uintptr_t)a = v;
}

static uint64_t read64(hpa_t a)
{
    return *(volatile uint64_t *)(uintptr_t)a;
}

/* Wait until (read32(a) & mask) == want. Returns: 0 or -AXVM_EBUSY. */
static int wait_for(hpa_t a, uint32_t mask, uint32_t want)
{
    uint64_t start = arch_time_now_ns();

    while ((read32(a) & mask) != want) {
        if (arch_time_now_ns() - start > WAIT_NS) {
            return -AXVM_EBUSY;
        }
    }
    return 0;
}

unsigned int gic_version(void)
{
    return (read32(gicd + GICD_PIDR2) >> 4) & 0xf;
}

bool gic_is_ready(void)
{
    return READ_ONCE(gic_ready);
}

int gic_init(const struct arm64_platform *plat)
{
    uint32_t ctlr;

    if (!plat->gicd_hpa || !plat->gicr_hpa) {
        log_err("the device tree describes no GICv3 (compatible \"arm,gic-v3\")");
        return -AXVM_ENODEV;
    }
    gicd = plat->gicd_hpa;
    gicr_region = plat->gicr_hpa;
    gicr_region_size = plat->gicr_size;
    nr_lines = 32 * ((read32(gicd + GICD_TYPER) & 0x1f) + 1);
    ctlr = read32(gicd + GICD_CTLR);
    write32(gicd + GICD_CTLR, ctlr & ~(GICD_CTLR_ENABLE_G0 | GICD_CTLR_ENABLE_G1));
    if (wait_for(gicd + GICD_CTLR, GICD_CTLR_RWP, 0)) {
        log_err("distributor does not finish its register writes");
        return -AXVM_EIO;
    }
    for (unsigned int i = 32; i < nr_lines; i += 32) { /* SPIs: group 1, off */
        write32(gicd + GICD_IGROUPR + i / 8, 0xffffffffu);
        write32(gicd + GICD_ICENABLER + i / 8, 0xffffffffu);
    }
    for (unsigned int i = 32; i < nr_lines; i += 4) {
        write32(gicd + GICD_IPRIORITYR + i, DEFAULT_PRIORITY * 0x01010101u);
    }
    write32(gicd + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1 | GICD_CTLR_ENABLE_G0);
    wait_for(gicd + GICD_CTLR, GICD_CTLR_RWP, 0);
    log_info("GICv%u distributor at 0x%llx, %u interrupt lines", gic_version(),
             (unsigned long long)gicd, nr_lines);
    return gic_init_cpu();
}

/* The redistributor whose GICR_TYPER affinity matches this CPU's MPIDR, or 0. */
static hpa_t find_redistributor(uint64_t mpidr)
{
    uint64_t aff = (mpidr & 0xffffffULL) | ((mpidr >> 32 & 0xff) << 24);

    for (hpa_t rd = gicr_region; rd < gicr_region + gicr_region_size;) {
        uint64_t typer = read64(rd + GICR_TYPER);

        if ((typer >> 32) == aff) {
            return rd;
        }
        if (typer & GICR_TYPER_LAST) {
            break;
        }
        rd += (typer & GICR_TYPER_VLPIS) ? 4 * GICR_FRAME_SIZE : 2 * GICR_FRAME_SIZE;
    }
    return 0;
}

int gic_init_cpu(void)
{
    struct arch_percpu *a = &this_cpu()->arch;
    hpa_t rd;

    a->mpidr = read_sysreg(mpidr_el1);
    rd = find_redistributor(a->mpidr);
    if (!rd) {
        log_err("no redistributor for MPIDR 0x%llx", (unsigned long long)a->mpidr);
        return -AXVM_ENODEV;
    }
    a->gicr_hpa = rd;
    write32(rd + GICR_WAKER, read32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
    if (wait_for(rd + GICR_WAKER, GICR_WAKER_ASLEEP, 0)) {
        log_err("redistributor at 0x%llx does not wake up", (unsigned long long)rd);
        return -AXVM_EIO;
    }
    write32(rd + GICR_IGROUPR0, 0xffffffffu);
    write32(rd + GICR_ICENABLER0, 0xffffffffu);
    for (unsigned int i = 0; i < 32; i += 4) {
        write32(rd + GICR_IPRIORITYR + i, DEFAULT_PRIORITY * 0x01010101u);
    }
    /* and the virtual CPU interface's maintenance interrupt (arch/arm64/vgic_hw.c) */
    write32(rd + GICR_ISENABLER0, (1u << SGI_STOP) | (1u << SGI_KICK) | (1u << GIC_MAINT_PPI));

    write_sysreg(ICC_SRE_EL2, read_sysreg(ICC_SRE_EL2) | ICC_SRE_SRE | ICC_SRE_ENABLE);
    isb();
    write_sysreg(ICC_PMR_EL1, 0xff);
    write_sysreg(ICC_BPR1_EL1, 0);
    write_sysreg(ICC_CTLR_EL1, 0); /* EOImode 0: EOIR drops priority and deactivates */
    write_sysreg(ICC_IGRPEN1_EL1, 1);
    isb();
    WRITE_ONCE(gic_ready, true);
    return 0;
}

void gic_enable_ppi(uint32_t intid)
{
    write32(this_cpu()->arch.gicr_hpa + GICR_ISENABLER0, 1u << intid);
}

void gic_disable_ppi(uint32_t intid)
{
    write32(this_cpu()->arch.gicr_hpa + GICR_ICENABLER0, 1u << intid);
}

unsigned int gic_nr_lines(void)
{
    return nr_lines;
}

void gic_spi_enable(uint32_t intid)
{
    write32(gicd + GICD_ISENABLER + (intid / 32) * 4, 1u << (intid % 32));
}

void gic_spi_disable(uint32_t intid)
{
    write32(gicd + GICD_ICENABLER + (intid / 32) * 4, 1u << (intid % 32));
}

void gic_spi_route(uint32_t intid, uint64_t mpidr)
{
    /* GICD_IROUTER<n>: Aff3 at 39:32, Aff2-Aff0 at 23:0, IRM (bit 31) clear */
    write64(gicd + GICD_IROUTER + 8ull * intid, (mpidr & 0xffffffull) | (mpidr & 0xff00000000ull));
}

void gic_send_sgi_others(uint32_t intid)
{
    /* IRM (bit 40): every PE but this one. */
    write_sysreg(ICC_SGI1R_EL1, (1ULL << 40) | ((uint64_t)intid << 24));
    isb();
}

void gic_send_sgi(uint64_t mpidr, uint32_t intid)
{
    uint64_t aff1 = (mpidr >> 8) & 0xff, aff2 = (mpidr >> 16) & 0xff, aff3 = (mpidr >> 32) & 0xff;

    /* TargetList holds Aff0 as a bit (ICC_SGI1R_EL1: Aff0 0-15 in one affinity-1 group). */
    write_sysreg(ICC_SGI1R_EL1, (aff3 << 48) | (aff2 << 32) | ((uint64_t)intid << 24) |
                                    (aff1 << 16) | (1ULL << (mpidr & 0xf)));
    isb();
}

uint32_t gic_ack(void)
{
    uint32_t iar = (uint32_t)read_sysreg(ICC_IAR1_EL1);

    __asm__ volatile("dsb sy" ::: "memory");
    return iar;
}

void gic_eoi(uint32_t iar)
{
    write_sysreg(ICC_EOIR1_EL1, iar);
    isb();
}
