/* SPDX-License-Identifier: MIT */
/*
 * Loading an arm64 Linux Image (Linux's Documentation/arch/arm64/booting.rst): the Image at the
 * start of RAM plus its text_offset, the initrd as high as it goes below the device tree, and
 * the device tree (guest_fdt.c) in the last 2 MiB-aligned block of RAM, so it shares no 2 MiB
 * block with anything else. vCPU 0 starts at the Image in EL1 with the MMU off, x0 = the tree.
 */
#include <stdlib.h>
#include <string.h>
#include "builder.h"
#include "guest_fdt.h"

#define IMAGE_HEADER_SIZE 64
#define IMAGE_TEXT_OFFSET 0x08
#define IMAGE_SIZE        0x10
#define IMAGE_FLAGS       0x18
#define IMAGE_MAGIC       0x38
#define IMAGE_MAGIC_VALUE 0x644d5241u /* "ARM\x64" */
#define IMAGE_FLAG_BE     (1u << 0)
#define IMAGE_OLD_TEXT    0x80000u /* text_offset of kernels older than v3.17 (image_size 0) */
#define BLOCK_2M          0x200000u
#define PAGE_BYTES        0x1000u

/* Where the pieces go. */
struct arm64_layout {
    uint64_t kernel_gpa;
    uint64_t kernel_end; /* one past the Image's image_size bytes */
    uint64_t initrd_gpa;
    uint64_t dt_gpa;
};

static uint64_t le(const uint8_t *p, unsigned int bytes)
{
    uint64_t v = 0;

    for (unsigned int i = bytes; i-- > 0;) {
        v = v << 8 | p[i];
    }
    return v;
}

/* Check the Image header and plan the layout. Returns: NULL, or why it cannot be loaded. */
static const char *plan_arm64(const struct builder *b, const uint8_t *image, size_t size,
                              size_t initrd_size, struct arm64_layout *l)
{
    uint64_t ram_end = b->ram_gpa + b->cfg->memory_bytes;
    uint64_t text_offset, image_size;

    if (size < IMAGE_HEADER_SIZE || le(image + IMAGE_MAGIC, 4) != IMAGE_MAGIC_VALUE) {
        return "not an arm64 Image (no ARM\\x64 magic at offset 0x38)";
    }
    if (le(image + IMAGE_FLAGS, 8) & IMAGE_FLAG_BE) {
        return "a big-endian kernel (axvm's arm64 guests are little-endian)";
    }
    image_size = le(image + IMAGE_SIZE, 8);
    text_offset = image_size ? le(image + IMAGE_TEXT_OFFSET, 8) : IMAGE_OLD_TEXT;
    image_size = image_size > size ? image_size : size;
    if (text_offset >= b->cfg->memory_bytes || image_size >= b->cfg->memory_bytes) {
        return "the kernel does not fit in the domain's RAM";
    }
    l->kernel_gpa = b->ram_gpa + text_offset; /* RAM starts 2 MiB-aligned (QEMU virt) */
    l->kernel_end = l->kernel_gpa + image_size;
    if (b->cfg->memory_bytes < GUEST_FDT_MAX + BLOCK_2M) {
        return "the domain's RAM is too small for an arm64 Linux guest";
    }
    l->dt_gpa = (ram_end - GUEST_FDT_MAX) & ~(uint64_t)(BLOCK_2M - 1);
    l->initrd_gpa =
        initrd_size <= l->dt_gpa ? (l->dt_gpa - initrd_size) & ~(uint64_t)(PAGE_BYTES - 1) : 0;
    if (l->kernel_end > l->dt_gpa || l->initrd_gpa < l->kernel_end) {
        return "the kernel, initrd and device tree do not fit in the domain's RAM";
    }
    return NULL;
}

static int write_tree(struct builder *b, const struct arm64_layout *l, size_t initrd_size)
{
    struct guest_fdt_spec spec = {
        .ram_base = b->ram_gpa,
        .ram_size = b->cfg->memory_bytes,
        .nr_vcpus = b->cfg->nr_vcpus,
        .bootargs = b->cfg->os.cmdline,
        .initrd_start = initrd_size ? l->initrd_gpa : 0,
        .initrd_end = initrd_size ? l->initrd_gpa + initrd_size : 0,
    };
    unsigned int irq = 0;
    size_t len = 0;
    void *dt = malloc(GUEST_FDT_MAX);
    int rc;

    spec.has_pl011 = builder_serial(b, &spec.pl011_base, &irq);
    spec.pl011_intid = irq;
    rc = dt ? guest_fdt_build(&spec, dt, GUEST_FDT_MAX, &len) : -AXVM_ENOMEM;
    if (rc) {
        rc = builder_fail(b, rc, "building the device tree: %s",
                          rc == -AXVM_EINVAL ? "the PL011's interrupt must be an SPI (32 or more)"
                                             : axvmctl_strerror(rc));
    }
    rc = rc ? rc : builder_write(b, l->dt_gpa, dt, len);
    free(dt);
    return rc ? builder_fail(b, rc, "writing the device tree: %s", axvmctl_strerror(rc)) : 0;
}

static int place_arm64(struct builder *b, const void *kernel, size_t kernel_size,
                       const void *initrd, size_t initrd_size)
{
    const char *path = b->cfg->os.kernel;
    struct arm64_layout l;
    const char *why = plan_arm64(b, kernel, kernel_size, initrd_size, &l);
    int rc;

    if (why) {
        return builder_fail(b, -AXVM_EINVAL, "loading %s: %s", path, why);
    }
    rc = builder_write(b, l.kernel_gpa, kernel, kernel_size);
    rc = rc || !initrd_size ? rc : builder_write(b, l.initrd_gpa, initrd, initrd_size);
    if (rc) {
        return builder_fail(b, rc, "loading %s: %s", path, axvmctl_strerror(rc));
    }
    rc = write_tree(b, &l, initrd_size);
    b->vcpu0.mode = AXVM_VCPU_ARM64_EL1;
    b->vcpu0.entry = l.kernel_gpa;
    memset(b->vcpu0.regs, 0, sizeof(b->vcpu0.regs));
    b->vcpu0.regs[0] = l.dt_gpa;
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
