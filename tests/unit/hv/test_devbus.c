/* SPDX-License-Identifier: MIT */
/*
 * Suite "devbus": a VM's device registry in hypervisor/devbus.c, with recording devices from
 * the fakes: validation, overlap refusal per space, lookups at the edges of a device, accesses
 * that straddle its end, forwarding, and destruction in reverse order.
 */
#include <string.h>
#include <hv/devbus.h>
#include <public/axvm/errno.h>
#include <fake_vm.h>
#include <unit.h>

static struct devbus bus;
static struct fake_device devs[DEVBUS_MAX_DEVICES + 1];
static struct vcpu vcpu; /* only passed through */

static void devbus_setup(void)
{
    fake_vm_reset();
    devbus_init(&bus);
    memset(devs, 0, sizeof(devs));
}

/* Returns: the result of adding devs[i], set up at [base, base+size) of space. */
static int add(size_t i, enum dev_space space, uint64_t base, uint64_t size)
{
    static const char *const names[] = {"d0", "d1",  "d2",  "d3",  "d4",  "d5",  "d6",  "d7", "d8",
                                        "d9", "d10", "d11", "d12", "d13", "d14", "d15", "d16"};

    fake_device_init(&devs[i], names[i], space, base, size);
    return devbus_add(&bus, &devs[i].dev);
}

static void test_devbus_init_starts_empty(void)
{
    bus.nr = 3;
    devbus_init(&bus);
    CU_ASSERT_EQUAL(bus.nr, 0);
    CU_ASSERT_PTR_NULL(devbus_find(&bus, DEV_SPACE_MMIO, 0, 1));
}

static void test_devbus_add_rejects_malformed_devices_with_einval(void)
{
    static const struct {
        const char *what;
        uint64_t base, size;
        bool no_ops;
    } cases[] = {
        {"no ops", 0x1000, 0x10, true},
        {"size 0", 0x1000, 0, false},
        {"wraps past the top", UINT64_MAX - 0xf, 0x20, false},
        {"size 2^64 - 1 from 2", 2, UINT64_MAX, false},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int rc;

        fake_device_init(&devs[0], "bad", DEV_SPACE_MMIO, cases[i].base, cases[i].size);
        if (cases[i].no_ops) {
            devs[0].dev.ops = NULL;
        }
        rc = devbus_add(&bus, &devs[0].dev);
        UNIT_CHECK(rc == -AXVM_EINVAL, "%s: rc %d", cases[i].what, rc);
        UNIT_CHECK(bus.nr == 0, "%s: the bus holds %u devices", cases[i].what, bus.nr);
    }
}

static void test_devbus_add_overlap_in_the_same_space_returns_eexist(void)
{
    static const struct {
        const char *what;
        uint64_t base, size;
        int rc;
    } cases[] = {
        {"the same range", 0x1000, 0x100, -AXVM_EEXIST},
        {"inside", 0x1010, 0x10, -AXVM_EEXIST},
        {"over its first byte", 0xf00, 0x101, -AXVM_EEXIST},
        {"over its last byte", 0x10ff, 0x10, -AXVM_EEXIST},
        {"around it", 0x800, 0x1000, -AXVM_EEXIST},
        {"right below it", 0xf00, 0x100, 0},
        {"right above it", 0x1100, 0x100, 0},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int rc;

        devbus_init(&bus);
        CU_ASSERT_FATAL(add(0, DEV_SPACE_MMIO, 0x1000, 0x100) == 0);
        rc = add(1, DEV_SPACE_MMIO, cases[i].base, cases[i].size);
        UNIT_CHECK(rc == cases[i].rc, "%s: rc %d, want %d", cases[i].what, rc, cases[i].rc);
        UNIT_CHECK(bus.nr == (cases[i].rc ? 1u : 2u), "%s: %u devices", cases[i].what, bus.nr);
    }
}

static void test_devbus_add_same_range_in_the_other_space_is_fine(void)
{
    CU_ASSERT_EQUAL(add(0, DEV_SPACE_MMIO, 0x3f8, 8), 0);
    CU_ASSERT_EQUAL(add(1, DEV_SPACE_PIO, 0x3f8, 8), 0);
    CU_ASSERT_PTR_EQUAL(devbus_find(&bus, DEV_SPACE_MMIO, 0x3f8, 1), &devs[0].dev);
    CU_ASSERT_PTR_EQUAL(devbus_find(&bus, DEV_SPACE_PIO, 0x3f8, 1), &devs[1].dev);
}

static void test_devbus_add_beyond_max_returns_enospc(void)
{
    for (size_t i = 0; i < DEVBUS_MAX_DEVICES; i++) {
        UNIT_CHECK(add(i, DEV_SPACE_PIO, 0x100 * i, 0x10) == 0, "device %zu refused", i);
    }
    CU_ASSERT_EQUAL(add(DEVBUS_MAX_DEVICES, DEV_SPACE_PIO, 0x8000, 0x10), -AXVM_ENOSPC);
    CU_ASSERT_EQUAL(bus.nr, DEVBUS_MAX_DEVICES);
    CU_ASSERT_PTR_NULL(devbus_find(&bus, DEV_SPACE_PIO, 0x8000, 1));
}

