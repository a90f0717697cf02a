/* SPDX-License-Identifier: MIT */
/* The hypervisor console: serialises output from all CPUs onto the arch's console device. */
#define LOG_TAG "console"
#include <hv/console.h>
#include <hv/fmt.h>
#include <hv/spinlock.h>
#include <public/axvm/errno.h>

static spinlock_t console_lock = SPINLOCK_INIT; /* guards the console device */
static bool console_lock_forced;                /* set once, by panic or a fatal trap */

/* Send s to the device with every "\n" turned into CR LF. */
static void write_expanded(const char *s, size_t len)
{
    size_t start = 0;

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

int console_select(const char *name)
{
    unsigned long flags = console_lock_take();
    int rc = arch_console_select(name);

    console_lock_give(flags);
    return rc;
}
