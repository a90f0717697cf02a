/* SPDX-License-Identifier: MIT */
/*
 * Suite "cmdline": hypervisor/cmdline.c. Every option with good and bad values, the warnings
 * (read back from the console capture) and the number parsers underneath.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <hv/cmdline.h>
#include <public/axvm/errno.h>
#include <host.h>
#include <unit.h>

static struct hv_options opts;

static void cmdline_setup(void)
{
    log_set_level(LOG_LEVEL_INFO);
    host_console_clear();
    memset(&opts, 0xa5, sizeof(opts)); /* parse must reset everything to defaults */
}

static bool opts_are_defaults(const struct hv_options *o)
{
    return o->console[0] == '\0' && o->loglvl == LOG_LEVEL_INFO && o->dom0_mem_bytes == 0 &&
           o->dom0_vcpus == 0 && o->selftest[0] == '\0';
}

/* Parse cmdline, which must give exactly nr_warnings warnings (one console line each). */
static void parse_expecting(const char *cmdline, unsigned int nr_warnings)
{
    unsigned int got;

    host_console_clear();
    got = cmdline_parse(cmdline, &opts);
    UNIT_CHECK(got == nr_warnings, "\"%s\": %u warnings, want %u", cmdline, got, nr_warnings);
    UNIT_CHECK(host_console_count("warning: ") == nr_warnings,
               "\"%s\": %u warning lines, want %u; console:\n%s", cmdline,
               host_console_count("warning: "), nr_warnings, host_console_text());
}

static void test_cmdline_parse_empty_null_or_blank_gives_defaults(void)
{
    static const char *const lines[] = {NULL, "", " ", "\t \n\r  "};

    for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
        memset(&opts, 0xa5, sizeof(opts));
        parse_expecting(lines[i], 0);
        UNIT_CHECK(opts_are_defaults(&opts), "case %zu: options are not the defaults", i);
    }
}

/* The 0/1 switches: both values, and anything else is refused with the previous value kept. */
static void test_cmdline_parse_switches_take_0_or_1(void)
{
    parse_expecting("sched_stress=1 guest_console_echo=1", 0);
    CU_ASSERT_TRUE(opts.sched_stress);
    CU_ASSERT_TRUE(opts.guest_console_echo);
    parse_expecting("sched_stress=1 sched_stress=0", 0);
    CU_ASSERT_FALSE(opts.sched_stress);
    parse_expecting("sched_stress=1 sched_stress=2 guest_console_echo=yes", 2);
    CU_ASSERT_TRUE(opts.sched_stress);
    CU_ASSERT_FALSE(opts.guest_console_echo);
}

static void test_cmdline_parse_resets_options_not_given(void)
{
    parse_expecting("loglvl=err", 0);
    CU_ASSERT_EQUAL(opts.loglvl, LOG_LEVEL_ERR);
    CU_ASSERT_STRING_EQUAL(opts.console, "");
    CU_ASSERT_EQUAL(opts.dom0_mem_bytes, 0);
    CU_ASSERT_EQUAL(opts.dom0_vcpus, 0);
    CU_ASSERT_STRING_EQUAL(opts.selftest, "");
}

static void test_cmdline_parse_separates_options_on_any_whitespace(void)
{
    parse_expecting("  console=com2\tloglvl=debug\n\ndom0_vcpus=2\r selftest=fault ", 0);
    CU_ASSERT_STRING_EQUAL(opts.console, "com2");
    CU_ASSERT_EQUAL(opts.loglvl, LOG_LEVEL_DEBUG);
    CU_ASSERT_EQUAL(opts.dom0_vcpus, 2);
    CU_ASSERT_STRING_EQUAL(opts.selftest, "fault");
}

static void test_cmdline_parse_console_sets_name(void)
{
    static const char *const names[] = {"com1", "pl011", "none", "x", "fifteen-chars-x"};
    char line[64];

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        snprintf(line, sizeof(line), "console=%s", names[i]);
        parse_expecting(line, 0);
        UNIT_CHECK(strcmp(opts.console, names[i]) == 0, "\"%s\": console \"%s\"", line,
                   opts.console);
    }
}

static void test_cmdline_parse_selftest_sets_name(void)
{
    parse_expecting("selftest=fault", 0);
    CU_ASSERT_STRING_EQUAL(opts.selftest, "fault");
    parse_expecting("selftest=fifteen-chars-x", 0);
    CU_ASSERT_STRING_EQUAL(opts.selftest, "fifteen-chars-x");
}

