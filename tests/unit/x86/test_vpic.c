/* SPDX-License-Identifier: MIT */
/*
 * Suite "vpic": arch/x86/hvm/vpic.c on a bare device bus, driven the way guests probe and set
 * up a PC's two 8259s: the initialisation sequence, masks read back, IRR/ISR/poll reads, EOIs
 * and the ELCR. The models never raise anything, so IRR and ISR must read 0.
 */
#include <stdint.h>
#include <hv/devbus.h>
#include <hv/heap.h>
#include <x86/vpic.h>
#include <fake_vm.h>
#include <unit.h>

static struct devbus bus;

static void vpic_setup(void)
{
    fake_memory_setup();
    devbus_init(&bus);
    CU_ASSERT_EQUAL_FATAL(vpic_create(&bus), 0);
}

static void vpic_teardown(void)
{
    devbus_destroy(&bus);
    fake_memory_teardown();
}

static uint8_t in(uint16_t port)
{
    uint64_t value = 0x1234;

    CU_ASSERT_EQUAL(devbus_read(&bus, NULL, DEV_SPACE_PIO, port, 1, &value), 0);
    return (uint8_t)value;
}

static void out(uint16_t port, uint8_t value)
{
    CU_ASSERT_EQUAL(devbus_write(&bus, NULL, DEV_SPACE_PIO, port, 1, value), 0);
}

/* The sequence Linux's init_8259A and pic.c here use: ICW1-4 on both, then masks. */
static void init_both(uint8_t master_mask, uint8_t slave_mask)
{
    out(0x20, 0x11);
    out(0xa0, 0x11);
    out(0x21, 0x20);
    out(0xa1, 0x28);
    out(0x21, 0x04);
    out(0xa1, 0x02);
    out(0x21, 0x01);
    out(0xa1, 0x01);
    out(0x21, master_mask);
    out(0xa1, slave_mask);
}

static void test_vpic_probe_reads_back_the_mask(void)
{
    CU_ASSERT_EQUAL(in(0x21), 0xff); /* everything masked at reset */
    out(0x21, 0xff);
    CU_ASSERT_EQUAL(in(0x21), 0xff);
    out(0x21, 0x5a);
    CU_ASSERT_EQUAL(in(0x21), 0x5a);
    out(0xa1, 0xa5);
    CU_ASSERT_EQUAL(in(0xa1), 0xa5);
    CU_ASSERT_EQUAL(in(0x21), 0x5a); /* two separate chips */
}

static void test_vpic_init_sequence_ends_with_the_mask_register(void)
{
    init_both(0xfb, 0xff);
    CU_ASSERT_EQUAL(in(0x21), 0xfb);
    CU_ASSERT_EQUAL(in(0xa1), 0xff);
    /* ICW1 clears the mask; without ICW4 and in single mode only ICW2 follows. */
    out(0x20, 0x12);
    CU_ASSERT_EQUAL(in(0x21), 0x00);
    out(0x21, 0x40); /* ICW2 */
    out(0x21, 0x3c); /* now OCW1 */
    CU_ASSERT_EQUAL(in(0x21), 0x3c);
}

static void test_vpic_irr_isr_and_poll_read_nothing_pending(void)
{
    init_both(0x00, 0x00);
    out(0x20, 0x0a); /* OCW3: read IRR */
    CU_ASSERT_EQUAL(in(0x20), 0);
    out(0x20, 0x0b); /* OCW3: read ISR */
    CU_ASSERT_EQUAL(in(0x20), 0);
    out(0x20, 0x0c); /* OCW3: poll */
    CU_ASSERT_EQUAL(in(0x20) & 0x80, 0);
    out(0x20, 0x20); /* non-specific EOI: accepted */
    out(0xa0, 0x63); /* specific EOI */
    CU_ASSERT_EQUAL(in(0x21), 0x00);
    CU_ASSERT_EQUAL(in(0xa0), 0);
}

static void test_vpic_elcr_keeps_only_the_configurable_lines(void)
{
    uint64_t value = 0;

    CU_ASSERT_EQUAL(in(0x4d0), 0);
    out(0x4d0, 0xff);
    out(0x4d1, 0xff);
    CU_ASSERT_EQUAL(in(0x4d0), 0xf8); /* IRQ 0-2 are always edge */
    CU_ASSERT_EQUAL(in(0x4d1), 0xde); /* IRQ 8 and 13 too */
    CU_ASSERT_EQUAL(devbus_read(&bus, NULL, DEV_SPACE_PIO, 0x4d0, 2, &value), 0);
    CU_ASSERT_EQUAL(value, 0xdef8);
}

static void test_vpic_wide_reads_fill_with_ones(void)
{
    uint64_t value = 0;

    out(0x21, 0x12);
    CU_ASSERT_EQUAL(devbus_read(&bus, NULL, DEV_SPACE_PIO, 0x21, 1, &value), 0);
    CU_ASSERT_EQUAL(value, 0x12);
    CU_ASSERT_EQUAL(devbus_read(&bus, NULL, DEV_SPACE_PIO, 0x20, 2, &value), 0);
    CU_ASSERT_EQUAL(value & 0xff00, 0xff00);
}

static CU_TestInfo vpic_tests[] = {
    UNIT_TEST(test_vpic_probe_reads_back_the_mask),
    UNIT_TEST(test_vpic_init_sequence_ends_with_the_mask_register),
    UNIT_TEST(test_vpic_irr_isr_and_poll_read_nothing_pending),
    UNIT_TEST(test_vpic_elcr_keeps_only_the_configurable_lines),
    UNIT_TEST(test_vpic_wide_reads_fill_with_ones),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_vpic = {"vpic", NULL, NULL, vpic_setup, vpic_teardown, vpic_tests};
UNIT_REGISTER_SUITE(unit_suite_vpic);
