/* SPDX-License-Identifier: MIT */
/*
 * Suite "devices": the device models in hypervisor/devices/ (16550 UART, debug-exit port, MMIO
 * test device), reached through the device bus of a VM built over the fakes, which adds them
 * where x86 does: the UART at port 0x3f8, debug-exit at port 0xf4, the test device at its gpa.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hv/devices.h>
#include <hv/vm.h>
#include <public/axvm/errno.h>
#include <public/axvm/hypercall.h>
#include <public/axvm/testdev.h>
#include <fake_vm.h>
#include <host.h>
#include <unit.h>

#define UART    FAKE_UART_PORT
#define REG_THR 0 /* or DLL with DLAB */
#define REG_IER 1 /* or DLM with DLAB */
#define REG_IIR 2 /* FCR on write */
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCR 7
#define TESTDEV AXVM_TESTDEV_X86_GPA

#define NR_REPEATS 300 /* failed creations in a row: a leaked model would make the heap grow */

static struct vm *vm;
static struct vcpu *v;

static void devices_setup(void)
{
    struct vm_config cfg;

    fake_memory_setup();
    fake_vm_config(&cfg, "dev", 1);
    cfg.devices = VM_DEV_UART | VM_DEV_DEBUG_EXIT | VM_DEV_TESTDEV;
    if (vm_create(&cfg, &vm) != 0) {
        fprintf(stderr, "unit: devices: cannot create the VM every test uses\n");
        abort();
    }
    v = vm->vcpus[0];
    host_console_clear();
}

static void devices_teardown(void)
{
    fake_memory_teardown();
}

static uint64_t rd(enum dev_space space, uint64_t addr, unsigned int width)
{
    uint64_t value = 0xdeadbeefdeadbeef;

    CU_ASSERT_EQUAL(devbus_read(&vm->devices, v, space, addr, width, &value), 0);
    return value;
}

static void wr(enum dev_space space, uint64_t addr, unsigned int width, uint64_t value)
{
    CU_ASSERT_EQUAL(devbus_write(&vm->devices, v, space, addr, width, value), 0);
}

static uint8_t uart_rd(unsigned int reg)
{
    return (uint8_t)rd(DEV_SPACE_PIO, UART + reg, 1);
}

static void uart_wr(unsigned int reg, uint8_t value)
{
    wr(DEV_SPACE_PIO, UART + reg, 1, value);
}

/* ---------------------------------------------------------------------------------------- */
/* 16550 */

static void test_uart16550_thr_write_goes_to_the_vm_console(void)
{
    char want[32], ring[8];
    uint64_t pos = 0;

    uart_wr(REG_THR, 'h');
    uart_wr(REG_THR, 'i');
    CU_ASSERT_STRING_EQUAL(host_console_text(), "");
    wr(DEV_SPACE_PIO, UART + REG_THR, 2, 0x4121); /* a wider store sends its low byte */
    uart_wr(REG_THR, '\n');
    snprintf(want, sizeof(want), "(d%u) hi!\r\n", vm->id);
    CU_ASSERT_STRING_EQUAL(host_console_text(), want);
    CU_ASSERT_EQUAL(vconsole_read(&vm->console, &pos, ring, sizeof(ring)), 4);
    CU_ASSERT_EQUAL(memcmp(ring, "hi!\n", 4), 0);
}

static void test_uart16550_lsr_always_reads_transmitter_empty(void)
{
    CU_ASSERT_EQUAL(uart_rd(REG_LSR), 0x60);
    for (int i = 0; i < 20; i++) {
        uart_wr(REG_THR, 'x');
    }
    CU_ASSERT_EQUAL(uart_rd(REG_LSR), 0x60);
    uart_wr(REG_LCR, 0x80);
    CU_ASSERT_EQUAL(uart_rd(REG_LSR), 0x60);
}

