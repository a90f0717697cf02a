/* SPDX-License-Identifier: MIT */
/*
 * Suite "hypercall": hypercall_dispatch() in hypervisor/hypercall.c, called for vCPU 0 of a VM
 * built over the fakes. Guest buffers live in the VM's RAM; the console is read back from the
 * host console capture and from the domain's console ring.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hv/hypercall.h>
#include <hv/vm.h>
#include <public/axvm/errno.h>
#include <public/axvm/hypercall.h>
#include <fake_vm.h>
#include <host.h>
#include <unit.h>

#define RAM_SIZE KIB(64)             /* at gpa 0, read-write */
#define RO_GPA   ((gpa_t)KIB(64))    /* read-only RAM right after it */
#define LAZY_GPA ((gpa_t)MIB(1))     /* lazily populated RAM */
#define PT_GPA   ((gpa_t)0x10000000) /* a pass-through MMIO page */
#define HOLE_GPA ((gpa_t)MIB(2))     /* nothing */

static struct vm *vm;
static struct vcpu *v;

static void hypercall_setup(void)
{
    static const struct pt_attr ro = {.writable = false};
    struct vm_config cfg;

    fake_memory_setup();
    fake_vm_config(&cfg, "hc", 1);
    cfg.regions[1] = (struct vm_region_config){RO_GPA, KIB(4), REGION_ALLOC, ro, false};
    cfg.regions[2] = (struct vm_region_config){LAZY_GPA, KIB(64), REGION_ALLOC, ro, true};
    cfg.regions[2].attr.writable = true;
    cfg.nr_regions = 3;
    cfg.passthrough[0] = (struct vm_passthrough_config){DEV_SPACE_MMIO, PT_GPA, KIB(4)};
    cfg.nr_passthrough = 1;
    if (vm_create(&cfg, &vm) != 0) {
        fprintf(stderr, "unit: hypercall: cannot create the VM every test uses\n");
        abort();
    }
    v = vm->vcpus[0];
    host_console_clear();
}

static void hypercall_teardown(void)
{
    fake_memory_teardown();
}

static int64_t call(uint64_t nr, uint64_t a0, uint64_t a1)
{
    const uint64_t args[6] = {a0, a1, 0xdead0002, 0xdead0003, 0xdead0004, 0xdead0005};

    return hypercall_dispatch(v, nr, args);
}

static void put_guest(gpa_t gpa, const char *s)
{
    CU_ASSERT_FATAL(vm_write_guest(vm, gpa, s, strlen(s)) == 0);
}

static void test_hypercall_abi_version_returns_the_abi_version(void)
{
    CU_ASSERT_EQUAL(call(AXVM_HC_ABI_VERSION, 0, 0), AXVM_ABI_VERSION);
    CU_ASSERT_EQUAL(call(AXVM_HC_ABI_VERSION, UINT64_MAX, 7), AXVM_ABI_VERSION);
}

static void test_hypercall_console_write_copies_the_buffer_to_the_console(void)
{
    char want[64], ring[64];
    uint64_t pos = 0;

    put_guest(0x1ffe, "hello, world\n");
    CU_ASSERT_EQUAL(call(AXVM_HC_CONSOLE_WRITE, 0x1ffe, 13), 13);
    snprintf(want, sizeof(want), "(d%u) hello, world\r\n", vm->id);
    CU_ASSERT_STRING_EQUAL(host_console_text(), want);
    CU_ASSERT_EQUAL(vconsole_read(&vm->console, &pos, ring, sizeof(ring)), 13);
    CU_ASSERT_EQUAL(memcmp(ring, "hello, world\n", 13), 0);
}

static void test_hypercall_console_write_reads_read_only_and_lazy_ram(void)
{
    put_guest(LAZY_GPA + KIB(8), "lazy");
    CU_ASSERT_EQUAL(call(AXVM_HC_CONSOLE_WRITE, LAZY_GPA + KIB(8), 4), 4);
    CU_ASSERT_EQUAL(call(AXVM_HC_CONSOLE_WRITE, RO_GPA, 16), 16);
    CU_ASSERT_EQUAL(call(AXVM_HC_CONSOLE_WRITE, RO_GPA - 8, 16), 16);
    CU_ASSERT_EQUAL(vm->console.ring_written, 36);
}

