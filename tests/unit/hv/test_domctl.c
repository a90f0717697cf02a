/* SPDX-License-Identifier: MIT */
/*
 * Suite "domctl": the control hypercalls of hypervisor/domctl.c, made through
 * hypercall_dispatch() by vCPU 0 of a privileged VM ("dom0") built over the fakes. Structs and
 * buffers are placed in dom0's RAM as the dom0 module would; each call's effect is read back
 * through the core (vm_find, the VM's fields, its RAM) and memory is counted before and after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hv/console.h>
#include <hv/domctl.h>
#include <hv/frame.h>
#include <hv/hypercall.h>
#include <hv/log.h>
#include <hv/sched.h>
#include <hv/vm.h>
#include <public/axvm/domctl.h>
#include <public/axvm/testdev.h>
#include <fake_vm.h>
#include <host.h>
#include <unit.h>

#define DOM0_RAM  KIB(192)               /* dom0's RAM at gpa 0 */
#define ARG_GPA   ((gpa_t)0x1000)        /* where the call's struct goes */
#define BUF_GPA   ((gpa_t)0x10000)       /* where its buffer goes (up to 128 KiB) */
#define RO_GPA    ((gpa_t)MIB(1))        /* a read-only page of dom0's RAM */
#define HOLE_GPA  ((gpa_t)MIB(2))        /* nothing */
#define GUEST_RAM KIB(64)                /* what the built domains get */
#define MMIO_PT   ((uint64_t)0xfec00000) /* not host RAM */

static struct vm *dom0;
static struct fake_census before; /* after dom0 was built */

static void domctl_setup(void)
{
    static const struct pt_attr ro = {.writable = false};
    struct vm_config cfg;

    fake_memory_setup();
    fake_vm_config(&cfg, "dom0", 1);
    cfg.privileged = true;
    cfg.regions[0].size_bytes = DOM0_RAM;
    cfg.regions[1] = (struct vm_region_config){RO_GPA, KIB(4), REGION_ALLOC, ro, false};
    cfg.nr_regions = 2;
    if (vm_create(&cfg, &dom0) != 0) {
        fprintf(stderr, "unit: domctl: cannot create dom0\n");
        abort();
    }
    before = fake_census_take();
    fake_vm_reset();
    host_console_clear();
}

static void domctl_teardown(void)
{
    fake_memory_teardown();
}

/* Make control call nr from vCPU v with explicit argument registers. */
static int64_t raw_from(struct vcpu *v, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
                        uint64_t a3)
{
    const uint64_t args[6] = {a0, a1, a2, a3, 0xdead0004, 0xdead0005};

    return hypercall_dispatch(v, nr, args);
}

static int64_t raw(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return raw_from(dom0->vcpus[0], nr, a0, a1, a2, a3);
}

/*
 * Make call nr as the dom0 module does: arg (size bytes) at ARG_GPA, then copied back into arg;
 * the buffer at BUF_GPA, buf_in's bytes written there first when given.
 */
static int64_t call_buf(uint64_t nr, void *arg, size_t size, const void *buf_in, size_t buf_size)
{
    int64_t rc;

    CU_ASSERT_FATAL(vm_write_guest(dom0, ARG_GPA, arg, size) == 0);
    if (buf_in) {
        CU_ASSERT_FATAL(vm_write_guest(dom0, BUF_GPA, buf_in, buf_size) == 0);
    }
    rc = raw(nr, ARG_GPA, size, buf_size ? BUF_GPA : 0, buf_size);
    CU_ASSERT_FATAL(vm_read_guest(dom0, arg, ARG_GPA, size) == 0);
    return rc;
}

static int64_t call(uint64_t nr, void *arg, size_t size)
{
    return call_buf(nr, arg, size, NULL, 0);
}

static int64_t ref_call(uint64_t nr, uint16_t domid)
{
    struct axvm_domain_ref ref = {.domid = domid};

    return call(nr, &ref, sizeof(ref));
}

static struct axvm_domain_create create_req(const char *name)
{
    struct axvm_domain_create c = {.nr_vcpus = 1, .arch = AXVM_ARCH_X86_64};

    snprintf(c.name, sizeof(c.name), "%s", name);
    for (unsigned int i = 0; i < sizeof(c.uuid); i++) {
        c.uuid[i] = (uint8_t)(0xa0 + i);
    }
    return c;
}

/* Create domain name with the given actions; returns its id. */
static uint16_t create_with(const char *name, uint8_t on_poweroff, uint8_t on_reboot,
                            uint8_t on_crash)
{
    struct axvm_domain_create c = create_req(name);

    c.on_poweroff = on_poweroff;
    c.on_reboot = on_reboot;
    c.on_crash = on_crash;
    CU_ASSERT_EQUAL_FATAL(call(AXVM_HC_DOMAIN_CREATE, &c, sizeof(c)), 0);
    return c.domid;
}

static uint16_t create(const char *name)
{
    return create_with(name, AXVM_ACTION_PRESERVE, AXVM_ACTION_PRESERVE, AXVM_ACTION_PRESERVE);
}

static int64_t add_ram(uint16_t domid, uint64_t gpa, uint64_t size)
{
    struct axvm_domain_region r = {domid, AXVM_MAP_ALLOC, AXVM_ACCESS_R | AXVM_ACCESS_W, 0, gpa,
                                   size};

    return call(AXVM_HC_DOMAIN_ADD_REGION, &r, sizeof(r));
}

static int64_t set_context(uint16_t domid, uint16_t vcpu, uint64_t entry)
{
    struct axvm_vcpu_context ctx = {
        domid, vcpu, AXVM_VCPU_X86_PROTECTED32, entry, {1, 2, 3, 4, 5, 6}, 0x8000};

    return call(AXVM_HC_VCPU_SET_CONTEXT, &ctx, sizeof(ctx));
}

/* A domain with RAM and vCPU 0's context, booted. */
static struct vm *running(const char *name, uint8_t on_poweroff)
{
    uint16_t id = create_with(name, on_poweroff, AXVM_ACTION_PRESERVE, AXVM_ACTION_PRESERVE);

    CU_ASSERT_EQUAL_FATAL(add_ram(id, 0, GUEST_RAM), 0);
    CU_ASSERT_EQUAL_FATAL(set_context(id, 0, 0x1000), 0);
    CU_ASSERT_EQUAL_FATAL(ref_call(AXVM_HC_DOMAIN_UNPAUSE, id), 0);
    return vm_find(id);
}

/* Let each vCPU of vm see that it must stop, as their CPUs would. */
static void stop_vcpus(struct vm *vm)
{
    unsigned int n = vm->nr_vcpus;
    struct vcpu *vcpus[VM_MAX_VCPUS];

    memcpy(vcpus, vm->vcpus, sizeof(vcpus));
    for (unsigned int i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(vm_run_vcpu(vm, i), VCPU_RUN_STOPPED);
    }
    for (unsigned int i = 0; i < n; i++) {
        vm_vcpu_stopped(vcpus[i]); /* the last one may free vm */
    }
}

static struct axvm_domain_info info_of(uint16_t domid, int64_t *rc)
{
    struct axvm_domain_info info = {.domid = domid};

    *rc = call(AXVM_HC_DOMAIN_GETINFO, &info, sizeof(info));
    return info;
}

static void check_memory_back(const char *what)
{
    struct fake_census now = fake_census_take();

    UNIT_CHECK(fake_census_equal(now, before), "%s: %zu frames free (%zu before), heap %zu (%zu)",
               what, now.nr_free_frames, before.nr_free_frames, now.nr_heap_frames,
               before.nr_heap_frames);
}

/* ---------------------------------------------------------------------------------------- */
/* Privilege and the generic checks */

static void test_domctl_privileged_vm_is_domain_0_and_unique(void)
{
    struct vm_config cfg;
    struct vm *other = NULL;

    CU_ASSERT_EQUAL(dom0->id, 0);
    CU_ASSERT_PTR_EQUAL(vm_find(0), dom0);
    fake_vm_config(&cfg, "dom0-again", 1);
    cfg.privileged = true;
    CU_ASSERT_EQUAL(vm_create(&cfg, &other), -AXVM_EEXIST);
    CU_ASSERT_PTR_NULL(other);
    CU_ASSERT_PTR_EQUAL(vm_find(0), dom0);
    check_memory_back("after the refused second dom0");
}

static void test_domctl_unprivileged_caller_gets_eperm_for_every_call(void)
{
    struct vm_config cfg;
    struct vm *domu;
    unsigned int nr_vms;

    fake_vm_config(&cfg, "domu", 1);
    CU_ASSERT_FATAL(vm_create(&cfg, &domu) == 0);
    nr_vms = fake_nr_vms();
    for (uint64_t nr = AXVM_HC_CONTROL_FIRST; nr <= AXVM_HC_CONTROL_LAST; nr++) {
        struct axvm_domain_create c = create_req("sneaky");
        int64_t rc;

        CU_ASSERT_FATAL(vm_write_guest(domu, 0x100, &c, sizeof(c)) == 0);
        rc = raw_from(domu->vcpus[0], nr, 0x100, sizeof(c), 0, 0);
        UNIT_CHECK(rc == -AXVM_EPERM, "call %llu: rc %lld", (unsigned long long)nr, (long long)rc);
    }
    CU_ASSERT_EQUAL(fake_nr_vms(), nr_vms);
    CU_ASSERT_PTR_NULL(vm_find_by_name("sneaky"));
}

static void test_domctl_numbers_outside_the_control_range_are_not_control_calls(void)
{
    const uint64_t args[6] = {ARG_GPA, 8, 0, 0, 0, 0};

    CU_ASSERT_EQUAL(domctl_dispatch(dom0->vcpus[0], AXVM_HC_CONTROL_FIRST - 1, args), -AXVM_ENOSYS);
    CU_ASSERT_EQUAL(domctl_dispatch(dom0->vcpus[0], AXVM_HC_CONTROL_LAST + 1, args), -AXVM_ENOSYS);
    CU_ASSERT_EQUAL(raw(AXVM_HC_CONTROL_LAST + 1, ARG_GPA, 8, 0, 0), -AXVM_ENOSYS);
}

