/* SPDX-License-Identifier: MIT */
/*
 * Suite "pl011": the PL011 UART model (hypervisor/devices/pl011.c) at QEMU virt's 0x09000000,
 * reached through the device bus of a VM built over the fakes, its interrupt output wired to a
 * recorder. The register values follow the PL011 TRM (DDI 0183) and what Linux's amba-pl011
 * driver reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hv/devices.h>
#include <hv/vm.h>
#include <public/axvm/errno.h>
#include <fake_vm.h>
#include <host.h>
#include <unit.h>

#define BASE 0x09000000u

#define DR    0x000
#define RSR   0x004
#define FR    0x018
#define ILPR  0x020
#define IBRD  0x024
#define FBRD  0x028
#define LCR_H 0x02c
#define CR    0x030
#define IFLS  0x034
#define IMSC  0x038
#define RIS   0x03c
#define MIS   0x040
#define ICR   0x044
#define DMACR 0x048

#define FR_RXFE 0x10
#define FR_TXFF 0x20
#define FR_RXFF 0x40
#define FR_TXFE 0x80
#define FR_BUSY 0x08

#define LCR_H_FEN 0x10
#define CR_LBE    0x80

#define INT_RX 0x10
#define INT_TX 0x20
#define INT_RT 0x40

static struct vm *vm;
static struct vcpu *v;
static bool irq_level;
static unsigned int nr_irq_changes;

static void record_irq(void *ctx, bool level)
{
    CU_ASSERT_PTR_EQUAL(ctx, &irq_level);
    CU_ASSERT_NOT_EQUAL(level, irq_level); /* called on changes only */
    irq_level = level;
    nr_irq_changes++;
}

static void pl011_setup(void)
{
    struct vm_config cfg;

    fake_memory_setup();
    fake_vm_config(&cfg, "pl011", 1);
    cfg.devices = 0;
    if (vm_create(&cfg, &vm) != 0 || pl011_create(vm, BASE, record_irq, &irq_level) != 0) {
        fprintf(stderr, "unit: pl011: cannot create the VM every test uses\n");
        abort();
    }
    v = vm->vcpus[0];
    irq_level = false;
    nr_irq_changes = 0;
    host_console_clear();
}

static void pl011_teardown(void)
{
    fake_memory_teardown();
}

static uint32_t rd_w(uint64_t offset, unsigned int width)
{
    uint64_t value = 0xdeadbeefdeadbeef;

    CU_ASSERT_EQUAL(devbus_read(&vm->devices, v, DEV_SPACE_MMIO, BASE + offset, width, &value), 0);
    CU_ASSERT_EQUAL(value >> 32, 0);
    return (uint32_t)value;
}

static uint32_t rd(uint64_t offset)
{
    return rd_w(offset, 4);
}

static void wr_w(uint64_t offset, unsigned int width, uint64_t value)
{
    CU_ASSERT_EQUAL(devbus_write(&vm->devices, v, DEV_SPACE_MMIO, BASE + offset, width, value), 0);
}

static void wr(uint64_t offset, uint32_t value)
{
    wr_w(offset, 4, value);
}

static size_t console_input(const char *s, size_t len)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(vm->console.input_sink);
    return vm->console.input_sink(vm->console.input_ctx, (const uint8_t *)s, len);
}

