/* SPDX-License-Identifier: MIT */
/*
 * Suite "xl_info": axvm-xl's looking commands (list, info, uptime, vcpu-list, domid, domname,
 * dmesg) against the fake hypervisor: xl's exact columns, the state flags, list --json checked
 * by a JSON parser, the statistics in list -l, --json and vcpu-list (and their absence), name and
 * id resolution, the hypercalls made and their failures.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "test_xl.h"

#define NAME_31 "abcdefghijklmnopqrstuvwxyz-_.01"

/* xl's list heading: Name in 40 columns, then ID, Mem, VCPUs, State and Time(s). */
#define LIST_HEADING \
    "Name                                        ID   Mem VCPUs      State   Time(s)"

/* A strict JSON (RFC 8259) recogniser, enough to say whether --json's output parses. */
struct json {
    const char *p;
    int depth;
};

static bool json_value(struct json *j);

static void json_space(struct json *j)
{
    while (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r') {
        j->p++;
    }
}

static bool json_string(struct json *j)
{
    if (*j->p++ != '"') {
        return false;
    }
    for (; *j->p && *j->p != '"'; j->p++) {
        if ((unsigned char)*j->p < 0x20) {
            return false;
        }
        if (*j->p == '\\') {
            j->p++;
            if (*j->p == 'u') {
                for (int i = 0; i < 4; i++) {
                    if (!strchr("0123456789abcdefABCDEF", *++j->p) || !*j->p) {
                        return false;
                    }
                }
            } else if (!*j->p || !strchr("\"\\/bfnrt", *j->p)) {
                return false;
            }
        }
    }
    return *j->p++ == '"';
}

static bool json_digits(struct json *j)
{
    const char *start = j->p;

    while (*j->p >= '0' && *j->p <= '9') {
        j->p++;
    }
    return j->p > start;
}

static bool json_number(struct json *j)
{
    if (*j->p == '-') {
        j->p++;
    }
    if (*j->p == '0') {
        j->p++;
    } else if (!json_digits(j)) {
        return false;
    }
    if (*j->p == '.' && (j->p++, !json_digits(j))) {
        return false;
    }
    if (*j->p == 'e' || *j->p == 'E') {
        j->p += j->p[1] == '+' || j->p[1] == '-' ? 2 : 1;
        return json_digits(j);
    }
    return true;
}

/* An array's or object's members, after its opening bracket. */
static bool json_members(struct json *j, char close, bool is_object)
{
    json_space(j);
    if (*j->p == close) {
        j->p++;
        return true;
    }
    for (;;) {
        json_space(j);
        if (is_object) {
            if (!json_string(j)) {
                return false;
            }
            json_space(j);
            if (*j->p++ != ':') {
                return false;
            }
        }
        if (!json_value(j)) {
            return false;
        }
        json_space(j);
        if (*j->p == close) {
            j->p++;
            return true;
        }
        if (*j->p++ != ',') {
            return false;
        }
    }
}

static bool json_value(struct json *j)
{
    bool ok;

    json_space(j);
    if (++j->depth > 32) {
        return false;
    }
    if (*j->p == '{' || *j->p == '[') {
        char open = *j->p++;

        ok = json_members(j, open == '{' ? '}' : ']', open == '{');
    } else if (*j->p == '"') {
        ok = json_string(j);
    } else if (strncmp(j->p, "true", 4) == 0 || strncmp(j->p, "null", 4) == 0) {
        j->p += 4, ok = true;
    } else if (strncmp(j->p, "false", 5) == 0) {
        j->p += 5, ok = true;
    } else {
        ok = json_number(j);
    }
    j->depth--;
    return ok;
}

static bool is_json(const char *s)
{
    struct json j = {s, 0};

    if (!json_value(&j)) {
        return false;
    }
    json_space(&j);
    return *j.p == '\0';
}

/* The recogniser itself must refuse what is not JSON, or the tests below prove nothing. */
static void test_json_recogniser_refuses_broken_json(void)
{
    static const char *const bad[] = {
        "",          "[",           "[1,]",       "{\"a\" 1}",   "{\"a\":1,}", "[\"a\nb\"]",
        "[\"\\x\"]", "[\"\\u12\"]", "[01]",       "[1.]",        "[-]",        "[tru]",
        "{1:2}",     "[1] [2]",     "{\"a\":1}}", "[\"unended]",
    };
    static const char *const good[] = {
        "[]",
        "{}",
        " [ 1 , -0.5e+3 , \"\\u00e9\\n\" , true , false , null , {\"k\" : []} ] ",
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        UNIT_CHECK(!is_json(bad[i]), "'%s' passed", bad[i]);
    }
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        UNIT_CHECK(is_json(good[i]), "'%s' refused", good[i]);
    }
}

