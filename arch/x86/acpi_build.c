/* SPDX-License-Identifier: MIT */
/*
 * The x86 domU's ACPI tables of <x86/acpi_build.h>, after the ACPI 6.0 specification: RSDP
 * (§5.2.5), XSDT (§5.2.8), FADT revision 6.0 with HW_REDUCED_ACPI (§5.2.9), MADT (§5.2.12)
 * and a DSDT whose AML (§19.2, §20) is encoded here byte by byte. Every multi-byte field is
 * written little-endian one byte at a time, so neither alignment nor host order matters.
 */
#include <x86/acpi_build.h>
#include <hv/string.h>
#include <public/axvm/errno.h>
#include <public/axvm/platform_x86.h>

#define HEADER_LEN   36 /* the common table header, §5.2.6 */
#define RSDP_LEN     36
#define RSDP_V1_LEN  20 /* what the first checksum covers */
#define FADT_LEN     276
#define MADT_FIXED   44 /* header, local APIC address, flags */
#define TABLE_ALIGN  16
#define GAS_SPACE_IO 1
#define GAS_BYTE     1 /* access size: byte */

/* Table header offsets. */
#define HDR_LENGTH   4
#define HDR_CHECKSUM 9

/* FADT offsets and values (ACPI 6.0 Table 5-34). */
#define FADT_DSDT            40
#define FADT_IAPC_BOOT_ARCH  109
#define FADT_FLAGS           112
#define FADT_RESET_REG       116
#define FADT_RESET_VALUE     128
#define FADT_MINOR_VERSION   131
#define FADT_X_DSDT          140
#define FADT_SLEEP_CONTROL   244
#define FADT_SLEEP_STATUS    256
#define FADT_REVISION        6
#define FADT_MINOR           0
#define BOOT_ARCH_NO_VGA     (1u << 2)
#define BOOT_ARCH_NO_MSI     (1u << 3)
#define BOOT_ARCH_NO_CMOS    (1u << 5)
#define FLAG_PWR_BUTTON      (1u << 4) /* no fixed-feature power button */
#define FLAG_SLP_BUTTON      (1u << 5) /* no fixed-feature sleep button */
#define FLAG_RESET_REG_SUP   (1u << 10)
#define FLAG_HW_REDUCED_ACPI (1u << 20)

/* MADT entries (§5.2.12.2, §5.2.12.3). */
#define MADT_REVISION       4
#define MADT_LOCAL_APIC     0
#define MADT_LOCAL_APIC_LEN 8
#define MADT_IO_APIC        1
#define MADT_IO_APIC_LEN    12
#define LOCAL_APIC_ENABLED  1u

/* AML opcodes (§20.2). */
#define AML_ZERO        0x00
#define AML_ONE         0x01
#define AML_NAME        0x08
#define AML_BYTE        0x0a
#define AML_WORD        0x0b
#define AML_DWORD       0x0c
#define AML_QWORD       0x0e
#define AML_SCOPE       0x10
#define AML_BUFFER      0x11
#define AML_PACKAGE     0x12
#define AML_EXT_PREFIX  0x5b
#define AML_DEVICE      0x82 /* after AML_EXT_PREFIX */
#define AML_ROOT_PREFIX 0x5c /* '\' */
#define DSDT_REVISION   2    /* 64-bit integers */

/* Resource descriptors (§6.4). */
#define RES_IO            0x47 /* small, 7 bytes of data */
#define RES_IO_DECODE16   0x01
#define RES_EXT_IRQ       0x89 /* large */
#define RES_EXT_IRQ_FLAGS 0x03 /* consumer, edge, active high, exclusive */
#define RES_END           0x79 /* small, 1 byte of data: the checksum */

/* The buffer being written: writes past its end are counted, not made. */
struct out {
    uint8_t *buf;
    size_t size;
    size_t pos;
    bool overflow;
};

static void put_bytes(struct out *o, const void *src, size_t len)
{
    if (o->overflow || o->pos > o->size || len > o->size - o->pos) {
        o->overflow = true;
        return;
    }
    memcpy(o->buf + o->pos, src, len);
    o->pos += len;
}

static void put_le(struct out *o, uint64_t v, unsigned int bytes)
{
    uint8_t b[8];

    for (unsigned int i = 0; i < bytes; i++) {
        b[i] = (uint8_t)(v >> (8 * i));
    }
    put_bytes(o, b, bytes);
}

/* Store v little-endian at buf[at] (already written, so in bounds). */
static void patch_le(struct out *o, size_t at, uint64_t v, unsigned int bytes)
{
    for (unsigned int i = 0; i < bytes; i++) {
        o->buf[at + i] = (uint8_t)(v >> (8 * i));
    }
}

