/* SPDX-License-Identifier: MIT */
/* The x86 console: a 16550 UART on COM1 (default) or COM2, 115200 8N1, polled. */
#define LOG_TAG "serial"
#include <hv/console.h>
#include <hv/string.h>
#include <public/axvm/errno.h>
#include <x86/asm.h>
#include <x86/x86.h>

#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_IER 1
#define UART_DLL 0 /* divisor latch (DLAB=1) */
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THRE 0x20
#define LSR_DR   0x01   /* a received byte is waiting */
#define TX_SPINS 100000 /* give up on a stuck or absent UART rather than hang */

static uint16_t console_port; /* 0: no console */

static void uart_init(uint16_t port)
{
    outb((uint16_t)(port + UART_IER), 0x00);
    outb((uint16_t)(port + UART_LCR), 0x80); /* DLAB on */
    outb((uint16_t)(port + UART_DLL), 0x01); /* 115200 baud */
    outb((uint16_t)(port + UART_DLM), 0x00);
    outb((uint16_t)(port + UART_LCR), 0x03); /* 8N1 */
    outb((uint16_t)(port + UART_FCR), 0xc7); /* FIFOs on, cleared */
    outb((uint16_t)(port + UART_MCR), 0x03); /* DTR, RTS */
}

void serial_init_default(void)
{
    console_port = 0x3f8;
    uart_init(console_port);
}

void arch_console_write(const char *s, size_t len)
{
    if (!console_port) {
        return;
    }
    for (size_t i = 0; i < len; i++) {
        for (unsigned int spin = 0; spin < TX_SPINS; spin++) {
            if (inb((uint16_t)(console_port + UART_LSR)) & LSR_THRE) {
                break;
            }
        }
        outb(console_port, (uint8_t)s[i]);
    }
}

size_t arch_console_read(char *buf, size_t max)
{
    size_t n = 0;

    while (console_port && n < max && (inb((uint16_t)(console_port + UART_LSR)) & LSR_DR)) {
        buf[n++] = (char)inb(console_port);
    }
    return n;
}

int arch_console_select(const char *name)
{
    static const struct {
        const char *name;
        uint16_t port;
    } consoles[] = {{"com1", 0x3f8}, {"com2", 0x2f8}, {"none", 0}};

    for (size_t i = 0; i < ARRAY_SIZE(consoles); i++) {
        if (strcmp(name, consoles[i].name) == 0) {
            console_port = consoles[i].port;
            if (console_port) {
                uart_init(console_port);
            }
            return 0;
        }
    }
    return -AXVM_EINVAL;
}