static const size_t call_sizes[] = {
    [AXVM_HC_DOMAIN_CREATE] = sizeof(struct axvm_domain_create),
    [AXVM_HC_DOMAIN_DESTROY] = sizeof(struct axvm_domain_ref),
    [AXVM_HC_DOMAIN_PAUSE] = sizeof(struct axvm_domain_ref),
    [AXVM_HC_DOMAIN_UNPAUSE] = sizeof(struct axvm_domain_ref),
    [AXVM_HC_DOMAIN_SHUTDOWN] = sizeof(struct axvm_domain_shutdown),
    [AXVM_HC_DOMAIN_GETINFO] = sizeof(struct axvm_domain_info),
    [AXVM_HC_DOMAIN_LIST] = sizeof(struct axvm_domain_list),
    [AXVM_HC_DOMAIN_ADD_REGION] = sizeof(struct axvm_domain_region),
    [AXVM_HC_DOMAIN_COPY] = sizeof(struct axvm_domain_copy),
    [AXVM_HC_DOMAIN_ADD_DEVICE] = sizeof(struct axvm_domain_device),
    [AXVM_HC_DOMAIN_PASSTHROUGH] = sizeof(struct axvm_domain_passthrough),
    [AXVM_HC_VCPU_SET_CONTEXT] = sizeof(struct axvm_vcpu_context),
    [AXVM_HC_CONSOLE_READ] = sizeof(struct axvm_console_read),
    [AXVM_HC_LOG_READ] = sizeof(struct axvm_console_read),
    [AXVM_HC_PHYSINFO] = sizeof(struct axvm_physinfo),
    [AXVM_HC_CONSOLE_INPUT] = sizeof(struct axvm_console_input),
    [AXVM_HC_SYSCTL_STATS] = 0x40, /* the ABI's sizes, written out: an independent check */
    [AXVM_HC_SCHED_CREDIT] = 16,
    [AXVM_HC_VCPU_PIN] = 16,
};

static void test_domctl_wrong_struct_size_returns_einval_for_every_call(void)
{
    uint8_t zeros[256] = {0};

    CU_ASSERT_FATAL(vm_write_guest(dom0, ARG_GPA, zeros, sizeof(zeros)) == 0);
    for (uint64_t nr = AXVM_HC_CONTROL_FIRST; nr <= AXVM_HC_CONTROL_LAST; nr++) {
        const uint64_t sizes[] = {0, call_sizes[nr] - 1, call_sizes[nr] + 1, call_sizes[nr] + 8,
                                  UINT64_MAX};

        for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
            int64_t rc = raw(nr, ARG_GPA, sizes[i], 0, 0);

            UNIT_CHECK(rc == -AXVM_EINVAL, "call %llu, size %llu: rc %lld", (unsigned long long)nr,
                       (unsigned long long)sizes[i], (long long)rc);
        }
    }
    CU_ASSERT_EQUAL(fake_nr_vms(), 1);
}

static void test_domctl_struct_outside_ram_returns_efault_for_every_call(void)
{
    for (uint64_t nr = AXVM_HC_CONTROL_FIRST; nr <= AXVM_HC_CONTROL_LAST; nr++) {
        const uint64_t gpas[] = {HOLE_GPA, DOM0_RAM - 4, UINT64_MAX - 7, AXVM_TESTDEV_X86_GPA};

        for (size_t i = 0; i < ARRAY_SIZE(gpas); i++) {
            int64_t rc = raw(nr, gpas[i], call_sizes[nr], 0, 0);

            UNIT_CHECK(rc == -AXVM_EFAULT, "call %llu at 0x%llx: rc %lld", (unsigned long long)nr,
                       (unsigned long long)gpas[i], (long long)rc);
        }
    }
}

static void test_domctl_outputs_into_read_only_ram_return_efault(void)
{
    struct axvm_physinfo info = {0};
    struct axvm_domain_create c = create_req("ro");

    CU_ASSERT_EQUAL(raw(AXVM_HC_PHYSINFO, RO_GPA, sizeof(info), 0, 0), -AXVM_EFAULT);
    CU_ASSERT_FATAL(vm_write_guest(dom0, 0x2000, &c, sizeof(c)) == 0);
    CU_ASSERT_EQUAL(raw(AXVM_HC_DOMAIN_CREATE, RO_GPA, sizeof(c), 0, 0), -AXVM_EFAULT);
    CU_ASSERT_EQUAL(fake_nr_vms(), 1);
    /* A buffer the call only reads may be read-only. */
    {
        struct axvm_domain_copy cp = {.domid = create("target"), .gpa = 0};

        CU_ASSERT_EQUAL_FATAL(add_ram(cp.domid, 0, GUEST_RAM), 0);
        CU_ASSERT_FATAL(vm_write_guest(dom0, ARG_GPA, &cp, sizeof(cp)) == 0);
        CU_ASSERT_EQUAL(raw(AXVM_HC_DOMAIN_COPY, ARG_GPA, sizeof(cp), RO_GPA, 16), 0);
        /* ... but not one it writes. */
        struct axvm_console_read r = {.domid = cp.domid};

        CU_ASSERT_FATAL(vm_write_guest(dom0, ARG_GPA, &r, sizeof(r)) == 0);
        CU_ASSERT_EQUAL(raw(AXVM_HC_CONSOLE_READ, ARG_GPA, sizeof(r), RO_GPA, 16), -AXVM_EFAULT);
    }
}

