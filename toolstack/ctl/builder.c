/* SPDX-License-Identifier: MIT */
/*
 * The domain builder: a struct domain_config becomes a running domain, step by step (create,
 * memory, kernel and boot data, devices, pass-through, scheduling parameters and pinning,
 * vCPU 0, unpause). A failure at any step
 * destroys the half-built domain and leaves one line naming the step and the cause.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <public/axvm/platform_arm64.h>
#include <public/axvm/testdev.h>
#include "builder.h"
#include "transport.h"

#define MIB (1024.0 * 1024.0)

int builder_fail(struct builder *b, int rc, const char *fmt, ...)
{
    va_list ap;

    if (rc < 0 && b->err && b->err_size && !b->err[0]) {
        va_start(ap, fmt);
        vsnprintf(b->err, b->err_size, fmt, ap);
        va_end(ap);
    }
    return rc;
}

int builder_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
    static const uint8_t zeros[AXVM_COPY_MAX];
    struct builder *b = ctx;

    if (src) {
        return axvmctl_domain_copy(b->h, b->domid, gpa, src, len);
    }
    for (size_t done = 0; done < len;) {
        size_t n = len - done < sizeof(zeros) ? len - done : sizeof(zeros);
        int rc = axvmctl_domain_copy(b->h, b->domid, gpa + done, zeros, n);

        if (rc) {
            return rc;
        }
        done += n;
    }
    return 0;
}

/* Open path as a regular file. Returns: the stream and *size, or NULL with the cause recorded. */
static FILE *open_file(struct builder *b, const char *path, uint64_t *size, int *rc)
{
    FILE *f = fopen(path, "rb");
    struct stat st;

    if (!f) {
        *rc =
            builder_fail(b, transport_errno_to_rc(errno), "loading %s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        *rc = builder_fail(b, -AXVM_EINVAL, "loading %s: not a regular file", path);
        return NULL;
    }
    *size = (uint64_t)st.st_size;
    return f;
}

int builder_read_file(struct builder *b, const char *path, uint64_t max, void **data, size_t *size)
{
    uint64_t file_size = 0;
    int rc = 0;
    FILE *f = open_file(b, path, &file_size, &rc);
    void *buf = NULL;

    if (!f) {
        goto out;
    }
    if (file_size > max) {
        rc = builder_fail(b, -AXVM_ENOSPC, "loading %s: %.1f MiB, too big for %.1f MiB of RAM",
                          path, (double)file_size / MIB, (double)max / MIB);
        goto out;
    }
    buf = malloc(file_size ? (size_t)file_size : 1);
    if (!buf) {
        rc = builder_fail(b, -AXVM_ENOMEM, "loading %s: out of memory", path);
        goto out;
    }
    if (fread(buf, 1, (size_t)file_size, f) != file_size) {
        rc = builder_fail(b, -AXVM_EIO, "loading %s: read error", path);
        goto out;
    }
    *data = buf;
    *size = (size_t)file_size;
    buf = NULL;
out:
    free(buf);
    if (f) {
        fclose(f);
    }
    return rc;
}

uint64_t builder_room(const struct builder *b, uint64_t gpa)
{
    const struct domain_config *cfg = b->cfg;

    if (gpa >= b->ram_gpa && gpa - b->ram_gpa < cfg->memory_bytes) {
        return b->ram_gpa + cfg->memory_bytes - gpa;
    }
    for (unsigned int i = 0; i < cfg->nr_regions; i++) {
        const struct dc_region *r = &cfg->regions[i];

        if (gpa >= r->gpa && gpa - r->gpa < r->size) {
            return r->gpa + r->size - gpa;
        }
    }
    return 0;
}

bool builder_serial(const struct builder *b, uint64_t *base, unsigned int *irq)
{
    const struct domain_config *cfg = b->cfg;
    bool x86 = cfg->os.arch == DC_ARCH_X86_64;

    for (unsigned int i = 0; i < cfg->nr_devices; i++) {
        if (cfg->devices[i].type == DC_DEV_SERIAL) {
            *base = cfg->devices[i].base ? cfg->devices[i].base
                                         : (x86 ? BUILDER_X86_COM1_PORT : AXVM_ARM64_PL011_BASE);
            *irq = cfg->devices[i].irq;
            return true;
        }
    }
    return false;
}

static uint8_t action_of(enum dc_action a)
{
    return a == DC_ACTION_RESTART    ? AXVM_ACTION_RESTART
           : a == DC_ACTION_PRESERVE ? AXVM_ACTION_PRESERVE
                                     : AXVM_ACTION_DESTROY;
}

static int step_create(struct builder *b)
{
    const struct domain_config *cfg = b->cfg;
    struct axvm_domain_create req = {
        .nr_vcpus = (uint16_t)cfg->nr_vcpus,
        .arch = cfg->os.arch == DC_ARCH_ARM64 ? AXVM_ARCH_ARM64 : AXVM_ARCH_X86_64,
        .cpumask = cfg->cpumask,
        .on_poweroff = action_of(cfg->on_poweroff),
        .on_reboot = action_of(cfg->on_reboot),
        .on_crash = action_of(cfg->on_crash),
    };
    int rc;

    if (strnlen(cfg->name, DC_NAME_MAX) >= AXVM_DOMAIN_NAME_MAX || !cfg->name[0]) {
        return builder_fail(b, -AXVM_EINVAL,
                            "creating the domain: the name must have 1 to %d bytes",
                            AXVM_DOMAIN_NAME_MAX - 1);
    }
    if (cfg->nr_vcpus == 0 || cfg->nr_vcpus > DC_MAX_VCPUS) {
        return builder_fail(b, -AXVM_EINVAL, "creating domain '%s': %u vCPUs (1 to %d)", cfg->name,
                            cfg->nr_vcpus, DC_MAX_VCPUS);
    }
    memcpy(req.name, cfg->name, strlen(cfg->name));
    memcpy(req.uuid, cfg->uuid, sizeof(req.uuid));
    rc = axvmctl_domain_create(b->h, &req);
    if (rc) {
        return builder_fail(b, rc, "creating domain '%s': %s", cfg->name, axvmctl_strerror(rc));
    }
    b->domid = req.domid;
    b->created = true;
    return 0;
}

static int add_region(struct builder *b, const struct dc_region *r, const char *what)
{
    struct axvm_domain_region req = {
        .domid = b->domid,
        .map = r->map == DC_MAP_IDENTICAL ? AXVM_MAP_IDENTICAL : AXVM_MAP_ALLOC,
        .access = (uint8_t)(r->access & (DC_ACCESS_R | DC_ACCESS_W | DC_ACCESS_X)),
        .flags = r->lazy ? AXVM_REGION_LAZY : 0,
        .gpa = r->gpa,
        .size = r->size,
    };
    int rc = axvmctl_domain_add_region(b->h, &req);

    if (rc) {
        return builder_fail(b, rc, "adding %s 0x%llx-0x%llx: %s", what, (unsigned long long)r->gpa,
                            (unsigned long long)(r->gpa + r->size - 1), axvmctl_strerror(rc));
    }
    return 0;
}

static int step_memory(struct builder *b)
{
    const struct domain_config *cfg = b->cfg;
    struct dc_region ram = {b->ram_gpa,   cfg->memory_bytes,
                            DC_MAP_ALLOC, DC_ACCESS_R | DC_ACCESS_W | DC_ACCESS_X,
                            false,        0};
    int rc = add_region(b, &ram, "RAM");

    for (unsigned int i = 0; i < cfg->nr_regions && !rc; i++) {
        rc = add_region(b, &cfg->regions[i], "memory region");
    }
    return rc;
}

static int step_load(struct builder *b)
{
    const struct domain_config *cfg = b->cfg;
    bool x86 = cfg->os.arch == DC_ARCH_X86_64;

    switch (cfg->os.type) {
    case DC_OS_LINUX:
        return x86 ? load_x86_linux(b) : load_arm64_linux(b);
    case DC_OS_MULTIBOOT:
        return x86 ? load_x86_multiboot(b)
                   : builder_fail(b, -AXVM_EINVAL, "loading %s: Multiboot kernels are x86 only",
                                  cfg->os.kernel);
    case DC_OS_RAW:
        return load_raw(b);
    }
    return builder_fail(b, -AXVM_EINVAL, "loading %s: unknown os type", cfg->os.kernel);
}

/* The hypervisor's device for a configured one, with the platform's defaults filled in. */
static int device_of(const struct builder *b, const struct dc_device *d,
                     struct axvm_domain_device *out, const char **why)
{
    bool x86 = b->cfg->os.arch == DC_ARCH_X86_64;

    *out = (struct axvm_domain_device){.domid = b->domid, .irq = d->irq, .base = d->base};
    switch (d->type) {
    case DC_DEV_SERIAL:
        out->type = x86 ? AXVM_DEV_UART16550 : AXVM_DEV_PL011;
        out->space = x86 ? AXVM_SPACE_PIO : AXVM_SPACE_MMIO;
        out->base = d->base ? d->base : (x86 ? BUILDER_X86_COM1_PORT : AXVM_ARM64_PL011_BASE);
        return 0;
    case DC_DEV_DEBUG_EXIT:
        out->type = AXVM_DEV_DEBUG_EXIT;
        out->space = x86 ? AXVM_SPACE_PIO : AXVM_SPACE_MMIO;
        out->base = d->base ? d->base : (x86 ? AXVM_DEBUG_EXIT_PORT : AXVM_DEBUG_EXIT_ARM64_GPA);
        return 0;
    case DC_DEV_TESTDEV:
        out->type = AXVM_DEV_TESTDEV;
        out->space = AXVM_SPACE_MMIO;
        out->base = d->base ? d->base : (x86 ? AXVM_TESTDEV_X86_GPA : AXVM_TESTDEV_ARM64_GPA);
        return 0;
    }
    *why = "unknown device type";
    return -AXVM_EINVAL;
}

static int step_devices(struct builder *b)
{
    static const char *const names[] = {"serial", "debug-exit", "testdev"};
    const struct domain_config *cfg = b->cfg;

    for (unsigned int i = 0; i < cfg->nr_devices; i++) {
        const struct dc_device *d = &cfg->devices[i];
        const char *name = (unsigned int)d->type < 3 ? names[d->type] : "device";
        struct axvm_domain_device dev;
        const char *why = NULL;
        int rc = device_of(b, d, &dev, &why);

        rc = rc ? rc : axvmctl_domain_add_device(b->h, &dev);
        if (rc) {
            return builder_fail(b, rc, "adding the %s device at 0x%llx: %s", name,
                                (unsigned long long)dev.base, why ? why : axvmctl_strerror(rc));
        }
    }
    return 0;
}

static int step_passthrough(struct builder *b)
{
    static const char *const kinds[] = {"MMIO", "I/O ports", "interrupt"};
    const struct domain_config *cfg = b->cfg;

    for (unsigned int i = 0; i < cfg->nr_hostdevs; i++) {
        const struct dc_hostdev *hd = &cfg->hostdevs[i];
        struct axvm_domain_passthrough pt = {
            .domid = b->domid,
            .kind = hd->type == DC_HOSTDEV_IRQ      ? AXVM_PT_IRQ
                    : hd->type == DC_HOSTDEV_IOPORT ? AXVM_PT_PIO
                                                    : AXVM_PT_MMIO,
            .base = hd->base,
            .size = hd->type == DC_HOSTDEV_IRQ ? 1 : hd->size,
        };
        int rc = axvmctl_domain_passthrough(b->h, &pt);

        if (rc) {
            return builder_fail(b, rc, "passing through %s 0x%llx (+0x%llx): %s", kinds[pt.kind],
                                (unsigned long long)pt.base, (unsigned long long)pt.size,
                                axvmctl_strerror(rc));
        }
    }
    return 0;
}

/* <cputune>: the credit parameters, then each pinned vCPU (the vCPUs exist since create). */
static int step_cputune(struct builder *b)
{
    const struct dc_cputune *t = &b->cfg->cputune;
    struct axvm_sched_credit req = {.domid = b->domid};
    char cpus[192];
    int rc;

    if (t->has_weight || t->has_cap) {
        req.flags = (uint16_t)((t->has_weight ? AXVM_SCHED_SET_WEIGHT : 0) |
                               (t->has_cap ? AXVM_SCHED_SET_CAP : 0));
        req.weight = t->weight;
        req.cap = t->cap;
        rc = axvmctl_sched_credit_set(b->h, &req);
        if (rc) {
            return builder_fail(b, rc, "setting the credit scheduler's %s: %s",
                                !t->has_cap     ? "weight"
                                : t->has_weight ? "weight and cap"
                                                : "cap",
                                rc == -AXVM_EOPNOTSUPP
                                    ? "the hypervisor runs the rr scheduler; boot it with "
                                      "sched=credit"
                                    : axvmctl_strerror(rc));
        }
    }
    for (unsigned int i = 0; i < t->nr_pins; i++) {
        const struct dc_vcpupin *p = &t->pins[i];

        rc = axvmctl_vcpu_pin(b->h, b->domid, (uint16_t)p->vcpu, p->cpumask);
        if (rc) {
            return builder_fail(b, rc, "pinning vCPU %u to CPUs %s: %s", p->vcpu,
                                axvmctl_cpus_format(p->cpumask, 0, cpus, sizeof(cpus)),
                                axvmctl_strerror(rc));
        }
    }
    return 0;
}

static int step_start(struct builder *b)
{
    int rc;

    b->vcpu0.domid = b->domid;
    b->vcpu0.vcpu = 0;
    rc = axvmctl_vcpu_set_context(b->h, &b->vcpu0);
    if (rc) {
        return builder_fail(b, rc, "setting vCPU 0's boot context: %s", axvmctl_strerror(rc));
    }
    rc = axvmctl_domain_unpause(b->h, b->domid);
    if (rc) {
        return builder_fail(b, rc, "starting the domain: %s", axvmctl_strerror(rc));
    }
    return 0;
}

/* Undo a failed build: the half-built domain goes, and the reason says so if it would not. */
static void unwind(struct builder *b)
{
    size_t used = b->err ? strlen(b->err) : 0;
    int rc = axvmctl_domain_destroy(b->h, b->domid);

    if (rc && b->err && used + 1 < b->err_size) {
        snprintf(b->err + used, b->err_size - used, " (destroying domain %u failed too: %s)",
                 b->domid, axvmctl_strerror(rc));
    }
}

int axvmctl_domain_build(struct axvmctl *h, const struct domain_config *cfg, char *err,
                         size_t err_size)
{
    struct builder b = {.h = h, .cfg = cfg, .err = err, .err_size = err_size};
    int rc;

    if (err && err_size) {
        err[0] = '\0';
    }
    if (!h || !cfg || !cfg->os.kernel) {
        return builder_fail(&b, -AXVM_EINVAL, "building a domain: no configuration or kernel");
    }
    b.ram_gpa = domain_config_ram_base(cfg);
    rc = step_create(&b);
    rc = rc ? rc : step_memory(&b);
    rc = rc ? rc : step_load(&b);
    rc = rc ? rc : step_devices(&b);
    rc = rc ? rc : step_passthrough(&b);
    rc = rc ? rc : step_cputune(&b);
    rc = rc ? rc : step_start(&b);
    if (rc && b.created) {
        unwind(&b);
    }
    return rc ? rc : b.domid;
}
