/* SPDX-License-Identifier: MIT */
/*
 * A 16550A UART model (National Semiconductor PC16550D datasheet). Transmit goes to the VM's
 * console at once, so the transmitter always reads empty; received bytes come from the
 * console's input (vconsole_set_input) into a 16-byte FIFO. Interrupts: received data, THR
 * empty, line status and modem status, prioritised in IIR, on one output line that MCR.OUT2
 * gates, as PCs wire it. Loopback mode (MCR bit 4) sends transmitted bytes to the receiver and
 * the modem control outputs to the modem status inputs, which is how Linux's 8250 driver
 * probes a port.
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

#define IER_RDA  0x01 /* received data available (and character timeout) */
#define IER_THRE 0x02
#define IER_RLS  0x04 /* receiver line status */
#define IER_MS   0x08 /* modem status */
#define IER_MASK 0x0f

#define IIR_NO_INT  0x01
#define IIR_MS      0x00
#define IIR_THRE    0x02
#define IIR_RDA     0x04
#define IIR_RLS     0x06
#define IIR_TIMEOUT 0x0c
#define IIR_FIFO    0xc0

#define FCR_ENABLE        0x01
#define FCR_CLEAR_RX      0x02
#define FCR_TRIGGER_SHIFT 6

#define LCR_DLAB 0x80

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f

#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_DCTS       0x01
#define MSR_DDSR       0x02
#define MSR_TERI       0x04
#define MSR_DDCD       0x08
#define MSR_CTS        0x10
#define MSR_DSR        0x20
#define MSR_RI         0x40
#define MSR_DCD        0x80
#define MSR_LINES      0xf0
/* Outside loopback the modem lines show a cable with the other end ready: DCD, DSR, CTS. */
#define MSR_IDLE_LINES (MSR_DCD | MSR_DSR | MSR_CTS)

#define FIFO_SIZE 16

struct uart16550 {
    struct device dev;
    struct vm *vm;
    dev_irq_fn set_irq; /* NULL: the interrupt output goes nowhere */
    void *irq_ctx;
    spinlock_t lock; /* guards everything below; taken before the interrupt controller's */
    uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
    uint8_t lsr_oe;    /* overrun seen since LSR was last read */
    uint8_t msr;       /* lines (7:4) and deltas (3:0) */
    bool thre_pending; /* the THR-empty interrupt is due (until IIR shows it or THR is written) */
    bool irq_level;    /* what the output line was last set to */
    uint8_t rx[FIFO_SIZE];
    unsigned int rx_head; /* index of the oldest byte */
    unsigned int rx_count;
};

static struct uart16550 *to_uart(struct device *dev)
{
    return container_of(dev, struct uart16550, dev);
}

static unsigned int rx_capacity(const struct uart16550 *u)
{
    return (u->fcr & FCR_ENABLE) ? FIFO_SIZE : 1; /* without the FIFO: one holding register */
}

/* FCR bits 7:6 choose when received data interrupts: 1, 4, 8 or 14 bytes. */
static unsigned int rx_trigger(const struct uart16550 *u)
{
    static const unsigned int levels[4] = {1, 4, 8, 14};

    return (u->fcr & FCR_ENABLE) ? levels[u->fcr >> FCR_TRIGGER_SHIFT] : 1;
}

/* Returns: whether the byte fit; a full receiver drops it and records an overrun. */
static bool rx_push(struct uart16550 *u, uint8_t byte)
{
    if (u->rx_count >= rx_capacity(u)) {
        u->lsr_oe = LSR_OE;
        return false;
    }
    u->rx[(u->rx_head + u->rx_count++) % FIFO_SIZE] = byte;
    return true;
}

static uint8_t rx_pop(struct uart16550 *u)
{
    uint8_t byte;

    if (!u->rx_count) {
        return 0;
    }
    byte = u->rx[u->rx_head];
    u->rx_head = (u->rx_head + 1) % FIFO_SIZE;
    u->rx_count--;
    return byte;
}

/* The interrupt IIR shows: the highest-priority one enabled and due (datasheet, Table 4). */
static uint8_t pending_interrupt(const struct uart16550 *u)
{
    if ((u->ier & IER_RLS) && u->lsr_oe) {
        return IIR_RLS;
    }
    if ((u->ier & IER_RDA) && u->rx_count) {
        /* Below the trigger level the character timeout reports it instead. */
        return u->rx_count >= rx_trigger(u) ? IIR_RDA : IIR_TIMEOUT;
    }
    if ((u->ier & IER_THRE) && u->thre_pending) {
        return IIR_THRE;
    }
    if ((u->ier & IER_MS) && (u->msr & ~MSR_LINES)) {
        return IIR_MS;
    }
    return IIR_NO_INT;
}

/* Drive the output line after any change. Context: u->lock held. */
static void update_irq(struct uart16550 *u)
{
    bool level = pending_interrupt(u) != IIR_NO_INT && (u->mcr & MCR_OUT2);

    if (level != u->irq_level) {
        u->irq_level = level;
        if (u->set_irq) {
            u->set_irq(u->irq_ctx, level);
        }
    }
}

/* In loopback, DTR->DSR, RTS->CTS, OUT1->RI and OUT2->DCD (datasheet, MCR bit 4). */
static uint8_t modem_lines(uint8_t mcr)
{
    if (!(mcr & MCR_LOOP)) {
        return MSR_IDLE_LINES;
    }
    return (uint8_t)(((mcr & MCR_RTS) ? MSR_CTS : 0) | ((mcr & MCR_DTR) ? MSR_DSR : 0) |
                     ((mcr & MCR_OUT1) ? MSR_RI : 0) | ((mcr & MCR_OUT2) ? MSR_DCD : 0));
}

