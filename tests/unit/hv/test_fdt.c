/* SPDX-License-Identifier: MIT */
/*
 * Suite "fdt": what the flattened device tree reader in hypervisor/lib/fdt.c makes of a tree
 * that dtc compiled (tests/unit/data/small.dts): the walk, names, properties and their values,
 * and the memory reservation map. Suite "fdt_blobs" feeds it blobs written by hand.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <hv/compiler.h>
#include <hv/fdt.h>
#include <public/axvm/errno.h>
#include <unit.h>

/* Header fields, by byte offset. */
#define HDR_OFF_STRUCT   8
#define HDR_OFF_STRINGS  12
#define HDR_OFF_RSVMAP   16
#define HDR_SIZE_STRINGS 32
#define HDR_SIZE_STRUCT  36
#define HDR_SIZE         40

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint8_t *small_dtb;
static size_t small_len;
static struct fdt small;

static void fdt_setup(void)
{
    small_dtb = unit_read_data("small.dtb", &small_len);
    CU_ASSERT_FATAL(small_dtb != NULL);
    CU_ASSERT_FATAL(fdt_open(&small, small_dtb, small_len) == 0);
}

static void fdt_teardown(void)
{
    free(small_dtb);
    small_dtb = NULL;
}

/* Returns: the offset of the node at path ("/", "/alpha/beta"), or -1. */
static int find_node(const struct fdt *f, const char *path)
{
    const char *names[FDT_MAX_DEPTH];
    int node = -1, depth = -1;

    while (fdt_next_node(f, &node, &depth) == 0) {
        char here[256] = "";

        names[depth] = fdt_node_name(f, node);
        for (int d = 1; d <= depth; d++) {
            strcat(here, "/");
            strcat(here, names[d] ? names[d] : "?");
        }
        if (strcmp(depth ? here : "/", path) == 0) {
            return node;
        }
    }
    return -1;
}

static void test_fdt_open_accepts_a_tree_from_dtc(void)
{
    struct fdt f;

    CU_ASSERT_EQUAL_FATAL(fdt_open(&f, small_dtb, small_len), 0);
    CU_ASSERT_PTR_EQUAL(f.blob, small_dtb);
    CU_ASSERT_EQUAL(f.size, small_len);
    CU_ASSERT_EQUAL(f.off_struct, get_be32(small_dtb + HDR_OFF_STRUCT));
    CU_ASSERT_EQUAL(f.size_struct, get_be32(small_dtb + HDR_SIZE_STRUCT));
    CU_ASSERT_EQUAL(f.off_strings, get_be32(small_dtb + HDR_OFF_STRINGS));
    CU_ASSERT_EQUAL(f.size_strings, get_be32(small_dtb + HDR_SIZE_STRINGS));
    CU_ASSERT_EQUAL(f.off_rsvmap, get_be32(small_dtb + HDR_OFF_RSVMAP));
    CU_ASSERT_EQUAL(fdt_open(&f, small_dtb, small_len + 4096), 0);
}

static void test_fdt_open_totalsize_beyond_max_size_returns_e2big(void)
{
    struct fdt f;

    CU_ASSERT_EQUAL(fdt_open(&f, small_dtb, small_len - 1), -AXVM_E2BIG);
    CU_ASSERT_EQUAL(fdt_open(&f, small_dtb, HDR_SIZE), -AXVM_E2BIG);
}

static void test_fdt_next_node_walks_in_document_order(void)
{
    static const struct {
        const char *name;
        int depth;
    } want[] = {{"", 0}, {"alpha", 1}, {"beta", 2}, {"gamma", 2}, {"delta", 1}};
    int node = -1, depth = -1, rc;
    size_t i = 0;

    while ((rc = fdt_next_node(&small, &node, &depth)) == 0 && i < ARRAY_SIZE(want)) {
        const char *name = fdt_node_name(&small, node);

        UNIT_CHECK(name && strcmp(name, want[i].name) == 0 && depth == want[i].depth,
                   "node %zu: \"%s\" at depth %d, want \"%s\" at %d", i, name ? name : "(null)",
                   depth, want[i].name, want[i].depth);
        i++;
    }
    CU_ASSERT_EQUAL(i, ARRAY_SIZE(want));
    CU_ASSERT_EQUAL(rc, -AXVM_ENOENT);
}

static void test_fdt_node_name_of_a_non_node_offset_is_null(void)
{
    int alpha = find_node(&small, "/alpha");

    CU_ASSERT_FATAL(alpha > 0);
    CU_ASSERT_STRING_EQUAL(fdt_node_name(&small, alpha), "alpha");
    CU_ASSERT_STRING_EQUAL(fdt_node_name(&small, find_node(&small, "/")), "");
    CU_ASSERT_PTR_NULL(fdt_node_name(&small, -1));
    CU_ASSERT_PTR_NULL(fdt_node_name(&small, alpha + 4)); /* inside its name */
    CU_ASSERT_PTR_NULL(fdt_node_name(&small, alpha + 1));
    CU_ASSERT_PTR_NULL(fdt_node_name(&small, (int)small.size_struct));
    CU_ASSERT_PTR_NULL(fdt_node_name(&small, INT_MAX));
}

