/* SPDX-License-Identifier: MIT */
/*
 * Suite "config_value": the loader's value parsers (toolstack/config/value.c) case by case:
 * numbers, libvirt's memory units and cpusets, UUIDs, access strings; and every memory unit
 * through domain_config_load(), as an operator writes it.
 */
#include <stdio.h>
#include <string.h>
#include <config/internal.h>
#include <public/axvm/errno.h>
#include <unit.h>
#include "fake_dom0.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define EINVAL_       (-AXVM_EINVAL)
#define ERANGE_       (-AXVM_ERANGE)

static void test_value_parse_u64_takes_decimal_and_hex_only(void)
{
    static const struct {
        const char *s;
        int rc;
        uint64_t v;
    } cases[] = {
        {"0", 0, 0},
        {"4096", 0, 4096},
        {"010", 0, 10}, /* never octal */
        {"0x1000", 0, 0x1000},
        {"0X1f", 0, 0x1f},
        {" \t\n16\r\n ", 0, 16},
        {"18446744073709551615", 0, UINT64_MAX},
        {"0xffffffffffffffff", 0, UINT64_MAX},
        {"0x0000000000000000000001", 0, 1},
        {"18446744073709551616", ERANGE_, 0},
        {"0x10000000000000000", ERANGE_, 0},
        {"123456789012345678901234567890", ERANGE_, 0},
        {"", EINVAL_, 0},
        {"   ", EINVAL_, 0},
        {"-1", EINVAL_, 0},
        {"+1", EINVAL_, 0},
        {"12abc", EINVAL_, 0},
        {"1e30", EINVAL_, 0},
        {"1.5", EINVAL_, 0},
        {"0x", EINVAL_, 0},
        {"0xg", EINVAL_, 0},
        {"1 2", EINVAL_, 0},
        {"١٢", EINVAL_, 0}, /* Arabic-Indic digits */
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint64_t v = 0;
        int rc = value_parse_u64(cases[i].s, &v);

        UNIT_CHECK(rc == cases[i].rc && (rc || v == cases[i].v), "\"%s\": rc %d, value %llu",
                   cases[i].s, rc, (unsigned long long)v);
    }
}

static void test_value_unit_bytes_follows_libvirt(void)
{
    static const struct {
        const char *unit;
        uint64_t bytes;
    } cases[] = {
        {NULL, 1024},          {"b", 1},
        {"bytes", 1},          {"KiB", 1024},
        {"k", 1024},           {"MiB", 1ull << 20},
        {"M", 1ull << 20},     {"GiB", 1ull << 30},
        {"G", 1ull << 30},     {"TiB", 1ull << 40},
        {"T", 1ull << 40},     {"KB", 1000},
        {"MB", 1000000},       {"GB", 1000000000},
        {"TB", 1000000000000},
    };
    static const char *const unknown[] = {"", "kb", "K", "kib", "mb", "B", "PiB", "KiB "};

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint64_t bytes = 0;
        int rc = value_unit_bytes(cases[i].unit, &bytes);

        UNIT_CHECK(rc == 0 && bytes == cases[i].bytes, "unit %s: rc %d, %llu bytes",
                   cases[i].unit ? cases[i].unit : "(none)", rc, (unsigned long long)bytes);
    }
    for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
        uint64_t bytes = 0;

        UNIT_CHECK(value_unit_bytes(unknown[i], &bytes) == EINVAL_, "unit \"%s\" accepted",
                   unknown[i]);
    }
}