static void test_hypercall_console_write_accepts_the_maximum_length(void)
{
    CU_ASSERT_EQUAL(call(AXVM_HC_CONSOLE_WRITE, 0, AXVM_CONSOLE_WRITE_MAX), AXVM_CONSOLE_WRITE_MAX);
    CU_ASSERT_EQUAL(vm->console.ring_written, AXVM_CONSOLE_WRITE_MAX);
    CU_ASSERT_EQUAL(
        call(AXVM_HC_CONSOLE_WRITE, RAM_SIZE - AXVM_CONSOLE_WRITE_MAX, AXVM_CONSOLE_WRITE_MAX),
        AXVM_CONSOLE_WRITE_MAX);
}

static void test_hypercall_console_write_of_zero_bytes_returns_zero(void)
{
    CU_ASSERT_EQUAL(call(AXVM_HC_CONSOLE_WRITE, 0x100, 0), 0);
    CU_ASSERT_EQUAL(vm->console.ring_written, 0);
    CU_ASSERT_STRING_EQUAL(host_console_text(), "");
}

static void test_hypercall_console_write_outside_ram_returns_efault(void)
{
    static const struct {
        const char *what;
        uint64_t gpa, len;
    } cases[] = {
        {"entirely in the hole", HOLE_GPA, 4},
        {"one byte past read-only RAM", RO_GPA + KIB(4) - 3, 4},
        {"the byte right after RAM", RO_GPA + KIB(4), 1},
        {"starting in the hole, ending in lazy RAM", LAZY_GPA - 2, 4},
        {"pass-through MMIO", PT_GPA, 4},
        {"the hole, then pass-through", PT_GPA - 2, 4},
        {"wrapping past 2^64 into RAM at 0", UINT64_MAX - 1, 8},
        {"the last byte of the address space", UINT64_MAX, 1},
        {"the maximum length from the last page of RAM", RO_GPA + 1, AXVM_CONSOLE_WRITE_MAX},
    };

    put_guest(RO_GPA - 8, "visible!");
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int64_t rc = call(AXVM_HC_CONSOLE_WRITE, cases[i].gpa, cases[i].len);

        UNIT_CHECK(rc == -AXVM_EFAULT, "%s: rc %lld", cases[i].what, (long long)rc);
    }
    CU_ASSERT_EQUAL(vm->console.ring_written, 0);
    CU_ASSERT_STRING_EQUAL(host_console_text(), "");
}

static void test_hypercall_console_write_over_the_maximum_returns_einval(void)
{
    static const uint64_t lens[] = {AXVM_CONSOLE_WRITE_MAX + 1, 2 * AXVM_CONSOLE_WRITE_MAX,
                                    (uint64_t)1 << 32, ((uint64_t)1 << 32) + 16, UINT64_MAX};

    for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
        int64_t rc = call(AXVM_HC_CONSOLE_WRITE, 0, lens[i]);

        UNIT_CHECK(rc == -AXVM_EINVAL, "len %llu: rc %lld", (unsigned long long)lens[i],
                   (long long)rc);
    }
    CU_ASSERT_EQUAL(vm->console.ring_written, 0);
}

static void test_hypercall_vcpu_yield_returns_zero_and_yields(void)
{
    CU_ASSERT_EQUAL(call(AXVM_HC_VCPU_YIELD, 0, 0), 0);
    CU_ASSERT_EQUAL(fake.nr_yields, 1);
    CU_ASSERT_TRUE(fake.need_resched);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_CREATED);
}

