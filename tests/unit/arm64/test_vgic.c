/* SPDX-License-Identifier: MIT */
/*
 * Suite "vgic": arch/arm64/vgic.c, the virtual GICv3's register model, on a hand-built VM of
 * four vCPUs reached through its device bus: the distributor and redistributor registers,
 * SGIs, waking, and what goes into the list registers (with the LR values a guest leaves).
 */
#include <stdint.h>
#include <string.h>
#include <hv/devbus.h>
#include <hv/vcpu.h>
#include <hv/vm.h>
#include <arm64/vgic.h>
#include <fake_vm.h>
#include <unit.h>

#define NR_VCPUS     4u
#define NR_LRS       4u
#define GICD(off)    (AXVM_ARM64_GICD_BASE + (off))
#define GICR(n, off) (AXVM_ARM64_GICR_BASE + (n)*AXVM_ARM64_GICR_STRIDE + (off))
#define SGI(n, off)  GICR(n, 0x10000 + (off))
#define LR_STATE(lr) ((lr) >> 62)
#define LR_PRIO(lr)  (((lr) >> 48) & 0xff)
#define LR_INTID(lr) ((unsigned int)((lr)&0xffffffff))
#define VMCR_ON(pmr) (((uint64_t)(pmr) << 24) | 2u) /* VENG1, priority mask pmr */

static struct vm *vm;
static struct vcpu vcpus[NR_VCPUS];
static unsigned int nr_releases;

/* vgic_hw.c's hook, which the host does not build. */
void vgic_hw_release_vm(struct vm *released)
{
    CU_ASSERT_PTR_EQUAL(released, vm);
    nr_releases++;
}

static uint64_t rd(uint64_t gpa, unsigned int width)
{
    uint64_t value = 0xdeadbeef;

    CU_ASSERT_EQUAL(devbus_read(&vm->devices, &vcpus[0], DEV_SPACE_MMIO, gpa, width, &value), 0);
    return value;
}

static void wr_as(struct vcpu *v, uint64_t gpa, unsigned int width, uint64_t value)
{
    CU_ASSERT_EQUAL(devbus_write(&vm->devices, v, DEV_SPACE_MMIO, gpa, width, value), 0);
}

static void wr(uint64_t gpa, unsigned int width, uint64_t value)
{
    wr_as(&vcpus[0], gpa, width, value);
}

static void vgic_setup(void)
{
    static struct vm the_vm;

    fake_vm_reset();
    memset(&the_vm, 0, sizeof(the_vm));
    vm = &the_vm;
    devbus_init(&vm->devices);
    vm->nr_vcpus = NR_VCPUS;
    for (unsigned int i = 0; i < NR_VCPUS; i++) {
        memset(&vcpus[i], 0, sizeof(vcpus[i]));
        vcpus[i].vm = vm;
        vcpus[i].id = i;
        vcpus[i].pcpu = i; /* vCPU 0 runs here (the host is CPU 0), the others elsewhere */
        vcpus[i].state = VCPU_BLOCKED;
        vm->vcpus[i] = &vcpus[i];
        vgic_vcpu_init(&vcpus[i]);
    }
    nr_releases = 0;
    CU_ASSERT_EQUAL(vgic_vm_init(vm), 0);
}

/* Group 1 on, and SPI intid (or private intid of vCPU 0) group 1, enabled, priority prio. */
static void enable_spi(unsigned int intid, uint8_t prio)
{
    uint32_t bit = 1u << (intid % 32);

    wr(GICD(0x0), 4, 2);
    wr(GICD(0x80 + intid / 32 * 4), 4, rd(GICD(0x80 + intid / 32 * 4), 4) | bit);
    wr(GICD(0x100 + intid / 32 * 4), 4, bit);
    wr(GICD(0x400 + intid), 1, prio);
}

static void enable_private(unsigned int n, unsigned int intid, uint8_t prio)
{
    wr(GICD(0x0), 4, 2);
    wr(SGI(n, 0x80), 4, rd(SGI(n, 0x80), 4) | (1u << intid));
    wr(SGI(n, 0x100), 4, 1u << intid);
    wr(SGI(n, 0x400 + intid), 1, prio);
}

static void test_vgic_gicd_reset_and_id_registers(void)
{
    CU_ASSERT_EQUAL(rd(GICD(0x0), 4), 0x50); /* DS | ARE, nothing enabled */
    CU_ASSERT_EQUAL(rd(GICD(0x4), 4), (9u << 19) | ((NR_VCPUS - 1) << 5) | 2);
    CU_ASSERT_EQUAL(rd(GICD(0x8), 4), 0x43b);
    CU_ASSERT_EQUAL(rd(GICD(0xc), 4), 0); /* TYPER2 */
    CU_ASSERT_EQUAL(rd(GICD(0x10), 4), 0);
    CU_ASSERT_EQUAL((rd(GICD(0xffe8), 4) >> 4) & 0xf, 3); /* PIDR2.ArchRev: GICv3 */
    CU_ASSERT_EQUAL(rd(GICD(0xfff0), 4), 0x0d);
    CU_ASSERT_EQUAL(rd(GICD(0xfffc), 4), 0xb1);
    CU_ASSERT_EQUAL(rd(GICD(0x6100), 8), 0); /* IROUTER32: Aff 0.0.0.0 */
}

