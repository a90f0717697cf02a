/* SPDX-License-Identifier: MIT */
/*
 * CUnit suites "fdt_writer" and "guest_fdt": the shared device tree writer
 * (hypervisor/lib/fdt_writer.c) read back by the hypervisor's reader (hypervisor/lib/fdt.c),
 * its size and misuse errors, and the arm64 domU tree built on it (arch/arm64/guest_fdt.c, as
 * the toolstack links it), compared with what QEMU's virt board gives a kernel.
 */
#include <stdlib.h>
#include <string.h>
#include <unit.h>
#include <hv/fdt.h>
#include <hv/fdt_writer.h>
#include <public/axvm/errno.h>
#include <arm64/guest_fdt.h>
#include <public/axvm/platform_arm64.h>
#include "fake_images.h"

#define QEMU_VIRT_DTB "build/host/tests/unit/data/qemu-virt.dtb" /* make unit-build */

/* A small tree with every kind of property; returns its size in buf. */
static int write_sample(void *buf, size_t size, size_t *total)
{
    static const char *const compatible[] = {"acme,board", "acme,generic"};
    const uint32_t cells[] = {1, 2, 0xdeadbeef};
    struct fdt_writer w;

    fdt_writer_init(&w, buf, size);
    fdt_writer_begin_node(&w, "");
    fdt_writer_prop_u32(&w, "#address-cells", 2);
    fdt_writer_prop_strings(&w, "compatible", compatible, 2);
    fdt_writer_begin_node(&w, "node@1");
    fdt_writer_prop_u64(&w, "big", 0x1122334455667788ull);
    fdt_writer_prop_cells(&w, "cells", cells, 3);
    fdt_writer_prop_string(&w, "compatible", "acme,node");
    fdt_writer_prop_empty(&w, "flag");
    fdt_writer_prop(&w, "odd", "abcde", 5);
    fdt_writer_end_node(&w);
    fdt_writer_begin_node(&w, "second");
    fdt_writer_prop_string(&w, "compatible", "acme,second");
    fdt_writer_end_node(&w);
    fdt_writer_end_node(&w);
    return fdt_writer_finish(&w, total);
}

