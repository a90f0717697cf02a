/* SPDX-License-Identifier: MIT */
/* A VM's device registry, keyed by MMIO or port range (<hv/devbus.h>). */
#define LOG_TAG "devbus"
#include <hv/devbus.h>
#include <hv/string.h>
#include <public/axvm/errno.h>

void devbus_init(struct devbus *bus)
{
    memset(bus, 0, sizeof(*bus));
}

static bool overlaps(const struct device *a, const struct device *b)
{
    return a->space == b->space && a->base < b->base + b->size && b->base < a->base + a->size;
}

int devbus_add(struct devbus *bus, struct device *dev)
{
    if (!dev->ops || dev->size == 0 || dev->base + dev->size < dev->base) {
        return -AXVM_EINVAL;
    }
    for (unsigned int i = 0; i < bus->nr; i++) {
        if (overlaps(bus->devices[i], dev)) {
            return -AXVM_EEXIST;
        }
    }
    if (bus->nr == DEVBUS_MAX_DEVICES) {
        return -AXVM_ENOSPC;
    }
    bus->devices[bus->nr++] = dev;
    return 0;
}

int devbus_attach(struct devbus *bus, struct device *dev)
{
    int rc = devbus_add(bus, dev);

    if (rc && dev->ops && dev->ops->destroy) {
        dev->ops->destroy(dev);
    }
    return rc;
}

struct device *devbus_find(const struct devbus *bus, enum dev_space space, uint64_t addr,
                           unsigned int width)
{
    for (unsigned int i = 0; i < bus->nr; i++) {
        struct device *d = bus->devices[i];

        if (d->space == space && addr >= d->base && addr - d->base < d->size &&
            width <= d->size - (addr - d->base)) {
            return d;
        }
    }
    return NULL;
}

int devbus_read(const struct devbus *bus, struct vcpu *v, enum dev_space space, uint64_t addr,
                unsigned int width, uint64_t *value)
{
    struct device *d = devbus_find(bus, space, addr, width);

    return d ? d->ops->read(d, v, addr - d->base, width, value) : -AXVM_ENODEV;
}

int devbus_write(const struct devbus *bus, struct vcpu *v, enum dev_space space, uint64_t addr,
                 unsigned int width, uint64_t value)
{
    struct device *d = devbus_find(bus, space, addr, width);

    return d ? d->ops->write(d, v, addr - d->base, width, value) : -AXVM_ENODEV;
}

void devbus_destroy(struct devbus *bus)
{
    while (bus->nr) {
        struct device *d = bus->devices[--bus->nr];

        if (d->ops->destroy) {
            d->ops->destroy(d);
        }
    }
}
