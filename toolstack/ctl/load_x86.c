/* SPDX-License-Identifier: MIT */
/*
 * Loading x86 guests: a Linux bzImage through the 32-bit boot protocol (<x86/bzimage.h>, with a
 * PC memory map, the command line with the TSC frequency added, an initrd, and the domU
 * platform's ACPI tables from <x86/acpi_build.h>; docs/platform-x86.md) and Multiboot v1 kernels
 * with their modules (<x86/multiboot1.h>). The shared code is the same the hypervisor uses for
 * its boot-time domains. Both start vCPU 0 in flat 32-bit protected mode with paging off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86/acpi_build.h>
#include <x86/bzimage.h>
#include <x86/multiboot1.h>
#include <public/axvm/platform_x86.h>
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

/* The host's TSC frequency in kHz. Returns: 0 and *khz, or an error recorded. */
static int host_tsc_khz(struct builder *b, uint64_t *khz)
{
    struct axvm_physinfo info;
    int rc = axvmctl_physinfo(b->h, &info);

    if (!rc && info.cpu_khz == 0) {
        rc = -AXVM_EOPNOTSUPP;
    }
    if (rc) {
        return builder_fail(b, rc,
                            "loading %s: the host's TSC frequency is unknown (%s); give "
                            "tsc_early_khz= on the command line",
                            b->cfg->os.kernel, axvmctl_strerror(rc));
    }
    *khz = info.cpu_khz;
    return 0;
}

/*
 * The kernel's command line: the configured one, and what the kernel needs to know its TSC
 * (docs/platform-x86.md): tsc_early_khz=<physinfo's kHz> and tsc=reliable, each unless the
 * configured line has that option already. Returns: 0 and *out (free() it), or an error recorded.
 */
static int linux_cmdline(struct builder *b, char **out)
{
    const char *user = cmdline_of(b->cfg);
    size_t size = strlen(user) + 64, n = strlen(user);
    uint64_t khz = 0;
    int rc = bzimage_cmdline_has(user, "tsc_early_khz=") ? 0 : host_tsc_khz(b, &khz);

    *out = rc ? NULL : malloc(size);
    if (rc || !*out) {
        return rc ? rc
                  : builder_fail(b, -AXVM_ENOMEM, "loading %s: out of memory", b->cfg->os.kernel);
    }
    memcpy(*out, user, n + 1);
    if (khz) {
        n += (size_t)snprintf(*out + n, size - n, "%stsc_early_khz=%llu", n ? " " : "",
                              (unsigned long long)khz);
    }
    if (!bzimage_cmdline_has(user, "tsc=")) {
        snprintf(*out + n, size - n, "%stsc=reliable", n ? " " : "");
    }
    return 0;
}

/* The ACPI tables (the RSDP first) and the boot GDT. Returns: 0, or an error recorded. */
static int write_platform(struct builder *b)
{
    static const uint64_t gdt[4] = {0, 0, AXVM_X86_BOOT_GDT_CODE, AXVM_X86_BOOT_GDT_DATA};
    uint64_t com_base = 0;
    unsigned int com_irq = 0;
    struct acpi_build_params p = {AXVM_X86_ACPI_GPA, b->cfg->nr_vcpus,
                                  builder_serial(b, &com_base, &com_irq) &&
                                      com_base == AXVM_X86_COM1_PORT};
    struct acpi_build_layout l;
    uint8_t tables[ACPI_BUILD_MAX_SIZE];
    int rc = acpi_build_tables(&p, tables, sizeof(tables), &l);

    if (rc) {
        return builder_fail(b, rc, "building the ACPI tables for %u vCPUs: %s", b->cfg->nr_vcpus,
                            axvmctl_strerror(rc));
    }
    rc = builder_write(b, AXVM_X86_ACPI_GPA, tables, l.used);
    rc = rc ? rc : builder_write(b, AXVM_X86_BOOT_GDT_GPA, gdt, sizeof(gdt));
    if (rc) {
        return builder_fail(b, rc, "loading the ACPI tables and boot GDT: %s",
                            axvmctl_strerror(rc));
    }
    return 0;
}

static int place_linux(struct builder *b, const void *kernel, size_t kernel_size,
                       const void *initrd, size_t initrd_size, const char *cmdline)
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
        .cmdline_len = strlen(cmdline),
        .initrd_size = initrd_size,
        .acpi_rsdp_gpa = AXVM_X86_ACPI_GPA,
    };
    struct bzimage_plan *plan = malloc(sizeof(*plan));
    const char *why = "";
    int rc = plan ? bzimage_plan_boot(&g, plan, &why) : -AXVM_ENOMEM;

    if (rc) {
        rc = builder_fail(b, rc, "loading %s: %s", cfg->os.kernel, plan ? why : "out of memory");
        goto out;
    }
    rc = write_platform(b);
    if (rc) {
        goto out;
    }
    rc = bzimage_load(plan, kernel, cmdline, initrd, builder_write, b, &why);
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
    char *cmdline = NULL;
    size_t kernel_size = 0, initrd_size = 0;
    int rc = check_extras(b, true);

    rc = rc ? rc : linux_cmdline(b, &cmdline);
    rc = rc ? rc : builder_read_file(b, cfg->os.kernel, cfg->memory_bytes, &kernel, &kernel_size);
    if (!rc && cfg->os.initrd) {
        rc = builder_read_file(b, cfg->os.initrd, cfg->memory_bytes, &initrd, &initrd_size);
    }
    if (!rc && !initrd_size && cfg->os.initrd) {
        rc = builder_fail(b, -AXVM_EINVAL, "loading %s: the initrd is empty", cfg->os.initrd);
    }
    rc = rc ? rc : place_linux(b, kernel, kernel_size, initrd, initrd_size, cmdline);
    free(cmdline);
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
