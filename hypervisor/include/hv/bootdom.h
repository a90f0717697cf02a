/* SPDX-License-Identifier: MIT */
/*
 * Boot-time domains: guests described by boot modules, built and started by the hypervisor
 * itself (useful for tests, and for systems with no dom0). A module whose string starts with
 * "domain" is a guest kernel; the modules after it whose strings start with "module" are that
 * guest's own modules. docs/booting.md has the grammar:
 *   domain name=NAME [mem=SIZE] [vcpus=N] [pcpu=N] [lazy] [debugexit] [testdev] [privileged]
 *          [pio=BASE:COUNT]... [irq=N]... [-- CMDLINE]
 * "privileged" makes it domain 0, which may use the control hypercalls; only one may be.
 */
#ifndef HV_BOOTDOM_H
#define HV_BOOTDOM_H

#include <hv/bootinfo.h>
#include <hv/vcpu.h>
#include <hv/vm.h>

#define BOOTDOM_CMDLINE_MAX 256
#define BOOTDOM_DEFAULT_MEM MIB(16)
#define BOOTDOM_MAX_MODULES 8
#define BOOTDOM_MAX_IRQS    4

struct bootdom_spec {
    struct vm_config config;
    char cmdline[BOOTDOM_CMDLINE_MAX];
    unsigned int nr_irqs;
    uint32_t irqs[BOOTDOM_MAX_IRQS]; /* handed through (arch_vm_passthrough_irq) once built */
    uint32_t weight;                 /* "weight=": credit weight, 0 = the default */
    uint32_t cap;                    /* "cap=": percent of one CPU, 0 = none */
};

/*
 * Parse a "domain ..." module string. Returns: 0; -AXVM_EINVAL with a reason in err (one line
 * a person can act on) for a bad option or value.
 */
int bootdom_parse(const char *s, struct bootdom_spec *spec, char *err, size_t err_size);

/*
 * Whether module m belongs to the boot-time domains: its string starts with the word "domain"
 * (a guest kernel) or "module" (one of that guest's own modules). Context: any.
 */
bool bootdom_claims_module(const struct boot_module *m);

/*
 * Build and boot every boot-time domain among bi's modules. A domain that cannot be built is
 * reported and skipped. Context: boot CPU, after SMP bring-up. Returns: the number started.
 */
unsigned int bootdom_start_all(const struct boot_info *bi);

/* Arch hooks: implemented in arch/<a>/bootdom.c */

/*
 * Load kernel (and the guest's own modules) into vm's memory the way this arch's boot protocol
 * says (x86: a Multiboot v1 kernel and its information structure, or a Linux bzImage with its
 * initrd, boot_params and ACPI tables) and fill *boot.
 * Context: boot CPU, vm built but not booted. Returns: 0, or -AXVM_EINVAL for a kernel the
 * loader does not understand (after logging why), or a copy error.
 */
int arch_bootdom_load(struct vm *vm, const struct boot_module *kernel,
                      const struct boot_module *mods, unsigned int nr_mods, const char *cmdline,
                      struct vcpu_boot *boot);

#endif /* HV_BOOTDOM_H */