static void test_domctl_buffers_are_checked_against_the_callers_ram(void)
{
    struct axvm_domain_ref ref = {.domid = create("buf")};
    struct axvm_console_read r = {.domid = ref.domid};

    CU_ASSERT_FATAL(vm_write_guest(dom0, ARG_GPA, &ref, sizeof(ref)) == 0);
    /* A call without a buffer refuses one. */
    CU_ASSERT_EQUAL(raw(AXVM_HC_DOMAIN_PAUSE, ARG_GPA, sizeof(ref), BUF_GPA, 8), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(raw(AXVM_HC_DOMAIN_PAUSE, ARG_GPA, sizeof(ref), BUF_GPA, 0), -AXVM_EINVAL);
    CU_ASSERT_FATAL(vm_write_guest(dom0, ARG_GPA, &r, sizeof(r)) == 0);
    CU_ASSERT_EQUAL(raw(AXVM_HC_CONSOLE_READ, ARG_GPA, sizeof(r), HOLE_GPA, 8), -AXVM_EFAULT);
    CU_ASSERT_EQUAL(raw(AXVM_HC_CONSOLE_READ, ARG_GPA, sizeof(r), DOM0_RAM - 4, 8), -AXVM_EFAULT);
    CU_ASSERT_EQUAL(raw(AXVM_HC_CONSOLE_READ, ARG_GPA, sizeof(r), UINT64_MAX - 3, 8), -AXVM_EFAULT);
    CU_ASSERT_EQUAL(raw(AXVM_HC_CONSOLE_READ, ARG_GPA, sizeof(r), BUF_GPA, 8), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Creating */

static void test_domctl_create_makes_an_empty_domain_in_state_created(void)
{
    struct axvm_domain_create c = create_req("guest-1");
    struct axvm_domain_info info;
    struct vm *vm;
    int64_t rc;

    c.nr_vcpus = 3;
    c.cpumask = 0x6; /* CPUs 1 and 2 */
    c.on_poweroff = AXVM_ACTION_PRESERVE;
    c.on_reboot = AXVM_ACTION_RESTART;
    c.on_crash = AXVM_ACTION_DESTROY;
    c.domid = 0x1234; /* an output: ignored */
    CU_ASSERT_EQUAL_FATAL(call(AXVM_HC_DOMAIN_CREATE, &c, sizeof(c)), 0);
    CU_ASSERT(c.domid >= 1 && c.domid < VM_MAX_DOMAINS);
    vm = vm_find(c.domid);
    CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
    CU_ASSERT_EQUAL(vm->nr_vcpus, 3);
    CU_ASSERT(vm->vcpus[0]->pcpu == 1 && vm->vcpus[1]->pcpu == 2 && vm->vcpus[2]->pcpu == 1);
    CU_ASSERT(!vm->config.destroy_on_poweroff && !vm->config.destroy_on_reboot &&
              vm->config.destroy_on_crash);
    CU_ASSERT_FALSE(vm->config.privileged);
    CU_ASSERT_EQUAL(vm->as.nr_regions, 0);
    info = info_of(c.domid, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(info.domid, c.domid);
    CU_ASSERT_EQUAL(info.state, AXVM_STATE_CREATED);
    CU_ASSERT_EQUAL(info.nr_vcpus, 3);
    CU_ASSERT_STRING_EQUAL(info.name, "guest-1");
    CU_ASSERT_EQUAL(memcmp(info.uuid, c.uuid, sizeof(c.uuid)), 0);
    CU_ASSERT(info.mem_kib == 0 && info.max_mem_kib == 0 && info.cpu_time_ns == 0);
    CU_ASSERT_EQUAL(info.created_ns, vm->created_ns);
    CU_ASSERT(info.created_ns > 0);
}

static void test_domctl_create_refuses_bad_arguments_and_creates_nothing(void)
{
    static const struct {
        const char *what;
        int field;
        int rc;
    } cases[] = {
        {"no vCPU", 0, -AXVM_EINVAL},
        {"too many vCPUs", 1, -AXVM_EINVAL},
        {"another arch", 2, -AXVM_EINVAL},
        {"an empty name", 3, -AXVM_EINVAL},
        {"a name without NUL", 4, -AXVM_EINVAL},
        {"a name with a space", 5, -AXVM_EINVAL},
        {"a name with a control character", 6, -AXVM_EINVAL},
        {"bytes after the name's NUL", 7, -AXVM_EINVAL},
        {"nonzero padding", 8, -AXVM_EINVAL},
        {"an unknown on_poweroff", 9, -AXVM_EINVAL},
        {"an unknown on_reboot", 10, -AXVM_EINVAL},
        {"an unknown on_crash", 11, -AXVM_EINVAL},
        {"a cpumask of offline CPUs", 12, -AXVM_EINVAL},
        {"a name in use", 13, -AXVM_EEXIST},
        {"dom0's name", 14, -AXVM_EEXIST},
    };
    struct fake_census start;

    create("taken");
    start = fake_census_take();
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct axvm_domain_create c = create_req("fresh");
        int64_t rc;

        switch (cases[i].field) {
        case 0:
            c.nr_vcpus = 0;
            break;
        case 1:
            c.nr_vcpus = VM_MAX_VCPUS + 1;
            break;
        case 2:
            c.arch = AXVM_ARCH_ARM64;
            break;
        case 3:
            memset(c.name, 0, sizeof(c.name));
            break;
        case 4:
            memset(c.name, 'a', sizeof(c.name));
            break;
        case 5:
            snprintf(c.name, sizeof(c.name), "two words");
            break;
        case 6:
            snprintf(c.name, sizeof(c.name), "bell\a");
            break;
        case 7:
            c.name[20] = 'x';
            break;
        case 8:
            c.pad[4] = 1;
            break;
        case 9:
            c.on_poweroff = 3;
            break;
        case 10:
            c.on_reboot = 0xff;
            break;
        case 11:
            c.on_crash = 3;
            break;
        case 12:
            c.cpumask = (uint64_t)1 << 40;
            break;
        case 13:
            snprintf(c.name, sizeof(c.name), "taken");
            break;
        default:
            snprintf(c.name, sizeof(c.name), "dom0");
            break;
        }
        rc = call(AXVM_HC_DOMAIN_CREATE, &c, sizeof(c));
        UNIT_CHECK(rc == cases[i].rc, "%s: rc %lld", cases[i].what, (long long)rc);
    }
    CU_ASSERT_EQUAL(fake_nr_vms(), 2);
    CU_ASSERT(fake_census_equal(fake_census_take(), start));
}

static void test_domctl_create_accepts_the_limits(void)
{
    struct axvm_domain_create c = create_req("0123456789012345678901234567890");

    c.nr_vcpus = VM_MAX_VCPUS;
    c.cpumask = UINT64_MAX;
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_CREATE, &c, sizeof(c)), 0);
    CU_ASSERT_EQUAL(vm_find(c.domid)->nr_vcpus, VM_MAX_VCPUS);
}

/* ---------------------------------------------------------------------------------------- */
/* Building */

static void test_domctl_builds_a_domain_in_stages_and_boots_it(void)
{
    static const char code[] = "\xb0\x68\xe6\xf4"; /* mov $0x68,%al; out %al,$0xf4 */
    struct axvm_domain_device uart = {0, AXVM_DEV_UART16550, AXVM_SPACE_PIO, 4, 0x3f8};
    struct axvm_domain_device dbg = {0, AXVM_DEV_DEBUG_EXIT, AXVM_SPACE_PIO, 0, 0xf4};
    struct axvm_domain_device td = {0, AXVM_DEV_TESTDEV, AXVM_SPACE_MMIO, 0, 0xd0000000};
    struct axvm_domain_passthrough mmio = {0, AXVM_PT_MMIO, {0}, MMIO_PT, KIB(4)};
    struct axvm_domain_passthrough pio = {0, AXVM_PT_PIO, {0}, 0x2f8, 8};
    struct axvm_domain_copy cp = {0, {0}, 0x1000};
    struct axvm_domain_info info;
    uint16_t id = create("built");
    struct vm *vm = vm_find(id);
    char back[8] = "";
    int64_t rc;

    uart.domid = dbg.domid = td.domid = mmio.domid = pio.domid = cp.domid = id;
    CU_ASSERT_EQUAL(add_ram(id, 0, GUEST_RAM), 0);
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_DOMAIN_COPY, &cp, sizeof(cp), code, 4), 0);
    CU_ASSERT_EQUAL(vm_read_guest(vm, back, 0x1000, 4), 0);
    CU_ASSERT_EQUAL(memcmp(back, code, 4), 0);
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_ADD_DEVICE, &uart, sizeof(uart)), 0);
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_ADD_DEVICE, &dbg, sizeof(dbg)), 0);
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_ADD_DEVICE, &td, sizeof(td)), 0);
    CU_ASSERT_PTR_NOT_NULL(devbus_find(&vm->devices, DEV_SPACE_PIO, 0x3f8, 1));
    CU_ASSERT_PTR_NOT_NULL(devbus_find(&vm->devices, DEV_SPACE_PIO, 0xf4, 1));
    CU_ASSERT_PTR_NOT_NULL(devbus_find(&vm->devices, DEV_SPACE_MMIO, 0xd0000000, 4));
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_PASSTHROUGH, &mmio, sizeof(mmio)), 0);
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_PASSTHROUGH, &pio, sizeof(pio)), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(fake.arch_log, "passthrough_pio:0x2f8+0x8"));
    CU_ASSERT_EQUAL(vm->as.nr_regions, 2);
    CU_ASSERT_EQUAL(set_context(id, 0, 0x1000), 0);
    CU_ASSERT_EQUAL(vm->vcpus[0]->arch.host_entry, 0x1000);
    CU_ASSERT_EQUAL(vm->vcpus[0]->arch.host_regs[5], 6);
    CU_ASSERT_EQUAL(vm->vcpus[0]->arch.host_stack, 0x8000);
    info = info_of(id, &rc);
    CU_ASSERT(rc == 0 && info.mem_kib == 64 && info.max_mem_kib == 64);
    fake_vm_reset();
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_UNPAUSE, id), 0);
    CU_ASSERT_STRING_EQUAL(fake.sched_log, "wake:0 ");
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_RUNNING);
    /* It runs: its debug-exit port ends it with the code it writes. */
    fake.script[0] = (struct vm_exit){.kind = VM_EXIT_IO_WRITE, .io = {0xf4, 1, 0x68}};
    fake.nr_script = 1;
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_STOPPED);
    info = info_of(id, &rc);
    CU_ASSERT(rc == 0 && info.state == AXVM_STATE_SHUTDOWN &&
              info.shutdown_reason == AXVM_SHUTDOWN_EXIT && info.exit_code == 0x68);
}

static void test_domctl_building_after_boot_returns_ebusy(void)
{
    struct vm *vm = running("late", AXVM_ACTION_PRESERVE);
    struct axvm_domain_device uart = {vm->id, AXVM_DEV_UART16550, AXVM_SPACE_PIO, 0, 0x3f8};
    struct axvm_domain_passthrough pio = {vm->id, AXVM_PT_PIO, {0}, 0x2f8, 8};
    struct axvm_domain_passthrough irq = {vm->id, AXVM_PT_IRQ, {0}, 3, 1};
    struct axvm_domain_copy cp = {vm->id, {0}, 0};

    CU_ASSERT_EQUAL(add_ram(vm->id, MIB(1), GUEST_RAM), -AXVM_EBUSY);
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_DOMAIN_COPY, &cp, sizeof(cp), "x", 1), -AXVM_EBUSY);
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_ADD_DEVICE, &uart, sizeof(uart)), -AXVM_EBUSY);
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_PASSTHROUGH, &pio, sizeof(pio)), -AXVM_EBUSY);
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_PASSTHROUGH, &irq, sizeof(irq)), -AXVM_EBUSY);
    CU_ASSERT_EQUAL(set_context(vm->id, 0, 0x2000), -AXVM_EBUSY);
    CU_ASSERT_EQUAL(vm->as.nr_regions, 1);
    CU_ASSERT_PTR_NULL(devbus_find(&vm->devices, DEV_SPACE_PIO, 0x3f8, 1));
}

static void test_domctl_add_region_refuses_bad_arguments(void)
{
    static const struct {
        const char *what;
        uint8_t map, access;
        uint32_t flags;
        uint64_t gpa, size;
        int rc;
    } cases[] = {
        {"an unknown map", 2, 3, 0, 0, KIB(4), -AXVM_EINVAL},
        {"no access", 0, 0, 0, 0, KIB(4), -AXVM_EINVAL},
        {"write without read", 0, AXVM_ACCESS_W, 0, 0, KIB(4), -AXVM_EINVAL},
        {"unknown access bits", 0, 0x9, 0, 0, KIB(4), -AXVM_EINVAL},
        {"unknown flags", 0, 3, 2, 0, KIB(4), -AXVM_EINVAL},
        {"lazy identical", 1, 3, AXVM_REGION_LAZY, 0, KIB(4), -AXVM_EINVAL},
        {"size 0", 0, 3, 0, 0, 0, -AXVM_EINVAL},
        {"an unaligned gpa", 0, 3, 0, 0x800, KIB(4), -AXVM_EINVAL},
        {"an unaligned size", 0, 3, 0, 0, 0x1800, -AXVM_EINVAL},
        {"a wrapping range", 0, 3, 0, UINT64_MAX - 0xfff, KIB(8), -AXVM_EINVAL},
        {"identical host RAM for a domU", 1, 3, 0, FAKE_IDENTICAL_HPA, KIB(4), -AXVM_EPERM},
        {"overlapping RAM", 0, 3, 0, KIB(60), KIB(8), -AXVM_EEXIST},
        {"more than the free memory", 0, 3, 0, GIB(1), GIB(1), -AXVM_ENOMEM},
    };
    uint16_t id = create("regions");

    CU_ASSERT_EQUAL_FATAL(add_ram(id, 0, GUEST_RAM), 0);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct axvm_domain_region r = {id,           cases[i].map, cases[i].access, cases[i].flags,
                                       cases[i].gpa, cases[i].size};
        int64_t rc = call(AXVM_HC_DOMAIN_ADD_REGION, &r, sizeof(r));

        UNIT_CHECK(rc == cases[i].rc, "%s: rc %lld", cases[i].what, (long long)rc);
    }
    CU_ASSERT_EQUAL(vm_find(id)->as.nr_regions, 1);
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_DESTROY, id), 0);
    check_memory_back("after the refused regions"); /* the failed 1 GiB gave back its frames */
    CU_ASSERT_EQUAL(add_ram(VM_MAX_DOMAINS, 0, KIB(4)), -AXVM_ENOENT);
    CU_ASSERT_EQUAL(add_ram(AXVM_DOMID_INVALID, 0, KIB(4)), -AXVM_ENOENT);
    CU_ASSERT_EQUAL(add_ram(0, MIB(4), KIB(4)), -AXVM_EINVAL); /* itself */
    CU_ASSERT_EQUAL(add_ram(AXVM_DOMID_SELF, MIB(4), KIB(4)), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(dom0->as.nr_regions, 2);
}

