/* SPDX-License-Identifier: MIT */
/*
 * Loading an arm64 Linux Image (Linux's Documentation/arch/arm64/booting.rst) where the
 * hypervisor puts its boot-time domains' (arm64_image_layout(), shared with it): the device
 * tree (arch/arm64/guest_fdt.c, also shared) at the start of RAM, the Image 2 MiB in plus its
 * text_offset, the initrd after it. vCPU 0 starts at the Image in EL1 with the MMU off, x0 =
 * the tree.
 */
#include <stdlib.h>
#include <string.h>
#include <public/axvm/platform_arm64.h>
#include <arm64/guest_fdt.h>
#include <arm64/image.h>
#include "builder.h"

/* Check the Image header and plan the layout. Returns: NULL, or why it cannot be loaded. */
static const char *plan_arm64(const struct builder *b, const uint8_t *image, size_t size,
                              size_t initrd_size, struct arm64_layout *l)
{
    struct arm64_image img;
    const char *why = NULL;

    if (arm64_image_parse(image, size, &img, &why) ||
        arm64_image_layout(&img, b->ram_gpa, b->cfg->memory_bytes, initrd_size, l, &why)) {
        return why;
    }
    return NULL;
}

static int write_tree(struct builder *b, const struct arm64_layout *l, size_t initrd_size)
{
    struct guest_fdt_params p = {
        .ram = {{b->ram_gpa, b->cfg->memory_bytes}},
        .nr_ram = 1,
        .nr_vcpus = b->cfg->nr_vcpus,
        .bootargs = b->cfg->os.cmdline,
        .initrd_start = initrd_size ? l->initrd : 0,
        .initrd_end = initrd_size ? l->initrd + initrd_size : 0,
    };
    unsigned int irq = 0;
    uint64_t base = 0;
    size_t len = 0;
    void *dt = malloc(GUEST_FDT_MAX);
    int rc;

    if (builder_serial(b, &base, &irq)) {
        /* The hypervisor wires an interrupt-less request to SPI 1; without one in the tree,
         * Linux's PL011 driver does not bind and the console stays silent. */
        p.uart_base = base;
        p.uart_intid = irq ? irq : AXVM_ARM64_PL011_INTID;
    }
    rc = dt ? guest_fdt_build(dt, GUEST_FDT_MAX, &p, &len) : -AXVM_ENOMEM;
    if (rc) {
        rc = builder_fail(b, rc, "building the device tree: %s",
                          rc == -AXVM_EINVAL ? "the PL011's interrupt must be an SPI (32 or more)"
                                             : axvmctl_strerror(rc));
    }
    rc = rc ? rc : builder_write(b, l->dt, dt, len);
    free(dt);
    return rc ? builder_fail(b, rc, "writing the device tree: %s", axvmctl_strerror(rc)) : 0;
}

static int place_arm64(struct builder *b, const void *kernel, size_t kernel_size,
                       const void *initrd, size_t initrd_size)
{
    const char *path = b->cfg->os.kernel;
    struct arm64_layout l = {0};
    const char *why = plan_arm64(b, kernel, kernel_size, initrd_size, &l);
    int rc;

    if (why) {
        return builder_fail(b, -AXVM_EINVAL, "loading %s: %s", path, why);
    }
    rc = builder_write(b, l.kernel, kernel, kernel_size);
    rc = rc || !initrd_size ? rc : builder_write(b, l.initrd, initrd, initrd_size);
    if (rc) {
        return builder_fail(b, rc, "loading %s: %s", path, axvmctl_strerror(rc));
    }
    rc = write_tree(b, &l, initrd_size);
    b->vcpu0.mode = AXVM_VCPU_ARM64_EL1;
    b->vcpu0.entry = l.kernel;
    memset(b->vcpu0.regs, 0, sizeof(b->vcpu0.regs));
    b->vcpu0.regs[0] = l.dt;
    b->vcpu0.stack = 0;
    return rc;
}

int load_arm64_linux(struct builder *b)
{
    const struct domain_config *cfg = b->cfg;
    void *kernel = NULL, *initrd = NULL;
    size_t kernel_size = 0, initrd_size = 0;
    int rc = 0;

    if (cfg->os.nr_modules) {
        return builder_fail(b, -AXVM_EINVAL, "loading %s: Linux takes an initrd, not modules",
                            cfg->os.kernel);
    }
    rc = builder_read_file(b, cfg->os.kernel, cfg->memory_bytes, &kernel, &kernel_size);
    if (!rc && cfg->os.initrd) {
        rc = builder_read_file(b, cfg->os.initrd, cfg->memory_bytes, &initrd, &initrd_size);
    }
    rc = rc ? rc : place_arm64(b, kernel, kernel_size, initrd, initrd_size);
    free(kernel);
    free(initrd);
    return rc;
}
