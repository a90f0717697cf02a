/* SPDX-License-Identifier: MIT */
/*
 * Just enough ACPI to find the CPUs and interrupt controllers: RSDP (from the loader, or the
 * BIOS areas) -> XSDT or RSDT -> MADT, whose local APIC entries list the processors, and whose
 * I/O APIC and interrupt source override entries say where each ISA IRQ arrives (ACPI 6.x,
 * "Multiple APIC Description Table"). Runs on the boot page tables, which map the low 4 GiB where
 * firmware keeps these tables; every table's length and checksum are verified before use.
 */
#define LOG_TAG "acpi"
#include <hv/log.h>
#include <hv/page.h>
#include <hv/string.h>
#include <x86/asm.h>
#include <x86/x86.h>

#define BOOT_MAP_LIMIT GIB(4)

#define MADT_LAPIC                0
#define MADT_IOAPIC               1
#define MADT_IRQ_OVERRIDE         2
#define MADT_LAPIC_ADDR_OVERRIDE  5
#define MADT_X2APIC               9
#define MADT_LAPIC_ENABLED        (1u << 0)
#define MADT_LAPIC_ONLINE_CAPABLE (1u << 1)

struct acpi_rsdp {
    char signature[8];    /* 0x00 "RSD PTR " */
    uint8_t checksum;     /* 0x08: first 20 bytes */
    char oem_id[6];       /* 0x09 */
    uint8_t revision;     /* 0x0f */
    uint32_t rsdt;        /* 0x10 */
    uint32_t length;      /* 0x14: ACPI 2.0+ */
    uint64_t xsdt;        /* 0x18 */
    uint8_t ext_checksum; /* 0x20 */
    uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_rsdp) == 36, "ACPI 2.0 RSDP");

struct acpi_header {
    char signature[4];         /* 0x00 */
    uint32_t length;           /* 0x04 */
    uint8_t revision;          /* 0x08 */
    uint8_t checksum;          /* 0x09 */
    char oem_id[6];            /* 0x0a */
    char oem_table[8];         /* 0x10 */
    uint32_t oem_revision;     /* 0x18 */
    uint32_t creator_id;       /* 0x1c */
    uint32_t creator_revision; /* 0x20 */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_header) == 36, "ACPI table header");

struct acpi_madt {
    struct acpi_header header;
    uint32_t lapic_address; /* 0x24 */
    uint32_t flags;         /* 0x28 */
} __attribute__((packed));

struct x86_platform x86_platform;

static uint8_t checksum(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;

    while (len--) {
        sum = (uint8_t)(sum + *b++);
    }
    return sum;
}

static bool rsdp_is_valid(const struct acpi_rsdp *r, size_t avail)
{
    if (avail < 20 || memcmp(r->signature, "RSD PTR ", 8) != 0 || checksum(r, 20) != 0) {
        return false;
    }
    return r->revision < 2 || (avail >= sizeof(*r) && checksum(r, sizeof(*r)) == 0);
}

/* Search 16-byte boundaries of [start, end) for the RSDP (ACPI, "Finding the RSDP on IA-PC"). */
static const struct acpi_rsdp *scan_rsdp(hpa_t start, hpa_t end)
{
    for (hpa_t p = start; p + sizeof(struct acpi_rsdp) <= end; p += 16) {
        const struct acpi_rsdp *r = hpa_to_virt(p);

        if (rsdp_is_valid(r, sizeof(*r))) {
            return r;
        }
    }
    return NULL;
}

static const struct acpi_rsdp *find_rsdp(const struct boot_info *bi)
{
    const struct acpi_rsdp *r = (const struct acpi_rsdp *)bi->arch.rsdp;
    hpa_t ebda;

    if (bi->arch.rsdp_len && rsdp_is_valid(r, bi->arch.rsdp_len)) {
        return r;
    }
    if (bi->arch.rsdp_len) {
        log_warn("the boot loader's RSDP copy is invalid; scanning the BIOS areas");
    }
    ebda = (hpa_t)(*(const uint16_t *)hpa_to_virt(0x40e)) << 4;
    r = ebda ? scan_rsdp(ebda, ebda + 1024) : NULL;
    return r ? r : scan_rsdp(0xe0000, 0x100000);
}

/* Returns: the table at hpa if it is mapped, complete and its checksum is right, else NULL. */
static const struct acpi_header *table_at(uint64_t hpa)
{
    const struct acpi_header *h;

    if (hpa == 0 || hpa + sizeof(*h) > BOOT_MAP_LIMIT) {
        return NULL;
    }
    h = hpa_to_virt(hpa);
    if (h->length < sizeof(*h) || hpa + h->length > BOOT_MAP_LIMIT || checksum(h, h->length) != 0) {
        return NULL;
    }
    return h;
}

static const struct acpi_header *find_table(const struct acpi_rsdp *rsdp, const char *sig)
{
    bool use_xsdt = rsdp->revision >= 2 && rsdp->xsdt;
    const struct acpi_header *root = table_at(use_xsdt ? rsdp->xsdt : rsdp->rsdt);
    size_t entry_size = use_xsdt ? 8 : 4;
    const uint8_t *entries;
    size_t n;

    if (!root) {
        log_warn("the %s is missing or corrupt", use_xsdt ? "XSDT" : "RSDT");
        return NULL;
    }
    entries = (const uint8_t *)(root + 1);
    n = (root->length - sizeof(*root)) / entry_size;
    for (size_t i = 0; i < n; i++) {
        uint64_t hpa = 0;
        const struct acpi_header *t;

        memcpy(&hpa, entries + i * entry_size, entry_size);
        t = table_at(hpa);
        if (t && memcmp(t->signature, sig, 4) == 0) {
            return t;
        }
    }
    return NULL;
}