static void test_domctl_add_region_lazy_takes_frames_on_first_touch(void)
{
    struct axvm_domain_region r = {0, AXVM_MAP_ALLOC, 7, AXVM_REGION_LAZY, MIB(1), MIB(1)};
    struct axvm_domain_info info;
    size_t free_before;
    int64_t rc;

    r.domid = create("lazy");
    free_before = frame_nr_free();
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_ADD_REGION, &r, sizeof(r)), 0);
    CU_ASSERT_EQUAL(frame_nr_free(), free_before);
    CU_ASSERT_EQUAL(vm_write_guest(vm_find(r.domid), MIB(1) + 10, "x", 1), 0);
    info = info_of(r.domid, &rc);
    CU_ASSERT(rc == 0 && info.mem_kib == 4 && info.max_mem_kib == 1024);
}

static void test_domctl_copy_refuses_bad_arguments(void)
{
    static uint8_t big[AXVM_COPY_MAX + 1];
    uint16_t id = create("copy");
    struct axvm_domain_copy cp = {id, {0}, 0};

    CU_ASSERT_EQUAL_FATAL(add_ram(id, 0, GUEST_RAM), 0);
    cp.pad[1] = 1;
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_DOMAIN_COPY, &cp, sizeof(cp), "x", 1), -AXVM_EINVAL);
    cp.pad[1] = 0;
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_DOMAIN_COPY, &cp, sizeof(cp), big, sizeof(big)), -AXVM_EINVAL);
    cp.gpa = 0x1000;
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_DOMAIN_COPY, &cp, sizeof(cp), big, AXVM_COPY_MAX),
                    -AXVM_EFAULT); /* 64 KiB from 4 KiB run past its 64 KiB of RAM */
    cp.gpa = GUEST_RAM - 2;
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_DOMAIN_COPY, &cp, sizeof(cp), "abc", 3), -AXVM_EFAULT);
    cp.gpa = UINT64_MAX - 1;
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_DOMAIN_COPY, &cp, sizeof(cp), "abc", 3), -AXVM_EFAULT);
    cp.gpa = 0;
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_DOMAIN_COPY, &cp, sizeof(cp), big, GUEST_RAM), 0);
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_COPY, &cp, sizeof(cp)), 0); /* nothing to copy */
    cp.domid = 0;
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_DOMAIN_COPY, &cp, sizeof(cp), "abc", 3), -AXVM_EINVAL);
    cp.domid = VM_MAX_DOMAINS + 42;
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_DOMAIN_COPY, &cp, sizeof(cp), "abc", 3), -AXVM_ENOENT);
}

static void test_domctl_add_device_refuses_bad_arguments(void)
{
    static const struct {
        const char *what;
        uint8_t type, space;
        uint64_t base;
        int rc;
    } cases[] = {
        {"type 0", 0, AXVM_SPACE_PIO, 0x3f8, -AXVM_EINVAL},
        {"an unknown type", 5, AXVM_SPACE_PIO, 0x3f8, -AXVM_EINVAL},
        /* The host's arch is PC-like: it has no PL011 model. */
        {"a PL011 where the platform has none", AXVM_DEV_PL011, AXVM_SPACE_MMIO, 0x9000000,
         -AXVM_EOPNOTSUPP},
        {"a PL011 on ports", AXVM_DEV_PL011, AXVM_SPACE_PIO, 0x3f8, -AXVM_EINVAL},
        {"an unaligned PL011", AXVM_DEV_PL011, AXVM_SPACE_MMIO, 0x9000010, -AXVM_EINVAL},
        {"an unknown space", AXVM_DEV_UART16550, 2, 0x3f8, -AXVM_EINVAL},
        {"a UART past the last port", AXVM_DEV_UART16550, AXVM_SPACE_PIO, 0xfff9, -AXVM_EINVAL},
        {"a UART wrapping MMIO", AXVM_DEV_UART16550, AXVM_SPACE_MMIO, UINT64_MAX - 3, -AXVM_EINVAL},
        {"debug-exit at an unaligned MMIO address", AXVM_DEV_DEBUG_EXIT, AXVM_SPACE_MMIO, 0x9100002,
         -AXVM_EINVAL},
        {"debug-exit wrapping MMIO", AXVM_DEV_DEBUG_EXIT, AXVM_SPACE_MMIO, UINT64_MAX - 3,
         -AXVM_EINVAL},
        {"debug-exit past the last port", AXVM_DEV_DEBUG_EXIT, AXVM_SPACE_PIO, 0xfffd,
         -AXVM_EINVAL},
        {"the test device on ports", AXVM_DEV_TESTDEV, AXVM_SPACE_PIO, 0xd000, -AXVM_EINVAL},
        {"an unaligned test device", AXVM_DEV_TESTDEV, AXVM_SPACE_MMIO, 0xd0000010, -AXVM_EINVAL},
        {"a device over another", AXVM_DEV_DEBUG_EXIT, AXVM_SPACE_PIO, 0x3fc, -AXVM_EEXIST},
    };
    uint16_t id = create("devices");
    struct axvm_domain_device uart = {id, AXVM_DEV_UART16550, AXVM_SPACE_PIO, 0, 0x3f8};
    struct axvm_domain_device mmio_exit = {id, AXVM_DEV_DEBUG_EXIT, AXVM_SPACE_MMIO, 0, 0x9100000};
    unsigned int nr_devices;

    CU_ASSERT_EQUAL_FATAL(call(AXVM_HC_DOMAIN_ADD_DEVICE, &uart, sizeof(uart)), 0);
    nr_devices = vm_find(id)->devices.nr;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct axvm_domain_device d = {id, cases[i].type, cases[i].space, 0, cases[i].base};
        int64_t rc = call(AXVM_HC_DOMAIN_ADD_DEVICE, &d, sizeof(d));

        UNIT_CHECK(rc == cases[i].rc, "%s: rc %lld", cases[i].what, (long long)rc);
    }
    CU_ASSERT_EQUAL(vm_find(id)->devices.nr, nr_devices);
    /* arm64 guests have their debug-exit device in MMIO space. */
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_ADD_DEVICE, &mmio_exit, sizeof(mmio_exit)), 0);
    CU_ASSERT_EQUAL(vm_find(id)->devices.nr, nr_devices + 1);
    uart.domid = 0;
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_ADD_DEVICE, &uart, sizeof(uart)), -AXVM_EINVAL);
}

static void test_domctl_passthrough_refuses_bad_arguments(void)
{
    static const struct {
        const char *what;
        uint8_t kind, pad;
        uint64_t base, size;
        int rc;
    } cases[] = {
        {"nonzero padding", AXVM_PT_PIO, 1, 0x2f8, 8, -AXVM_EINVAL},
        {"an unknown kind", 3, 0, 0x2f8, 8, -AXVM_EINVAL},
        {"size 0", AXVM_PT_PIO, 0, 0x2f8, 0, -AXVM_EINVAL},
        {"ports past 0xffff", AXVM_PT_PIO, 0, 0xfffc, 8, -AXVM_EINVAL},
        {"unaligned MMIO", AXVM_PT_MMIO, 0, MMIO_PT + 8, KIB(4), -AXVM_EINVAL},
        {"wrapping MMIO", AXVM_PT_MMIO, 0, UINT64_MAX - 0xfff, KIB(8), -AXVM_EINVAL},
        {"MMIO over host RAM", AXVM_PT_MMIO, 0, FAKE_RAM_BASE + MIB(4), KIB(8), -AXVM_EPERM},
        {"MMIO starting in host RAM", AXVM_PT_MMIO, 0, FAKE_IDENTICAL_HPA - KIB(4), KIB(8),
         -AXVM_EPERM},
        {"an interrupt of size 2", AXVM_PT_IRQ, 0, 4, 2, -AXVM_EINVAL},
        {"an interrupt past 2^32", AXVM_PT_IRQ, 0, (uint64_t)1 << 32, 1, -AXVM_EINVAL},
        {"an interrupt (no routing yet)", AXVM_PT_IRQ, 0, 4, 1, -AXVM_EOPNOTSUPP},
    };
    uint16_t id = create("pt");

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct axvm_domain_passthrough p = {
            id, cases[i].kind, {cases[i].pad}, cases[i].base, cases[i].size};
        int64_t rc = call(AXVM_HC_DOMAIN_PASSTHROUGH, &p, sizeof(p));

        UNIT_CHECK(rc == cases[i].rc, "%s: rc %lld", cases[i].what, (long long)rc);
    }
    CU_ASSERT_EQUAL(vm_find(id)->as.nr_regions, 0);
    CU_ASSERT_PTR_NULL(strstr(fake.arch_log, "passthrough_pio"));
    CU_ASSERT_PTR_NOT_NULL(strstr(fake.arch_log, "passthrough_irq:4"));
}

static void test_domctl_passthrough_irq_goes_to_the_arch_hook(void)
{
    struct axvm_domain_passthrough p = {create("irq"), AXVM_PT_IRQ, {0}, 11, 1};

    fake.irq_passthrough_works = true;
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_PASSTHROUGH, &p, sizeof(p)), 0);
    CU_ASSERT_EQUAL(fake.last_irq, 11);
}

