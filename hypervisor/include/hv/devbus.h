/* SPDX-License-Identifier: MIT */
/*
 * A VM's emulated devices, keyed by MMIO or port range (ARCHITECTURE.md §4). Device models
 * (hypervisor/devices/) embed a struct device and find themselves with container_of. The bus
 * is filled while the VM is built and never changes afterwards, so lookups take no lock; a
 * model locks its own state if several vCPUs may reach it.
 */
#ifndef HV_DEVBUS_H
#define HV_DEVBUS_H

#include <hv/types.h>

#define DEVBUS_MAX_DEVICES 16

struct device;
struct vcpu;

enum dev_space {
    DEV_SPACE_MMIO,
    DEV_SPACE_PIO,
};

struct device_ops {
    /* offset is from the device's base; width is 1, 2, 4 or 8. Returns: 0 or an error. */
    int (*read)(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                uint64_t *value);
    int (*write)(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                 uint64_t value);
    /* Free the model (after the VM's last vCPU stopped). */
    void (*destroy)(struct device *dev);
};

struct device {
    const char *name;
    enum dev_space space;
    uint64_t base;
    uint64_t size;
    const struct device_ops *ops;
};

struct devbus {
    unsigned int nr;
    struct device *devices[DEVBUS_MAX_DEVICES];
};

void devbus_init(struct devbus *bus);

/* Returns: 0; -AXVM_EEXIST (overlaps a device of the same space); -AXVM_ENOSPC; -AXVM_EINVAL. */
int devbus_add(struct devbus *bus, struct device *dev);

/*
 * Add a device the bus then owns: if it cannot be added, dev->ops->destroy(dev) frees it.
 * Returns: devbus_add()'s result.
 */
int devbus_attach(struct devbus *bus, struct device *dev);

/* Returns: the device wholly containing [addr, addr+width) in space, or NULL. */
struct device *devbus_find(const struct devbus *bus, enum dev_space space, uint64_t addr,
                           unsigned int width);

/*
 * Forward an access to the device at addr. Returns: the device's result, or -AXVM_ENODEV when
 * no device claims it (the caller applies the platform's rule for empty space).
 */
int devbus_read(const struct devbus *bus, struct vcpu *v, enum dev_space space, uint64_t addr,
                unsigned int width, uint64_t *value);
int devbus_write(const struct devbus *bus, struct vcpu *v, enum dev_space space, uint64_t addr,
                 unsigned int width, uint64_t value);

/* Destroy every device, in reverse order of addition. */
void devbus_destroy(struct devbus *bus);

#endif /* HV_DEVBUS_H */
