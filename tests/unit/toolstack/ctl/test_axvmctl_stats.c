/* SPDX-License-Identifier: MIT */
/*
 * CUnit suite "axvmctl_stats": ABI 0.4's calls in libaxvmctl against the fake transport:
 * SYSCTL_STATS (the request, the buffer grown as total_* say and kept within AXVM_COPY_MAX,
 * answers that contradict themselves refused), SCHED_CREDIT and VCPU_PIN (arguments refused
 * before any call, padding zeroed); and the helpers over answers: exit-reason names, CPU lists,
 * and the rates between two samples (CPU %, exits/s, pCPU busy %), with counters that went
 * backwards and domains that appeared or went away in between.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unit.h>
#include "ctl/axvmctl.h"
#include "../fake_transport.h"

#define NS_PER_S 1000000000ull

static struct fake_transport fake;
static struct axvmctl *h;
static struct axvmctl_stats stats, old;

static void setup(void)
{
    fake_transport_init(&fake);
    fake.has_stats = true;
    if (axvmctl_open_transport(&fake.transport, &h) != 0) {
        abort();
    }
    memset(&stats, 0, sizeof(stats));
    memset(&old, 0, sizeof(old));
}

static void teardown(void)
{
    axvmctl_stats_free(&stats);
    axvmctl_stats_free(&old);
    axvmctl_close(h);
    h = NULL;
    fake_transport_fini(&fake);
}

static struct fake_domain *add_domain(uint16_t domid, const char *name, uint16_t nr_vcpus)
{
    struct axvm_domain_info info = {.domid = domid, .nr_vcpus = nr_vcpus};

    info.state = AXVM_STATE_RUNNING;
    snprintf(info.name, sizeof(info.name), "%s", name);
    fake_transport_add_domain(&fake, &info);
    return &fake.domains[domid];
}

static const struct fake_call *last_call(void)
{
    return fake.nr_calls ? &fake.calls[fake.nr_calls - 1] : NULL;
}

static struct axvm_sysctl_stats request_of(const struct fake_call *c)
{
    struct axvm_sysctl_stats r;

    memcpy(&r, c->arg, sizeof(r));
    return r;
}

static uint64_t buffer_for(const struct axvm_sysctl_stats *r)
{
    return r->max_domains * sizeof(struct axvm_domain_stats) +
           r->max_vcpus * sizeof(struct axvm_vcpu_stats) +
           r->max_pcpus * sizeof(struct axvm_pcpu_stats);
}

static void test_axvmctl_sysctl_stats_refuses_bad_arguments(void)
{
    CU_ASSERT_EQUAL(axvmctl_sysctl_stats(NULL, &stats), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_sysctl_stats(h, NULL), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(fake.nr_calls, 0);
    axvmctl_stats_free(NULL); /* harmless */
}

static void test_axvmctl_sysctl_stats_sends_a_clean_request(void)
{
    const struct fake_call *c;
    struct axvm_sysctl_stats r;

    add_domain(0, "Domain-0", 2);
    CU_ASSERT_EQUAL(axvmctl_sysctl_stats(h, &stats), 1 + 2 + 4);
    CU_ASSERT_EQUAL(fake.nr_calls, 1);
    c = last_call();
    CU_ASSERT_EQUAL(c->nr, AXVM_HC_SYSCTL_STATS);
    CU_ASSERT_EQUAL(c->arg_size, sizeof(struct axvm_sysctl_stats));
    r = request_of(c);
    CU_ASSERT_EQUAL(r.max_pcpus, AXVMCTL_MAX_PCPUS);
    CU_ASSERT(r.max_domains > 0 && r.max_vcpus > 0);
    /* Outputs and padding go as zeroes; the buffer is exactly what max_* say. */
    CU_ASSERT(r.sched == 0 && r.nr_domains == 0 && r.nr_vcpus == 0 && r.nr_pcpus == 0);
    CU_ASSERT(r.total_domains == 0 && r.total_vcpus == 0 && r.total_pcpus == 0 && r.now_ns == 0);
    CU_ASSERT_EQUAL(c->buf_size, buffer_for(&r));
    CU_ASSERT(c->buf_size <= AXVM_COPY_MAX);
}

