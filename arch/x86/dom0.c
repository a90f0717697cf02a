/* SPDX-License-Identifier: MIT */
/*
 * x86 dom0 (<hv/dom0.h>): an unmodified Linux bzImage booted with the 32-bit boot protocol
 * (x86/bzimage.h) under SVM with nested paging.
 *
 * What dom0 sees, gpa == hpa throughout:
 *   - the low 1 MiB (real-mode memory, BIOS data and ROMs, the ACPI RSDP), as RAM;
 *   - its own RAM, the pieces dom0.c took from the frame allocator;
 *   - every address that is not usable RAM in the boot loader's map (ACPI tables, firmware,
 *     PCI and platform MMIO such as the HPET), as device memory;
 *   - not mapped at all: usable RAM that is not dom0's (the hypervisor, its heap, the RAM kept
 *     for other domains, the boot modules), and the local APIC and I/O APIC pages, which are
 *     emulated. Touching an unmapped address is MMIO to nothing: reads give all-ones.
 * Its e820 map is the host's with the usable RAM that is not dom0's turned reserved, so Linux
 * neither uses it nor mistakes the hole for free address space.
 * I/O ports: all of them go straight to the hardware except COM1 (the hypervisor's console;
 * dom0 gets an emulated 16550 there) and the 8259 PIC (the hypervisor masked it; dom0 finds
 * an emulated one). Interrupts: dom0 programs an emulated I/O APIC at the usual address; the
 * pins it unmasks are mirrored onto the physical I/O APIC with the hypervisor's vectors, and
 * their interrupts delivered to it (x86/ioapic.h), except pins the hypervisor or a domU holds.
 * The CPUs: dom0's vCPUs have local APICs emulated by the hypervisor, so
 * an INIT or SIPI it sends reaches only its own vCPUs, never a physical CPU; "nr_cpus=" is
 * added to its command line so Linux does not wait for CPUs it cannot start.
 */
#define LOG_TAG "dom0"
#include <x86/bzimage.h>
#include <hv/dom0.h>
#include <hv/fmt.h>
#include <hv/heap.h>
#include <hv/log.h>
#include <hv/page.h>
#include <hv/string.h>
#include <hv/vconsole.h>
#include <public/axvm/errno.h>
#include <x86/ioapic.h>

#define LOW_MEM_END     MIB(1)
#define LAPIC_PAGE      0xfee00000ULL
#define IOAPIC_PAGE     0xfec00000ULL
#define DOM0_ADDR_LIMIT GIB(512) /* MMIO dom0 may reach: far above anything QEMU places */
#define DOM0_ZERO_PAGE  0x7000u  /* in the low RAM dom0 owns */
#define DOM0_CMDLINE    0x20000u
#define COM1_FIRST      0x3f8u
#define COM1_LAST       0x3ffu
#define COM1_IRQ        4u
#define PIC_MASTER      0x20u
#define PIC_SLAVE       0xa0u
#define PIC_ELCR        0x4d0u
#define BOOT_ARG_ESI    4 /* struct vcpu_boot.args: EAX, EBX, ECX, EDX, ESI, EDI */

/* I/O ports dom0 reaches directly: everything but COM1 and the two PICs with their ELCR. */
static const struct {
    uint64_t first;
    uint64_t last;
} dom0_ports[] = {
    {0x0, PIC_MASTER - 1},         {PIC_MASTER + 2, PIC_SLAVE - 1}, {PIC_SLAVE + 2, COM1_FIRST - 1},
    {COM1_LAST + 1, PIC_ELCR - 1}, {PIC_ELCR + 2, 0xffff},
};

/*
 * dom0's guest-physical map: its RAM as identical regions, and everything below
 * DOM0_ADDR_LIMIT that is not usable RAM, less the emulated APIC pages, as pass-through.
 */
