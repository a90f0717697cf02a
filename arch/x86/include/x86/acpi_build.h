/* SPDX-License-Identifier: MIT */
/*
 * The ACPI tables of an x86 domU (docs/platform-x86.md): RSDP, XSDT, a HW-reduced FADT, MADT
 * and a DSDT with COM1 and \_S5, describing the platform of <public/axvm/platform_x86.h>.
 * Pure code shared by the hypervisor (boot-time domains) and the toolstack (domUs); it writes
 * into a caller's buffer that will be copied to guest-physical base_gpa.
 */
#ifndef X86_ACPI_BUILD_H
#define X86_ACPI_BUILD_H

#include <hv/types.h>

#define ACPI_BUILD_MAX_VCPUS 255  /* one-byte APIC ids and processor UIDs */
#define ACPI_BUILD_MAX_SIZE  4096 /* enough for the tables of ACPI_BUILD_MAX_VCPUS vCPUs */

/* What the tables describe. */
struct acpi_build_params {
    uint64_t base_gpa;     /* where the buffer will live; the RSDP is its first byte */
    unsigned int nr_vcpus; /* 1 to ACPI_BUILD_MAX_VCPUS; vCPU n has APIC id and UID n */
    bool has_com1;         /* the DSDT describes the 16550 at COM1 */
};

/* Where each table went: guest-physical addresses and lengths in bytes. */
struct acpi_build_layout {
    uint64_t rsdp_gpa, xsdt_gpa, fadt_gpa, madt_gpa, dsdt_gpa;
    uint32_t xsdt_len, fadt_len, madt_len, dsdt_len;
    size_t used; /* bytes of the buffer written, from its start */
};

/*
 * Write the tables into buf[0..size), every length and checksum computed.
 * Context: any; writes only buf and *out. Returns: 0 and *out; -AXVM_EINVAL for a vCPU count
 * out of range or a base_gpa that is not 16-byte aligned or would put a table above 4 GiB;
 * -AXVM_ENOSPC when size is too small.
 */
int acpi_build_tables(const struct acpi_build_params *p, void *buf, size_t size,
                      struct acpi_build_layout *out);

#endif /* X86_ACPI_BUILD_H */
