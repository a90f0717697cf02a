/* SPDX-License-Identifier: MIT */
/*
 * Suite "vgic_owner": arch/arm64/vgic_owner.c, who holds each passed-through physical SPI and
 * the hand-over of one between dom0 and a domain (<hostdev type="irq">), on three hand-built
 * VMs with a vGIC each: dom0 and two domUs. The vGIC model's side (what dom0 still takes, what
 * unmasks the physical SPI) is checked through arch/arm64/vgic.c's list-register functions.
 */
#include <stdint.h>
#include <string.h>
#include <hv/devbus.h>
#include <hv/vcpu.h>
#include <hv/vm.h>
#include <public/axvm/errno.h>
#include <arm64/vgic.h>
#include <fake_vm.h>
#include <unit.h>

#define NR_VMS        3u
#define NR_LRS        4u
#define RTC_INTID     34u /* QEMU virt's PL031: SPI 2 */
#define RTC_BIT       (1ull << (RTC_INTID - 32))
#define LR_STATE(lr)  ((lr) >> 62)
#define LR_INTID(lr)  ((unsigned int)((lr)&0xffffffff))
#define GICD(off)     (AXVM_ARM64_GICD_BASE + (off))
#define LR_PENDING_ST 1u
#define LR_ACTIVE_ST  2u

static struct vm vms[NR_VMS];
static struct vcpu vcpus[NR_VMS];
static struct vgic_owners owners;
static struct vm *const dom0 = &vms[0], *const domu = &vms[1], *const domu2 = &vms[2];

static void owner_setup(void)
{
    fake_vm_reset();
    memset(&owners, 0, sizeof(owners));
    for (unsigned int i = 0; i < NR_VMS; i++) {
        memset(&vms[i], 0, sizeof(vms[i]));
        memset(&vcpus[i], 0, sizeof(vcpus[i]));
        vms[i].id = (domid_t)i;
        vms[i].nr_vcpus = 1;
        vms[i].vcpus[0] = &vcpus[i];
        devbus_init(&vms[i].devices);
        vcpus[i].vm = &vms[i];
        vcpus[i].state = VCPU_BLOCKED;
        vgic_vcpu_init(&vcpus[i]);
        CU_ASSERT_EQUAL(vgic_vm_init(&vms[i]), 0);
    }
}

/* The guest of vm turns on group 1 and SPI intid (group 1, enabled, priority 0xa0). */
static void guest_enables(struct vm *vm, unsigned int intid)
{
    struct vcpu *v = vm->vcpus[0];
    uint32_t bit = 1u << (intid % 32);

    CU_ASSERT_EQUAL(devbus_write(&vm->devices, v, DEV_SPACE_MMIO, GICD(0x0), 4, 2), 0);
    CU_ASSERT_EQUAL(
        devbus_write(&vm->devices, v, DEV_SPACE_MMIO, GICD(0x80 + intid / 32 * 4), 4, bit), 0);
    CU_ASSERT_EQUAL(
        devbus_write(&vm->devices, v, DEV_SPACE_MMIO, GICD(0x100 + intid / 32 * 4), 4, bit), 0);
    CU_ASSERT_EQUAL(devbus_write(&vm->devices, v, DEV_SPACE_MMIO, GICD(0x400 + intid), 1, 0xa0), 0);
}

static int claim(struct vm *vm, struct vm *running_dom0, unsigned int intid, bool *program)
{
    return vgic_owner_claim(&owners, vm, running_dom0, intid, program);
}

/* dom0 is built with the SPI (no dom0 runs yet), and its guest turns it on. */
static void dom0_holds_rtc(void)
{
    bool program = false;

    CU_ASSERT_EQUAL(claim(dom0, NULL, RTC_INTID, &program), 0);
    CU_ASSERT_TRUE(program);
    guest_enables(dom0, RTC_INTID);
}

static const struct vgic_irq *spi_of(struct vm *vm, unsigned int intid)
{
    return &vm->arch.vgic.spi[intid - VGIC_NR_PRIVATE];
}

static void test_vgic_owner_free_spis_go_to_whoever_asks_without_dom0(void)
{
    bool program = false;

    CU_ASSERT_EQUAL(claim(domu, NULL, 40, &program), 0);
    CU_ASSERT_TRUE(program);
    CU_ASSERT_PTR_EQUAL(vgic_owner_of(&owners, 40), domu);
    CU_ASSERT_TRUE(spi_of(domu, 40)->hw);
    CU_ASSERT_EQUAL(claim(domu, NULL, 40, &program), 0); /* again: nothing to reprogram */
    CU_ASSERT_FALSE(program);
    CU_ASSERT_EQUAL(claim(domu2, NULL, 40, &program), -AXVM_EBUSY);
    CU_ASSERT_FALSE(program);
    CU_ASSERT_FALSE(spi_of(domu2, 40)->hw);
    CU_ASSERT_EQUAL(claim(domu, NULL, 31, &program), -AXVM_EINVAL); /* a PPI */
    CU_ASSERT_EQUAL(claim(domu, NULL, VGIC_NR_IRQS, &program), -AXVM_EINVAL);
    CU_ASSERT_PTR_NULL(vgic_owner_of(&owners, 31));
    CU_ASSERT_PTR_NULL(vgic_owner_of(&owners, 1000));
}