static void test_uart16550_dlab_switches_data_and_ier_to_the_divisor_latch(void)
{
    uart_wr(REG_IER, 0x0f);
    uart_wr(REG_LCR, 0x83); /* DLAB, 8n1 */
    CU_ASSERT_EQUAL(uart_rd(REG_IER), 0);
    uart_wr(REG_THR, 0x01); /* DLL: 115200 baud */
    uart_wr(REG_IER, 0x12); /* DLM */
    CU_ASSERT_EQUAL(uart_rd(REG_THR), 0x01);
    CU_ASSERT_EQUAL(uart_rd(REG_IER), 0x12);
    CU_ASSERT_EQUAL(vm->console.ring_written, 0);
    CU_ASSERT_EQUAL(uart_rd(REG_LCR), 0x83);
    uart_wr(REG_LCR, 0x03);
    CU_ASSERT_EQUAL(uart_rd(REG_LCR), 0x03);
    CU_ASSERT_EQUAL(uart_rd(REG_IER), 0x0f);
    CU_ASSERT_EQUAL(uart_rd(REG_THR), 0); /* nothing received */
    uart_wr(REG_THR, 'z');                /* transmitted, not latched */
    uart_wr(REG_IER, 0x03);
    CU_ASSERT_EQUAL(vm->console.ring_written, 1);
    uart_wr(REG_LCR, 0x83);
    CU_ASSERT_EQUAL(uart_rd(REG_THR), 0x01);
    CU_ASSERT_EQUAL(uart_rd(REG_IER), 0x12);
}

static void test_uart16550_keeps_scratch_modem_control_and_fifo_control(void)
{
    CU_ASSERT_EQUAL(uart_rd(REG_IIR), 0x01); /* no interrupt, no FIFO */
    uart_wr(REG_IIR, 0x07);                  /* FCR: enable and clear the FIFOs */
    CU_ASSERT_EQUAL(uart_rd(REG_IIR), 0xc1);
    uart_wr(REG_IIR, 0x00);
    CU_ASSERT_EQUAL(uart_rd(REG_IIR), 0x01);
    uart_wr(REG_MCR, 0x0b);
    CU_ASSERT_EQUAL(uart_rd(REG_MCR), 0x0b);
    uart_wr(REG_SCR, 0xa5);
    CU_ASSERT_EQUAL(uart_rd(REG_SCR), 0xa5);
    uart_wr(REG_SCR, 0x5a);
    CU_ASSERT_EQUAL(uart_rd(REG_SCR), 0x5a);
}

static void test_uart16550_lsr_and_msr_ignore_writes(void)
{
    CU_ASSERT_EQUAL(uart_rd(REG_MSR), 0xb0); /* DCD, DSR, CTS */
    uart_wr(REG_LSR, 0x01);
    uart_wr(REG_MSR, 0x0f);
    CU_ASSERT_EQUAL(uart_rd(REG_LSR), 0x60);
    CU_ASSERT_EQUAL(uart_rd(REG_MSR), 0xb0);
    CU_ASSERT_EQUAL(uart_rd(REG_SCR), 0x00);
    CU_ASSERT_EQUAL(vm->console.ring_written, 0);
}

static void test_uart16550_create_works_in_mmio_space(void)
{
    CU_ASSERT_FATAL(uart16550_create(vm, DEV_SPACE_MMIO, 0x9000000) == 0);
    wr(DEV_SPACE_MMIO, 0x9000000 + REG_THR, 1, 'm');
    CU_ASSERT_EQUAL(rd(DEV_SPACE_MMIO, 0x9000000 + REG_LSR, 1), 0x60);
    CU_ASSERT_EQUAL(vm->console.ring_written, 1);
    CU_ASSERT_EQUAL(vm->console.ring[0], 'm');
    CU_ASSERT_PTR_NULL(devbus_find(&vm->devices, DEV_SPACE_MMIO, 0x9000000 + 8, 1));
}

/* A second UART with its interrupt output wired to a recorder; it takes the console input. */
#define UART2 0x2f8

static bool irq_level;
static unsigned int nr_irq_changes;

static void record_irq(void *ctx, bool level)
{
    CU_ASSERT_PTR_EQUAL(ctx, &irq_level);
    CU_ASSERT_NOT_EQUAL(level, irq_level); /* called on changes only */
    irq_level = level;
    nr_irq_changes++;
}

static void add_uart2(void)
{
    irq_level = false;
    nr_irq_changes = 0;
    CU_ASSERT_FATAL(uart16550_create_irq(vm, DEV_SPACE_PIO, UART2, record_irq, &irq_level) == 0);
}