/* A bad value after a good one: one warning naming the token, and the good value stays. */
static void test_cmdline_parse_bad_string_value_keeps_previous(void)
{
    static const struct {
        const char *line, *bad_token, *console, *selftest;
    } cases[] = {
        {"console=com1 console=", "'console='", "com1", ""},
        {"console=com1 console=sixteen-chars-xx", "'console=sixteen-chars-xx'", "com1", ""},
        {"selftest=fault selftest=", "'selftest='", "", "fault"},
        {"selftest=fault selftest=sixteen-chars-xx", "'selftest=sixteen-chars-xx'", "", "fault"},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        parse_expecting(cases[i].line, 1);
        UNIT_CHECK(host_console_count(cases[i].bad_token) == 1, "\"%s\": warning does not name %s",
                   cases[i].line, cases[i].bad_token);
        UNIT_CHECK(strcmp(opts.console, cases[i].console) == 0 &&
                       strcmp(opts.selftest, cases[i].selftest) == 0,
                   "\"%s\": console \"%s\", selftest \"%s\"", cases[i].line, opts.console,
                   opts.selftest);
    }
}

static void test_cmdline_parse_loglvl_accepts_names_and_numbers(void)
{
    static const struct {
        const char *line;
        enum log_level level;
    } cases[] = {
        {"loglvl=none", LOG_LEVEL_NONE},    {"loglvl=err", LOG_LEVEL_ERR},
        {"loglvl=error", LOG_LEVEL_ERR},    {"loglvl=warn", LOG_LEVEL_WARN},
        {"loglvl=warning", LOG_LEVEL_WARN}, {"loglvl=info", LOG_LEVEL_INFO},
        {"loglvl=debug", LOG_LEVEL_DEBUG},  {"loglvl=all", LOG_LEVEL_DEBUG},
        {"loglvl=0", LOG_LEVEL_NONE},       {"loglvl=1", LOG_LEVEL_ERR},
        {"loglvl=2", LOG_LEVEL_WARN},       {"loglvl=3", LOG_LEVEL_INFO},
        {"loglvl=4", LOG_LEVEL_DEBUG},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        parse_expecting(cases[i].line, 0);
        UNIT_CHECK(opts.loglvl == cases[i].level, "\"%s\": level %d, want %d", cases[i].line,
                   (int)opts.loglvl, (int)cases[i].level);
    }
}

static void test_cmdline_parse_loglvl_rejects_bad_level_and_keeps_previous(void)
{
    static const char *const values[] = {"5", "-1", "verbose", "", "1x", "infox", "inf"};
    char line[64];

    for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
        snprintf(line, sizeof(line), "loglvl=debug loglvl=%s", values[i]);
        parse_expecting(line, 1);
        UNIT_CHECK(opts.loglvl == LOG_LEVEL_DEBUG, "\"%s\": level %d, want debug kept", line,
                   (int)opts.loglvl);
    }
}

static void test_cmdline_parse_dom0_mem_accepts_sizes(void)
{
    static const struct {
        const char *value;
        uint64_t bytes;
    } cases[] = {
        {"1M", MIB(1)},       {"1m", MIB(1)},
        {"1024K", MIB(1)},    {"1024k", MIB(1)},
        {"512M", MIB(512)},   {"2G", GIB(2)},
        {"2g", GIB(2)},       {"1T", GIB(1024)},
        {"3t", GIB(3072)},    {"1048576", MIB(1)},
        {"0x100000", MIB(1)}, {"0X40000000", GIB(1)},
        {"0x10M", MIB(16)},   {"16777215T", (uint64_t)16777215 << 40},
    };
    char line[64];

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        snprintf(line, sizeof(line), "dom0_mem=%s", cases[i].value);
        parse_expecting(line, 0);
        UNIT_CHECK(opts.dom0_mem_bytes == cases[i].bytes, "\"%s\": %llu bytes, want %llu", line,
                   (unsigned long long)opts.dom0_mem_bytes, (unsigned long long)cases[i].bytes);
    }
}

