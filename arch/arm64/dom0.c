/* SPDX-License-Identifier: MIT */
/*
 * arm64 dom0 (<hv/dom0.h>): an unmodified Linux Image booted with the arm64 boot protocol
 * (x0 = its device tree, MMU off, EL1h), under stage-2 translation.
 *
 * What dom0 sees, gpa == hpa throughout:
 *   - its own RAM, the pieces dom0.c took from the frame allocator;
 *   - every address below DOM0_ADDR_LIMIT that is not RAM (flash, platform devices, PCIe
 *     windows and ECAM, virtio-mmio), as device memory, except:
 *   - the GIC (distributor, ITS, redistributors) and the PL011 the hypervisor keeps: dom0 gets
 *     an emulated GICv3 and PL011 at the same addresses;
 *   - not mapped at all: RAM that is not dom0's (the hypervisor, the other domains' RAM, the
 *     boot modules). Touching it is MMIO to nothing: reads give all-ones.
 * Its device tree is the host's with the memory, CPUs, /chosen and PSCI method rewritten and
 * the hypervisor's nodes left out (guest_fdt.c). Interrupts: every SPI but the console's is
 * handed through to it (vGIC pass-through), since its devices are all the platform's; a domain
 * given one of them (<hostdev type="irq">) takes it from dom0 until it is destroyed
 * (arch/arm64/vgic_owner.c).
 */
#define LOG_TAG "dom0"
#include <hv/dom0.h>
#include <hv/heap.h>
#include <hv/log.h>
#include <hv/page.h>
#include <hv/pagetable.h>
#include <hv/string.h>
#include <hv/vconsole.h>
#include <public/axvm/errno.h>
#include <arm64/arm64.h>
#include <arm64/guest_fdt.h>
#include <arm64/guest.h>
#include <arm64/vgic.h>

#define DOM0_ADDR_LIMIT                                                       \
    GIB(1024) /* MMIO dom0 may reach: QEMU virt's high PCIe window ends below \
               */
#define FDT_BUILD_SIZE KIB(256)
#define UART_SIZE      KIB(4)

/* Everything arch_dom0_build needs that is too big for the stack. */
struct dom0_build {
    struct vm_config cfg;
    struct dom0_ranges mmio;
    struct guest_fdt_params fdt;
    uint8_t tree[FDT_BUILD_SIZE];
};

/* Its RAM as identical regions; all else below DOM0_ADDR_LIMIT but the GIC and UART as MMIO. */
static int plan_regions(const struct dom0_plan *plan, struct dom0_build *b)
{
    const struct arm64_platform *plat = arm64_platform_get();
    const struct boot_info *bi = plan->bi;
    struct dom0_ranges *mmio = &b->mmio;
    int rc = 0;

    mmio->nr = 1;
    mmio->r[0].begin = 0;
    mmio->r[0].end = DOM0_ADDR_LIMIT;
    for (unsigned int i = 0; !rc && i < bi->nr_mem; i++) {
        rc = dom0_ranges_cut(mmio, ALIGN_DOWN(bi->mem[i].base, PAGE_SIZE),
                             ALIGN_UP(bi->mem[i].base + bi->mem[i].size_bytes, PAGE_SIZE));
    }
    /* From the distributor to the last redistributor: the ITS lies between them on virt. */
    if (!rc) {
        rc = dom0_ranges_cut(
            mmio, MIN(plat->gicd_hpa, plat->gicr_hpa),
            MAX(plat->gicd_hpa + plat->gicd_size, plat->gicr_hpa + plat->gicr_size));
    }
    if (!rc && plat->uart_hpa) {
        rc = dom0_ranges_cut(mmio, plat->uart_hpa, plat->uart_hpa + UART_SIZE);
    }
    for (unsigned int i = 0; !rc && i < plan->nr_chunks; i++) {
        rc = dom0_add_region(&b->cfg, plan->chunks[i].base,
                             plan->chunks[i].base + plan->chunks[i].size_bytes, REGION_IDENTICAL);
        b->fdt.ram[i].base = plan->chunks[i].base;
        b->fdt.ram[i].size = plan->chunks[i].size_bytes;
        b->fdt.nr_ram = i + 1;
    }
    for (unsigned int i = 0; !rc && i < mmio->nr; i++) {
        rc = dom0_add_region(&b->cfg, mmio->r[i].begin, mmio->r[i].end, REGION_PASSTHROUGH);
        if (!rc) {
            b->cfg.regions[b->cfg.nr_regions - 1].attr.mem = PT_MEM_DEVICE;
            b->cfg.regions[b->cfg.nr_regions - 1].attr.executable = false;
        }
    }
    if (rc == -AXVM_ENOSPC) {
        log_err("the memory map is too fragmented for dom0's %u regions", ADDRSPACE_MAX_REGIONS);
    }
    return rc;
}