static void write_mcr(struct uart16550 *u, uint8_t v)
{
    uint8_t old = u->msr & MSR_LINES, now;
    uint8_t changed;

    u->mcr = v & MCR_MASK;
    now = modem_lines(u->mcr);
    changed = old ^ now;
    /* Delta bits: any change of CTS, DSR, DCD; RI only on its trailing edge. */
    u->msr = (uint8_t)(now | (u->msr & ~MSR_LINES) | ((changed & MSR_CTS) ? MSR_DCTS : 0) |
                       ((changed & MSR_DSR) ? MSR_DDSR : 0) | ((changed & MSR_DCD) ? MSR_DDCD : 0) |
                       ((old & MSR_RI) && !(now & MSR_RI) ? MSR_TERI : 0));
}

static void write_fcr(struct uart16550 *u, uint8_t v)
{
    /* Turning the FIFOs on or off clears them (datasheet, FCR bit 0). */
    if ((v ^ u->fcr) & FCR_ENABLE || (v & FCR_CLEAR_RX)) {
        u->rx_head = u->rx_count = 0;
    }
    u->fcr = v & (FCR_ENABLE | 0xc0); /* the clear bits are self-clearing */
}

static uint8_t read_iir(struct uart16550 *u)
{
    uint8_t iir = pending_interrupt(u);

    if (iir == IIR_THRE) {
        u->thre_pending = false; /* reading IIR when it shows THRE clears it */
    }
    return iir | ((u->fcr & FCR_ENABLE) ? IIR_FIFO : 0);
}

static uint8_t read_reg(struct uart16550 *u, uint64_t reg)
{
    bool dlab = u->lcr & LCR_DLAB;
    uint8_t v;

    switch (reg) {
    case REG_DATA:
        return dlab ? u->dll : rx_pop(u);
    case REG_IER:
        return dlab ? u->dlm : u->ier;
    case REG_IIR:
        return read_iir(u);
    case REG_LCR:
        return u->lcr;
    case REG_MCR:
        return u->mcr;
    case REG_LSR:
        v = (uint8_t)(LSR_THRE | LSR_TEMT | u->lsr_oe | (u->rx_count ? LSR_DR : 0));
        u->lsr_oe = 0;
        return v;
    case REG_MSR:
        v = u->msr;
        u->msr &= MSR_LINES;
        return v;
    default:
        return u->scr;
    }
}

/* Returns: true when the write was a character to send to the console. */
static bool write_reg(struct uart16550 *u, uint64_t reg, uint8_t v)
{
    bool dlab = u->lcr & LCR_DLAB;

    switch (reg) {
    case REG_DATA:
        if (dlab) {
            u->dll = v;
            break;
        }
        /* Sent at once: THR is empty again, which is an interrupt of its own. */
        u->thre_pending = true;
        if (u->mcr & MCR_LOOP) {
            rx_push(u, v);
            break;
        }
        return true;
    case REG_IER:
        if (dlab) {
            u->dlm = v;
            break;
        }
        /* Enabling the THRE interrupt while THR is empty raises it (THR always is here). */
        if ((v & IER_THRE) && !(u->ier & IER_THRE)) {
            u->thre_pending = true;
        }
        u->ier = v & IER_MASK;
        break;
    case REG_IIR:
        write_fcr(u, v);
        break;
    case REG_LCR:
        u->lcr = v;
        break;
    case REG_MCR:
        write_mcr(u, v);
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
    update_irq(u);
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
    update_irq(u);
    spin_unlock_irqrestore(&u->lock, flags);
    if (transmit) {
        vconsole_write(&u->vm->console, &c, 1);
    }
    return 0;
}

/* The console's input: take what fits. In loopback the receiver hears only the transmitter. */
static size_t uart_input(void *ctx, const uint8_t *buf, size_t len)
{
    struct uart16550 *u = ctx;
    unsigned long flags = spin_lock_irqsave(&u->lock);
    size_t n = 0;

    if (!(u->mcr & MCR_LOOP)) {
        while (n < len && u->rx_count < rx_capacity(u)) {
            rx_push(u, buf[n++]);
        }
        update_irq(u);
    }
    spin_unlock_irqrestore(&u->lock, flags);
    return n;
}

static void uart_destroy(struct device *dev)
{
    struct uart16550 *u = to_uart(dev);

    vconsole_drop_input(&u->vm->console, u);
    heap_free(u);
}

static const struct device_ops uart_ops = {
    .read = uart_read,
    .write = uart_write,
    .destroy = uart_destroy,
};

int uart16550_create_irq(struct vm *vm, enum dev_space space, uint64_t base, dev_irq_fn set_irq,
                         void *irq_ctx)
{
    struct uart16550 *u = heap_zalloc(sizeof(*u));
    int rc;

    if (!u) {
        return -AXVM_ENOMEM;
    }
    u->dev = (struct device){"uart16550", space, base, NR_REGS, &uart_ops};
    u->vm = vm;
    u->set_irq = set_irq;
    u->irq_ctx = irq_ctx;
    u->msr = MSR_IDLE_LINES;
    spin_lock_init(&u->lock);
    rc = devbus_attach(&vm->devices, &u->dev);
    if (!rc) {
        vconsole_set_input(&vm->console, uart_input, u);
    }
    return rc;
}

int uart16550_create(struct vm *vm, enum dev_space space, uint64_t base)
{
    return uart16550_create_irq(vm, space, base, NULL, NULL);
}