static void test_axvmctl_sysctl_stats_returns_every_record(void)
{
    struct fake_domain *d;

    fake.now_ns = 5 * NS_PER_S;
    fake.sched = AXVM_SCHED_RR;
    add_domain(0, "Domain-0", 2)->info.cpu_time_ns = 7;
    d = add_domain(3, "web", 3);
    d->weight = 512, d->cap = 50, d->pages = 4100, d->nr_hypercalls = 9;
    d->info.mem_kib = 16384, d->info.created_ns = NS_PER_S;
    d->vcpus[2] = (struct axvm_vcpu_stats){.state = AXVM_VCPU_RUNNING, .pcpu = 1, .affinity = 2};
    d->vcpus[2].exits[AXVM_EXIT_IO] = 77;
    fake.pcpus[3].idle_ns = 123;
    CU_ASSERT_EQUAL(axvmctl_sysctl_stats(h, &stats), 2 + 5 + 4);
    CU_ASSERT_EQUAL(stats.head.nr_domains, 2);
    CU_ASSERT_EQUAL(stats.head.total_domains, 2);
    CU_ASSERT_EQUAL(stats.head.sched, AXVM_SCHED_RR);
    CU_ASSERT_EQUAL(stats.head.now_ns, 5 * NS_PER_S);
    CU_ASSERT_EQUAL(stats.head.total_kib, fake.physinfo.total_kib);
    CU_ASSERT_STRING_EQUAL(stats.domains[1].name, "web");
    CU_ASSERT_EQUAL(stats.domains[1].weight, 512);
    CU_ASSERT_EQUAL(stats.domains[1].cap, 50);
    CU_ASSERT_EQUAL(stats.domains[1].pages, 4100);
    CU_ASSERT_EQUAL(stats.domains[0].weight, AXVM_WEIGHT_DEFAULT);
    CU_ASSERT_EQUAL(stats.domains[0].flags, AXVM_STATS_DOMAIN_FLAG_PRIVILEGED);
    CU_ASSERT_EQUAL(axvmctl_stats_find_domain(&stats, 3), 1);
    CU_ASSERT_EQUAL(axvmctl_stats_find_domain(&stats, 1), -1);
    CU_ASSERT_PTR_EQUAL(axvmctl_stats_vcpus(&stats, 1), &stats.vcpus[2]);
    CU_ASSERT_PTR_NULL(axvmctl_stats_vcpus(&stats, 2));
    CU_ASSERT_EQUAL(stats.vcpus[4].domid, 3);
    CU_ASSERT_EQUAL(stats.vcpus[4].vcpu, 2);
    CU_ASSERT_EQUAL(stats.vcpus[4].exits[AXVM_EXIT_IO], 77);
    CU_ASSERT_EQUAL(stats.pcpus[3].cpu, 3);
    CU_ASSERT_EQUAL(stats.pcpus[3].idle_ns, 123);
}

/* 16 domains of 16 vCPUs: more than a first call's guess, so the buffer grows once. */
static void test_axvmctl_sysctl_stats_grows_its_buffer(void)
{
    struct axvm_sysctl_stats first, second;
    char name[16];

    for (uint16_t i = 0; i < FAKE_MAX_DOMAINS; i++) {
        snprintf(name, sizeof(name), "d%u", i);
        add_domain(i, name, FAKE_MAX_VCPUS);
    }
    CU_ASSERT_EQUAL(axvmctl_sysctl_stats(h, &stats), 16 + 256 + 4);
    CU_ASSERT_EQUAL(fake.nr_calls, 2);
    first = request_of(&fake.calls[0]);
    second = request_of(&fake.calls[1]);
    CU_ASSERT(first.max_vcpus < 256 && second.max_vcpus >= 256 && second.max_domains >= 16);
    CU_ASSERT(fake.calls[1].buf_size <= AXVM_COPY_MAX);
    CU_ASSERT_EQUAL(stats.vcpus[255].domid, 15);
    /* The next call asks for as much at once. */
    fake_transport_clear_calls(&fake);
    CU_ASSERT_EQUAL(axvmctl_sysctl_stats(h, &stats), 16 + 256 + 4);
    CU_ASSERT_EQUAL(fake.nr_calls, 1);
}

