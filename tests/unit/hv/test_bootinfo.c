/* SPDX-License-Identifier: MIT */
/*
 * Suite "bootinfo": hypervisor/bootinfo.c, the arch-neutral boot information. Capacity limits,
 * string copies and the usable-RAM total.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <hv/bootinfo.h>
#include <hv/log.h>
#include <public/axvm/errno.h>
#include <host.h>
#include <unit.h>

static struct boot_info bi;

static void bootinfo_setup(void)
{
    memset(&bi, 0xa5, sizeof(bi));
    bootinfo_init(&bi);
    log_set_level(LOG_LEVEL_INFO);
    host_console_clear();
}

static void test_bootinfo_init_empties_and_sets_cmdline_empty(void)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(bi.cmdline);
    CU_ASSERT_STRING_EQUAL(bi.cmdline, "");
    CU_ASSERT_EQUAL(bi.nr_mem, 0);
    CU_ASSERT_EQUAL(bi.nr_modules, 0);
    CU_ASSERT_EQUAL(bi.nr_reserved, 0);
    CU_ASSERT_EQUAL(bi.arch.rsdp_len, 0);
    CU_ASSERT_EQUAL(bootinfo_usable_bytes(&bi), 0);
}

static void test_bootinfo_add_mem_appends_ranges(void)
{
    CU_ASSERT_EQUAL(bootinfo_add_mem(&bi, 0x1000, 0x9f000, MEM_USABLE), 0);
    CU_ASSERT_EQUAL(bootinfo_add_mem(&bi, 0xe0000, 0x20000, MEM_RESERVED), 0);
    CU_ASSERT_EQUAL(bootinfo_add_mem(&bi, 0x7fee0000, 0x10000, MEM_ACPI_NVS), 0);
    CU_ASSERT_EQUAL_FATAL(bi.nr_mem, 3);
    CU_ASSERT_EQUAL(bi.mem[0].base, 0x1000);
    CU_ASSERT_EQUAL(bi.mem[0].size_bytes, 0x9f000);
    CU_ASSERT_EQUAL(bi.mem[0].type, MEM_USABLE);
    CU_ASSERT_EQUAL(bi.mem[1].type, MEM_RESERVED);
    CU_ASSERT_EQUAL(bi.mem[2].base, 0x7fee0000);
    CU_ASSERT_EQUAL(bi.mem[2].type, MEM_ACPI_NVS);
}

static void test_bootinfo_add_mem_ignores_size_0(void)
{
    CU_ASSERT_EQUAL(bootinfo_add_mem(&bi, 0x1000, 0, MEM_USABLE), 0);
    CU_ASSERT_EQUAL(bi.nr_mem, 0);
}

static void test_bootinfo_add_mem_full_map_returns_enospc(void)
{
    for (unsigned int i = 0; i < BOOT_MAX_MEM_RANGES; i++) {
        UNIT_CHECK(bootinfo_add_mem(&bi, MIB(i), KIB(4), MEM_USABLE) == 0, "range %u refused", i);
    }
    CU_ASSERT_EQUAL(bootinfo_add_mem(&bi, GIB(1), KIB(4), MEM_USABLE), -AXVM_ENOSPC);
    CU_ASSERT_EQUAL(bi.nr_mem, BOOT_MAX_MEM_RANGES);
    CU_ASSERT_EQUAL(bi.mem[BOOT_MAX_MEM_RANGES - 1].base, MIB(BOOT_MAX_MEM_RANGES - 1));
}

/* A range that would wrap past 2^64 is kept, but its end must not wrap to a low address. */
static void test_bootinfo_add_mem_does_not_wrap_past_2_64(void)
{
    uint64_t base = UINT64_MAX - 0xfff;

    CU_ASSERT_EQUAL(bootinfo_add_mem(&bi, base, 0x2000, MEM_USABLE), 0);
    CU_ASSERT_EQUAL_FATAL(bi.nr_mem, 1);
    CU_ASSERT_EQUAL(bi.mem[0].base, base);
    CU_ASSERT(bi.mem[0].size_bytes > 0);
    CU_ASSERT(bi.mem[0].base + bi.mem[0].size_bytes >= base);
}

