/* SPDX-License-Identifier: MIT */
/*
 * CUnit suite "axvmctl": libaxvmctl's handle and its one function per hypercall, against the
 * fake transport: the struct each call carries, the arguments refused before any call, copies
 * cut into AXVM_COPY_MAX pieces, lists, ring reads with lost bytes, lookups and error strings.
 */
#include <stdlib.h>
#include <string.h>
#include <unit.h>
#include "ctl/axvmctl.h"
#include "../fake_transport.h"

static struct fake_transport fake;
static struct axvmctl *h;

static void setup(void)
{
    fake_transport_init(&fake);
    if (axvmctl_open_transport(&fake.transport, &h) != 0) {
        abort();
    }
}

static void teardown(void)
{
    axvmctl_close(h);
    h = NULL;
    fake_transport_fini(&fake);
}

static const struct fake_call *last_call(void)
{
    return fake.nr_calls ? &fake.calls[fake.nr_calls - 1] : NULL;
}

/* Returns: whether the last call was nr with exactly the bytes of want as its struct. */
static bool last_call_is(uint32_t nr, const void *want, size_t size)
{
    const struct fake_call *c = last_call();

    return c && c->nr == nr && c->arg_size == size && memcmp(c->arg, want, size) == 0;
}

static void add_domain(uint16_t domid, const char *name)
{
    struct axvm_domain_info info = {.domid = domid, .nr_vcpus = 1, .state = AXVM_STATE_RUNNING};

    strcpy(info.name, name);
    fake_transport_add_domain(&fake, &info);
}

static void test_axvmctl_open_transport_rejects_null(void)
{
    struct axvmctl_transport no_call = {NULL, NULL, NULL};
    struct axvmctl *other = NULL;

    CU_ASSERT_EQUAL(axvmctl_open_transport(NULL, &other), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_open_transport(&no_call, &other), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_open_transport(&fake.transport, NULL), -AXVM_EINVAL);
    CU_ASSERT_PTR_NULL(other);
}

static void test_axvmctl_close_closes_the_transport(void)
{
    axvmctl_close(h);
    h = NULL;
    CU_ASSERT_TRUE(fake.closed);
    axvmctl_close(NULL); /* harmless */
}

static void test_axvmctl_strerror_follows_the_errno_list(void)
{
    static const struct {
        int code;
        const char *msg;
    } list[] = {
#define AXVM_ERRNO_ROW(name, value, msg) {value, msg},
        AXVM_ERRNO_LIST(AXVM_ERRNO_ROW)
#undef AXVM_ERRNO_ROW
    };

    for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
        UNIT_CHECK(strcmp(axvmctl_strerror(-list[i].code), list[i].msg) == 0,
                   "strerror(-%d) = '%s'", list[i].code, axvmctl_strerror(-list[i].code));
        UNIT_CHECK(strcmp(axvmctl_strerror(list[i].code), list[i].msg) == 0, "strerror(%d)",
                   list[i].code);
    }
    CU_ASSERT_STRING_EQUAL(axvmctl_strerror(0), "success");
    CU_ASSERT_STRING_EQUAL(axvmctl_strerror(-AXVM_EINVAL), "invalid argument");
    CU_ASSERT_STRING_EQUAL(axvmctl_strerror(-9999), "unknown error");
}

