/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor console: serialises output from all CPUs onto the arch's console device, and
 * keeps the last CONSOLE_RING_SIZE bytes of it in a ring for dom0.
 */
#define LOG_TAG "console"
#include <hv/console.h>
#include <hv/fmt.h>
#include <hv/spinlock.h>
#include <public/axvm/errno.h>

static spinlock_t console_lock = SPINLOCK_INIT; /* guards the console device */
static bool console_lock_forced;                /* set once, by panic or a fatal trap */
static char ring[CONSOLE_RING_SIZE];            /* under console_lock */
static uint64_t ring_written;                   /* bytes ever written; under console_lock */

_Static_assert((CONSOLE_RING_SIZE & (CONSOLE_RING_SIZE - 1)) == 0, "ring size: power of two");

static void ring_append(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        ring[ring_written++ & (CONSOLE_RING_SIZE - 1)] = s[i];
    }
}

/* Keep s in the ring and send it to the device with every "\n" turned into CR LF. */
static void write_expanded(const char *s, size_t len)
{
    size_t start = 0;

    ring_append(s, len);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n') {
            arch_console_write(s + start, i - start);
            arch_console_write("\r\n", 2);
            start = i + 1;
        }
    }
    arch_console_write(s + start, len - start);
}

static void format_out(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    write_expanded(s, len);
}

static unsigned long console_lock_take(void)
{
    unsigned long flags = local_irq_save();

    if (!READ_ONCE(console_lock_forced)) {
        spin_lock(&console_lock);
    }
    return flags;
}

static void console_lock_give(unsigned long flags)
{
    if (!READ_ONCE(console_lock_forced)) {
        spin_unlock(&console_lock);
    }
    local_irq_restore(flags);
}

void console_write(const char *s, size_t len)
{
    unsigned long flags = console_lock_take();

    write_expanded(s, len);
    console_lock_give(flags);
}

void console_write_raw(const char *s, size_t len)
{
    unsigned long flags = console_lock_take();

    arch_console_write(s, len);
    console_lock_give(flags);
}

void console_printf(const char *fmt, ...)
{
    unsigned long flags = console_lock_take();
    va_list ap;

    va_start(ap, fmt);
    fmt_vformat(format_out, NULL, fmt, ap);
    va_end(ap);
    console_lock_give(flags);
}

void console_force_unlock(void)
{
    WRITE_ONCE(console_lock_forced, true);
}

size_t console_ring_read(uint64_t *pos, char *buf, size_t len, uint64_t *written)
{
    unsigned long flags = console_lock_take();
    uint64_t oldest = ring_written > CONSOLE_RING_SIZE ? ring_written - CONSOLE_RING_SIZE : 0;
    uint64_t from = MAX(*pos, oldest);
    size_t n = 0;

    while (n < len && from + n < ring_written) {
        buf[n] = ring[(from + n) & (CONSOLE_RING_SIZE - 1)];
        n++;
    }
    *pos = from + n;
    *written = ring_written;
    console_lock_give(flags);
    return n;
}

int console_select(const char *name)
{
    unsigned long flags = console_lock_take();
    int rc = arch_console_select(name);

    console_lock_give(flags);
    return rc;
}