static void test_devbus_find_returns_a_device_only_for_accesses_wholly_inside(void)
{
    static const struct {
        const char *what;
        enum dev_space space;
        uint64_t addr;
        unsigned int width;
        int dev; /* index in devs, -1: none */
    } cases[] = {
        {"first byte", DEV_SPACE_MMIO, 0x1000, 1, 0},
        {"last byte", DEV_SPACE_MMIO, 0x100f, 1, 0},
        {"8 bytes at the start", DEV_SPACE_MMIO, 0x1000, 8, 0},
        {"last 8 bytes", DEV_SPACE_MMIO, 0x1008, 8, 0},
        {"8 bytes, one past the last 8", DEV_SPACE_MMIO, 0x1009, 8, -1},
        {"2 bytes at the last byte", DEV_SPACE_MMIO, 0x100f, 2, -1},
        {"one past the end", DEV_SPACE_MMIO, 0x1010, 1, 1},
        {"just below", DEV_SPACE_MMIO, 0xfff, 1, -1},
        {"4 bytes straddling the start", DEV_SPACE_MMIO, 0xffe, 4, -1},
        {"straddling two adjacent devices", DEV_SPACE_MMIO, 0x100e, 4, -1},
        {"last byte of the adjacent one", DEV_SPACE_MMIO, 0x101f, 1, 1},
        {"past both", DEV_SPACE_MMIO, 0x1020, 1, -1},
        {"the other space", DEV_SPACE_PIO, 0x1000, 1, -1},
        {"port device, first port", DEV_SPACE_PIO, 0xf4, 4, 2},
        {"port device, 4 bytes from its second port", DEV_SPACE_PIO, 0xf5, 4, -1},
        {"port device, last port", DEV_SPACE_PIO, 0xf7, 1, 2},
        {"far below, wrapping offset", DEV_SPACE_MMIO, 0, 8, -1},
        {"top of the space", DEV_SPACE_MMIO, UINT64_MAX, 1, -1},
        {"top device, last byte", DEV_SPACE_MMIO, UINT64_MAX - 0x1000, 1, 3},
        {"top device, straddling its end", DEV_SPACE_MMIO, UINT64_MAX - 0x1003, 8, -1},
    };

    CU_ASSERT_FATAL(add(0, DEV_SPACE_MMIO, 0x1000, 0x10) == 0);
    CU_ASSERT_FATAL(add(1, DEV_SPACE_MMIO, 0x1010, 0x10) == 0);
    CU_ASSERT_FATAL(add(2, DEV_SPACE_PIO, 0xf4, 4) == 0);
    CU_ASSERT_FATAL(add(3, DEV_SPACE_MMIO, UINT64_MAX - 0x1fff, 0x1000) == 0);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const struct device *got = devbus_find(&bus, cases[i].space, cases[i].addr, cases[i].width);
        const struct device *want = cases[i].dev < 0 ? NULL : &devs[cases[i].dev].dev;

        UNIT_CHECK(got == want, "%s: found %s, want %s", cases[i].what, got ? got->name : "none",
                   want ? want->name : "none");
    }
}

static void test_devbus_read_passes_offset_width_and_vcpu_and_returns_the_result(void)
{
    uint64_t value = 0;

    CU_ASSERT_FATAL(add(0, DEV_SPACE_MMIO, 0x1000, 0x10) == 0);
    CU_ASSERT_FATAL(add(1, DEV_SPACE_MMIO, 0x2000, 0x100) == 0);
    devs[1].read_value = 0x1122334455667788;
    CU_ASSERT_EQUAL(devbus_read(&bus, &vcpu, DEV_SPACE_MMIO, 0x2044, 4, &value), 0);
    CU_ASSERT_EQUAL(value, 0x1122334455667788);
    CU_ASSERT(devs[1].nr_reads == 1 && devs[1].last_offset == 0x44 && devs[1].last_width == 4);
    CU_ASSERT_PTR_EQUAL(devs[1].last_vcpu, &vcpu);
    CU_ASSERT_EQUAL(devs[0].nr_reads, 0);
    devs[1].rc = -AXVM_EIO;
    CU_ASSERT_EQUAL(devbus_read(&bus, &vcpu, DEV_SPACE_MMIO, 0x20ff, 1, &value), -AXVM_EIO);
    CU_ASSERT_EQUAL(devs[1].last_offset, 0xff);
}

