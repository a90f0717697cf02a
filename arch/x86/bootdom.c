/* SPDX-License-Identifier: MIT */
/*
 * Loading x86 boot-time domains. A Multiboot (version 1) kernel is entered as the Multiboot
 * specification 0.6.96 and QEMU's -kernel do: 32-bit protected mode, paging off, EAX = the
 * boot magic, EBX = the guest-physical address of a Multiboot information structure with the
 * memory map, the command line ("<domain name> <arguments>", as QEMU passes "<file> <append>")
 * and the guest's own modules. A Linux bzImage is entered through the 32-bit boot protocol
 * (ESI = boot_params, with an e820 map, its command line, its initrd and the domU platform's
 * ACPI tables; docs/platform-x86.md). The protocols are <x86/multiboot1.h>, <x86/bzimage.h> and
 * <x86/acpi_build.h>, shared with the toolstack; this file feeds them boot modules and writes
 * into the VM.
 */
#define LOG_TAG "bootdom"
#include <x86/acpi_build.h>
#include <hv/bootdom.h>
#include <x86/bzimage.h>
#include <hv/fmt.h>
#include <hv/heap.h>
#include <hv/log.h>
#include <x86/multiboot1.h>
#include <hv/page.h>
#include <hv/string.h>
#include <public/axvm/errno.h>
#include <public/axvm/platform_x86.h>
#include <x86/x86.h>

/* The command line a Linux domain gets: its own and what the platform adds. */
#define LINUX_CMDLINE_MAX (BOOTDOM_CMDLINE_MAX + 64)

_Static_assert(BOOTDOM_MAX_MODULES <= MULTIBOOT1_MAX_MODULES, "Multiboot module table");

static int write_vm(void *ctx, uint64_t gpa, const void *src, size_t len)
{
    static const uint8_t zeros[256];
    struct vm *vm = ctx;

    if (src) {
        return vm_write_guest(vm, gpa, src, len);
    }
    while (len) {
        size_t n = MIN(len, sizeof(zeros));
        int rc = vm_write_guest(vm, gpa, zeros, n);

        if (rc) {
            return rc;
        }
        gpa += n;
        len -= n;
    }
    return 0;
}

/*
 * The user's command line, and what the kernel needs to know its TSC (docs/platform-x86.md):
 * tsc_early_khz= and tsc=reliable, each unless the user's line has that option already.
 */
static void linux_cmdline(const char *user, char *out, size_t size)
{
    size_t n = strlcpy(out, user, size);

    if (!bzimage_cmdline_has(user, "tsc_early_khz=") && n < size) {
        n += fmt_snprintf(out + n, size - n, "%stsc_early_khz=%llu", n ? " " : "",
                          (unsigned long long)(time_tsc_hz() / 1000));
    }
    if (!bzimage_cmdline_has(user, "tsc=") && n < size) {
        fmt_snprintf(out + n, size - n, "%stsc=reliable", n ? " " : "");
    }
}

/* The ACPI tables at AXVM_X86_ACPI_GPA and the boot GDT. Returns: 0 or a copy error. */
static int write_platform(struct vm *vm, uint64_t *rsdp_gpa)
{
    static const uint64_t gdt[4] = {0, 0, AXVM_X86_BOOT_GDT_CODE, AXVM_X86_BOOT_GDT_DATA};
    struct acpi_build_params p = {AXVM_X86_ACPI_GPA, vm->nr_vcpus,
                                  (vm->config.devices & VM_DEV_UART) != 0};
    struct acpi_build_layout l;
    uint8_t *tables = heap_zalloc(ACPI_BUILD_MAX_SIZE);
    int rc = tables ? acpi_build_tables(&p, tables, ACPI_BUILD_MAX_SIZE, &l) : -AXVM_ENOMEM;

    rc = rc ? rc : vm_write_guest(vm, AXVM_X86_ACPI_GPA, tables, l.used);
    rc = rc ? rc : vm_write_guest(vm, AXVM_X86_BOOT_GDT_GPA, gdt, sizeof(gdt));
    *rsdp_gpa = rc ? 0 : l.rsdp_gpa;
    heap_free(tables);
    return rc;
}