static void test_axvmctl_abi_version_returns_the_version(void)
{
    uint32_t version = 0;

    CU_ASSERT_EQUAL(axvmctl_abi_version(h, &version), 0);
    CU_ASSERT_EQUAL(version, AXVM_ABI_VERSION);
    CU_ASSERT_EQUAL(last_call()->nr, AXVM_HC_ABI_VERSION);
    CU_ASSERT_EQUAL(last_call()->arg_size, 0);
    CU_ASSERT_EQUAL(axvmctl_abi_version(h, NULL), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_abi_version(NULL, &version), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(fake.nr_calls, 1);
}

static void test_axvmctl_physinfo_fills_the_struct(void)
{
    struct axvm_physinfo info;

    memset(&info, 0xa5, sizeof(info));
    CU_ASSERT_EQUAL(axvmctl_physinfo(h, &info), 0);
    CU_ASSERT_EQUAL(memcmp(&info, &fake.physinfo, sizeof(info)), 0);
    CU_ASSERT_EQUAL(last_call()->nr, AXVM_HC_PHYSINFO);
    CU_ASSERT_EQUAL(last_call()->arg_size, sizeof(info));
    CU_ASSERT_EQUAL(axvmctl_physinfo(h, NULL), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(fake.nr_calls, 1);
}

static void test_axvmctl_domain_create_sends_a_clean_struct(void)
{
    struct axvm_domain_create req, want = {.domid = AXVM_DOMID_INVALID,
                                           .nr_vcpus = 2,
                                           .arch = AXVM_ARCH_X86_64,
                                           .name = "web",
                                           .uuid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
                                           .cpumask = 0xc,
                                           .on_poweroff = AXVM_ACTION_DESTROY,
                                           .on_reboot = AXVM_ACTION_RESTART,
                                           .on_crash = AXVM_ACTION_PRESERVE};

    memset(&req, 0xee, sizeof(req)); /* garbage after the name and in the padding */
    strcpy(req.name, "web");
    req.nr_vcpus = 2;
    req.arch = AXVM_ARCH_X86_64;
    memcpy(req.uuid, want.uuid, sizeof(req.uuid));
    req.cpumask = 0xc;
    req.on_poweroff = AXVM_ACTION_DESTROY;
    req.on_reboot = AXVM_ACTION_RESTART;
    req.on_crash = AXVM_ACTION_PRESERVE;
    CU_ASSERT_EQUAL(axvmctl_domain_create(h, &req), 0);
    CU_ASSERT_TRUE(last_call_is(AXVM_HC_DOMAIN_CREATE, &want, sizeof(want)));
    CU_ASSERT_EQUAL(req.domid, 1);
    CU_ASSERT_EQUAL(fake.domains[1].info.nr_vcpus, 2);
}

static void test_axvmctl_domain_create_refuses_bad_arguments(void)
{
    static const struct {
        const char *what;
        const char *name;
        uint16_t nr_vcpus;
        uint32_t arch;
        uint8_t on_crash;
    } cases[] = {
        {"empty name", "", 1, AXVM_ARCH_X86_64, 0},
        {"name without room for its NUL", "0123456789abcdef0123456789abcdef", 1, AXVM_ARCH_X86_64,
         0},
        {"no vCPUs", "a", 0, AXVM_ARCH_X86_64, 0},
        {"no arch", "a", 1, 0, 0},
        {"unknown arch", "a", 1, 3, 0},
        {"unknown action", "a", 1, AXVM_ARCH_ARM64, 3},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct axvm_domain_create req = {
            .nr_vcpus = cases[i].nr_vcpus, .arch = cases[i].arch, .on_crash = cases[i].on_crash};

        memcpy(req.name, cases[i].name, strnlen(cases[i].name, sizeof(req.name)));
        UNIT_CHECK(axvmctl_domain_create(h, &req) == -AXVM_EINVAL, "%s", cases[i].what);
    }
    CU_ASSERT_EQUAL(axvmctl_domain_create(h, NULL), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(fake.nr_calls, 0);
}

static void test_axvmctl_domain_create_fails_on_a_nameless_answer(void)
{
    struct axvm_domain_create req = {.nr_vcpus = 1, .arch = AXVM_ARCH_X86_64, .name = "a"};

    fake_transport_fail_nr(&fake, AXVM_HC_DOMAIN_CREATE, 1, 0); /* "yes", domid untouched */
    CU_ASSERT_EQUAL(axvmctl_domain_create(h, &req), -AXVM_EIO);
    fake_transport_fail_nr(&fake, AXVM_HC_DOMAIN_CREATE, 2, -AXVM_EEXIST);
    CU_ASSERT_EQUAL(axvmctl_domain_create(h, &req), -AXVM_EEXIST);
}

static void test_axvmctl_domain_ref_calls_carry_the_domid(void)
{
    static const struct {
        uint32_t nr;
        int (*fn)(struct axvmctl *, uint16_t);
    } calls[] = {
        {AXVM_HC_DOMAIN_PAUSE, axvmctl_domain_pause},
        {AXVM_HC_DOMAIN_UNPAUSE, axvmctl_domain_unpause},
        {AXVM_HC_DOMAIN_DESTROY, axvmctl_domain_destroy},
    };
    const struct axvm_domain_ref want = {.domid = 3};

    add_domain(3, "three");
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
        UNIT_CHECK(calls[i].fn(h, 3) == 0, "call %u", calls[i].nr);
        UNIT_CHECK(last_call_is(calls[i].nr, &want, sizeof(want)), "call %u's struct", calls[i].nr);
        UNIT_CHECK(calls[i].fn(h, AXVM_DOMID_INVALID) == -AXVM_EINVAL, "call %u, bad domid",
                   calls[i].nr);
        UNIT_CHECK(calls[i].fn(NULL, 3) == -AXVM_EINVAL, "call %u, no handle", calls[i].nr);
    }
    CU_ASSERT_EQUAL(fake.nr_calls, 3);
    CU_ASSERT_EQUAL(axvmctl_domain_destroy(h, 3), -AXVM_ENOENT); /* the model's answer */
}

static void test_axvmctl_domain_shutdown_checks_the_reason(void)
{
    const struct axvm_domain_shutdown want = {.domid = 2, .reason = AXVM_SHUTDOWN_REBOOT};

    add_domain(2, "two");
    CU_ASSERT_EQUAL(axvmctl_domain_shutdown(h, 2, AXVM_SHUTDOWN_REBOOT), 0);
    CU_ASSERT_TRUE(last_call_is(AXVM_HC_DOMAIN_SHUTDOWN, &want, sizeof(want)));
    CU_ASSERT_EQUAL(axvmctl_domain_shutdown(h, 2, AXVM_SHUTDOWN_CRASH), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_domain_shutdown(h, 2, 99), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_domain_shutdown(h, 0x8000, AXVM_SHUTDOWN_POWEROFF), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(fake.nr_calls, 1);
}

static void test_axvmctl_domain_getinfo_asks_by_domid(void)
{
    struct axvm_domain_info info, want = {.domid = 4};

    add_domain(4, "four");
    memset(&info, 0x5a, sizeof(info));
    CU_ASSERT_EQUAL(axvmctl_domain_getinfo(h, 4, &info), 0);
    CU_ASSERT_TRUE(last_call_is(AXVM_HC_DOMAIN_GETINFO, &want, sizeof(want)));
    CU_ASSERT_STRING_EQUAL(info.name, "four");
    CU_ASSERT_EQUAL(info.state, AXVM_STATE_RUNNING);
    CU_ASSERT_EQUAL(axvmctl_domain_getinfo(h, 5, &info), -AXVM_ENOENT);
    CU_ASSERT_EQUAL(axvmctl_domain_getinfo(h, 4, NULL), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_domain_getinfo(h, AXVM_DOMID_INVALID, &info), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(fake.nr_calls, 2);
}

static void test_axvmctl_domain_list_fills_and_counts(void)
{
    struct axvm_domain_info infos[2];
    unsigned int total = 0;
    struct axvm_domain_list want = {.max = 2};

    add_domain(0, "Domain-0");
    add_domain(1, "a");
    add_domain(7, "b");
    CU_ASSERT_EQUAL(axvmctl_domain_list(h, infos, 2, &total), 2);
    CU_ASSERT_TRUE(last_call_is(AXVM_HC_DOMAIN_LIST, &want, sizeof(want)));
    CU_ASSERT_EQUAL(last_call()->buf_size, 2 * sizeof(infos[0]));
    CU_ASSERT_EQUAL(total, 3);
    CU_ASSERT_STRING_EQUAL(infos[0].name, "Domain-0");
    CU_ASSERT_STRING_EQUAL(infos[1].name, "a");
    CU_ASSERT_EQUAL(axvmctl_domain_list(h, NULL, 0, &total), 0); /* just the count */
    CU_ASSERT_EQUAL(last_call()->buf_size, 0);
    CU_ASSERT_EQUAL(total, 3);
    CU_ASSERT_EQUAL(axvmctl_domain_list(h, NULL, 1, &total), -AXVM_EINVAL);
}

static void test_axvmctl_domain_list_asks_no_more_than_one_call_moves(void)
{
    unsigned int max = AXVM_COPY_MAX / sizeof(struct axvm_domain_info);
    struct axvm_domain_info *infos = calloc(max + 10, sizeof(*infos));
    struct axvm_domain_list sent;

    CU_ASSERT_EQUAL(axvmctl_domain_list(h, infos, max + 10, NULL), 0);
    memcpy(&sent, last_call()->arg, sizeof(sent));
    CU_ASSERT_EQUAL(sent.max, max);
    CU_ASSERT_TRUE(last_call()->buf_size <= AXVM_COPY_MAX);
    free(infos);
}

static int64_t lying_list(struct fake_transport *f, uint32_t nr, void *arg, uint32_t arg_size,
                          void *buf, uint64_t buf_size)
{
    struct axvm_domain_list *l = arg;

    (void)f, (void)nr, (void)arg_size, (void)buf, (void)buf_size;
    l->nr = l->max + 1;
    l->total = l->nr;
    return 0;
}

static void test_axvmctl_domain_list_refuses_more_entries_than_asked(void)
{
    struct axvm_domain_info infos[4];

    fake.handlers[AXVM_HC_DOMAIN_LIST] = lying_list;
    CU_ASSERT_EQUAL(axvmctl_domain_list(h, infos, 2, NULL), -AXVM_EIO);
}

static void test_axvmctl_domain_add_region_checks_the_range(void)
{
    const struct axvm_domain_region good = {.domid = 1,
                                            .map = AXVM_MAP_ALLOC,
                                            .access = AXVM_ACCESS_R | AXVM_ACCESS_W,
                                            .flags = AXVM_REGION_LAZY,
                                            .gpa = 0x100000,
                                            .size = 0x200000};
    static const struct {
        const char *what;
        struct axvm_domain_region r;
    } bad[] = {
        {"unaligned gpa", {.domid = 1, .access = 1, .gpa = 0x1001, .size = 0x1000}},
        {"unaligned size", {.domid = 1, .access = 1, .gpa = 0x1000, .size = 0x1800}},
        {"empty", {.domid = 1, .access = 1, .gpa = 0x1000, .size = 0}},
        {"wrapping", {.domid = 1, .access = 1, .gpa = 0xfffffffffffff000ull, .size = 0x2000}},
        {"unknown map", {.domid = 1, .map = 2, .access = 1, .size = 0x1000}},
        {"no access", {.domid = 1, .access = 0, .size = 0x1000}},
        {"unknown access bit", {.domid = 1, .access = 8, .size = 0x1000}},
        {"unknown flag", {.domid = 1, .access = 1, .flags = 2, .size = 0x1000}},
        {"bad domid", {.domid = AXVM_DOMID_INVALID, .access = 1, .size = 0x1000}},
    };

    add_domain(1, "one");
    CU_ASSERT_EQUAL(axvmctl_domain_add_region(h, &good), 0);
    CU_ASSERT_TRUE(last_call_is(AXVM_HC_DOMAIN_ADD_REGION, &good, sizeof(good)));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        UNIT_CHECK(axvmctl_domain_add_region(h, &bad[i].r) == -AXVM_EINVAL, "%s", bad[i].what);
    }
    CU_ASSERT_EQUAL(axvmctl_domain_add_region(h, NULL), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(fake.nr_calls, 1);
}

static void add_ram(uint16_t domid, uint64_t size)
{
    struct axvm_domain_region r = {.domid = domid, .access = 7, .size = size};

    if (axvmctl_domain_add_region(h, &r) != 0) {
        abort();
    }
}

static void test_axvmctl_domain_copy_cuts_at_copy_max(void)
{
    size_t len = 2 * AXVM_COPY_MAX + 100;
    uint8_t *data = malloc(len), *back = malloc(len);
    struct axvm_domain_copy c;

    for (size_t i = 0; i < len; i++) {
        data[i] = (uint8_t)(i * 31 + 7);
    }
    add_domain(1, "one");
    add_ram(1, 0x100000);
    fake_transport_clear_calls(&fake);
    CU_ASSERT_EQUAL(axvmctl_domain_copy(h, 1, 0x1234, data, len), 0);
    CU_ASSERT_EQUAL(fake.nr_calls, 3);
    for (unsigned int i = 0; i < fake.nr_calls && i < 3; i++) {
        memcpy(&c, fake.calls[i].arg, sizeof(c));
        UNIT_CHECK(fake.calls[i].nr == AXVM_HC_DOMAIN_COPY && c.domid == 1 &&
                       c.gpa == 0x1234 + (uint64_t)i * AXVM_COPY_MAX && c.pad[0] == 0,
                   "piece %u at 0x%llx", i, (unsigned long long)c.gpa);
        UNIT_CHECK(fake.calls[i].buf_size == (i < 2 ? AXVM_COPY_MAX : 100u), "piece %u size", i);
    }
    CU_ASSERT_EQUAL(fake_transport_read_guest(&fake, 1, 0x1234, back, len), len);
    CU_ASSERT_EQUAL(memcmp(back, data, len), 0);
    free(data);
    free(back);
}

static void test_axvmctl_domain_copy_stops_at_the_first_failure(void)
{
    uint8_t *data = calloc(1, 3 * AXVM_COPY_MAX);

    add_domain(1, "one");
    add_ram(1, 0x100000);
    fake_transport_clear_calls(&fake);
    fake_transport_fail_nr(&fake, AXVM_HC_DOMAIN_COPY, 2, -AXVM_EFAULT);
    CU_ASSERT_EQUAL(axvmctl_domain_copy(h, 1, 0, data, 3 * AXVM_COPY_MAX), -AXVM_EFAULT);
    CU_ASSERT_EQUAL(fake.nr_calls, 2);
    CU_ASSERT_EQUAL(axvmctl_domain_copy(h, 1, 0, data, 0), 0); /* nothing to do: no call */
    CU_ASSERT_EQUAL(axvmctl_domain_copy(h, 1, 0, NULL, 1), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_domain_copy(h, 1, UINT64_MAX, data, 2), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_domain_copy(h, AXVM_DOMID_INVALID, 0, data, 1), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(fake.nr_calls, 2);
    free(data);
}

static void test_axvmctl_domain_add_device_checks_type_and_space(void)
{
    const struct axvm_domain_device good = {
        .domid = 1, .type = AXVM_DEV_UART16550, .space = AXVM_SPACE_PIO, .irq = 4, .base = 0x3f8};
    struct axvm_domain_device bad = good;

    add_domain(1, "one");
    CU_ASSERT_EQUAL(axvmctl_domain_add_device(h, &good), 0);
    CU_ASSERT_TRUE(last_call_is(AXVM_HC_DOMAIN_ADD_DEVICE, &good, sizeof(good)));
    bad.type = 0;
    CU_ASSERT_EQUAL(axvmctl_domain_add_device(h, &bad), -AXVM_EINVAL);
    bad.type = AXVM_DEV_PL011 + 1;
    CU_ASSERT_EQUAL(axvmctl_domain_add_device(h, &bad), -AXVM_EINVAL);
    bad = good;
    bad.space = 2;
    CU_ASSERT_EQUAL(axvmctl_domain_add_device(h, &bad), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_domain_add_device(h, NULL), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(fake.nr_calls, 1);
}

static void test_axvmctl_domain_passthrough_checks_the_range(void)
{
    struct axvm_domain_passthrough pt = {.domid = 1, .kind = AXVM_PT_PIO, .base = 0x2f8, .size = 8};
    const struct axvm_domain_passthrough want = pt;

    add_domain(1, "one");
    memset(pt.pad, 0x77, sizeof(pt.pad));
    CU_ASSERT_EQUAL(axvmctl_domain_passthrough(h, &pt), 0);
    CU_ASSERT_TRUE(last_call_is(AXVM_HC_DOMAIN_PASSTHROUGH, &want, sizeof(want)));
    pt = want;
    pt.kind = AXVM_PT_IRQ + 1;
    CU_ASSERT_EQUAL(axvmctl_domain_passthrough(h, &pt), -AXVM_EINVAL);
    pt = (struct axvm_domain_passthrough){.domid = 1, .kind = AXVM_PT_IRQ, .base = 3, .size = 2};
    CU_ASSERT_EQUAL(axvmctl_domain_passthrough(h, &pt), -AXVM_EINVAL);
    pt = (struct axvm_domain_passthrough){.domid = 1, .kind = AXVM_PT_MMIO, .size = 0};
    CU_ASSERT_EQUAL(axvmctl_domain_passthrough(h, &pt), -AXVM_EINVAL);
    pt.base = UINT64_MAX;
    pt.size = 2;
    CU_ASSERT_EQUAL(axvmctl_domain_passthrough(h, &pt), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(fake.nr_calls, 1);
}

static void test_axvmctl_vcpu_set_context_checks_the_mode(void)
{
    struct axvm_vcpu_context ctx = {.domid = 1,
                                    .mode = AXVM_VCPU_X86_PROTECTED32,
                                    .entry = 0x100000,
                                    .regs = {0x2badb002, 0x9000}};

    add_domain(1, "one");
    CU_ASSERT_EQUAL(axvmctl_vcpu_set_context(h, &ctx), 0);
    CU_ASSERT_TRUE(last_call_is(AXVM_HC_VCPU_SET_CONTEXT, &ctx, sizeof(ctx)));
    ctx.mode = 0;
    CU_ASSERT_EQUAL(axvmctl_vcpu_set_context(h, &ctx), -AXVM_EINVAL);
    ctx.mode = 3;
    CU_ASSERT_EQUAL(axvmctl_vcpu_set_context(h, &ctx), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_vcpu_set_context(h, NULL), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(fake.nr_calls, 1);
}

/* "line 0000\n" ... : 10 bytes per line, so positions are easy to check. */
static char *console_text(unsigned int lines)
{
    char *text = malloc((size_t)lines * 10 + 1);

    for (unsigned int i = 0; i < lines; i++) {
        snprintf(text + (size_t)i * 10, 11, "line %04u\n", i);
    }
    return text;
}

static void test_axvmctl_console_read_reports_lost_bytes(void)
{
    char *text = console_text(2000); /* 20000 bytes; the ring keeps 16384 */
    char buf[100];
    uint64_t pos = 0, lost = 99;
    struct axvm_console_read want = {.domid = 1, .pos = 0};

    add_domain(1, "one");
    fake.domains[1].console = text;
    CU_ASSERT_EQUAL(axvmctl_console_read(h, 1, &pos, buf, sizeof(buf), &lost), 100);
    CU_ASSERT_TRUE(last_call_is(AXVM_HC_CONSOLE_READ, &want, sizeof(want)));
    CU_ASSERT_EQUAL(lost, 20000 - FAKE_RING_SIZE);
    CU_ASSERT_EQUAL(pos, 20000 - FAKE_RING_SIZE + 100);
    CU_ASSERT_EQUAL(memcmp(buf, text + 20000 - FAKE_RING_SIZE, 100), 0);
    CU_ASSERT_EQUAL(axvmctl_console_read(h, 1, &pos, buf, sizeof(buf), &lost), 100);
    CU_ASSERT_EQUAL(lost, 0);
    CU_ASSERT_EQUAL(memcmp(buf, text + 20000 - FAKE_RING_SIZE + 100, 100), 0);
    pos = 19990;
    CU_ASSERT_EQUAL(axvmctl_console_read(h, 1, &pos, buf, sizeof(buf), NULL), 10);
    CU_ASSERT_EQUAL(memcmp(buf, "line 1999\n", 10), 0);
    CU_ASSERT_EQUAL(axvmctl_console_read(h, 1, &pos, buf, sizeof(buf), &lost), 0);
    CU_ASSERT_EQUAL(pos, 20000);
    free(text);
}

static void test_axvmctl_console_read_refuses_bad_arguments(void)
{
    char buf[8];
    uint64_t pos = 0;

    add_domain(1, "one");
    CU_ASSERT_EQUAL(axvmctl_console_read(h, 1, NULL, buf, sizeof(buf), NULL), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_console_read(h, 1, &pos, NULL, 1, NULL), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_console_read(h, AXVM_DOMID_INVALID, &pos, buf, 1, NULL), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_console_read(h, 2, &pos, buf, sizeof(buf), NULL), -AXVM_ENOENT);
    CU_ASSERT_EQUAL(fake.nr_calls, 1);
}

static void test_axvmctl_console_input_sends_the_bytes_and_returns_what_was_taken(void)
{
    static char big[AXVM_CONSOLE_INPUT_MAX + 10];
    struct axvm_console_input want = {.domid = 1, .size = 3};
    const struct fake_call *c;

    add_domain(1, "one");
    CU_ASSERT_EQUAL(axvmctl_console_input(h, 1, "ls\r", 3), -AXVM_ENODEV); /* no device */
    fake.domains[1].input_room = 5;
    CU_ASSERT_EQUAL(axvmctl_console_input(h, 1, "ls\r", 3), 3);
    CU_ASSERT_TRUE(last_call_is(AXVM_HC_CONSOLE_INPUT, &want, sizeof(want)));
    c = last_call();
    CU_ASSERT(c->buf_size == 3 && memcmp(c->buf, "ls\r", 3) == 0);
    CU_ASSERT_EQUAL(axvmctl_console_input(h, 1, "abc", 3), 2); /* its buffer is full then */
    CU_ASSERT_EQUAL(axvmctl_console_input(h, 1, "d", 1), 0);
    CU_ASSERT(fake.domains[1].nr_input == 5 && memcmp(fake.domains[1].input, "ls\rab", 5) == 0);
    fake.domains[1].input_room = sizeof(fake.domains[1].input);
    CU_ASSERT_EQUAL(axvmctl_console_input(h, 1, big, sizeof(big)),
                    sizeof(fake.domains[1].input) - 5);
    CU_ASSERT_EQUAL(last_call()->buf_size, AXVM_CONSOLE_INPUT_MAX); /* one call's worth */
    CU_ASSERT_EQUAL(axvmctl_console_input(h, 1, NULL, 0), 0);
}

static void test_axvmctl_console_input_refuses_bad_arguments(void)
{
    unsigned int nr_calls;

    add_domain(1, "one");
    nr_calls = fake.nr_calls;
    CU_ASSERT_EQUAL(axvmctl_console_input(NULL, 1, "a", 1), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_console_input(h, AXVM_DOMID_INVALID, "a", 1), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_console_input(h, 1, NULL, 1), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(fake.nr_calls, nr_calls);
    CU_ASSERT_EQUAL(axvmctl_console_input(h, 2, "a", 1), -AXVM_ENOENT);
}

static int64_t greedy_input(struct fake_transport *f, uint32_t nr, void *arg, uint32_t arg_size,
                            void *buf, uint64_t buf_size)
{
    (void)f, (void)nr, (void)arg, (void)arg_size, (void)buf;
    return (int64_t)buf_size + 1;
}

static void test_axvmctl_console_input_refuses_taking_more_than_given(void)
{
    fake.handlers[AXVM_HC_CONSOLE_INPUT] = greedy_input;
    CU_ASSERT_EQUAL(axvmctl_console_input(h, 1, "abc", 3), -AXVM_EIO);
}

static int64_t ring_answer;
static uint64_t ring_pos, ring_nr;

static int64_t scripted_ring(struct fake_transport *f, uint32_t nr, void *arg, uint32_t arg_size,
                             void *buf, uint64_t buf_size)
{
    struct axvm_console_read *r = arg;

    (void)f, (void)nr, (void)arg_size, (void)buf, (void)buf_size;
    r->pos = ring_pos;
    r->nr = ring_nr;
    return ring_answer;
}

static void test_axvmctl_ring_read_refuses_contradicting_answers(void)
{
    static const struct {
        const char *what;
        uint64_t pos, nr;
    } cases[] = {
        {"more bytes than the buffer holds", 1000 + 9, 9},
        {"bytes from before the position asked for", 1000 + 4, 5},
        {"a position before the bytes", 3, 5},
    };
    char buf[8];

    fake.handlers[AXVM_HC_LOG_READ] = scripted_ring;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t pos = 1000;

        ring_pos = cases[i].pos;
        ring_nr = cases[i].nr;
        ring_answer = 0;
        UNIT_CHECK(axvmctl_log_read(h, &pos, buf, sizeof(buf), NULL) == -AXVM_EIO, "%s",
                   cases[i].what);
        UNIT_CHECK(pos == 1000, "%s: the position stays", cases[i].what);
    }
}

static void test_axvmctl_log_read_reads_the_hypervisor_log(void)
{
    char buf[64] = "";
    uint64_t pos = 0, lost = 1;
    struct axvm_console_read want = {.domid = 0, .pos = 0};

    fake.log = "(axvm) [cpu0] vm: d1 (hello) exited, code 0\n";
    CU_ASSERT_EQUAL(axvmctl_log_read(h, &pos, buf, sizeof(buf) - 1, &lost), (int)strlen(fake.log));
    CU_ASSERT_TRUE(last_call_is(AXVM_HC_LOG_READ, &want, sizeof(want)));
    CU_ASSERT_STRING_EQUAL(buf, fake.log);
    CU_ASSERT_EQUAL(lost, 0);
    CU_ASSERT_EQUAL(pos, strlen(fake.log));
}

static void test_axvmctl_domain_lookup_finds_by_name(void)
{
    add_domain(0, "Domain-0");
    add_domain(3, "web");
    add_domain(9, "db");
    CU_ASSERT_EQUAL(axvmctl_domain_lookup(h, "db"), 9);
    CU_ASSERT_EQUAL(axvmctl_domain_lookup(h, "Domain-0"), 0);
    CU_ASSERT_EQUAL(axvmctl_domain_lookup(h, "we"), -AXVM_ENOENT);
    CU_ASSERT_EQUAL(axvmctl_domain_lookup(h, "webserver"), -AXVM_ENOENT);
    CU_ASSERT_EQUAL(fake_transport_count(&fake, AXVM_HC_DOMAIN_LIST), 4);
    CU_ASSERT_EQUAL(axvmctl_domain_lookup(h, ""), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_domain_lookup(h, NULL), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_domain_lookup(h, "0123456789abcdef0123456789abcdef"), -AXVM_EINVAL);
    fake_transport_fail_nr(&fake, AXVM_HC_DOMAIN_LIST, 0, -AXVM_EPERM);
    CU_ASSERT_EQUAL(axvmctl_domain_lookup(h, "db"), -AXVM_EPERM);
    CU_ASSERT_EQUAL(fake_transport_count(&fake, AXVM_HC_DOMAIN_LIST), 5);
}

static void test_axvmctl_results_outside_the_error_list_become_eio(void)
{
    uint32_t version;

    fake_transport_fail_nr(&fake, AXVM_HC_ABI_VERSION, 1, -100000);
    CU_ASSERT_EQUAL(axvmctl_abi_version(h, &version), -AXVM_EIO);
    fake_transport_fail_nr(&fake, AXVM_HC_ABI_VERSION, 2, -AXVM_EBUSY);
    CU_ASSERT_EQUAL(axvmctl_abi_version(h, &version), -AXVM_EBUSY);
}

static CU_TestInfo axvmctl_tests[] = {
    UNIT_TEST(test_axvmctl_open_transport_rejects_null),
    UNIT_TEST(test_axvmctl_close_closes_the_transport),
    UNIT_TEST(test_axvmctl_strerror_follows_the_errno_list),
    UNIT_TEST(test_axvmctl_abi_version_returns_the_version),
    UNIT_TEST(test_axvmctl_physinfo_fills_the_struct),
    UNIT_TEST(test_axvmctl_domain_create_sends_a_clean_struct),
    UNIT_TEST(test_axvmctl_domain_create_refuses_bad_arguments),
    UNIT_TEST(test_axvmctl_domain_create_fails_on_a_nameless_answer),
    UNIT_TEST(test_axvmctl_domain_ref_calls_carry_the_domid),
    UNIT_TEST(test_axvmctl_domain_shutdown_checks_the_reason),
    UNIT_TEST(test_axvmctl_domain_getinfo_asks_by_domid),
    UNIT_TEST(test_axvmctl_domain_list_fills_and_counts),
    UNIT_TEST(test_axvmctl_domain_list_asks_no_more_than_one_call_moves),
    UNIT_TEST(test_axvmctl_domain_list_refuses_more_entries_than_asked),
    UNIT_TEST(test_axvmctl_domain_add_region_checks_the_range),
    UNIT_TEST(test_axvmctl_domain_copy_cuts_at_copy_max),
    UNIT_TEST(test_axvmctl_domain_copy_stops_at_the_first_failure),
    UNIT_TEST(test_axvmctl_domain_add_device_checks_type_and_space),
    UNIT_TEST(test_axvmctl_domain_passthrough_checks_the_range),
    UNIT_TEST(test_axvmctl_vcpu_set_context_checks_the_mode),
    UNIT_TEST(test_axvmctl_console_read_reports_lost_bytes),
    UNIT_TEST(test_axvmctl_console_read_refuses_bad_arguments),
    UNIT_TEST(test_axvmctl_ring_read_refuses_contradicting_answers),
    UNIT_TEST(test_axvmctl_console_input_sends_the_bytes_and_returns_what_was_taken),
    UNIT_TEST(test_axvmctl_console_input_refuses_bad_arguments),
    UNIT_TEST(test_axvmctl_console_input_refuses_taking_more_than_given),
    UNIT_TEST(test_axvmctl_log_read_reads_the_hypervisor_log),
    UNIT_TEST(test_axvmctl_domain_lookup_finds_by_name),
    UNIT_TEST(test_axvmctl_results_outside_the_error_list_become_eio),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_axvmctl = {"axvmctl", NULL, NULL, setup, teardown, axvmctl_tests};
UNIT_REGISTER_SUITE(unit_suite_axvmctl);