static uint8_t u2_rd(unsigned int reg)
{
    return (uint8_t)rd(DEV_SPACE_PIO, UART2 + reg, 1);
}

static void u2_wr(unsigned int reg, uint8_t value)
{
    wr(DEV_SPACE_PIO, UART2 + reg, 1, value);
}

/* Console input, as the domain console hands it to its sink. */
static size_t console_input(const char *s, size_t len)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(vm->console.input_sink);
    return vm->console.input_sink(vm->console.input_ctx, (const uint8_t *)s, len);
}

static void test_uart16550_input_fills_the_fifo_in_order(void)
{
    add_uart2();
    CU_ASSERT_EQUAL(console_input("abc", 3), 1); /* no FIFO: one holding register */
    CU_ASSERT_EQUAL(u2_rd(REG_LSR), 0x61);       /* data ready */
    CU_ASSERT_EQUAL(u2_rd(REG_THR), 'a');
    CU_ASSERT_EQUAL(u2_rd(REG_LSR), 0x60);
    u2_wr(REG_IIR, 0x01); /* FIFO on */
    CU_ASSERT_EQUAL(console_input("0123456789abcdefXYZ", 19), 16);
    CU_ASSERT_EQUAL(console_input("Z", 1), 0); /* full: the console keeps it */
    for (unsigned int i = 0; i < 16; i++) {
        UNIT_CHECK(u2_rd(REG_THR) == (uint8_t) "0123456789abcdef"[i], "byte %u", i);
    }
    CU_ASSERT_EQUAL(u2_rd(REG_LSR) & 0x03, 0); /* empty, no overrun */
    CU_ASSERT_EQUAL(console_input("q", 1), 1);
    u2_wr(REG_IIR, 0x03); /* FCR: clear the receiver */
    CU_ASSERT_EQUAL(u2_rd(REG_LSR) & 0x01, 0);
}

static void test_uart16550_iir_reports_the_highest_priority_interrupt(void)
{
    add_uart2();
    u2_wr(REG_IIR, 0x41); /* FIFO on, trigger level 4 */
    CU_ASSERT_EQUAL(u2_rd(REG_IIR), 0xc1);
    u2_wr(REG_IER, 0x0f);
    CU_ASSERT_EQUAL(u2_rd(REG_IIR), 0xc2); /* THR empty, from enabling it */
    CU_ASSERT_EQUAL(u2_rd(REG_IIR), 0xc1); /* reading IIR cleared it */
    u2_wr(REG_THR, 'x');
    CU_ASSERT_EQUAL(u2_rd(REG_IIR), 0xc2); /* sent: empty again */
    CU_ASSERT_EQUAL(console_input("ab", 2), 2);
    CU_ASSERT_EQUAL(u2_rd(REG_IIR), 0xcc); /* below the trigger: character timeout */
    CU_ASSERT_EQUAL(console_input("cd", 2), 2);
    CU_ASSERT_EQUAL(u2_rd(REG_IIR), 0xc4); /* received data, above THRE */
    /* Loopback overrun: line status beats everything; reading LSR clears it. */
    u2_wr(REG_MCR, 0x10);
    for (unsigned int i = 0; i < 13; i++) {
        u2_wr(REG_THR, (uint8_t)i);
    }
    CU_ASSERT_EQUAL(u2_rd(REG_IIR), 0xc6);
    CU_ASSERT_EQUAL(u2_rd(REG_LSR), 0x63); /* DR, OE, THRE, TEMT */
    CU_ASSERT_EQUAL(u2_rd(REG_IIR), 0xc4);
    u2_wr(REG_IIR, 0x43); /* clear the receiver */
    CU_ASSERT_EQUAL(u2_rd(REG_IIR), 0xc2);
    CU_ASSERT_EQUAL(u2_rd(REG_IIR), 0xc0); /* THRE read; the loopback MCR change left MSR deltas */
    u2_rd(REG_MSR);
    CU_ASSERT_EQUAL(u2_rd(REG_IIR), 0xc1);
}