/* The Image and initrd from its first piece of RAM on (arm64_load_image), its tree at the start. */
static int load_kernel(const struct dom0_plan *plan, struct dom0_build *b, struct vm *vm,
                       gpa_t *entry)
{
    const struct dom0_chunk *ram = &plan->chunks[0];
    const struct boot_info *bi = plan->bi;
    size_t tree_size = 0;
    int rc;

    b->fdt.nr_vcpus = plan->nr_vcpus;
    b->fdt.bootargs = plan->cmdline;
    b->fdt.uart_base = AXVM_ARM64_PL011_BASE; /* the emulated one, at the host's address */
    b->fdt.uart_intid = AXVM_ARM64_PL011_INTID;
    rc = arm64_load_image(vm, ram->base, ram->size_bytes, plan->kernel, plan->initrd, &b->fdt,
                          entry);
    if (!rc) {
        rc = dom0_fdt_build(b->tree, sizeof(b->tree), hpa_to_virt(bi->arch.dtb_hpa),
                            bi->arch.dtb_size, &b->fdt, &tree_size);
        if (rc) {
            log_err("dom0's device tree does not fit in %zu KiB (error %d)",
                    sizeof(b->tree) / KIB(1), rc);
        }
    }
    if (!rc) {
        rc = arm64_write_guest(vm, ram->base, b->tree, tree_size);
    }
    if (!rc) {
        log_info("dom0 Image at %#llx, initrd at %#llx, device tree at %#llx (%zu bytes), "
                 "command line \"%s\"",
                 (unsigned long long)*entry, (unsigned long long)b->fdt.initrd_start,
                 (unsigned long long)ram->base, tree_size, plan->cmdline);
    }
    return rc;
}

/* Every SPI of the vGIC but the emulated console's goes to dom0, whose devices they are. */
static int hand_spis(struct vm *vm)
{
    unsigned int n = 0;

    for (unsigned int intid = VGIC_NR_PRIVATE; intid < VGIC_NR_IRQS; intid++) {
        if (intid == AXVM_ARM64_PL011_INTID) {
            continue;
        }
        int rc = vgic_passthrough_spi(vm, intid);

        if (rc) {
            log_err("SPI %u not handed to dom0 (error %d)", intid - VGIC_NR_PRIVATE, rc);
            return rc;
        }
        n++;
    }
    log_info("%u SPIs handed through to dom0", n);
    return 0;
}

int arch_dom0_build(const struct dom0_plan *plan, struct vm **out)
{
    struct dom0_build *b = heap_zalloc(sizeof(*b));
    struct vm *vm = NULL;
    gpa_t entry = 0;
    int rc;

    if (!b) {
        return -AXVM_ENOMEM;
    }
    dom0_config_init(plan, &b->cfg);
    rc = plan_regions(plan, b);
    if (!rc) {
        rc = vm_create(&b->cfg, &vm);
    }
    if (!rc) {
        rc = load_kernel(plan, b, vm, &entry);
    }
    if (!rc) {
        rc = hand_spis(vm);
    }
    if (rc) {
        if (vm) {
            vm_destroy(vm);
        }
        heap_free(b);
        return rc;
    }
    vconsole_set_raw(&vm->console, true);
    vm_set_vcpu_boot(vm, &(struct vcpu_boot){entry, {plan->chunks[0].base, 0, 0, 0, 0, 0}});
    *out = vm;
    heap_free(b);
    return 0;
}