static void test_domctl_vcpu_set_context_refuses_bad_arguments(void)
{
    struct axvm_vcpu_context ctx = {0, 0, AXVM_VCPU_X86_PROTECTED32, 0x1000, {0}, 0};
    uint16_t id = create("ctx");

    ctx.domid = id;
    ctx.vcpu = 1;
    CU_ASSERT_EQUAL(call(AXVM_HC_VCPU_SET_CONTEXT, &ctx, sizeof(ctx)), -AXVM_EINVAL);
    ctx.vcpu = 0;
    ctx.mode = AXVM_VCPU_ARM64_EL1;
    CU_ASSERT_EQUAL(call(AXVM_HC_VCPU_SET_CONTEXT, &ctx, sizeof(ctx)), -AXVM_EINVAL);
    ctx.mode = AXVM_VCPU_X86_PROTECTED32;
    ctx.entry = (uint64_t)1 << 32;
    CU_ASSERT_EQUAL(call(AXVM_HC_VCPU_SET_CONTEXT, &ctx, sizeof(ctx)), -AXVM_EINVAL);
    CU_ASSERT_FALSE(vm_has_boot_context(vm_find(id)));
    /* Without vCPU 0's context the domain cannot start. */
    CU_ASSERT_EQUAL(add_ram(id, 0, GUEST_RAM), 0);
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_UNPAUSE, id), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(vm_get_state(vm_find(id)), VM_STATE_CREATED);
    ctx.domid = AXVM_DOMID_SELF;
    CU_ASSERT_EQUAL(call(AXVM_HC_VCPU_SET_CONTEXT, &ctx, sizeof(ctx)), -AXVM_EINVAL);
}

/* ---------------------------------------------------------------------------------------- */
/* The lifecycle */

static void test_domctl_pause_and_unpause_follow_the_lifecycle(void)
{
    uint16_t id = create("pp");
    struct vm *vm = vm_find(id);
    uint64_t ns;
    int64_t rc;

    CU_ASSERT_EQUAL(add_ram(id, 0, GUEST_RAM), 0);
    CU_ASSERT_EQUAL(set_context(id, 0, 0x1000), 0);
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_PAUSE, id), -AXVM_EALREADY); /* never ran */
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_UNPAUSE, id), 0);            /* boots */
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_UNPAUSE, id), -AXVM_EALREADY);
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_PREEMPTED);
    fake.need_resched = false;
    ns = vm->vcpus[0]->run_ns;
    CU_ASSERT(ns > 0);
    fake_vm_reset();
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_PAUSE, id), 0);
    CU_ASSERT_STRING_EQUAL(fake.sched_log, "kick:0 ");
    CU_ASSERT_EQUAL(info_of(id, &rc).state, AXVM_STATE_PAUSED);
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_PAUSE, id), -AXVM_EALREADY);
    /* Its vCPU leaves at once, without entering the guest, and its time stands still. */
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_BLOCKED);
    CU_ASSERT_EQUAL(fake.nr_runs, 0);
    CU_ASSERT_TRUE(vm->vcpus[0]->parked);
    CU_ASSERT_EQUAL(vm->vcpus[0]->run_ns, ns);
    CU_ASSERT_EQUAL(info_of(id, &rc).cpu_time_ns, ns);
    fake_vm_reset();
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_UNPAUSE, id), 0);
    CU_ASSERT_STRING_EQUAL(fake.sched_log, "wake:0 ");
    CU_ASSERT_FALSE(vm->vcpus[0]->parked);
    CU_ASSERT_EQUAL(info_of(id, &rc).state, AXVM_STATE_RUNNING);
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_PREEMPTED);
    CU_ASSERT_EQUAL(fake.nr_runs, 1);
}

static void test_domctl_unpause_wakes_only_the_vcpus_the_pause_stopped(void)
{
    struct axvm_domain_create c = create_req("two");
    struct vm *vm;

    c.nr_vcpus = 2;
    CU_ASSERT_EQUAL_FATAL(call(AXVM_HC_DOMAIN_CREATE, &c, sizeof(c)), 0);
    CU_ASSERT_EQUAL(add_ram(c.domid, 0, GUEST_RAM), 0);
    CU_ASSERT_EQUAL(set_context(c.domid, 0, 0x1000), 0);
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_UNPAUSE, c.domid), 0);
    vm = vm_find(c.domid);
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_PAUSE, c.domid), 0);
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_BLOCKED); /* vCPU 1 never started */
    fake_vm_reset();
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_UNPAUSE, c.domid), 0);
    CU_ASSERT_STRING_EQUAL(fake.sched_log, "wake:0 ");
}

static void test_domctl_shutdown_stops_the_domain_with_the_reason(void)
{
    struct vm *vm = running("sd", AXVM_ACTION_PRESERVE);
    struct axvm_domain_shutdown sd = {vm->id, 0, AXVM_SHUTDOWN_REBOOT};
    struct axvm_domain_info info;
    int64_t rc;

    sd.pad = 1;
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_SHUTDOWN, &sd, sizeof(sd)), -AXVM_EINVAL);
    sd.pad = 0;
    sd.reason = AXVM_SHUTDOWN_CRASH;
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_SHUTDOWN, &sd, sizeof(sd)), -AXVM_EINVAL);
    sd.reason = 9;
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_SHUTDOWN, &sd, sizeof(sd)), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_RUNNING);
    sd.reason = AXVM_SHUTDOWN_REBOOT;
    fake_vm_reset();
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_SHUTDOWN, &sd, sizeof(sd)), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(fake.sched_log, "kick:0 wake:0"));
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_SHUTDOWN, &sd, sizeof(sd)), -AXVM_EALREADY);
    stop_vcpus(vm);
    info = info_of(sd.domid, &rc);
    CU_ASSERT(rc == 0 && info.state == AXVM_STATE_SHUTDOWN &&
              info.shutdown_reason == AXVM_SHUTDOWN_REBOOT);
    CU_ASSERT_TRUE(vm->all_stopped); /* on_reboot = preserve: kept until destroyed */
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_PAUSE, sd.domid), -AXVM_EBUSY);
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_UNPAUSE, sd.domid), -AXVM_EBUSY);
    sd.domid = 0;
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_SHUTDOWN, &sd, sizeof(sd)), -AXVM_EINVAL);
}

static void test_domctl_on_actions_destroy_or_keep_a_stopped_domain(void)
{
    static const struct {
        const char *what;
        uint8_t on_poweroff, on_reboot, on_crash;
        int how; /* 0: poweroff hypercall, 1: reboot by dom0, 2: crash, 3: debug exit */
        bool destroyed;
    } cases[] = {
        {"poweroff, destroy", AXVM_ACTION_DESTROY, 1, 1, 0, true},
        {"poweroff, preserve", AXVM_ACTION_PRESERVE, 0, 0, 0, false},
        {"reboot, restart", 0, AXVM_ACTION_RESTART, 0, 1, false},
        {"reboot, destroy", 2, AXVM_ACTION_DESTROY, 2, 1, true},
        {"crash, destroy", 2, 2, AXVM_ACTION_DESTROY, 2, true},
        {"crash, preserve", 0, 0, AXVM_ACTION_PRESERVE, 2, false},
        {"debug exit, destroy", AXVM_ACTION_DESTROY, 2, 2, 3, true},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char name[16];
        uint16_t id;
        struct vm *vm;
        struct axvm_domain_info info;
        int64_t rc;

        snprintf(name, sizeof(name), "act%zu", i);
        id = create_with(name, cases[i].on_poweroff, cases[i].on_reboot, cases[i].on_crash);
        CU_ASSERT_EQUAL_FATAL(add_ram(id, 0, GUEST_RAM), 0);
        CU_ASSERT_EQUAL_FATAL(set_context(id, 0, 0x1000), 0);
        CU_ASSERT_EQUAL_FATAL(ref_call(AXVM_HC_DOMAIN_UNPAUSE, id), 0);
        vm = vm_find(id);
        if (cases[i].how == 1) {
            struct axvm_domain_shutdown sd = {id, 0, AXVM_SHUTDOWN_REBOOT};

            CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_SHUTDOWN, &sd, sizeof(sd)), 0);
        } else if (cases[i].how == 2) {
            vm_crash(vm, "a test");
        } else {
            vm_shutdown(vm, cases[i].how == 3 ? AXVM_SHUTDOWN_EXIT : AXVM_SHUTDOWN_POWEROFF, 5);
        }
        stop_vcpus(vm);
        info = info_of(id, &rc);
        UNIT_CHECK((rc == -AXVM_ENOENT) == cases[i].destroyed, "%s: getinfo rc %lld", cases[i].what,
                   (long long)rc);
        if (!cases[i].destroyed) {
            UNIT_CHECK(info.state == (cases[i].how == 2 ? AXVM_STATE_CRASHED : AXVM_STATE_SHUTDOWN),
                       "%s: state %u", cases[i].what, info.state);
            CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_DESTROY, id), 0);
            CU_ASSERT_PTR_NULL(vm_find(id));
        }
    }
    check_memory_back("after every action");
}

static void test_domctl_destroy_from_every_state_returns_every_frame(void)
{
    for (int state = 0; state < 4; state++) {
        struct axvm_domain_device uart = {0, AXVM_DEV_UART16550, AXVM_SPACE_PIO, 0, 0x3f8};
        struct axvm_domain_region lazy = {0, AXVM_MAP_ALLOC, 3, AXVM_REGION_LAZY, MIB(1), MIB(1)};
        uint16_t id = create("doomed");
        struct vm *vm = vm_find(id);
        domid_t ids[VM_MAX_DOMAINS];

        uart.domid = lazy.domid = id;
        CU_ASSERT_EQUAL(add_ram(id, 0, GUEST_RAM), 0);
        CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_ADD_REGION, &lazy, sizeof(lazy)), 0);
        CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_ADD_DEVICE, &uart, sizeof(uart)), 0);
        CU_ASSERT_EQUAL(vm_write_guest(vm, MIB(1) + KIB(12), "x", 1), 0);
        CU_ASSERT_EQUAL(set_context(id, 0, 0x1000), 0);
        if (state >= 1) {
            CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_UNPAUSE, id), 0);
        }
        if (state == 2) {
            CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_PAUSE, id), 0);
            CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_BLOCKED);
        }
        if (state == 3) {
            vm_shutdown(vm, AXVM_SHUTDOWN_POWEROFF, 0);
            stop_vcpus(vm); /* preserved */
        }
        CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_DESTROY, id), 0);
        UNIT_CHECK(vm_find(id) == NULL, "state %d: still visible", state);
        CU_ASSERT_EQUAL(vm_list_ids(ids, VM_MAX_DOMAINS), 1);
        CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_DESTROY, id), -AXVM_ENOENT);
        if (state == 1 || state == 2) {
            /* Its vCPU was live: it stops at its next exit and frees the domain. */
            UNIT_CHECK(vm->destroy_requested && vm_get_state(vm) == VM_STATE_SHUTDOWN,
                       "state %d: not stopping", state);
            stop_vcpus(vm);
        }
        check_memory_back(state == 0   ? "destroying a created domain"
                          : state == 1 ? "destroying a running domain"
                          : state == 2 ? "destroying a paused domain"
                                       : "destroying a stopped domain");
    }
}

