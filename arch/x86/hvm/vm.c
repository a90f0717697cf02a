/* SPDX-License-Identifier: MIT */
/*
 * The x86 side of the VM hooks of <hv/vm.h>: the guest TSC offset, the platform devices every
 * x86 guest has (its local APIC page, I/O APIC and 8259 PICs, its power registers unless it is
 * dom0, and the UART, debug-exit port and test device it asked for), physical interrupts handed
 * to it, and the vendor's VM state.
 */
#define LOG_TAG "vm"
#include <hv/devices.h>
#include <hv/dom0.h>
#include <hv/heap.h>
#include <public/axvm/errno.h>
#include <public/axvm/testdev.h>
#include <x86/acpi_pm.h>
#include <x86/hvm.h>
#include <x86/ioapic.h>
#include <x86/vpic.h>

#define COM1_PORT 0x3f8
#define COM1_PIN  4 /* ISA IRQ 4, on I/O APIC pin 4 as on PCs */

_Static_assert(VM_MAX_VCPUS <= VIOAPIC_MAX_LAPICS, "the I/O APIC reaches every vCPU");

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

/* The I/O APIC window; the model itself lives in vm->arch, as the vCPUs' EOIs reach it. */
struct vioapic_window {
    struct device dev;
    struct vm *vm;
};

static struct vioapic *vioapic_of(struct device *dev)
{
    return &container_of(dev, struct vioapic_window, dev)->vm->arch.vioapic;
}

static int vioapic_window_read(struct device *dev, struct vcpu *v, uint64_t offset,
                               unsigned int width, uint64_t *value)
{
    (void)v;
    return vioapic_mmio_read(vioapic_of(dev), offset, width, value);
}

static int vioapic_window_write(struct device *dev, struct vcpu *v, uint64_t offset,
                                unsigned int width, uint64_t value)
{
    (void)v;
    return vioapic_mmio_write(vioapic_of(dev), offset, width, value);
}

/*
 * The bus destroys devices before the vCPUs are freed: physical interrupts and messages to
 * the vCPUs stop here.
 */
static void vioapic_window_destroy(struct device *dev)
{
    struct vioapic_window *w = container_of(dev, struct vioapic_window, dev);

    ioapic_release_vm(w->vm);
    vioapic_detach(&w->vm->arch.vioapic);
    heap_free(w);
}

static const struct device_ops vioapic_ops = {
    .read = vioapic_window_read,
    .write = vioapic_window_write,
    .destroy = vioapic_window_destroy,
};

static int vioapic_create(struct vm *vm)
{
    struct vlapic *lapics[VM_MAX_VCPUS];
    struct vioapic_window *w = heap_zalloc(sizeof(*w));

    if (!w) {
        return -AXVM_ENOMEM;
    }
    for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
        lapics[i] = &vm->vcpus[i]->arch.vlapic;
    }
    vioapic_init(&vm->arch.vioapic, vm->id, lapics, vm->nr_vcpus);
    w->dev = (struct device){"ioapic", DEV_SPACE_MMIO, VIOAPIC_BASE, VIOAPIC_SIZE, &vioapic_ops};
    w->vm = vm;
    return devbus_attach(&vm->devices, &w->dev);
}

/* COM1's interrupt output. Context: the UART's lock held. */
static void com1_set_irq(void *ctx, bool level)
{
    struct vm *vm = ctx;

    vioapic_set_irq(&vm->arch.vioapic, COM1_PIN, level);
}

/* A UART's interrupt output when it is not COM1's fixed one. Context: the UART's lock held. */
static void uart_set_irq(void *ctx, bool level)
{
    const struct arch_uart_irq *u = ctx;

    vioapic_set_irq(&u->vm->arch.vioapic, u->pin, level);
}

/* The PC's usual lines: COM1 and COM3 on IRQ 4, COM2 and COM4 on IRQ 3; else none. */
static unsigned int default_uart_irq(enum dev_space space, uint64_t base)
{
    if (space != DEV_SPACE_PIO) {
        return 0;
    }
    switch (base) {
    case 0x3f8:
    case 0x3e8:
        return 4;
    case 0x2f8:
    case 0x2e8:
        return 3;
    default:
        return 0;
    }
}