static void test_cmdline_parse_dom0_mem_rejects_bad_sizes_and_keeps_previous(void)
{
    static const char *const values[] = {
        "",     "M",    "1X",      "1MB",       "-1M",
        "+1M",  "1.5G", "0x",      "0xG",       "1 ",
        "512K", "1",    "1048575", "16777216T", "99999999999999999999",
    };
    char line[64];

    for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
        snprintf(line, sizeof(line), "dom0_mem=2G dom0_mem=%s", values[i]);
        parse_expecting(line, 1);
        UNIT_CHECK(opts.dom0_mem_bytes == GIB(2), "\"%s\": %llu bytes, want 2G kept", line,
                   (unsigned long long)opts.dom0_mem_bytes);
    }
}

static void test_cmdline_parse_dom0_vcpus_accepts_1_to_nr_cpus(void)
{
    char line[64];

    for (unsigned int n = 1; n <= CONFIG_NR_CPUS; n++) {
        snprintf(line, sizeof(line), "dom0_vcpus=%u", n);
        parse_expecting(line, 0);
        UNIT_CHECK(opts.dom0_vcpus == n, "\"%s\": %u vcpus", line, opts.dom0_vcpus);
    }
}

static void test_cmdline_parse_dom0_vcpus_rejects_out_of_range(void)
{
    char too_many[32];
    const char *values[] = {"0",         too_many, "x", "", "-1", "1x", "18446744073709551617",
                            "4294967297"};
    char line[64];

    snprintf(too_many, sizeof(too_many), "%u", CONFIG_NR_CPUS + 1);
    for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
        snprintf(line, sizeof(line), "dom0_vcpus=3 dom0_vcpus=%s", values[i]);
        parse_expecting(line, 1);
        UNIT_CHECK(opts.dom0_vcpus == 3, "\"%s\": %u vcpus, want 3 kept", line, opts.dom0_vcpus);
    }
}

static void test_cmdline_parse_unknown_option_is_warned_by_name_and_ignored(void)
{
    static const char *const tokens[] = {"foo=bar",       "foo",          "=x",
                                         "consolex=com1", "loglvl:debug", "dom0_memory=1G"};
    char want[64];

    for (size_t i = 0; i < ARRAY_SIZE(tokens); i++) {
        parse_expecting(tokens[i], 1);
        snprintf(want, sizeof(want), "unknown option '%s'", tokens[i]);
        UNIT_CHECK(host_console_count(want) == 1, "\"%s\": no \"%s\" in:\n%s", tokens[i], want,
                   host_console_text());
        UNIT_CHECK(opts_are_defaults(&opts), "\"%s\" changed an option", tokens[i]);
    }
}

static void test_cmdline_parse_option_without_value_is_warned(void)
{
    static const char *const names[] = {"console", "loglvl", "dom0_mem", "dom0_vcpus", "selftest"};
    char want[64];

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        parse_expecting(names[i], 1);
        snprintf(want, sizeof(want), "'%s' needs a value", names[i]);
        UNIT_CHECK(host_console_count(want) == 1, "\"%s\": no \"%s\" in:\n%s", names[i], want,
                   host_console_text());
        UNIT_CHECK(opts_are_defaults(&opts), "\"%s\" changed an option", names[i]);
    }
}

static void test_cmdline_parse_bad_value_warning_names_option_and_value(void)
{
    parse_expecting("loglvl=loud", 1);
    CU_ASSERT_EQUAL(host_console_count("cmdline: warning: 'loglvl=loud'"), 1);
    parse_expecting("dom0_mem=16777216T", 1);
    CU_ASSERT_EQUAL(host_console_count("'dom0_mem=16777216T'"), 1);
}

static void test_cmdline_parse_last_occurrence_wins(void)
{
    parse_expecting("console=com1 loglvl=err dom0_mem=1G dom0_vcpus=1 selftest=a "
                    "console=com2 loglvl=debug dom0_mem=2G dom0_vcpus=4 selftest=b",
                    0);
    CU_ASSERT_STRING_EQUAL(opts.console, "com2");
    CU_ASSERT_EQUAL(opts.loglvl, LOG_LEVEL_DEBUG);
    CU_ASSERT_EQUAL(opts.dom0_mem_bytes, GIB(2));
    CU_ASSERT_EQUAL(opts.dom0_vcpus, 4);
    CU_ASSERT_STRING_EQUAL(opts.selftest, "b");
}