static void pad_to(struct out *o, size_t align)
{
    while (!o->overflow && o->pos % align) {
        put_le(o, 0, 1);
    }
}

/* The byte that makes buf[0..len) sum to zero. */
static uint8_t checksum_of(const uint8_t *buf, size_t len)
{
    uint8_t sum = 0;

    for (size_t i = 0; i < len; i++) {
        sum = (uint8_t)(sum + buf[i]);
    }
    return (uint8_t)(0u - sum);
}

static void put_header(struct out *o, const char *signature, uint8_t revision)
{
    put_bytes(o, signature, 4);
    put_le(o, 0, 4); /* length, patched by end_table() */
    put_le(o, revision, 1);
    put_le(o, 0, 1); /* checksum, likewise */
    put_bytes(o, "AXVM  ", 6);
    put_bytes(o, "AXVM", 4);
    put_bytes(o, signature, 4); /* OEM table id: "AXVM" and the signature */
    put_le(o, 1, 4);            /* OEM revision */
    put_bytes(o, "AXVM", 4);    /* creator id */
    put_le(o, 1, 4);            /* creator revision */
}

/* Patch the length and checksum of the table started at start. Returns: its length. */
static uint32_t end_table(struct out *o, size_t start)
{
    uint32_t len = (uint32_t)(o->pos - start);

    if (o->overflow) {
        return 0;
    }
    patch_le(o, start + HDR_LENGTH, len, 4);
    o->buf[start + HDR_CHECKSUM] = checksum_of(o->buf + start, len);
    return len;
}

/* A Generic Address Structure for a one-byte I/O port (§5.2.3.2). */
static void put_io_gas(struct out *o, uint16_t port)
{
    put_le(o, GAS_SPACE_IO, 1);
    put_le(o, 8, 1); /* register bit width */
    put_le(o, 0, 1); /* bit offset */
    put_le(o, GAS_BYTE, 1);
    put_le(o, port, 8);
}

static void put_zeros_to(struct out *o, size_t start, size_t offset)
{
    while (!o->overflow && o->pos < start + offset) {
        put_le(o, 0, 1);
    }
}

static uint32_t put_fadt(struct out *o, uint64_t dsdt_gpa)
{
    size_t start = o->pos;

    put_header(o, "FACP", FADT_REVISION);
    put_zeros_to(o, start, FADT_DSDT);
    put_le(o, 0, 4); /* DSDT: zero, since X_DSDT is given */
    put_zeros_to(o, start, FADT_IAPC_BOOT_ARCH);
    put_le(o, BOOT_ARCH_NO_VGA | BOOT_ARCH_NO_MSI | BOOT_ARCH_NO_CMOS, 2);
    put_le(o, 0, 1);
    put_le(o, FLAG_PWR_BUTTON | FLAG_SLP_BUTTON | FLAG_RESET_REG_SUP | FLAG_HW_REDUCED_ACPI, 4);
    put_io_gas(o, AXVM_X86_RESET_PORT);
    put_le(o, AXVM_X86_RESET_VALUE, 1);
    put_le(o, 0, 2); /* ARM_BOOT_ARCH */
    put_le(o, FADT_MINOR, 1);
    put_le(o, 0, 8); /* X_FIRMWARE_CTRL: no FACS, which HW-reduced ACPI allows */
    put_le(o, dsdt_gpa, 8);
    put_zeros_to(o, start, FADT_SLEEP_CONTROL);
    put_io_gas(o, AXVM_X86_SLEEP_CONTROL_PORT);
    put_io_gas(o, AXVM_X86_SLEEP_STATUS_PORT);
    put_le(o, 0, 8); /* hypervisor vendor identity */
    return end_table(o, start);
}

static uint32_t put_madt(struct out *o, unsigned int nr_vcpus)
{
    size_t start = o->pos;

    put_header(o, "APIC", MADT_REVISION);
    put_le(o, AXVM_X86_LAPIC_GPA, 4);
    put_le(o, 0, 4); /* flags: no PCAT_COMPAT, there are no 8259s to mask */
    for (unsigned int i = 0; i < nr_vcpus; i++) {
        put_le(o, MADT_LOCAL_APIC, 1);
        put_le(o, MADT_LOCAL_APIC_LEN, 1);
        put_le(o, i, 1); /* ACPI processor UID */
        put_le(o, i, 1); /* APIC id */
        put_le(o, LOCAL_APIC_ENABLED, 4);
    }
    put_le(o, MADT_IO_APIC, 1);
    put_le(o, MADT_IO_APIC_LEN, 1);
    put_le(o, AXVM_X86_IOAPIC_ID, 1);
    put_le(o, 0, 1);
    put_le(o, AXVM_X86_IOAPIC_GPA, 4);
    put_le(o, 0, 4); /* its first GSI */
    return end_table(o, start);
}