static void test_hypercall_vm_shutdown_takes_reasons_0_to_2_and_the_code(void)
{
    static const struct {
        uint32_t reason;
        enum vm_state state;
    } cases[] = {
        {AXVM_SHUTDOWN_POWEROFF, VM_STATE_SHUTDOWN},
        {AXVM_SHUTDOWN_REBOOT, VM_STATE_SHUTDOWN},
        {AXVM_SHUTDOWN_CRASH, VM_STATE_CRASHED},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int64_t rc;

        if (i) {
            hypercall_teardown();
            hypercall_setup();
        }
        CU_ASSERT_FATAL(vm_boot(vm) == 0);
        rc = call(AXVM_HC_VM_SHUTDOWN, cases[i].reason, 0x1234567890 + i);
        UNIT_CHECK(rc == 0 && vm_get_state(vm) == cases[i].state &&
                       vm->exit_code == 0x1234567890 + i && vm->shutdown_reason == cases[i].reason,
                   "reason %u: rc %lld, state %d, code 0x%llx", cases[i].reason, (long long)rc,
                   (int)vm_get_state(vm), (unsigned long long)vm->exit_code);
    }
}

static void test_hypercall_vm_shutdown_other_reasons_return_einval(void)
{
    static const uint64_t reasons[] = {AXVM_SHUTDOWN_EXIT,
                                       4,
                                       0xffffffff,
                                       (uint64_t)1 << 32,
                                       ((uint64_t)1 << 32) + AXVM_SHUTDOWN_POWEROFF,
                                       UINT64_MAX};

    CU_ASSERT_FATAL(vm_boot(vm) == 0);
    for (size_t i = 0; i < ARRAY_SIZE(reasons); i++) {
        int64_t rc = call(AXVM_HC_VM_SHUTDOWN, reasons[i], 1);

        UNIT_CHECK(rc == -AXVM_EINVAL, "reason 0x%llx: rc %lld", (unsigned long long)reasons[i],
                   (long long)rc);
    }
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_RUNNING);
    CU_ASSERT_FALSE(vm->shutting_down);
}

static void test_hypercall_unknown_numbers_return_enosys(void)
{
    static const uint64_t numbers[] = {
        AXVM_HC_MAX, AXVM_HC_MAX + 1,   255,
        0x80000000,  (uint64_t)1 << 32, ((uint64_t)1 << 32) + AXVM_HC_VM_SHUTDOWN,
        UINT64_MAX};

    CU_ASSERT_FATAL(vm_boot(vm) == 0);
    for (size_t i = 0; i < ARRAY_SIZE(numbers); i++) {
        int64_t rc = call(numbers[i], AXVM_SHUTDOWN_POWEROFF, 0);

        UNIT_CHECK(rc == -AXVM_ENOSYS, "number 0x%llx: rc %lld", (unsigned long long)numbers[i],
                   (long long)rc);
    }
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_RUNNING);
    CU_ASSERT_EQUAL(fake.nr_yields, 0);
}

static CU_TestInfo hypercall_tests[] = {
    UNIT_TEST(test_hypercall_abi_version_returns_the_abi_version),
    UNIT_TEST(test_hypercall_console_write_copies_the_buffer_to_the_console),
    UNIT_TEST(test_hypercall_console_write_reads_read_only_and_lazy_ram),
    UNIT_TEST(test_hypercall_console_write_accepts_the_maximum_length),
    UNIT_TEST(test_hypercall_console_write_of_zero_bytes_returns_zero),
    UNIT_TEST(test_hypercall_console_write_outside_ram_returns_efault),
    UNIT_TEST(test_hypercall_console_write_over_the_maximum_returns_einval),
    UNIT_TEST(test_hypercall_vcpu_yield_returns_zero_and_yields),
    UNIT_TEST(test_hypercall_vm_shutdown_takes_reasons_0_to_2_and_the_code),
    UNIT_TEST(test_hypercall_vm_shutdown_other_reasons_return_einval),
    UNIT_TEST(test_hypercall_unknown_numbers_return_enosys),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_hypercall = {"hypercall",        NULL,           NULL, hypercall_setup,
                                     hypercall_teardown, hypercall_tests};
UNIT_REGISTER_SUITE(unit_suite_hypercall);
