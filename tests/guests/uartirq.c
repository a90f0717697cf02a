/* SPDX-License-Identifier: MIT */
/*
 * A 16550 driven by interrupts through the I/O APIC, from inside: the guest finds a PIC and an
 * I/O APIC, programs the UART's I/O APIC pin with a vector, enables the THR-empty interrupt
 * (IER bit 1, MCR OUT2) and sends a line one byte per interrupt, then checks loopback mode.
 * With "com2" on its command line it drives the machine's own COM2 (port 0x2f8, GSI 3, handed
 * through with pio=0x2f8:8 irq=3); otherwise its emulated COM1 (port 0x3f8, pin 4), whose
 * output is the domain's console.
 */
#include "lib/guest.h"

#define LAPIC       0xfee00000u
#define REG_EOI     0x0b0
#define REG_SVR     0x0f0
#define IOAPIC      0xfec00000u
#define IOREGSEL    0x00
#define IOWIN       0x10
#define VEC_UART    0x44
#define VEC_TICK    0x45 /* a periodic LAPIC timer, so HLT ends even if the UART stays quiet */
#define REG_LVT_TMR 0x320
#define REG_INITIAL 0x380
#define REG_DIVIDE  0x3e0
#define VEC_SPUR    0xff
#define TIMEOUT_NS  5000000000ull

#define UART_DATA 0
#define UART_IER  1
#define UART_IIR  2 /* FCR on write */
#define UART_LCR  3
#define UART_MCR  4
#define UART_LSR  5
#define UART_MSR  6

static uint16_t port;
static const char *volatile tx_next; /* the rest of the line the interrupt handler sends */
static volatile unsigned int nr_thre, nr_other;

static void lapic_write(unsigned int reg, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)(LAPIC + reg) = v;
}

static uint32_t ioapic_read(uint32_t reg)
{
    *(volatile uint32_t *)(uintptr_t)(IOAPIC + IOREGSEL) = reg;
    return *(volatile uint32_t *)(uintptr_t)(IOAPIC + IOWIN);
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)(IOAPIC + IOREGSEL) = reg;
    *(volatile uint32_t *)(uintptr_t)(IOAPIC + IOWIN) = v;
}

/* THR empty: send the next byte, or stop asking once the line is out. */
static void on_uart(struct trap_frame *f)
{
    uint8_t iir = inb((uint16_t)(port + UART_IIR));

    (void)f;
    if ((iir & 0x0f) == 0x02) {
        nr_thre++;
        if (tx_next && *tx_next) {
            outb(port + UART_DATA, (uint8_t)*tx_next++);
        } else {
            outb((uint16_t)(port + UART_IER), 0);
        }
    } else {
        nr_other++;
    }
    lapic_write(REG_EOI, 0);
}

static void on_tick(struct trap_frame *f)
{
    (void)f;
    lapic_write(REG_EOI, 0);
}

static void on_spurious(struct trap_frame *f)
{
    (void)f;
}

static void check_controllers(unsigned int pin)
{
    outb(0x21, 0xff); /* the 8259 probe: the mask reads back */
    check(inb(0x21) == 0xff, "uartirq: an 8259 answers at port 0x21");
    check(ioapic_read(0x01) == 0x00170011, "uartirq: I/O APIC version 0x11 with 24 pins (0x%x)",
          ioapic_read(0x01));
    check(ioapic_read(0x10 + 2 * pin) & (1u << 16), "uartirq: pin %u starts masked", pin);
    ioapic_write(0x10 + 2 * pin + 1, 0u << 24); /* destination: APIC id 0 */
    ioapic_write(0x10 + 2 * pin, VEC_UART);     /* fixed, physical, edge, active high */
    check(ioapic_read(0x10 + 2 * pin) == VEC_UART, "uartirq: pin %u programmed with vector 0x%x",
          pin, VEC_UART);
}

static void send_line_by_interrupts(const char *line, uint64_t tsc_khz)
{
    uint64_t start = rdtsc(), limit = TIMEOUT_NS / 1000000 * tsc_khz;
    unsigned int len = 0;

    while (line[len]) {
        len++;
    }
    tx_next = line;
    outb((uint16_t)(port + UART_LCR), 0x03);
    outb((uint16_t)(port + UART_IIR), 0x07); /* FIFOs on and cleared */
    outb((uint16_t)(port + UART_MCR), 0x0b); /* DTR, RTS, OUT2: the interrupt line is on */
    outb((uint16_t)(port + UART_IER), 0x02); /* THR empty: due at once */
    lapic_write(REG_DIVIDE, 0xb);
    lapic_write(REG_LVT_TMR, VEC_TICK | (1u << 17)); /* periodic */
    lapic_write(REG_INITIAL, 10000000);              /* 10 ms at axvm's 1 GHz */
    while (*tx_next && rdtsc() - start < limit) {
        __asm__ volatile("sti; hlt; cli");
    }
    __asm__ volatile("sti; nop; cli");
    lapic_write(REG_INITIAL, 0);
    check(!*tx_next, "uartirq: the line went out by interrupts (%u THRE interrupts)", nr_thre);
    check(nr_thre >= len, "uartirq: one THRE interrupt per byte (%u for %u bytes)", nr_thre, len);
    check(nr_other == 0, "uartirq: no other interrupt reasons (%u)", nr_other);
}

/* Loopback: MCR drives MSR, and what is sent comes back. Interrupts off. */
static void check_loopback(void)
{
    outb((uint16_t)(port + UART_IER), 0);
    outb((uint16_t)(port + UART_MCR), 0x1a); /* loop, RTS, OUT2 */
    check((inb((uint16_t)(port + UART_MSR)) & 0xf0) == 0x90,
          "uartirq: loopback shows RTS as CTS and OUT2 as DCD");
    /* Drain what is waiting; bounded, since a port with no UART reads 0xff (always "ready"). */
    for (unsigned int i = 0; i < 64 && (inb((uint16_t)(port + UART_LSR)) & 0x01); i++) {
        inb(port + UART_DATA);
    }
    outb(port + UART_DATA, 'Z');
    check(inb((uint16_t)(port + UART_LSR)) & 0x01, "uartirq: loopback byte received");
    check(inb(port + UART_DATA) == 'Z', "uartirq: loopback byte is the one sent");
    outb((uint16_t)(port + UART_MCR), 0x03);
}

static bool has_word(const char *s, const char *word)
{
    for (; s && *s; s++) {
        const char *a = s, *b = word;

        while (*b && *a == *b) {
            a++;
            b++;
        }
        if (!*b && (*a == ' ' || !*a)) {
            return true;
        }
    }
    return false;
}

void guest_main(const struct guest_boot *boot)
{
    const struct mb1_info *mbi = boot->arch.mbi;
    bool com2 = (mbi->flags & (1u << 2)) && has_word((const char *)(uintptr_t)mbi->cmdline, "com2");
    unsigned int pin = com2 ? 3 : 4;

    port = com2 ? 0x2f8 : 0x3f8;
    guest_set_handler(VEC_UART, on_uart);
    guest_set_handler(VEC_TICK, on_tick);
    guest_set_handler(VEC_SPUR, on_spurious);
    lapic_write(REG_SVR, 0x100 | VEC_SPUR);
    check_controllers(pin);
    send_line_by_interrupts(com2 ? "uartirq: hello on the machine's COM2\n"
                                 : "uartirq: hello through the THRE interrupt\n",
                            guest_tsc_khz());
    check_loopback();
    guest_finish("uartirq");
}