static void test_fdt_get_prop_finds_only_the_node_s_own_properties(void)
{
    static const struct {
        const char *path, *prop;
        bool found;
        uint32_t len;
    } cases[] = {
        {"/", "model", true, 6},
        {"/", "empty-prop", true, 0},
        {"/", "compatible", true, 25},
        {"/", "#size-cells", true, 4},
        {"/", "u32-prop", false, 0}, /* a child's */
        {"/alpha", "u32-prop", true, 4},
        {"/alpha", "two-cells", true, 8},
        {"/alpha", "string-prop", true, 2},
        {"/alpha", "compatible", false, 0}, /* beta's */
        {"/alpha", "model", false, 0},      /* the root's */
        {"/alpha/beta", "compatible", true, 10},
        {"/alpha/gamma", "u32-prop", false, 0},
        {"/delta", "u32-prop", true, 4},
        {"/delta", "u32-pro", false, 0},
        {"/delta", "u32-prop-", false, 0},
        {"/delta", "", false, 0},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct fdt_prop p = {NULL, NULL, 0xdead};
        int node = find_node(&small, cases[i].path);
        bool found = fdt_get_prop(&small, node, cases[i].prop, &p);

        UNIT_CHECK(node >= 0 && found == cases[i].found, "%s %s: %s", cases[i].path, cases[i].prop,
                   found ? "found" : "not found");
        if (found && cases[i].found) {
            UNIT_CHECK(p.len == cases[i].len && strcmp(p.name, cases[i].prop) == 0 &&
                           p.value > small_dtb && p.value + p.len <= small_dtb + small_len,
                       "%s %s: name \"%s\", %u bytes", cases[i].path, cases[i].prop, p.name, p.len);
        }
    }
}

static void test_fdt_get_prop_of_a_non_node_offset_finds_nothing(void)
{
    struct fdt_prop p;
    int delta = find_node(&small, "/delta");

    CU_ASSERT_FATAL(delta > 0);
    CU_ASSERT_FALSE(fdt_get_prop(&small, -1, "model", &p));
    CU_ASSERT_FALSE(fdt_get_prop(&small, delta + 12, "u32-prop", &p)); /* its property token */
    CU_ASSERT_FALSE(fdt_get_prop(&small, INT_MAX, "u32-prop", &p));
}

static void test_fdt_get_prop_values_are_the_bytes_dtc_wrote(void)
{
    static const uint8_t two_cells[] = {0, 0, 0, 1, 0, 0, 0, 2};
    struct fdt_prop p;
    int root = find_node(&small, "/"), alpha = find_node(&small, "/alpha");

    CU_ASSERT_FATAL(fdt_get_prop(&small, root, "model", &p));
    CU_ASSERT_EQUAL(memcmp(p.value, "small", 6), 0);
    CU_ASSERT_FATAL(fdt_get_prop(&small, root, "compatible", &p));
    CU_ASSERT_EQUAL(memcmp(p.value, "acme,board-v2\0acme,board", 25), 0);
    CU_ASSERT_FATAL(fdt_get_prop(&small, alpha, "two-cells", &p));
    CU_ASSERT_EQUAL(memcmp(p.value, two_cells, sizeof(two_cells)), 0);
}

static void test_fdt_is_compatible_matches_whole_entries_only(void)
{
    static const struct {
        const char *path, *compat;
        bool want;
    } cases[] = {
        {"/", "acme,board-v2", true},   {"/", "acme,board", true},
        {"/", "acme,board-v", false},   {"/", "acme,boar", false},
        {"/", "acme", false},           {"/", "", false},
        {"/", "board", false},          {"/alpha/beta", "acme,beta", true},
        {"/alpha", "acme,beta", false}, {"/delta", "acme,board", false},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        bool got = fdt_is_compatible(&small, find_node(&small, cases[i].path), cases[i].compat);

        UNIT_CHECK(got == cases[i].want, "%s compatible with \"%s\": %d", cases[i].path,
                   cases[i].compat, got);
    }
}

static void test_fdt_prop_is_string_needs_exactly_one_equal_string(void)
{
    static const struct {
        const char *value;
        uint32_t len;
        const char *s;
        bool want;
    } cases[] = {
        {"smc", 4, "smc", true},    {"smc", 3, "smc", false},
        {"smc\0", 5, "smc", false}, {"smc\0hvc", 8, "smc", false},
        {"hvc", 4, "smc", false},   {"smcx", 5, "smc", false},
        {"", 1, "", true},          {"", 0, "", false},
        {"sm", 3, "smc", false},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct fdt_prop p = {"method", (const uint8_t *)cases[i].value, cases[i].len};

        UNIT_CHECK(fdt_prop_is_string(&p, cases[i].s) == cases[i].want,
                   "case %zu: %u bytes against \"%s\"", i, cases[i].len, cases[i].s);
    }
}