int arch_vm_add_uart(struct vm *vm, enum vm_device model, enum dev_space space, uint64_t base,
                     unsigned int irq)
{
    struct arch_uart_irq *u;

    if (model != VM_DEVICE_UART16550) {
        return -AXVM_EOPNOTSUPP; /* a PC has 16550s */
    }
    irq = irq ? irq : default_uart_irq(space, base);
    if (!irq) {
        return uart16550_create(vm, space, base);
    }
    if (irq >= VIOAPIC_NR_PINS) {
        return -AXVM_EINVAL;
    }
    if (vm->arch.nr_uart_irqs == ARRAY_SIZE(vm->arch.uart_irqs)) {
        return -AXVM_ENOSPC;
    }
    u = &vm->arch.uart_irqs[vm->arch.nr_uart_irqs];
    *u = (struct arch_uart_irq){vm, irq};
    vm->arch.nr_uart_irqs++;
    return uart16550_create_irq(vm, space, base, uart_set_irq, u);
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
    struct vm *dom0 = dom0_get();

    for (unsigned int i = 0; dom0 && dom0 != vm && i < vm->arch.nr_pio_taken; i++) {
        hvm_get_ops()->vm_passthrough_pio(dom0, vm->arch.pio_taken[i].base,
                                          vm->arch.pio_taken[i].size);
    }
    hvm_get_ops()->vm_destroy(vm);
}

void arch_vm_flush_tlbs(struct vm *vm)
{
    hvm_get_ops()->vm_flush_tlbs(vm);
}

int arch_vm_add_devices(struct vm *vm)
{
    uint32_t want = vm->config.devices;
    int rc = lapic_page_create(vm);

    /* The I/O APIC first: the bus destroys in reverse, so it outlives its interrupt sources. */
    if (!rc) {
        rc = vioapic_create(vm);
    }
    if (!rc) {
        rc = vpic_create(&vm->devices);
    }
    if (!rc && (want & VM_DEV_UART)) {
        rc = uart16550_create_irq(vm, DEV_SPACE_PIO, COM1_PORT, com1_set_irq, vm);
    }
    if (!rc && (want & VM_DEV_DEBUG_EXIT)) {
        rc = debugexit_create(vm, DEV_SPACE_PIO, AXVM_DEBUG_EXIT_PORT);
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

/*
 * With dom0 running, the ports a domain is given are dom0's: taken from dom0 for as long as
 * the domain exists (dom0 then reads all-ones there and its writes vanish), given back by
 * arch_vm_destroy(). Ports dom0 does not hold (the hypervisor's COM1, the PICs, those another
 * domain has) cannot be handed on. Context: domctl_lock held, or the boot CPU at boot.
 */
int arch_vm_passthrough_pio(struct vm *vm, uint64_t base, uint64_t size)
{
    const struct hvm_ops *hvm = hvm_get_ops();
    struct vm *dom0 = dom0_get();
    int rc;

    if (!dom0 || dom0 == vm) {
        return hvm->vm_passthrough_pio(vm, base, size);
    }
    if (size == 0 || base + size > 0x10000u) {
        return -AXVM_EINVAL;
    }
    if (vm->arch.nr_pio_taken == ARRAY_SIZE(vm->arch.pio_taken)) {
        return -AXVM_ENOSPC;
    }
    if (!hvm->vm_holds_pio(dom0, base, size)) {
        return -AXVM_EBUSY;
    }
    rc = hvm->vm_passthrough_pio(vm, base, size);
    if (rc) {
        return rc;
    }
    hvm->vm_revoke_pio(dom0, base, size);
    vm->arch.pio_taken[vm->arch.nr_pio_taken].base = (uint16_t)base;
    vm->arch.pio_taken[vm->arch.nr_pio_taken].size = (uint32_t)size;
    vm->arch.nr_pio_taken++;
    return 0;
}

int arch_vm_passthrough_irq(struct vm *vm, unsigned int gsi)
{
    return ioapic_route_gsi(gsi, vm, gsi);
}