static void test_vgic_gicd_ctlr_keeps_only_the_group_enables(void)
{
    wr(GICD(0x0), 4, 0xffffffff);
    CU_ASSERT_EQUAL(rd(GICD(0x0), 4), 0x53);
    wr(GICD(0x0), 4, 0);
    CU_ASSERT_EQUAL(rd(GICD(0x0), 4), 0x50); /* ARE and DS stay */
}

static void test_vgic_gicd_set_clear_registers_change_only_named_bits(void)
{
    static const uint64_t set_clear[][2] = {{0x100, 0x180}, {0x200, 0x280}, {0x300, 0x380}};

    for (unsigned int r = 0; r < 3; r++) {
        uint64_t set = set_clear[r][0], clear = set_clear[r][1];

        wr(GICD(set + 4), 4, 0x80000011u);
        wr(GICD(set + 4), 4, 0x00000100u);
        CU_ASSERT_EQUAL(rd(GICD(set + 4), 4), 0x80000111u);
        CU_ASSERT_EQUAL(rd(GICD(clear + 4), 4), 0x80000111u);
        wr(GICD(clear + 4), 4, 0x80000001u);
        CU_ASSERT_EQUAL(rd(GICD(set + 4), 4), 0x110u);
        /* INTIDs 0-31 belong to the redistributors; 96 and up do not exist */
        wr(GICD(set), 4, 0xffffffff);
        CU_ASSERT_EQUAL(rd(GICD(set), 4), 0);
        CU_ASSERT_EQUAL(rd(SGI(0, set), 4), 0);
        wr(GICD(set + 12), 4, 0xffffffff);
        CU_ASSERT_EQUAL(rd(GICD(set + 12), 4), 0);
    }
    wr(GICD(0x84), 4, 0xf0f0f0f0);
    CU_ASSERT_EQUAL(rd(GICD(0x84), 4), 0xf0f0f0f0);
    CU_ASSERT_EQUAL(rd(GICD(0x88), 4), 0);
}

static void test_vgic_gicd_priorities_take_byte_and_word_accesses(void)
{
    wr(GICD(0x420), 4, 0x40302010);
    CU_ASSERT_EQUAL(rd(GICD(0x420), 4), 0x40302010);
    wr(GICD(0x422), 1, 0xa0);
    CU_ASSERT_EQUAL(rd(GICD(0x420), 4), 0x40a02010);
    CU_ASSERT_EQUAL(rd(GICD(0x423), 1), 0x40);
    CU_ASSERT_EQUAL(rd(GICD(0x422), 2), 0x40a0);
    CU_ASSERT_EQUAL(rd(GICD(0x420), 8), 0x40a02010); /* 36-39 still 0 */
    wr(GICD(0x45c), 4, 0x11223344);                  /* 92-95, the last */
    CU_ASSERT_EQUAL(rd(GICD(0x45c), 4), 0x11223344);
    wr(GICD(0x460), 4, 0xffffffff); /* 96: none */
    CU_ASSERT_EQUAL(rd(GICD(0x460), 4), 0);
    wr(GICD(0x400), 4, 0xffffffff); /* private: RAZ/WI here */
    CU_ASSERT_EQUAL(rd(GICD(0x400), 4), 0);
}

static void test_vgic_gicd_icfgr_keeps_the_edge_bits_of_spis(void)
{
    wr(GICD(0xc08), 4, 0xffffffff);
    CU_ASSERT_EQUAL(rd(GICD(0xc08), 4), 0xaaaaaaaa);
    wr(GICD(0xc08), 4, 0x00000008);
    CU_ASSERT_EQUAL(rd(GICD(0xc08), 4), 0x00000008);
    wr(GICD(0xc00), 4, 0xffffffff);
    CU_ASSERT_EQUAL(rd(GICD(0xc00), 4), 0);
}

/* The vCPU whose LRs get SPI intid (enabled and pending), or -1. */
static int spi_lands_on(unsigned int intid)
{
    uint64_t lrs[NR_LRS];
    int found = -1;

    for (unsigned int i = 0; i < NR_VCPUS; i++) {
        struct vgic_lr_set set = vgic_lr_build(&vcpus[i], lrs, NR_LRS);

        for (unsigned int n = 0; n < set.nr; n++) {
            if (LR_INTID(lrs[n]) == intid) {
                found = (int)i;
            }
        }
        for (unsigned int n = 0; n < set.nr; n++) {
            lrs[n] = lrs[n] & ~(3ull << 62); /* as if handled */
        }
        vgic_lr_fold(&vcpus[i], lrs, set.nr);
    }
    return found;
}

