/* SPDX-License-Identifier: MIT */
/*
 * Suite "arm64_image": the arm64 Image header parser (arch/arm64/image.c) on crafted headers,
 * and on the header of the Debian arm64 kernel the boot tests use when it has been built
 * (build/kernel/arm64/Image; that case says so and checks nothing without it).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <hv/compiler.h>
#include <arm64/image.h>
#include <public/axvm/errno.h>
#include <host.h>
#include <unit.h>

#define IMAGE_PATH UNIT_DATA_DIR "/../../../../../build/kernel/arm64/Image"

static void put_le(uint8_t *p, uint64_t v, unsigned int bytes)
{
    for (unsigned int i = 0; i < bytes; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

/* A header as a 3.17+ kernel has it. */
static void craft(uint8_t *h, uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
    memset(h, 0, ARM64_IMAGE_HEADER_SIZE);
    put_le(h, 0x91005a4d, 4); /* code0: "MZ" and an add, as EFI-stub kernels start */
    put_le(h + 4, 0x14000000, 4);
    put_le(h + 8, text_offset, 8);
    put_le(h + 16, image_size, 8);
    put_le(h + 24, flags, 8);
    put_le(h + 56, ARM64_IMAGE_MAGIC, 4);
}

static void test_arm64_image_parse_reads_offset_size_and_page_size(void)
{
    static const struct {
        uint64_t flags;
        unsigned int page_kib;
    } cases[] = {{0x0, 0}, {0x2, 4}, {0x4, 16}, {0x6, 64}, {0xa, 4}};
    uint8_t buf[4096];

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct arm64_image img;
        const char *why = NULL;
        int rc;

        craft(buf, 0x1000, 0x2010000, cases[i].flags);
        rc = arm64_image_parse(buf, sizeof(buf), &img, &why);
        UNIT_CHECK(rc == 0 && img.text_offset == 0x1000 && img.image_size == 0x2010000 &&
                       !img.big_endian && img.page_size_kib == cases[i].page_kib,
                   "flags 0x%llx: rc %d, page %u KiB, why %s", (unsigned long long)cases[i].flags,
                   rc, img.page_size_kib, why ? why : "-");
    }
}

static void test_arm64_image_parse_without_image_size_assumes_an_old_kernel(void)
{
    uint8_t buf[256];
    struct arm64_image img;

    craft(buf, 0, 0, 0);
    CU_ASSERT_EQUAL(arm64_image_parse(buf, sizeof(buf), &img, NULL), 0);
    CU_ASSERT_EQUAL(img.text_offset, 0x80000);
    CU_ASSERT_EQUAL(img.image_size, sizeof(buf));
    CU_ASSERT_FALSE(img.big_endian);
}

static void test_arm64_image_parse_covers_bytes_past_image_size(void)
{
    uint8_t buf[512];
    struct arm64_image img;

    craft(buf, 0, 300, 0x2);
    CU_ASSERT_EQUAL(arm64_image_parse(buf, sizeof(buf), &img, NULL), 0);
    CU_ASSERT_EQUAL(img.image_size, sizeof(buf));
}

static void test_arm64_image_parse_rejects_bad_headers_with_a_reason(void)
{
    uint8_t buf[128];
    struct arm64_image img;
    const char *why;

    craft(buf, 0, 0x10000, 0x3); /* big-endian, 4K */
    why = NULL;
    CU_ASSERT_EQUAL(arm64_image_parse(buf, sizeof(buf), &img, &why), -AXVM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(why);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "big-endian"));

    craft(buf, 0, 0x10000, 0x2);
    why = NULL;
    CU_ASSERT_EQUAL(arm64_image_parse(buf, ARM64_IMAGE_HEADER_SIZE - 1, &img, &why), -AXVM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(why);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "shorter"));
    CU_ASSERT_EQUAL(arm64_image_parse(NULL, 0, &img, NULL), -AXVM_EINVAL);

    buf[59] ^= 0xff; /* the magic's last byte */
    why = NULL;
    CU_ASSERT_EQUAL(arm64_image_parse(buf, sizeof(buf), &img, &why), -AXVM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(why);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "magic"));

    /* A gzip'd kernel (Debian's vmlinuz) is not an Image. */
    memset(buf, 0, sizeof(buf));
    buf[0] = 0x1f;
    buf[1] = 0x8b;
    CU_ASSERT_EQUAL(arm64_image_parse(buf, sizeof(buf), &img, NULL), -AXVM_EINVAL);
}

