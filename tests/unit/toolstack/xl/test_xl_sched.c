/* SPDX-License-Identifier: MIT */
/*
 * Suite "xl_sched": axvm-xl sched-credit and vcpu-pin against the fake hypervisor: xl's
 * columns, the values in effect after a change, the structs sent, and one line for each bad
 * number, CPU list, scheduler that cannot take the change, and hypervisor without the calls.
 */
#include <string.h>
#include "test_xl.h"

#define CREDIT_HEADING "Name                                ID Weight  Cap\n"

static void add_domains(void)
{
    xl_fake.has_stats = true;
    xl_add_domain(0, "Domain-0", AXVM_STATE_RUNNING)->nr_vcpus = 2;
    xl_add_domain(1, "hello", AXVM_STATE_RUNNING)->nr_vcpus = 2;
    xl_add_domain(4, "web", AXVM_STATE_PAUSED);
    xl_fake.domains[4].weight = 512;
    xl_fake.domains[4].cap = 25;
    xl_fake.domains[1].vcpus[1].state = AXVM_VCPU_BLOCKED;
}

/* The nth SCHED_CREDIT call since the calls were last cleared. */
static struct axvm_sched_credit sent_credit(unsigned int nth)
{
    const struct fake_call *c = fake_transport_find(&xl_fake, AXVM_HC_SCHED_CREDIT, nth);
    struct axvm_sched_credit r = {0};

    if (c) {
        memcpy(&r, c->arg, sizeof(r));
    }
    return r;
}

