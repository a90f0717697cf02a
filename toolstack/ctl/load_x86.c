/* SPDX-License-Identifier: MIT */
/*
 * Loading x86 guests: a Linux bzImage through the 32-bit boot protocol (<hv/bzimage.h>, with a
 * PC memory map, the command line and an initrd) and Multiboot v1 kernels with their modules
 * (<hv/multiboot1.h>, the same code the hypervisor uses for its boot-time domains). Both start
 * vCPU 0 in flat 32-bit protected mode with paging off.
 */
#include <stdlib.h>
#include <string.h>
#include <hv/bzimage.h>
#include <hv/multiboot1.h>
#include "builder.h"

static const char *cmdline_of(const struct domain_config *cfg)
{
    return cfg->os.cmdline ? cfg->os.cmdline : "";
}

/* Linux gets an initrd, Multiboot kernels get modules, and neither gets the other. */
static int check_extras(struct builder *b, bool linux_kernel)
{
    const struct domain_config *cfg = b->cfg;

    if (cfg->os.nr_modules > DC_MAX_MODULES) {
        return builder_fail(b, -AXVM_EINVAL, "loading %s: more than %d modules", cfg->os.kernel,
                            DC_MAX_MODULES);
    }
    if (linux_kernel && cfg->os.nr_modules) {
        return builder_fail(b, -AXVM_EINVAL, "loading %s: Linux takes an initrd, not modules",
                            cfg->os.kernel);
    }
    if (!linux_kernel && cfg->os.initrd) {
        return builder_fail(b, -AXVM_EINVAL, "loading %s: Multiboot takes modules, not an initrd",
                            cfg->os.kernel);
    }
    return 0;
}

static void set_protected32(struct builder *b, uint32_t entry, const uint64_t regs[6])
{
    b->vcpu0.mode = AXVM_VCPU_X86_PROTECTED32;
    b->vcpu0.entry = entry;
    memcpy(b->vcpu0.regs, regs, sizeof(b->vcpu0.regs));
    b->vcpu0.stack = 0;
}

static int place_linux(struct builder *b, const void *kernel, size_t kernel_size,
                       const void *initrd, size_t initrd_size)
{
    const struct domain_config *cfg = b->cfg;
    struct bzimage_e820 map[3];
    struct bzimage_guest g = {
        .kernel = kernel,
        .kernel_size = kernel_size,
        .e820 = map,
        .nr_e820 = bzimage_pc_e820(cfg->memory_bytes, map),
        .zero_page_gpa = BZIMAGE_ZERO_PAGE_GPA,
        .cmdline_gpa = BZIMAGE_CMDLINE_GPA,
        .cmdline_len = strlen(cmdline_of(cfg)),
        .initrd_size = initrd_size,
    };
    struct bzimage_plan *plan = malloc(sizeof(*plan));
    const char *why = "";
    int rc = plan ? bzimage_plan_boot(&g, plan, &why) : -AXVM_ENOMEM;

    if (rc) {
        rc = builder_fail(b, rc, "loading %s: %s", cfg->os.kernel, plan ? why : "out of memory");
        goto out;
    }
    rc = bzimage_load(plan, kernel, cmdline_of(cfg), initrd, builder_write, b, &why);
    if (rc) {
        rc = builder_fail(b, rc, "loading %s: %s: %s", cfg->os.kernel, why, axvmctl_strerror(rc));
        goto out;
    }
    set_protected32(b, plan->entry, (const uint64_t[6]){0, 0, 0, 0, plan->esi, 0});
out:
    free(plan);
    return rc;
}

int load_x86_linux(struct builder *b)
{
    const struct domain_config *cfg = b->cfg;
    void *kernel = NULL, *initrd = NULL;
    size_t kernel_size = 0, initrd_size = 0;
    int rc = check_extras(b, true);

    rc = rc ? rc : builder_read_file(b, cfg->os.kernel, cfg->memory_bytes, &kernel, &kernel_size);
    if (!rc && cfg->os.initrd) {
        rc = builder_read_file(b, cfg->os.initrd, cfg->memory_bytes, &initrd, &initrd_size);
    }
    if (!rc && !initrd_size && cfg->os.initrd) {
        rc = builder_fail(b, -AXVM_EINVAL, "loading %s: the initrd is empty", cfg->os.initrd);
    }
    rc = rc ? rc : place_linux(b, kernel, kernel_size, initrd, initrd_size);
    free(kernel);
    free(initrd);
    return rc;
}

/* Read every module file into mods[]. Returns: 0, or the first failure (recorded). */
static int read_modules(struct builder *b, struct multiboot1_module *mods)
{
    const struct domain_config *cfg = b->cfg;
    int rc = 0;

    for (unsigned int i = 0; i < cfg->os.nr_modules && !rc; i++) {
        void *data = NULL;
        size_t size = 0;

        rc = builder_read_file(b, cfg->os.modules[i].path, cfg->memory_bytes, &data, &size);
        mods[i] = (struct multiboot1_module){
            data, size, cfg->os.modules[i].string ? cfg->os.modules[i].string : ""};
    }
    return rc;
}

int load_x86_multiboot(struct builder *b)
{
    const struct domain_config *cfg = b->cfg;
    struct multiboot1_module mods[DC_MAX_MODULES] = {0};
    struct multiboot1_guest g = {.modules = mods,
                                 .nr_modules = cfg->os.nr_modules,
                                 .name = cfg->name,
                                 .args = cmdline_of(cfg),
                                 .ram_size = cfg->memory_bytes,
                                 .write = builder_write,
                                 .ctx = b};
    struct multiboot1_boot boot;
    void *kernel = NULL;
    const char *why = "";
    int rc = check_extras(b, false);

    rc = rc ? rc : builder_read_file(b, cfg->os.kernel, cfg->memory_bytes, &kernel, &g.kernel_size);
    rc = rc ? rc : read_modules(b, mods);
    g.kernel = kernel;
    rc = rc ? rc : multiboot1_load(&g, &boot, &why);
    if (rc) {
        builder_fail(b, rc, "loading %s: %s%s%s", cfg->os.kernel, why,
                     rc == -AXVM_EINVAL ? "" : ": ",
                     rc == -AXVM_EINVAL ? "" : axvmctl_strerror(rc));
    } else {
        set_protected32(b, boot.entry, (const uint64_t[6]){boot.eax, boot.ebx, 0, 0, 0, 0});
    }
    for (unsigned int i = 0; i < DC_MAX_MODULES; i++) {
        free((void *)(uintptr_t)mods[i].data);
    }
    free(kernel);
    return rc;
}