static void test_vgic_owner_a_domain_takes_only_what_dom0_holds(void)
{
    bool program = false;

    dom0_holds_rtc();
    CU_ASSERT_EQUAL(claim(domu, dom0, RTC_INTID, &program), 0);
    CU_ASSERT_TRUE(program);
    CU_ASSERT_PTR_EQUAL(vgic_owner_of(&owners, RTC_INTID), domu);
    CU_ASSERT_FALSE(spi_of(dom0, RTC_INTID)->hw);
    CU_ASSERT_TRUE(spi_of(domu, RTC_INTID)->hw);
    CU_ASSERT_TRUE(spi_of(dom0, RTC_INTID)->enabled); /* dom0's configuration stays its own */
    /* a second domain, and dom0 itself, wait until the holder is gone */
    CU_ASSERT_EQUAL(claim(domu2, dom0, RTC_INTID, &program), -AXVM_EBUSY);
    CU_ASSERT_FALSE(program);
    CU_ASSERT_EQUAL(claim(dom0, dom0, RTC_INTID, &program), -AXVM_EBUSY);
    CU_ASSERT_PTR_EQUAL(vgic_owner_of(&owners, RTC_INTID), domu);
    CU_ASSERT_FALSE(spi_of(domu2, RTC_INTID)->hw);
    /* one dom0 does not hold (the hypervisor's console line, say) is nobody's to give */
    CU_ASSERT_EQUAL(claim(domu2, dom0, AXVM_ARM64_PL011_INTID, &program), -AXVM_EBUSY);
    CU_ASSERT_PTR_NULL(vgic_owner_of(&owners, AXVM_ARM64_PL011_INTID));
}

static void test_vgic_owner_release_gives_the_spi_back_to_dom0(void)
{
    struct vgic_owner_release r;
    uint64_t lrs[NR_LRS];
    bool program = false;

    dom0_holds_rtc();
    CU_ASSERT_EQUAL(claim(domu, dom0, RTC_INTID, &program), 0);
    vgic_set_irq(domu, NULL, RTC_INTID, true); /* the domU left it in flight: masked */
    r = vgic_owner_release(&owners, domu);
    CU_ASSERT_EQUAL(r.give_back, RTC_BIT);
    CU_ASSERT_EQUAL(r.disable, 0);
    CU_ASSERT_PTR_EQUAL(vgic_owner_of(&owners, RTC_INTID), dom0);
    CU_ASSERT_TRUE(spi_of(dom0, RTC_INTID)->hw);
    CU_ASSERT_FALSE(spi_of(dom0, RTC_INTID)->line);
    r = vgic_owner_release(&owners, domu); /* nothing left to give */
    CU_ASSERT_EQUAL(r.give_back | r.disable, 0);

    /* dom0's interrupts flow again: one fires, its guest takes and EOIs it, it is unmasked */
    vgic_set_irq(dom0, NULL, RTC_INTID, true);
    CU_ASSERT_EQUAL(vgic_lr_build(&vcpus[0], lrs, NR_LRS).nr, 1);
    CU_ASSERT_EQUAL(LR_INTID(lrs[0]), RTC_INTID);
    CU_ASSERT_EQUAL(LR_STATE(lrs[0]), LR_PENDING_ST);
    lrs[0] &= ~(3ull << 62);
    CU_ASSERT_EQUAL(vgic_lr_fold(&vcpus[0], lrs, 1), RTC_BIT);

    /* and a second domain may have it now */
    CU_ASSERT_EQUAL(claim(domu2, dom0, RTC_INTID, &program), 0);
    CU_ASSERT_TRUE(program);
}

static void test_vgic_owner_spis_of_no_home_are_masked_at_release(void)
{
    struct vgic_owner_release r;
    bool program = false;

    CU_ASSERT_EQUAL(claim(domu, NULL, 40, &program), 0); /* before any dom0: free */
    CU_ASSERT_EQUAL(claim(domu, NULL, 95, &program), 0);
    r = vgic_owner_release(&owners, domu);
    CU_ASSERT_EQUAL(r.disable, (1ull << (40 - 32)) | (1ull << (95 - 32)));
    CU_ASSERT_EQUAL(r.give_back, 0);
    CU_ASSERT_PTR_NULL(vgic_owner_of(&owners, 40));
    CU_ASSERT_PTR_NULL(vgic_owner_of(&owners, 95));
}