static void test_uart16550_loopback_turns_output_into_input_and_mcr_into_msr(void)
{
    add_uart2();
    u2_wr(REG_IIR, 0x01);
    u2_wr(REG_MCR, 0x1a); /* loop, RTS, OUT2: Linux's probe expects CTS and DCD */
    CU_ASSERT_EQUAL(u2_rd(REG_MSR) & 0xf0, 0x90);
    u2_wr(REG_MCR, 0x15);                         /* loop, DTR, OUT1 */
    CU_ASSERT_EQUAL(u2_rd(REG_MSR), 0x60 | 0x0b); /* DSR, RI; DCTS, DDSR, DDCD changed */
    CU_ASSERT_EQUAL(u2_rd(REG_MSR), 0x60);        /* deltas clear on read */
    u2_wr(REG_MCR, 0x11);                         /* RI falls: trailing-edge delta */
    CU_ASSERT_EQUAL(u2_rd(REG_MSR), 0x20 | 0x04);
    u2_wr(REG_THR, 'L');
    u2_wr(REG_THR, 'B');
    CU_ASSERT_EQUAL(vm->console.ring_written, 0); /* not sent to the console */
    CU_ASSERT_EQUAL(console_input("no", 2), 0);   /* the outside is disconnected */
    CU_ASSERT_EQUAL(u2_rd(REG_THR), 'L');
    CU_ASSERT_EQUAL(u2_rd(REG_THR), 'B');
    CU_ASSERT_EQUAL(u2_rd(REG_LSR) & 0x01, 0);
    u2_wr(REG_LCR, 0x80); /* the divisor latch still works */
    u2_wr(REG_THR, 0x0c);
    CU_ASSERT_EQUAL(u2_rd(REG_THR), 0x0c);
    u2_wr(REG_LCR, 0x03);
    u2_wr(REG_MCR, 0x00);
    CU_ASSERT_EQUAL(u2_rd(REG_MSR) & 0xf0, 0xb0);
    u2_wr(REG_THR, 'o');
    CU_ASSERT_EQUAL(vm->console.ring_written, 1);
}

static void test_uart16550_irq_line_follows_iir_and_out2(void)
{
    add_uart2();
    u2_wr(REG_IER, 0x01); /* received data */
    CU_ASSERT_EQUAL(console_input("a", 1), 1);
    CU_ASSERT_FALSE(irq_level); /* OUT2 off: the line is held low */
    CU_ASSERT_EQUAL(nr_irq_changes, 0);
    u2_wr(REG_MCR, 0x08);
    CU_ASSERT(irq_level);
    u2_rd(REG_THR);
    CU_ASSERT_FALSE(irq_level);
    CU_ASSERT_EQUAL(nr_irq_changes, 2);
    u2_wr(REG_IER, 0x03); /* THRE too */
    CU_ASSERT(irq_level);
    u2_rd(REG_IIR); /* shows THRE, which clears it */
    CU_ASSERT_FALSE(irq_level);
    u2_wr(REG_THR, '!');
    CU_ASSERT(irq_level);
    u2_wr(REG_IER, 0x00);
    CU_ASSERT_FALSE(irq_level);
    CU_ASSERT_EQUAL(nr_irq_changes, 6);
}

/* ---------------------------------------------------------------------------------------- */
/* debug exit */

static void test_debugexit_write_shuts_the_vm_down_with_the_code(void)
{
    static const struct {
        uint16_t port;
        unsigned int width;
        uint64_t value;
    } cases[] = {
        {AXVM_DEBUG_EXIT_PORT, 1, 0x31},
        {AXVM_DEBUG_EXIT_PORT, 4, 0x12345678},
        {AXVM_DEBUG_EXIT_PORT + 3, 1, 0},
        {AXVM_DEBUG_EXIT_PORT + 2, 2, 0xbeef},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        if (i) {
            devices_teardown();
            devices_setup();
        }
        CU_ASSERT_FATAL(vm_boot(vm) == 0);
        wr(DEV_SPACE_PIO, cases[i].port, cases[i].width, cases[i].value);
        UNIT_CHECK(vm_get_state(vm) == VM_STATE_SHUTDOWN &&
                       vm->shutdown_reason == AXVM_SHUTDOWN_EXIT && vm->exit_code == cases[i].value,
                   "port 0x%x, width %u: state %d, reason %u, code 0x%llx", cases[i].port,
                   cases[i].width, (int)vm_get_state(vm), vm->shutdown_reason,
                   (unsigned long long)vm->exit_code);
    }
}