/* Dom0 and domains in each state the list shows differently. */
static void add_fixture(void)
{
    struct axvm_domain_info *d;

    d = xl_add_domain(0, "Domain-0", AXVM_STATE_RUNNING);
    d->nr_vcpus = 4, d->mem_kib = d->max_mem_kib = 512 * 1024, d->cpu_time_ns = 12340000000u;
    d = xl_add_domain(1, "hello", AXVM_STATE_PAUSED);
    d->mem_kib = 16 * 1024, d->cpu_time_ns = 1060000000u;
    xl_add_domain(2, "fresh", AXVM_STATE_CREATED);
    d = xl_add_domain(3, "off", AXVM_STATE_SHUTDOWN);
    d->shutdown_reason = AXVM_SHUTDOWN_POWEROFF;
    d = xl_add_domain(4, "oops", AXVM_STATE_SHUTDOWN);
    d->shutdown_reason = AXVM_SHUTDOWN_CRASH;
    xl_add_domain(5, "broken", AXVM_STATE_CRASHED)->shutdown_reason = AXVM_SHUTDOWN_CRASH;
    d = xl_add_domain(6, "tested", AXVM_STATE_SHUTDOWN);
    d->shutdown_reason = AXVM_SHUTDOWN_EXIT, d->exit_code = 3;
    d = xl_add_domain(7, NAME_31, AXVM_STATE_RUNNING);
    d->nr_vcpus = 16, d->cpu_time_ns = 3600000000000u;
    d->max_mem_kib = 128 * 1024;
}

static const char list_text[] = LIST_HEADING
    "\n"
    "Domain-0                                     0   512     4     r-----      12.3\n"
    "hello                                        1    16     1     --p---       1.1\n"
    "fresh                                        2    64     1     --p---       0.0\n"
    "off                                          3    64     1     ---s--       0.0\n"
    "oops                                         4    64     1     ---sc-       0.0\n"
    "broken                                       5    64     1     ---sc-       0.0\n"
    "tested                                       6    64     1     ---s--       0.0\n"
    "abcdefghijklmnopqrstuvwxyz-_.01              7    64    16     r-----    3600.0\n";