/*
 * Destroying a paused domain: its parked vCPU, which no wake moves, is unparked and woken to
 * see the stop, and the domain is freed. Regression test: it stayed parked, the domain
 * unlisted but never freed (its memory and id lost; arm64/dom0-sched's axvm-top destroy).
 */
static void test_domctl_destroy_of_a_paused_domain_wakes_its_parked_vcpu(void)
{
    struct vm *vm = running("parked", AXVM_ACTION_PRESERVE);
    struct vcpu *v = vm->vcpus[0];
    uint16_t id = vm->id;

    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_PAUSE, id), 0);
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_BLOCKED);
    CU_ASSERT_TRUE(v->parked);
    v->state = VCPU_BLOCKED; /* as the scheduler leaves it */
    sched_wake(v);           /* a guest timer, say: no effect */
    CU_ASSERT_EQUAL(v->state, VCPU_BLOCKED);
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_DESTROY, id), 0);
    CU_ASSERT_PTR_NULL(vm_find(id));
    CU_ASSERT_FALSE(v->parked);
    CU_ASSERT_EQUAL(v->state, VCPU_RUNNABLE);
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_STOPPED);
    CU_ASSERT_EQUAL(fake.nr_runs, 0);
    vm_vcpu_stopped(v); /* frees vm */
    check_memory_back("after destroying a paused domain");
}

/*
 * A domain shut down before it ever started has its vCPUs woken to see the stop: destroying
 * it must wait for them, not free vCPUs a CPU may be running. Regression test.
 */
static void test_domctl_destroy_after_shutdown_of_a_created_domain_waits_for_its_vcpus(void)
{
    struct axvm_domain_shutdown sd = {create("early"), 0, AXVM_SHUTDOWN_POWEROFF};
    struct vm *vm = vm_find(sd.domid);

    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_SHUTDOWN, &sd, sizeof(sd)), 0);
    CU_ASSERT_EQUAL(vm->vcpus[0]->state, VCPU_RUNNABLE);
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_DESTROY, sd.domid), 0);
    CU_ASSERT_PTR_NULL(vm_find(sd.domid));
    CU_ASSERT_EQUAL(vm->arch.host_magic, HOST_VM_LIVE); /* not freed yet */
    stop_vcpus(vm);
    check_memory_back("after the early domain stopped");
}

static void test_domctl_destroy_and_pause_refuse_the_caller_itself(void)
{
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_DESTROY, 0), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_DESTROY, AXVM_DOMID_SELF), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_PAUSE, 0), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_UNPAUSE, 0), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_DESTROY, VM_MAX_DOMAINS + 7), -AXVM_ENOENT);
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_PAUSE, UINT16_MAX), -AXVM_ENOENT);
    CU_ASSERT_PTR_EQUAL(vm_find(0), dom0);
}

static void test_domctl_ref_calls_refuse_nonzero_padding(void)
{
    static const uint64_t calls[] = {AXVM_HC_DOMAIN_DESTROY, AXVM_HC_DOMAIN_PAUSE,
                                     AXVM_HC_DOMAIN_UNPAUSE};
    uint16_t id = create("padded");

    for (size_t i = 0; i < ARRAY_SIZE(calls); i++) {
        struct axvm_domain_ref ref = {id, {0, 0, 1}};
        int64_t rc = call(calls[i], &ref, sizeof(ref));

        UNIT_CHECK(rc == -AXVM_EINVAL, "call %llu: rc %lld", (unsigned long long)calls[i],
                   (long long)rc);
    }
    CU_ASSERT_PTR_NOT_NULL(vm_find(id));
}

static void test_domctl_many_create_destroy_cycles_leak_nothing(void)
{
    for (unsigned int i = 0; i < 50; i++) {
        struct vm *vm = running("cycle", i % 2 ? AXVM_ACTION_DESTROY : AXVM_ACTION_PRESERVE);
        uint16_t id = vm->id;

        CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_DESTROY, id), 0);
        stop_vcpus(vm);
        CU_ASSERT_PTR_NULL(vm_find(id));
    }
    check_memory_back("after 50 create/destroy cycles");
}

/* ---------------------------------------------------------------------------------------- */
/* Information */

static void test_domctl_getinfo_reports_self_and_sums_cpu_time(void)
{
    struct vm *vm = running("timed", AXVM_ACTION_PRESERVE);
    struct axvm_domain_info info;
    int64_t rc;

    info = info_of(AXVM_DOMID_SELF, &rc);
    CU_ASSERT(rc == 0 && info.domid == 0 && strcmp(info.name, "dom0") == 0 &&
              info.state == AXVM_STATE_CREATED && info.mem_kib == 196);
    vm->vcpus[0]->run_ns = 12345;
    info = info_of(vm->id, &rc);
    CU_ASSERT_EQUAL(info.cpu_time_ns, 12345);
    CU_ASSERT_EQUAL(info.state, AXVM_STATE_RUNNING);
    info = info_of(VM_MAX_DOMAINS + 40, &rc);
    CU_ASSERT_EQUAL(rc, -AXVM_ENOENT);
}

static void test_domctl_list_fills_up_to_max_and_counts_all(void)
{
    struct axvm_domain_info infos[4];
    struct axvm_domain_list l = {0};
    uint16_t a = create("a"), b = create("b");

    l.max = 4;
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_DOMAIN_LIST, &l, sizeof(l), NULL, sizeof(infos)), 0);
    CU_ASSERT(l.nr == 3 && l.total == 3);
    CU_ASSERT_EQUAL_FATAL(vm_read_guest(dom0, infos, BUF_GPA, sizeof(infos)), 0);
    CU_ASSERT(infos[0].domid == 0 && infos[1].domid == a && infos[2].domid == b);
    CU_ASSERT_STRING_EQUAL(infos[2].name, "b");
    l = (struct axvm_domain_list){.max = 2};
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_DOMAIN_LIST, &l, sizeof(l), NULL, 2 * sizeof(infos[0])), 0);
    CU_ASSERT(l.nr == 2 && l.total == 3);
    l = (struct axvm_domain_list){.max = 0};
    CU_ASSERT_EQUAL(call(AXVM_HC_DOMAIN_LIST, &l, sizeof(l)), 0);
    CU_ASSERT(l.nr == 0 && l.total == 3);
    l = (struct axvm_domain_list){.max = 3};
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_DOMAIN_LIST, &l, sizeof(l), NULL, 2 * sizeof(infos[0])),
                    -AXVM_EINVAL); /* more entries than the buffer holds */
    l = (struct axvm_domain_list){.max = 1, .pad = 1};
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_DOMAIN_LIST, &l, sizeof(l), NULL, sizeof(infos[0])),
                    -AXVM_EINVAL);
}

static void test_domctl_console_read_follows_positions(void)
{
    struct vm *vm = vm_find(create("chatty"));
    struct axvm_console_read r = {.domid = vm->id};
    static char big[20000];
    char buf[64];

    vconsole_write(&vm->console, "hello\n", 6);
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_CONSOLE_READ, &r, sizeof(r), NULL, sizeof(buf)), 6);
    CU_ASSERT(r.nr == 6 && r.pos == 6 && r.written == 6);
    CU_ASSERT_EQUAL_FATAL(vm_read_guest(dom0, buf, BUF_GPA, 6), 0);
    CU_ASSERT_EQUAL(memcmp(buf, "hello\n", 6), 0);
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_CONSOLE_READ, &r, sizeof(r), NULL, sizeof(buf)), 0);
    CU_ASSERT(r.nr == 0 && r.pos == 6);
    memset(big, 'z', sizeof(big));
    vconsole_write(&vm->console, big, sizeof(big));
    r.pos = 0; /* older than the ring: starts at the oldest byte kept */
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_CONSOLE_READ, &r, sizeof(r), NULL, 100), 100);
    CU_ASSERT(r.written == 20006 && r.pos == 20006 - VCONSOLE_RING_SIZE + 100);
    r.pos = 0;
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_CONSOLE_READ, &r, sizeof(r), NULL, AXVM_COPY_MAX),
                    VCONSOLE_RING_SIZE); /* the whole ring at once */
    r.pad[0] = 1;
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_CONSOLE_READ, &r, sizeof(r), NULL, 8), -AXVM_EINVAL);
    r = (struct axvm_console_read){.domid = VM_MAX_DOMAINS + 33};
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_CONSOLE_READ, &r, sizeof(r), NULL, 8), -AXVM_ENOENT);
}

static void test_domctl_log_read_returns_the_hypervisor_log(void)
{
    struct axvm_console_read r = {.domid = 12345}; /* ignored */
    static char text[CONSOLE_RING_SIZE + 1];
    size_t len = 0;
    int64_t n;

    log_printf(LOG_LEVEL_INFO, "test", "a line to find in the log ring");
    do {
        n = call_buf(AXVM_HC_LOG_READ, &r, sizeof(r), NULL, 4096);
        CU_ASSERT_FATAL(n >= 0 && len + (size_t)n <= CONSOLE_RING_SIZE);
        CU_ASSERT_FATAL(vm_read_guest(dom0, text + len, BUF_GPA, (size_t)n) == 0);
        len += (size_t)n;
    } while (n > 0);
    text[len] = '\0';
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "test: a line to find in the log ring\n"));
    CU_ASSERT(r.written >= len && r.pos == r.written);
    r.pad[2] = 1;
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_LOG_READ, &r, sizeof(r), NULL, 8), -AXVM_EINVAL);
}