static int load_linux(struct vm *vm, const struct boot_module *kernel,
                      const struct boot_module *initrd, const char *cmdline, struct vcpu_boot *boot)
{
    struct bzimage_e820 map[3];
    struct bzimage_guest g = {
        .kernel = hpa_to_virt(kernel->start),
        .kernel_size = (size_t)(kernel->end - kernel->start),
        .e820 = map,
        .nr_e820 = bzimage_pc_e820(vm->config.regions[0].size_bytes, map),
        .zero_page_gpa = BZIMAGE_ZERO_PAGE_GPA,
        .cmdline_gpa = BZIMAGE_CMDLINE_GPA,
        .cmdline_len = strlen(cmdline),
        .initrd_size = initrd ? initrd->end - initrd->start : 0,
    };
    struct bzimage_plan *plan = heap_zalloc(sizeof(*plan));
    const char *why = "out of memory";
    int rc = -AXVM_ENOMEM;

    if (plan) {
        rc = write_platform(vm, &g.acpi_rsdp_gpa);
        why = "cannot write the ACPI tables or the boot GDT";
    }
    if (rc == 0) {
        rc = bzimage_plan_boot(&g, plan, &why);
    }
    if (rc == 0) {
        rc = bzimage_load(plan, g.kernel, cmdline, initrd ? hpa_to_virt(initrd->start) : NULL,
                          write_vm, vm, &why);
    }
    if (rc == 0) {
        *boot = (struct vcpu_boot){plan->entry, {0, 0, 0, 0, plan->esi, 0}};
        log_info("d%u (%s): Linux, boot protocol %u.%02u, kernel at 0x%llx, initrd %llu KiB",
                 vm->id, vm->name, plan->header.version >> 8, plan->header.version & 0xff,
                 (unsigned long long)plan->kernel_gpa,
                 (unsigned long long)(plan->initrd_size / 1024));
    } else {
        log_err("d%u (%s): %s", vm->id, vm->name, why);
    }
    heap_free(plan);
    return rc;
}

/* A bzImage takes one module, "module initrd", as its initrd. */
static int load_linux_domain(struct vm *vm, const struct boot_module *kernel,
                             const struct boot_module *mods, unsigned int nr_mods,
                             const char *user_cmdline, struct vcpu_boot *boot)
{
    char *cmdline;
    int rc;

    if (nr_mods > 1 || (nr_mods == 1 && strcmp(mods[0].string, "initrd") != 0)) {
        log_err("d%u (%s): a Linux domain takes one module, its initrd ('module initrd')", vm->id,
                vm->name);
        return -AXVM_EINVAL;
    }
    cmdline = heap_zalloc(LINUX_CMDLINE_MAX);
    if (!cmdline) {
        return -AXVM_ENOMEM;
    }
    linux_cmdline(user_cmdline, cmdline, LINUX_CMDLINE_MAX);
    rc = load_linux(vm, kernel, nr_mods ? &mods[0] : NULL, cmdline, boot);
    heap_free(cmdline);
    return rc;
}

static bool is_bzimage(const struct boot_module *kernel)
{
    const uint8_t *k = hpa_to_virt(kernel->start);

    return kernel->end - kernel->start > 0x206 && memcmp(k + 0x202, "HdrS", 4) == 0;
}

int arch_bootdom_load(struct vm *vm, const struct boot_module *kernel,
                      const struct boot_module *mods, unsigned int nr_mods, const char *cmdline,
                      struct vcpu_boot *boot)
{
    struct multiboot1_module mb_mods[BOOTDOM_MAX_MODULES];
    struct multiboot1_guest g = {
        .kernel = hpa_to_virt(kernel->start),
        .kernel_size = (size_t)(kernel->end - kernel->start),
        .modules = mb_mods,
        .nr_modules = MIN(nr_mods, BOOTDOM_MAX_MODULES),
        .name = vm->name,
        .args = cmdline,
        .ram_size = vm->config.regions[0].size_bytes,
        .write = write_vm,
        .ctx = vm,
    };
    struct multiboot1_boot mb;
    const char *why = "";
    int rc;

    if (is_bzimage(kernel)) {
        return load_linux_domain(vm, kernel, mods, nr_mods, cmdline, boot);
    }
    for (unsigned int i = 0; i < g.nr_modules; i++) {
        mb_mods[i] = (struct multiboot1_module){
            hpa_to_virt(mods[i].start), (size_t)(mods[i].end - mods[i].start), mods[i].string};
    }
    rc = multiboot1_load(&g, &mb, &why);
    if (rc) {
        log_err("d%u (%s): %s", vm->id, vm->name, why);
        return rc;
    }
    *boot = (struct vcpu_boot){mb.entry, {mb.eax, mb.ebx, 0, 0}};
    return 0;
}