static void add_cpu(uint32_t apic_id, uint32_t flags)
{
    if (!(flags & (MADT_LAPIC_ENABLED | MADT_LAPIC_ONLINE_CAPABLE))) {
        return;
    }
    if (x86_platform.nr_cpus >= CONFIG_NR_CPUS || apic_id > 0xfe) {
        x86_platform.nr_cpus_ignored++; /* no room, or not addressable in xAPIC mode */
        return;
    }
    x86_platform.apic_ids[x86_platform.nr_cpus++] = apic_id;
}

/* I/O APIC entry: id, reserved, address, GSI base (ACPI 6.x, "I/O APIC Structure"). */
static void add_ioapic(const uint8_t *p)
{
    struct x86_ioapic *io;

    if (x86_platform.nr_ioapics >= X86_MAX_IOAPICS) {
        x86_platform.nr_ioapics_ignored++;
        return;
    }
    io = &x86_platform.ioapics[x86_platform.nr_ioapics++];
    io->id = p[2];
    memcpy(&io->hpa, p + 4, 4);
    memcpy(&io->gsi_base, p + 8, 4);
}

/* Interrupt source override: bus 0 (ISA), source IRQ, GSI, MPS INTI flags. */
static void add_override(const uint8_t *p)
{
    struct x86_irq_override *o;

    if (p[2] != 0 || p[3] >= 16 || x86_platform.nr_overrides >= X86_MAX_OVERRIDES) {
        return;
    }
    o = &x86_platform.overrides[x86_platform.nr_overrides++];
    o->isa_irq = p[3];
    memcpy(&o->gsi, p + 4, 4);
    memcpy(&o->flags, p + 8, 2);
}

static void parse_madt(const struct acpi_madt *madt)
{
    const uint8_t *p = (const uint8_t *)(madt + 1);
    const uint8_t *end = (const uint8_t *)madt + madt->header.length;

    x86_platform.lapic_hpa = madt->lapic_address;
    while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
        uint32_t u32a, u32b;
        uint64_t u64;

        switch (p[0]) {
        case MADT_LAPIC: /* uid, apic id, flags */
            if (p[1] >= 8) {
                memcpy(&u32a, p + 4, 4);
                add_cpu(p[3], u32a);
            }
            break;
        case MADT_X2APIC: /* reserved, x2apic id, flags, uid */
            if (p[1] >= 16) {
                memcpy(&u32a, p + 4, 4);
                memcpy(&u32b, p + 8, 4);
                add_cpu(u32a, u32b);
            }
            break;
        case MADT_IOAPIC:
            if (p[1] >= 12) {
                add_ioapic(p);
            }
            break;
        case MADT_IRQ_OVERRIDE:
            if (p[1] >= 10) {
                add_override(p);
            }
            break;
        case MADT_LAPIC_ADDR_OVERRIDE:
            if (p[1] >= 12) {
                memcpy(&u64, p + 4, 8);
                x86_platform.lapic_hpa = u64;
            }
            break;
        default:
            break;
        }
        p += p[1];
    }
}

void acpi_init(const struct boot_info *bi)
{
    const struct acpi_rsdp *rsdp = find_rsdp(bi);
    const struct acpi_madt *madt = NULL;

    memset(&x86_platform, 0, sizeof(x86_platform));
    if (rsdp) {
        madt = (const struct acpi_madt *)find_table(rsdp, "APIC");
    }
    if (!madt) {
        log_warn("no usable ACPI MADT: running on the boot CPU only");
        x86_platform.lapic_hpa = rdmsr(MSR_APIC_BASE) & ~0xfffULL;
        return;
    }
    parse_madt(madt);
    log_info("MADT: %u CPUs, %u I/O APICs, local APIC at 0x%llx", x86_platform.nr_cpus,
             x86_platform.nr_ioapics, (unsigned long long)x86_platform.lapic_hpa);
    for (unsigned int i = 0; i < x86_platform.nr_ioapics; i++) {
        const struct x86_ioapic *io = &x86_platform.ioapics[i];

        log_info("MADT: I/O APIC id %u at 0x%x, GSI base %u", io->id, io->hpa, io->gsi_base);
    }
    for (unsigned int i = 0; i < x86_platform.nr_overrides; i++) {
        const struct x86_irq_override *o = &x86_platform.overrides[i];

        log_info("MADT: ISA IRQ %u -> GSI %u, flags 0x%x", o->isa_irq, o->gsi, o->flags);
    }
    if (x86_platform.nr_ioapics_ignored) {
        log_warn("%u I/O APICs ignored (over the limit of %u)", x86_platform.nr_ioapics_ignored,
                 X86_MAX_IOAPICS);
    }
    if (x86_platform.nr_cpus_ignored) {
        log_warn("%u CPUs ignored (over the limit of %u, or x2APIC-only ids)",
                 x86_platform.nr_cpus_ignored, CONFIG_NR_CPUS);
    }
}