static void test_vgic_gicd_irouter_routes_to_the_vcpu_of_aff0(void)
{
    enable_spi(40, 0xa0);
    wr(GICD(0xc08), 4, 0x2u << 16); /* 40 edge, so "handled" ends it */
    wr(GICD(0x6140), 8, 2);
    CU_ASSERT_EQUAL(rd(GICD(0x6140), 8), 2);
    CU_ASSERT_EQUAL(rd(GICD(0x6140), 4), 2);
    wr(GICD(0x204), 4, 1u << 8);
    CU_ASSERT_EQUAL(spi_lands_on(40), 2);
    wr(GICD(0x6140), 4, 3); /* 32-bit halves */
    wr(GICD(0x6144), 4, 0);
    wr(GICD(0x204), 4, 1u << 8);
    CU_ASSERT_EQUAL(spi_lands_on(40), 3);
    wr(GICD(0x6140), 8, 1ull << 31 | 3); /* IRM: 1 of N, vCPU 0 here */
    CU_ASSERT_EQUAL(rd(GICD(0x6140), 8), 1ull << 31 | 3);
    wr(GICD(0x204), 4, 1u << 8);
    CU_ASSERT_EQUAL(spi_lands_on(40), 0);
    wr(GICD(0x6140), 8, 0x100); /* Aff1 1: no such vCPU */
    wr(GICD(0x204), 4, 1u << 8);
    CU_ASSERT_EQUAL(spi_lands_on(40), -1);
    wr(GICD(0x6140), 8, NR_VCPUS); /* Aff0 past the last vCPU */
    CU_ASSERT_EQUAL(spi_lands_on(40), -1);
    wr(GICD(0x6140), 8, 0xffffffffffffffffull); /* reserved bits dropped */
    CU_ASSERT_EQUAL(rd(GICD(0x6140), 8), 0xff80ffffffull);
}

static void test_vgic_bad_accesses_read_zero_and_write_nothing(void)
{
    uint64_t value = 1;

    wr(GICD(0x420), 4, 0x44332211);
    CU_ASSERT_EQUAL(rd(GICD(0x421), 4), 0); /* misaligned */
    wr(GICD(0x421), 4, 0xffffffff);
    wr(GICD(0x102), 2, 0xffff); /* narrow write to an enable register */
    wr(GICD(0x104), 1, 0xff);
    CU_ASSERT_EQUAL(rd(GICD(0x104), 4), 0);
    CU_ASSERT_EQUAL(rd(GICD(0x420), 4), 0x44332211);
    CU_ASSERT_EQUAL(rd(GICD(0x4000), 4), 0);
    CU_ASSERT_EQUAL(rd(GICD(0xfffc), 8 / 2), 0xb1);
    wr(GICD(0x5000), 4, 0xffffffff);
    wr(GICD(0xffe8), 4, 0);
    CU_ASSERT_EQUAL(rd(GICD(0xffe8), 4), 0x3b);
    CU_ASSERT_EQUAL(rd(GICR(0, 0x0), 4), 0); /* GICR_CTLR: no LPIs */
    CU_ASSERT_EQUAL(rd(GICR(1, 0x20000 - 4), 4), 0);
    /* the GICR window ends after the last vCPU's frames */
    CU_ASSERT_EQUAL(
        devbus_read(&vm->devices, &vcpus[0], DEV_SPACE_MMIO, GICR(NR_VCPUS, 0x8), 4, &value),
        -AXVM_ENODEV);
}

static void test_vgic_gicr_typer_names_each_vcpu_and_the_last(void)
{
    for (unsigned int i = 0; i < NR_VCPUS; i++) {
        uint64_t want = (uint64_t)i << 32 | i << 8 | (i == NR_VCPUS - 1 ? 1u << 4 : 0);

        CU_ASSERT_EQUAL(rd(GICR(i, 0x8), 8), want);
        CU_ASSERT_EQUAL(rd(GICR(i, 0x8), 4), (uint32_t)want);
        CU_ASSERT_EQUAL(rd(GICR(i, 0xc), 4), i);
        CU_ASSERT_EQUAL((rd(GICR(i, 0xffe8), 4) >> 4) & 0xf, 3);
        CU_ASSERT_EQUAL(rd(GICR(i, 0x4), 4), 0x43b);
    }
}

