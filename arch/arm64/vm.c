/* SPDX-License-Identifier: MIT */
/*
 * The arm64 side of the VM hooks (<hv/vm.h>, <hv/bootdom.h>): a VMID per VM (its stage-2 TLB
 * entries are flushed on every CPU when it is given back), the virtual counter's offset, the
 * devices every arm64 guest has at QEMU virt's addresses (the vGIC, and the PL011, test device
 * and debug-exit device it asked for), physical interrupts handed to it, and the loading of
 * boot-time domains as arm64 Linux Images with a generated device tree.
 */
#define LOG_TAG "vm"
#include <hv/bootdom.h>
#include <hv/devices.h>
#include <hv/heap.h>
#include <hv/log.h>
#include <hv/page.h>
#include <hv/pagetable.h>
#include <hv/string.h>
#include <hv/vcpu.h>
#include <hv/vm.h>
#include <public/axvm/errno.h>
#include <public/axvm/testdev.h>
#include <arm64/arm64.h>
#include <arm64/guest.h>
#include <arm64/guest_fdt.h>
#include <arm64/image.h>
#include <arm64/sysreg.h>
#include <arm64/vgic.h>

#define NR_VMIDS 256 /* 8-bit VMIDs: every CPU has them */

static spinlock_t vmid_lock = SPINLOCK_INIT;
static uint64_t vmid_used[NR_VMIDS / 64] = {1}; /* VMID 0 is never a guest's */

static int vmid_alloc(uint16_t *out)
{
    unsigned long flags = spin_lock_irqsave(&vmid_lock);
    int rc = -AXVM_ENOSPC;

    for (unsigned int i = 1; i < NR_VMIDS; i++) {
        if (!(vmid_used[i / 64] & (1ull << (i % 64)))) {
            vmid_used[i / 64] |= 1ull << (i % 64);
            *out = (uint16_t)i;
            rc = 0;
            break;
        }
    }
    spin_unlock_irqrestore(&vmid_lock, flags);
    return rc;
}

/* Forget every translation tagged with vmid, on every CPU (broadcast TLBI). */
static void vmid_flush(uint16_t vmid)
{
    unsigned long flags = local_irq_save();
    uint64_t old = read_sysreg(vttbr_el2);

    /* The table writes before the TLBI, so no walk refills an entry from the old ones. */
    __asm__ volatile("dsb ishst" ::: "memory");
    write_sysreg(vttbr_el2, (uint64_t)vmid << 48);
    isb();
    __asm__ volatile("tlbi vmalls12e1is\n\tdsb ish\n\tisb" ::: "memory");
    write_sysreg(vttbr_el2, old);
    isb();
    local_irq_restore(flags);
}

static void vmid_free(uint16_t vmid)
{
    unsigned long flags;

    vmid_flush(vmid); /* before anyone else may get it */
    flags = spin_lock_irqsave(&vmid_lock);
    vmid_used[vmid / 64] &= ~(1ull << (vmid % 64));
    spin_unlock_irqrestore(&vmid_lock, flags);
}

int arch_vm_create(struct vm *vm)
{
    int rc = vmid_alloc(&vm->arch.vmid);

    if (rc) {
        log_err("d%u (%s): no free VMID (%u VMs at most)", vm->id, vm->name, NR_VMIDS - 1);
        return rc;
    }
    vmid_flush(vm->arch.vmid);
    vm->arch.cntvoff = read_sysreg(cntpct_el0); /* its virtual counter starts at 0 */
    spin_lock_init(&vm->arch.power_lock);
    for (unsigned int i = 0; i < CONFIG_NR_CPUS; i++) {
        vm->arch.last_vcpu[i] = -1;
    }
    return 0;
}

void arch_vm_destroy(struct vm *vm)
{
    vmid_free(vm->arch.vmid);
}

/*
 * TLBI VMALLS12E1IS is broadcast to every CPU in the inner-shareable domain, and the DSB ISH
 * after it completes only once they all have done it (Arm ARM, TLB maintenance instructions):
 * no vCPU of vm needs to be kicked out of its guest.
 */
void arch_vm_flush_tlbs(struct vm *vm)
{
    vmid_flush(vm->arch.vmid);
}

/* The PL011's interrupt output drives SPI AXVM_ARM64_PL011_INTID. Context: the UART's lock held. */
static void uart_set_irq(void *ctx, bool level)
{
    vgic_set_irq(ctx, NULL, AXVM_ARM64_PL011_INTID, level);
}

int arch_vm_add_devices(struct vm *vm)
{
    int rc = vgic_vm_init(vm);

    if (!rc && (vm->config.devices & VM_DEV_UART)) {
        rc = pl011_create(vm, AXVM_ARM64_PL011_BASE, uart_set_irq, vm);
    }
    if (!rc && (vm->config.devices & VM_DEV_TESTDEV)) {
        rc = testdev_create(vm, AXVM_TESTDEV_ARM64_GPA);
    }
    if (!rc && (vm->config.devices & VM_DEV_DEBUG_EXIT)) {
        rc = debugexit_create(vm, DEV_SPACE_MMIO, AXVM_DEBUG_EXIT_ARM64_GPA);
    }
    return rc;
}

