/* SPDX-License-Identifier: MIT */
/*
 * A domain definition as the toolstack holds it: what an XML file (xml/schema/axvm-domain.rng,
 * docs/xml.md) says, checked and turned into plain C. The loader (config/loader.c) produces
 * it; the domain builder (ctl/builder.c) consumes it. Nothing here touches the hypervisor.
 */
#ifndef TOOLSTACK_DOMAIN_CONFIG_H
#define TOOLSTACK_DOMAIN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DC_NAME_MAX     32 /* bytes, NUL included (AXVM_DOMAIN_NAME_MAX) */
#define DC_MAX_VCPUS    16 /* the hypervisor's VM_MAX_VCPUS */
#define DC_MAX_REGIONS  14 /* besides the main RAM at gpa 0 */
#define DC_MAX_MODULES  8
#define DC_MAX_DEVICES  8
#define DC_MAX_HOSTDEVS 8
#define DC_ERROR_MAX    512

enum dc_arch {
    DC_ARCH_X86_64,
    DC_ARCH_ARM64,
};

enum dc_os_type {
    DC_OS_LINUX,     /* x86: bzImage boot protocol; arm64: Image + generated device tree */
    DC_OS_MULTIBOOT, /* x86: Multiboot v1 ELF or address-field kernel, with modules */
    DC_OS_RAW,       /* a flat image copied to load_addr, entered at entry */
};

enum dc_action {
    DC_ACTION_DESTROY,
    DC_ACTION_RESTART,
    DC_ACTION_PRESERVE,
};

enum dc_map {
    DC_MAP_ALLOC,
    DC_MAP_IDENTICAL,
};

#define DC_ACCESS_R 1u
#define DC_ACCESS_W 2u
#define DC_ACCESS_X 4u

struct dc_region {
    uint64_t gpa;
    uint64_t size;
    enum dc_map map;
    unsigned int access; /* DC_ACCESS_* */
    bool lazy;
    int line; /* in the source file, for messages */
};

struct dc_module {
    char *path;   /* absolute, or relative to the XML file's directory, resolved */
    char *string; /* "" when absent */
};

enum dc_device_type {
    DC_DEV_SERIAL,     /* <serial>/<console>: a 16550 (x86) or PL011 (arm64) as its console */
    DC_DEV_DEBUG_EXIT, /* <debug-exit iobase=.../> (x86) or <debug-exit address=.../> (arm64) */
    DC_DEV_TESTDEV,    /* <testdev address=.../> */
};

struct dc_device {
    enum dc_device_type type;
    uint64_t base;    /* port or MMIO address; 0 = the platform's default */
    bool mmio;        /* base came from address= (MMIO), not iobase= (a port) */
    unsigned int irq; /* 0 = none */
    int line;
};

enum dc_hostdev_type {
    DC_HOSTDEV_MMIO,
    DC_HOSTDEV_IOPORT,
    DC_HOSTDEV_IRQ,
};

struct dc_hostdev {
    enum dc_hostdev_type type;
    uint64_t base; /* address, first port, or interrupt number */
    uint64_t size; /* bytes or ports; 1 for an interrupt */
    int line;
};

/* <cputune><vcpupin vcpu="0" cpuset="1"/>: where one vCPU may run. */
struct dc_vcpupin {
    unsigned int vcpu;
    uint64_t cpumask; /* not 0 */
    int line;
};

/* <cputune weight="512" cap="50">: the credit scheduler's parameters and pinned vCPUs. */
struct dc_cputune {
    bool has_weight;
    unsigned int weight; /* AXVM_WEIGHT_MIN..AXVM_WEIGHT_MAX */
    bool has_cap;
    unsigned int cap; /* percent of one CPU, at most 100 per vCPU; 0 = none */
    unsigned int nr_pins;
    struct dc_vcpupin pins[DC_MAX_VCPUS]; /* one per vCPU at most */
    int line;                             /* of <cputune>, 0 when absent */
};

struct domain_config {
    char *source; /* the file it came from, as given */
    char name[DC_NAME_MAX];
    uint8_t uuid[16];
    bool uuid_given;       /* false: generated at random by the loader */
    uint64_t memory_bytes; /* the main RAM region at guest-physical 0 */
    unsigned int nr_vcpus;
    uint64_t cpumask; /* <vcpu cpuset=...>; 0 = any CPU */

    struct {
        enum dc_arch arch;
        enum dc_os_type type;
        char *kernel;  /* resolved path, readable when loaded */
        char *initrd;  /* NULL when absent */
        char *cmdline; /* "" when absent */
        unsigned int nr_modules;
        struct dc_module modules[DC_MAX_MODULES];
        uint64_t load_addr; /* raw only */
        uint64_t entry;     /* raw only */
    } os;

    enum dc_action on_poweroff, on_reboot, on_crash;

    unsigned int nr_regions; /* <memory-region> extras */
    struct dc_region regions[DC_MAX_REGIONS];
    unsigned int nr_devices;
    struct dc_device devices[DC_MAX_DEVICES];
    unsigned int nr_hostdevs;
    struct dc_hostdev hostdevs[DC_MAX_HOSTDEVS];
    struct dc_cputune cputune; /* applied after creation, before the domain starts */
};

/* What went wrong, for one line "FILE:LINE: MESSAGE" (line 0 when it is not about a line). */
struct config_error {
    char file[256];
    int line;
    char message[DC_ERROR_MAX];
};

/*
 * Load and check the domain definition at path against the schema at schema_path (NULL: the
 * installed default, config_default_schema()). External entities and the network are never
 * used; entity expansion is bounded. Returns: 0 and *out (free with domain_config_free()), or
 * -1 with *err filled: not well-formed XML, schema violations, and the semantic checks the
 * schema cannot express (overlapping regions, unaligned sizes, unknown arch, unreadable kernel,
 * initrd or module files, too many vCPUs...).
 */
int domain_config_load(const char *path, const char *schema_path, struct domain_config **out,
                       struct config_error *err);

void domain_config_free(struct domain_config *cfg);

/* Where the domain's main RAM starts: guest-physical 0 on x86_64, 0x4000_0000 (QEMU virt) on
 * aarch64. */
uint64_t domain_config_ram_base(const struct domain_config *cfg);

/* Format err as "FILE:LINE: MESSAGE" (or "FILE: MESSAGE" for line 0) into buf. */
void config_error_format(const struct config_error *err, char *buf, size_t size);

/*
 * Returns: the schema to validate against: $AXVM_SCHEMA if set, else the installed path
 * (/usr/share/axvm/axvm-domain.rng in dom0), else the source tree's xml/schema/ file.
 */
const char *config_default_schema(void);

#endif /* TOOLSTACK_DOMAIN_CONFIG_H */