static void test_vgic_owner_dom0_gone_leaves_the_holder_its_spi(void)
{
    struct vgic_owner_release r;
    bool program = false;

    dom0_holds_rtc();
    CU_ASSERT_EQUAL(claim(dom0, NULL, 41, &program), 0);
    CU_ASSERT_EQUAL(claim(domu, dom0, RTC_INTID, &program), 0);
    r = vgic_owner_release(&owners, dom0);
    CU_ASSERT_EQUAL(r.disable, 1ull << (41 - 32));
    CU_ASSERT_EQUAL(r.give_back, 0);
    CU_ASSERT_PTR_EQUAL(vgic_owner_of(&owners, RTC_INTID), domu);
    r = vgic_owner_release(&owners, domu); /* no dom0 to give it to any more */
    CU_ASSERT_EQUAL(r.disable, RTC_BIT);
    CU_ASSERT_EQUAL(r.give_back, 0);
}

static void test_vgic_owner_pending_dom0_interrupt_is_dropped_at_the_take(void)
{
    uint64_t lrs[NR_LRS];
    bool program = false;

    dom0_holds_rtc();
    vgic_set_irq(dom0, NULL, RTC_INTID, true); /* fired for dom0, masked, not taken yet */
    CU_ASSERT_TRUE(spi_of(dom0, RTC_INTID)->line);
    CU_ASSERT_EQUAL(claim(domu, dom0, RTC_INTID, &program), 0);
    CU_ASSERT_FALSE(spi_of(dom0, RTC_INTID)->line);
    CU_ASSERT_EQUAL(vgic_lr_build(&vcpus[0], lrs, NR_LRS).nr, 0); /* dom0 never sees it */
    CU_ASSERT_EQUAL(vgic_lr_build(&vcpus[1], lrs, NR_LRS).nr, 0); /* nor does the domU */
}

static void test_vgic_owner_dom0_lr_at_the_take_unmasks_nothing(void)
{
    uint64_t lrs[NR_LRS];
    bool program = false;

    dom0_holds_rtc();
    /* not yet acknowledged in dom0's LR when it is taken: gone at dom0's next exit */
    vgic_set_irq(dom0, NULL, RTC_INTID, true);
    CU_ASSERT_EQUAL(vgic_lr_build(&vcpus[0], lrs, NR_LRS).nr, 1);
    CU_ASSERT_EQUAL(claim(domu, dom0, RTC_INTID, &program), 0);
    CU_ASSERT_EQUAL(vgic_lr_fold(&vcpus[0], lrs, 1), 0);
    CU_ASSERT_EQUAL(vgic_lr_build(&vcpus[0], lrs, NR_LRS).nr, 0);

    /* the domU's own interrupt comes and goes meanwhile, and unmasks its SPI */
    guest_enables(domu, RTC_INTID);
    vgic_set_irq(domu, NULL, RTC_INTID, true);
    CU_ASSERT_EQUAL(vgic_lr_build(&vcpus[1], lrs, NR_LRS).nr, 1);
    lrs[0] &= ~(3ull << 62);
    CU_ASSERT_EQUAL(vgic_lr_fold(&vcpus[1], lrs, 1), RTC_BIT);
    CU_ASSERT_EQUAL(vgic_owner_release(&owners, domu).give_back, RTC_BIT);

    /* acknowledged by dom0 before the take: dom0 finishes it, and its EOI unmasks nothing */
    vgic_set_irq(dom0, NULL, RTC_INTID, true);
    CU_ASSERT_EQUAL(vgic_lr_build(&vcpus[0], lrs, NR_LRS).nr, 1);
    lrs[0] = (lrs[0] & ~ICH_LR_PENDING) | ICH_LR_ACTIVE;
    CU_ASSERT_EQUAL(claim(domu2, dom0, RTC_INTID, &program), 0);
    CU_ASSERT_EQUAL(vgic_lr_fold(&vcpus[0], lrs, 1), 0);
    CU_ASSERT_EQUAL(vgic_lr_build(&vcpus[0], lrs, NR_LRS).nr, 1);
    CU_ASSERT_EQUAL(LR_STATE(lrs[0]), LR_ACTIVE_ST); /* active only: not pending again */
    lrs[0] &= ~(3ull << 62);
    CU_ASSERT_EQUAL(vgic_lr_fold(&vcpus[0], lrs, 1), 0);
    CU_ASSERT_EQUAL(vgic_lr_build(&vcpus[0], lrs, NR_LRS).nr, 0);
}

static CU_TestInfo vgic_owner_tests[] = {
    UNIT_TEST(test_vgic_owner_free_spis_go_to_whoever_asks_without_dom0),
    UNIT_TEST(test_vgic_owner_a_domain_takes_only_what_dom0_holds),
    UNIT_TEST(test_vgic_owner_release_gives_the_spi_back_to_dom0),
    UNIT_TEST(test_vgic_owner_spis_of_no_home_are_masked_at_release),
    UNIT_TEST(test_vgic_owner_dom0_gone_leaves_the_holder_its_spi),
    UNIT_TEST(test_vgic_owner_pending_dom0_interrupt_is_dropped_at_the_take),
    UNIT_TEST(test_vgic_owner_dom0_lr_at_the_take_unmasks_nothing),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_vgic_owner = {"vgic_owner", NULL, NULL,
                                      owner_setup,  NULL, vgic_owner_tests};
UNIT_REGISTER_SUITE(unit_suite_vgic_owner);
