/* SPDX-License-Identifier: MIT */
/*
 * CUnit suite "acpi_build": the x86 domU's ACPI tables (arch/x86/acpi_build.c, as the
 * toolstack links it). The tables are read back field by field at the offsets of the ACPI 6.0
 * specification, every checksum summed, the MADT counted per vCPU count, the DSDT's AML compared
 * byte by byte with an encoding worked out by hand, and the DSDT handed to iasl -d (acpica-tools)
 * to see that a real AML parser reads what we meant.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <unit.h>
#include <x86/acpi_build.h>
#include <public/axvm/errno.h>
#include <public/axvm/platform_x86.h>

#define BASE 0xe0000u

static uint8_t tables[ACPI_BUILD_MAX_SIZE];
static struct acpi_build_layout layout;

static uint64_t le(const uint8_t *p, unsigned int bytes)
{
    uint64_t v = 0;

    for (unsigned int i = bytes; i-- > 0;) {
        v = v << 8 | p[i];
    }
    return v;
}

static unsigned int sum(const uint8_t *p, size_t len)
{
    unsigned int s = 0;

    for (size_t i = 0; i < len; i++) {
        s += p[i];
    }
    return s & 0xff;
}

static int build(unsigned int nr_vcpus, bool has_com1)
{
    struct acpi_build_params p = {BASE, nr_vcpus, has_com1};

    memset(tables, 0xee, sizeof(tables));
    memset(&layout, 0, sizeof(layout));
    return acpi_build_tables(&p, tables, sizeof(tables), &layout);
}

/* Returns: the table at gpa in the buffer, after checking its header's length and checksum. */
static const uint8_t *table_at(uint64_t gpa, const char *signature, uint32_t len)
{
    const uint8_t *t = tables + (gpa - BASE);

    CU_ASSERT_FATAL(gpa >= BASE && gpa - BASE + len <= layout.used);
    CU_ASSERT_EQUAL(memcmp(t, signature, 4), 0);
    CU_ASSERT_EQUAL(le(t + 4, 4), len);
    CU_ASSERT_EQUAL(sum(t, len), 0);
    CU_ASSERT_EQUAL(memcmp(t + 10, "AXVM  ", 6), 0);
    return t;
}

static void test_acpi_build_rsdp_points_at_the_xsdt(void)
{
    CU_ASSERT_FATAL(build(1, true) == 0);
    CU_ASSERT_EQUAL(layout.rsdp_gpa, BASE);
    CU_ASSERT_EQUAL(memcmp(tables, "RSD PTR ", 8), 0);
    CU_ASSERT_EQUAL(sum(tables, 20), 0);
    CU_ASSERT_EQUAL(sum(tables, 36), 0);
    CU_ASSERT_EQUAL(tables[15], 2);          /* revision */
    CU_ASSERT_EQUAL(le(tables + 16, 4), 0);  /* no RSDT */
    CU_ASSERT_EQUAL(le(tables + 20, 4), 36); /* length */
    CU_ASSERT_EQUAL(le(tables + 24, 8), layout.xsdt_gpa);
    CU_ASSERT_EQUAL(layout.xsdt_gpa % 16, 0); /* and every table 16-byte aligned */
    CU_ASSERT_EQUAL(layout.fadt_gpa % 16, 0);
    CU_ASSERT_EQUAL(layout.madt_gpa % 16, 0);
    CU_ASSERT_EQUAL(layout.dsdt_gpa % 16, 0);
}

static void test_acpi_build_xsdt_lists_fadt_and_madt(void)
{
    const uint8_t *xsdt;

    CU_ASSERT_FATAL(build(2, true) == 0);
    CU_ASSERT_EQUAL(layout.xsdt_len, 36 + 2 * 8);
    xsdt = table_at(layout.xsdt_gpa, "XSDT", layout.xsdt_len);
    CU_ASSERT_EQUAL(le(xsdt + 36, 8), layout.fadt_gpa);
    CU_ASSERT_EQUAL(le(xsdt + 44, 8), layout.madt_gpa);
    /* The tables follow each other without overlapping, inside what was used. */
    CU_ASSERT_TRUE(layout.rsdp_gpa + 36 <= layout.xsdt_gpa);
    CU_ASSERT_TRUE(layout.xsdt_gpa + layout.xsdt_len <= layout.fadt_gpa);
    CU_ASSERT_TRUE(layout.fadt_gpa + layout.fadt_len <= layout.madt_gpa);
    CU_ASSERT_TRUE(layout.madt_gpa + layout.madt_len <= layout.dsdt_gpa);
    CU_ASSERT_EQUAL(layout.dsdt_gpa + layout.dsdt_len, BASE + layout.used);
}