static void test_debugexit_second_write_keeps_the_first_code(void)
{
    CU_ASSERT_FATAL(vm_boot(vm) == 0);
    wr(DEV_SPACE_PIO, AXVM_DEBUG_EXIT_PORT, 1, 7);
    wr(DEV_SPACE_PIO, AXVM_DEBUG_EXIT_PORT, 1, 9);
    CU_ASSERT_EQUAL(vm->exit_code, 7);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_SHUTDOWN);
}

static void test_debugexit_read_returns_all_ones_and_changes_nothing(void)
{
    CU_ASSERT_FATAL(vm_boot(vm) == 0);
    CU_ASSERT_EQUAL(rd(DEV_SPACE_PIO, AXVM_DEBUG_EXIT_PORT, 1), 0xff);
    CU_ASSERT_EQUAL(rd(DEV_SPACE_PIO, AXVM_DEBUG_EXIT_PORT, 2), 0xffff);
    CU_ASSERT_EQUAL(rd(DEV_SPACE_PIO, AXVM_DEBUG_EXIT_PORT, 4), 0xffffffff);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_RUNNING);
}

static void test_debugexit_create_in_mmio_ends_the_vm_on_a_write(void)
{
    CU_ASSERT_FATAL(debugexit_create(vm, DEV_SPACE_MMIO, AXVM_DEBUG_EXIT_ARM64_GPA) == 0);
    CU_ASSERT_PTR_NULL(devbus_find(&vm->devices, DEV_SPACE_MMIO, AXVM_DEBUG_EXIT_ARM64_GPA + 4, 1));
    CU_ASSERT_PTR_NULL(devbus_find(&vm->devices, DEV_SPACE_PIO, AXVM_DEBUG_EXIT_ARM64_GPA, 1));
    CU_ASSERT_FATAL(vm_boot(vm) == 0);
    CU_ASSERT_EQUAL(rd(DEV_SPACE_MMIO, AXVM_DEBUG_EXIT_ARM64_GPA, 4), 0xffffffff);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_RUNNING);
    wr(DEV_SPACE_MMIO, AXVM_DEBUG_EXIT_ARM64_GPA, 4, 0x2a);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_SHUTDOWN);
    CU_ASSERT_EQUAL(vm->shutdown_reason, AXVM_SHUTDOWN_EXIT);
    CU_ASSERT_EQUAL(vm->exit_code, 0x2a);
}

static void test_debugexit_create_rejects_a_window_outside_its_space(void)
{
    static const struct {
        enum dev_space space;
        uint64_t addr;
        int rc;
    } cases[] = {
        {DEV_SPACE_PIO, 0xfffc, 0},
        {DEV_SPACE_PIO, 0xfffd, -AXVM_EINVAL},
        {DEV_SPACE_PIO, 0x10000, -AXVM_EINVAL},
        {DEV_SPACE_MMIO, UINT64_MAX - 4, 0},
        {DEV_SPACE_MMIO, UINT64_MAX - 3, -AXVM_EINVAL},
        {(enum dev_space)7, 0x1000, -AXVM_EINVAL},
    };
    unsigned int nr_devices = vm->devices.nr;

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int rc = debugexit_create(vm, cases[i].space, cases[i].addr);

        UNIT_CHECK(rc == cases[i].rc, "case %zu: rc %d, want %d", i, rc, cases[i].rc);
    }
    CU_ASSERT_EQUAL(vm->devices.nr, nr_devices + 2); /* the two that fit, nothing else */
}

/* ---------------------------------------------------------------------------------------- */
/* test device */

static uint64_t pattern(uint64_t offset, unsigned int width)
{
    uint64_t value = 0;

    for (unsigned int i = 0; i < width; i++) {
        value |= (uint64_t)(uint8_t)(0x11 * (offset + i) + 0x3 * width) << (8 * i);
    }
    return value;
}

