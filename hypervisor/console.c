/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor console: serialises output from all CPUs onto the arch's console device, and
 * keeps the last CONSOLE_RING_SIZE bytes of it in a ring for dom0.
 *
 * dom0's console bytes go out raw, one trapped UART write at a time, so a log line from another
 * CPU could land inside one of dom0's lines ("CYC(axvm) ... LES=50"). While dom0's last line is
 * unfinished, log output is held back and sent after dom0's next newline; if dom0 leaves its
 * line unfinished for HOLD_MAX_NS (a shell prompt waiting for input), console_poll() sends it
 * on a line of its own.
 */
#define LOG_TAG "console"
#include <hv/console.h>
#include <hv/fmt.h>
#include <hv/spinlock.h>
#include <hv/string.h>
#include <hv/time.h>
#include <public/axvm/errno.h>

#define HOLD_SIZE   2048                  /* log bytes held back, CR LF expanded */
#define HOLD_MAX_NS (100 * NSEC_PER_MSEC) /* how long they may wait for dom0's newline */

static spinlock_t console_lock = SPINLOCK_INIT; /* guards the console device */
static bool console_lock_forced;                /* set once, by panic or a fatal trap */
static char ring[CONSOLE_RING_SIZE];            /* under console_lock */
static uint64_t ring_written;                   /* bytes ever written; under console_lock */
static bool raw_mid_line;                       /* the last raw byte sent was not "\n" */
static char held[HOLD_SIZE];                    /* log output waiting for raw's newline */
static size_t held_len;                         /* under console_lock; read alone by poll */
static uint64_t held_since_ns;                  /* when held_len last left 0 */

_Static_assert((CONSOLE_RING_SIZE & (CONSOLE_RING_SIZE - 1)) == 0, "ring size: power of two");

static void ring_append(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        ring[ring_written++ & (CONSOLE_RING_SIZE - 1)] = s[i];
    }
}

/* Send what was held back, on a line of its own when raw output left its line unfinished. */
static void release_held(void)
{
    if (!held_len) {
        return;
    }
    if (raw_mid_line) {
        arch_console_write("\r\n", 2);
        raw_mid_line = false;
    }
    arch_console_write(held, held_len);
    held_len = 0;
}

/* Keep bytes back (raw output is mid-line); when they do not fit, send all now. */
static void hold(const char *s, size_t len)
{
    if (held_len + len > sizeof(held)) {
        release_held();
        arch_console_write(s, len);
        return;
    }
    if (!held_len) {
        held_since_ns = arch_time_now_ns();
    }
    memcpy(held + held_len, s, len);
    held_len += len;
}

static void log_out(const char *s, size_t len)
{
    if (raw_mid_line) {
        hold(s, len);
    } else {
        arch_console_write(s, len);
    }
}

/* Keep s in the ring and send it (or hold it) with every "\n" turned into CR LF. */
static void write_expanded(const char *s, size_t len)
{
    size_t start = 0;

    ring_append(s, len);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n') {
            log_out(s + start, i - start);
            log_out("\r\n", 2);
            start = i + 1;
        }
    }
    log_out(s + start, len - start);
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
    size_t start = 0;

    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n') {
            arch_console_write(s + start, i + 1 - start);
            raw_mid_line = false;
            release_held();
            start = i + 1;
        }
    }
    if (start < len) {
        arch_console_write(s + start, len - start);
        raw_mid_line = true;
    }
    console_lock_give(flags);
}

void console_poll(uint64_t now_ns)
{
    unsigned long flags;

    if (!READ_ONCE(held_len)) {
        return;
    }
    flags = console_lock_take();
    if (held_len && now_ns >= held_since_ns + HOLD_MAX_NS) {
        release_held();
    }
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
    release_held(); /* before the panic's lines, which then go out at once */
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