static void test_value_parse_cpuset_follows_libvirt(void)
{
    static const struct {
        const char *s;
        int rc;
        uint64_t mask;
        const char *bad; /* where *bad points, for EINVAL */
    } cases[] = {
        {"0", 0, 0x1, NULL},
        {"0-3", 0, 0xf, NULL},
        {"0-3,^2", 0, 0xb, NULL},
        {"0-3,^2,5", 0, 0x2b, NULL},
        {"^2,0-3", 0, 0xf, NULL}, /* exclusions apply in order, as libvirt does */
        {"63", 0, 1ull << 63, NULL},
        {"0-63", 0, UINT64_MAX, NULL},
        {" 1,2 ", 0, 0x6, NULL},
        {"1,1", 0, 0x2, NULL},
        {"64", ERANGE_, 0, NULL},
        {"0-64", ERANGE_, 0, NULL},
        {"", EINVAL_, 0, ""},
        {"x", EINVAL_, 0, "x"},
        {"0-3,x", EINVAL_, 0, "x"},
        {"3-1", EINVAL_, 0, "3-1"},
        {"1,", EINVAL_, 0, ""},
        {",1", EINVAL_, 0, ",1"},
        {"^1-3", EINVAL_, 0, "^1-3"},
        {"1--3", EINVAL_, 0, "1--3"},
        {"-1", EINVAL_, 0, "-1"},
        {"1 ,2", EINVAL_, 0, "1 ,2"},
        {"99999999999999999999", EINVAL_, 0, "99999999999999999999"},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint64_t mask = 0, cpu = 0;
        const char *bad = NULL;
        int rc = value_parse_cpuset(cases[i].s, &mask, &bad, &cpu);
        bool ok = rc == cases[i].rc && (rc || mask == cases[i].mask) &&
                  (rc != EINVAL_ || strcmp(bad, cases[i].bad) == 0) && (rc != ERANGE_ || cpu == 64);

        UNIT_CHECK(ok, "\"%s\": rc %d, mask 0x%llx, bad \"%s\"", cases[i].s, rc,
                   (unsigned long long)mask, rc == EINVAL_ ? bad : "");
    }
}

static void test_value_parse_uuid_takes_rfc4122_text(void)
{
    static const uint8_t want[16] = {0x6c, 0x3a, 0x1f, 0x2e, 0x8d, 0x4b, 0x4f, 0x7a,
                                     0x9e, 0x21, 0x3b, 0x5c, 0x7d, 0x9f, 0x0a, 0x14};
    static const char *const good[] = {"6c3a1f2e-8d4b-4f7a-9e21-3b5c7d9f0a14",
                                       "6C3A1F2E-8D4B-4F7A-9E21-3B5C7D9F0A14",
                                       "  6c3a1f2e-8d4b-4f7a-9e21-3b5c7d9f0a14\n"};
    static const char *const bad[] = {
        "",
        "6c3a1f2e-8d4b-4f7a-9e21-3b5c7d9f0a1",
        "6c3a1f2e-8d4b-4f7a-9e21-3b5c7d9f0a145",
        "6c3a1f2e8d4b4f7a9e213b5c7d9f0a14",
        "6c3a1f2e-8d4b-4f7a-9e21_3b5c7d9f0a14",
        "gc3a1f2e-8d4b-4f7a-9e21-3b5c7d9f0a14",
        "{6c3a1f2e-8d4b-4f7a-9e21-3b5c7d9f0a14}",
    };
    uint8_t uuid[16];

    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        memset(uuid, 0, sizeof(uuid));
        UNIT_CHECK(value_parse_uuid(good[i], uuid) == 0 && memcmp(uuid, want, 16) == 0,
                   "\"%s\" refused or misread", good[i]);
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        UNIT_CHECK(value_parse_uuid(bad[i], uuid) == EINVAL_, "\"%s\" accepted", bad[i]);
    }
}

static void test_value_random_uuid_is_version_4(void)
{
    uint8_t a[16], b[16];

    UNIT_CHECK(value_random_uuid(a) == 0 && value_random_uuid(b) == 0, "no randomness");
    UNIT_CHECK(memcmp(a, b, 16) != 0, "two random UUIDs are equal");
    UNIT_CHECK((a[6] >> 4) == 4 && (a[8] >> 6) == 2, "version %u, variant %u", a[6] >> 4,
               a[8] >> 6);
}