static void test_vgic_gicr_waker_children_follow_processor_sleep(void)
{
    CU_ASSERT_EQUAL(rd(GICR(1, 0x14), 4), 6);
    wr(GICR(1, 0x14), 4, 0);
    CU_ASSERT_EQUAL(rd(GICR(1, 0x14), 4), 0);
    CU_ASSERT_EQUAL(rd(GICR(2, 0x14), 4), 6); /* each its own */
    wr(GICR(1, 0x14), 4, 2);
    CU_ASSERT_EQUAL(rd(GICR(1, 0x14), 4), 6);
}

static void test_vgic_gicr_sgi_frame_is_per_vcpu(void)
{
    wr(SGI(1, 0x100), 4, 0x08000001);
    CU_ASSERT_EQUAL(rd(SGI(1, 0x100), 4), 0x08000001);
    CU_ASSERT_EQUAL(rd(SGI(2, 0x100), 4), 0);
    wr(SGI(1, 0x180), 4, 1);
    CU_ASSERT_EQUAL(rd(SGI(1, 0x100), 4), 0x08000000);
    wr(SGI(1, 0x080), 4, 0xffffffff);
    CU_ASSERT_EQUAL(rd(SGI(1, 0x080), 4), 0xffffffff);
    wr(SGI(1, 0x104), 4, 0xffffffff); /* there is only one bank */
    CU_ASSERT_EQUAL(rd(SGI(1, 0x104), 4), 0);
    wr(SGI(1, 0x418), 4, 0x80706050);
    wr(SGI(1, 0x41b), 1, 0x20);
    CU_ASSERT_EQUAL(rd(SGI(1, 0x418), 4), 0x20706050);
    CU_ASSERT_EQUAL(rd(SGI(2, 0x418), 4), 0);
    CU_ASSERT_EQUAL(rd(SGI(1, 0xc00), 4), 0xaaaaaaaa); /* SGIs: edge, read-only */
    wr(SGI(1, 0xc00), 4, 0);
    CU_ASSERT_EQUAL(rd(SGI(1, 0xc00), 4), 0xaaaaaaaa);
    CU_ASSERT_EQUAL(rd(SGI(1, 0xc04), 4), 0); /* PPIs: level at reset */
    wr(SGI(1, 0xc04), 4, 0x2u << 22);
    CU_ASSERT_EQUAL(rd(SGI(1, 0xc04), 4), 0x2u << 22);
    wr(SGI(1, 0x200), 4, 1u << 27);
    CU_ASSERT_EQUAL(rd(SGI(1, 0x200), 4), 1u << 27);
    CU_ASSERT_EQUAL(rd(SGI(0, 0x200), 4), 0);
}

/* Which vCPUs have SGI intid pending (bit n: vCPU n). */
static unsigned int sgi_pending_on(unsigned int intid)
{
    unsigned int mask = 0;

    for (unsigned int i = 0; i < NR_VCPUS; i++) {
        if (rd(SGI(i, 0x200), 4) & (1u << intid)) {
            mask |= 1u << i;
            wr(SGI(i, 0x280), 4, 1u << intid);
        }
    }
    return mask;
}

static void test_vgic_sgi1r_targets_by_list_affinity_and_irm(void)
{
    vgic_sgi1r_write(&vcpus[0], (5ull << 24) | 0x5); /* vCPUs 0 and 2 */
    CU_ASSERT_EQUAL(sgi_pending_on(5), 0x5);
    vgic_sgi1r_write(&vcpus[1], (15ull << 24) | 0xfff8); /* 3 and the absent 4-15 */
    CU_ASSERT_EQUAL(sgi_pending_on(15), 0x8);
    CU_ASSERT_EQUAL(sgi_pending_on(5), 0);
    vgic_sgi1r_write(&vcpus[1], (1ull << 40) | (3ull << 24) | 0x2); /* IRM: all but sender */
    CU_ASSERT_EQUAL(sgi_pending_on(3), 0xd);
    vgic_sgi1r_write(&vcpus[0], (1ull << 16) | (3ull << 24) | 0x1); /* Aff1 1: nobody */
    vgic_sgi1r_write(&vcpus[0], (1ull << 32) | (3ull << 24) | 0x1); /* Aff2 1 */
    vgic_sgi1r_write(&vcpus[0], (1ull << 48) | (3ull << 24) | 0x1); /* Aff3 1 */
    vgic_sgi1r_write(&vcpus[0], (1ull << 44) | (3ull << 24) | 0x1); /* RS 1: Aff0 16 */
    CU_ASSERT_EQUAL(sgi_pending_on(3), 0);
}

