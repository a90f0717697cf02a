/* SPDX-License-Identifier: MIT */
/*
 * A 16550A UART model (National Semiconductor PC16550D datasheet), enough for polling drivers:
 * transmit goes to the VM's console at once, so the transmitter always reads empty; there is
 * no receive data and no interrupt. The divisor latch, line and modem control and scratch
 * registers keep what is written.
 */
#define LOG_TAG "uart16550"
#include <hv/devices.h>
#include <hv/heap.h>
#include <hv/spinlock.h>
#include <public/axvm/errno.h>

#define REG_DATA 0 /* THR/RBR, or DLL with DLAB */
#define REG_IER  1 /* or DLM with DLAB */
#define REG_IIR  2 /* FCR on write */
#define REG_LCR  3
#define REG_MCR  4
#define REG_LSR  5
#define REG_MSR  6
#define REG_SCR  7
#define NR_REGS  8

#define LCR_DLAB        0x80
#define IIR_NO_INT      0x01
#define IIR_FIFO        0xc0
#define FCR_ENABLE      0x01
#define LSR_THRE_TEMT   0x60
#define MSR_DCD_DSR_CTS 0xb0

struct uart16550 {
    struct device dev;
    struct vm *vm;
    spinlock_t lock; /* guards the registers below */
    uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
};

static struct uart16550 *to_uart(struct device *dev)
{
    return container_of(dev, struct uart16550, dev);
}

static uint8_t read_reg(const struct uart16550 *u, uint64_t reg)
{
    bool dlab = u->lcr & LCR_DLAB;

    switch (reg) {
    case REG_DATA:
        return dlab ? u->dll : 0;
    case REG_IER:
        return dlab ? u->dlm : u->ier;
    case REG_IIR:
        return IIR_NO_INT | ((u->fcr & FCR_ENABLE) ? IIR_FIFO : 0);
    case REG_LCR:
        return u->lcr;
    case REG_MCR:
        return u->mcr;
    case REG_LSR:
        return LSR_THRE_TEMT;
    case REG_MSR:
        return MSR_DCD_DSR_CTS;
    default:
        return u->scr;
    }
}

/* Returns: true when the write was a character to transmit. */
static bool write_reg(struct uart16550 *u, uint64_t reg, uint8_t v)
{
    bool dlab = u->lcr & LCR_DLAB;

    switch (reg) {
    case REG_DATA:
        if (!dlab) {
            return true;
        }
        u->dll = v;
        break;
    case REG_IER:
        *(dlab ? &u->dlm : &u->ier) = v;
        break;
    case REG_IIR:
        u->fcr = v;
        break;
    case REG_LCR:
        u->lcr = v;
        break;
    case REG_MCR:
        u->mcr = v;
        break;
    case REG_SCR:
        u->scr = v;
        break;
    default:
        break; /* LSR and MSR are read-only */
    }
    return false;
}

static int uart_read(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                     uint64_t *value)
{
    struct uart16550 *u = to_uart(dev);
    unsigned long flags = spin_lock_irqsave(&u->lock);

    (void)v;
    (void)width; /* byte registers: a wider access sees the addressed one */
    *value = read_reg(u, offset);
    spin_unlock_irqrestore(&u->lock, flags);
    return 0;
}

static int uart_write(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                      uint64_t value)
{
    struct uart16550 *u = to_uart(dev);
    unsigned long flags = spin_lock_irqsave(&u->lock);
    bool transmit = write_reg(u, offset, (uint8_t)value);
    char c = (char)value;

    (void)v;
    (void)width;
    spin_unlock_irqrestore(&u->lock, flags);
    if (transmit) {
        vconsole_write(&u->vm->console, &c, 1);
    }
    return 0;
}

static void uart_destroy(struct device *dev)
{
    heap_free(to_uart(dev));
}

static const struct device_ops uart_ops = {
    .read = uart_read,
    .write = uart_write,
    .destroy = uart_destroy,
};

int uart16550_create(struct vm *vm, enum dev_space space, uint64_t base)
{
    struct uart16550 *u = heap_zalloc(sizeof(*u));

    if (!u) {
        return -AXVM_ENOMEM;
    }
    u->dev = (struct device){"uart16550", space, base, NR_REGS, &uart_ops};
    u->vm = vm;
    spin_lock_init(&u->lock);
    return devbus_attach(&vm->devices, &u->dev);
}