static void test_bootinfo_add_module_copies_string(void)
{
    char name[] = "dom0-kernel console=hvc0";

    CU_ASSERT_EQUAL(bootinfo_add_module(&bi, 0x200000, 0x400000, name, strlen(name)), 0);
    memset(name, 'X', strlen(name));
    CU_ASSERT_EQUAL_FATAL(bi.nr_modules, 1);
    CU_ASSERT_EQUAL(bi.modules[0].start, 0x200000);
    CU_ASSERT_EQUAL(bi.modules[0].end, 0x400000);
    CU_ASSERT_STRING_EQUAL(bi.modules[0].string, "dom0-kernel console=hvc0");
}

static void test_bootinfo_add_module_copies_only_string_len_bytes(void)
{
    CU_ASSERT_EQUAL(bootinfo_add_module(&bi, 0, 0x1000, "initrd.img-and-more", 10), 0);
    CU_ASSERT_STRING_EQUAL(bi.modules[0].string, "initrd.img");
}

static void test_bootinfo_add_module_null_string_becomes_empty(void)
{
    CU_ASSERT_EQUAL(bootinfo_add_module(&bi, 0x1000, 0x2000, NULL, 0), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bi.modules[0].string);
    CU_ASSERT_STRING_EQUAL(bi.modules[0].string, "");
}

