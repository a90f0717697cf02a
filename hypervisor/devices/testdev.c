/* SPDX-License-Identifier: MIT */
/*
 * The MMIO test device of <public/axvm/testdev.h>: a scratch window that reads back what was
 * written at any width and alignment, and read-only registers that report the last scratch
 * access as the device saw it, so a guest can check an emulated instruction from both sides.
 */
#define LOG_TAG "testdev"
#include <hv/devices.h>
#include <hv/heap.h>
#include <hv/spinlock.h>
#include <hv/string.h>
#include <public/axvm/errno.h>
#include <public/axvm/testdev.h>

struct testdev {
    struct device dev;
    spinlock_t lock; /* guards everything below */
    uint8_t scratch[AXVM_TESTDEV_SCRATCH_SIZE];
    uint64_t last_width, last_offset, last_value, nr_accesses;
};

static struct testdev *to_testdev(struct device *dev)
{
    return container_of(dev, struct testdev, dev);
}

static bool in_scratch(uint64_t offset, unsigned int width)
{
    return offset < AXVM_TESTDEV_SCRATCH_SIZE && width <= AXVM_TESTDEV_SCRATCH_SIZE - offset;
}

static void note_access(struct testdev *t, uint64_t offset, unsigned int width)
{
    t->last_width = width;
    t->last_offset = offset;
    t->nr_accesses++;
}

static uint64_t read_register(const struct testdev *t, uint64_t offset)
{
    switch (offset) {
    case AXVM_TESTDEV_LAST_WIDTH:
        return t->last_width;
    case AXVM_TESTDEV_LAST_OFFSET:
        return t->last_offset;
    case AXVM_TESTDEV_LAST_VALUE:
        return t->last_value;
    case AXVM_TESTDEV_NR_ACCESSES:
        return t->nr_accesses;
    default:
        return UINT64_MAX;
    }
}

static int testdev_read(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                        uint64_t *value)
{
    struct testdev *t = to_testdev(dev);
    unsigned long flags = spin_lock_irqsave(&t->lock);

    (void)v;
    *value = 0;
    if (in_scratch(offset, width)) {
        memcpy(value, t->scratch + offset, width); /* little-endian, like the guest */
        note_access(t, offset, width);
    } else {
        *value = read_register(t, offset);
    }
    spin_unlock_irqrestore(&t->lock, flags);
    return 0;
}

static int testdev_write(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                         uint64_t value)
{
    struct testdev *t = to_testdev(dev);
    unsigned long flags = spin_lock_irqsave(&t->lock);

    (void)v;
    if (in_scratch(offset, width)) {
        memcpy(t->scratch + offset, &value, width);
        note_access(t, offset, width);
        t->last_value = value;
    }
    spin_unlock_irqrestore(&t->lock, flags);
    return 0;
}

static void testdev_destroy(struct device *dev)
{
    heap_free(to_testdev(dev));
}

static const struct device_ops testdev_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .destroy = testdev_destroy,
};

int testdev_create(struct vm *vm, gpa_t gpa)
{
    struct testdev *t = heap_zalloc(sizeof(*t));

    if (!t) {
        return -AXVM_ENOMEM;
    }
    t->dev = (struct device){"testdev", DEV_SPACE_MMIO, gpa, AXVM_TESTDEV_SIZE, &testdev_ops};
    spin_lock_init(&t->lock);
    return devbus_attach(&vm->devices, &t->dev);
}
