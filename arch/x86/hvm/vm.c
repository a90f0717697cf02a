/* SPDX-License-Identifier: MIT */
/*
 * The x86 side of the VM hooks of <hv/vm.h>: the guest TSC offset, the platform devices every
 * x86 guest has (its local APIC page, its power registers unless it is dom0, and the UART,
 * debug-exit port and test device it asked for), and the vendor's VM state.
 */
#define LOG_TAG "vm"
#include <hv/devices.h>
#include <hv/heap.h>
#include <public/axvm/errno.h>
#include <public/axvm/testdev.h>
#include <x86/acpi_pm.h>
#include <x86/hvm.h>

#define COM1_PORT 0x3f8

/* The xAPIC page: each vCPU reaches its own local APIC there. */
static int lapic_read(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                      uint64_t *value)
{
    if (vlapic_mmio_base(&v->arch.vlapic) != dev->base) {
        *value = UINT64_MAX; /* disabled, or in x2APIC mode: nothing answers here */
        return 0;
    }
    return vlapic_mmio_read(&v->arch.vlapic, offset, width, value);
}

static int lapic_write(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                       uint64_t value)
{
    if (vlapic_mmio_base(&v->arch.vlapic) != dev->base) {
        return 0;
    }
    return vlapic_mmio_write(&v->arch.vlapic, offset, width, value);
}

static void lapic_destroy(struct device *dev)
{
    heap_free(dev);
}

static const struct device_ops lapic_ops = {
    .read = lapic_read,
    .write = lapic_write,
    .destroy = lapic_destroy,
};

static int lapic_page_create(struct vm *vm)
{
    struct device *dev = heap_zalloc(sizeof(*dev));

    if (!dev) {
        return -AXVM_ENOMEM;
    }
    *dev = (struct device){"lapic", DEV_SPACE_MMIO, VLAPIC_DEFAULT_BASE, PAGE_SIZE, &lapic_ops};
    return devbus_attach(&vm->devices, dev);
}

int arch_vm_create(struct vm *vm)
{
    const struct hvm_ops *hvm = hvm_get_ops();

    if (!hvm) {
        return -AXVM_EOPNOTSUPP;
    }
    vm->arch.tsc_offset = (uint64_t)0 - rdtsc();
    return hvm->vm_create(vm);
}

void arch_vm_destroy(struct vm *vm)
{
    hvm_get_ops()->vm_destroy(vm);
}

int arch_vm_add_devices(struct vm *vm)
{
    uint32_t want = vm->config.devices;
    int rc = lapic_page_create(vm);

    if (!rc && (want & VM_DEV_UART)) {
        rc = uart16550_create(vm, DEV_SPACE_PIO, COM1_PORT);
    }
    if (!rc && (want & VM_DEV_DEBUG_EXIT)) {
        rc = debugexit_create(vm, AXVM_DEBUG_EXIT_PORT);
    }
    if (!rc && (want & VM_DEV_TESTDEV)) {
        rc = testdev_create(vm, AXVM_TESTDEV_X86_GPA);
    }
    /* Every domU can power off and reboot (docs/platform-x86.md); dom0 owns the real ones. */
    if (!rc && vm->id != 0) {
        rc = acpi_pm_create(vm);
    }
    return rc;
}

int arch_vm_passthrough_pio(struct vm *vm, uint64_t base, uint64_t size)
{
    return hvm_get_ops()->vm_passthrough_pio(vm, base, size);
}