static void test_testdev_scratch_reads_back_at_every_width_and_offset(void)
{
    static const unsigned int widths[] = {1, 2, 4, 8};
    size_t nr_bad = 0;

    for (size_t w = 0; w < ARRAY_SIZE(widths); w++) {
        unsigned int width = widths[w];

        for (uint64_t off = 0; off + width <= AXVM_TESTDEV_SCRATCH_SIZE; off++) {
            uint64_t got;

            wr(DEV_SPACE_MMIO, TESTDEV + off, width, pattern(off, width));
            got = rd(DEV_SPACE_MMIO, TESTDEV + off, width);
            if (got != pattern(off, width) && nr_bad++ < 4) {
                UNIT_CHECK(false, "width %u at 0x%llx: read 0x%llx, wrote 0x%llx", width,
                           (unsigned long long)off, (unsigned long long)got,
                           (unsigned long long)pattern(off, width));
            }
        }
    }
    CU_ASSERT_EQUAL(nr_bad, 0);
}

static void test_testdev_scratch_is_little_endian_across_widths(void)
{
    wr(DEV_SPACE_MMIO, TESTDEV + 0x43, 8, 0x0807060504030201);
    for (uint64_t i = 0; i < 8; i++) {
        UNIT_CHECK(rd(DEV_SPACE_MMIO, TESTDEV + 0x43 + i, 1) == i + 1, "byte %llu",
                   (unsigned long long)i);
    }
    CU_ASSERT_EQUAL(rd(DEV_SPACE_MMIO, TESTDEV + 0x44, 2), 0x0302);
    CU_ASSERT_EQUAL(rd(DEV_SPACE_MMIO, TESTDEV + 0x47, 4), 0x08070605);
    wr(DEV_SPACE_MMIO, TESTDEV + 0x45, 1, 0xaa);
    CU_ASSERT_EQUAL(rd(DEV_SPACE_MMIO, TESTDEV + 0x43, 8), 0x0807060504aa0201);
    CU_ASSERT_EQUAL(rd(DEV_SPACE_MMIO, TESTDEV + 0x42, 1), 0);
    CU_ASSERT_EQUAL(rd(DEV_SPACE_MMIO, TESTDEV + 0x4b, 1), 0);
}

static uint64_t reg(uint64_t offset)
{
    return rd(DEV_SPACE_MMIO, TESTDEV + offset, 8);
}

static void test_testdev_last_access_registers_describe_the_last_scratch_access(void)
{
    CU_ASSERT_EQUAL(reg(AXVM_TESTDEV_NR_ACCESSES), 0);
    wr(DEV_SPACE_MMIO, TESTDEV + 0x22, 2, 0xbeef);
    CU_ASSERT_EQUAL(reg(AXVM_TESTDEV_LAST_WIDTH), 2);
    CU_ASSERT_EQUAL(reg(AXVM_TESTDEV_LAST_OFFSET), 0x22);
    CU_ASSERT_EQUAL(reg(AXVM_TESTDEV_LAST_VALUE), 0xbeef);
    CU_ASSERT_EQUAL(reg(AXVM_TESTDEV_NR_ACCESSES), 1);
    rd(DEV_SPACE_MMIO, TESTDEV + 0xf8, 8);
    CU_ASSERT_EQUAL(reg(AXVM_TESTDEV_LAST_WIDTH), 8);
    CU_ASSERT_EQUAL(reg(AXVM_TESTDEV_LAST_OFFSET), 0xf8);
    CU_ASSERT_EQUAL(reg(AXVM_TESTDEV_LAST_VALUE), 0xbeef); /* reads store nothing */
    CU_ASSERT_EQUAL(reg(AXVM_TESTDEV_NR_ACCESSES), 2);
    /* Reading the registers is not a scratch access. */
    CU_ASSERT_EQUAL(reg(AXVM_TESTDEV_NR_ACCESSES), 2);
    CU_ASSERT_EQUAL(rd(DEV_SPACE_MMIO, TESTDEV + AXVM_TESTDEV_LAST_WIDTH, 4), 8);
}

