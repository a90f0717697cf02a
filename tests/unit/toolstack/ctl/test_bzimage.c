/* SPDX-License-Identifier: MIT */
/*
 * CUnit suite "bzimage": the shared x86 Linux boot protocol code (arch/x86/bzimage.c) on
 * synthetic bzImages with Debian's header values: header checks, where the kernel and initrd
 * go, the zero page's fields, and the bytes the loader writes.
 */
#include <stdlib.h>
#include <string.h>
#include <unit.h>
#include <x86/bzimage.h>
#include <public/axvm/errno.h>
#include "fake_images.h"

#define MIB(x) ((uint64_t)(x) << 20)

static uint32_t le(const uint8_t *p, unsigned int bytes)
{
    uint32_t v = 0;

    for (unsigned int i = bytes; i-- > 0;) {
        v = v << 8 | p[i];
    }
    return v;
}

static void put(uint8_t *p, uint32_t v, unsigned int bytes)
{
    for (unsigned int i = 0; i < bytes; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

/* A plan for a bzImage built from spec, with a PC map of ram bytes and Linux-ish boot data. */
static int plan_for(const struct fake_bzimage_spec *spec, uint64_t ram, uint64_t initrd_size,
                    struct bzimage_plan *plan, const char **why)
{
    size_t size;
    uint8_t *image = fake_images_bzimage(spec, &size);
    struct bzimage_e820 map[3];
    struct bzimage_guest g = {image,
                              size,
                              map,
                              bzimage_pc_e820(ram, map),
                              BZIMAGE_ZERO_PAGE_GPA,
                              BZIMAGE_CMDLINE_GPA,
                              20,
                              initrd_size,
                              0xe0000};
    int rc = bzimage_plan_boot(&g, plan, why);

    free(image);
    return rc;
}

static void test_bzimage_parse_reads_debians_header(void)
{
    struct fake_bzimage_spec spec = fake_images_bzimage_spec();
    size_t size;
    uint8_t *image = fake_images_bzimage(&spec, &size);
    struct bzimage_header h;
    const char *why = "";

    CU_ASSERT_FATAL(bzimage_parse(image, size, &h, &why) == 0);
    CU_ASSERT_EQUAL(h.version, 0x020f);
    CU_ASSERT_EQUAL(h.loadflags, 1);
    CU_ASSERT_TRUE(h.relocatable);
    CU_ASSERT_EQUAL(h.xloadflags, 0x7f);
    CU_ASSERT_EQUAL(h.kernel_alignment, 0x200000);
    CU_ASSERT_EQUAL(h.initrd_addr_max, 0x7fffffff);
    CU_ASSERT_EQUAL(h.cmdline_size, 2047);
    CU_ASSERT_EQUAL(h.pref_address, 0x1000000);
    CU_ASSERT_EQUAL(h.init_size, 0x400000);
    CU_ASSERT_EQUAL(h.setup_size, 0x5000); /* (39 + 1) * 512, as Debian's */
    CU_ASSERT_EQUAL(h.header_end, 0x26c);
    image[0x1f1] = 0; /* setup_sects 0 means 4 */
    CU_ASSERT_FATAL(bzimage_parse(image, size, &h, &why) == 0);
    CU_ASSERT_EQUAL(h.setup_size, 5 * 512);
    free(image);
}

static void test_bzimage_parse_refuses_bad_images(void)
{
    static const struct {
        size_t at;
        unsigned int bytes;
        uint32_t value;
        const char *why;
    } cases[] = {
        {0x202, 4, 0x53726449, "not a bzImage (no HdrS signature)"},
        {0x1fe, 2, 0x55aa, "not a bzImage (no 0xaa55 boot flag)"},
        {0x206, 2, 0x020b, "the kernel's boot protocol is older than 2.12"},
        {0x211, 1, 0x80, "not a bzImage (a zImage, which loads below 1 MiB)"},
        {0x201, 1, 0x10, "the setup header's length does not match its version"},
        {0x1f1, 1, 200, "the file ends before its protected-mode kernel"},
        {0x230, 4, 0x300000, "the kernel's kernel_alignment is not a power of two"},
        {0x230, 4, 0, "the kernel's kernel_alignment is not a power of two"},
        {0x260, 4, 0, "the kernel's init_size is 0"},
    };
    struct fake_bzimage_spec spec = fake_images_bzimage_spec();
    struct bzimage_header h;
    size_t size;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t *image = fake_images_bzimage(&spec, &size);
        const char *why = "";

        put(image + cases[i].at, cases[i].value, cases[i].bytes);
        UNIT_CHECK(bzimage_parse(image, size, &h, &why) == -AXVM_EINVAL && why &&
                       strcmp(why, cases[i].why) == 0,
                   "case %zu: '%s' instead of '%s'", i, why ? why : "(accepted)", cases[i].why);
        free(image);
    }
    {
        uint8_t *image = fake_images_bzimage(&spec, &size);
        const char *why = "";

        CU_ASSERT_EQUAL(bzimage_parse(image, 0x267, &h, &why), -AXVM_EINVAL);
        CU_ASSERT_STRING_EQUAL(why, "not a bzImage (too small for a setup header)");
        image[0x234] = 0; /* not relocatable: the alignment does not matter */
        put(image + 0x230, 0, 4);
        CU_ASSERT_EQUAL(bzimage_parse(image, size, &h, &why), 0);
        free(image);
    }
}

static void test_bzimage_pc_e820_describes_a_pc(void)
{
    struct bzimage_e820 map[3];

    CU_ASSERT_EQUAL(bzimage_pc_e820(MIB(64), map), 3);
    CU_ASSERT_TRUE(map[0].addr == 0 && map[0].size == 0x9fc00 && map[0].type == 1);
    CU_ASSERT_TRUE(map[1].addr == 0x9fc00 && map[1].size == 0x100000 - 0x9fc00 && map[1].type == 2);
    CU_ASSERT_TRUE(map[2].addr == 0x100000 && map[2].size == MIB(63) && map[2].type == 1);
}

static void test_bzimage_plan_loads_at_pref_address(void)
{
    struct fake_bzimage_spec spec = fake_images_bzimage_spec();
    struct bzimage_plan *plan = malloc(sizeof(*plan));
    const char *why = "";

    CU_ASSERT_FATAL(plan_for(&spec, MIB(64), MIB(3) + 5, plan, &why) == 0);
    CU_ASSERT_EQUAL(plan->kernel_gpa, 0x1000000);
    CU_ASSERT_EQUAL(plan->kernel_offset, 0x5000);
    CU_ASSERT_EQUAL(plan->kernel_size, spec.kernel_size);
    CU_ASSERT_EQUAL(plan->runtime_start, 0x1000000);
    CU_ASSERT_EQUAL(plan->runtime_end, 0x1400000);
    CU_ASSERT_EQUAL(plan->entry, 0x1000000);
    CU_ASSERT_EQUAL(plan->esi, BZIMAGE_ZERO_PAGE_GPA);
    /* The initrd: as high as RAM goes (the image may put it above 4 GiB), page-aligned. */
    CU_ASSERT_EQUAL(plan->initrd_gpa, (MIB(64) - MIB(3) - 5) & ~0xfffull);
    CU_ASSERT_EQUAL(plan->initrd_size, MIB(3) + 5);
    free(plan);
}

static void test_bzimage_plan_fills_the_zero_page(void)
{
    struct fake_bzimage_spec spec = fake_images_bzimage_spec();
    struct bzimage_plan *plan = malloc(sizeof(*plan));
    size_t size;
    uint8_t *image = fake_images_bzimage(&spec, &size);
    const uint8_t *zp = plan->zero_page, *e;
    const char *why = "";

    CU_ASSERT_FATAL(plan_for(&spec, MIB(64), 4096, plan, &why) == 0);
    CU_ASSERT_EQUAL(memcmp(zp + 0x202, "HdrS", 4), 0);
    CU_ASSERT_EQUAL(le(zp + 0x1fe, 2), 0xaa55);
    CU_ASSERT_EQUAL(le(zp + 0x206, 2), 0x020f);
    CU_ASSERT_EQUAL(memcmp(zp + 0x22c, image + 0x22c, 0x26c - 0x22c), 0); /* copied as is */
    CU_ASSERT_EQUAL(zp[0x1f1], 39);
    CU_ASSERT_EQUAL(zp[0x210], 0xff); /* type_of_loader: no assigned ID */
    CU_ASSERT_EQUAL(le(zp + 0x1fa, 2), 0xffff);
    CU_ASSERT_EQUAL(le(zp + 0x214, 4), 0x1000000); /* code32_start: where it was loaded */
    CU_ASSERT_EQUAL(le(zp + 0x228, 4), BZIMAGE_CMDLINE_GPA);
    CU_ASSERT_EQUAL(le(zp + 0xc8, 4), 0);
    CU_ASSERT_EQUAL(le(zp + 0x218, 4), plan->initrd_gpa);
    CU_ASSERT_EQUAL(le(zp + 0x21c, 4), 4096);
    CU_ASSERT_EQUAL(le(zp + 0xc0, 4) | le(zp + 0xc4, 4), 0);
    CU_ASSERT_EQUAL(le(zp + 0x70, 4), 0xe0000); /* acpi_rsdp_addr */
    CU_ASSERT_EQUAL(zp[0x1e8], 3);
    CU_ASSERT_EQUAL(zp[0x1ef], 0); /* the sentinel: boot_params was zeroed first */
    e = zp + 0x2d0 + 2 * 20;
    CU_ASSERT_TRUE(le(e, 4) == 0x100000 && le(e + 8, 4) == MIB(63) && le(e + 16, 4) == 1);
    CU_ASSERT_EQUAL(zp[0x2d0 + 3 * 20], 0);
    free(image);
    free(plan);
}

static void test_bzimage_plan_keeps_the_initrd_below_initrd_addr_max(void)
{
    struct fake_bzimage_spec spec = fake_images_bzimage_spec();
    struct bzimage_plan *plan = malloc(sizeof(*plan));
    const char *why = "";

    spec.xloadflags = 1;              /* 64-bit, but nothing above 4 GiB */
    spec.initrd_addr_max = 0x1ffffff; /* the initrd's last byte below 32 MiB */
    CU_ASSERT_FATAL(plan_for(&spec, MIB(64), MIB(2), plan, &why) == 0);
    CU_ASSERT_EQUAL(plan->initrd_gpa, MIB(30));
    spec.initrd_addr_max = 0x14fffff; /* 21 MiB: only below the kernel's 16-20 MiB fits */
    CU_ASSERT_FATAL(plan_for(&spec, MIB(64), MIB(2), plan, &why) == 0);
    CU_ASSERT_EQUAL(plan->initrd_gpa, MIB(14));
    CU_ASSERT_EQUAL(plan_for(&spec, MIB(64), MIB(16), plan, &why), -AXVM_EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "the initrd does not fit in the domain's RAM beside the kernel");
    free(plan);
}

static void test_bzimage_plan_moves_a_relocatable_kernel_down(void)
{
    struct fake_bzimage_spec spec = fake_images_bzimage_spec();
    struct bzimage_plan *plan = malloc(sizeof(*plan));
    const char *why = "";

    /* 16 MiB of RAM: pref_address (16 MiB) is past the end; 2 MiB is the first aligned fit. */
    CU_ASSERT_FATAL(plan_for(&spec, MIB(16), MIB(1), plan, &why) == 0);
    CU_ASSERT_EQUAL(plan->kernel_gpa, MIB(2));
    CU_ASSERT_EQUAL(plan->runtime_end, MIB(6));
    CU_ASSERT_EQUAL(plan->initrd_gpa, MIB(15));
    spec.init_size = (uint32_t)MIB(15); /* no aligned place leaves 15 MiB */
    CU_ASSERT_EQUAL(plan_for(&spec, MIB(16), 0, plan, &why), -AXVM_EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "the kernel's init_size does not fit in the domain's RAM");
    free(plan);
}

static void test_bzimage_plan_loads_a_fixed_kernel_at_1mib(void)
{
    struct fake_bzimage_spec spec = fake_images_bzimage_spec();
    struct bzimage_plan *plan = malloc(sizeof(*plan));
    const char *why = "";

    spec.relocatable = 0;
    CU_ASSERT_FATAL(plan_for(&spec, MIB(64), MIB(1), plan, &why) == 0);
    CU_ASSERT_EQUAL(plan->kernel_gpa, MIB(1));
    CU_ASSERT_EQUAL(plan->runtime_start, MIB(16));
    CU_ASSERT_EQUAL(plan->runtime_end, MIB(20));
    CU_ASSERT_EQUAL(le(plan->zero_page + 0x214, 4), MIB(1));
    CU_ASSERT_EQUAL(plan_for(&spec, MIB(18), 0, plan, &why), -AXVM_EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "the kernel's load and run addresses are not in the domain's RAM");
    free(plan);
}

static void test_bzimage_plan_refuses_bad_boot_data(void)
{
    struct fake_bzimage_spec spec = fake_images_bzimage_spec();
    size_t size;
    uint8_t *image = fake_images_bzimage(&spec, &size);
    struct bzimage_plan *plan = malloc(sizeof(*plan));
    struct bzimage_e820 map[BZIMAGE_E820_MAX + 1];
    struct bzimage_guest g = {
        image, size, map, bzimage_pc_e820(MIB(64), map), BZIMAGE_ZERO_PAGE_GPA, BZIMAGE_CMDLINE_GPA,
        2047,  0,    0};
    const char *why = "";

    CU_ASSERT_EQUAL(bzimage_plan_boot(&g, plan, &why), 0); /* the longest command line */
    g.cmdline_len = 2048;
    CU_ASSERT_EQUAL(bzimage_plan_boot(&g, plan, &why), -AXVM_EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "the command line is longer than the kernel's cmdline_size");
    g.cmdline_len = 10;
    g.zero_page_gpa = 0x9f000; /* runs into the reserved hole */
    CU_ASSERT_EQUAL(bzimage_plan_boot(&g, plan, &why), -AXVM_EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "the zero page and command line need their own RAM below 4 GiB");
    g.zero_page_gpa = BZIMAGE_CMDLINE_GPA; /* on top of the command line */
    CU_ASSERT_EQUAL(bzimage_plan_boot(&g, plan, &why), -AXVM_EINVAL);
    g.zero_page_gpa = MIB(17); /* where the kernel decompresses */
    CU_ASSERT_EQUAL(bzimage_plan_boot(&g, plan, &why), -AXVM_EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "the zero page or command line would lie in the kernel's way");
    g.zero_page_gpa = BZIMAGE_ZERO_PAGE_GPA;
    for (unsigned int i = 3; i <= BZIMAGE_E820_MAX; i++) {
        map[i] = (struct bzimage_e820){MIB(64) + i * 4096ull, 4096, BZIMAGE_E820_RESERVED};
    }
    g.nr_e820 = BZIMAGE_E820_MAX;
    CU_ASSERT_EQUAL(bzimage_plan_boot(&g, plan, &why), 0);
    CU_ASSERT_EQUAL(plan->zero_page[0x1e8], BZIMAGE_E820_MAX);
    g.nr_e820 = BZIMAGE_E820_MAX + 1;
    CU_ASSERT_EQUAL(bzimage_plan_boot(&g, plan, &why), -AXVM_EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "the memory map has more entries than the zero page holds");
    free(plan);
    free(image);
}

static void test_bzimage_load_writes_where_the_plan_says(void)
{
    struct fake_bzimage_spec spec = fake_images_bzimage_spec();
    size_t size;
    uint8_t *image = fake_images_bzimage(&spec, &size);
    uint8_t *initrd = fake_images_pattern(10000, 9);
    struct fake_ram ram = fake_images_ram(0, MIB(64));
    struct bzimage_plan *plan = malloc(sizeof(*plan));
    struct bzimage_e820 map[3];
    const char *cmdline = "console=ttyS0 quiet";
    struct bzimage_guest g = {image,
                              size,
                              map,
                              bzimage_pc_e820(MIB(64), map),
                              BZIMAGE_ZERO_PAGE_GPA,
                              BZIMAGE_CMDLINE_GPA,
                              strlen(cmdline),
                              10000,
                              0};
    const char *why = "";

    memset(ram.bytes, 0xcc, MIB(64));
    CU_ASSERT_FATAL(bzimage_plan_boot(&g, plan, &why) == 0);
    CU_ASSERT_FATAL(bzimage_load(plan, image, cmdline, initrd, fake_images_ram_write, &ram, &why) ==
                    0);
    CU_ASSERT_EQUAL(memcmp(ram.bytes + plan->kernel_gpa, image + 0x5000, spec.kernel_size), 0);
    CU_ASSERT_EQUAL(memcmp(ram.bytes + BZIMAGE_ZERO_PAGE_GPA, plan->zero_page, 4096), 0);
    CU_ASSERT_STRING_EQUAL((char *)ram.bytes + BZIMAGE_CMDLINE_GPA, cmdline);
    CU_ASSERT_EQUAL(memcmp(ram.bytes + plan->initrd_gpa, initrd, 10000), 0);
    CU_ASSERT_EQUAL(ram.bytes[plan->initrd_gpa + 10000], 0xcc); /* nothing past it */
    for (int n = 0; n < 5; n++) {                               /* each write failing */
        ram.nr_writes = 0;
        ram.fail_at = n;
        why = NULL;
        UNIT_CHECK(bzimage_load(plan, image, cmdline, initrd, fake_images_ram_write, &ram, &why) ==
                           -AXVM_EIO &&
                       why && strncmp(why, "cannot write the ", 17) == 0,
                   "write %d", n);
    }
    fake_images_ram_free(&ram);
    free(plan);
    free(initrd);
    free(image);
}

/* Loaders add nr_cpus=, tsc_early_khz=... only when the user's line lacks a word like them. */
static void test_bzimage_cmdline_has_matches_whole_words_only(void)
{
    CU_ASSERT_TRUE(bzimage_cmdline_has("nr_cpus=2", "nr_cpus="));
    CU_ASSERT_TRUE(bzimage_cmdline_has("console=ttyS0 nr_cpus=2 quiet", "nr_cpus="));
    CU_ASSERT_TRUE(bzimage_cmdline_has("quiet tsc=reliable", "tsc="));
    CU_ASSERT_FALSE(bzimage_cmdline_has("xnr_cpus=2", "nr_cpus="));
    CU_ASSERT_FALSE(bzimage_cmdline_has("tsc_early_khz=1000", "tsc="));
    CU_ASSERT_FALSE(bzimage_cmdline_has("console=ttyS0 nr_cpus", "nr_cpus="));
    CU_ASSERT_FALSE(bzimage_cmdline_has("", "nr_cpus="));
}

static CU_TestInfo bzimage_tests[] = {
    UNIT_TEST(test_bzimage_parse_reads_debians_header),
    UNIT_TEST(test_bzimage_parse_refuses_bad_images),
    UNIT_TEST(test_bzimage_pc_e820_describes_a_pc),
    UNIT_TEST(test_bzimage_plan_loads_at_pref_address),
    UNIT_TEST(test_bzimage_plan_fills_the_zero_page),
    UNIT_TEST(test_bzimage_plan_keeps_the_initrd_below_initrd_addr_max),
    UNIT_TEST(test_bzimage_plan_moves_a_relocatable_kernel_down),
    UNIT_TEST(test_bzimage_plan_loads_a_fixed_kernel_at_1mib),
    UNIT_TEST(test_bzimage_plan_refuses_bad_boot_data),
    UNIT_TEST(test_bzimage_load_writes_where_the_plan_says),
    UNIT_TEST(test_bzimage_cmdline_has_matches_whole_words_only),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_bzimage = {"bzimage", NULL, NULL, NULL, NULL, bzimage_tests};
UNIT_REGISTER_SUITE(unit_suite_bzimage);