static void test_devbus_write_passes_offset_width_value_and_returns_the_result(void)
{
    CU_ASSERT_FATAL(add(0, DEV_SPACE_PIO, 0x3f8, 8) == 0);
    CU_ASSERT_EQUAL(devbus_write(&bus, &vcpu, DEV_SPACE_PIO, 0x3fa, 2, 0xbeef), 0);
    CU_ASSERT(devs[0].nr_writes == 1 && devs[0].last_offset == 2 && devs[0].last_width == 2 &&
              devs[0].last_value == 0xbeef);
    CU_ASSERT_PTR_EQUAL(devs[0].last_vcpu, &vcpu);
    devs[0].rc = -AXVM_EINVAL;
    CU_ASSERT_EQUAL(devbus_write(&bus, &vcpu, DEV_SPACE_PIO, 0x3f8, 1, 1), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(devs[0].nr_reads, 0);
}

static void test_devbus_access_without_a_device_returns_enodev(void)
{
    static const struct {
        const char *what;
        enum dev_space space;
        uint64_t addr;
        unsigned int width;
    } cases[] = {
        {"empty space", DEV_SPACE_MMIO, 0x5000, 4},
        {"straddling the device's end", DEV_SPACE_MMIO, 0x100e, 4},
        {"the other space", DEV_SPACE_PIO, 0x1000, 1},
    };
    uint64_t value = 0x55;

    CU_ASSERT_FATAL(add(0, DEV_SPACE_MMIO, 0x1000, 0x10) == 0);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int rc_read =
            devbus_read(&bus, &vcpu, cases[i].space, cases[i].addr, cases[i].width, &value);
        int rc_write = devbus_write(&bus, &vcpu, cases[i].space, cases[i].addr, cases[i].width, 1);

        UNIT_CHECK(rc_read == -AXVM_ENODEV && rc_write == -AXVM_ENODEV,
                   "%s: read rc %d, write rc %d", cases[i].what, rc_read, rc_write);
    }
    CU_ASSERT_EQUAL(value, 0x55);
    CU_ASSERT(devs[0].nr_reads == 0 && devs[0].nr_writes == 0);
}

static void test_devbus_destroy_destroys_in_reverse_order_and_empties_the_bus(void)
{
    for (size_t i = 0; i < 4; i++) {
        CU_ASSERT_FATAL(add(i, DEV_SPACE_PIO, 0x10 * i, 0x10) == 0);
    }
    devbus_destroy(&bus);
    CU_ASSERT_STRING_EQUAL(fake.arch_log, "dev_destroy:d3 dev_destroy:d2 dev_destroy:d1 "
                                          "dev_destroy:d0 ");
    CU_ASSERT_EQUAL(bus.nr, 0);
    CU_ASSERT_PTR_NULL(devbus_find(&bus, DEV_SPACE_PIO, 0, 1));
    devbus_destroy(&bus);
    CU_ASSERT_EQUAL(devs[0].nr_destroys, 1);
}

static void test_devbus_destroy_skips_devices_without_a_destroy_op(void)
{
    static const struct device_ops no_destroy_ops;
    struct device plain = {"plain", DEV_SPACE_MMIO, 0x9000, 0x10, &no_destroy_ops};

    CU_ASSERT_FATAL(add(0, DEV_SPACE_MMIO, 0x1000, 0x10) == 0);
    CU_ASSERT_FATAL(devbus_add(&bus, &plain) == 0);
    CU_ASSERT_FATAL(add(1, DEV_SPACE_MMIO, 0x2000, 0x10) == 0);
    devbus_destroy(&bus);
    CU_ASSERT_STRING_EQUAL(fake.arch_log, "dev_destroy:d1 dev_destroy:d0 ");
    CU_ASSERT_EQUAL(bus.nr, 0);
}

static CU_TestInfo devbus_tests[] = {
    UNIT_TEST(test_devbus_init_starts_empty),
    UNIT_TEST(test_devbus_add_rejects_malformed_devices_with_einval),
    UNIT_TEST(test_devbus_add_overlap_in_the_same_space_returns_eexist),
    UNIT_TEST(test_devbus_add_same_range_in_the_other_space_is_fine),
    UNIT_TEST(test_devbus_add_beyond_max_returns_enospc),
    UNIT_TEST(test_devbus_find_returns_a_device_only_for_accesses_wholly_inside),
    UNIT_TEST(test_devbus_read_passes_offset_width_and_vcpu_and_returns_the_result),
    UNIT_TEST(test_devbus_write_passes_offset_width_value_and_returns_the_result),
    UNIT_TEST(test_devbus_access_without_a_device_returns_enodev),
    UNIT_TEST(test_devbus_destroy_destroys_in_reverse_order_and_empties_the_bus),
    UNIT_TEST(test_devbus_destroy_skips_devices_without_a_destroy_op),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_devbus = {"devbus", NULL, NULL, devbus_setup, NULL, devbus_tests};
UNIT_REGISTER_SUITE(unit_suite_devbus);