static int plan_regions(const struct dom0_plan *plan, struct vm_config *cfg)
{
    const struct boot_info *bi = plan->bi;
    struct dom0_ranges *mmio = heap_zalloc(sizeof(*mmio));
    int rc = 0;

    if (!mmio) {
        return -AXVM_ENOMEM;
    }
    mmio->nr = 1;
    mmio->r[0].begin = LOW_MEM_END;
    mmio->r[0].end = DOM0_ADDR_LIMIT;
    for (unsigned int i = 0; !rc && i < bi->nr_mem; i++) {
        const struct mem_range *m = &bi->mem[i];

        if (m->type == MEM_USABLE) {
            rc = dom0_ranges_cut(mmio, ALIGN_DOWN(m->base, PAGE_SIZE),
                                 ALIGN_UP(m->base + m->size_bytes, PAGE_SIZE));
        }
    }
    if (!rc) {
        rc = dom0_ranges_cut(mmio, IOAPIC_PAGE, IOAPIC_PAGE + PAGE_SIZE);
    }
    if (!rc) {
        rc = dom0_ranges_cut(mmio, LAPIC_PAGE, LAPIC_PAGE + PAGE_SIZE);
    }
    if (!rc) {
        rc = dom0_add_region(cfg, 0, LOW_MEM_END, REGION_IDENTICAL);
    }
    for (unsigned int i = 0; !rc && i < plan->nr_chunks; i++) {
        rc = dom0_add_region(cfg, plan->chunks[i].base,
                             plan->chunks[i].base + plan->chunks[i].size_bytes, REGION_IDENTICAL);
    }
    for (unsigned int i = 0; !rc && i < mmio->nr; i++) {
        rc = dom0_add_region(cfg, mmio->r[i].begin, mmio->r[i].end, REGION_PASSTHROUGH);
    }
    heap_free(mmio);
    if (rc == -AXVM_ENOSPC) {
        log_err("the memory map is too fragmented for dom0's %u regions", ADDRSPACE_MAX_REGIONS);
    }
    return rc;
}

static bool add_e820(struct bzimage_e820 *map, unsigned int *nr, uint64_t begin, uint64_t end,
                     uint32_t type)
{
    if (begin >= end) {
        return true;
    }
    if (*nr && map[*nr - 1].type == type && map[*nr - 1].addr + map[*nr - 1].size == begin) {
        map[*nr - 1].size += end - begin;
        return true;
    }
    if (*nr == BZIMAGE_E820_MAX) {
        return false;
    }
    map[(*nr)++] = (struct bzimage_e820){begin, end - begin, type};
    return true;
}

/* Split a usable range of the host into dom0's RAM (low 1 MiB, its chunks) and reserved. */
static bool add_usable(const struct dom0_plan *plan, struct bzimage_e820 *map, unsigned int *nr,
                       uint64_t begin, uint64_t end)
{
    uint64_t at = begin;

    if (at < LOW_MEM_END) {
        uint64_t low_end = MIN(end, (uint64_t)LOW_MEM_END);

        if (!add_e820(map, nr, at, low_end, BZIMAGE_E820_RAM)) {
            return false;
        }
        at = low_end;
    }
    for (unsigned int i = 0; i < plan->nr_chunks && at < end; i++) {
        uint64_t cb = MAX(plan->chunks[i].base, at);
        uint64_t ce = MIN(plan->chunks[i].base + plan->chunks[i].size_bytes, end);

        if (cb >= ce) {
            continue;
        }
        if (!add_e820(map, nr, at, cb, BZIMAGE_E820_RESERVED) ||
            !add_e820(map, nr, cb, ce, BZIMAGE_E820_RAM)) {
            return false;
        }
        at = ce;
    }
    return add_e820(map, nr, at, end, BZIMAGE_E820_RESERVED);
}

/* The host's map with the usable RAM that is not dom0's turned reserved. */
static int plan_e820(const struct dom0_plan *plan, struct bzimage_e820 *map, unsigned int *nr)
{
    const struct boot_info *bi = plan->bi;
    bool ok = true;

    *nr = 0;
    for (unsigned int i = 0; ok && i < bi->nr_mem; i++) {
        const struct mem_range *m = &bi->mem[i];
        uint64_t end = m->base + m->size_bytes;

        if (m->type == MEM_USABLE) {
            ok = add_usable(plan, map, nr, m->base, end);
        } else {
            ok = add_e820(map, nr, m->base, end, (uint32_t)m->type);
        }
    }
    if (!ok) {
        log_err("dom0's memory map needs more than %u entries", BZIMAGE_E820_MAX);
        return -AXVM_ENOSPC;
    }
    return 0;
}

/* The module's string, plus "nr_cpus=" unless it has one. */
static int make_cmdline(const struct dom0_plan *plan, char *buf, size_t size)
{
    size_t n = (size_t)fmt_snprintf(buf, size, "%s", plan->cmdline);

    if (!bzimage_cmdline_has(plan->cmdline, "nr_cpus=")) {
        n = (size_t)fmt_snprintf(buf, size, "%s%snr_cpus=%u", plan->cmdline,
                                 plan->cmdline[0] ? " " : "", plan->nr_vcpus);
    }
    if (n >= size) {
        log_err("dom0's command line is longer than %zu bytes", size - 1);
        return -AXVM_EINVAL;
    }
    return 0;
}