static void test_bootinfo_add_module_end_below_start_returns_einval(void)
{
    CU_ASSERT_EQUAL(bootinfo_add_module(&bi, 0x2000, 0x1fff, "bad", 3), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(bi.nr_modules, 0);
    CU_ASSERT_EQUAL(bootinfo_add_module(&bi, 0x2000, 0x2000, "empty", 5), 0);
    CU_ASSERT_EQUAL(bi.nr_modules, 1);
}

static void test_bootinfo_add_module_full_returns_enospc(void)
{
    for (unsigned int i = 0; i < BOOT_MAX_MODULES; i++) {
        UNIT_CHECK(bootinfo_add_module(&bi, MIB(i), MIB(i + 1), "m", 1) == 0, "module %u refused",
                   i);
    }
    CU_ASSERT_EQUAL(bootinfo_add_module(&bi, GIB(1), GIB(2), "late", 4), -AXVM_ENOSPC);
    CU_ASSERT_EQUAL(bi.nr_modules, BOOT_MAX_MODULES);
}

static void test_bootinfo_add_module_string_pool_full_returns_enospc(void)
{
    static char big[BOOT_STRINGS_SIZE];

    memset(big, 'a', sizeof(big));
    CU_ASSERT_EQUAL(bootinfo_add_module(&bi, 0, 0x1000, big, sizeof(big) - 1), 0);
    CU_ASSERT_EQUAL(bootinfo_add_module(&bi, 0x1000, 0x2000, "", 0), -AXVM_ENOSPC);
    CU_ASSERT_EQUAL(bi.nr_modules, 1);
    CU_ASSERT_EQUAL(strlen(bi.modules[0].string), sizeof(big) - 1);
}

static void test_bootinfo_add_reserved_appends_and_ignores_size_0(void)
{
    CU_ASSERT_EQUAL(bootinfo_add_reserved(&bi, 0x100000, 0x200000), 0);
    CU_ASSERT_EQUAL(bootinfo_add_reserved(&bi, 0x900000, 0), 0);
    CU_ASSERT_EQUAL_FATAL(bi.nr_reserved, 1);
    CU_ASSERT_EQUAL(bi.reserved[0].base, 0x100000);
    CU_ASSERT_EQUAL(bi.reserved[0].size_bytes, 0x200000);
    CU_ASSERT_EQUAL(bi.reserved[0].type, MEM_RESERVED);
}

static void test_bootinfo_add_reserved_full_returns_enospc(void)
{
    for (unsigned int i = 0; i < BOOT_MAX_RESERVED; i++) {
        UNIT_CHECK(bootinfo_add_reserved(&bi, MIB(i), KIB(4)) == 0, "reserved range %u refused", i);
    }
    CU_ASSERT_EQUAL(bootinfo_add_reserved(&bi, GIB(1), KIB(4)), -AXVM_ENOSPC);
    CU_ASSERT_EQUAL(bi.nr_reserved, BOOT_MAX_RESERVED);
}

static void test_bootinfo_set_cmdline_copies_string(void)
{
    char line[] = "console=com1 loglvl=debug";

    CU_ASSERT_EQUAL(bootinfo_set_cmdline(&bi, line, strlen(line)), 0);
    memset(line, 'X', strlen(line));
    CU_ASSERT_STRING_EQUAL(bi.cmdline, "console=com1 loglvl=debug");
    CU_ASSERT_EQUAL(bootinfo_set_cmdline(&bi, "loglvl=err trailing", 10), 0);
    CU_ASSERT_STRING_EQUAL(bi.cmdline, "loglvl=err");
}

static void test_bootinfo_set_cmdline_fills_pool_exactly(void)
{
    static char big[BOOT_STRINGS_SIZE];

    memset(big, 'c', sizeof(big));
    CU_ASSERT_EQUAL(bootinfo_set_cmdline(&bi, big, sizeof(big) - 1), 0);
    CU_ASSERT_EQUAL(strlen(bi.cmdline), sizeof(big) - 1);
}

static void test_bootinfo_set_cmdline_too_long_returns_enospc_and_keeps_old(void)
{
    static char big[BOOT_STRINGS_SIZE];

    memset(big, 'c', sizeof(big));
    CU_ASSERT_EQUAL(bootinfo_set_cmdline(&bi, "old", 3), 0);
    CU_ASSERT_EQUAL(bootinfo_set_cmdline(&bi, big, sizeof(big)), -AXVM_ENOSPC);
    CU_ASSERT_STRING_EQUAL(bi.cmdline, "old");
}

struct usable_case {
    const char *name;
    struct mem_range mem[6];
    unsigned int nr;
    uint64_t usable_bytes;
};

static const struct usable_case usable_cases[] = {
    {"empty", {{0}}, 0, 0},
    {"one range", {{0x1000, 0x9f000, MEM_USABLE}}, 1, 0x9f000},
    {"disjoint, unsorted",
     {{MIB(16), MIB(16), MEM_USABLE}, {0, KIB(640), MEM_USABLE}, {MIB(1), MIB(8), MEM_USABLE}},
     3,
     MIB(24) + KIB(640)},
    {"overlapping", {{0, MIB(2), MEM_USABLE}, {MIB(1), MIB(2), MEM_USABLE}}, 2, MIB(3)},
    {"contained, listed first",
     {{MIB(2), MIB(1), MEM_USABLE}, {MIB(1), MIB(4), MEM_USABLE}},
     2,
     MIB(4)},
    {"duplicates", {{MIB(1), MIB(1), MEM_USABLE}, {MIB(1), MIB(1), MEM_USABLE}}, 2, MIB(1)},
    {"adjacent", {{0, MIB(1), MEM_USABLE}, {MIB(1), MIB(1), MEM_USABLE}}, 2, MIB(2)},
    {"non-usable types ignored",
     {{0, MIB(1), MEM_RESERVED},
      {MIB(1), MIB(1), MEM_ACPI_RECLAIM},
      {MIB(2), MIB(1), MEM_ACPI_NVS},
      {MIB(3), MIB(1), MEM_BAD},
      {MIB(4), MIB(1), MEM_USABLE}},
     5,
     MIB(1)},
    {"chain of overlaps",
     {{MIB(5), MIB(3), MEM_USABLE},
      {0, MIB(2), MEM_USABLE},
      {MIB(1), MIB(3), MEM_USABLE},
      {MIB(3), MIB(3), MEM_USABLE},
      {MIB(20), MIB(1), MEM_USABLE}},
     5,
     MIB(9)},
};

static void test_bootinfo_usable_bytes_counts_overlaps_once(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(usable_cases); i++) {
        const struct usable_case *c = &usable_cases[i];
        uint64_t got;

        bootinfo_init(&bi);
        for (unsigned int r = 0; r < c->nr; r++) {
            bootinfo_add_mem(&bi, c->mem[r].base, c->mem[r].size_bytes, c->mem[r].type);
        }
        got = bootinfo_usable_bytes(&bi);
        UNIT_CHECK(got == c->usable_bytes, "%s: %llu bytes, want %llu", c->name,
                   (unsigned long long)got, (unsigned long long)c->usable_bytes);
    }
}

