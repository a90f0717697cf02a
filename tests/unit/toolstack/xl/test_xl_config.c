/* SPDX-License-Identifier: MIT */
/*
 * Suite "xl_config": axvm-xl config-check runs each file through the loader, says "FILE: ok"
 * or the loader's "FILE:LINE: message", fails if any file was refused, and never needs the
 * hypervisor.
 */
#include <stdlib.h>
#include <string.h>
#include "test_xl.h"

static const char not_well_formed[] = "<domain type=\"axvm\">\n"
                                      "  <name>x</name>\n"
                                      "  <memory>12\n"
                                      "</domain>\n";

static unsigned int count_lines(const char *s)
{
    unsigned int n = 0;

    for (; *s; s++) {
        n += *s == '\n';
    }
    return n;
}

static void test_config_check_accepts_a_good_file(void)
{
    const char *good = xl_good_config();
    char expect[300];

    snprintf(expect, sizeof(expect), "%s: ok\n", good);
    CU_ASSERT_EQUAL(xl_run("config-check", good, NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, expect);
    CU_ASSERT_STRING_EQUAL(xl_err, "");
    CU_ASSERT_EQUAL(xl_fake.nr_calls, 0);
}

static void test_config_check_prints_file_and_line_of_a_problem(void)
{
    const char *bad = xl_write_file("bad.xml", not_well_formed);
    char prefix[300];

    snprintf(prefix, sizeof(prefix), "%s:4: ", bad);
    CU_ASSERT_EQUAL(xl_run("config-check", bad, NULL), 1);
    UNIT_CHECK(strncmp(xl_err, prefix, strlen(prefix)) == 0, "said '%s'", xl_err);
    CU_ASSERT(xl_is_one_line(xl_err));
    CU_ASSERT_STRING_EQUAL(xl_out, "");
}

/* A schema violation and a semantic error each come with their line. */
static void test_config_check_reports_schema_and_semantic_problems(void)
{
    static const struct {
        const char *text;
        int line;
    } cases[] = {
        {"<domain type=\"axvm\">\n"
         "  <name>x</name>\n"
         "  <memory unit=\"MiB\">4</memory>\n"
         "  <os>\n"
         "    <type arch=\"x86_64\">raw</type>\n"
         "    <kernel>raw.bin</kernel>\n"
         "    <load address=\"0x100000\"/>\n"
         "  </os>\n"
         "  <bogus/>\n"
         "</domain>\n",
         9},
        {"<domain type=\"axvm\">\n"
         "  <name>big</name>\n"
         "  <memory unit=\"KiB\">4097</memory>\n"
         "  <os>\n"
         "    <type arch=\"x86_64\">raw</type>\n"
         "    <kernel>raw.bin</kernel>\n"
         "    <load address=\"0x100000\"/>\n"
         "  </os>\n"
         "</domain>\n",
         3},
    };

    xl_good_config(); /* raw.bin */
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *path = xl_write_file(i ? "semantic.xml" : "schema.xml", cases[i].text);
        char prefix[300];

        snprintf(prefix, sizeof(prefix), "%s:%d: ", path, cases[i].line);
        UNIT_CHECK(xl_run("config-check", path, NULL) == 1, "case %zu accepted", i);
        UNIT_CHECK(strncmp(xl_err, prefix, strlen(prefix)) == 0, "case %zu said '%s'", i, xl_err);
        UNIT_CHECK(xl_is_one_line(xl_err), "case %zu: not one line", i);
    }
}

static void test_config_check_checks_every_file_and_fails_if_any_failed(void)
{
    const char *good = xl_good_config();
    const char *bad = xl_write_file("bad.xml", not_well_formed);
    char expect[700];

    snprintf(expect, sizeof(expect), "%s: ok\n%s: ok\n", good, good);
    CU_ASSERT_EQUAL(xl_run("config-check", good, bad, "/nonexistent.xml", good, NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_out, expect);
    /* One line per refused file, in order. */
    CU_ASSERT(strncmp(xl_err, bad, strlen(bad)) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_err, "\n/nonexistent.xml"));
    CU_ASSERT_EQUAL(count_lines(xl_err), 2);
    CU_ASSERT_EQUAL(xl_run("config-check", good, good, NULL), 0);
}

static void test_config_check_needs_no_hypervisor(void)
{
    const char *good = xl_good_config();

    xl_opt.real_transport = true;
    setenv("AXVM_DEVICE", "/nonexistent", 1);
    CU_ASSERT_EQUAL(xl_run("config-check", good, NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_err, "");
}

static CU_TestInfo tests[] = {
    UNIT_TEST(test_config_check_accepts_a_good_file),
    UNIT_TEST(test_config_check_prints_file_and_line_of_a_problem),
    UNIT_TEST(test_config_check_reports_schema_and_semantic_problems),
    UNIT_TEST(test_config_check_checks_every_file_and_fails_if_any_failed),
    UNIT_TEST(test_config_check_needs_no_hypervisor),
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo info = {"xl_config", NULL, NULL, xl_setup, xl_teardown, tests};
UNIT_REGISTER_SUITE(info);