static void test_list_prints_xl_columns_and_flags(void)
{
    const struct fake_call *c;

    add_fixture();
    CU_ASSERT_EQUAL(xl_run("list", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, list_text);
    CU_ASSERT_STRING_EQUAL(xl_err, "");
    CU_ASSERT_EQUAL(xl_fake.nr_calls, 1);
    c = fake_transport_find(&xl_fake, AXVM_HC_DOMAIN_LIST, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(((const struct axvm_domain_list *)c->arg)->max, 630);
}

static void test_list_of_nothing_prints_the_heading(void)
{
    CU_ASSERT_EQUAL(xl_run("list", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, LIST_HEADING "\n");
}

/* LIST answered in reverse order: the table is still by id, as xl's. */
static int64_t list_backwards(struct fake_transport *f, uint32_t nr, void *arg, uint32_t arg_size,
                              void *buf, uint64_t buf_size)
{
    struct axvm_domain_list *l = arg;
    struct axvm_domain_info *out = buf;

    (void)nr, (void)arg_size, (void)buf_size;
    l->nr = l->total = 0;
    for (int i = FAKE_MAX_DOMAINS - 1; i >= 0; i--) {
        if (f->domains[i].exists && l->nr < l->max) {
            out[l->nr++] = f->domains[i].info;
            l->total++;
        }
    }
    return 0;
}

static void test_list_sorts_by_id(void)
{
    add_fixture();
    xl_fake.handlers[AXVM_HC_DOMAIN_LIST] = list_backwards;
    CU_ASSERT_EQUAL(xl_run("list", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, list_text);
}

static void test_list_shows_the_domains_asked_for_in_that_order(void)
{
    add_fixture();
    CU_ASSERT_EQUAL(xl_run("list", "7", "hello", NULL), 0);
    CU_ASSERT_STRING_EQUAL(
        xl_out, LIST_HEADING
        "\n"
        "abcdefghijklmnopqrstuvwxyz-_.01              7    64    16     r-----    3600.0\n"
        "hello                                        1    16     1     --p---       1.1\n");
    CU_ASSERT_EQUAL(xl_run("list", "hello", "nope", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: no domain named 'nope'\n");
    CU_ASSERT_STRING_EQUAL(xl_out, "");
    CU_ASSERT_EQUAL(xl_run("list", "12", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: no domain with id 12\n");
}

static void test_list_l_adds_uuid_max_memory_and_reason(void)
{
    add_fixture();
    CU_ASSERT_EQUAL(xl_run("list", "--long", "0", "6", "4", "7", NULL), 0);
    CU_ASSERT_STRING_EQUAL(
        xl_out, LIST_HEADING
        " UUID                                 MaxMem Reason/Code\n"
        "Domain-0                                     0   512     4     r-----      12.3 "
        "00000000-0000-0000-0000-000000000000    512 -\n"
        "tested                                       6    64     1     ---s--       0.0 "
        "06060606-0606-0606-0606-060606060606     64 exit/3\n"
        "oops                                         4    64     1     ---sc-       0.0 "
        "04040404-0404-0404-0404-040404040404     64 crash/0\n"
        "abcdefghijklmnopqrstuvwxyz-_.01              7    64    16     r-----    3600.0 "
        "07070707-0707-0707-0707-070707070707    128 -\n");
}

/* Without statistics (a hypervisor before ABI 0.4) their keys are there, null. */
static void test_list_json_is_valid_with_stable_keys(void)
{
    add_fixture();
    CU_ASSERT_EQUAL(xl_run("list", "--json", "6", "1", NULL), 0);
    CU_ASSERT(is_json(xl_out));
    CU_ASSERT_STRING_EQUAL(xl_out, "[\n"
                                   "  {\n"
                                   "    \"name\": \"tested\",\n"
                                   "    \"domid\": 6,\n"
                                   "    \"uuid\": \"06060606-0606-0606-0606-060606060606\",\n"
                                   "    \"state\": \"shutdown\",\n"
                                   "    \"flags\": \"---s--\",\n"
                                   "    \"nr_vcpus\": 1,\n"
                                   "    \"mem_kib\": 65536,\n"
                                   "    \"max_mem_kib\": 65536,\n"
                                   "    \"cpu_time_ns\": 0,\n"
                                   "    \"created_ns\": 0,\n"
                                   "    \"shutdown_reason\": \"exit\",\n"
                                   "    \"exit_code\": 3,\n"
                                   "    \"pages\": null,\n"
                                   "    \"hypercalls\": null,\n"
                                   "    \"weight\": null,\n"
                                   "    \"cap\": null,\n"
                                   "    \"vcpus\": null\n"
                                   "  },\n"
                                   "  {\n"
                                   "    \"name\": \"hello\",\n"
                                   "    \"domid\": 1,\n"
                                   "    \"uuid\": \"01010101-0101-0101-0101-010101010101\",\n"
                                   "    \"state\": \"paused\",\n"
                                   "    \"flags\": \"--p---\",\n"
                                   "    \"nr_vcpus\": 1,\n"
                                   "    \"mem_kib\": 16384,\n"
                                   "    \"max_mem_kib\": 65536,\n"
                                   "    \"cpu_time_ns\": 1060000000,\n"
                                   "    \"created_ns\": 0,\n"
                                   "    \"shutdown_reason\": null,\n"
                                   "    \"exit_code\": null,\n"
                                   "    \"pages\": null,\n"
                                   "    \"hypercalls\": null,\n"
                                   "    \"weight\": null,\n"
                                   "    \"cap\": null,\n"
                                   "    \"vcpus\": null\n"
                                   "  }\n"
                                   "]\n");
    /* Every domain, and with -l too (the JSON has everything already). */
    CU_ASSERT_EQUAL(xl_run("list", "-l", "--json", NULL), 0);
    CU_ASSERT(is_json(xl_out));
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\"name\": \"" NAME_31 "\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\"state\": \"crashed\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\"state\": \"created\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\"state\": \"running\""));
    CU_ASSERT_EQUAL(xl_run("list", "--json", NULL), 0);
    CU_ASSERT(is_json(xl_out));
}

/* Whatever bytes the hypervisor puts in a name, the table stays a table and JSON stays JSON. */
static void test_list_survives_odd_names(void)
{
    xl_add_domain(1, "q\"b\\n\nt\tz\x7f\xc3\xa9", AXVM_STATE_RUNNING);
    xl_add_domain(2, "\x1b[2J", 77); /* an unknown state too */
    CU_ASSERT_EQUAL(xl_run("list", "--json", NULL), 0);
    CU_ASSERT(is_json(xl_out));
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\"name\": \"q\\\"b\\\\n\\u000at\\u0009z\\u007f"
                                          "\\ufffd\\ufffd\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\"state\": \"unknown\""));
    CU_ASSERT_EQUAL(xl_run("list", NULL), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\nq\"b\\n?t?z???       "));
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\n?[2J    "));
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, " ------ "));
}

static void test_list_reports_a_failed_list(void)
{
    fake_transport_fail_nr(&xl_fake, AXVM_HC_DOMAIN_LIST, 1, -AXVM_EIO);
    CU_ASSERT_EQUAL(xl_run("list", "--json", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: cannot list the domains: input/output error\n");
    CU_ASSERT_STRING_EQUAL(xl_out, "");
    xl_add_domain(1, "hello", AXVM_STATE_RUNNING);
    fake_transport_fail_nr(&xl_fake, AXVM_HC_DOMAIN_GETINFO, 0, -AXVM_EPERM);
    CU_ASSERT_EQUAL(xl_run("list", "hello", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: cannot look up domain 'hello': operation not "
                                   "permitted\n");
}

/* The hypervisor's statistics for the fixture's dom0, hello and tested. */
static void add_stats(void)
{
    struct fake_domain *d;

    xl_fake.has_stats = true;
    xl_fake.physinfo.nr_cpus = 2;
    d = &xl_fake.domains[0];
    d->pages = 131072, d->nr_hypercalls = 4000;
    d->info.nr_vcpus = 2;
    d->vcpus[0] = (struct axvm_vcpu_stats){
        .state = AXVM_VCPU_RUNNING, .pcpu = 0, .cpu_time_ns = 7000000000u, .nr_hypercalls = 3000};
    d->vcpus[0].exits[AXVM_EXIT_HYPERCALL] = 3000;
    d->vcpus[0].exits[AXVM_EXIT_IO] = 12;
    d->vcpus[1] = (struct axvm_vcpu_stats){.state = AXVM_VCPU_BLOCKED, .pcpu = 1, .affinity = 2};
    d->vcpus[1].exits[AXVM_EXIT_HALT] = 5;
    d->vcpus[1].exits[14] = 1; /* a reason this toolstack has no name for */
    d = &xl_fake.domains[1];
    d->weight = 512, d->cap = 50, d->pages = 4100, d->nr_hypercalls = 9;
    d->vcpus[0] = (struct axvm_vcpu_stats){.state = AXVM_VCPU_BLOCKED,
                                           .pcpu = 1,
                                           .affinity = 1,
                                           .cpu_time_ns = 1060000000u,
                                           .nr_scheduled = 40,
                                           .nr_migrations = 2};
    d->vcpus[0].exits[AXVM_EXIT_MMIO] = 300;
    xl_fake.domains[6].vcpus[0].state = AXVM_VCPU_OFFLINE;
}

static void test_list_l_shows_the_statistics(void)
{
    add_fixture();
    add_stats();
    CU_ASSERT_EQUAL(xl_run("list", "-l", "0", "1", "6", NULL), 0);
    CU_ASSERT_STRING_EQUAL(
        xl_out, LIST_HEADING
        " UUID                                 MaxMem Weight  Cap    Pages Hypercalls Reason/Code\n"
        "Domain-0                                     0   512     2     r-----      12.3 "
        "00000000-0000-0000-0000-000000000000    512    256    0   131072       4000 -\n"
        "    vCPU 0: running, CPU 0, affinity all, time 7.0 s, hypercalls 3000, exits: io=12 "
        "hypercall=3000\n"
        "    vCPU 1: blocked, CPU 1, affinity 1, time 0.0 s, hypercalls 0, exits: halt=5 "
        "exit-14=1\n"
        "hello                                        1    16     1     --p---       1.1 "
        "01010101-0101-0101-0101-010101010101     64    512   50     4100          9 -\n"
        "    vCPU 0: blocked, CPU 1, affinity 0, time 1.1 s, hypercalls 0, exits: mmio=300\n"
        "tested                                       6    64     1     ---s--       0.0 "
        "06060606-0606-0606-0606-060606060606     64    256    0        0          0 exit/3\n"
        "    vCPU 0: offline, CPU -, affinity all, time 0.0 s, hypercalls 0, exits: none\n");
    CU_ASSERT_STRING_EQUAL(xl_err, "");
    CU_ASSERT_EQUAL(fake_transport_count(&xl_fake, AXVM_HC_SYSCTL_STATS), 1);
    /* A failed read of the statistics is said, and the list comes without them. */
    fake_transport_fail_nr(&xl_fake, AXVM_HC_SYSCTL_STATS, 0, -AXVM_EINVAL);
    CU_ASSERT_EQUAL(xl_run("list", "-l", "1", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_err,
                           "axvm-xl: warning: cannot read the statistics: invalid argument\n");
    CU_ASSERT_STRING_EQUAL(xl_out, LIST_HEADING
                           " UUID                                 MaxMem Reason/Code\n"
                           "hello                                        1    16     1     --p---"
                           "       1.1 01010101-0101-0101-0101-010101010101     64 -\n");
    CU_ASSERT_EQUAL(xl_run("list", "--json", "1", NULL), 0);
    CU_ASSERT(is_json(xl_out));
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\"vcpus\": null\n"));
    CU_ASSERT_STRING_EQUAL(xl_err,
                           "axvm-xl: warning: cannot read the statistics: invalid argument\n");
}

static void test_list_json_carries_the_statistics(void)
{
    add_fixture();
    add_stats();
    CU_ASSERT_EQUAL(xl_run("list", "-l", "--json", "hello", NULL), 0);
    CU_ASSERT(is_json(xl_out));
    CU_ASSERT_STRING_EQUAL(xl_out, "[\n"
                                   "  {\n"
                                   "    \"name\": \"hello\",\n"
                                   "    \"domid\": 1,\n"
                                   "    \"uuid\": \"01010101-0101-0101-0101-010101010101\",\n"
                                   "    \"state\": \"paused\",\n"
                                   "    \"flags\": \"--p---\",\n"
                                   "    \"nr_vcpus\": 1,\n"
                                   "    \"mem_kib\": 16384,\n"
                                   "    \"max_mem_kib\": 65536,\n"
                                   "    \"cpu_time_ns\": 1060000000,\n"
                                   "    \"created_ns\": 0,\n"
                                   "    \"shutdown_reason\": null,\n"
                                   "    \"exit_code\": null,\n"
                                   "    \"pages\": 4100,\n"
                                   "    \"hypercalls\": 9,\n"
                                   "    \"weight\": 512,\n"
                                   "    \"cap\": 50,\n"
                                   "    \"vcpus\": [\n"
                                   "        {\n"
                                   "          \"vcpu\": 0,\n"
                                   "          \"state\": \"blocked\",\n"
                                   "          \"pcpu\": 1,\n"
                                   "          \"affinity\": \"0\",\n"
                                   "          \"cpu_time_ns\": 1060000000,\n"
                                   "          \"hypercalls\": 0,\n"
                                   "          \"scheduled\": 40,\n"
                                   "          \"migrations\": 2,\n"
                                   "          \"exits\": {\"other\": 0, \"mmio\": 300, \"io\": 0, "
                                   "\"npf\": 0, \"hypercall\": 0, \"halt\": 0, \"intr\": 0, "
                                   "\"cpuid\": 0, \"msr\": 0, \"irq-window\": 0, "
                                   "\"exception\": 0, \"shutdown\": 0, \"cpu-up\": 0, "
                                   "\"firmware\": 0}\n"
                                   "        }\n"
                                   "    ]\n"
                                   "  }\n"
                                   "]\n");
    /* Every domain: still JSON, the unnamed reason under its number. */
    CU_ASSERT_EQUAL(xl_run("list", "--json", NULL), 0);
    CU_ASSERT(is_json(xl_out));
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\"firmware\": 0, \"exit-14\": 1}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\"weight\": 256,"));
}

/* A domain created after the statistics were read has its row, without them. */
static int64_t stats_without_domain_7(struct fake_transport *f, uint32_t nr, void *arg,
                                      uint32_t arg_size, void *buf, uint64_t buf_size)
{
    int64_t rc;

    f->domains[7].exists = false;
    rc = fake_transport_model(f, nr, arg, arg_size, buf, buf_size);
    f->domains[7].exists = true;
    return rc;
}

static void test_list_l_survives_a_domain_without_statistics(void)
{
    add_fixture();
    add_stats();
    xl_fake.handlers[AXVM_HC_SYSCTL_STATS] = stats_without_domain_7;
    CU_ASSERT_EQUAL(xl_run("list", "-l", "7", NULL), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(
        xl_out, "07070707-0707-0707-0707-070707070707    128      -    -        -          - "
                "-\n"));
    CU_ASSERT_EQUAL(xl_run("list", "--json", "7", NULL), 0);
    CU_ASSERT(is_json(xl_out));
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\"weight\": null,"));
}

