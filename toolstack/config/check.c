/* SPDX-License-Identifier: MIT */
/*
 * The rules across elements, run once every element is good on its own: nothing overlaps in
 * guest-physical memory or in I/O port space, interrupts are given once, the devices suit the
 * architecture, a raw image lands inside the domain's RAM, and <cputune> fits the vCPUs.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <public/axvm/platform_arm64.h>
#include <public/axvm/testdev.h>
#include "internal.h"

#define MAX_SPANS (2 + DC_MAX_REGIONS + DC_MAX_HOSTDEVS + DC_MAX_DEVICES)

/* A range of guest-physical memory or of I/O ports, and who claims it. */
struct span {
    uint64_t first, last; /* inclusive, so a range may end at 2^64 - 1 */
    const char *what;     /* "<memory-region>"; NULL for the domain's RAM */
    int line;
};

struct spans {
    unsigned int nr;
    struct span s[MAX_SPANS];
};

static void add_span(struct spans *spans, const char *what, int line, uint64_t base, uint64_t size)
{
    spans->s[spans->nr++] = (struct span){base, base + size - 1, what, line};
}

static void describe(const struct span *s, const char *unit, char *buf, size_t size)
{
    if (!s->what) {
        snprintf(buf, size, "the domain's RAM (0x%llx-0x%llx)", (unsigned long long)s->first,
                 (unsigned long long)s->last);
    } else {
        snprintf(buf, size, "the %s of line %d (%s0x%llx-0x%llx)", s->what, s->line, unit,
                 (unsigned long long)s->first, (unsigned long long)s->last);
    }
}

/* Report the first overlap, at the later of the two elements. */
static void check_overlaps(struct loader *ld, const struct spans *spans, const char *unit)
{
    char other[160];

    for (unsigned int j = 1; j < spans->nr; j++) {
        for (unsigned int i = 0; i < j; i++) {
            const struct span *a = &spans->s[i], *b = &spans->s[j];

            if (a->first > b->last || b->first > a->last) {
                continue;
            }
            if (a->what && a->line > b->line) {
                a = b;
                b = &spans->s[i];
            }
            describe(a, unit, other, sizeof(other));
            loader_fail_at(ld, NULL, b->line, "%s at 0x%llx overlaps %s", b->what,
                           (unsigned long long)b->first, other);
            return;
        }
    }
}

static void check_memory_map(struct loader *ld, const struct domain_config *cfg)
{
    bool x86 = cfg->os.arch == DC_ARCH_X86_64;
    struct spans spans = {0};

    add_span(&spans, NULL, 0, domain_config_ram_base(cfg), cfg->memory_bytes);
    for (unsigned int i = 0; i < cfg->nr_regions; i++) {
        add_span(&spans, "<memory-region>", cfg->regions[i].line, cfg->regions[i].gpa,
                 cfg->regions[i].size);
    }
    for (unsigned int i = 0; i < cfg->nr_hostdevs; i++) {
        const struct dc_hostdev *h = &cfg->hostdevs[i];

        if (h->type == DC_HOSTDEV_MMIO) {
            add_span(&spans, "<hostdev type=\"mmio\">", h->line, h->base, h->size);
        }
    }
    for (unsigned int i = 0; i < cfg->nr_devices; i++) {
        const struct dc_device *d = &cfg->devices[i];

        if (d->type == DC_DEV_TESTDEV) {
            add_span(&spans, "<testdev>", d->line,
                     d->base ? d->base : (x86 ? AXVM_TESTDEV_X86_GPA : AXVM_TESTDEV_ARM64_GPA),
                     AXVM_TESTDEV_SIZE);
        } else if (d->type == DC_DEV_DEBUG_EXIT && !x86) {
            add_span(&spans, "<debug-exit>", d->line, d->base ? d->base : AXVM_DEBUG_EXIT_ARM64_GPA,
                     4);
        } else if (d->type == DC_DEV_SERIAL && !x86) {
            add_span(&spans, "serial port (PL011)", d->line, AXVM_ARM64_PL011_BASE, 0x1000);
        }
    }
    check_overlaps(ld, &spans, "");
}

static void check_ports(struct loader *ld, const struct domain_config *cfg)
{
    struct spans spans = {0};

    for (unsigned int i = 0; i < cfg->nr_devices; i++) {
        const struct dc_device *d = &cfg->devices[i];

        if (d->type == DC_DEV_SERIAL && cfg->os.arch == DC_ARCH_X86_64) {
            add_span(&spans, "serial port (COM1)", d->line, X86_COM1_PORT, X86_COM1_SIZE);
        } else if (d->type == DC_DEV_DEBUG_EXIT && cfg->os.arch == DC_ARCH_X86_64) {
            add_span(&spans, "<debug-exit>", d->line, d->base ? d->base : AXVM_DEBUG_EXIT_PORT, 1);
        }
    }
    for (unsigned int i = 0; i < cfg->nr_hostdevs; i++) {
        const struct dc_hostdev *h = &cfg->hostdevs[i];

        if (h->type == DC_HOSTDEV_IOPORT) {
            add_span(&spans, "<hostdev type=\"ioport\">", h->line, h->base, h->size);
        }
    }
    check_overlaps(ld, &spans, "ports ");
}