static void test_value_parse_access_takes_readable_forms(void)
{
    static const struct {
        const char *s;
        int rc;
        unsigned int bits;
    } cases[] = {
        {"r", 0, DC_ACCESS_R},
        {"rw", 0, DC_ACCESS_R | DC_ACCESS_W},
        {"rx", 0, DC_ACCESS_R | DC_ACCESS_X},
        {"rwx", 0, DC_ACCESS_R | DC_ACCESS_W | DC_ACCESS_X},
        {"", EINVAL_, 0},
        {"w", EINVAL_,
         0}, /* write-only: an EPT misconfiguration (Intel SDM vol. 3C, "EPT Misconfigurations") */
        {"x", EINVAL_, 0},
        {"wr", EINVAL_, 0},
        {"RWX", EINVAL_, 0},
        {"rwxr", EINVAL_, 0},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        unsigned int bits = 0;
        int rc = value_parse_access(cases[i].s, &bits);

        UNIT_CHECK(rc == cases[i].rc && (rc || bits == cases[i].bits), "\"%s\": rc %d, bits %u",
                   cases[i].s, rc, bits);
    }
}

/* <memory> in every unit, through the loader: what an operator writes, in bytes. */
static void test_domain_config_load_reads_every_memory_unit(void)
{
    static const struct {
        const char *memory;
        uint64_t bytes;
    } cases[] = {
        {"<memory>16384</memory>", 16ull << 20},
        {"<memory unit='b'>4096</memory>", 4096},
        {"<memory unit='bytes'>0x1000000</memory>", 16ull << 20},
        {"<memory unit='k'>8</memory>", 8192},
        {"<memory unit='KiB'>8</memory>", 8192},
        {"<memory unit='M'>16</memory>", 16ull << 20},
        {"<memory unit='MiB'> 16 </memory>", 16ull << 20},
        {"<memory unit='G'>1</memory>", 1ull << 30},
        {"<memory unit='GiB'>3</memory>", 3ull << 30},
        {"<memory unit='T'>1</memory>", 1ull << 40},
        {"<memory unit='TiB'>255</memory>", 255ull << 40},
        {"<memory unit='KB'>4096</memory>", 4096000},
        {"<memory unit='MB'>128</memory>", 128000000},
        {"<memory unit='GB'>8</memory>", 8000000000},
        {"<memory unit='TB'>1</memory>", 1000000000000},
    };
    char dir[FAKE_PATH_MAX], body[512], path[FAKE_PATH_MAX];

    UNIT_CHECK(fake_dom0_tmpdir(dir, "units") == 0 && fake_dom0_put(dir, "k", "k", 1) == 0,
               "cannot stage");
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct domain_config *cfg = NULL;
        struct config_error err = {0};
        int rc;

        snprintf(body, sizeof(body),
                 "<domain type='axvm'><name>u</name>%s<os><type arch='x86_64'>multiboot</type>"
                 "<kernel>k</kernel></os></domain>",
                 cases[i].memory);
        fake_dom0_put(dir, "units.xml", body, strlen(body));
        rc = domain_config_load(fake_dom0_path(path, dir, "units.xml"),
                                fake_dom0_source("xml/schema/axvm-domain.rng"), &cfg, &err);
        UNIT_CHECK(rc == 0 && cfg->memory_bytes == cases[i].bytes, "%s: %llu bytes (%s)",
                   cases[i].memory, rc == 0 ? (unsigned long long)cfg->memory_bytes : 0ull,
                   rc == 0 ? "loaded" : err.message);
        domain_config_free(cfg);
    }
    fake_dom0_remove(dir);
}

static CU_TestInfo value_tests[] = {
    UNIT_TEST(test_value_parse_u64_takes_decimal_and_hex_only),
    UNIT_TEST(test_value_unit_bytes_follows_libvirt),
    UNIT_TEST(test_value_parse_cpuset_follows_libvirt),
    UNIT_TEST(test_value_parse_uuid_takes_rfc4122_text),
    UNIT_TEST(test_value_random_uuid_is_version_4),
    UNIT_TEST(test_value_parse_access_takes_readable_forms),
    UNIT_TEST(test_domain_config_load_reads_every_memory_unit),
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo value_suite = {
    "config_value", NULL, NULL, NULL, NULL, value_tests,
};
UNIT_REGISTER_SUITE(value_suite);
