/* SPDX-License-Identifier: MIT */
/*
 * Two 8259A PICs that never interrupt (<x86/vpic.h>). Intel 8259A datasheet: ICW1 on the
 * command port starts initialisation, then ICW2 (vector base), ICW3 (cascade, unless single)
 * and ICW4 (if ICW1 asked for it) on the data port; afterwards the data port is the mask
 * (OCW1), and the command port takes EOIs (OCW2) and the IRR/ISR/poll selection (OCW3). No
 * line is ever raised here, so IRR and ISR stay 0 and a poll reads "no interrupt". There is
 * no lock: two vCPUs racing on these registers leave one of their values, and nothing else
 * depends on them.
 */
#define LOG_TAG "vpic"
#include <hv/compiler.h>
#include <hv/heap.h>
#include <hv/string.h>
#include <public/axvm/errno.h>
#include <x86/vpic.h>

#define ICW1      0x10 /* command port, bit 4: initialisation */
#define ICW1_ICW4 0x01
#define ICW1_SNGL 0x02
#define OCW3      0x08 /* command port, bits 4:3 = 01 */
#define OCW3_RR   0x02 /* read register command: bit 0 chooses ISR (1) or IRR (0) */
#define OCW3_RIS  0x01
#define OCW3_POLL 0x04

/* The master's IRQ 0-2 and the slave's IRQ 8 and 13 are always edge (Intel PIIX, "ELCR"). */
#define ELCR_MASTER_WRITABLE 0xf8
#define ELCR_SLAVE_WRITABLE  0xde

enum init_step { INIT_DONE, INIT_ICW2, INIT_ICW3, INIT_ICW4 };

struct i8259 {
    struct device dev;
    enum init_step step;
    bool icw4_needed;
    bool single;
    bool read_isr; /* OCW3: the command port reads ISR rather than IRR */
    bool poll;     /* OCW3: the next command-port read is a poll */
    uint8_t imr;
    uint8_t vector_base; /* ICW2 */
    uint8_t icw3;
    uint8_t icw4;
};

struct elcr {
    struct device dev;
    uint8_t reg[2];
};

_Static_assert(__builtin_offsetof(struct i8259, dev) == 0, "free_device frees the model");
_Static_assert(__builtin_offsetof(struct elcr, dev) == 0, "free_device frees the model");

/* Nothing is ever asserted here (see above): IRR and ISR read 0. */
static uint8_t read_pic(struct i8259 *p, uint64_t offset)
{
    if (offset == 1) {
        return p->imr;
    }
    if (p->poll) {
        p->poll = false;
        return 0; /* bit 7 clear: no interrupt */
    }
    return 0;
}

static void write_command(struct i8259 *p, uint8_t v)
{
    if (v & ICW1) {
        p->step = INIT_ICW2;
        p->icw4_needed = v & ICW1_ICW4;
        p->single = v & ICW1_SNGL;
        p->imr = 0; /* ICW1 clears the mask and selects IRR for reading */
        p->read_isr = false;
        p->poll = false;
        p->icw4 = 0;
    } else if ((v & 0x18) == OCW3) {
        if (v & OCW3_RR) {
            p->read_isr = v & OCW3_RIS;
        }
        p->poll = v & OCW3_POLL;
    }
    /* Anything else is an OCW2 (EOI, priority rotation): with nothing in service, no effect. */
}

static void write_data(struct i8259 *p, uint8_t v)
{
    switch (p->step) {
    case INIT_ICW2:
        p->vector_base = v & 0xf8;
        p->step = !p->single ? INIT_ICW3 : p->icw4_needed ? INIT_ICW4 : INIT_DONE;
        break;
    case INIT_ICW3:
        p->icw3 = v;
        p->step = p->icw4_needed ? INIT_ICW4 : INIT_DONE;
        break;
    case INIT_ICW4:
        p->icw4 = v;
        p->step = INIT_DONE;
        break;
    default:
        p->imr = v; /* OCW1 */
        break;
    }
}

static uint64_t all_ones(unsigned int width)
{
    return width >= 8 ? UINT64_MAX : ((uint64_t)1 << (8 * width)) - 1;
}

/* Byte registers: a wider access reaches the addressed one; the rest of it reads all-ones. */
static int pic_read(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                    uint64_t *value)
{
    (void)v;
    *value = (all_ones(width) & ~0xffULL) | read_pic(container_of(dev, struct i8259, dev), offset);
    return 0;
}

static int pic_write(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                     uint64_t value)
{
    struct i8259 *p = container_of(dev, struct i8259, dev);

    (void)v;
    (void)width;
    if (offset == 0) {
        write_command(p, (uint8_t)value);
    } else {
        write_data(p, (uint8_t)value);
    }
    return 0;
}

static int elcr_read(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                     uint64_t *value)
{
    struct elcr *e = container_of(dev, struct elcr, dev);

    (void)v;
    *value = (all_ones(width) & ~0xffULL) | e->reg[offset & 1];
    if (width >= 2 && offset == 0) {
        *value = (all_ones(width) & ~0xffffULL) | e->reg[0] | (uint64_t)e->reg[1] << 8;
    }
    return 0;
}

static int elcr_write(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                      uint64_t value)
{
    struct elcr *e = container_of(dev, struct elcr, dev);
    static const uint8_t writable[2] = {ELCR_MASTER_WRITABLE, ELCR_SLAVE_WRITABLE};

    (void)v;
    for (unsigned int i = 0; i < width && offset + i < 2; i++) {
        e->reg[offset + i] = (uint8_t)(value >> (8 * i)) & writable[offset + i];
    }
    return 0;
}

static void free_device(struct device *dev)
{
    heap_free(dev); /* dev is the first member of both models */
}

static const struct device_ops pic_ops = {
    .read = pic_read,
    .write = pic_write,
    .destroy = free_device,
};

static const struct device_ops elcr_ops = {
    .read = elcr_read,
    .write = elcr_write,
    .destroy = free_device,
};

static int add_pic(struct devbus *bus, const char *name, uint16_t port)
{
    struct i8259 *p = heap_zalloc(sizeof(*p));

    if (!p) {
        return -AXVM_ENOMEM;
    }
    p->dev = (struct device){name, DEV_SPACE_PIO, port, 2, &pic_ops};
    p->imr = 0xff; /* as firmware leaves them: everything masked */
    return devbus_attach(bus, &p->dev);
}

int vpic_create(struct devbus *bus)
{
    struct elcr *e;
    int rc = add_pic(bus, "pic-master", VPIC_MASTER_PORT);

    if (!rc) {
        rc = add_pic(bus, "pic-slave", VPIC_SLAVE_PORT);
    }
    if (rc) {
        return rc;
    }
    e = heap_zalloc(sizeof(*e));
    if (!e) {
        return -AXVM_ENOMEM;
    }
    e->dev = (struct device){"elcr", DEV_SPACE_PIO, VPIC_ELCR_PORT, 2, &elcr_ops};
    return devbus_attach(bus, &e->dev);
}