static void test_cmdline_parse_returns_number_of_warnings(void)
{
    static const struct {
        const char *line;
        unsigned int warnings;
    } cases[] = {
        {"console=com1", 0},
        {"foo", 1},
        {"foo bar=1 loglvl=9 dom0_vcpus=0 console=com1", 4},
        {"console console= loglvl= dom0_mem=1 selftest=", 5},
        {"a b c d e f g h i j", 10},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        parse_expecting(cases[i].line, cases[i].warnings);
    }
}

static void test_cmdline_parse_fills_hv_opts(void)
{
    CU_ASSERT_EQUAL(cmdline_parse("dom0_vcpus=2 console=com1", &hv_opts), 0);
    CU_ASSERT_EQUAL(hv_opts.dom0_vcpus, 2);
    CU_ASSERT_STRING_EQUAL(hv_opts.console, "com1");
    cmdline_parse(NULL, &hv_opts);
    CU_ASSERT(opts_are_defaults(&hv_opts));
}

struct number_case {
    const char *s;
    int rc;
    uint64_t value; /* when rc == 0 */
};

static void check_number_cases(int (*parse)(const char *, size_t, uint64_t *), const char *what,
                               const struct number_case *cases, size_t nr)
{
    for (size_t i = 0; i < nr; i++) {
        uint64_t out = 0x5555;
        int rc = parse(cases[i].s, strlen(cases[i].s), &out);

        UNIT_CHECK(rc == cases[i].rc, "%s(\"%s\"): rc %d, want %d", what, cases[i].s, rc,
                   cases[i].rc);
        UNIT_CHECK(rc != 0 || out == cases[i].value, "%s(\"%s\"): %llu, want %llu", what,
                   cases[i].s, (unsigned long long)out, (unsigned long long)cases[i].value);
    }
}

static void test_cmdline_parse_size_accepts_numbers_with_suffixes(void)
{
    static const struct number_case cases[] = {
        {"0", 0, 0},
        {"4096", 0, 4096},
        {"1k", 0, KIB(1)},
        {"1K", 0, KIB(1)},
        {"3M", 0, MIB(3)},
        {"5g", 0, GIB(5)},
        {"2T", 0, GIB(2048)},
        {"0x1000", 0, 4096},
        {"0xfK", 0, KIB(15)},
        {"0XAbCdEf", 0, 0xabcdef},
        {"18446744073709551615", 0, UINT64_MAX},
        {"0xffffffffffffffff", 0, UINT64_MAX},
        {"16777215T", 0, (uint64_t)16777215 << 40},
        {"17179869183G", 0, (uint64_t)17179869183 << 30},
        {"0K", 0, 0},
    };

    check_number_cases(cmdline_parse_size, "cmdline_parse_size", cases, ARRAY_SIZE(cases));
}

static void test_cmdline_parse_size_rejects_garbage_with_einval(void)
{
    static const struct number_case cases[] = {
        {"", -AXVM_EINVAL, 0},     {"K", -AXVM_EINVAL, 0},   {"x", -AXVM_EINVAL, 0},
        {"0x", -AXVM_EINVAL, 0},   {"0xg", -AXVM_EINVAL, 0}, {"1KK", -AXVM_EINVAL, 0},
        {"1 ", -AXVM_EINVAL, 0},   {" 1", -AXVM_EINVAL, 0},  {"1.5G", -AXVM_EINVAL, 0},
        {"+1", -AXVM_EINVAL, 0},   {"-1", -AXVM_EINVAL, 0},  {"1Kb", -AXVM_EINVAL, 0},
        {"1P", -AXVM_EINVAL, 0},   {"1B", -AXVM_EINVAL, 0},  {"1@", -AXVM_EINVAL, 0},
        {"12 M", -AXVM_EINVAL, 0},
    };

    check_number_cases(cmdline_parse_size, "cmdline_parse_size", cases, ARRAY_SIZE(cases));
}

static void test_cmdline_parse_size_overflow_returns_erange(void)
{
    static const struct number_case cases[] = {
        {"18446744073709551616", -AXVM_ERANGE, 0}, {"99999999999999999999999", -AXVM_ERANGE, 0},
        {"0x10000000000000000", -AXVM_ERANGE, 0},  {"16777216T", -AXVM_ERANGE, 0},
        {"17179869184G", -AXVM_ERANGE, 0},         {"17592186044416M", -AXVM_ERANGE, 0},
        {"18014398509481984K", -AXVM_ERANGE, 0},   {"0xffffffffffffffffK", -AXVM_ERANGE, 0},
    };

    check_number_cases(cmdline_parse_size, "cmdline_parse_size", cases, ARRAY_SIZE(cases));
}

