/* SPDX-License-Identifier: MIT */
/*
 * The arm64 console: a PL011 UART (Arm PrimeCell UART TRM), polled. The firmware or QEMU has
 * already set its baud rate; we only enable it.
 */
#define LOG_TAG "pl011"
#include <hv/console.h>
#include <hv/string.h>
#include <public/axvm/errno.h>
#include <arm64/arm64.h>

#define UART_DR   0x00
#define UART_FR   0x18
#define UART_CR   0x30
#define FR_TXFF   (1u << 5)
#define FR_RXFE   (1u << 4) /* receive FIFO empty */
#define CR_UARTEN (1u << 0)
#define CR_TXE    (1u << 8)
#define TX_SPINS  100000 /* give up on a stuck UART rather than hang */

static hpa_t uart_base;    /* the UART found at boot */
static hpa_t console_base; /* where output goes now; 0: nowhere */

static uint32_t uart_read(hpa_t base, uint32_t reg)
{
    return *(volatile uint32_t *)(uintptr_t)(base + reg);
}

static void uart_write(hpa_t base, uint32_t reg, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)(base + reg) = v;
}

static void uart_putc(hpa_t base, char c)
{
    for (unsigned int spin = 0; spin < TX_SPINS; spin++) {
        if (!(uart_read(base, UART_FR) & FR_TXFF)) {
            break;
        }
    }
    uart_write(base, UART_DR, (uint8_t)c);
}

void pl011_init(hpa_t base)
{
    uart_base = base;
    console_base = base;
    if (base) {
        uart_write(base, UART_CR, uart_read(base, UART_CR) | CR_UARTEN | CR_TXE);
    }
}

void pl011_early_puts(hpa_t base, const char *s)
{
    for (; *s; s++) {
        if (*s == '\n') {
            uart_putc(base, '\r');
        }
        uart_putc(base, *s);
    }
}

void arch_console_write(const char *s, size_t len)
{
    if (!console_base) {
        return;
    }
    for (size_t i = 0; i < len; i++) {
        uart_putc(console_base, s[i]);
    }
}

size_t arch_console_read(char *buf, size_t max)
{
    size_t n = 0;

    while (console_base && n < max && !(uart_read(console_base, UART_FR) & FR_RXFE)) {
        buf[n++] = (char)(uart_read(console_base, UART_DR) & 0xff);
    }
    return n;
}

int arch_console_select(const char *name)
{
    if (strcmp(name, "pl011") == 0 || strcmp(name, "dtuart") == 0) {
        console_base = uart_base;
        return 0;
    }
    if (strcmp(name, "none") == 0) {
        console_base = 0;
        return 0;
    }
    return -AXVM_EINVAL;
}