static void test_fdt_get_u32_needs_exactly_4_bytes(void)
{
    int root = find_node(&small, "/"), alpha = find_node(&small, "/alpha");

    CU_ASSERT_EQUAL(fdt_get_u32(&small, alpha, "u32-prop", 99), 0x12345678);
    CU_ASSERT_EQUAL(fdt_get_u32(&small, root, "#address-cells", 99), 2);
    CU_ASSERT_EQUAL(fdt_get_u32(&small, alpha, "two-cells", 99), 99);
    CU_ASSERT_EQUAL(fdt_get_u32(&small, alpha, "string-prop", 99), 99);
    CU_ASSERT_EQUAL(fdt_get_u32(&small, root, "empty-prop", 99), 99);
    CU_ASSERT_EQUAL(fdt_get_u32(&small, root, "missing", 99), 99);
    CU_ASSERT_EQUAL(fdt_get_u32(&small, -1, "u32-prop", 5), 5);
}

static void test_fdt_read_cells_reads_big_endian_one_or_two_cells(void)
{
    static const uint8_t bytes[] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0xff};

    CU_ASSERT_EQUAL(fdt_read_cells(bytes, 1), 0x12345678);
    CU_ASSERT_EQUAL(fdt_read_cells(bytes, 2), 0x123456789abcdef0);
    CU_ASSERT_EQUAL(fdt_read_cells(bytes + 4, 1), 0x9abcdef0);
    CU_ASSERT_EQUAL(fdt_read_cells(bytes, 0), 0);
}

static void test_fdt_rsvmap_entry_lists_memreserve_then_enoent(void)
{
    uint64_t base = 0, size = 0;

    CU_ASSERT_EQUAL(fdt_rsvmap_entry(&small, 0, &base, &size), 0);
    CU_ASSERT(base == 0x10000000 && size == 0x1000);
    CU_ASSERT_EQUAL(fdt_rsvmap_entry(&small, 1, &base, &size), 0);
    CU_ASSERT(base == 0x123456789000 && size == 0x200000);
    CU_ASSERT_EQUAL(fdt_rsvmap_entry(&small, 2, &base, &size), -AXVM_ENOENT);
}

static void test_fdt_next_prop_lists_a_nodes_properties_in_order(void)
{
    static const char *const root_props[] = {"#address-cells", "#size-cells", "compatible", "model",
                                             "empty-prop"};
    struct fdt_prop prop;
    uint32_t cursor = 0;
    unsigned int n = 0;
    int root = find_node(&small, "/"), gamma = find_node(&small, "/alpha/gamma"), rc;

    CU_ASSERT_FATAL(root >= 0 && gamma >= 0);
    while ((rc = fdt_next_prop(&small, root, &cursor, &prop)) == 0 && n < 5) {
        UNIT_CHECK(strcmp(prop.name, root_props[n]) == 0, "property %u: %s", n, prop.name);
        n++;
    }
    CU_ASSERT_EQUAL(n, 5);
    CU_ASSERT_EQUAL(rc, -AXVM_ENOENT); /* the subnodes are not properties */
    CU_ASSERT_EQUAL(fdt_next_prop(&small, root, &cursor, &prop), -AXVM_ENOENT);
    cursor = 0;
    CU_ASSERT_EQUAL(fdt_next_prop(&small, root, &cursor, &prop), 0);
    CU_ASSERT_EQUAL(prop.len, 4);
    CU_ASSERT_EQUAL(get_be32(prop.value), 2);
    cursor = 0;
    CU_ASSERT_EQUAL(fdt_next_prop(&small, gamma, &cursor, &prop), -AXVM_ENOENT);
    cursor = 0;
    CU_ASSERT_EQUAL(fdt_next_prop(&small, root + 4, &cursor, &prop), -AXVM_EINVAL);
}

static CU_TestInfo fdt_tests[] = {
    UNIT_TEST(test_fdt_open_accepts_a_tree_from_dtc),
    UNIT_TEST(test_fdt_open_totalsize_beyond_max_size_returns_e2big),
    UNIT_TEST(test_fdt_next_node_walks_in_document_order),
    UNIT_TEST(test_fdt_next_prop_lists_a_nodes_properties_in_order),
    UNIT_TEST(test_fdt_node_name_of_a_non_node_offset_is_null),
    UNIT_TEST(test_fdt_get_prop_finds_only_the_node_s_own_properties),
    UNIT_TEST(test_fdt_get_prop_of_a_non_node_offset_finds_nothing),
    UNIT_TEST(test_fdt_get_prop_values_are_the_bytes_dtc_wrote),
    UNIT_TEST(test_fdt_is_compatible_matches_whole_entries_only),
    UNIT_TEST(test_fdt_prop_is_string_needs_exactly_one_equal_string),
    UNIT_TEST(test_fdt_get_u32_needs_exactly_4_bytes),
    UNIT_TEST(test_fdt_read_cells_reads_big_endian_one_or_two_cells),
    UNIT_TEST(test_fdt_rsvmap_entry_lists_memreserve_then_enoent),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_fdt = {
    "fdt", NULL, NULL, fdt_setup, fdt_teardown, fdt_tests,
};
UNIT_REGISTER_SUITE(unit_suite_fdt);
