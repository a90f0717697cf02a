/* SPDX-License-Identifier: MIT */
/*
 * The PL011 driven by interrupts from inside: the guest checks the UART's identification
 * registers (what Linux's amba-pl011 driver matches), routes its SPI (INTID 33) to vCPU 0 in the
 * GIC, unmasks the receive and receive-timeout interrupts (IMSC) and asks for a line; each
 * interrupt drains the receive FIFO and clears the interrupt (ICR). The line comes from the
 * UART itself in loopback (CR.LBE), as without dom0 no serial input reaches a domain.
 */
#include <hv/string.h>
#include "lib/guest.h"

#define UART_DR        0x000
#define UART_FR        0x018
#define UART_LCR_H     0x02c
#define UART_CR        0x030
#define UART_IMSC      0x038
#define UART_RIS       0x03c
#define UART_MIS       0x040
#define UART_ICR       0x044
#define UART_PID0      0xfe0
#define UART_CID0      0xff0
#define FR_RXFE        (1u << 4)
#define INT_RX         (1u << 4)
#define INT_RT         (1u << 6)
#define CR_ENABLE      0x301u /* UARTEN, TXE, RXE */
#define CR_LBE         0x080u /* loopback: what is sent is received */
#define LCR_H_8N1_FIFO 0x70u  /* 8 data bits, FIFOs on: the whole line fits */
#define EXPECTED       "axvm pl011 input"
#define TIMEOUT_NS     60000000000ull

static char line[64];
static volatile unsigned int line_len, nr_irqs;
static volatile bool line_done;

static uint32_t uart(unsigned int off)
{
    return mmio_read32(GUEST_UART + off);
}

static void uart_write(unsigned int off, uint32_t v)
{
    mmio_write32(GUEST_UART + off, v);
}

static void on_uart(uint32_t intid)
{
    (void)intid;
    nr_irqs++;
    while (!(uart(UART_FR) & FR_RXFE)) {
        char c = (char)(uart(UART_DR) & 0xff);

        if (c == '\r' || c == '\n') {
            line_done = line_len > 0;
        } else if (!line_done && line_len < sizeof(line) - 1) {
            line[line_len++] = c;
        }
    }
    uart_write(UART_ICR, INT_RX | INT_RT);
}

/* PeriphID: part 0x011, designer 0x41 (Arm); CellID 0xb105f00d. */
static void check_ids(void)
{
    uint32_t pid[4], cid = 0;

    for (unsigned int i = 0; i < 4; i++) {
        pid[i] = uart(UART_PID0 + 4 * i) & 0xff;
        cid |= (uart(UART_CID0 + 4 * i) & 0xff) << (8 * i);
    }
    check(pid[0] == 0x11 && (pid[1] & 0x0f) == 0 && ((pid[1] >> 4) | (pid[2] & 0xf) << 4) == 0x41,
          "uartirq: PL011 PeriphID %02x %02x %02x %02x", pid[0], pid[1], pid[2], pid[3]);
    check(cid == 0xb105f00du, "uartirq: PrimeCell ID 0x%x", cid);
}

void guest_main(const struct guest_boot *boot)
{
    uint64_t start;

    (void)boot;
    check_ids();
    gic_init();
    gic_set_handler(GUEST_UART_INTID, on_uart);
    while (!(uart(UART_FR) & FR_RXFE)) { /* whatever came before we asked */
        (void)uart(UART_DR);
    }
    uart_write(UART_ICR, 0x7ff);
    uart_write(UART_CR, CR_ENABLE);
    uart_write(UART_IMSC, INT_RX | INT_RT);
    check((uart(UART_IMSC) & (INT_RX | INT_RT)) == (INT_RX | INT_RT),
          "uartirq: IMSC reads back the receive interrupts");
    check(uart(UART_MIS) == 0, "uartirq: nothing pending before input (MIS 0x%x)", uart(UART_MIS));
    gic_enable(GUEST_UART_INTID, true);
    guest_puts("uartirq: sending a line to itself in loopback\n");
    uart_write(UART_LCR_H, LCR_H_8N1_FIFO);  /* interrupts stay masked while it sends */
    uart_write(UART_CR, CR_ENABLE | CR_LBE); /* no console output until it is off again */
    for (const char *p = EXPECTED "\n"; *p; p++) {
        uart_write(UART_DR, (uint8_t)*p);
    }
    start = guest_now_ns();
    while (!line_done && guest_now_ns() - start < TIMEOUT_NS) {
        guest_wait_irq();
    }
    uart_write(UART_CR, CR_ENABLE);
    line[line_len] = '\0';
    check(line_done && strcmp(line, EXPECTED) == 0, "uartirq: received '%s' by interrupts", line);
    check(nr_irqs >= 1 && nr_irqs <= sizeof(EXPECTED), "uartirq: %u interrupts for %u bytes",
          nr_irqs, line_len + 1);
    check((uart(UART_RIS) & (INT_RX | INT_RT)) == 0, "uartirq: cleared after the last byte");
    uart_write(UART_IMSC, 0);
    gic_enable(GUEST_UART_INTID, false);
    check(gic_nr_unhandled() == 0, "uartirq: no interrupt without a handler (%u)",
          gic_nr_unhandled());
    guest_finish("uartirq");
}