static void test_domctl_physinfo_describes_the_host_and_its_free_memory(void)
{
    struct axvm_physinfo info = {0};
    uint64_t free_kib;
    uint16_t id;

    memset(&info, 0x5a, sizeof(info));
    CU_ASSERT_EQUAL(call(AXVM_HC_PHYSINFO, &info, sizeof(info)), 0);
    CU_ASSERT_EQUAL(info.abi_version, AXVM_ABI_VERSION);
    CU_ASSERT_EQUAL(info.nr_cpus, FAKE_NR_CPUS);
    CU_ASSERT_EQUAL(info.total_kib, frame_nr_managed() * 4);
    CU_ASSERT_EQUAL(info.free_kib, frame_nr_free() * 4);
    CU_ASSERT_EQUAL(info.features, AXVM_FEATURE_HVM | AXVM_FEATURE_NPT);
    CU_ASSERT_EQUAL(info.arch, AXVM_ARCH_X86_64);
    CU_ASSERT_EQUAL(info.cpu_khz, 2600000);
    CU_ASSERT(info.uptime_ns > 0);
    CU_ASSERT_STRING_EQUAL(info.version, "0.0.0-host");
    CU_ASSERT_STRING_EQUAL(info.virt, "fake");
    free_kib = info.free_kib;
    id = create("mem");
    CU_ASSERT_EQUAL(add_ram(id, 0, MIB(1)), 0);
    CU_ASSERT_EQUAL(call(AXVM_HC_PHYSINFO, &info, sizeof(info)), 0);
    CU_ASSERT(info.free_kib <= free_kib - 1024);
    CU_ASSERT_EQUAL(ref_call(AXVM_HC_DOMAIN_DESTROY, id), 0);
    CU_ASSERT_EQUAL(call(AXVM_HC_PHYSINFO, &info, sizeof(info)), 0);
    CU_ASSERT_EQUAL(info.free_kib, free_kib);
}

/* A console device's input sink that takes up to room bytes. */
struct sink {
    size_t room;
    char got[64];
    size_t nr_got;
};

static size_t sink_take(void *ctx, const uint8_t *buf, size_t len)
{
    struct sink *s = ctx;
    size_t n = MIN(len, s->room - s->nr_got);

    memcpy(s->got + s->nr_got, buf, n);
    s->nr_got += n;
    return n;
}

static void test_domctl_console_input_hands_bytes_to_the_sink(void)
{
    struct vm *vm = vm_find(create("typed"));
    struct axvm_console_input in = {vm->id, {0}, 5};
    struct sink s = {.room = 8};

    CU_ASSERT_EQUAL(call_buf(AXVM_HC_CONSOLE_INPUT, &in, sizeof(in), "ls -l", 5), -AXVM_ENODEV);
    vconsole_set_input(&vm->console, sink_take, &s);
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_CONSOLE_INPUT, &in, sizeof(in), "ls -l", 5), 5);
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_CONSOLE_INPUT, &in, sizeof(in), "\rabcd", 5), 3); /* full */
    CU_ASSERT(s.nr_got == 8 && memcmp(s.got, "ls -l\rab", 8) == 0);
    in.size = 4;
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_CONSOLE_INPUT, &in, sizeof(in), "abcde", 5), -AXVM_EINVAL);
    in.size = AXVM_CONSOLE_INPUT_MAX + 1;
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_CONSOLE_INPUT, &in, sizeof(in), NULL, in.size), -AXVM_EINVAL);
    in.size = 1;
    in.pad[2] = 1;
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_CONSOLE_INPUT, &in, sizeof(in), "a", 1), -AXVM_EINVAL);
    in = (struct axvm_console_input){VM_MAX_DOMAINS + 50, {0}, 1};
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_CONSOLE_INPUT, &in, sizeof(in), "a", 1), -AXVM_ENOENT);
    CU_ASSERT_EQUAL(s.nr_got, 8);
    vconsole_set_input(&vm->console, NULL, NULL);
}

/* Everything at once: domains, each with its vCPUs, then the CPUs, where the maxima put them. */
static void test_domctl_sysctl_stats_returns_every_domain_vcpu_and_cpu(void)
{
    struct {
        struct axvm_domain_stats doms[4];
        struct axvm_vcpu_stats vcpus[6];
        struct axvm_pcpu_stats pcpus[2];
    } out;
    struct axvm_sysctl_stats a = {.max_domains = 4, .max_vcpus = 6, .max_pcpus = 2};
    struct axvm_domain_create req = create_req("two");
    struct vm *vm;

    req.nr_vcpus = 2;
    CU_ASSERT_EQUAL_FATAL(call(AXVM_HC_DOMAIN_CREATE, &req, sizeof(req)), 0);
    vm = vm_find(req.domid);
    vm->vcpus[1]->exits[AXVM_EXIT_HYPERCALL] = 5;
    vm->vcpus[0]->exits[AXVM_EXIT_HYPERCALL] = 2;
    vm->vcpus[1]->exits[AXVM_EXIT_MMIO] = 7;
    vm->vcpus[1]->run_ns = 1234;
    vm->vcpus[1]->sched.credit = -77;
    vm->sched.weight = 700;
    CU_ASSERT_EQUAL_FATAL(add_ram(req.domid, 0, 0x10000), 0);
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_SYSCTL_STATS, &a, sizeof(a), NULL, sizeof(out)), 0);
    CU_ASSERT_EQUAL_FATAL(vm_read_guest(dom0, &out, BUF_GPA, sizeof(out)), 0);
    CU_ASSERT(a.nr_domains == 2 && a.total_domains == 2 && a.nr_vcpus == 3 && a.total_vcpus == 3);
    CU_ASSERT(a.nr_pcpus == 2 && a.sched == AXVM_SCHED_CREDIT && a.free_kib < a.total_kib);
    CU_ASSERT_EQUAL(a.total_pcpus, CONFIG_NR_CPUS); /* the fake's CPUs are all online */
    CU_ASSERT(out.doms[0].domid == 0 && (out.doms[0].flags & AXVM_STATS_DOMAIN_FLAG_PRIVILEGED));
    CU_ASSERT_STRING_EQUAL(out.doms[1].name, "two");
    CU_ASSERT(out.doms[1].nr_vcpus == 2 && out.doms[1].flags == 0 && out.doms[1].weight == 700);
    CU_ASSERT_EQUAL(out.doms[1].nr_hypercalls, 7);
    CU_ASSERT_EQUAL(out.doms[1].mem_kib, 64);
    CU_ASSERT(out.doms[1].pages >= 16); /* the RAM and at least a table */
    CU_ASSERT(out.vcpus[1].domid == req.domid && out.vcpus[1].vcpu == 0);
    CU_ASSERT(out.vcpus[2].domid == req.domid && out.vcpus[2].vcpu == 1);
    CU_ASSERT(out.vcpus[2].exits[AXVM_EXIT_MMIO] == 7 && out.vcpus[2].nr_hypercalls == 5);
    CU_ASSERT(out.vcpus[2].cpu_time_ns == 1234 && out.vcpus[2].credit == -77);
    CU_ASSERT_EQUAL(out.vcpus[2].state, AXVM_VCPU_OFFLINE);
    CU_ASSERT(out.pcpus[0].cpu == 0 && out.pcpus[1].cpu == 1 && out.pcpus[1].nr_switches == 8);
}

/* Of two halted vCPUs, the one its guest switched off (PSCI CPU_OFF, wait-for-SIPI) is offline. */
static void test_domctl_sysctl_stats_shows_a_switched_off_vcpu_offline(void)
{
    struct axvm_vcpu_stats vcpus[3];
    struct axvm_sysctl_stats a = {.max_domains = 2, .max_vcpus = 3};
    struct axvm_domain_create req = create_req("half");
    struct vm *vm;

    req.nr_vcpus = 2;
    CU_ASSERT_EQUAL_FATAL(call(AXVM_HC_DOMAIN_CREATE, &req, sizeof(req)), 0);
    vm = vm_find(req.domid);
    vm->vcpus[0]->state = VCPU_BLOCKED;
    vm->vcpus[1]->state = VCPU_BLOCKED;
    fake.vcpu_off[1] = true;
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_SYSCTL_STATS, &a, sizeof(a), NULL,
                             2 * sizeof(struct axvm_domain_stats) + sizeof(vcpus)),
                    0);
    CU_ASSERT_EQUAL_FATAL(
        vm_read_guest(dom0, vcpus, BUF_GPA + 2 * sizeof(struct axvm_domain_stats), sizeof(vcpus)),
        0);
    CU_ASSERT(vcpus[1].domid == req.domid && vcpus[1].vcpu == 0);
    CU_ASSERT_EQUAL(vcpus[1].state, AXVM_VCPU_BLOCKED);
    CU_ASSERT_EQUAL(vcpus[2].state, AXVM_VCPU_OFFLINE);
    vm->vcpus[0]->state = VCPU_OFFLINE;
    vm->vcpus[1]->state = VCPU_OFFLINE;
}

/* A domain whose vCPUs do not all fit is left out whole; the totals say what exists. */
static void test_domctl_sysctl_stats_leaves_out_what_does_not_fit(void)
{
    struct axvm_domain_stats doms[2];
    struct axvm_sysctl_stats a = {.max_domains = 2, .max_vcpus = 1};
    struct axvm_domain_create req = create_req("wide");

    req.nr_vcpus = 3;
    CU_ASSERT_EQUAL_FATAL(call(AXVM_HC_DOMAIN_CREATE, &req, sizeof(req)), 0);
    CU_ASSERT_EQUAL(call_buf(AXVM_HC_SYSCTL_STATS, &a, sizeof(a), NULL,
                             sizeof(doms) + sizeof(struct axvm_vcpu_stats)),
                    0);
    CU_ASSERT(a.nr_domains == 1 && a.nr_vcpus == 1 && a.total_domains == 2 && a.total_vcpus == 4);
    CU_ASSERT_EQUAL_FATAL(vm_read_guest(dom0, doms, BUF_GPA, sizeof(doms[0])), 0);
    CU_ASSERT_EQUAL(doms[0].domid, 0);
}