static void test_pl011_id_registers_read_as_a_pl011_r1p5(void)
{
    static const uint32_t ids[8] = {0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
    uint32_t periph = 0, cell = 0;

    for (unsigned int i = 0; i < 8; i++) {
        UNIT_CHECK(rd(0xfe0 + 4 * i) == ids[i], "id %u: 0x%x", i, rd(0xfe0 + 4 * i));
        wr(0xfe0 + 4 * i, 0xff); /* read-only */
    }
    /* Linux's amba bus builds the ids from the low byte of each word. */
    for (unsigned int i = 0; i < 4; i++) {
        periph |= (rd(0xfe0 + 4 * i) & 0xff) << (8 * i);
        cell |= (rd(0xff0 + 4 * i) & 0xff) << (8 * i);
    }
    CU_ASSERT_EQUAL(periph, 0x00341011);
    CU_ASSERT_EQUAL(cell, 0xb105f00d);
}

static void test_pl011_reset_values_match_the_trm(void)
{
    CU_ASSERT_EQUAL(rd(FR), FR_TXFE | FR_RXFE);
    CU_ASSERT_EQUAL(rd(CR), 0x300);
    CU_ASSERT_EQUAL(rd(IFLS), 0x12);
    CU_ASSERT_EQUAL(rd(LCR_H), 0);
    CU_ASSERT_EQUAL(rd(IMSC), 0);
    CU_ASSERT_EQUAL(rd(RIS), 0);
    CU_ASSERT_EQUAL(rd(MIS), 0);
    CU_ASSERT_EQUAL(rd(RSR), 0);
    CU_ASSERT_FALSE(irq_level);
}

static void test_pl011_dr_write_goes_to_the_vm_console(void)
{
    wr(DR, 'h');
    wr_w(DR, 1, 'i');
    wr_w(DR, 2, 0x0a);
    CU_ASSERT_EQUAL(vm->console.ring_written, 3);
    CU_ASSERT_EQUAL(memcmp(vm->console.ring, "hi\n", 3), 0);
    /* The transmitter never fills and is never busy. */
    CU_ASSERT_EQUAL(rd(FR) & (FR_TXFF | FR_BUSY), 0);
    CU_ASSERT(rd(FR) & FR_TXFE);
    /* A write to another byte lane of DR is not a character. */
    wr_w(DR + 1, 1, 'x');
    CU_ASSERT_EQUAL(vm->console.ring_written, 3);
}

static void test_pl011_registers_keep_their_implemented_bits(void)
{
    static const struct {
        uint32_t offset, written, read;
    } cases[] = {
        {ILPR, 0xffffffff, 0xff},  {IBRD, 0xffffffff, 0xffff}, {FBRD, 0xffffffff, 0x3f},
        {LCR_H, 0x1ff, 0xff},      {CR, 0xffffffff, 0xff87},   {IFLS, 0xffffffff, 0x3f},
        {IMSC, 0xffffffff, 0x7ff}, {DMACR, 0xffffffff, 0x7},   {IBRD, 0x1a, 0x1a},
        {FBRD, 0x03, 0x03},        {LCR_H, 0x70, 0x70},        {CR, 0x301, 0x301},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        wr(cases[i].offset, cases[i].written);
        UNIT_CHECK(rd(cases[i].offset) == cases[i].read, "0x%x: 0x%x", cases[i].offset,
                   rd(cases[i].offset));
    }
    /* Read-only registers ignore writes. */
    wr(FR, 0);
    wr(RIS, 0x7ff);
    wr(MIS, 0x7ff);
    CU_ASSERT_EQUAL(rd(FR) & (FR_TXFE | FR_RXFE), FR_TXFE | FR_RXFE);
    CU_ASSERT_EQUAL(rd(RIS), 0);
}

static void test_pl011_narrow_and_unaligned_accesses_see_byte_lanes(void)
{
    wr(IBRD, 0x1234);
    CU_ASSERT_EQUAL(rd_w(IBRD, 1), 0x34);
    CU_ASSERT_EQUAL(rd_w(IBRD + 1, 1), 0x12);
    CU_ASSERT_EQUAL(rd_w(IBRD, 2), 0x1234);
    CU_ASSERT_EQUAL(rd_w(IBRD + 2, 2), 0);
    CU_ASSERT_EQUAL(rd_w(IBRD, 8), 0x1234); /* a 64-bit access: the register in its low half */
    wr_w(IBRD + 1, 1, 0x56);                /* changes only its byte */
    CU_ASSERT_EQUAL(rd(IBRD), 0x5634);
    wr_w(CR, 2, 0x0b01);
    CU_ASSERT_EQUAL(rd(CR), 0x0b01);
    CU_ASSERT_EQUAL(rd_w(0xfe8, 2), 0x34);
}

static void test_pl011_unknown_offsets_read_zero_and_ignore_writes(void)
{
    static const uint32_t offsets[] = {0x008, 0x00c, 0x010, 0x014, 0x01c,
                                       0x04c, 0x080, 0x800, 0xfdc, ICR};

    for (size_t i = 0; i < ARRAY_SIZE(offsets); i++) {
        wr(offsets[i], 0xffffffff);
        UNIT_CHECK(rd(offsets[i]) == 0, "0x%x: 0x%x", offsets[i], rd(offsets[i]));
    }
    CU_ASSERT_EQUAL(vm->console.ring_written, 0);
    /* Outside the page: no device. */
    CU_ASSERT_PTR_NULL(devbus_find(&vm->devices, DEV_SPACE_MMIO, BASE + 0x1000, 1));
    CU_ASSERT_PTR_NOT_NULL(devbus_find(&vm->devices, DEV_SPACE_MMIO, BASE + 0xffc, 4));
}

static void test_pl011_input_fills_the_fifo_in_order(void)
{
    static const char text[] = "0123456789abcdefghijklmnopqrstuvwxyz";

    CU_ASSERT_EQUAL(console_input("abc", 3), 1); /* no FIFO: one holding register */
    CU_ASSERT_EQUAL(rd(FR) & (FR_RXFE | FR_RXFF), FR_RXFF);
    CU_ASSERT_EQUAL(rd(DR), 'a');
    CU_ASSERT_EQUAL(rd(FR) & (FR_RXFE | FR_RXFF), FR_RXFE);
    CU_ASSERT_EQUAL(rd(DR), 0); /* empty */
    wr(LCR_H, LCR_H_FEN | 0x60);
    CU_ASSERT_EQUAL(console_input(text, 36), 32);
    CU_ASSERT_EQUAL(console_input("Z", 1), 0); /* full: the console keeps it */
    CU_ASSERT(rd(FR) & FR_RXFF);
    for (unsigned int i = 0; i < 32; i++) {
        UNIT_CHECK(rd_w(DR, 2) == (uint8_t)text[i], "byte %u", i);
    }
    CU_ASSERT(rd(FR) & FR_RXFE);
    CU_ASSERT_EQUAL(rd(RSR), 0); /* nothing was lost */
    CU_ASSERT_EQUAL(console_input("q", 1), 1);
    wr(LCR_H, 0x60); /* FIFO off: emptied */
    CU_ASSERT(rd(FR) & FR_RXFE);
}

static void test_pl011_rx_interrupt_at_the_trigger_level_and_timeout_below(void)
{
    char burst[20];

    memset(burst, 'x', sizeof(burst));
    wr(LCR_H, LCR_H_FEN | 0x60);
    wr(IFLS, 0x12); /* RX at 1/2: 16 bytes */
    wr(IMSC, INT_RX | INT_RT);
    CU_ASSERT_EQUAL(console_input("ab", 2), 2);
    CU_ASSERT_EQUAL(rd(RIS), INT_RT); /* below the trigger: the receive timeout */
    CU_ASSERT_EQUAL(rd(MIS), INT_RT);
    CU_ASSERT(irq_level);
    rd(DR);
    CU_ASSERT_EQUAL(rd(RIS), INT_RT); /* data left */
    rd(DR);
    CU_ASSERT_EQUAL(rd(RIS), 0); /* empty: cleared */
    CU_ASSERT_FALSE(irq_level);
    CU_ASSERT_EQUAL(console_input(burst, 20), 20);
    CU_ASSERT_EQUAL(rd(RIS), INT_RX);
    CU_ASSERT(irq_level);
    for (unsigned int i = 0; i < 4; i++) {
        rd(DR);
    }
    CU_ASSERT_EQUAL(rd(RIS), INT_RX); /* 16 left: still at the trigger */
    rd(DR);
    CU_ASSERT_EQUAL(rd(RIS), INT_RT); /* below it: the rest waits for the timeout */
    wr(ICR, INT_RT);
    CU_ASSERT_EQUAL(rd(RIS), 0);
    CU_ASSERT_FALSE(irq_level);
    while (!(rd(FR) & FR_RXFE)) {
        rd(DR);
    }
    CU_ASSERT_EQUAL(rd(RIS), 0);
    wr(IFLS, 0x00); /* 1/8: 4 bytes */
    CU_ASSERT_EQUAL(console_input("1234", 4), 4);
    CU_ASSERT_EQUAL(rd(RIS), INT_RX);
}

static void test_pl011_tx_interrupt_follows_each_write_until_cleared(void)
{
    wr(IMSC, INT_TX);
    CU_ASSERT_FALSE(irq_level); /* nothing sent yet */
    wr(DR, 'a');
    CU_ASSERT_EQUAL(rd(RIS), INT_TX);
    CU_ASSERT_EQUAL(rd(MIS), INT_TX);
    CU_ASSERT(irq_level);
    wr(ICR, INT_TX);
    CU_ASSERT_EQUAL(rd(RIS), 0);
    CU_ASSERT_FALSE(irq_level);
    wr(DR, 'b');
    CU_ASSERT(irq_level);
    wr(IMSC, 0); /* masked: the line drops, the raw status stays */
    CU_ASSERT_FALSE(irq_level);
    CU_ASSERT_EQUAL(rd(RIS), INT_TX);
    CU_ASSERT_EQUAL(rd(MIS), 0);
    CU_ASSERT_EQUAL(nr_irq_changes, 4);
}

static void test_pl011_loopback_turns_output_into_input(void)
{
    wr(LCR_H, LCR_H_FEN);
    wr(CR, 0x0301 | CR_LBE | 0x0800 | 0x2000); /* RTS, OUT2 */
    CU_ASSERT_EQUAL(rd(FR) & 0x107, 0x101);    /* CTS, RI */
    wr(DR, 'L');
    wr(DR, 'B');
    CU_ASSERT_EQUAL(vm->console.ring_written, 0); /* not sent to the console */
    CU_ASSERT_EQUAL(console_input("no", 2), 0);   /* the outside is disconnected */
    CU_ASSERT_EQUAL(rd(RIS), INT_TX | INT_RT);
    CU_ASSERT_EQUAL(rd(DR), 'L');
    CU_ASSERT_EQUAL(rd(DR), 'B');
    CU_ASSERT(rd(FR) & FR_RXFE);
    wr(CR, 0x0301);
    CU_ASSERT_EQUAL(rd(FR) & 0x107, 0);
    wr(DR, 'o');
    CU_ASSERT_EQUAL(vm->console.ring_written, 1);
}

static void test_pl011_line_is_raw_status_and_mask(void)
{
    CU_ASSERT_EQUAL(console_input("a", 1), 1);
    CU_ASSERT_EQUAL(rd(RIS), INT_RX); /* no FIFO: the trigger is one byte */
    CU_ASSERT_FALSE(irq_level);
    wr(IMSC, INT_TX);
    CU_ASSERT_FALSE(irq_level);
    wr(IMSC, INT_RX);
    CU_ASSERT(irq_level);
    wr(ICR, 0x7ff);
    CU_ASSERT_FALSE(irq_level);
    CU_ASSERT_EQUAL(rd(FR) & FR_RXFE, 0); /* clearing the interrupt keeps the data */
    CU_ASSERT_EQUAL(rd(DR), 'a');
    CU_ASSERT_EQUAL(nr_irq_changes, 2);
}

static void test_pl011_create_over_a_taken_range_fails_and_keeps_the_first(void)
{
    unsigned int nr_devices = vm->devices.nr;

    CU_ASSERT_EQUAL(pl011_create(vm, BASE + 0x800, NULL, NULL), -AXVM_EEXIST);
    CU_ASSERT_EQUAL(vm->devices.nr, nr_devices);
    wr(DR, 'k');
    CU_ASSERT_EQUAL(vm->console.ring_written, 1);
    CU_ASSERT_EQUAL(console_input("z", 1), 1); /* the input still goes to the first */
    CU_ASSERT_EQUAL(rd(DR), 'z');
}

static CU_TestInfo pl011_tests[] = {
    UNIT_TEST(test_pl011_id_registers_read_as_a_pl011_r1p5),
    UNIT_TEST(test_pl011_reset_values_match_the_trm),
    UNIT_TEST(test_pl011_dr_write_goes_to_the_vm_console),
    UNIT_TEST(test_pl011_registers_keep_their_implemented_bits),
    UNIT_TEST(test_pl011_narrow_and_unaligned_accesses_see_byte_lanes),
    UNIT_TEST(test_pl011_unknown_offsets_read_zero_and_ignore_writes),
    UNIT_TEST(test_pl011_input_fills_the_fifo_in_order),
    UNIT_TEST(test_pl011_rx_interrupt_at_the_trigger_level_and_timeout_below),
    UNIT_TEST(test_pl011_tx_interrupt_follows_each_write_until_cleared),
    UNIT_TEST(test_pl011_loopback_turns_output_into_input),
    UNIT_TEST(test_pl011_line_is_raw_status_and_mask),
    UNIT_TEST(test_pl011_create_over_a_taken_range_fails_and_keeps_the_first),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_pl011 = {"pl011", NULL, NULL, pl011_setup, pl011_teardown, pl011_tests};
UNIT_REGISTER_SUITE(unit_suite_pl011);