static void test_vgic_sgi_wakes_and_kicks_only_deliverable_targets(void)
{
    vgic_sgi1r_write(&vcpus[0], (2ull << 24) | 0x6); /* not enabled yet: no wake */
    CU_ASSERT_STRING_EQUAL(fake.sched_log, "");
    sgi_pending_on(2);
    enable_private(1, 2, 0x80);
    enable_private(2, 2, 0x80);
    vcpus[2].state = VCPU_OFFLINE; /* PSCI off: an SGI does not start it */
    vgic_sgi1r_write(&vcpus[0], (2ull << 24) | 0x6);
    CU_ASSERT_STRING_EQUAL(fake.sched_log, "wake:1 kick:1 ");
    CU_ASSERT_EQUAL(sgi_pending_on(2), 0x6);
}

static void test_vgic_set_irq_level_follows_the_line_and_edge_latches(void)
{
    struct vgic_cpu *c = &vcpus[1].arch.vgic;

    enable_private(1, AXVM_ARM64_VTIMER_INTID, 0xa0);
    vgic_set_irq(vm, &vcpus[1], AXVM_ARM64_VTIMER_INTID, true);
    CU_ASSERT_STRING_EQUAL(fake.sched_log, "wake:1 kick:1 ");
    CU_ASSERT_EQUAL(rd(SGI(1, 0x200), 4), 1u << 27);
    vgic_set_irq(vm, &vcpus[1], AXVM_ARM64_VTIMER_INTID, false);
    CU_ASSERT_EQUAL(rd(SGI(1, 0x200), 4), 0);
    wr(SGI(1, 0x200), 4, 1u << 27); /* ISPENDR latches a level one too */
    CU_ASSERT_EQUAL(rd(SGI(1, 0x200), 4), 1u << 27);
    wr(SGI(1, 0x280), 4, 1u << 27);
    CU_ASSERT_EQUAL(rd(SGI(1, 0x200), 4), 0);

    wr(GICD(0xc10), 4, 0x2u << 2); /* SPI 65 edge */
    vgic_set_irq(vm, NULL, 65, true);
    vgic_set_irq(vm, NULL, 65, false);
    CU_ASSERT_EQUAL(rd(GICD(0x208), 4), 0x2);
    vgic_set_irq(vm, &vcpus[0], 200, true); /* none such: ignored */
    vgic_set_irq(vm, NULL, 20, true);       /* a PPI needs its vCPU */
    CU_ASSERT_FALSE(c->priv[20].line);
}

static void test_vgic_set_irq_wakes_the_spi_target_when_it_can_fire(void)
{
    vgic_set_irq(vm, NULL, AXVM_ARM64_PL011_INTID, true);
    CU_ASSERT_STRING_EQUAL(fake.sched_log, ""); /* disabled */
    enable_spi(AXVM_ARM64_PL011_INTID, 0xa0);   /* the writer, vCPU 0, is not woken */
    CU_ASSERT_STRING_EQUAL(fake.sched_log, "");
    wr_as(&vcpus[3], GICD(0x6108), 8, 2); /* routed to vCPU 2 by vCPU 3: 2 wakes */
    CU_ASSERT_STRING_EQUAL(fake.sched_log, "wake:2 kick:2 ");
    vgic_set_irq(vm, NULL, AXVM_ARM64_PL011_INTID, true);
    CU_ASSERT_STRING_EQUAL(fake.sched_log, "wake:2 kick:2 wake:2 kick:2 ");
}

static void test_vgic_vcpu_pending_needs_group_and_priority_mask(void)
{
    struct vgic_cpu *c = &vcpus[0].arch.vgic;

    enable_private(0, AXVM_ARM64_VTIMER_INTID, 0xa0);
    vgic_set_irq(vm, &vcpus[0], AXVM_ARM64_VTIMER_INTID, true);
    CU_ASSERT_FALSE(vgic_vcpu_pending(&vcpus[0])); /* the guest's group 1 is off */
    c->vmcr = VMCR_ON(0xf0);
    CU_ASSERT_TRUE(vgic_vcpu_pending(&vcpus[0]));
    CU_ASSERT_FALSE(vgic_vcpu_pending(&vcpus[1]));
    c->vmcr = VMCR_ON(0xa0); /* masked: priority not above the mask */
    CU_ASSERT_FALSE(vgic_vcpu_pending(&vcpus[0]));
    c->vmcr = VMCR_ON(0xf0);
    wr(GICD(0x0), 4, 0); /* the distributor's group 1 off */
    CU_ASSERT_FALSE(vgic_vcpu_pending(&vcpus[0]));
    wr(GICD(0x0), 4, 2);
    enable_spi(50, 0x10);
    wr(GICD(0x6000 + 8 * 50), 8, 1);
    vgic_set_irq(vm, NULL, 50, true);
    vcpus[1].arch.vgic.vmcr = VMCR_ON(0xf0);
    CU_ASSERT_TRUE(vgic_vcpu_pending(&vcpus[1]));
}