static void test_testdev_registers_are_read_only(void)
{
    wr(DEV_SPACE_MMIO, TESTDEV + 1, 1, 0x77);
    wr(DEV_SPACE_MMIO, TESTDEV + AXVM_TESTDEV_LAST_WIDTH, 8, 99);
    wr(DEV_SPACE_MMIO, TESTDEV + AXVM_TESTDEV_LAST_VALUE, 8, 99);
    wr(DEV_SPACE_MMIO, TESTDEV + AXVM_TESTDEV_NR_ACCESSES, 8, 99);
    CU_ASSERT_EQUAL(reg(AXVM_TESTDEV_LAST_WIDTH), 1);
    CU_ASSERT_EQUAL(reg(AXVM_TESTDEV_LAST_VALUE), 0x77);
    CU_ASSERT_EQUAL(reg(AXVM_TESTDEV_NR_ACCESSES), 1);
}

static void test_testdev_access_straddling_the_scratch_end_is_not_a_scratch_access(void)
{
    wr(DEV_SPACE_MMIO, TESTDEV + 0xf8, 8, 0x1122334455667788);
    wr(DEV_SPACE_MMIO, TESTDEV + 0xfc, 8, 0); /* would spill into LAST_WIDTH */
    CU_ASSERT_EQUAL(rd(DEV_SPACE_MMIO, TESTDEV + 0xf8, 8), 0x1122334455667788);
    CU_ASSERT_EQUAL(reg(AXVM_TESTDEV_NR_ACCESSES), 2);
    CU_ASSERT_EQUAL(reg(AXVM_TESTDEV_LAST_WIDTH), 8);
    CU_ASSERT_EQUAL(rd(DEV_SPACE_MMIO, TESTDEV + 0xfe, 4), UINT64_MAX);
    CU_ASSERT_EQUAL(reg(AXVM_TESTDEV_NR_ACCESSES), 2);
}

static void test_testdev_unknown_offsets_read_all_ones(void)
{
    static const uint64_t offsets[] = {0x104, 0x120, 0x800, AXVM_TESTDEV_SIZE - 8};

    for (size_t i = 0; i < ARRAY_SIZE(offsets); i++) {
        UNIT_CHECK(reg(offsets[i]) == UINT64_MAX, "offset 0x%llx", (unsigned long long)offsets[i]);
    }
    CU_ASSERT_PTR_NULL(devbus_find(&vm->devices, DEV_SPACE_MMIO, TESTDEV + AXVM_TESTDEV_SIZE, 1));
    CU_ASSERT_PTR_NOT_NULL(devbus_find(&vm->devices, DEV_SPACE_MMIO, TESTDEV + 0xfff, 1));
}

/* ---------------------------------------------------------------------------------------- */
/* creation */

static void test_devices_create_over_a_taken_range_returns_eexist_and_frees_the_model(void)
{
    struct fake_census before = fake_census_take();
    unsigned int nr_devices = vm->devices.nr;

    for (int i = 0; i < NR_REPEATS; i++) {
        int rc_uart = uart16550_create(vm, DEV_SPACE_PIO, UART + 4);
        int rc_exit = debugexit_create(vm, DEV_SPACE_PIO, AXVM_DEBUG_EXIT_PORT - 3);
        int rc_testdev = testdev_create(vm, TESTDEV + AXVM_TESTDEV_SIZE - 1);

        if (rc_uart != -AXVM_EEXIST || rc_exit != -AXVM_EEXIST || rc_testdev != -AXVM_EEXIST) {
            UNIT_CHECK(false, "rc %d, %d, %d", rc_uart, rc_exit, rc_testdev);
            break;
        }
    }
    CU_ASSERT_EQUAL(vm->devices.nr, nr_devices);
    CU_ASSERT_TRUE(fake_census_equal(fake_census_take(), before));
    /* The UART already there still gets the console's input. */
    CU_ASSERT_EQUAL(vconsole_input(&vm->console, (const uint8_t *)"z", 1), 1);
}