/* "key                    : value", as xl info prints it. */
static void append_field(char *buf, size_t size, const char *key, const char *value)
{
    size_t len = strlen(buf);

    snprintf(buf + len, size - len, "%-23s: %s\n", key, value);
}

static void test_info_prints_xl_fields(void)
{
    char expect[2048] = "", abi[16];
    struct utsname u;

    CU_ASSERT_EQUAL_FATAL(uname(&u), 0);
    xl_fake.physinfo.uptime_ns = 90061000000000u;
    xl_fake.physinfo.cpu_khz = 2394456;
    xl_fake.physinfo.features |= AXVM_FEATURE_X2APIC;
    append_field(expect, sizeof(expect), "host", u.nodename);
    append_field(expect, sizeof(expect), "release", u.release);
    append_field(expect, sizeof(expect), "version", u.version);
    append_field(expect, sizeof(expect), "machine", u.machine);
    append_field(expect, sizeof(expect), "arch", "x86_64");
    append_field(expect, sizeof(expect), "nr_cpus", "4");
    append_field(expect, sizeof(expect), "cpu_mhz", "2394.456");
    append_field(expect, sizeof(expect), "virt_caps", "hvm hap x2apic");
    append_field(expect, sizeof(expect), "hw_virt", "svm");
    append_field(expect, sizeof(expect), "total_memory", "1024");
    append_field(expect, sizeof(expect), "free_memory", "768");
    append_field(expect, sizeof(expect), "axvm_version", "0.1.0");
    snprintf(abi, sizeof(abi), "%d.%d", AXVM_ABI_VERSION_MAJOR, AXVM_ABI_VERSION_MINOR);
    append_field(expect, sizeof(expect), "abi_version", abi);
    append_field(expect, sizeof(expect), "uptime", "1 day, 1:01:01");
    CU_ASSERT_EQUAL(xl_run("info", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, expect);
    CU_ASSERT_STRING_EQUAL(xl_err, "");
    CU_ASSERT_EQUAL(xl_fake.nr_calls, 1);
    CU_ASSERT_EQUAL(fake_transport_count(&xl_fake, AXVM_HC_PHYSINFO), 1);
}

static void test_info_handles_other_hosts(void)
{
    xl_fake.physinfo.arch = AXVM_ARCH_ARM64;
    xl_fake.physinfo.features = 0;
    xl_fake.physinfo.free_kib = 1023; /* under a MiB: 0, as xl rounds down */
    snprintf(xl_fake.physinfo.virt, sizeof(xl_fake.physinfo.virt), "el2");
    CU_ASSERT_EQUAL(xl_run("info", NULL), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\narch                   : arm64\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\nvirt_caps              : none\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\nhw_virt                : el2\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\nfree_memory            : 0\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\nuptime                 : 0:00:00\n"));
    xl_fake.physinfo.arch = 99;
    CU_ASSERT_EQUAL(xl_run("info", NULL), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\narch                   : unknown\n"));
}

static void test_info_reports_a_failed_physinfo(void)
{
    fake_transport_fail_nr(&xl_fake, AXVM_HC_PHYSINFO, 1, -AXVM_EPERM);
    CU_ASSERT_EQUAL(xl_run("info", NULL), 1);
    CU_ASSERT_STRING_EQUAL(
        xl_err, "axvm-xl: cannot read the host's information: operation not permitted\n");
    CU_ASSERT_STRING_EQUAL(xl_out, "");
}

static void test_uptime_prints_each_domain_since_its_creation(void)
{
    xl_fake.physinfo.uptime_ns = 200000000000000u; /* 200000 s */
    xl_add_domain(0, "Domain-0", AXVM_STATE_RUNNING);
    xl_add_domain(1, "hello", AXVM_STATE_RUNNING)->created_ns = 199000000000000u;
    xl_add_domain(2, "future", AXVM_STATE_RUNNING)->created_ns = 300000000000000u;
    xl_add_domain(3, "dayold", AXVM_STATE_RUNNING)->created_ns = 113600000000000u;
    CU_ASSERT_EQUAL(xl_run("uptime", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out,
                           "Name                                        ID Uptime\n"
                           "Domain-0                                     0 2 days, 7:33:20\n"
                           "hello                                        1 0:16:40\n"
                           "future                                       2 0:00:00\n"
                           "dayold                                       3 1 day, 0:00:00\n");
    CU_ASSERT_EQUAL(xl_run("uptime", "hello", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "Name                                        ID Uptime\n"
                                   "hello                                        1 0:16:40\n");
    fake_transport_fail_nr(&xl_fake, AXVM_HC_PHYSINFO, 0, -AXVM_EIO);
    CU_ASSERT_EQUAL(xl_run("uptime", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: cannot read the host's uptime: input/output error\n");
    CU_ASSERT_STRING_EQUAL(xl_out, "");
}

static void test_vcpu_list_prints_the_statistics(void)
{
    add_fixture();
    add_stats();
    CU_ASSERT_EQUAL(xl_run("vcpu-list", "0", "1", "6", NULL), 0);
    CU_ASSERT_STRING_EQUAL(
        xl_out, "Name                                ID  VCPU   CPU State   Time(s) CPU Affinity\n"
                "Domain-0                             0     0     0   r--       7.0 all\n"
                "Domain-0                             0     1     1   -b-       0.0 1\n"
                "hello                                1     0     1   --p       1.1 0\n"
                "tested                               6     0     -   ---       0.0 all\n");
    CU_ASSERT_STRING_EQUAL(xl_err, "");
    fake_transport_fail_nr(&xl_fake, AXVM_HC_SYSCTL_STATS, 0, -AXVM_EIO);
    CU_ASSERT_EQUAL(xl_run("vcpu-list", "1", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_err,
                           "axvm-xl: warning: cannot read the statistics: input/output error\n");
    CU_ASSERT_STRING_EQUAL(
        xl_out, "Name                                ID  VCPU   CPU State   Time(s) CPU Affinity\n"
                "hello                                1     0     -   --p         - -\n");
}

/* Without statistics (ABI before 0.4): what DOMAIN_LIST gives, as before. */
static void test_vcpu_list_prints_what_the_abi_gives(void)
{
    xl_add_domain(0, "Domain-0", AXVM_STATE_RUNNING);
    xl_add_domain(1, "hello", AXVM_STATE_PAUSED)->nr_vcpus = 2;
    CU_ASSERT_EQUAL(xl_run("vcpu-list", NULL), 0);
    CU_ASSERT_STRING_EQUAL(
        xl_out, "Name                                ID  VCPU   CPU State   Time(s) CPU Affinity\n"
                "Domain-0                             0     0     -     -         - -\n"
                "hello                                1     0     -   --p         - -\n"
                "hello                                1     1     -   --p         - -\n");
    CU_ASSERT_EQUAL(xl_run("vcpu-list", "Domain-0", NULL), 0);
    CU_ASSERT_PTR_NULL(strstr(xl_out, "hello"));
    CU_ASSERT_EQUAL(xl_run("vcpu-list", "5", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: no domain with id 5\n");
    CU_ASSERT_EQUAL(xl_run("vcpu-list", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_err, ""); /* no statistics at all (-ENOSYS): nothing to warn of */
}

static void test_domid_and_domname_translate(void)
{
    xl_add_domain(0, "Domain-0", AXVM_STATE_RUNNING);
    xl_add_domain(12, "hello", AXVM_STATE_RUNNING);
    xl_add_domain(13, "42", AXVM_STATE_RUNNING);
    CU_ASSERT_EQUAL(xl_run("domid", "hello", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "12\n");
    CU_ASSERT_EQUAL(xl_run("domid", "42", NULL), 0); /* domid takes a name, even one of digits */
    CU_ASSERT_STRING_EQUAL(xl_out, "13\n");
    CU_ASSERT_EQUAL(xl_run("domname", "12", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "hello\n");
    CU_ASSERT_EQUAL(xl_run("domname", "0", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "Domain-0\n");
    CU_ASSERT_STRING_EQUAL(xl_err, "");
}

static void test_domid_and_domname_refuse_what_does_not_exist(void)
{
    static const struct {
        const char *cmd, *arg, *err;
    } cases[] = {
        {"domid", "nope", "axvm-xl: no domain named 'nope'\n"},
        {"domid", "12", "axvm-xl: no domain named '12'\n"},
        {"domid", NAME_31 "x", "axvm-xl: no domain named '" NAME_31 "x'\n"},
        {"domname", "9", "axvm-xl: no domain with id 9\n"},
        {"domname", "hello", "axvm-xl: 'hello' is not a domain id (0-32766)\n"},
        {"domname", "-1", "axvm-xl: domname: unknown option '-1' (try 'axvm-xl domname --help')\n"},
        {"domname", "32767", "axvm-xl: '32767' is not a domain id (0-32766)\n"},
        {"domname", "1x", "axvm-xl: '1x' is not a domain id (0-32766)\n"},
    };

    xl_add_domain(0, "Domain-0", AXVM_STATE_RUNNING);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        UNIT_CHECK(xl_run(cases[i].cmd, cases[i].arg, NULL) == 1, "%s %s accepted", cases[i].cmd,
                   cases[i].arg);
        UNIT_CHECK(strcmp(xl_err, cases[i].err) == 0, "%s %s said '%s'", cases[i].cmd, cases[i].arg,
                   xl_err);
        UNIT_CHECK(xl_out[0] == '\0', "%s %s printed", cases[i].cmd, cases[i].arg);
    }
    fake_transport_fail_nr(&xl_fake, AXVM_HC_DOMAIN_LIST, 0, -AXVM_EIO);
    fake_transport_fail_nr(&xl_fake, AXVM_HC_DOMAIN_GETINFO, 0, -AXVM_EIO);
    CU_ASSERT_EQUAL(xl_run("domid", "Domain-0", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err,
                           "axvm-xl: cannot look up domain 'Domain-0': input/output error\n");
    CU_ASSERT_EQUAL(xl_run("domname", "0", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: cannot look up domain 0: input/output error\n");
}

static void test_dmesg_prints_the_log(void)
{
    xl_fake.log = "(axvm) [cpu0] setup: axvm 0.1.0\n(d1) hello\n";
    CU_ASSERT_EQUAL(xl_run("dmesg", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, xl_fake.log);
    CU_ASSERT_STRING_EQUAL(xl_err, "");
    CU_ASSERT_EQUAL(fake_transport_count(&xl_fake, AXVM_HC_LOG_READ), 2); /* the text, then 0 */
    xl_fake.log = NULL;
    CU_ASSERT_EQUAL(xl_run("dmesg", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "");
}

/* The ring keeps the latest 16 KiB: dmesg prints that tail, and that is no loss to warn of. */
static void test_dmesg_prints_the_tail_of_a_full_ring(void)
{
    size_t len = FAKE_RING_SIZE * 3 + 5;
    char *log = malloc(len + 1);

    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    for (size_t i = 0; i < len; i++) {
        log[i] = (char)('a' + i % 26);
    }
    log[len] = '\0';
    xl_fake.log = log;
    CU_ASSERT_EQUAL(xl_run("dmesg", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, log + len - FAKE_RING_SIZE);
    CU_ASSERT_STRING_EQUAL(xl_err, "");
    free(log);
}

/*
 * LOG_READ for a log that grows by one line every third call, which the hypervisor has
 * overwritten 4 bytes of by the 9th call, and which fails from the 12th on.
 */
static int64_t growing_log(struct fake_transport *f, uint32_t nr, void *arg, uint32_t arg_size,
                           void *buf, uint64_t buf_size)
{
    static const char text[] = "one\ntwo\nthree\nfour\n";
    struct axvm_console_read *r = arg;
    uintptr_t call = (uintptr_t)f->handler_ctx + 1;
    uint64_t written = call / 3 * 5 < sizeof(text) - 1 ? call / 3 * 5 : sizeof(text) - 1;
    uint64_t start = r->pos, n;

    (void)nr, (void)arg_size;
    f->handler_ctx = (void *)call;
    if (call >= 12) {
        return -AXVM_EIO;
    }
    if (call == 9 && start < written) {
        start = written - 1; /* the ring dropped what lay between */
    }
    n = written > start ? written - start : 0;
    n = n < buf_size ? n : buf_size;
    memcpy(buf, text + start, n);
    r->pos = start + n;
    r->nr = n;
    r->written = written;
    return (int64_t)n;
}

static void test_dmesg_f_follows_until_an_error(void)
{
    xl_fake.handlers[AXVM_HC_LOG_READ] = growing_log;
    CU_ASSERT_EQUAL(xl_run("dmesg", "--follow", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_out, "one\ntwo\nthf");
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: warning: 4 bytes of the log lost: the ring "
                                   "overflowed\n"
                                   "axvm-xl: cannot read the hypervisor's log: input/output "
                                   "error\n");
    CU_ASSERT_EQUAL(fake_transport_count(&xl_fake, AXVM_HC_LOG_READ), 12);
}

static void test_dmesg_reports_a_failed_read(void)
{
    fake_transport_fail_nr(&xl_fake, AXVM_HC_LOG_READ, 1, -AXVM_EPERM);
    CU_ASSERT_EQUAL(xl_run("dmesg", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err,
                           "axvm-xl: cannot read the hypervisor's log: operation not permitted\n");
}

static CU_TestInfo tests[] = {
    UNIT_TEST(test_json_recogniser_refuses_broken_json),
    UNIT_TEST(test_list_prints_xl_columns_and_flags),
    UNIT_TEST(test_list_of_nothing_prints_the_heading),
    UNIT_TEST(test_list_sorts_by_id),
    UNIT_TEST(test_list_shows_the_domains_asked_for_in_that_order),
    UNIT_TEST(test_list_l_adds_uuid_max_memory_and_reason),
    UNIT_TEST(test_list_json_is_valid_with_stable_keys),
    UNIT_TEST(test_list_survives_odd_names),
    UNIT_TEST(test_list_reports_a_failed_list),
    UNIT_TEST(test_list_l_shows_the_statistics),
    UNIT_TEST(test_list_json_carries_the_statistics),
    UNIT_TEST(test_list_l_survives_a_domain_without_statistics),
    UNIT_TEST(test_info_prints_xl_fields),
    UNIT_TEST(test_info_handles_other_hosts),
    UNIT_TEST(test_info_reports_a_failed_physinfo),
    UNIT_TEST(test_uptime_prints_each_domain_since_its_creation),
    UNIT_TEST(test_vcpu_list_prints_the_statistics),
    UNIT_TEST(test_vcpu_list_prints_what_the_abi_gives),
    UNIT_TEST(test_domid_and_domname_translate),
    UNIT_TEST(test_domid_and_domname_refuse_what_does_not_exist),
    UNIT_TEST(test_dmesg_prints_the_log),
    UNIT_TEST(test_dmesg_prints_the_tail_of_a_full_ring),
    UNIT_TEST(test_dmesg_f_follows_until_an_error),
    UNIT_TEST(test_dmesg_reports_a_failed_read),
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo info = {"xl_info", NULL, NULL, xl_setup, xl_teardown, tests};
UNIT_REGISTER_SUITE(info);