/* Debian's kernel: little-endian, 4 KiB pages, text_offset 0, image_size beyond the file. */
static void test_arm64_image_layout_puts_tree_image_and_initrd_in_order(void)
{
    const struct arm64_image img = {.text_offset = 0x10000, .image_size = 0x300001};
    struct arm64_layout at;
    const char *why = NULL;

    CU_ASSERT_EQUAL_FATAL(arm64_image_layout(&img, 0x40000000, 0x1000000, 0x1000, &at, &why), 0);
    CU_ASSERT_EQUAL(at.dt, 0x40000000);
    CU_ASSERT_EQUAL(at.kernel, 0x40210000); /* 2 MiB in, plus text_offset */
    CU_ASSERT_EQUAL(at.initrd, 0x40600000); /* the next 2 MiB boundary after image_size */
    /* An initrd that ends exactly at the end of RAM fits; one byte more does not. */
    CU_ASSERT_EQUAL(arm64_image_layout(&img, 0x40000000, 0x1000000, 0xa00000, &at, &why), 0);
    CU_ASSERT_EQUAL(arm64_image_layout(&img, 0x40000000, 0x1000000, 0xa00001, &at, &why),
                    -AXVM_EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "the Image and its initrd do not fit in the domain's RAM");
}

static void test_arm64_image_layout_refuses_what_does_not_fit(void)
{
    static const struct {
        uint64_t text_offset, image_size, ram_size;
    } cases[] = {
        {0, 0x200001, 0x400000},          /* one byte past the end of RAM */
        {0x400000, 0x1000, 0x400000},     /* text_offset beyond RAM */
        {0, UINT64_MAX - 0x1000, 0x1000}, /* sizes that would wrap */
        {UINT64_MAX, 0x1000, 0x400000},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const struct arm64_image img = {cases[i].text_offset, cases[i].image_size, false, 4};
        struct arm64_layout at = {0};
        const char *why = NULL;
        int rc = arm64_image_layout(&img, 0x40000000, cases[i].ram_size, 0, &at, &why);

        UNIT_CHECK(rc == -AXVM_EINVAL && why, "case %zu: rc %d", i, rc);
    }
}

static void test_arm64_image_parse_accepts_the_debian_kernel(void)
{
    uint8_t header[ARM64_IMAGE_HEADER_SIZE];
    struct arm64_image img;
    const char *why = NULL;
    struct stat st;
    FILE *file = fopen(IMAGE_PATH, "rb");
    int rc;

    if (!file) {
        printf("(no %s: skipped) ", IMAGE_PATH);
        return;
    }
    CU_ASSERT_FATAL(stat(IMAGE_PATH, &st) == 0);
    CU_ASSERT_FATAL(fread(header, 1, sizeof(header), file) == sizeof(header));
    fclose(file);
    /* The parser reads only the header; the size it is told is the file's. */
    rc = arm64_image_parse(header, (size_t)st.st_size, &img, &why);
    UNIT_CHECK(rc == 0, "rc %d: %s", rc, why ? why : "-");
    CU_ASSERT_EQUAL(img.text_offset, 0);
    CU_ASSERT(img.image_size >= (uint64_t)st.st_size);
    CU_ASSERT_EQUAL(img.page_size_kib, 4);
    CU_ASSERT_FALSE(img.big_endian);
}

static CU_TestInfo arm64_image_tests[] = {
    UNIT_TEST(test_arm64_image_parse_reads_offset_size_and_page_size),
    UNIT_TEST(test_arm64_image_parse_without_image_size_assumes_an_old_kernel),
    UNIT_TEST(test_arm64_image_parse_covers_bytes_past_image_size),
    UNIT_TEST(test_arm64_image_parse_rejects_bad_headers_with_a_reason),
    UNIT_TEST(test_arm64_image_layout_puts_tree_image_and_initrd_in_order),
    UNIT_TEST(test_arm64_image_layout_refuses_what_does_not_fit),
    UNIT_TEST(test_arm64_image_parse_accepts_the_debian_kernel),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_arm64_image = {"arm64_image", NULL, NULL, NULL, NULL, arm64_image_tests};
UNIT_REGISTER_SUITE(unit_suite_arm64_image);
