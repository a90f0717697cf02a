/* SPDX-License-Identifier: MIT */
/*
 * The power registers of an x86 domU: the HW-reduced ACPI sleep control and status registers
 * and the reset register its FADT points at (ACPI 6.0 §4.8.3.7, §4.8.3.6), and the keyboard
 * controller's reset command (port 0x64, 0xfe), which Linux's reboot=k and its fallback
 * restart path use. A guest's power-off or reboot request becomes vm_shutdown(); the toolstack
 * or the boot-time domain code decides what follows (on_poweroff / on_reboot).
 */
#define LOG_TAG "acpi_pm"
#include <hv/heap.h>
#include <hv/log.h>
#include <public/axvm/errno.h>
#include <public/axvm/hypercall.h>
#include <public/axvm/platform_x86.h>
#include <x86/acpi_pm.h>

struct acpi_pm {
    struct device dev;
    struct vm *vm;
};

static struct vm *vm_of(struct device *dev)
{
    return container_of(dev, struct acpi_pm, dev)->vm;
}

/* Sleep status reads 0: a domain never wakes from a sleep state, so WAK_STS is never set. */
static int pm_read(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                   uint64_t *value)
{
    (void)dev;
    (void)v;
    (void)offset;
    (void)width;
    *value = 0;
    return 0;
}

static void sleep_control_write(struct vm *vm, struct vcpu *v, uint8_t value)
{
    unsigned int slp_typ = (value & AXVM_X86_SLP_TYP_MASK) >> AXVM_X86_SLP_TYP_SHIFT;

    if (!(value & AXVM_X86_SLP_EN)) {
        return;
    }
    if (slp_typ == AXVM_X86_SLP_TYP_S5) {
        log_guest(INFO, vm->id, v->id, "ACPI S5: powering off");
        vm_shutdown(vm, AXVM_SHUTDOWN_POWEROFF, 0);
        return;
    }
    /* The DSDT offers no other sleep state; a request for one is refused by doing nothing. */
    log_guest(WARN, vm->id, v->id, "ACPI sleep type %u is not supported; ignored", slp_typ);
}

/* Only byte accesses to each register count (the FADT's GAS say one byte, byte access). */
static int pm_write(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                    uint64_t value)
{
    struct vm *vm = vm_of(dev);
    uint16_t port = (uint16_t)(dev->base + offset);

    if (width != 1) {
        return 0;
    }
    if (port == AXVM_X86_SLEEP_CONTROL_PORT) {
        sleep_control_write(vm, v, (uint8_t)value);
    } else if (port == AXVM_X86_RESET_PORT && value == AXVM_X86_RESET_VALUE) {
        log_guest(INFO, vm->id, v->id, "ACPI reset register: rebooting");
        vm_shutdown(vm, AXVM_SHUTDOWN_REBOOT, 0);
    }
    return 0; /* writes to sleep status (clearing WAK_STS) change nothing */
}

/* The i8042 status reads 0: nothing to read, ready for a command (Linux waits for bit 1 = 0). */
static int i8042_write(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                       uint64_t value)
{
    struct vm *vm = vm_of(dev);

    (void)offset;
    if (width == 1 && value == AXVM_X86_I8042_RESET) {
        log_guest(INFO, vm->id, v->id, "keyboard controller reset: rebooting");
        vm_shutdown(vm, AXVM_SHUTDOWN_REBOOT, 0);
    }
    return 0;
}

static void pm_destroy(struct device *dev)
{
    heap_free(container_of(dev, struct acpi_pm, dev));
}

static const struct device_ops pm_ops = {
    .read = pm_read,
    .write = pm_write,
    .destroy = pm_destroy,
};

static const struct device_ops i8042_ops = {
    .read = pm_read,
    .write = i8042_write,
    .destroy = pm_destroy,
};

static int attach(struct vm *vm, const char *name, uint64_t port, uint64_t size,
                  const struct device_ops *ops)
{
    struct acpi_pm *pm = heap_zalloc(sizeof(*pm));

    if (!pm) {
        return -AXVM_ENOMEM;
    }
    pm->dev = (struct device){name, DEV_SPACE_PIO, port, size, ops};
    pm->vm = vm;
    return devbus_attach(&vm->devices, &pm->dev);
}

int acpi_pm_create(struct vm *vm)
{
    int rc = attach(vm, "acpi-pm", AXVM_X86_ACPI_PM_PORT, AXVM_X86_ACPI_PM_SIZE, &pm_ops);

    return rc ? rc : attach(vm, "i8042", AXVM_X86_I8042_CMD_PORT, 1, &i8042_ops);
}
