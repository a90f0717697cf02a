/* SPDX-License-Identifier: MIT */
/*
 * A PL011 UART model (Arm PrimeCell UART (PL011) Technical Reference Manual, DDI 0183, r1p5).
 * Transmit goes to the VM's console at once, so the transmit FIFO always reads empty; received
 * bytes come from the console's input (vconsole_set_input) into a 32-entry FIFO. The one
 * combined interrupt output is (RIS & IMSC) != 0, the rule of TRM 2.8 "Interrupts".
 */
#define LOG_TAG "pl011"
#include <hv/devices.h>
#include <hv/heap.h>
#include <hv/spinlock.h>
#include <public/axvm/errno.h>

#define PL011_SIZE 0x1000

/* Register offsets (TRM 3.2, Table 3-1). */
#define REG_DR     0x000
#define REG_RSR    0x004 /* ECR on write */
#define REG_FR     0x018
#define REG_ILPR   0x020
#define REG_IBRD   0x024
#define REG_FBRD   0x028
#define REG_LCR_H  0x02c
#define REG_CR     0x030
#define REG_IFLS   0x034
#define REG_IMSC   0x038
#define REG_RIS    0x03c
#define REG_MIS    0x040
#define REG_ICR    0x044
#define REG_DMACR  0x048
#define REG_ID_LOW 0xfe0 /* PeriphID0-3, then PrimeCellID0-3, one byte per word */

#define FR_CTS  0x001
#define FR_DSR  0x002
#define FR_DCD  0x004
#define FR_RXFE 0x010
#define FR_RXFF 0x040
#define FR_TXFE 0x080
#define FR_RI   0x100

#define LCR_H_FEN 0x10

#define CR_LBE  0x0080
#define CR_DTR  0x0400
#define CR_RTS  0x0800
#define CR_OUT1 0x1000
#define CR_OUT2 0x2000

/* Interrupt bits of IMSC, RIS, MIS and ICR (TRM 3.3.10-3.3.14). */
#define INT_RX   0x010
#define INT_TX   0x020
#define INT_RT   0x040
#define INT_MASK 0x7ff

/* Register widths (TRM 3.3): what a write keeps. */
#define ILPR_MASK  0xff
#define IBRD_MASK  0xffff
#define FBRD_MASK  0x3f
#define LCR_H_MASK 0xff
#define CR_MASK    0xff87 /* bits 6:3 are reserved */
#define IFLS_MASK  0x3f
#define DMACR_MASK 0x7

/* Reset values (TRM 3.3): TX and RX enabled, both FIFO levels at half. */
#define CR_RESET   0x0300
#define IFLS_RESET 0x12

#define FIFO_SIZE 32 /* r1p5; the revision in PeriphID2 tells Linux so */