static void test_sched_credit_lists_every_domain(void)
{
    add_domains();
    CU_ASSERT_EQUAL(xl_run("sched-credit", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out,
                           CREDIT_HEADING "Domain-0                             0    256    0\n"
                                          "hello                                1    256    0\n"
                                          "web                                  4    512   25\n");
    CU_ASSERT_STRING_EQUAL(xl_err, "");
    CU_ASSERT_EQUAL(fake_transport_count(&xl_fake, AXVM_HC_SCHED_CREDIT), 3);
    CU_ASSERT_EQUAL(sent_credit(3).flags, 0); /* reading changes nothing */
    CU_ASSERT_EQUAL(xl_run("sched-credit", "-d", "web", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out,
                           CREDIT_HEADING "web                                  4    512   25\n");
}

static void test_sched_credit_sets_and_prints_the_values_in_effect(void)
{
    struct axvm_sched_credit c;

    add_domains();
    CU_ASSERT_EQUAL(xl_run("sched-credit", "-d", "hello", "-w", "1024", "-c", "150", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out,
                           CREDIT_HEADING "hello                                1   1024  150\n");
    CU_ASSERT_STRING_EQUAL(xl_err, "");
    c = sent_credit(1);
    CU_ASSERT(c.domid == 1 && c.flags == (AXVM_SCHED_SET_WEIGHT | AXVM_SCHED_SET_CAP) &&
              c.weight == 1024 && c.cap == 150 && c.pad == 0);
    CU_ASSERT(xl_fake.domains[1].weight == 1024 && xl_fake.domains[1].cap == 150);
    /* Only the weight: the cap stays, and only the weight is asked for. */
    fake_transport_clear_calls(&xl_fake);
    CU_ASSERT_EQUAL(xl_run("sched-credit", "--domain=1", "--weight=7", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out,
                           CREDIT_HEADING "hello                                1      7  150\n");
    CU_ASSERT_EQUAL(sent_credit(1).flags, AXVM_SCHED_SET_WEIGHT);
    CU_ASSERT_EQUAL(sent_credit(1).cap, 0);
    CU_ASSERT_EQUAL(xl_run("sched-credit", "-d", "4", "-c", "0", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out,
                           CREDIT_HEADING "web                                  4    512    0\n");
}

static void test_sched_credit_names_bad_values(void)
{
    static const struct {
        const char *args[6];
        const char *err;
    } cases[] = {
        {{"-d", "hello", "-w", "0"}, "axvm-xl: sched-credit: -w '0' is not a weight (1-65535)\n"},
        {{"-d", "hello", "-w", "65536"},
         "axvm-xl: sched-credit: -w '65536' is not a weight (1-65535)\n"},
        {{"-d", "hello", "-w", "2x"}, "axvm-xl: sched-credit: -w '2x' is not a weight (1-65535)\n"},
        {{"-d", "hello", "-w", "-5"}, "axvm-xl: sched-credit: -w '-5' is not a weight (1-65535)\n"},
        {{"-d", "hello", "-w", ""}, "axvm-xl: sched-credit: -w '' is not a weight (1-65535)\n"},
        {{"-d", "hello", "-w", "99999999999999999999999"},
         "axvm-xl: sched-credit: -w '99999999999999999999999' is not a weight (1-65535)\n"},
        {{"-d", "hello", "-c", "201"},
         "axvm-xl: sched-credit: -c '201' is not a cap in percent of one CPU, 100 per vCPU "
         "(0-200)\n"},
        {{"-d", "web", "-c", "101"},
         "axvm-xl: sched-credit: -c '101' is not a cap in percent of one CPU, 100 per vCPU "
         "(0-100)\n"},
        {{"-w", "512"}, "axvm-xl: sched-credit: -w and -c need a domain: -d DOMAIN\n"},
        {{"-c", "50"}, "axvm-xl: sched-credit: -w and -c need a domain: -d DOMAIN\n"},
        {{"-d", "nope"}, "axvm-xl: no domain named 'nope'\n"},
        {{"-d", "9", "-w", "5"}, "axvm-xl: no domain with id 9\n"},
        {{"-d"},
         "axvm-xl: sched-credit: option '-d' needs a value (try 'axvm-xl sched-credit "
         "--help')\n"},
        {{"hello"},
         "axvm-xl: sched-credit: unexpected argument 'hello' (usage: axvm-xl "
         "sched-credit [-d DOMAIN [-w WEIGHT] [-c CAP]])\n"},
    };

    add_domains();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *argv[8] = {"sched-credit"};
        int argc = 1;

        for (int k = 0; k < 6 && cases[i].args[k]; k++) {
            argv[argc++] = cases[i].args[k];
        }
        UNIT_CHECK(xl_runv(argc, argv) == 1, "case %zu accepted", i);
        UNIT_CHECK(strcmp(xl_err, cases[i].err) == 0, "case %zu said '%s'", i, xl_err);
        UNIT_CHECK(xl_out[0] == '\0', "case %zu printed '%s'", i, xl_out);
    }
    CU_ASSERT_EQUAL(fake_transport_count(&xl_fake, AXVM_HC_SCHED_CREDIT), 0);
    CU_ASSERT(xl_fake.domains[1].weight == 0 && xl_fake.domains[1].cap == 0);
}

static void test_sched_credit_under_rr_says_how_to_get_credit(void)
{
    add_domains();
    xl_fake.sched = AXVM_SCHED_RR;
    CU_ASSERT_EQUAL(xl_run("sched-credit", "-d", "hello", "-w", "512", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: cannot set the credit parameters of domain 'hello': "
                                   "the hypervisor runs the rr scheduler; boot it with "
                                   "sched=credit\n");
    CU_ASSERT_STRING_EQUAL(xl_out, "");
    /* Reading works, with a note under the table. */
    CU_ASSERT_EQUAL(xl_run("sched-credit", NULL), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\n(the hypervisor runs the rr scheduler: weights and "
                                          "caps take effect only with sched=credit)\n"));
    xl_fake.sched = AXVM_SCHED_CREDIT;
    CU_ASSERT_EQUAL(xl_run("sched-credit", NULL), 0);
    CU_ASSERT_PTR_NULL(strstr(xl_out, "(the hypervisor"));
}

static void test_sched_credit_without_the_call(void)
{
    add_domains();
    xl_fake.has_stats = false;
    CU_ASSERT_EQUAL(xl_run("sched-credit", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: cannot read the credit parameters of domain 0: the "
                                   "hypervisor has no credit scheduler parameters (ABI older than "
                                   "0.4)\n");
    CU_ASSERT_EQUAL(xl_run("sched-credit", "-d", "web", "-c", "10", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: cannot set the credit parameters of domain 'web': the "
                                   "hypervisor has no credit scheduler parameters (ABI older than "
                                   "0.4)\n");
    xl_fake.has_stats = true;
    fake_transport_fail_nr(&xl_fake, AXVM_HC_DOMAIN_LIST, 0, -AXVM_EIO);
    CU_ASSERT_EQUAL(xl_run("sched-credit", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: cannot list the domains: input/output error\n");
}

static struct axvm_vcpu_pin sent_pin(void)
{
    const struct fake_call *c = fake_transport_find(&xl_fake, AXVM_HC_VCPU_PIN, 1);
    struct axvm_vcpu_pin p = {0};

    if (c) {
        memcpy(&p, c->arg, sizeof(p));
    }
    return p;
}

static void test_vcpu_pin_pins_one_vcpu_or_all(void)
{
    static const struct {
        const char *vcpu, *cpus;
        uint16_t want_vcpu;
        uint64_t want_mask;
    } cases[] = {
        {"1", "1", 1, 0x2},
        {"0", "0-1", 0, 0x3},
        {"all", "0,2", AXVM_VCPU_ALL, 0x5},
        {"all", "all", AXVM_VCPU_ALL, ~0ull},
        {"1", "0-3,^1", 1, 0xd},
        {"0", "1,5", 0, 0x22}, /* CPU 5 is not the host's, 1 is: the hypervisor decides */
    };

    add_domains();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct axvm_vcpu_pin p;

        fake_transport_clear_calls(&xl_fake);
        UNIT_CHECK(xl_run("vcpu-pin", "hello", cases[i].vcpu, cases[i].cpus, NULL) == 0,
                   "%s %s: '%s'", cases[i].vcpu, cases[i].cpus, xl_err);
        UNIT_CHECK(xl_out[0] == '\0' && xl_err[0] == '\0', "%s %s printed", cases[i].vcpu,
                   cases[i].cpus);
        p = sent_pin();
        UNIT_CHECK(p.domid == 1 && p.vcpu == cases[i].want_vcpu &&
                       p.cpumask == cases[i].want_mask && p.pad == 0,
                   "%s %s: sent vcpu %u mask %llx", cases[i].vcpu, cases[i].cpus, p.vcpu,
                   (unsigned long long)p.cpumask);
    }
    CU_ASSERT_EQUAL(xl_fake.domains[1].vcpus[0].affinity, 0x2); /* 0x22 of 4 online CPUs */
    CU_ASSERT_EQUAL(xl_run("vcpu-list", "hello", NULL), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\nhello                                1     1     0 "
                                          "  -b-       0.0 0,2-3\n"));
}

static void test_vcpu_pin_names_bad_arguments(void)
{
    static const struct {
        const char *domain, *vcpu, *cpus, *err;
    } cases[] = {
        {"hello", "2", "1",
         "axvm-xl: vcpu-pin: VCPU '2' is not a vCPU of domain 'hello' (0-1, or "
         "all)\n"},
        {"web", "1", "1",
         "axvm-xl: vcpu-pin: VCPU '1' is not a vCPU of domain 'web' (0-0, or "
         "all)\n"},
        {"hello", "x", "1",
         "axvm-xl: vcpu-pin: VCPU 'x' is not a vCPU of domain 'hello' (0-1, or "
         "all)\n"},
        {"hello", "", "1",
         "axvm-xl: vcpu-pin: VCPU '' is not a vCPU of domain 'hello' (0-1, or "
         "all)\n"},
        {"hello", "99999999", "1",
         "axvm-xl: vcpu-pin: VCPU '99999999' is not a vCPU of domain "
         "'hello' (0-1, or all)\n"},
        {"hello", "0", "1-",
         "axvm-xl: vcpu-pin: CPUS '1-' is not a CPU list (such as 1, 0-1, 0,2 "
         "or all)\n"},
        {"hello", "0", "",
         "axvm-xl: vcpu-pin: CPUS '' is not a CPU list (such as 1, 0-1, 0,2 or "
         "all)\n"},
        {"hello", "0", "3-1",
         "axvm-xl: vcpu-pin: CPUS '3-1' is not a CPU list (such as 1, 0-1, "
         "0,2 or all)\n"},
        {"hello", "0", "64", "axvm-xl: vcpu-pin: CPUS '64' names a CPU above 63\n"},
        {"hello", "0", "4-7",
         "axvm-xl: vcpu-pin: CPUS '4-7' names none of the host's CPUs "
         "(0-3)\n"},
        {"nope", "0", "1", "axvm-xl: no domain named 'nope'\n"},
    };

    add_domains();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        UNIT_CHECK(xl_run("vcpu-pin", cases[i].domain, cases[i].vcpu, cases[i].cpus, NULL) == 1,
                   "case %zu accepted", i);
        UNIT_CHECK(strcmp(xl_err, cases[i].err) == 0, "case %zu said '%s'", i, xl_err);
    }
    CU_ASSERT_EQUAL(fake_transport_count(&xl_fake, AXVM_HC_VCPU_PIN), 0);
}

static void test_vcpu_pin_reports_the_hypervisors_answer(void)
{
    add_domains();
    fake_transport_fail_nr(&xl_fake, AXVM_HC_VCPU_PIN, 1, -AXVM_EBUSY);
    CU_ASSERT_EQUAL(xl_run("vcpu-pin", "hello", "all", "1", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: cannot pin vCPU all of domain 'hello': busy\n");
    xl_fake.has_stats = false;
    CU_ASSERT_EQUAL(xl_run("vcpu-pin", "hello", "0", "1", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: cannot pin vCPU 0 of domain 'hello': the hypervisor "
                                   "has no vCPU pinning (ABI older than 0.4)\n");
}

static CU_TestInfo tests[] = {
    UNIT_TEST(test_sched_credit_lists_every_domain),
    UNIT_TEST(test_sched_credit_sets_and_prints_the_values_in_effect),
    UNIT_TEST(test_sched_credit_names_bad_values),
    UNIT_TEST(test_sched_credit_under_rr_says_how_to_get_credit),
    UNIT_TEST(test_sched_credit_without_the_call),
    UNIT_TEST(test_vcpu_pin_pins_one_vcpu_or_all),
    UNIT_TEST(test_vcpu_pin_names_bad_arguments),
    UNIT_TEST(test_vcpu_pin_reports_the_hypervisors_answer),
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo info = {"xl_sched", NULL, NULL, xl_setup, xl_teardown, tests};
UNIT_REGISTER_SUITE(info);