/* x86: GSIs 1-255 (0 is the timer); arm64: the GIC's shared interrupts, SPIs 32-1019. */
static void check_irqs(struct loader *ld, const struct domain_config *cfg)
{
    bool x86 = cfg->os.arch == DC_ARCH_X86_64;
    uint64_t lowest = x86 ? 1 : 32, highest = x86 ? 255 : 1019;

    for (unsigned int j = 0; j < cfg->nr_hostdevs; j++) {
        const struct dc_hostdev *h = &cfg->hostdevs[j];

        if (h->type != DC_HOSTDEV_IRQ) {
            continue;
        }
        if (h->base < lowest || h->base > highest) {
            loader_fail_at(ld, NULL, h->line,
                           "<hostdev type=\"irq\"> %llu: %s domains take interrupts %llu-%llu",
                           (unsigned long long)h->base, x86 ? "x86_64" : "aarch64",
                           (unsigned long long)lowest, (unsigned long long)highest);
        }
        for (unsigned int i = 0; i < j; i++) {
            if (cfg->hostdevs[i].type == DC_HOSTDEV_IRQ && cfg->hostdevs[i].base == h->base) {
                loader_fail_at(ld, NULL, h->line,
                               "<hostdev type=\"irq\"> %llu is already given at line %d",
                               (unsigned long long)h->base, cfg->hostdevs[i].line);
            }
        }
    }
}

/* What only x86 has: I/O ports. The debug-exit device is a port there, MMIO on aarch64. */
static void check_arch(struct loader *ld, const struct domain_config *cfg)
{
    bool x86 = cfg->os.arch == DC_ARCH_X86_64;

    for (unsigned int i = 0; i < cfg->nr_devices; i++) {
        const struct dc_device *d = &cfg->devices[i];

        if (d->type == DC_DEV_DEBUG_EXIT && d->base && d->mmio == x86) {
            loader_fail_at(ld, NULL, d->line, "<debug-exit> %s",
                           x86 ? "address= is aarch64's (MMIO); x86_64's is a port: iobase="
                               : "iobase= is an x86 I/O port; aarch64's is MMIO: address=");
        }
    }
    if (x86) {
        return;
    }
    for (unsigned int i = 0; i < cfg->nr_hostdevs; i++) {
        if (cfg->hostdevs[i].type == DC_HOSTDEV_IOPORT) {
            loader_fail_at(ld, NULL, cfg->hostdevs[i].line,
                           "<hostdev type=\"ioport\">: aarch64 has no I/O ports");
        }
    }
}

/* A raw image is copied to the load address, so it must fit in the RAM, entry included. */
static void check_raw(struct loader *ld, const struct domain_config *cfg)
{
    uint64_t base = domain_config_ram_base(cfg), last = base + cfg->memory_bytes - 1;
    uint64_t load = cfg->os.load_addr, entry = cfg->os.entry;
    bool load_out = load < base || load > last;
    struct stat st;

    if (cfg->os.type != DC_OS_RAW) {
        return;
    }
    if (load_out || entry < base || entry > last) {
        loader_fail_at(
            ld, NULL, ld->load_line, "<load> %s 0x%llx is outside the domain's RAM (0x%llx-0x%llx)",
            load_out ? "address" : "entry", (unsigned long long)(load_out ? load : entry),
            (unsigned long long)base, (unsigned long long)last);
    } else if (stat(cfg->os.kernel, &st) == 0 && (uint64_t)st.st_size > last - load + 1) {
        loader_fail_at(ld, NULL, ld->load_line,
                       "<load> at 0x%llx: the %lld-byte image ends past the RAM (0x%llx-0x%llx)",
                       (unsigned long long)load, (long long)st.st_size, (unsigned long long)base,
                       (unsigned long long)last);
    }
}

/* <cputune> against <vcpu>: the cap the vCPUs can use, pins of vCPUs that exist, CPUs allowed. */
static void check_cputune(struct loader *ld, const struct domain_config *cfg)
{
    const struct dc_cputune *t = &cfg->cputune;

    if (t->has_cap && t->cap > 100u * cfg->nr_vcpus) {
        loader_fail_at(ld, NULL, t->line,
                       "<cputune> cap %u is more than %u vCPU%s can use (at most %u)", t->cap,
                       cfg->nr_vcpus, cfg->nr_vcpus == 1 ? "" : "s", 100u * cfg->nr_vcpus);
    }
    for (unsigned int i = 0; i < t->nr_pins; i++) {
        const struct dc_vcpupin *p = &t->pins[i];

        if (p->vcpu >= cfg->nr_vcpus) {
            loader_fail_at(ld, NULL, p->line, "<vcpupin> vcpu %u: the domain has %u vCPU%s (0-%u)",
                           p->vcpu, cfg->nr_vcpus, cfg->nr_vcpus == 1 ? "" : "s",
                           cfg->nr_vcpus - 1);
        } else if (cfg->cpumask && (p->cpumask & ~cfg->cpumask)) {
            loader_fail_at(ld, NULL, p->line,
                           "<vcpupin> of vCPU %u names CPUs outside <vcpu cpuset>", p->vcpu);
        }
    }
}

void check_domain(struct loader *ld, const struct domain_config *cfg)
{
    check_arch(ld, cfg);
    check_memory_map(ld, cfg);
    check_ports(ld, cfg);
    check_irqs(ld, cfg);
    check_raw(ld, cfg);
    check_cputune(ld, cfg);
}