static void test_vgic_lr_build_orders_by_priority_and_asks_for_underflow(void)
{
    static const uint8_t prio[6] = {0xa0, 0x20, 0xf0, 0x60, 0x20, 0x40};
    uint64_t lrs[NR_LRS];
    struct vgic_lr_set set;

    for (unsigned int i = 0; i < 6; i++) {
        enable_spi(40 + i, prio[i]);
        vgic_set_irq(vm, NULL, 40 + i, true);
    }
    set = vgic_lr_build(&vcpus[0], lrs, NR_LRS);
    CU_ASSERT_EQUAL(set.nr, 4);
    CU_ASSERT_EQUAL(set.hcr, ICH_HCR_EN | ICH_HCR_UIE);
    CU_ASSERT_EQUAL(LR_INTID(lrs[0]), 41); /* 0x20, lower INTID first */
    CU_ASSERT_EQUAL(LR_INTID(lrs[1]), 44);
    CU_ASSERT_EQUAL(LR_INTID(lrs[2]), 45);
    CU_ASSERT_EQUAL(LR_INTID(lrs[3]), 43);
    CU_ASSERT_EQUAL(lrs[0], ICH_LR_PENDING | ICH_LR_GROUP1 | (0x20ull << 48) | ICH_LR_EOI | 41);
    CU_ASSERT_EQUAL(vcpus[0].arch.vgic.nr_lrs_used, 4);
    /* nothing for the others; an empty set still enables the interface */
    set = vgic_lr_build(&vcpus[1], lrs, NR_LRS);
    CU_ASSERT_EQUAL(set.nr, 0);
    CU_ASSERT_EQUAL(set.hcr, ICH_HCR_EN);
}

static void test_vgic_lr_overflow_refills_after_the_guest_drains(void)
{
    uint64_t lrs[NR_LRS];
    struct vgic_lr_set set;
    unsigned int seen = 0;

    wr(GICD(0xc08), 4, 0xaaaaaaaa); /* 32-47 edge: taken once */
    for (unsigned int i = 0; i < 7; i++) {
        enable_spi(32 + i, (uint8_t)(0x80 + 8 * i));
        vgic_set_irq(vm, NULL, 32 + i, true);
    }
    for (unsigned int round = 0; round < 3; round++) {
        set = vgic_lr_build(&vcpus[0], lrs, NR_LRS);
        CU_ASSERT_EQUAL(set.hcr, ICH_HCR_EN | (round == 0 ? ICH_HCR_UIE : 0));
        for (unsigned int n = 0; n < set.nr; n++) {
            CU_ASSERT_EQUAL(LR_STATE(lrs[n]), 1);
            CU_ASSERT_EQUAL(lrs[n] & ICH_LR_EOI, 0); /* edge: no EOI maintenance */
            seen |= 1u << (LR_INTID(lrs[n]) - 32);
            lrs[n] &= ~(3ull << 62); /* the guest took and EOI'd it */
        }
        CU_ASSERT_EQUAL(vgic_lr_fold(&vcpus[0], lrs, set.nr), 0);
        if (round == 1) {
            CU_ASSERT_EQUAL(set.nr, 3);
        }
        if (round == 2) {
            CU_ASSERT_EQUAL(set.nr, 0);
        }
    }
    CU_ASSERT_EQUAL(seen, 0x7f);
}

static void test_vgic_lr_single_lr_overflow_asks_for_no_pending(void)
{
    uint64_t lr;
    struct vgic_lr_set set;

    enable_spi(40, 0x10);
    enable_spi(41, 0x20);
    vgic_set_irq(vm, NULL, 40, true);
    vgic_set_irq(vm, NULL, 41, true);
    set = vgic_lr_build(&vcpus[0], &lr, 1);
    CU_ASSERT_EQUAL(set.nr, 1);
    CU_ASSERT_EQUAL(set.hcr, ICH_HCR_EN | ICH_HCR_NPIE);
    CU_ASSERT_EQUAL(LR_INTID(lr), 40);
}

