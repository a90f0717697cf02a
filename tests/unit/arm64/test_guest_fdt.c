/* SPDX-License-Identifier: MIT */
/*
 * Suite "arm64_guest_fdt": the arm64 guest device trees (arch/arm64/guest_fdt.c). Each tree built
 * is read back with the hypervisor's own reader (hypervisor/lib/fdt.c) and boot parser
 * (arch/arm64/bootfdt.c); dom0's are built from QEMU's virt trees and the virt-like test board
 * (build.mk, "Device trees") and compared node by node with the host tree they came from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arm64/arm64.h>
#include <arm64/guest_fdt.h>
#include <hv/compiler.h>
#include <hv/fdt.h>
#include <public/axvm/errno.h>
#include <host.h>
#include <unit.h>

#define TREE_SIZE 65536

static uint8_t tree[TREE_SIZE];
static size_t tree_len;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static struct guest_fdt_params sample_params(void)
{
    struct guest_fdt_params p = {
        .ram = {{0x40000000, 0x1000000}, {0x100000000ull, 0x2000000}},
        .nr_ram = 2,
        .nr_vcpus = 3,
        .bootargs = "console=ttyAMA0 earlycon",
        .initrd_start = 0x42000000,
        .initrd_end = 0x42123456,
        .uart_base = AXVM_ARM64_PL011_BASE,
        .uart_intid = AXVM_ARM64_PL011_INTID,
    };
    return p;
}

/* The node at path ("/" is the root), or -1. */
static int find(const struct fdt *f, const char *path)
{
    const char *names[FDT_MAX_DEPTH];
    int node = -1, depth = -1;

    while (fdt_next_node(f, &node, &depth) == 0) {
        char here[256] = "";
        size_t len = 0;

        names[depth] = fdt_node_name(f, node);
        for (int d = 1; d <= depth; d++) {
            len += (size_t)snprintf(here + len, sizeof(here) - len, "/%s", names[d]);
        }
        if (!strcmp(depth ? here : "/", path)) {
            return node;
        }
    }
    return -1;
}

static bool prop_is(const struct fdt *f, const char *path, const char *name, const void *value,
                    size_t len)
{
    struct fdt_prop p;
    int node = find(f, path);

    return node >= 0 && fdt_get_prop(f, node, name, &p) && p.len == len &&
           memcmp(p.value, value, len) == 0;
}

static bool has_prop(const struct fdt *f, const char *path, const char *name)
{
    struct fdt_prop p;
    int node = find(f, path);

    return node >= 0 && fdt_get_prop(f, node, name, &p);
}

static bool string_is(const struct fdt *f, const char *path, const char *name, const char *s)
{
    return prop_is(f, path, name, s, strlen(s) + 1);
}

/* A property of big-endian cells equal to the given values. */
static bool cells_are(const struct fdt *f, const char *path, const char *name,
                      const uint32_t *cells, size_t nr)
{
    uint8_t buf[64 * 4];

    for (size_t i = 0; i < nr; i++) {
        buf[4 * i] = (uint8_t)(cells[i] >> 24);
        buf[4 * i + 1] = (uint8_t)(cells[i] >> 16);
        buf[4 * i + 2] = (uint8_t)(cells[i] >> 8);
        buf[4 * i + 3] = (uint8_t)cells[i];
    }
    return prop_is(f, path, name, buf, 4 * nr);
}