static int write_dom0(void *ctx, uint64_t gpa, const void *src, size_t len)
{
    return vm_write_guest(ctx, gpa, src, len);
}

/* The common dom0, and the legacy PC ports it drives itself. */
static void fill_config(const struct dom0_plan *plan, struct vm_config *cfg)
{
    dom0_config_init(plan, cfg);
    for (size_t i = 0; i < ARRAY_SIZE(dom0_ports); i++) {
        cfg->passthrough[cfg->nr_passthrough++] = (struct vm_passthrough_config){
            DEV_SPACE_PIO, dom0_ports[i].first, dom0_ports[i].last - dom0_ports[i].first + 1};
    }
}

/* Everything arch_dom0_build needs that is too big for the stack. */
struct dom0_build {
    struct vm_config cfg;
    struct bzimage_e820 e820[BZIMAGE_E820_MAX];
    struct bzimage_plan boot;
    char cmdline[DOM0_CMDLINE_MAX];
};

static int load_kernel(const struct dom0_plan *plan, struct dom0_build *b, unsigned int nr_e820,
                       struct vm *vm)
{
    const struct boot_module *k = plan->kernel, *rd = plan->initrd;
    struct bzimage_guest g = {
        .kernel = hpa_to_virt(k->start),
        .kernel_size = (size_t)(k->end - k->start),
        .e820 = b->e820,
        .nr_e820 = nr_e820,
        .zero_page_gpa = DOM0_ZERO_PAGE,
        .cmdline_gpa = DOM0_CMDLINE,
        .cmdline_len = strlen(b->cmdline),
        .initrd_size = rd ? rd->end - rd->start : 0,
        .acpi_rsdp_gpa = 0, /* Linux finds it in the BIOS area it sees */
    };
    const char *why = "";
    int rc = bzimage_plan_boot(&g, &b->boot, &why);

    if (!rc) {
        rc = bzimage_load(&b->boot, g.kernel, b->cmdline, rd ? hpa_to_virt(rd->start) : NULL,
                          write_dom0, vm, &why);
    }
    if (rc) {
        log_err("dom0's kernel: %s", why);
        return rc;
    }
    log_info("dom0 kernel at %#llx (runs %#llx-%#llx), initrd at %#llx, command line \"%s\"",
             (unsigned long long)b->boot.kernel_gpa, (unsigned long long)b->boot.runtime_start,
             (unsigned long long)b->boot.runtime_end, (unsigned long long)b->boot.initrd_gpa,
             b->cmdline);
    return 0;
}

int arch_dom0_build(const struct dom0_plan *plan, struct vm **out)
{
    struct dom0_build *b = heap_zalloc(sizeof(*b));
    struct bzimage_header h;
    const char *why = "";
    unsigned int nr_e820 = 0;
    struct vm *vm = NULL;
    int rc;

    if (!b) {
        return -AXVM_ENOMEM;
    }
    rc = bzimage_parse(hpa_to_virt(plan->kernel->start),
                       (size_t)(plan->kernel->end - plan->kernel->start), &h, &why);
    if (rc) {
        log_err("dom0's kernel (module 0) is not a Linux bzImage: %s", why);
        goto out;
    }
    fill_config(plan, &b->cfg);
    rc = plan_regions(plan, &b->cfg);
    if (!rc) {
        rc = plan_e820(plan, b->e820, &nr_e820);
    }
    if (!rc) {
        rc = make_cmdline(plan, b->cmdline, sizeof(b->cmdline));
    }
    if (!rc) {
        rc = vm_create(&b->cfg, &vm);
    }
    if (!rc) {
        rc = load_kernel(plan, b, nr_e820, vm);
    }
    if (!rc) {
        /* COM1's interrupt is the hypervisor's; dom0's COM1 is the emulated one. */
        ioapic_reserve_gsi(ioapic_isa_to_gsi(COM1_IRQ));
        rc = ioapic_dom0_attach(vm);
    }
    if (rc) {
        if (vm) {
            vm_destroy(vm);
        }
        goto out;
    }
    vconsole_set_raw(&vm->console, true);
    vm_set_vcpu_boot(vm, &(struct vcpu_boot){b->boot.entry, {[BOOT_ARG_ESI] = b->boot.esi}});
    *out = vm;
out:
    heap_free(b);
    return rc;
}