static void test_domctl_sysctl_stats_refuses_bad_arguments(void)
{
    const struct {
        const char *what;
        struct axvm_sysctl_stats a;
        uint64_t buf_size;
    } cases[] = {
        {"buffer too small", {.max_domains = 2}, sizeof(struct axvm_domain_stats)},
        {"total_pcpus set on input", {.max_domains = 1, .total_pcpus = 1}, 4096},
        {"too many domains", {.max_domains = VM_MAX_DOMAINS + 1}, 65536},
        {"too many CPUs", {.max_pcpus = CONFIG_NR_CPUS + 1}, 65536},
        {"a huge count", {.max_vcpus = UINT32_MAX}, 65536},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct axvm_sysctl_stats a = cases[i].a;
        int64_t rc = call_buf(AXVM_HC_SYSCTL_STATS, &a, sizeof(a), NULL, cases[i].buf_size);

        UNIT_CHECK(rc == -AXVM_EINVAL, "%s: rc %lld", cases[i].what, (long long)rc);
    }
}

static void test_domctl_sched_credit_reads_and_sets_weight_and_cap(void)
{
    uint16_t d = create("w");
    struct axvm_sched_credit c = {.domid = d};

    CU_ASSERT_EQUAL(call(AXVM_HC_SCHED_CREDIT, &c, sizeof(c)), 0);
    CU_ASSERT(c.weight == AXVM_WEIGHT_DEFAULT && c.cap == 0);
    c = (struct axvm_sched_credit){.domid = d, .flags = AXVM_SCHED_SET_WEIGHT, .weight = 512};
    CU_ASSERT_EQUAL(call(AXVM_HC_SCHED_CREDIT, &c, sizeof(c)), 0);
    CU_ASSERT(c.weight == 512 && c.cap == 0);
    c = (struct axvm_sched_credit){.domid = d, .flags = AXVM_SCHED_SET_CAP, .cap = 40};
    CU_ASSERT_EQUAL(call(AXVM_HC_SCHED_CREDIT, &c, sizeof(c)), 0);
    CU_ASSERT(c.weight == 512 && c.cap == 40); /* the weight stays */
    CU_ASSERT_EQUAL(vm_find(d)->sched.cap, 40);
    c = (struct axvm_sched_credit){.domid = AXVM_DOMID_SELF};
    CU_ASSERT_EQUAL(call(AXVM_HC_SCHED_CREDIT, &c, sizeof(c)), 0); /* dom0 reads its own */
}

static void test_domctl_sched_credit_refuses_bad_arguments(void)
{
    uint16_t d = create("w");
    const struct axvm_sched_credit cases[] = {
        {d, AXVM_SCHED_SET_WEIGHT, 0, 0, 0},
        {d, AXVM_SCHED_SET_WEIGHT, 65536, 0, 0},
        {d, AXVM_SCHED_SET_CAP, 0, 101, 0},
        {d, 4, 0, 0, 0},
        {d, 0, 0, 0, 1},
        {999, 0, 0, 0, 0},
    };
    const int64_t want[] = {-AXVM_EINVAL, -AXVM_EINVAL, -AXVM_EINVAL,
                            -AXVM_EINVAL, -AXVM_EINVAL, -AXVM_ENOENT};

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct axvm_sched_credit c = cases[i];
        int64_t rc = call(AXVM_HC_SCHED_CREDIT, &c, sizeof(c));

        UNIT_CHECK(rc == want[i], "case %zu: rc %lld", i, (long long)rc);
    }
    CU_ASSERT(vm_find(d)->sched.weight == AXVM_WEIGHT_DEFAULT && vm_find(d)->sched.cap == 0);
    fake.sched_rr = true;
    {
        struct axvm_sched_credit c = {d, AXVM_SCHED_SET_WEIGHT, 300, 0, 0};

        CU_ASSERT_EQUAL(call(AXVM_HC_SCHED_CREDIT, &c, sizeof(c)), -AXVM_EOPNOTSUPP);
        c = (struct axvm_sched_credit){.domid = d};
        CU_ASSERT_EQUAL(call(AXVM_HC_SCHED_CREDIT, &c, sizeof(c)), 0); /* reading is fine */
    }
}

static void test_domctl_vcpu_pin_sets_one_or_all(void)
{
    struct axvm_domain_create req = create_req("pinned");
    struct axvm_vcpu_pin p;
    struct vm *vm;

    req.nr_vcpus = 3;
    CU_ASSERT_EQUAL_FATAL(call(AXVM_HC_DOMAIN_CREATE, &req, sizeof(req)), 0);
    vm = vm_find(req.domid);
    p = (struct axvm_vcpu_pin){req.domid, 1, 0, 0x2};
    CU_ASSERT_EQUAL(call(AXVM_HC_VCPU_PIN, &p, sizeof(p)), 0);
    CU_ASSERT_EQUAL(vm->vcpus[1]->sched.affinity, 0x2);
    CU_ASSERT_NOT_EQUAL(vm->vcpus[0]->sched.affinity, 0x2);
    p = (struct axvm_vcpu_pin){req.domid, AXVM_VCPU_ALL, 0, 0x1};
    CU_ASSERT_EQUAL(call(AXVM_HC_VCPU_PIN, &p, sizeof(p)), 0);
    for (unsigned int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(vm->vcpus[i]->sched.affinity, 0x1);
    }
}

static void test_domctl_vcpu_pin_refuses_bad_arguments(void)
{
    uint16_t d = create("pinned");
    const struct axvm_vcpu_pin cases[] = {
        {d, 0, 0, 0}, {d, 1, 0, 1}, {d, 0, 1, 1}, {999, 0, 0, 1}, {d, AXVM_VCPU_ALL, 0, 0},
    };
    const int64_t want[] = {-AXVM_EINVAL, -AXVM_EINVAL, -AXVM_EINVAL, -AXVM_ENOENT, -AXVM_EINVAL};

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct axvm_vcpu_pin p = cases[i];
        int64_t rc = call(AXVM_HC_VCPU_PIN, &p, sizeof(p));

        UNIT_CHECK(rc == want[i], "case %zu: rc %lld", i, (long long)rc);
    }
}

static CU_TestInfo domctl_tests[] = {
    UNIT_TEST(test_domctl_privileged_vm_is_domain_0_and_unique),
    UNIT_TEST(test_domctl_unprivileged_caller_gets_eperm_for_every_call),
    UNIT_TEST(test_domctl_numbers_outside_the_control_range_are_not_control_calls),
    UNIT_TEST(test_domctl_wrong_struct_size_returns_einval_for_every_call),
    UNIT_TEST(test_domctl_struct_outside_ram_returns_efault_for_every_call),
    UNIT_TEST(test_domctl_outputs_into_read_only_ram_return_efault),
    UNIT_TEST(test_domctl_buffers_are_checked_against_the_callers_ram),
    UNIT_TEST(test_domctl_create_makes_an_empty_domain_in_state_created),
    UNIT_TEST(test_domctl_create_refuses_bad_arguments_and_creates_nothing),
    UNIT_TEST(test_domctl_create_accepts_the_limits),
    UNIT_TEST(test_domctl_builds_a_domain_in_stages_and_boots_it),
    UNIT_TEST(test_domctl_building_after_boot_returns_ebusy),
    UNIT_TEST(test_domctl_add_region_refuses_bad_arguments),
    UNIT_TEST(test_domctl_add_region_lazy_takes_frames_on_first_touch),
    UNIT_TEST(test_domctl_copy_refuses_bad_arguments),
    UNIT_TEST(test_domctl_add_device_refuses_bad_arguments),
    UNIT_TEST(test_domctl_passthrough_refuses_bad_arguments),
    UNIT_TEST(test_domctl_passthrough_irq_goes_to_the_arch_hook),
    UNIT_TEST(test_domctl_vcpu_set_context_refuses_bad_arguments),
    UNIT_TEST(test_domctl_pause_and_unpause_follow_the_lifecycle),
    UNIT_TEST(test_domctl_unpause_wakes_only_the_vcpus_the_pause_stopped),
    UNIT_TEST(test_domctl_shutdown_stops_the_domain_with_the_reason),
    UNIT_TEST(test_domctl_on_actions_destroy_or_keep_a_stopped_domain),
    UNIT_TEST(test_domctl_destroy_from_every_state_returns_every_frame),
    UNIT_TEST(test_domctl_destroy_of_a_paused_domain_wakes_its_parked_vcpu),
    UNIT_TEST(test_domctl_destroy_after_shutdown_of_a_created_domain_waits_for_its_vcpus),
    UNIT_TEST(test_domctl_destroy_and_pause_refuse_the_caller_itself),
    UNIT_TEST(test_domctl_ref_calls_refuse_nonzero_padding),
    UNIT_TEST(test_domctl_many_create_destroy_cycles_leak_nothing),
    UNIT_TEST(test_domctl_getinfo_reports_self_and_sums_cpu_time),
    UNIT_TEST(test_domctl_list_fills_up_to_max_and_counts_all),
    UNIT_TEST(test_domctl_console_read_follows_positions),
    UNIT_TEST(test_domctl_log_read_returns_the_hypervisor_log),
    UNIT_TEST(test_domctl_physinfo_describes_the_host_and_its_free_memory),
    UNIT_TEST(test_domctl_console_input_hands_bytes_to_the_sink),
    UNIT_TEST(test_domctl_sysctl_stats_returns_every_domain_vcpu_and_cpu),
    UNIT_TEST(test_domctl_sysctl_stats_leaves_out_what_does_not_fit),
    UNIT_TEST(test_domctl_sysctl_stats_shows_a_switched_off_vcpu_offline),
    UNIT_TEST(test_domctl_sysctl_stats_refuses_bad_arguments),
    UNIT_TEST(test_domctl_sched_credit_reads_and_sets_weight_and_cap),
    UNIT_TEST(test_domctl_sched_credit_refuses_bad_arguments),
    UNIT_TEST(test_domctl_vcpu_pin_sets_one_or_all),
    UNIT_TEST(test_domctl_vcpu_pin_refuses_bad_arguments),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_domctl = {"domctl",        NULL,        NULL, domctl_setup,
                                  domctl_teardown, domctl_tests};
UNIT_REGISTER_SUITE(unit_suite_domctl);