static void test_devices_create_on_a_full_bus_returns_enospc_and_frees_the_model(void)
{
    static struct fake_device fillers[DEVBUS_MAX_DEVICES];
    struct fake_census before;

    for (unsigned int i = 0; vm->devices.nr < DEVBUS_MAX_DEVICES; i++) {
        fake_device_init(&fillers[i], "filler", DEV_SPACE_PIO, 0x1000 + 0x10 * i, 0x10);
        CU_ASSERT_FATAL(devbus_add(&vm->devices, &fillers[i].dev) == 0);
    }
    before = fake_census_take();
    for (int i = 0; i < NR_REPEATS; i++) {
        int rc_uart = uart16550_create(vm, DEV_SPACE_PIO, 0x2f8);
        int rc_exit = debugexit_create(vm, DEV_SPACE_PIO, 0x501);
        int rc_testdev = testdev_create(vm, 0xe0000000);

        if (rc_uart != -AXVM_ENOSPC || rc_exit != -AXVM_ENOSPC || rc_testdev != -AXVM_ENOSPC) {
            UNIT_CHECK(false, "rc %d, %d, %d", rc_uart, rc_exit, rc_testdev);
            break;
        }
    }
    CU_ASSERT_TRUE(fake_census_equal(fake_census_take(), before));
}

static void test_devices_are_destroyed_with_their_vm(void)
{
    struct fake_census before;

    devices_teardown();
    fake_memory_setup();
    before = fake_census_take();
    for (int i = 0; i < NR_REPEATS; i++) {
        struct vm_config cfg;

        fake_vm_config(&cfg, "dev", 1);
        cfg.devices = VM_DEV_UART | VM_DEV_DEBUG_EXIT | VM_DEV_TESTDEV;
        CU_ASSERT_FATAL(vm_create(&cfg, &vm) == 0);
        CU_ASSERT_EQUAL(vm->devices.nr, 3);
        vm_destroy(vm);
    }
    CU_ASSERT_TRUE(fake_census_equal(fake_census_take(), before));
    vm = NULL;
}

static CU_TestInfo devices_tests[] = {
    UNIT_TEST(test_uart16550_thr_write_goes_to_the_vm_console),
    UNIT_TEST(test_uart16550_lsr_always_reads_transmitter_empty),
    UNIT_TEST(test_uart16550_dlab_switches_data_and_ier_to_the_divisor_latch),
    UNIT_TEST(test_uart16550_keeps_scratch_modem_control_and_fifo_control),
    UNIT_TEST(test_uart16550_lsr_and_msr_ignore_writes),
    UNIT_TEST(test_uart16550_create_works_in_mmio_space),
    UNIT_TEST(test_uart16550_input_fills_the_fifo_in_order),
    UNIT_TEST(test_uart16550_iir_reports_the_highest_priority_interrupt),
    UNIT_TEST(test_uart16550_loopback_turns_output_into_input_and_mcr_into_msr),
    UNIT_TEST(test_uart16550_irq_line_follows_iir_and_out2),
    UNIT_TEST(test_debugexit_write_shuts_the_vm_down_with_the_code),
    UNIT_TEST(test_debugexit_second_write_keeps_the_first_code),
    UNIT_TEST(test_debugexit_read_returns_all_ones_and_changes_nothing),
    UNIT_TEST(test_debugexit_create_in_mmio_ends_the_vm_on_a_write),
    UNIT_TEST(test_debugexit_create_rejects_a_window_outside_its_space),
    UNIT_TEST(test_testdev_scratch_reads_back_at_every_width_and_offset),
    UNIT_TEST(test_testdev_scratch_is_little_endian_across_widths),
    UNIT_TEST(test_testdev_last_access_registers_describe_the_last_scratch_access),
    UNIT_TEST(test_testdev_registers_are_read_only),
    UNIT_TEST(test_testdev_access_straddling_the_scratch_end_is_not_a_scratch_access),
    UNIT_TEST(test_testdev_unknown_offsets_read_all_ones),
    UNIT_TEST(test_devices_create_over_a_taken_range_returns_eexist_and_frees_the_model),
    UNIT_TEST(test_devices_create_on_a_full_bus_returns_enospc_and_frees_the_model),
    UNIT_TEST(test_devices_are_destroyed_with_their_vm),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_devices = {"devices",        NULL,         NULL, devices_setup,
                                   devices_teardown, devices_tests};
UNIT_REGISTER_SUITE(unit_suite_devices);