/* A host with more than one call moves: each call within AXVM_COPY_MAX, three at most. */
static int64_t huge_host(struct fake_transport *f, uint32_t nr, void *arg, uint32_t arg_size,
                         void *buf, uint64_t buf_size)
{
    struct axvm_sysctl_stats *r = arg;
    struct axvm_domain_stats *d = buf;
    struct axvm_vcpu_stats *v = (void *)(d + r->max_domains);

    (void)f, (void)nr, (void)arg_size;
    if (buf_size > AXVM_COPY_MAX || buf_size < buffer_for(r)) {
        return -AXVM_EINVAL;
    }
    r->total_domains = 5000;
    r->total_vcpus = 20000;
    r->nr_domains = r->max_vcpus / 4 < r->max_domains ? r->max_vcpus / 4 : r->max_domains;
    r->nr_vcpus = 4 * r->nr_domains;
    for (uint32_t i = 0; i < r->nr_domains; i++) {
        d[i].domid = (uint16_t)i;
        d[i].nr_vcpus = 4;
        for (uint16_t k = 0; k < 4; k++) {
            v[4 * i + k].domid = (uint16_t)i;
            v[4 * i + k].vcpu = k;
        }
    }
    r->nr_pcpus = 0;
    return 0;
}

static void test_axvmctl_sysctl_stats_stays_within_what_one_call_moves(void)
{
    int n;

    fake.handlers[AXVM_HC_SYSCTL_STATS] = huge_host;
    n = axvmctl_sysctl_stats(h, &stats);
    CU_ASSERT(n > 0);
    CU_ASSERT(fake.nr_calls >= 2 && fake.nr_calls <= 3);
    for (unsigned int i = 0; i < fake.nr_calls; i++) {
        UNIT_CHECK(fake.calls[i].buf_size <= AXVM_COPY_MAX, "call %u: %llu bytes", i,
                   (unsigned long long)fake.calls[i].buf_size);
        UNIT_CHECK(fake.calls[i].result == 0, "call %u refused", i);
    }
    CU_ASSERT_EQUAL(stats.head.total_domains, 5000);
    CU_ASSERT(stats.head.nr_domains > 50 && stats.head.nr_domains < 5000);
    CU_ASSERT_EQUAL(n, (int)(stats.head.nr_domains * 5));
}

/* Answers that contradict themselves, one way each (handler_ctx says which). */
static int64_t bad_answer(struct fake_transport *f, uint32_t nr, void *arg, uint32_t arg_size,
                          void *buf, uint64_t buf_size)
{
    struct axvm_sysctl_stats *r = arg;
    struct axvm_domain_stats *d = buf;
    struct axvm_vcpu_stats *v = (void *)(d + r->max_domains);
    int64_t rc = fake_transport_model(f, nr, arg, arg_size, buf, buf_size);

    switch ((uintptr_t)f->handler_ctx) {
    case 0:
        r->nr_domains = r->max_domains + 1;
        break;
    case 1:
        r->total_domains = r->nr_domains - 1;
        break;
    case 2:
        v[1].domid = 7; /* domain 0's second vCPU said to be another domain's */
        break;
    case 3:
        v[1].vcpu = 5;
        break;
    case 4:
        r->nr_vcpus--; /* a domain's vCPUs missing */
        break;
    case 5:
        d[1].domid = 0; /* domids out of order */
        break;
    case 6:
        r->nr_pcpus = r->max_pcpus + 1;
        break;
    default:
        r->nr_vcpus++; /* a vCPU of no domain */
        r->total_vcpus++;
        break;
    }
    return rc;
}

static void test_axvmctl_sysctl_stats_refuses_contradicting_answers(void)
{
    add_domain(0, "Domain-0", 2);
    add_domain(1, "web", 1);
    fake.handlers[AXVM_HC_SYSCTL_STATS] = bad_answer;
    for (uintptr_t how = 0; how < 8; how++) {
        fake.handler_ctx = (void *)how;
        UNIT_CHECK(axvmctl_sysctl_stats(h, &stats) == -AXVM_EIO, "contradiction %u accepted",
                   (unsigned int)how);
        UNIT_CHECK(stats.head.nr_domains == 0 && stats.domains == NULL, "contradiction %u kept",
                   (unsigned int)how);
    }
}

static void test_axvmctl_sysctl_stats_passes_errors_on(void)
{
    fake.has_stats = false; /* a hypervisor before ABI 0.4 */
    CU_ASSERT_EQUAL(axvmctl_sysctl_stats(h, &stats), -AXVM_ENOSYS);
    CU_ASSERT_EQUAL(stats.head.nr_domains, 0);
    fake.has_stats = true;
    fake_transport_fail_nr(&fake, AXVM_HC_SYSCTL_STATS, 0, -AXVM_EPERM);
    CU_ASSERT_EQUAL(axvmctl_sysctl_stats(h, &stats), -AXVM_EPERM);
}