#define CELLS_ARE(f, path, name, ...)                         \
    cells_are(f, path, name, (const uint32_t[]){__VA_ARGS__}, \
              sizeof((const uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t))

static unsigned int count_compatible(const struct fdt *f, const char *compat)
{
    int node = -1, depth = -1;
    unsigned int n = 0;

    while (fdt_next_node(f, &node, &depth) == 0) {
        n += fdt_is_compatible(f, node, compat);
    }
    return n;
}

static unsigned int count_prop(const struct fdt *f, const char *name)
{
    struct fdt_prop p;
    int node = -1, depth = -1;
    unsigned int n = 0;

    while (fdt_next_node(f, &node, &depth) == 0) {
        n += fdt_get_prop(f, node, name, &p);
    }
    return n;
}

/* ---------------------------------------------------------------------------------------- */
/* domU */

static void test_guest_fdt_build_describes_the_virt_platform(void)
{
    struct guest_fdt_params p = sample_params();
    struct boot_info bi;
    struct arm64_platform plat;
    const char *why = NULL;
    struct fdt f;
    uint32_t gic, clk;

    CU_ASSERT_EQUAL_FATAL(guest_fdt_build(tree, sizeof(tree), &p, &tree_len), 0);
    CU_ASSERT_EQUAL_FATAL(fdt_open(&f, tree, tree_len), 0);
    CU_ASSERT(string_is(&f, "/", "compatible", "linux,dummy-virt"));
    CU_ASSERT(CELLS_ARE(&f, "/", "#address-cells", 2));
    CU_ASSERT(CELLS_ARE(&f, "/", "#size-cells", 2));
    CU_ASSERT(CELLS_ARE(&f, "/memory@40000000", "reg", 0, 0x40000000, 0, 0x1000000));
    CU_ASSERT(CELLS_ARE(&f, "/memory@100000000", "reg", 1, 0, 0, 0x2000000));
    CU_ASSERT(string_is(&f, "/memory@40000000", "device_type", "memory"));
    for (unsigned int i = 0; i < 3; i++) {
        char path[32];

        snprintf(path, sizeof(path), "/cpus/cpu@%x", i);
        UNIT_CHECK(CELLS_ARE(&f, path, "reg", i) && string_is(&f, path, "enable-method", "psci") &&
                       string_is(&f, path, "compatible", "arm,armv8") &&
                       string_is(&f, path, "device_type", "cpu"),
                   "%s", path);
    }
    CU_ASSERT_EQUAL(find(&f, "/cpus/cpu@3"), -1);
    CU_ASSERT(string_is(&f, "/psci", "method", "hvc"));
    CU_ASSERT(prop_is(&f, "/psci", "compatible", "arm,psci-1.0\0arm,psci-0.2", 26));
    CU_ASSERT(string_is(&f, "/hypervisor", "compatible", "axvm,hypervisor"));
    CU_ASSERT(CELLS_ARE(&f, "/intc@8000000", "reg", 0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0,
                        0x60000));
    CU_ASSERT(string_is(&f, "/intc@8000000", "compatible", "arm,gic-v3"));
    CU_ASSERT(CELLS_ARE(&f, "/intc@8000000", "#interrupt-cells", 3));
    CU_ASSERT(has_prop(&f, "/intc@8000000", "interrupt-controller"));
    gic = fdt_get_u32(&f, find(&f, "/intc@8000000"), "phandle", 0);
    CU_ASSERT_NOT_EQUAL(gic, 0);
    CU_ASSERT(CELLS_ARE(&f, "/", "interrupt-parent", gic));
    CU_ASSERT(CELLS_ARE(&f, "/timer", "interrupts", 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4));
    CU_ASSERT(has_prop(&f, "/timer", "always-on"));
    CU_ASSERT(fdt_is_compatible(&f, find(&f, "/timer"), "arm,armv8-timer"));
    CU_ASSERT(prop_is(&f, "/pl011@9000000", "compatible", "arm,pl011\0arm,primecell", 24));
    CU_ASSERT(CELLS_ARE(&f, "/pl011@9000000", "reg", 0, 0x09000000, 0, 0x1000));
    CU_ASSERT(CELLS_ARE(&f, "/pl011@9000000", "interrupts", 0, 1, 4));
    CU_ASSERT(prop_is(&f, "/pl011@9000000", "clock-names", "uartclk\0apb_pclk", 17));
    clk = fdt_get_u32(&f, find(&f, "/apb-pclk"), "phandle", 0);
    CU_ASSERT(clk != 0 && clk != gic);
    CU_ASSERT(CELLS_ARE(&f, "/pl011@9000000", "clocks", clk, clk));
    CU_ASSERT(CELLS_ARE(&f, "/apb-pclk", "clock-frequency", 24000000));
    CU_ASSERT(string_is(&f, "/chosen", "bootargs", "console=ttyAMA0 earlycon"));
    CU_ASSERT(string_is(&f, "/chosen", "stdout-path", "/pl011@9000000"));
    CU_ASSERT(CELLS_ARE(&f, "/chosen", "linux,initrd-start", 0, 0x42000000));
    CU_ASSERT(CELLS_ARE(&f, "/chosen", "linux,initrd-end", 0, 0x42123456));

    /* What the hypervisor's own boot parser makes of it. */
    bootinfo_init(&bi);
    CU_ASSERT_EQUAL_FATAL(bootfdt_parse(tree, tree_len, &bi, &plat, &why), 0);
    CU_ASSERT_EQUAL(bi.nr_mem, 2);
    CU_ASSERT_EQUAL(bi.nr_modules, 0);
    CU_ASSERT_STRING_EQUAL(bi.cmdline, "console=ttyAMA0 earlycon");
    CU_ASSERT_EQUAL(plat.psci, PSCI_HVC);
    CU_ASSERT_EQUAL(plat.nr_cpus, 3);
    CU_ASSERT_EQUAL(plat.mpidrs[2], 2);
    CU_ASSERT_EQUAL(plat.uart_hpa, 0x09000000);
    CU_ASSERT_EQUAL(plat.gicd_hpa, 0x08000000);
    CU_ASSERT_EQUAL(plat.gicr_hpa, 0x080a0000);
    CU_ASSERT_EQUAL(plat.gicr_size, 0x60000);
}

static void test_guest_fdt_build_without_uart_or_initrd_leaves_them_out(void)
{
    struct guest_fdt_params p = sample_params();
    struct fdt f;

    p.uart_base = 0;
    p.initrd_start = p.initrd_end = 0;
    p.bootargs = NULL;
    p.nr_vcpus = 1;
    CU_ASSERT_EQUAL_FATAL(guest_fdt_build(tree, sizeof(tree), &p, &tree_len), 0);
    CU_ASSERT_EQUAL_FATAL(fdt_open(&f, tree, tree_len), 0);
    CU_ASSERT_EQUAL(find(&f, "/pl011@9000000"), -1);
    CU_ASSERT_EQUAL(count_compatible(&f, "arm,pl011"), 0);
    CU_ASSERT_FALSE(has_prop(&f, "/chosen", "stdout-path"));
    CU_ASSERT_FALSE(has_prop(&f, "/chosen", "linux,initrd-start"));
    CU_ASSERT(string_is(&f, "/chosen", "bootargs", ""));
    CU_ASSERT(CELLS_ARE(&f, "/intc@8000000", "reg", 0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0,
                        0x20000));
}

static void test_guest_fdt_build_rejects_bad_params(void)
{
    static const struct {
        const char *what;
        unsigned int nr_ram, nr_vcpus;
        uint64_t ram_size, initrd_start, initrd_end;
    } cases[] = {
        {"no RAM", 0, 1, 0x1000000, 0, 0},
        {"too many RAM ranges", GUEST_FDT_MAX_RAM + 1, 1, 0x1000000, 0, 0},
        {"an empty range", 1, 1, 0, 0, 0},
        {"no vCPU", 1, 0, 0x1000000, 0, 0},
        {"more vCPUs than redistributors fit", 1, GUEST_FDT_MAX_VCPUS + 1, 0x1000000, 0, 0},
        {"an initrd ending before it starts", 1, 1, 0x1000000, 0x42000000, 0x41000000},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct guest_fdt_params p = sample_params();
        size_t total = 0;
        int rc;

        p.nr_ram = cases[i].nr_ram;
        p.nr_vcpus = cases[i].nr_vcpus;
        p.ram[0].size = cases[i].ram_size;
        p.initrd_start = cases[i].initrd_start;
        p.initrd_end = cases[i].initrd_end;
        rc = guest_fdt_build(tree, sizeof(tree), &p, &total);
        UNIT_CHECK(rc == -AXVM_EINVAL, "%s: rc %d", cases[i].what, rc);
    }
    {
        struct guest_fdt_params p = sample_params();

        p.ram[1].base = UINT64_MAX - 0xfff; /* its end wraps */
        CU_ASSERT_EQUAL(guest_fdt_build(tree, sizeof(tree), &p, &tree_len), -AXVM_EINVAL);
        p.nr_vcpus = GUEST_FDT_MAX_VCPUS;
        p.ram[1].base = 0x100000000ull;
        CU_ASSERT_EQUAL(guest_fdt_build(tree, sizeof(tree), &p, &tree_len), 0);
    }
}

/* Every buffer one byte short fails cleanly; the exact size works (ASan sees any overrun). */
static void test_guest_fdt_build_short_buffers_return_enospc(void)
{
    struct guest_fdt_params p = sample_params();
    size_t total = 0;

    CU_ASSERT_EQUAL_FATAL(guest_fdt_build(tree, sizeof(tree), &p, &total), 0);
    for (size_t size = 0; size <= total; size++) {
        uint8_t *buf = malloc(size ? size : 1);
        size_t got = 0;
        int rc = guest_fdt_build(buf, size, &p, &got);

        if (size < total ? rc != -AXVM_ENOSPC
                         : (rc != 0 || got != total || memcmp(buf, tree, total) != 0)) {
            UNIT_CHECK(false, "size %zu of %zu: rc %d", size, total, rc);
            free(buf);
            break;
        }
        free(buf);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* dom0 */

static struct guest_fdt_params dom0_params(void)
{
    struct guest_fdt_params p = {
        .ram = {{0x48000000, 0x4000000}},
        .nr_ram = 1,
        .nr_vcpus = 2,
        .bootargs = "console=ttyAMA0 root=/dev/ram0",
        .initrd_start = 0x4a000000,
        .initrd_end = 0x4a800000,
        .uart_base = AXVM_ARM64_PL011_BASE,
        .uart_intid = AXVM_ARM64_PL011_INTID,
    };
    return p;
}

static void *host_tree(const char *name, size_t *len, struct fdt *f)
{
    void *blob = unit_read_data(name, len);

    if (blob && fdt_open(f, blob, *len) != 0) {
        free(blob);
        blob = NULL;
    }
    return blob;
}

/* A host node dom0's tree must have byte for byte, props_skipped aside. */
static bool node_props_equal(const struct fdt *host, int hnode, const struct fdt *dom0, int dnode,
                             const char *skipped)
{
    struct fdt_prop hp, dp;
    uint32_t cursor = 0;
    int rc;

    while ((rc = fdt_next_prop(host, hnode, &cursor, &hp)) == 0) {
        if (skipped && !strcmp(hp.name, skipped)) {
            if (fdt_get_prop(dom0, dnode, hp.name, &dp)) {
                return false;
            }
            continue;
        }
        if (!fdt_get_prop(dom0, dnode, hp.name, &dp) || dp.len != hp.len ||
            memcmp(dp.value, hp.value, hp.len) != 0) {
            return false;
        }
    }
    return rc == -AXVM_ENOENT;
}

/*
 * Every node of the host tree outside the left-out and rebuilt paths is in dom0's tree with
 * the same properties (pcie without msi-map). Returns: how many nodes were compared.
 */
static unsigned int check_copied_verbatim(const struct fdt *host, const struct fdt *dom0,
                                          const char *const *not_copied, size_t nr_not_copied)
{
    const char *names[FDT_MAX_DEPTH];
    int node = -1, depth = -1;
    unsigned int compared = 0;

    while (fdt_next_node(host, &node, &depth) == 0) {
        char path[256] = "";
        size_t len = 0;
        bool skip = false;
        int dnode;

        names[depth] = fdt_node_name(host, node);
        for (int d = 1; d <= depth; d++) {
            len += (size_t)snprintf(path + len, sizeof(path) - len, "/%s", names[d]);
        }
        for (size_t i = 0; i < nr_not_copied; i++) {
            size_t n = strlen(not_copied[i]);

            skip |= !strncmp(path, not_copied[i], n) && (path[n] == '\0' || path[n] == '/');
        }
        if (skip || depth == 0) {
            continue;
        }
        dnode = find(dom0, path);
        UNIT_CHECK(dnode >= 0 && node_props_equal(host, node, dom0, dnode,
                                                  strncmp(path, "/pcie@", 6) ? NULL : "msi-map"),
                   "%s: missing or changed in dom0's tree", path);
        compared++;
    }
    return compared;
}

static void test_dom0_fdt_build_from_qemu_virt_rewrites_what_dom0_sees(void)
{
    static const char *const not_copied[] = {
        "/memory@40000000", "/cpus", "/psci", "/chosen", "/intc@8000000", "/pmu", "/fw-cfg@9020000",
    };
    struct guest_fdt_params p = dom0_params();
    struct boot_info bi;
    struct arm64_platform plat;
    const char *why = NULL;
    struct fdt host, f;
    size_t host_len;
    void *blob = host_tree("qemu-virt.dtb", &host_len, &host);
    uint32_t host_gic;

    CU_ASSERT_PTR_NOT_NULL_FATAL(blob);
    CU_ASSERT_EQUAL_FATAL(dom0_fdt_build(tree, sizeof(tree), blob, host_len, &p, &tree_len), 0);
    CU_ASSERT_EQUAL_FATAL(fdt_open(&f, tree, tree_len), 0);

    /* Rewritten. */
    CU_ASSERT_EQUAL(find(&f, "/memory@40000000"), -1);
    CU_ASSERT(CELLS_ARE(&f, "/memory@48000000", "reg", 0, 0x48000000, 0, 0x4000000));
    CU_ASSERT(CELLS_ARE(&f, "/cpus/cpu@0", "reg", 0));
    CU_ASSERT(CELLS_ARE(&f, "/cpus/cpu@1", "reg", 1));
    CU_ASSERT_EQUAL(find(&f, "/cpus/cpu@2"), -1);
    CU_ASSERT_EQUAL(find(&f, "/cpus/cpu-map"), -1);
    CU_ASSERT(string_is(&f, "/psci", "method", "hvc"));
    CU_ASSERT(string_is(&f, "/hypervisor", "compatible", "axvm,hypervisor"));
    CU_ASSERT(string_is(&f, "/chosen", "bootargs", "console=ttyAMA0 root=/dev/ram0"));
    CU_ASSERT(string_is(&f, "/chosen", "stdout-path", "/pl011@9000000"));
    CU_ASSERT(CELLS_ARE(&f, "/chosen", "linux,initrd-start", 0, 0x4a000000));
    CU_ASSERT(CELLS_ARE(&f, "/chosen", "linux,initrd-end", 0, 0x4a800000));
    CU_ASSERT_FALSE(has_prop(&f, "/chosen", "kaslr-seed"));
    /* The GIC: same node and phandle, redistributors for two vCPUs, no ITS, no maintenance. */
    host_gic = fdt_get_u32(&host, find(&host, "/intc@8000000"), "phandle", 0);
    CU_ASSERT(CELLS_ARE(&f, "/intc@8000000", "phandle", host_gic));
    CU_ASSERT(CELLS_ARE(&f, "/", "interrupt-parent", host_gic));
    CU_ASSERT(CELLS_ARE(&f, "/intc@8000000", "reg", 0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0,
                        0x40000));
    CU_ASSERT(CELLS_ARE(&f, "/intc@8000000", "#redistributor-regions", 1));
    CU_ASSERT(CELLS_ARE(&f, "/intc@8000000", "#interrupt-cells", 3));
    CU_ASSERT_FALSE(has_prop(&f, "/intc@8000000", "interrupts"));
    /* Left out. */
    CU_ASSERT_EQUAL(count_compatible(&f, "arm,gic-v3-its"), 0);
    CU_ASSERT_EQUAL(count_compatible(&f, "arm,armv8-pmuv3"), 0);
    CU_ASSERT_EQUAL(count_compatible(&f, "qemu,fw-cfg-mmio"), 0);
    CU_ASSERT_EQUAL(count_prop(&f, "msi-map"), 0);
    CU_ASSERT_EQUAL(count_prop(&f, "msi-parent"), 0);
    /* Kept. */
    CU_ASSERT_EQUAL(count_compatible(&f, "virtio,mmio"), count_compatible(&host, "virtio,mmio"));
    CU_ASSERT_EQUAL(count_compatible(&f, "pci-host-ecam-generic"), 1);
    CU_ASSERT_EQUAL(count_compatible(&f, "arm,pl031"), 1);
    CU_ASSERT_EQUAL(count_compatible(&f, "arm,pl061"), 1);
    CU_ASSERT(check_copied_verbatim(&host, &f, not_copied, ARRAY_SIZE(not_copied)) > 40);

    bootinfo_init(&bi);
    CU_ASSERT_EQUAL_FATAL(bootfdt_parse(tree, tree_len, &bi, &plat, &why), 0);
    CU_ASSERT_EQUAL(bi.nr_mem, 1);
    CU_ASSERT_EQUAL(bi.mem[0].base, 0x48000000);
    CU_ASSERT_EQUAL(bi.nr_modules, 0);
    CU_ASSERT_EQUAL(plat.psci, PSCI_HVC);
    CU_ASSERT_EQUAL(plat.nr_cpus, 2);
    CU_ASSERT_EQUAL(plat.uart_hpa, 0x09000000);
    CU_ASSERT_EQUAL(plat.gicr_size, 0x40000);
    free(blob);
}

static void test_dom0_fdt_build_leaves_out_the_secure_world(void)
{
    struct guest_fdt_params p = dom0_params();
    struct fdt host, f;
    size_t host_len;
    void *blob = host_tree("qemu-virt-secure.dtb", &host_len, &host);

    CU_ASSERT_PTR_NOT_NULL_FATAL(blob);
    CU_ASSERT_FATAL(count_prop(&host, "secure-status") > 0);
    CU_ASSERT_EQUAL_FATAL(dom0_fdt_build(tree, sizeof(tree), blob, host_len, &p, &tree_len), 0);
    CU_ASSERT_EQUAL_FATAL(fdt_open(&f, tree, tree_len), 0);
    CU_ASSERT_EQUAL(count_prop(&f, "secure-status"), 0);
    CU_ASSERT_EQUAL(find(&f, "/secure-chosen"), -1);
    CU_ASSERT_EQUAL(count_compatible(&f, "arm,pl011"), 1);
    /* The console is the non-secure PL011, though the secure one comes first in the host's. */
    CU_ASSERT(string_is(&f, "/chosen", "stdout-path", "/pl011@9000000"));
    free(blob);
}

static void test_dom0_fdt_build_drops_the_hypervisors_modules_and_keeps_other_layouts(void)
{
    struct guest_fdt_params p = dom0_params();
    struct fdt host, f;
    size_t host_len;
    void *blob = host_tree("virt.dtb", &host_len, &host);

    CU_ASSERT_PTR_NOT_NULL_FATAL(blob);
    CU_ASSERT_FATAL(count_compatible(&host, "multiboot,module") > 0);
    p.nr_vcpus = 16; /* the host's redistributor region holds 16 */
    CU_ASSERT_EQUAL_FATAL(dom0_fdt_build(tree, sizeof(tree), blob, host_len, &p, &tree_len), 0);
    CU_ASSERT_EQUAL_FATAL(fdt_open(&f, tree, tree_len), 0);
    CU_ASSERT_EQUAL(count_compatible(&f, "multiboot,module"), 0);
    CU_ASSERT_EQUAL(count_compatible(&f, "acme,blob"), 0);
    CU_ASSERT(string_is(&f, "/chosen", "bootargs", "console=ttyAMA0 root=/dev/ram0"));
    CU_ASSERT(CELLS_ARE(&f, "/interrupt-controller@2f000000", "reg", 0, 0x2f000000, 0, 0x10000, 0,
                        0x2f100000, 0, 0x200000));
    p.nr_vcpus = 17;
    CU_ASSERT_EQUAL(dom0_fdt_build(tree, sizeof(tree), blob, host_len, &p, &tree_len),
                    -AXVM_EINVAL);
    free(blob);
}

static void test_dom0_fdt_build_rejects_bad_hosts_and_short_buffers(void)
{
    struct guest_fdt_params p = dom0_params();
    struct fdt host;
    size_t host_len, total = 0;
    uint8_t *blob = host_tree("qemu-virt.dtb", &host_len, &host);
    uint8_t junk[64] = {0};

    CU_ASSERT_PTR_NOT_NULL_FATAL(blob);
    CU_ASSERT_EQUAL(dom0_fdt_build(tree, sizeof(tree), junk, sizeof(junk), &p, &total),
                    -AXVM_EINVAL);
    CU_ASSERT_EQUAL(dom0_fdt_build(tree, sizeof(tree), blob, host_len - 1, &p, &total),
                    -AXVM_EINVAL);
    p.nr_vcpus = 0;
    CU_ASSERT_EQUAL(dom0_fdt_build(tree, sizeof(tree), blob, host_len, &p, &total), -AXVM_EINVAL);
    p = dom0_params();
    CU_ASSERT_EQUAL_FATAL(dom0_fdt_build(tree, sizeof(tree), blob, host_len, &p, &total), 0);
    for (size_t size = 0; size < total; size += 97) {
        uint8_t *buf = malloc(size ? size : 1);
        int rc = dom0_fdt_build(buf, size, blob, host_len, &p, &tree_len);

        free(buf);
        if (rc != -AXVM_ENOSPC) {
            UNIT_CHECK(false, "size %zu of %zu: rc %d", size, total, rc);
            break;
        }
    }
    /* A structure block cut short: an error, not a read past the blob. */
    {
        uint32_t off_struct = be32(blob + 8), size_struct = be32(blob + 36);

        blob[36] = (uint8_t)((size_struct / 2) >> 24);
        blob[37] = (uint8_t)((size_struct / 2) >> 16);
        blob[38] = (uint8_t)((size_struct / 2) >> 8);
        blob[39] = (uint8_t)(size_struct / 2);
        CU_ASSERT(off_struct > 0);
        CU_ASSERT_EQUAL(dom0_fdt_build(tree, sizeof(tree), blob, host_len, &p, &total),
                        -AXVM_EINVAL);
    }
    free(blob);
}

static CU_TestInfo guest_fdt_tests[] = {
    UNIT_TEST(test_guest_fdt_build_describes_the_virt_platform),
    UNIT_TEST(test_guest_fdt_build_without_uart_or_initrd_leaves_them_out),
    UNIT_TEST(test_guest_fdt_build_rejects_bad_params),
    UNIT_TEST(test_guest_fdt_build_short_buffers_return_enospc),
    UNIT_TEST(test_dom0_fdt_build_from_qemu_virt_rewrites_what_dom0_sees),
    UNIT_TEST(test_dom0_fdt_build_leaves_out_the_secure_world),
    UNIT_TEST(test_dom0_fdt_build_drops_the_hypervisors_modules_and_keeps_other_layouts),
    UNIT_TEST(test_dom0_fdt_build_rejects_bad_hosts_and_short_buffers),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_guest_fdt = {"arm64_guest_fdt", NULL, NULL, NULL, NULL, guest_fdt_tests};
UNIT_REGISTER_SUITE(unit_suite_guest_fdt);