static void test_vgic_lr_level_interrupt_pends_again_after_eoi_while_high(void)
{
    uint64_t lrs[NR_LRS];
    struct vgic_lr_set set;

    enable_private(0, AXVM_ARM64_VTIMER_INTID, 0xa0);
    vgic_set_irq(vm, &vcpus[0], AXVM_ARM64_VTIMER_INTID, true);
    set = vgic_lr_build(&vcpus[0], lrs, NR_LRS);
    CU_ASSERT_EQUAL(set.nr, 1);
    CU_ASSERT_EQUAL(lrs[0], ICH_LR_PENDING | ICH_LR_GROUP1 | ICH_LR_EOI | (0xa0ull << 48) | 27);
    /* a second build while the guest holds it (it never gets there twice) */
    lrs[0] = (lrs[0] & ~ICH_LR_PENDING) | ICH_LR_ACTIVE; /* acknowledged */
    vgic_lr_fold(&vcpus[0], lrs, 1);
    set = vgic_lr_build(&vcpus[0], lrs, NR_LRS);
    CU_ASSERT_EQUAL(set.nr, 1);
    CU_ASSERT_EQUAL(LR_STATE(lrs[0]), 3); /* active, and pending as the line is high */
    lrs[0] &= ~(3ull << 62);              /* EOI'd: the maintenance exit */
    vgic_lr_fold(&vcpus[0], lrs, 1);
    set = vgic_lr_build(&vcpus[0], lrs, NR_LRS);
    CU_ASSERT_EQUAL(set.nr, 1);
    CU_ASSERT_EQUAL(LR_STATE(lrs[0]), 1); /* still high: pending again */
    lrs[0] = (lrs[0] & ~ICH_LR_PENDING) | ICH_LR_ACTIVE;
    vgic_lr_fold(&vcpus[0], lrs, 1);
    vgic_set_irq(vm, &vcpus[0], AXVM_ARM64_VTIMER_INTID, false); /* the handler quietened it */
    set = vgic_lr_build(&vcpus[0], lrs, NR_LRS);
    CU_ASSERT_EQUAL(LR_STATE(lrs[0]), 2);
    lrs[0] &= ~(3ull << 62);
    vgic_lr_fold(&vcpus[0], lrs, 1);
    set = vgic_lr_build(&vcpus[0], lrs, NR_LRS);
    CU_ASSERT_EQUAL(set.nr, 0);
}

static void test_vgic_lr_active_ones_go_first_and_new_edges_are_kept(void)
{
    uint64_t lrs[NR_LRS];
    struct vgic_lr_set set;

    enable_private(0, 3, 0xe0); /* SGI 3, low priority */
    vgic_sgi1r_write(&vcpus[1], (3ull << 24) | 1);
    set = vgic_lr_build(&vcpus[0], lrs, 1);
    CU_ASSERT_EQUAL(LR_INTID(lrs[0]), 3);
    CU_ASSERT_EQUAL(rd(SGI(0, 0x200), 4), 0);      /* the LR holds the edge */
    vgic_sgi1r_write(&vcpus[1], (3ull << 24) | 1); /* again, while in the guest */
    lrs[0] = (lrs[0] & ~ICH_LR_PENDING) | ICH_LR_ACTIVE;
    vgic_lr_fold(&vcpus[0], lrs, set.nr);
    CU_ASSERT_EQUAL(rd(SGI(0, 0x300), 4), 1u << 3);
    enable_spi(33, 0x10); /* more urgent, but the active one keeps its LR */
    vgic_set_irq(vm, NULL, 33, true);
    set = vgic_lr_build(&vcpus[0], lrs, 1);
    CU_ASSERT_EQUAL(set.nr, 1);
    CU_ASSERT_EQUAL(set.hcr, ICH_HCR_EN | ICH_HCR_NPIE);
    CU_ASSERT_EQUAL(LR_INTID(lrs[0]), 3);
    CU_ASSERT_EQUAL(LR_STATE(lrs[0]), 3); /* active and pending */
    lrs[0] &= ~(3ull << 62);
    vgic_lr_fold(&vcpus[0], lrs, set.nr);
    set = vgic_lr_build(&vcpus[0], lrs, 2);
    CU_ASSERT_EQUAL(set.nr, 1); /* SGI 3 is spent: both edges were one delivery */
    CU_ASSERT_EQUAL(LR_INTID(lrs[0]), 33);
}

static void test_vgic_lr_spi_in_one_guest_is_not_given_to_another(void)
{
    uint64_t lrs[NR_LRS];
    struct vgic_lr_set set;

    enable_spi(60, 0x80);
    vgic_set_irq(vm, NULL, 60, true);
    set = vgic_lr_build(&vcpus[0], lrs, NR_LRS);
    CU_ASSERT_EQUAL(set.nr, 1);
    wr(GICD(0x6000 + 8 * 60), 8, 1); /* rerouted meanwhile */
    CU_ASSERT_EQUAL(vgic_lr_build(&vcpus[1], lrs + 1, NR_LRS - 1).nr, 0);
    lrs[0] = (lrs[0] & ~ICH_LR_PENDING) | ICH_LR_ACTIVE;
    vgic_lr_fold(&vcpus[1], lrs + 1, 0);
    vgic_lr_fold(&vcpus[0], lrs, 1);
    /* active on vCPU 0: its EOI must find it there, not on vCPU 1 */
    CU_ASSERT_EQUAL(vgic_lr_build(&vcpus[1], lrs + 1, NR_LRS - 1).nr, 0);
    set = vgic_lr_build(&vcpus[0], lrs, NR_LRS);
    CU_ASSERT_EQUAL(set.nr, 1);
    CU_ASSERT_EQUAL(LR_STATE(lrs[0]), 3);
    lrs[0] &= ~(3ull << 62);
    vgic_lr_fold(&vcpus[0], lrs, 1);
    set = vgic_lr_build(&vcpus[1], lrs, NR_LRS); /* line still high: now vCPU 1's */
    CU_ASSERT_EQUAL(set.nr, 1);
    CU_ASSERT_EQUAL(LR_STATE(lrs[0]), 1);
}