static struct axvm_sched_credit credit_of(const struct fake_call *c)
{
    struct axvm_sched_credit r;

    memcpy(&r, c->arg, sizeof(r));
    return r;
}

static void test_axvmctl_sched_credit_get_reads_the_values(void)
{
    struct axvm_sched_credit c, sent;

    add_domain(2, "web", 2)->cap = 150;
    memset(&c, 0xee, sizeof(c));
    CU_ASSERT_EQUAL(axvmctl_sched_credit_get(h, 2, &c), 0);
    CU_ASSERT(c.domid == 2 && c.flags == 0 && c.weight == 256 && c.cap == 150 && c.pad == 0);
    sent = credit_of(last_call());
    CU_ASSERT(last_call()->arg_size == sizeof(sent) && sent.domid == 2 && sent.flags == 0 &&
              sent.weight == 0 && sent.cap == 0 && sent.pad == 0);
    CU_ASSERT_EQUAL(axvmctl_sched_credit_get(h, 3, &c), -AXVM_ENOENT);
    CU_ASSERT_EQUAL(fake.nr_calls, 2);
    CU_ASSERT_EQUAL(axvmctl_sched_credit_get(NULL, 2, &c), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_sched_credit_get(h, 2, NULL), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_sched_credit_get(h, AXVM_DOMID_INVALID, &c), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(fake.nr_calls, 2);
}

static void test_axvmctl_sched_credit_set_sends_only_the_request(void)
{
    struct axvm_sched_credit c, sent;

    add_domain(2, "web", 2);
    memset(&c, 0xee, sizeof(c)); /* garbage in what is not set and in the padding */
    c.domid = 2;
    c.flags = AXVM_SCHED_SET_WEIGHT;
    c.weight = 512;
    CU_ASSERT_EQUAL(axvmctl_sched_credit_set(h, &c), 0);
    sent = credit_of(last_call());
    CU_ASSERT(sent.domid == 2 && sent.flags == AXVM_SCHED_SET_WEIGHT && sent.weight == 512 &&
              sent.cap == 0 && sent.pad == 0);
    CU_ASSERT(c.weight == 512 && c.cap == 0 && c.pad == 0); /* the values in effect */
    c.flags = AXVM_SCHED_SET_CAP;
    c.cap = 200;
    c.weight = 0; /* not set: may be anything */
    CU_ASSERT_EQUAL(axvmctl_sched_credit_set(h, &c), 0);
    CU_ASSERT(c.weight == 512 && c.cap == 200);
    CU_ASSERT(fake.domains[2].weight == 512 && fake.domains[2].cap == 200);
    c.cap = 201; /* more than 2 vCPUs can use: the hypervisor says no */
    CU_ASSERT_EQUAL(axvmctl_sched_credit_set(h, &c), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(fake.nr_calls, 3);
    fake.sched = AXVM_SCHED_RR;
    c.cap = 10;
    CU_ASSERT_EQUAL(axvmctl_sched_credit_set(h, &c), -AXVM_EOPNOTSUPP);
}

static void test_axvmctl_sched_credit_set_refuses_bad_requests(void)
{
    static const struct {
        uint16_t domid, flags;
        uint32_t weight;
    } bad[] = {
        {AXVM_DOMID_INVALID, AXVM_SCHED_SET_WEIGHT, 256},
        {2, 0, 256},
        {2, 4, 256},
        {2, AXVM_SCHED_SET_WEIGHT | 0x100, 256},
        {2, AXVM_SCHED_SET_WEIGHT, 0},
        {2, AXVM_SCHED_SET_WEIGHT, 65536},
    };

    add_domain(2, "web", 2);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct axvm_sched_credit c = {.domid = bad[i].domid, .flags = bad[i].flags};

        c.weight = bad[i].weight;
        UNIT_CHECK(axvmctl_sched_credit_set(h, &c) == -AXVM_EINVAL, "case %zu accepted", i);
    }
    CU_ASSERT_EQUAL(axvmctl_sched_credit_set(h, NULL), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(fake.nr_calls, 0);
}

static void test_axvmctl_vcpu_pin_sends_the_mask(void)
{
    const struct axvm_vcpu_pin want = {.domid = 2, .vcpu = 1, .cpumask = 0x5};
    const struct axvm_vcpu_pin all = {.domid = 2, .vcpu = AXVM_VCPU_ALL, .cpumask = 0x2};

    add_domain(2, "web", 2);
    CU_ASSERT_EQUAL(axvmctl_vcpu_pin(h, 2, 1, 0x5), 0);
    CU_ASSERT(last_call()->nr == AXVM_HC_VCPU_PIN && last_call()->arg_size == sizeof(want) &&
              memcmp(last_call()->arg, &want, sizeof(want)) == 0);
    CU_ASSERT_EQUAL(fake.domains[2].vcpus[1].affinity, 0x5);
    CU_ASSERT_EQUAL(axvmctl_vcpu_pin(h, 2, AXVM_VCPU_ALL, 0x2), 0);
    CU_ASSERT(memcmp(last_call()->arg, &all, sizeof(all)) == 0);
    CU_ASSERT(fake.domains[2].vcpus[0].affinity == 2 && fake.domains[2].vcpus[1].affinity == 2);
    CU_ASSERT_EQUAL(axvmctl_vcpu_pin(h, 2, 2, 0x1), -AXVM_EINVAL);  /* no vCPU 2 */
    CU_ASSERT_EQUAL(axvmctl_vcpu_pin(h, 2, 0, 0x30), -AXVM_EINVAL); /* no online CPU */
    CU_ASSERT_EQUAL(fake.nr_calls, 4);
    CU_ASSERT_EQUAL(axvmctl_vcpu_pin(h, 2, 0, 0), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_vcpu_pin(h, AXVM_DOMID_INVALID, 0, 1), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_vcpu_pin(NULL, 2, 0, 1), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(fake.nr_calls, 4);
    fake.has_stats = false;
    CU_ASSERT_EQUAL(axvmctl_vcpu_pin(h, 2, 0, 1), -AXVM_ENOSYS);
}

static void test_axvmctl_stats_names_exit_reasons(void)
{
    static const char *const names[] = {
        "other", "mmio", "io",         "npf",       "hypercall", "halt",   "intr",
        "cpuid", "msr",  "irq-window", "exception", "shutdown",  "cpu-up", "firmware",
    };
    char buf[AXVMCTL_EXIT_NAME_MAX];

    for (unsigned int r = 0; r < sizeof(names) / sizeof(names[0]); r++) {
        UNIT_CHECK(strcmp(axvmctl_stats_exit_name(r, buf), names[r]) == 0, "reason %u is '%s'", r,
                   axvmctl_stats_exit_name(r, buf));
    }
    CU_ASSERT_STRING_EQUAL(axvmctl_stats_exit_name(14, buf), "exit-14");
    CU_ASSERT_STRING_EQUAL(axvmctl_stats_exit_name(AXVM_EXIT_NR - 1, buf), "exit-15");
    CU_ASSERT_STRING_EQUAL(axvmctl_stats_exit_name(4000000000u, buf), "exit-4000000000");
    CU_ASSERT_STRING_EQUAL(axvmctl_stats_sched_name(AXVM_SCHED_CREDIT), "credit");
    CU_ASSERT_STRING_EQUAL(axvmctl_stats_sched_name(AXVM_SCHED_RR), "rr");
    CU_ASSERT_STRING_EQUAL(axvmctl_stats_sched_name(0), "unknown");
}

static void test_axvmctl_cpus_parse_reads_cpu_lists(void)
{
    static const struct {
        const char *s;
        int rc;
        uint64_t mask;
    } cases[] = {
        {"1", 0, 0x2},
        {"0-1", 0, 0x3},
        {"0,2", 0, 0x5},
        {"all", 0, ~0ull},
        {"0-3,^2", 0, 0xb},
        {"63", 0, 1ull << 63},
        {"0-63", 0, ~0ull},
        {"5,5", 0, 0x20},
        {"64", -AXVM_ERANGE, 0},
        {"1-99", -AXVM_ERANGE, 0},
        {"99999999999999999999", -AXVM_ERANGE, 0},
        {"", -AXVM_EINVAL, 0},
        {"3-1", -AXVM_EINVAL, 0},
        {"1,", -AXVM_EINVAL, 0},
        {",1", -AXVM_EINVAL, 0},
        {"1-", -AXVM_EINVAL, 0},
        {"-1", -AXVM_EINVAL, 0},
        {"a", -AXVM_EINVAL, 0},
        {"1 ", -AXVM_EINVAL, 0},
        {"^1-2", -AXVM_EINVAL, 0},
        {"1,^1", -AXVM_EINVAL, 0}, /* nothing left */
        {"ALL", -AXVM_EINVAL, 0},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t mask = 0xdead;
        int rc = axvmctl_cpus_parse(cases[i].s, &mask);

        UNIT_CHECK(rc == cases[i].rc, "'%s': %d", cases[i].s, rc);
        UNIT_CHECK(rc != 0 || mask == cases[i].mask, "'%s': %llx", cases[i].s,
                   (unsigned long long)mask);
        UNIT_CHECK(rc == 0 || mask == 0xdead, "'%s': mask changed on failure", cases[i].s);
    }
    CU_ASSERT_EQUAL(axvmctl_cpus_parse(NULL, &(uint64_t){0}), -AXVM_EINVAL);
}

static void test_axvmctl_cpus_format_writes_cpu_lists(void)
{
    static const struct {
        uint64_t mask;
        unsigned int nr_cpus;
        const char *s;
    } cases[] = {
        {0x3, 2, "all"},        {0xf, 2, "all"},    {0x3, 4, "0-1"},    {0x5, 4, "0,2"},
        {0xb, 4, "0-1,3"},      {0x0, 4, "-"},      {~0ull, 0, "0-63"}, {~0ull, 64, "all"},
        {1ull << 63, 64, "63"}, {0x2a, 8, "1,3,5"}, {0x2, 0, "1"},
    };
    char buf[192], small[4];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        axvmctl_cpus_format(cases[i].mask, cases[i].nr_cpus, buf, sizeof(buf));
        UNIT_CHECK(strcmp(buf, cases[i].s) == 0, "%llx of %u: '%s'",
                   (unsigned long long)cases[i].mask, cases[i].nr_cpus, buf);
    }
    CU_ASSERT_STRING_EQUAL(axvmctl_cpus_format(0x15, 8, small, sizeof(small)), "0,2");
}

/* Two samples: old at 10 s, stats at 12 s, with the fake changed in between by the test. */
static void sample(struct axvmctl_stats *s)
{
    CU_ASSERT_FATAL(axvmctl_sysctl_stats(h, s) >= 0);
}

static void test_axvmctl_stats_domain_rates_over_an_interval(void)
{
    struct axvmctl_rates r;
    struct fake_domain *d = add_domain(1, "web", 2);

    fake.now_ns = 10 * NS_PER_S;
    d->info.cpu_time_ns = 3 * NS_PER_S;
    d->vcpus[0].exits[AXVM_EXIT_IO] = 1000;
    d->vcpus[1].exits[AXVM_EXIT_HALT] = 10;
    sample(&old);
    fake.now_ns = 12 * NS_PER_S;
    d->info.cpu_time_ns = 4 * NS_PER_S;      /* 1 s of CPU in 2 s: 50 % */
    d->vcpus[0].exits[AXVM_EXIT_IO] = 1300;  /* +300 */
    d->vcpus[1].exits[AXVM_EXIT_HALT] = 110; /* +100 */
    d->vcpus[1].exits[AXVM_EXIT_MMIO] = 2;
    sample(&stats);
    CU_ASSERT_EQUAL(axvmctl_stats_domain_rates(&old, &stats, 0, &r), 0);
    CU_ASSERT_TRUE(r.is_known);
    CU_ASSERT_DOUBLE_EQUAL(r.seconds, 2.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(r.cpu_pct, 50.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(r.exits_per_s, 201.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(r.exit_per_s[AXVM_EXIT_IO], 150.0, 1e-9);
    CU_ASSERT_EQUAL(r.exits[AXVM_EXIT_HALT], 100);
    CU_ASSERT_EQUAL(r.exits[AXVM_EXIT_MMIO], 2);
    CU_ASSERT_EQUAL(r.top_exit, AXVM_EXIT_IO);
    /* Per vCPU: vCPU 1 of the domain is record 1. */
    CU_ASSERT_EQUAL(axvmctl_stats_vcpu_rates(&old, &stats, 1, &r), 0);
    CU_ASSERT_TRUE(r.is_known);
    CU_ASSERT_DOUBLE_EQUAL(r.exits_per_s, 51.0, 1e-9);
    CU_ASSERT_EQUAL(r.top_exit, AXVM_EXIT_HALT);
    CU_ASSERT_EQUAL(axvmctl_stats_domain_rates(&old, &stats, 1, &r), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_stats_vcpu_rates(&old, &stats, 2, &r), -AXVM_EINVAL);
}

static void test_axvmctl_stats_rates_need_two_samples(void)
{
    struct axvmctl_rates r;

    add_domain(1, "web", 1)->info.cpu_time_ns = NS_PER_S;
    fake.now_ns = 10 * NS_PER_S;
    sample(&stats);
    CU_ASSERT_EQUAL(axvmctl_stats_domain_rates(NULL, &stats, 0, &r), 0);
    CU_ASSERT_FALSE(r.is_known);
    CU_ASSERT_EQUAL(r.top_exit, -1);
    CU_ASSERT_EQUAL(axvmctl_stats_vcpu_rates(NULL, &stats, 0, &r), 0);
    CU_ASSERT_FALSE(r.is_known);
    sample(&old); /* the same time: no interval */
    CU_ASSERT_EQUAL(axvmctl_stats_domain_rates(&old, &stats, 0, &r), 0);
    CU_ASSERT_FALSE(r.is_known);
    CU_ASSERT_EQUAL(axvmctl_stats_pcpu_busy(&old, &stats, 0), -1);
    CU_ASSERT_EQUAL(axvmctl_stats_pcpu_busy(NULL, &stats, 0), -1);
}

/* A counter smaller than before counts as no progress, never as a huge one. */
static void test_axvmctl_stats_rates_ignore_counters_that_went_back(void)
{
    struct axvmctl_rates r;
    struct fake_domain *d = add_domain(1, "web", 1);

    fake.now_ns = 10 * NS_PER_S;
    d->info.cpu_time_ns = 5 * NS_PER_S;
    d->vcpus[0].exits[AXVM_EXIT_IO] = 1000;
    d->vcpus[0].exits[AXVM_EXIT_HALT] = 7;
    sample(&old);
    fake.now_ns = 11 * NS_PER_S;
    d->info.cpu_time_ns = 4 * NS_PER_S;
    d->vcpus[0].exits[AXVM_EXIT_IO] = 10;
    d->vcpus[0].exits[AXVM_EXIT_HALT] = 9;
    sample(&stats);
    CU_ASSERT_EQUAL(axvmctl_stats_domain_rates(&old, &stats, 0, &r), 0);
    CU_ASSERT_TRUE(r.is_known);
    CU_ASSERT_DOUBLE_EQUAL(r.cpu_pct, 0.0, 1e-9);
    CU_ASSERT_EQUAL(r.exits[AXVM_EXIT_IO], 0);
    CU_ASSERT_DOUBLE_EQUAL(r.exits_per_s, 2.0, 1e-9);
    CU_ASSERT_EQUAL(r.top_exit, AXVM_EXIT_HALT);
}

/*
 * Between the samples: domain 2 was destroyed and another created under its id, domain 3 was
 * created, domain 4 went away; domain 5 is in the new sample only though it is old (the earlier
 * answer left it out).
 */
static void test_axvmctl_stats_rates_follow_domains_that_come_and_go(void)
{
    struct axvmctl_rates r;
    struct fake_domain *d;

    fake.now_ns = 10 * NS_PER_S;
    d = add_domain(2, "old", 1);
    d->info.cpu_time_ns = 9 * NS_PER_S, d->vcpus[0].exits[AXVM_EXIT_IO] = 500;
    add_domain(4, "leaving", 1);
    sample(&old);
    fake.now_ns = 12 * NS_PER_S;
    fake.domains[4].exists = false;
    d = add_domain(2, "new", 1);
    d->info.created_ns = 11 * NS_PER_S;
    d->info.cpu_time_ns = NS_PER_S / 2, d->vcpus[0].exits[AXVM_EXIT_IO] = 100;
    d = add_domain(3, "fresh", 1);
    d->info.created_ns = 10 * NS_PER_S; /* just after: counts from zero */
    d->info.cpu_time_ns = NS_PER_S, d->vcpus[0].exits[AXVM_EXIT_MMIO] = 40;
    add_domain(5, "unseen", 1)->info.created_ns = 1;
    sample(&stats);
    CU_ASSERT_EQUAL(stats.head.nr_domains, 3);
    CU_ASSERT_EQUAL(axvmctl_stats_domain_rates(&old, &stats, 0, &r), 0); /* "new" */
    CU_ASSERT_TRUE(r.is_known);
    CU_ASSERT_DOUBLE_EQUAL(r.cpu_pct, 25.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(r.exits_per_s, 50.0, 1e-9);
    CU_ASSERT_EQUAL(axvmctl_stats_domain_rates(&old, &stats, 1, &r), 0); /* "fresh" */
    CU_ASSERT_TRUE(r.is_known);
    CU_ASSERT_DOUBLE_EQUAL(r.cpu_pct, 50.0, 1e-9);
    CU_ASSERT_EQUAL(r.top_exit, AXVM_EXIT_MMIO);
    CU_ASSERT_EQUAL(axvmctl_stats_domain_rates(&old, &stats, 2, &r), 0); /* "unseen" */
    CU_ASSERT_FALSE(r.is_known);
    CU_ASSERT_EQUAL(axvmctl_stats_vcpu_rates(&old, &stats, 2, &r), 0);
    CU_ASSERT_FALSE(r.is_known);
    CU_ASSERT_EQUAL(axvmctl_stats_vcpu_rates(&old, &stats, 1, &r), 0);
    CU_ASSERT_TRUE(r.is_known);
    CU_ASSERT_DOUBLE_EQUAL(r.exits_per_s, 20.0, 1e-9);
}

static void test_axvmctl_stats_pcpu_busy_from_idle_time(void)
{
    fake.now_ns = 10 * NS_PER_S;
    fake.pcpus[0].idle_ns = 1 * NS_PER_S;
    fake.pcpus[1].idle_ns = 1 * NS_PER_S;
    fake.pcpus[2].idle_ns = 5 * NS_PER_S;
    sample(&old);
    fake.now_ns = 12 * NS_PER_S;
    fake.pcpus[0].idle_ns += NS_PER_S / 2; /* idle 25 % of 2 s: busy 75 % */
    fake.pcpus[1].idle_ns += 3 * NS_PER_S; /* more idle than time passed: 0 % */
    fake.pcpus[2].idle_ns = 0;             /* went back: all busy */
    fake.pcpus[3].idle_ns = 2 * NS_PER_S;  /* idle all along */
    sample(&stats);
    CU_ASSERT_DOUBLE_EQUAL(axvmctl_stats_pcpu_busy(&old, &stats, 0), 75.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(axvmctl_stats_pcpu_busy(&old, &stats, 1), 0.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(axvmctl_stats_pcpu_busy(&old, &stats, 2), 100.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(axvmctl_stats_pcpu_busy(&old, &stats, 3), 0.0, 1e-9);
    CU_ASSERT_EQUAL(axvmctl_stats_pcpu_busy(&old, &stats, 4), -1);
    fake.physinfo.nr_cpus = 6; /* CPUs the earlier sample did not have */
    sample(&stats);
    CU_ASSERT_EQUAL(axvmctl_stats_pcpu_busy(&old, &stats, 5), -1);
}

static CU_TestInfo tests[] = {
    UNIT_TEST(test_axvmctl_sysctl_stats_refuses_bad_arguments),
    UNIT_TEST(test_axvmctl_sysctl_stats_sends_a_clean_request),
    UNIT_TEST(test_axvmctl_sysctl_stats_returns_every_record),
    UNIT_TEST(test_axvmctl_sysctl_stats_grows_its_buffer),
    UNIT_TEST(test_axvmctl_sysctl_stats_stays_within_what_one_call_moves),
    UNIT_TEST(test_axvmctl_sysctl_stats_refuses_contradicting_answers),
    UNIT_TEST(test_axvmctl_sysctl_stats_passes_errors_on),
    UNIT_TEST(test_axvmctl_sched_credit_get_reads_the_values),
    UNIT_TEST(test_axvmctl_sched_credit_set_sends_only_the_request),
    UNIT_TEST(test_axvmctl_sched_credit_set_refuses_bad_requests),
    UNIT_TEST(test_axvmctl_vcpu_pin_sends_the_mask),
    UNIT_TEST(test_axvmctl_stats_names_exit_reasons),
    UNIT_TEST(test_axvmctl_cpus_parse_reads_cpu_lists),
    UNIT_TEST(test_axvmctl_cpus_format_writes_cpu_lists),
    UNIT_TEST(test_axvmctl_stats_domain_rates_over_an_interval),
    UNIT_TEST(test_axvmctl_stats_rates_need_two_samples),
    UNIT_TEST(test_axvmctl_stats_rates_ignore_counters_that_went_back),
    UNIT_TEST(test_axvmctl_stats_rates_follow_domains_that_come_and_go),
    UNIT_TEST(test_axvmctl_stats_pcpu_busy_from_idle_time),
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo info = {"axvmctl_stats", NULL, NULL, setup, teardown, tests};
UNIT_REGISTER_SUITE(info);