int arch_vm_add_uart(struct vm *vm, enum vm_device model, enum dev_space space, uint64_t base,
                     unsigned int irq)
{
    if (model != VM_DEVICE_PL011) {
        return -AXVM_EOPNOTSUPP; /* QEMU's virt board has PL011s */
    }
    if (space != DEV_SPACE_MMIO || (irq && irq != AXVM_ARM64_PL011_INTID)) {
        return -AXVM_EINVAL; /* one PL011 line is wired: SPI 1 */
    }
    return pl011_create(vm, base, uart_set_irq, vm);
}

int arch_vm_passthrough_pio(struct vm *vm, uint64_t base, uint64_t size)
{
    (void)vm;
    (void)base;
    (void)size;
    return -AXVM_EOPNOTSUPP; /* arm64 has no port I/O */
}

int arch_vm_passthrough_irq(struct vm *vm, unsigned int gsi)
{
    return vgic_passthrough_spi(vm, gsi);
}

/* ---------------------------------------------------------------------------------------- */
/* Boot-time domains: arm64 Linux Images (Documentation/arm64/booting.rst) */

/* The guest starts with its MMU and caches off: what we wrote must reach memory. */
static void clean_to_poc(struct vm *vm, gpa_t gpa, size_t len)
{
    for (size_t off = 0; off < len;) {
        size_t n = MIN(len - off, PAGE_SIZE - ((gpa + off) & (PAGE_SIZE - 1)));
        struct pt_attr attr;
        hpa_t hpa;

        if (pagetable_lookup(&vm->as.pt, gpa + off, &hpa, &attr)) {
            dcache_clean_range(hpa_to_virt(hpa), n);
        }
        off += n;
    }
}

int arm64_write_guest(struct vm *vm, gpa_t gpa, const void *src, size_t len)
{
    int rc = vm_write_guest(vm, gpa, src, len);

    if (!rc) {
        clean_to_poc(vm, gpa, len);
    }
    return rc;
}

int arm64_load_image(struct vm *vm, gpa_t ram, uint64_t ram_size, const struct boot_module *kernel,
                     const struct boot_module *initrd, struct guest_fdt_params *p, gpa_t *entry)
{
    size_t ksize = (size_t)(kernel->end - kernel->start);
    size_t isize = initrd ? (size_t)(initrd->end - initrd->start) : 0;
    struct arm64_image img;
    struct arm64_layout at;
    const char *why = "";
    int rc;

    if (arm64_image_parse(hpa_to_virt(kernel->start), ksize, &img, &why)) {
        log_err("d%u (%s): the kernel is not an arm64 Image: %s", vm->id, vm->name, why);
        return -AXVM_EINVAL;
    }
    if (arm64_image_layout(&img, ram, ram_size, isize, &at, &why)) {
        log_err("d%u (%s): its Image (%llu KiB in RAM) and initrd (%zu KiB) in the %llu KiB of "
                "RAM from 0x%llx: %s",
                vm->id, vm->name, (unsigned long long)(img.image_size / KIB(1)), isize / KIB(1),
                (unsigned long long)(ram_size / KIB(1)), (unsigned long long)ram, why);
        return -AXVM_EINVAL;
    }
    rc = arm64_write_guest(vm, at.kernel, hpa_to_virt(kernel->start), ksize);
    if (!rc && initrd) {
        rc = arm64_write_guest(vm, at.initrd, hpa_to_virt(initrd->start), isize);
        p->initrd_start = at.initrd;
        p->initrd_end = at.initrd + isize;
    }
    *entry = at.kernel;
    return rc;
}

int arch_bootdom_load(struct vm *vm, const struct boot_module *kernel,
                      const struct boot_module *mods, unsigned int nr_mods, const char *cmdline,
                      struct vcpu_boot *boot)
{
    const struct vm_region_config *ram = &vm->config.regions[0];
    struct guest_fdt_params p = {.ram = {{ram->gpa, ram->size_bytes}},
                                 .nr_ram = 1,
                                 .nr_vcpus = vm->nr_vcpus,
                                 .bootargs = cmdline};
    size_t fdt_size = 0;
    gpa_t entry = 0;
    void *fdt;
    int rc;

    if (vm->config.devices & VM_DEV_UART) {
        p.uart_base = AXVM_ARM64_PL011_BASE;
        p.uart_intid = AXVM_ARM64_PL011_INTID;
    }
    /* the first of its own modules is its initrd */
    rc = arm64_load_image(vm, ram->gpa, ram->size_bytes, kernel, nr_mods ? &mods[0] : NULL, &p,
                          &entry);
    if (rc == -AXVM_EINVAL) {
        return rc; /* said why */
    }
    fdt = rc ? NULL : heap_zalloc(GUEST_FDT_MAX);
    if (!rc && !fdt) {
        rc = -AXVM_ENOMEM;
    }
    if (!rc) {
        rc = guest_fdt_build(fdt, GUEST_FDT_MAX, &p, &fdt_size);
        rc = rc ? rc : arm64_write_guest(vm, ram->gpa, fdt, fdt_size);
    }
    heap_free(fdt);
    if (rc) {
        log_err("d%u (%s): loading its Image and device tree failed (error %d)", vm->id, vm->name,
                rc);
        return rc;
    }
    *boot = (struct vcpu_boot){entry, {ram->gpa, 0, 0, 0, 0, 0}};
    return 0;
}