static void test_vgic_lr_passthrough_spi_is_unmasked_when_the_guest_eois_it(void)
{
    uint64_t lrs[NR_LRS];
    struct vgic_lr_set set;

    vgic_mark_hw(vm, 70);
    enable_spi(70, 0x90);
    vgic_set_irq(vm, NULL, 70, true);
    set = vgic_lr_build(&vcpus[0], lrs, NR_LRS);
    CU_ASSERT_EQUAL(set.nr, 1);
    CU_ASSERT_NOT_EQUAL(lrs[0] & ICH_LR_EOI, 0);
    CU_ASSERT_EQUAL(lrs[0] & ICH_LR_HW, 0);
    lrs[0] = (lrs[0] & ~ICH_LR_PENDING) | ICH_LR_ACTIVE;
    CU_ASSERT_EQUAL(vgic_lr_fold(&vcpus[0], lrs, 1), 0); /* still being handled */
    vgic_lr_build(&vcpus[0], lrs, NR_LRS);
    lrs[0] &= ~(3ull << 62);
    CU_ASSERT_EQUAL(vgic_lr_fold(&vcpus[0], lrs, 1), 1ull << (70 - 32));
    CU_ASSERT_EQUAL(vgic_lr_build(&vcpus[0], lrs, NR_LRS).nr, 0); /* until it fires again */
    vgic_mark_hw(vm, 7);                                          /* not an SPI: ignored */
    CU_ASSERT_FALSE(vcpus[0].arch.vgic.priv[7].hw);
}

static void test_vgic_destroy_hands_back_the_passthrough_spis(void)
{
    devbus_destroy(&vm->devices);
    CU_ASSERT_EQUAL(nr_releases, 1);
    devbus_init(&vm->devices);
}

static CU_TestInfo vgic_tests[] = {
    UNIT_TEST(test_vgic_gicd_reset_and_id_registers),
    UNIT_TEST(test_vgic_gicd_ctlr_keeps_only_the_group_enables),
    UNIT_TEST(test_vgic_gicd_set_clear_registers_change_only_named_bits),
    UNIT_TEST(test_vgic_gicd_priorities_take_byte_and_word_accesses),
    UNIT_TEST(test_vgic_gicd_icfgr_keeps_the_edge_bits_of_spis),
    UNIT_TEST(test_vgic_gicd_irouter_routes_to_the_vcpu_of_aff0),
    UNIT_TEST(test_vgic_bad_accesses_read_zero_and_write_nothing),
    UNIT_TEST(test_vgic_gicr_typer_names_each_vcpu_and_the_last),
    UNIT_TEST(test_vgic_gicr_waker_children_follow_processor_sleep),
    UNIT_TEST(test_vgic_gicr_sgi_frame_is_per_vcpu),
    UNIT_TEST(test_vgic_sgi1r_targets_by_list_affinity_and_irm),
    UNIT_TEST(test_vgic_sgi_wakes_and_kicks_only_deliverable_targets),
    UNIT_TEST(test_vgic_set_irq_level_follows_the_line_and_edge_latches),
    UNIT_TEST(test_vgic_set_irq_wakes_the_spi_target_when_it_can_fire),
    UNIT_TEST(test_vgic_vcpu_pending_needs_group_and_priority_mask),
    UNIT_TEST(test_vgic_lr_build_orders_by_priority_and_asks_for_underflow),
    UNIT_TEST(test_vgic_lr_overflow_refills_after_the_guest_drains),
    UNIT_TEST(test_vgic_lr_single_lr_overflow_asks_for_no_pending),
    UNIT_TEST(test_vgic_lr_level_interrupt_pends_again_after_eoi_while_high),
    UNIT_TEST(test_vgic_lr_active_ones_go_first_and_new_edges_are_kept),
    UNIT_TEST(test_vgic_lr_spi_in_one_guest_is_not_given_to_another),
    UNIT_TEST(test_vgic_lr_passthrough_spi_is_unmasked_when_the_guest_eois_it),
    UNIT_TEST(test_vgic_destroy_hands_back_the_passthrough_spis),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_vgic = {"vgic", NULL, NULL, vgic_setup, NULL, vgic_tests};
UNIT_REGISTER_SUITE(unit_suite_vgic);