/* Returns: the offset of the node called name (first in document order), or -1. */
static int find_node(const struct fdt *f, const char *name)
{
    int node = -1, depth = -1;

    while (fdt_next_node(f, &node, &depth) == 0) {
        if (strcmp(fdt_node_name(f, node), name) == 0) {
            return node;
        }
    }
    return -1;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_fdt_writer_round_trips_through_the_reader(void)
{
    uint8_t *buf = malloc(4096);
    size_t total = 0;
    struct fdt f;
    struct fdt_prop p;
    int node = -1, depth = -1, n;
    uint64_t base, size;

    CU_ASSERT_FATAL(write_sample(buf, 4096, &total) == 0);
    CU_ASSERT_FATAL(fdt_open(&f, buf, total) == 0);
    CU_ASSERT_EQUAL(be32(buf + 4), total);
    CU_ASSERT_EQUAL(be32(buf + 20), 17); /* version */
    CU_ASSERT_EQUAL(be32(buf + 24), 16); /* last compatible version */
    CU_ASSERT_EQUAL(fdt_rsvmap_entry(&f, 0, &base, &size), -AXVM_ENOENT);
    CU_ASSERT_EQUAL(fdt_next_node(&f, &node, &depth), 0);
    CU_ASSERT_TRUE(depth == 0 && strcmp(fdt_node_name(&f, node), "") == 0);
    CU_ASSERT_EQUAL(fdt_get_u32(&f, node, "#address-cells", 0), 2);
    CU_ASSERT_TRUE(fdt_is_compatible(&f, node, "acme,board"));
    CU_ASSERT_TRUE(fdt_is_compatible(&f, node, "acme,generic"));
    CU_ASSERT_EQUAL(fdt_next_node(&f, &node, &depth), 0);
    CU_ASSERT_TRUE(depth == 1 && strcmp(fdt_node_name(&f, node), "node@1") == 0);
    CU_ASSERT_TRUE(fdt_get_prop(&f, node, "big", &p) && p.len == 8 &&
                   fdt_read_cells(p.value, 2) == 0x1122334455667788ull);
    CU_ASSERT_TRUE(fdt_get_prop(&f, node, "cells", &p) && p.len == 12 &&
                   be32(p.value + 8) == 0xdeadbeef && be32(p.value) == 1);
    CU_ASSERT_TRUE(fdt_get_prop(&f, node, "compatible", &p) && fdt_prop_is_string(&p, "acme,node"));
    CU_ASSERT_TRUE(fdt_get_prop(&f, node, "flag", &p) && p.len == 0);
    CU_ASSERT_TRUE(fdt_get_prop(&f, node, "odd", &p) && p.len == 5 &&
                   memcmp(p.value, "abcde", 5) == 0);
    n = node;
    CU_ASSERT_EQUAL(fdt_next_node(&f, &node, &depth), 0);
    CU_ASSERT_TRUE(depth == 1 && strcmp(fdt_node_name(&f, node), "second") == 0);
    CU_ASSERT_TRUE(fdt_is_compatible(&f, node, "acme,second"));
    CU_ASSERT_FALSE(fdt_is_compatible(&f, n, "acme,second"));
    CU_ASSERT_EQUAL(fdt_next_node(&f, &node, &depth), -AXVM_ENOENT);
    /* Each name once in the strings block: #address-cells compatible big cells flag odd. */
    CU_ASSERT_EQUAL(be32(buf + 32), 15 + 11 + 4 + 6 + 5 + 4);
    free(buf);
}

static void test_fdt_writer_reports_a_small_buffer_at_every_size(void)
{
    uint8_t *scratch = malloc(4096);
    size_t need = 0, total = 0;

    CU_ASSERT_FATAL(write_sample(scratch, 4096, &need) == 0);
    free(scratch);
    /* The structure and strings meet in the middle, so one spare byte anywhere is too few. */
    for (size_t size = 0; size < need; size++) {
        uint8_t *buf = malloc(size ? size : 1); /* exactly size: ASan sees any stray write */

        UNIT_CHECK(write_sample(buf, size, &total) == -AXVM_ENOSPC, "buffer of %zu bytes", size);
        free(buf);
    }
    scratch = malloc(need);
    CU_ASSERT_EQUAL(write_sample(scratch, need, &total), 0);
    CU_ASSERT_EQUAL(total, need);
    free(scratch);
}

static void test_fdt_writer_refuses_misuse(void)
{
    uint8_t buf[512];
    struct fdt_writer w;
    size_t total;

    fdt_writer_init(&w, buf, sizeof(buf)); /* nothing written */
    CU_ASSERT_EQUAL(fdt_writer_finish(&w, &total), -AXVM_EINVAL);
    fdt_writer_init(&w, buf, sizeof(buf)); /* a node left open */
    fdt_writer_begin_node(&w, "");
    CU_ASSERT_EQUAL(fdt_writer_finish(&w, &total), -AXVM_EINVAL);
    fdt_writer_init(&w, buf, sizeof(buf)); /* a property outside any node */
    fdt_writer_prop_u32(&w, "x", 1);
    CU_ASSERT_EQUAL(fdt_writer_finish(&w, &total), -AXVM_EINVAL);
    fdt_writer_init(&w, buf, sizeof(buf)); /* a root with a name */
    fdt_writer_begin_node(&w, "root");
    fdt_writer_end_node(&w);
    CU_ASSERT_EQUAL(fdt_writer_finish(&w, &total), -AXVM_EINVAL);
    fdt_writer_init(&w, buf, sizeof(buf)); /* a second root, then a nameless child */
    fdt_writer_begin_node(&w, "");
    fdt_writer_end_node(&w);
    fdt_writer_begin_node(&w, "");
    CU_ASSERT_EQUAL(fdt_writer_finish(&w, &total), -AXVM_EINVAL);
    fdt_writer_init(&w, buf, sizeof(buf));
    fdt_writer_begin_node(&w, "");
    fdt_writer_begin_node(&w, "");
    CU_ASSERT_EQUAL(fdt_writer_finish(&w, &total), -AXVM_EINVAL);
    fdt_writer_init(&w, buf, sizeof(buf)); /* one end too many, a nameless property */
    fdt_writer_begin_node(&w, "");
    fdt_writer_prop_empty(&w, "");
    fdt_writer_end_node(&w);
    CU_ASSERT_EQUAL(fdt_writer_finish(&w, &total), -AXVM_EINVAL);
    fdt_writer_init(&w, buf, sizeof(buf));
    fdt_writer_end_node(&w);
    CU_ASSERT_EQUAL(fdt_writer_finish(&w, &total), -AXVM_EINVAL);
    fdt_writer_init(&w, buf, sizeof(buf)); /* nothing after finish */
    fdt_writer_begin_node(&w, "");
    fdt_writer_end_node(&w);
    CU_ASSERT_EQUAL(fdt_writer_finish(&w, &total), 0);
    fdt_writer_begin_node(&w, "late");
    CU_ASSERT_EQUAL(fdt_writer_finish(&w, &total), -AXVM_EINVAL);
}

static CU_TestInfo fdt_writer_tests[] = {
    UNIT_TEST(test_fdt_writer_round_trips_through_the_reader),
    UNIT_TEST(test_fdt_writer_reports_a_small_buffer_at_every_size),
    UNIT_TEST(test_fdt_writer_refuses_misuse),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_fdt_writer = {"fdt_writer", NULL, NULL, NULL, NULL, fdt_writer_tests};
UNIT_REGISTER_SUITE(unit_suite_fdt_writer);

static const struct guest_fdt_params virt_spec = {
    .ram = {{AXVM_ARM64_RAM_BASE, 128u << 20}},
    .nr_ram = 1,
    .nr_vcpus = 2,
    .bootargs = "console=ttyAMA0 earlycon",
    .initrd_start = 0x47000000,
    .initrd_end = 0x47012345,
    .uart_base = AXVM_ARM64_PL011_BASE,
    .uart_intid = AXVM_ARM64_PL011_INTID,
};

/* Build spec's tree into a heap buffer and open it. Returns: the buffer. */
static uint8_t *build_tree(const struct guest_fdt_params *spec, struct fdt *f)
{
    uint8_t *buf = malloc(GUEST_FDT_MAX);
    size_t len = 0;

    if (guest_fdt_build(buf, GUEST_FDT_MAX, spec, &len) != 0 || fdt_open(f, buf, len) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Returns: whether node's property name holds exactly the cells. */
static bool has_cells(const struct fdt *f, int node, const char *name, const uint32_t *cells,
                      unsigned int nr)
{
    struct fdt_prop p;

    if (node < 0 || !fdt_get_prop(f, node, name, &p) || p.len != 4 * nr) {
        return false;
    }
    for (unsigned int i = 0; i < nr; i++) {
        if (be32(p.value + 4 * i) != cells[i]) {
            return false;
        }
    }
    return true;
}

static bool has_string(const struct fdt *f, int node, const char *name, const char *s)
{
    struct fdt_prop p;

    return node >= 0 && fdt_get_prop(f, node, name, &p) && fdt_prop_is_string(&p, s);
}

static void test_guest_fdt_describes_the_virt_board(void)
{
    struct fdt f;
    uint8_t *buf = build_tree(&virt_spec, &f);
    int root, node;
    struct fdt_prop p;

    CU_ASSERT_FATAL(buf != NULL);
    root = find_node(&f, "");
    CU_ASSERT_EQUAL(fdt_get_u32(&f, root, "#address-cells", 0), 2);
    CU_ASSERT_EQUAL(fdt_get_u32(&f, root, "#size-cells", 0), 2);
    CU_ASSERT_TRUE(fdt_is_compatible(&f, root, "linux,dummy-virt"));
    CU_ASSERT_EQUAL(fdt_get_u32(&f, root, "interrupt-parent", 0), 1);
    node = find_node(&f, "chosen");
    CU_ASSERT_TRUE(has_string(&f, node, "bootargs", "console=ttyAMA0 earlycon"));
    CU_ASSERT_TRUE(has_string(&f, node, "stdout-path", "/pl011@9000000"));
    CU_ASSERT_TRUE(has_cells(&f, node, "linux,initrd-start", (const uint32_t[]){0, 0x47000000}, 2));
    CU_ASSERT_TRUE(has_cells(&f, node, "linux,initrd-end", (const uint32_t[]){0, 0x47012345}, 2));
    node = find_node(&f, "memory@40000000");
    CU_ASSERT_TRUE(has_string(&f, node, "device_type", "memory"));
    CU_ASSERT_TRUE(has_cells(&f, node, "reg", (const uint32_t[]){0, 0x40000000, 0, 128u << 20}, 4));
    node = find_node(&f, "cpu@1");
    CU_ASSERT_TRUE(has_string(&f, node, "enable-method", "psci"));
    CU_ASSERT_TRUE(has_string(&f, node, "device_type", "cpu"));
    CU_ASSERT_EQUAL(fdt_get_u32(&f, node, "reg", 99), 1);
    CU_ASSERT_EQUAL(find_node(&f, "cpu@2"), -1);
    node = find_node(&f, "psci");
    CU_ASSERT_TRUE(fdt_is_compatible(&f, node, "arm,psci-1.0"));
    CU_ASSERT_TRUE(fdt_is_compatible(&f, node, "arm,psci-0.2"));
    CU_ASSERT_TRUE(has_string(&f, node, "method", "hvc"));
    node = find_node(&f, "intc@8000000");
    CU_ASSERT_TRUE(fdt_is_compatible(&f, node, "arm,gic-v3"));
    CU_ASSERT_TRUE(fdt_get_prop(&f, node, "interrupt-controller", &p) && p.len == 0);
    CU_ASSERT_EQUAL(fdt_get_u32(&f, node, "#interrupt-cells", 0), 3);
    CU_ASSERT_EQUAL(fdt_get_u32(&f, node, "phandle", 0), 1);
    CU_ASSERT_TRUE(
        has_cells(&f, node, "reg",
                  (const uint32_t[]){0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0, 2 * 0x20000}, 8));
    node = find_node(&f, "timer");
    CU_ASSERT_TRUE(fdt_is_compatible(&f, node, "arm,armv8-timer"));
    CU_ASSERT_TRUE(has_cells(&f, node, "interrupts",
                             (const uint32_t[]){1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4}, 12));
    node = find_node(&f, "pl011@9000000");
    CU_ASSERT_TRUE(fdt_is_compatible(&f, node, "arm,pl011"));
    CU_ASSERT_TRUE(fdt_is_compatible(&f, node, "arm,primecell"));
    CU_ASSERT_TRUE(has_cells(&f, node, "reg", (const uint32_t[]){0, 0x09000000, 0, 0x1000}, 4));
    CU_ASSERT_TRUE(has_cells(&f, node, "interrupts", (const uint32_t[]){0, 1, 4}, 3));
    CU_ASSERT_TRUE(has_cells(&f, node, "clocks", (const uint32_t[]){2, 2}, 2));
    node = find_node(&f, "apb-pclk");
    CU_ASSERT_EQUAL(fdt_get_u32(&f, node, "phandle", 0), 2);
    CU_ASSERT_EQUAL(fdt_get_u32(&f, node, "clock-frequency", 0), 24000000);
    free(buf);
}

/* The nodes Linux needs are where QEMU's virt board (the arm64 boot tests' machine) has them. */
static void test_guest_fdt_matches_qemu_virt_node_names(void)
{
    static const char *const names[] = {"chosen",       "memory@40000000", "cpus",  "cpu@0",
                                        "psci",         "intc@8000000",    "timer", "apb-pclk",
                                        "pl011@9000000"};
    size_t qemu_size = 0;
    uint8_t *qemu = fake_images_source_file(QEMU_VIRT_DTB, &qemu_size);
    struct fdt f, q;
    uint8_t *buf = build_tree(&virt_spec, &f);

    CU_ASSERT_FATAL(qemu != NULL && buf != NULL);
    CU_ASSERT_FATAL(fdt_open(&q, qemu, qemu_size) == 0);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        UNIT_CHECK(find_node(&f, names[i]) >= 0 && find_node(&q, names[i]) >= 0, "node %s",
                   names[i]);
    }
    CU_ASSERT_TRUE(has_cells(&q, find_node(&q, "pl011@9000000"), "interrupts",
                             (const uint32_t[]){0, 1, 4}, 3));
    CU_ASSERT_EQUAL(fdt_get_u32(&q, find_node(&q, "apb-pclk"), "clock-frequency", 0),
                    AXVM_ARM64_APB_CLOCK);
    free(buf);
    free(qemu);
}

static void test_guest_fdt_leaves_out_what_the_domain_lacks(void)
{
    struct guest_fdt_params spec = virt_spec;
    struct fdt f;
    uint8_t *buf;
    int chosen;
    struct fdt_prop p;

    spec.uart_base = 0;
    spec.initrd_start = spec.initrd_end = 0;
    spec.bootargs = NULL;
    buf = build_tree(&spec, &f);
    CU_ASSERT_FATAL(buf != NULL);
    chosen = find_node(&f, "chosen");
    CU_ASSERT_TRUE(has_string(&f, chosen, "bootargs", ""));
    CU_ASSERT_FALSE(fdt_get_prop(&f, chosen, "stdout-path", &p));
    CU_ASSERT_FALSE(fdt_get_prop(&f, chosen, "linux,initrd-start", &p));
    CU_ASSERT_EQUAL(find_node(&f, "pl011@9000000"), -1);
    free(buf);
    spec.uart_base = AXVM_ARM64_PL011_BASE;
    spec.uart_intid = 0; /* polled: no interrupts property */
    buf = build_tree(&spec, &f);
    CU_ASSERT_FATAL(buf != NULL);
    CU_ASSERT_FALSE(fdt_get_prop(&f, find_node(&f, "pl011@9000000"), "interrupts", &p));
    free(buf);
}

static void test_guest_fdt_refuses_bad_specs(void)
{
    struct guest_fdt_params spec = virt_spec;
    uint8_t buf[512];
    size_t len;

    spec.nr_vcpus = 0;
    CU_ASSERT_EQUAL(guest_fdt_build(buf, sizeof(buf), &spec, &len), -AXVM_EINVAL);
    spec.nr_vcpus = 1;
    spec.uart_intid = 27; /* a PPI */
    CU_ASSERT_EQUAL(guest_fdt_build(buf, sizeof(buf), &spec, &len), -AXVM_EINVAL);
    spec.uart_intid = AXVM_ARM64_PL011_INTID;
    CU_ASSERT_EQUAL(guest_fdt_build(buf, sizeof(buf), &spec, &len), -AXVM_ENOSPC);
}

static CU_TestInfo guest_fdt_tests[] = {
    UNIT_TEST(test_guest_fdt_describes_the_virt_board),
    UNIT_TEST(test_guest_fdt_matches_qemu_virt_node_names),
    UNIT_TEST(test_guest_fdt_leaves_out_what_the_domain_lacks),
    UNIT_TEST(test_guest_fdt_refuses_bad_specs),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_guest_fdt = {"guest_fdt", NULL, NULL, NULL, NULL, guest_fdt_tests};
UNIT_REGISTER_SUITE(unit_suite_guest_fdt);