/* PeriphID0-3 (part 0x011, designer Arm 0x41, revision 3) and PrimeCellID0-3 (TRM 3.3.15-16). */
static const uint8_t id_regs[8] = {0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

struct pl011 {
    struct device dev;
    struct vm *vm;
    dev_irq_fn set_irq; /* NULL: the interrupt output goes nowhere */
    void *irq_ctx;
    spinlock_t lock; /* guards everything below; taken before the interrupt controller's */
    uint32_t ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc, dmacr;
    uint32_t ris;   /* raw interrupt status */
    bool irq_level; /* what the output line was last set to */
    uint8_t rx[FIFO_SIZE];
    unsigned int rx_head; /* index of the oldest byte */
    unsigned int rx_count;
};

static struct pl011 *to_pl011(struct device *dev)
{
    return container_of(dev, struct pl011, dev);
}

static unsigned int rx_capacity(const struct pl011 *u)
{
    return (u->lcr_h & LCR_H_FEN) ? FIFO_SIZE : 1; /* without the FIFO: one holding register */
}

/* IFLS bits 5:3 choose when received data interrupts: at 1/8, 1/4, 1/2, 3/4 or 7/8 full. */
static unsigned int rx_trigger(const struct pl011 *u)
{
    static const unsigned int eighths[8] = {1, 2, 4, 6, 7, 4, 4, 4}; /* 5-7 reserved: 1/2 */

    if (!(u->lcr_h & LCR_H_FEN)) {
        return 1;
    }
    return FIFO_SIZE * eighths[(u->ifls >> 3) & 7] / 8;
}

/* Drive the output line after any change. Context: u->lock held. */
static void update_irq(struct pl011 *u)
{
    bool level = (u->ris & u->imsc) != 0;

    if (level != u->irq_level) {
        u->irq_level = level;
        if (u->set_irq) {
            u->set_irq(u->irq_ctx, level);
        }
    }
}

/*
 * The receive interrupts after the FIFO changed (TRM 2.8.2, 2.8.3): RX while the level is at or
 * above the trigger; below it, the receive timeout, which on real hardware follows 32 idle bit
 * periods: here input arrives in bursts, so the line is idle as soon as a burst is in.
 */
static void update_rx_status(struct pl011 *u, bool arrived)
{
    if (u->rx_count >= rx_trigger(u)) {
        if (arrived) {
            u->ris |= INT_RX;
        }
        return;
    }
    u->ris &= ~(uint32_t)INT_RX;
    if (u->rx_count) {
        u->ris |= INT_RT;
    } else {
        u->ris &= ~(uint32_t)INT_RT;
    }
}

static void rx_push(struct pl011 *u, uint8_t byte)
{
    u->rx[(u->rx_head + u->rx_count++) % FIFO_SIZE] = byte;
}

static uint8_t rx_pop(struct pl011 *u)
{
    uint8_t byte;

    if (!u->rx_count) {
        return 0;
    }
    byte = u->rx[u->rx_head];
    u->rx_head = (u->rx_head + 1) % FIFO_SIZE;
    u->rx_count--;
    update_rx_status(u, false);
    return byte;
}

static void rx_flush(struct pl011 *u)
{
    u->rx_head = u->rx_count = 0;
    update_rx_status(u, false);
}

/* In loopback, RTS->CTS, DTR->DSR, OUT1->DCD and OUT2->RI (TRM 3.3.8, bit LBE). */
static uint32_t read_fr(const struct pl011 *u)
{
    uint32_t fr = FR_TXFE;

    fr |= u->rx_count ? 0 : FR_RXFE;
    fr |= u->rx_count >= rx_capacity(u) ? FR_RXFF : 0;
    if (u->cr & CR_LBE) {
        fr |= ((u->cr & CR_RTS) ? FR_CTS : 0) | ((u->cr & CR_DTR) ? FR_DSR : 0) |
              ((u->cr & CR_OUT1) ? FR_DCD : 0) | ((u->cr & CR_OUT2) ? FR_RI : 0);
    }
    return fr;
}

static uint32_t read_reg(struct pl011 *u, uint64_t reg)
{
    switch (reg) {
    case REG_DR:
        return rx_pop(u); /* no error bits: the console loses no data */
    case REG_RSR:
        return 0;
    case REG_FR:
        return read_fr(u);
    case REG_ILPR:
        return u->ilpr;
    case REG_IBRD:
        return u->ibrd;
    case REG_FBRD:
        return u->fbrd;
    case REG_LCR_H:
        return u->lcr_h;
    case REG_CR:
        return u->cr;
    case REG_IFLS:
        return u->ifls;
    case REG_IMSC:
        return u->imsc;
    case REG_RIS:
        return u->ris;
    case REG_MIS:
        return u->ris & u->imsc;
    case REG_DMACR:
        return u->dmacr;
    default:
        if (reg >= REG_ID_LOW && reg < PL011_SIZE) {
            return id_regs[(reg - REG_ID_LOW) / 4];
        }
        return 0; /* ICR is write-only; reserved and test registers read 0 */
    }
}

/* A partial write changes only the bytes it covers (mask). */
static uint32_t merge(uint32_t old, uint32_t v, uint32_t mask, uint32_t reg_mask)
{
    return ((old & ~mask) | (v & mask)) & reg_mask;
}

static void write_lcr_h(struct pl011 *u, uint32_t v)
{
    /* Turning the FIFOs on or off empties them, as the 16550 does (QEMU's model does too). */
    bool fifo_toggled = (v ^ u->lcr_h) & LCR_H_FEN;

    u->lcr_h = v;
    if (fifo_toggled) {
        rx_flush(u);
    }
}

/*
 * A transmitted byte: sent at once, so the transmit FIFO is below its trigger level again and
 * TX is raised (TRM 2.8.1), as QEMU's model does on every write. Returns: true when the byte goes
 * to the console (not in loopback, where the receiver gets it).
 */
static bool write_dr(struct pl011 *u, uint8_t byte)
{
    u->ris |= INT_TX;
    if (!(u->cr & CR_LBE)) {
        return true;
    }
    if (u->rx_count < rx_capacity(u)) {
        rx_push(u, byte);
        update_rx_status(u, true);
    }
    return false;
}

/* v and mask are already shifted to the register's byte lanes. Returns: as write_dr(). */
static bool write_reg(struct pl011 *u, uint64_t reg, uint32_t v, uint32_t mask)
{
    switch (reg) {
    case REG_DR:
        return (mask & 0xff) ? write_dr(u, (uint8_t)v) : false;
    case REG_ILPR:
        u->ilpr = merge(u->ilpr, v, mask, ILPR_MASK);
        break;
    case REG_IBRD:
        u->ibrd = merge(u->ibrd, v, mask, IBRD_MASK);
        break;
    case REG_FBRD:
        u->fbrd = merge(u->fbrd, v, mask, FBRD_MASK);
        break;
    case REG_LCR_H:
        write_lcr_h(u, merge(u->lcr_h, v, mask, LCR_H_MASK));
        break;
    case REG_CR:
        u->cr = merge(u->cr, v, mask, CR_MASK);
        break;
    case REG_IFLS:
        u->ifls = merge(u->ifls, v, mask, IFLS_MASK);
        break;
    case REG_IMSC:
        u->imsc = merge(u->imsc, v, mask, INT_MASK);
        break;
    case REG_ICR:
        u->ris &= ~(v & mask & INT_MASK);
        break;
    case REG_DMACR:
        u->dmacr = merge(u->dmacr, v, mask, DMACR_MASK);
        break;
    default:
        break; /* RSR/ECR (no errors to clear), FR, RIS, MIS, the IDs: read-only */
    }
    return false;
}

/* An access of width bytes at offset covers byte lanes of the 32-bit register at offset & ~3. */
static unsigned int lane_shift(uint64_t offset)
{
    return (unsigned int)(offset & 3) * 8;
}

static uint32_t lane_mask(uint64_t offset, unsigned int width)
{
    uint64_t bytes = width >= 4 ? 0xffffffffu : ((uint64_t)1 << (8 * width)) - 1;

    return (uint32_t)(bytes << lane_shift(offset));
}

static int pl011_read(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                      uint64_t *value)
{
    struct pl011 *u = to_pl011(dev);
    unsigned long flags = spin_lock_irqsave(&u->lock);
    uint32_t reg = read_reg(u, offset & ~(uint64_t)3);

    (void)v;
    /* A 64-bit access sees the register in its low half. */
    *value = (reg & lane_mask(offset, width)) >> lane_shift(offset);
    update_irq(u);
    spin_unlock_irqrestore(&u->lock, flags);
    return 0;
}

static int pl011_write(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                       uint64_t value)
{
    struct pl011 *u = to_pl011(dev);
    unsigned long flags = spin_lock_irqsave(&u->lock);
    unsigned int shift = lane_shift(offset);
    bool transmit =
        write_reg(u, offset & ~(uint64_t)3, (uint32_t)(value << shift), lane_mask(offset, width));
    char c = (char)value;

    (void)v;
    update_irq(u);
    spin_unlock_irqrestore(&u->lock, flags);
    if (transmit) {
        vconsole_write(&u->vm->console, &c, 1);
    }
    return 0;
}

/*
 * The console's input: take what fits, so nothing is lost (RSR never shows an overrun). In
 * loopback the receiver hears only the transmitter.
 */
static size_t pl011_input(void *ctx, const uint8_t *buf, size_t len)
{
    struct pl011 *u = ctx;
    unsigned long flags = spin_lock_irqsave(&u->lock);
    size_t n = 0;

    if (!(u->cr & CR_LBE)) {
        while (n < len && u->rx_count < rx_capacity(u)) {
            rx_push(u, buf[n++]);
        }
        if (n) {
            update_rx_status(u, true);
        }
        update_irq(u);
    }
    spin_unlock_irqrestore(&u->lock, flags);
    return n;
}

static void pl011_destroy(struct device *dev)
{
    struct pl011 *u = to_pl011(dev);

    vconsole_drop_input(&u->vm->console, u);
    heap_free(u);
}

static const struct device_ops pl011_ops = {
    .read = pl011_read,
    .write = pl011_write,
    .destroy = pl011_destroy,
};

int pl011_create(struct vm *vm, uint64_t base, dev_irq_fn set_irq, void *irq_ctx)
{
    struct pl011 *u = heap_zalloc(sizeof(*u));
    int rc;

    if (!u) {
        return -AXVM_ENOMEM;
    }
    u->dev = (struct device){"pl011", DEV_SPACE_MMIO, base, PL011_SIZE, &pl011_ops};
    u->vm = vm;
    u->set_irq = set_irq;
    u->irq_ctx = irq_ctx;
    u->cr = CR_RESET;
    u->ifls = IFLS_RESET;
    spin_lock_init(&u->lock);
    rc = devbus_attach(&vm->devices, &u->dev);
    if (!rc) {
        vconsole_set_input(&vm->console, pl011_input, u);
    }
    return rc;
}