/*
 * Insert the PkgLength (§20.2.4) of the bytes written since start in front of them: one byte
 * up to 63, else a lead byte with the count of following bytes and the low nibble.
 */
static void aml_pkg_end(struct out *o, size_t start)
{
    size_t body = o->pos - start;
    unsigned int n = body + 1 <= 0x3f ? 1 : body + 2 <= 0xfff ? 2 : body + 3 <= 0xfffff ? 3 : 4;
    size_t total = body + n;
    uint8_t enc[4];

    if (o->overflow || o->pos > o->size || n > o->size - o->pos) {
        o->overflow = true;
        return;
    }
    enc[0] = n == 1 ? (uint8_t)total : (uint8_t)((n - 1) << 6 | (total & 0xf));
    for (unsigned int i = 1; i < n; i++) {
        enc[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
    }
    memmove(o->buf + start + n, o->buf + start, body);
    memcpy(o->buf + start, enc, n);
    o->pos += n;
}

/* An integer in its shortest encoding (§20.2.3 ComputationalData). */
static void aml_integer(struct out *o, uint64_t v)
{
    if (v <= 1) {
        put_le(o, v ? AML_ONE : AML_ZERO, 1);
    } else if (v <= 0xff) {
        put_le(o, AML_BYTE, 1);
        put_le(o, v, 1);
    } else if (v <= 0xffff) {
        put_le(o, AML_WORD, 1);
        put_le(o, v, 2);
    } else if (v <= 0xffffffffu) {
        put_le(o, AML_DWORD, 1);
        put_le(o, v, 4);
    } else {
        put_le(o, AML_QWORD, 1);
        put_le(o, v, 8);
    }
}

static void aml_name(struct out *o, const char *seg)
{
    put_le(o, AML_NAME, 1);
    put_bytes(o, seg, 4);
}

/* A compressed EISA id ("PNP0501") as the DWORD EisaId() makes (§19.6.35). */
static uint32_t eisa_id(const char *id)
{
    uint32_t vendor =
        (uint32_t)(id[0] - '@') << 10 | (uint32_t)(id[1] - '@') << 5 | (uint32_t)(id[2] - '@');
    uint32_t product = 0;

    for (unsigned int i = 3; i < 7; i++) {
        char c = id[i];

        product = product << 4 | (uint32_t)(c <= '9' ? c - '0' : c - 'A' + 10);
    }
    /* Bytes in memory: vendor high, vendor low, product high, product low. */
    return (vendor >> 8) | (vendor & 0xff) << 8 | (product >> 8) << 16 | (product & 0xff) << 24;
}

/* Name(_CRS, ResourceTemplate() { IO(Decode16, port, port, 0, len) Interrupt(...) {gsi} }) */
static void aml_crs_io_irq(struct out *o, uint16_t port, uint8_t len, uint32_t gsi)
{
    size_t pkg, data;

    aml_name(o, "_CRS");
    put_le(o, AML_BUFFER, 1);
    pkg = o->pos;
    data = 8 + 9 + 2; /* the IO, Extended Interrupt and End Tag descriptors */
    aml_integer(o, data);
    data = o->pos;
    put_le(o, RES_IO, 1);
    put_le(o, RES_IO_DECODE16, 1);
    put_le(o, port, 2); /* minimum base */
    put_le(o, port, 2); /* maximum base */
    put_le(o, 0, 1);    /* alignment */
    put_le(o, len, 1);
    put_le(o, RES_EXT_IRQ, 1);
    put_le(o, 6, 2); /* the bytes after this length: flags, count, one GSI */
    put_le(o, RES_EXT_IRQ_FLAGS, 1);
    put_le(o, 1, 1);
    put_le(o, gsi, 4);
    put_le(o, RES_END, 1);
    if (!o->overflow) {
        put_le(o, checksum_of(o->buf + data, o->pos - data), 1);
    }
    aml_pkg_end(o, pkg);
}

static void aml_com1(struct out *o)
{
    size_t pkg;

    put_le(o, AML_EXT_PREFIX, 1);
    put_le(o, AML_DEVICE, 1);
    pkg = o->pos;
    put_bytes(o, "COM1", 4);
    aml_name(o, "_HID");
    put_le(o, AML_DWORD, 1); /* EisaId() is always a DWORD */
    put_le(o, eisa_id("PNP0501"), 4);
    aml_name(o, "_UID");
    aml_integer(o, 0);
    aml_crs_io_irq(o, AXVM_X86_COM1_PORT, AXVM_X86_COM1_SIZE, AXVM_X86_COM1_GSI);
    aml_pkg_end(o, pkg);
}

static uint32_t put_dsdt(struct out *o, bool has_com1)
{
    size_t start = o->pos, pkg;

    put_header(o, "DSDT", DSDT_REVISION);
    put_le(o, AML_SCOPE, 1);
    pkg = o->pos;
    put_le(o, AML_ROOT_PREFIX, 1);
    put_bytes(o, "_SB_", 4);
    if (has_com1) {
        aml_com1(o);
    }
    aml_pkg_end(o, pkg);
    /* Name(_S5, Package() { SLP_TYPa, SLP_TYPb }): the value the PM device powers off on. */
    aml_name(o, "_S5_");
    put_le(o, AML_PACKAGE, 1);
    pkg = o->pos;
    put_le(o, 2, 1);
    aml_integer(o, AXVM_X86_SLP_TYP_S5);
    aml_integer(o, AXVM_X86_SLP_TYP_S5);
    aml_pkg_end(o, pkg);
    return end_table(o, start);
}

static uint32_t put_xsdt(struct out *o, uint64_t fadt_gpa, uint64_t madt_gpa)
{
    size_t start = o->pos;

    put_header(o, "XSDT", 1);
    put_le(o, fadt_gpa, 8);
    put_le(o, madt_gpa, 8);
    return end_table(o, start);
}

static void put_rsdp(struct out *o, uint64_t xsdt_gpa)
{
    size_t start = o->pos;

    put_bytes(o, "RSD PTR ", 8);
    put_le(o, 0, 1); /* checksum of the first 20 bytes */
    put_bytes(o, "AXVM  ", 6);
    put_le(o, 2, 1); /* revision: ACPI 2.0 and later, with the XSDT */
    put_le(o, 0, 4); /* no RSDT */
    put_le(o, RSDP_LEN, 4);
    put_le(o, xsdt_gpa, 8);
    put_le(o, 0, 4); /* extended checksum, reserved */
    if (!o->overflow) {
        o->buf[start + 8] = checksum_of(o->buf + start, RSDP_V1_LEN);
        o->buf[start + 32] = checksum_of(o->buf + start, RSDP_LEN);
    }
}

int acpi_build_tables(const struct acpi_build_params *p, void *buf, size_t size,
                      struct acpi_build_layout *out)
{
    struct out o = {buf, size, 0, false};
    struct acpi_build_layout l = {0};
    uint64_t base = p->base_gpa;
    size_t xsdt_at, fadt_at, madt_at, dsdt_at;

    if (p->nr_vcpus == 0 || p->nr_vcpus > ACPI_BUILD_MAX_VCPUS || base % TABLE_ALIGN) {
        return -AXVM_EINVAL;
    }
    /* Tables that point at others are written after them, once their places are known. */
    xsdt_at = TABLE_ALIGN * ((RSDP_LEN + TABLE_ALIGN - 1) / TABLE_ALIGN);
    fadt_at = xsdt_at + TABLE_ALIGN * ((HEADER_LEN + 2 * 8 + TABLE_ALIGN - 1) / TABLE_ALIGN);
    madt_at = fadt_at + TABLE_ALIGN * ((FADT_LEN + TABLE_ALIGN - 1) / TABLE_ALIGN);
    o.pos = madt_at;
    l.madt_len = put_madt(&o, p->nr_vcpus);
    pad_to(&o, TABLE_ALIGN);
    dsdt_at = o.pos;
    l.dsdt_len = put_dsdt(&o, p->has_com1);
    l.used = o.pos;
    o.pos = fadt_at;
    l.fadt_len = put_fadt(&o, base + dsdt_at);
    o.pos = xsdt_at;
    l.xsdt_len = put_xsdt(&o, base + fadt_at, base + madt_at);
    o.pos = 0;
    put_rsdp(&o, base + xsdt_at);
    if (o.overflow || l.used > size) {
        return -AXVM_ENOSPC;
    }
    /* The gaps between tables are zeros. */
    memset(o.buf + RSDP_LEN, 0, xsdt_at - RSDP_LEN);
    memset(o.buf + xsdt_at + l.xsdt_len, 0, fadt_at - xsdt_at - l.xsdt_len);
    memset(o.buf + fadt_at + l.fadt_len, 0, madt_at - fadt_at - l.fadt_len);
    memset(o.buf + madt_at + l.madt_len, 0, dsdt_at - madt_at - l.madt_len);
    l.rsdp_gpa = base;
    l.xsdt_gpa = base + xsdt_at;
    l.fadt_gpa = base + fadt_at;
    l.madt_gpa = base + madt_at;
    l.dsdt_gpa = base + dsdt_at;
    *out = l;
    return 0;
}
