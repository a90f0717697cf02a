/* SPDX-License-Identifier: MIT */
/*
 * The debug-exit device: a guest's write of v ends its domain with exit code v, reported in the
 * log (and to dom0). On x86 it is a port, as QEMU's isa-debug-exit, so test guests end this way
 * under axvm and under bare QEMU alike; arm64 guests find it in MMIO space.
 */
#define LOG_TAG "debugexit"
#include <hv/devices.h>
#include <hv/heap.h>
#include <public/axvm/errno.h>
#include <public/axvm/hypercall.h>

struct debugexit {
    struct device dev;
    struct vm *vm;
};

static int debugexit_read(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                          uint64_t *value)
{
    (void)dev;
    (void)v;
    (void)offset;
    *value = width >= 8 ? UINT64_MAX : ((uint64_t)1 << (8 * width)) - 1;
    return 0;
}

static int debugexit_write(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                           uint64_t value)
{
    struct debugexit *d = container_of(dev, struct debugexit, dev);

    (void)v;
    (void)offset;
    (void)width;
    vm_shutdown(d->vm, AXVM_SHUTDOWN_EXIT, value);
    return 0;
}

static void debugexit_destroy(struct device *dev)
{
    heap_free(container_of(dev, struct debugexit, dev));
}

static const struct device_ops debugexit_ops = {
    .read = debugexit_read,
    .write = debugexit_write,
    .destroy = debugexit_destroy,
};

#define DEBUGEXIT_SIZE 4
#define PIO_SPACE_SIZE 0x10000

int debugexit_create(struct vm *vm, enum dev_space space, uint64_t addr)
{
    /* The window's end must be representable, as the device bus wants. */
    uint64_t limit =
        space == DEV_SPACE_PIO ? PIO_SPACE_SIZE - DEBUGEXIT_SIZE : UINT64_MAX - DEBUGEXIT_SIZE;
    struct debugexit *d;

    if ((space != DEV_SPACE_PIO && space != DEV_SPACE_MMIO) || addr > limit) {
        return -AXVM_EINVAL;
    }
    d = heap_zalloc(sizeof(*d));
    if (!d) {
        return -AXVM_ENOMEM;
    }
    d->dev = (struct device){"debugexit", space, addr, DEBUGEXIT_SIZE, &debugexit_ops};
    d->vm = vm;
    return devbus_attach(&vm->devices, &d->dev);
}