static void test_acpi_build_fadt_is_hw_reduced_with_pm_registers(void)
{
    static const uint8_t reset_gas[12] = {
        1, 8, 0, 1, AXVM_X86_RESET_PORT & 0xff, AXVM_X86_RESET_PORT >> 8};
    static const uint8_t sleep_ctl_gas[12] = {
        1, 8, 0, 1, AXVM_X86_SLEEP_CONTROL_PORT & 0xff, AXVM_X86_SLEEP_CONTROL_PORT >> 8};
    static const uint8_t sleep_sts_gas[12] = {
        1, 8, 0, 1, AXVM_X86_SLEEP_STATUS_PORT & 0xff, AXVM_X86_SLEEP_STATUS_PORT >> 8};
    const uint8_t *fadt;

    CU_ASSERT_FATAL(build(1, true) == 0);
    CU_ASSERT_EQUAL(layout.fadt_len, 276); /* ACPI 6.0, hypervisor vendor identity included */
    fadt = table_at(layout.fadt_gpa, "FACP", layout.fadt_len);
    CU_ASSERT_EQUAL(fadt[8], 6);                          /* revision */
    CU_ASSERT_EQUAL(fadt[131], 0);                        /* minor version: 6.0 */
    CU_ASSERT_EQUAL(le(fadt + 36, 4), 0);                 /* no FACS */
    CU_ASSERT_EQUAL(le(fadt + 40, 4), 0);                 /* DSDT: X_DSDT instead */
    CU_ASSERT_EQUAL(le(fadt + 46, 2), 0);                 /* no SCI */
    CU_ASSERT_EQUAL(le(fadt + 56, 4), 0);                 /* no PM1a event block, */
    CU_ASSERT_EQUAL(le(fadt + 76, 4), 0);                 /* no PM timer */
    CU_ASSERT_EQUAL(le(fadt + 109, 2), 0x4 | 0x8 | 0x20); /* no VGA, no MSI, no CMOS RTC */
    CU_ASSERT_EQUAL(le(fadt + 112, 4), (1u << 20) | (1u << 10) | (1u << 5) | (1u << 4));
    CU_ASSERT_EQUAL(memcmp(fadt + 116, reset_gas, 12), 0);
    CU_ASSERT_EQUAL(fadt[128], AXVM_X86_RESET_VALUE);
    CU_ASSERT_EQUAL(le(fadt + 132, 8), 0);
    CU_ASSERT_EQUAL(le(fadt + 140, 8), layout.dsdt_gpa);
    CU_ASSERT_EQUAL(memcmp(fadt + 244, sleep_ctl_gas, 12), 0);
    CU_ASSERT_EQUAL(memcmp(fadt + 256, sleep_sts_gas, 12), 0);
}

static void test_acpi_build_madt_has_one_local_apic_per_vcpu(void)
{
    static const unsigned int counts[] = {1, 2, 3, 16, ACPI_BUILD_MAX_VCPUS};

    for (unsigned int c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
        unsigned int n = counts[c];
        const uint8_t *madt, *e;

        CU_ASSERT_FATAL(build(n, true) == 0);
        UNIT_CHECK(layout.madt_len == 44 + 8 * n + 12, "%u vCPUs: MADT length %u", n,
                   layout.madt_len);
        madt = table_at(layout.madt_gpa, "APIC", layout.madt_len);
        CU_ASSERT_EQUAL(le(madt + 36, 4), AXVM_X86_LAPIC_GPA);
        CU_ASSERT_EQUAL(le(madt + 40, 4), 0); /* no PCAT_COMPAT */
        e = madt + 44;
        for (unsigned int i = 0; i < n; i++, e += 8) {
            UNIT_CHECK(e[0] == 0 && e[1] == 8 && e[2] == i && e[3] == i && le(e + 4, 4) == 1,
                       "%u vCPUs: local APIC entry %u", n, i);
        }
        CU_ASSERT_TRUE(e[0] == 1 && e[1] == 12 && e[2] == AXVM_X86_IOAPIC_ID && e[3] == 0);
        CU_ASSERT_EQUAL(le(e + 4, 4), AXVM_X86_IOAPIC_GPA);
        CU_ASSERT_EQUAL(le(e + 8, 4), 0);
        CU_ASSERT_TRUE(layout.used <= ACPI_BUILD_MAX_SIZE);
    }
}

/* The AML after the DSDT header, encoded by hand from ACPI 6.0 §19-20 (see the comments). */
static const uint8_t aml_with_com1[] = {
    0x10, 0x39, '\\', '_',  'S',  'B',  '_',                    /* Scope(\_SB), PkgLength 57 */
    0x5b, 0x82, 0x31, 'C',  'O',  'M',  '1',                    /* Device(COM1), PkgLength 49 */
    0x08, '_',  'H',  'I',  'D',  0x0c, 0x41, 0xd0, 0x05, 0x01, /* Name(_HID, EisaId("PNP0501")) */
    0x08, '_',  'U',  'I',  'D',  0x00,                         /* Name(_UID, Zero) */
    0x08, '_',  'C',  'R',  'S',  0x11, 0x16, 0x0a, 0x13,       /* Name(_CRS, Buffer(19) { */
    0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x00, 0x08,       /* IO(Decode16, 0x3f8, 0x3f8, 0, 8) */
    0x89, 0x06, 0x00, 0x03, 0x01, 0x04, 0x00, 0x00, 0x00, /* Interrupt(Consumer, Edge, High) {4} */
    0x79, 0xaa,                                           /* EndTag, checksum }) */
    0x08, '_',  'S',  '5',  '_',  0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x05, /* Name(_S5, {5, 5}) */
};

