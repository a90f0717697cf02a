/* SPDX-License-Identifier: MIT */
/*
 * Loading x86 boot-time domains: a Multiboot (version 1) kernel, entered as the Multiboot
 * specification 0.6.96 and QEMU's -kernel do: 32-bit protected mode, paging off, EAX = the
 * boot magic, EBX = the guest-physical address of a Multiboot information structure with the
 * memory map, the command line ("<domain name> <arguments>", as QEMU passes "<file> <append>")
 * and the guest's own modules. The protocol itself is <hv/multiboot1.h>, shared with the
 * toolstack; this file feeds it boot modules and writes into the VM.
 */
#define LOG_TAG "bootdom"
#include <hv/bootdom.h>
#include <hv/log.h>
#include <hv/multiboot1.h>
#include <hv/page.h>
#include <hv/string.h>
#include <public/axvm/errno.h>

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