static void test_cmdline_parse_size_reads_only_len_characters(void)
{
    uint64_t out = 0;

    CU_ASSERT_EQUAL(cmdline_parse_size("12Mxyz", 3, &out), 0);
    CU_ASSERT_EQUAL(out, MIB(12));
    CU_ASSERT_EQUAL(cmdline_parse_size("1234", 2, &out), 0);
    CU_ASSERT_EQUAL(out, 12);
    CU_ASSERT_EQUAL(cmdline_parse_size("7", 0, &out), -AXVM_EINVAL);
}

static void test_cmdline_parse_u64_parses_whole_string(void)
{
    static const struct number_case cases[] = {
        {"0", 0, 0},
        {"007", 0, 7},
        {"123", 0, 123},
        {"0x1f", 0, 0x1f},
        {"0XFF", 0, 0xff},
        {"18446744073709551615", 0, UINT64_MAX},
        {"0xFFFFFFFFFFFFFFFF", 0, UINT64_MAX},
        {"18446744073709551616", -AXVM_ERANGE, 0},
        {"0x1ffffffffffffffff", -AXVM_ERANGE, 0},
        {"", -AXVM_EINVAL, 0},
        {"12a", -AXVM_EINVAL, 0},
        {"1K", -AXVM_EINVAL, 0},
        {"0x", -AXVM_EINVAL, 0},
        {"-1", -AXVM_EINVAL, 0},
        {"1 ", -AXVM_EINVAL, 0},
    };

    check_number_cases(cmdline_parse_u64, "cmdline_parse_u64", cases, ARRAY_SIZE(cases));
}

static CU_TestInfo cmdline_tests[] = {
    UNIT_TEST(test_cmdline_parse_empty_null_or_blank_gives_defaults),
    UNIT_TEST(test_cmdline_parse_resets_options_not_given),
    UNIT_TEST(test_cmdline_parse_separates_options_on_any_whitespace),
    UNIT_TEST(test_cmdline_parse_console_sets_name),
    UNIT_TEST(test_cmdline_parse_selftest_sets_name),
    UNIT_TEST(test_cmdline_parse_bad_string_value_keeps_previous),
    UNIT_TEST(test_cmdline_parse_loglvl_accepts_names_and_numbers),
    UNIT_TEST(test_cmdline_parse_loglvl_rejects_bad_level_and_keeps_previous),
    UNIT_TEST(test_cmdline_parse_dom0_mem_accepts_sizes),
    UNIT_TEST(test_cmdline_parse_dom0_mem_rejects_bad_sizes_and_keeps_previous),
    UNIT_TEST(test_cmdline_parse_dom0_vcpus_accepts_1_to_nr_cpus),
    UNIT_TEST(test_cmdline_parse_dom0_vcpus_rejects_out_of_range),
    UNIT_TEST(test_cmdline_parse_unknown_option_is_warned_by_name_and_ignored),
    UNIT_TEST(test_cmdline_parse_option_without_value_is_warned),
    UNIT_TEST(test_cmdline_parse_bad_value_warning_names_option_and_value),
    UNIT_TEST(test_cmdline_parse_last_occurrence_wins),
    UNIT_TEST(test_cmdline_parse_switches_take_0_or_1),
    UNIT_TEST(test_cmdline_parse_returns_number_of_warnings),
    UNIT_TEST(test_cmdline_parse_fills_hv_opts),
    UNIT_TEST(test_cmdline_parse_size_accepts_numbers_with_suffixes),
    UNIT_TEST(test_cmdline_parse_size_rejects_garbage_with_einval),
    UNIT_TEST(test_cmdline_parse_size_overflow_returns_erange),
    UNIT_TEST(test_cmdline_parse_size_reads_only_len_characters),
    UNIT_TEST(test_cmdline_parse_u64_parses_whole_string),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_cmdline = {"cmdline", NULL, NULL, cmdline_setup, NULL, cmdline_tests};
UNIT_REGISTER_SUITE(unit_suite_cmdline);