static void test_bootinfo_mem_type_name_names_every_type(void)
{
    CU_ASSERT_STRING_EQUAL(bootinfo_mem_type_name(MEM_USABLE), "usable");
    CU_ASSERT_STRING_EQUAL(bootinfo_mem_type_name(MEM_RESERVED), "reserved");
    CU_ASSERT_STRING_EQUAL(bootinfo_mem_type_name(MEM_ACPI_RECLAIM), "acpi");
    CU_ASSERT_STRING_EQUAL(bootinfo_mem_type_name(MEM_ACPI_NVS), "acpi-nvs");
    CU_ASSERT_STRING_EQUAL(bootinfo_mem_type_name(MEM_BAD), "bad");
    CU_ASSERT_STRING_EQUAL(bootinfo_mem_type_name((enum mem_type)99), "unknown");
}

static void test_bootinfo_log_prints_every_entry(void)
{
    bootinfo_add_mem(&bi, 0, 0x9f000, MEM_USABLE);
    bootinfo_add_mem(&bi, 0xf0000, 0x10000, MEM_RESERVED);
    bootinfo_add_module(&bi, 0x200000, 0x300000, "dom0.bzImage", 12);
    bootinfo_add_module(&bi, 0x300000, 0x300000, "empty.img", 9);
    bootinfo_add_reserved(&bi, 0x100000, 0x100000);
    bootinfo_log(&bi);
    CU_ASSERT_EQUAL(host_console_count("0x0000000000000000-0x000000000009efff usable"), 1);
    CU_ASSERT_EQUAL(host_console_count("0x00000000000f0000-0x00000000000fffff reserved"), 1);
    CU_ASSERT_EQUAL(host_console_count("(1024 KiB) \"dom0.bzImage\""), 1);
    CU_ASSERT_EQUAL(host_console_count("empty, \"empty.img\""), 1);
    CU_ASSERT_EQUAL(host_console_count("reserved 0x0000000000100000-0x00000000001fffff"), 1);
}

static CU_TestInfo bootinfo_tests[] = {
    UNIT_TEST(test_bootinfo_init_empties_and_sets_cmdline_empty),
    UNIT_TEST(test_bootinfo_add_mem_appends_ranges),
    UNIT_TEST(test_bootinfo_add_mem_ignores_size_0),
    UNIT_TEST(test_bootinfo_add_mem_full_map_returns_enospc),
    UNIT_TEST(test_bootinfo_add_mem_does_not_wrap_past_2_64),
    UNIT_TEST(test_bootinfo_add_module_copies_string),
    UNIT_TEST(test_bootinfo_add_module_copies_only_string_len_bytes),
    UNIT_TEST(test_bootinfo_add_module_null_string_becomes_empty),
    UNIT_TEST(test_bootinfo_add_module_end_below_start_returns_einval),
    UNIT_TEST(test_bootinfo_add_module_full_returns_enospc),
    UNIT_TEST(test_bootinfo_add_module_string_pool_full_returns_enospc),
    UNIT_TEST(test_bootinfo_add_reserved_appends_and_ignores_size_0),
    UNIT_TEST(test_bootinfo_add_reserved_full_returns_enospc),
    UNIT_TEST(test_bootinfo_set_cmdline_copies_string),
    UNIT_TEST(test_bootinfo_set_cmdline_fills_pool_exactly),
    UNIT_TEST(test_bootinfo_set_cmdline_too_long_returns_enospc_and_keeps_old),
    UNIT_TEST(test_bootinfo_usable_bytes_counts_overlaps_once),
    UNIT_TEST(test_bootinfo_mem_type_name_names_every_type),
    UNIT_TEST(test_bootinfo_log_prints_every_entry),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_bootinfo = {"bootinfo", NULL, NULL, bootinfo_setup, NULL, bootinfo_tests};
UNIT_REGISTER_SUITE(unit_suite_bootinfo);