static const uint8_t aml_without_com1[] = {
    0x10, 0x06, '\\', '_',  'S',  'B',  '_',  0x08, '_',  'S',
    '5',  '_',  0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x05,
};

static void test_acpi_build_dsdt_aml_is_byte_exact(void)
{
    const uint8_t *dsdt;

    CU_ASSERT_FATAL(build(1, true) == 0);
    CU_ASSERT_EQUAL(layout.dsdt_len, 36 + sizeof(aml_with_com1));
    dsdt = table_at(layout.dsdt_gpa, "DSDT", layout.dsdt_len);
    CU_ASSERT_EQUAL(dsdt[8], 2);
    CU_ASSERT_EQUAL(memcmp(dsdt + 36, aml_with_com1, sizeof(aml_with_com1)), 0);
    CU_ASSERT_FATAL(build(4, false) == 0);
    CU_ASSERT_EQUAL(layout.dsdt_len, 36 + sizeof(aml_without_com1));
    dsdt = table_at(layout.dsdt_gpa, "DSDT", layout.dsdt_len);
    CU_ASSERT_EQUAL(memcmp(dsdt + 36, aml_without_com1, sizeof(aml_without_com1)), 0);
}

static void test_acpi_build_refuses_bad_params(void)
{
    struct acpi_build_params p = {BASE, 0, true};

    CU_ASSERT_EQUAL(acpi_build_tables(&p, tables, sizeof(tables), &layout), -AXVM_EINVAL);
    p.nr_vcpus = ACPI_BUILD_MAX_VCPUS + 1;
    CU_ASSERT_EQUAL(acpi_build_tables(&p, tables, sizeof(tables), &layout), -AXVM_EINVAL);
    p = (struct acpi_build_params){BASE + 8, 1, true};
    CU_ASSERT_EQUAL(acpi_build_tables(&p, tables, sizeof(tables), &layout), -AXVM_EINVAL);
}

/* Every buffer too small by any amount is refused, and nothing is written past its end. */
static void test_acpi_build_refuses_a_short_buffer(void)
{
    struct acpi_build_params p = {BASE, 2, true};
    size_t need;

    CU_ASSERT_FATAL(build(2, true) == 0);
    need = layout.used;
    for (size_t size = 0; size < need; size++) {
        uint8_t *buf = malloc(size ? size : 1); /* exactly size bytes, for ASan */
        struct acpi_build_layout l;

        CU_ASSERT_FATAL(buf != NULL);
        UNIT_CHECK(acpi_build_tables(&p, buf, size, &l) == -AXVM_ENOSPC, "%zu bytes", size);
        free(buf);
    }
}

/* Returns: the output of sh -c cmd (at most size - 1 bytes), or NULL when it did not run. */
static char *run(const char *cmd, char *out, size_t size)
{
    FILE *f = popen(cmd, "r");
    size_t n;

    if (!f) {
        return NULL;
    }
    n = fread(out, 1, size - 1, f);
    out[n] = '\0';
    return pclose(f) == 0 ? out : NULL;
}

static void test_acpi_build_dsdt_disassembles_with_iasl(void)
{
    char dir[] = "/tmp/acpi-build-XXXXXX", cmd[512], path[300];
    static char dsl[16384];
    FILE *f;

    CU_ASSERT_FATAL(build(1, true) == 0);
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/dsdt.aml", dir);
    f = fopen(path, "wb");
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_EQUAL(fwrite(tables + (layout.dsdt_gpa - BASE), 1, layout.dsdt_len, f),
                    layout.dsdt_len);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "cd %s && iasl -d dsdt.aml >iasl.log 2>&1 && cat dsdt.dsl", dir);
    UNIT_CHECK(run(cmd, dsl, sizeof(dsl)) != NULL,
               "iasl -d failed or is missing (scripts/install-deps installs acpica-tools)");
    CU_ASSERT_PTR_NOT_NULL(strstr(dsl, "Device (COM1)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dsl, "Name (_HID, EisaId (\"PNP0501\")"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dsl, "0x03F8,             // Range Minimum"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dsl, "Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dsl, "0x00000004,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dsl, "Name (_S5, Package (0x02)"));
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static CU_TestInfo acpi_build_tests[] = {
    UNIT_TEST(test_acpi_build_rsdp_points_at_the_xsdt),
    UNIT_TEST(test_acpi_build_xsdt_lists_fadt_and_madt),
    UNIT_TEST(test_acpi_build_fadt_is_hw_reduced_with_pm_registers),
    UNIT_TEST(test_acpi_build_madt_has_one_local_apic_per_vcpu),
    UNIT_TEST(test_acpi_build_dsdt_aml_is_byte_exact),
    UNIT_TEST(test_acpi_build_refuses_bad_params),
    UNIT_TEST(test_acpi_build_refuses_a_short_buffer),
    UNIT_TEST(test_acpi_build_dsdt_disassembles_with_iasl),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_acpi_build = {"acpi_build", NULL, NULL, NULL, NULL, acpi_build_tests};
UNIT_REGISTER_SUITE(unit_suite_acpi_build);
