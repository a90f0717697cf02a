/* SPDX-License-Identifier: MIT */
/* Leveled, tagged log lines and the panic path. */
#define LOG_TAG "log"
#include <hv/console.h>
#include <hv/cpu.h>
#include <hv/fmt.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/spinlock.h>
#include <hv/string.h>
#include <hv/time.h>

#define LOG_LINE_MAX 320

static enum log_level log_level = LOG_LEVEL_INFO;
static int panicking; /* 1 once some CPU has started to panic */

void log_set_level(enum log_level level)
{
    WRITE_ONCE(log_level, level);
}

enum log_level log_get_level(void)
{
    return READ_ONCE(log_level);
}

static const char *level_word(enum log_level level)
{
    switch (level) {
    case LOG_LEVEL_ERR:
        return "error: ";
    case LOG_LEVEL_WARN:
        return "warning: ";
    default:
        return "";
    }
}

/*
 * Format "(axvm) [cpuN] tag: <level word>message" and a newline into line, which has room for
 * LOG_LINE_MAX + 1 bytes. A message too long for one line is cut and ends in "...".
 * Returns: the bytes to write.
 */
static size_t format_line(char *line, const char *tag, enum log_level level, const char *fmt,
                          va_list ap)
{
    size_t n = fmt_snprintf(line, LOG_LINE_MAX, "(axvm) [cpu%u] %s: %s", this_cpu_id(), tag,
                            level_word(level));

    if (n < LOG_LINE_MAX) {
        n += fmt_vsnprintf(line + n, LOG_LINE_MAX - n, fmt, ap);
    }
    if (n >= LOG_LINE_MAX) {
        n = LOG_LINE_MAX - 1;
        line[n - 3] = '.'; /* the line is written by length, not NUL-terminated */
        line[n - 2] = '.';
        line[n - 1] = '.';
    }
    line[n] = '\n';
    return n + 1;
}

void log_printf(enum log_level level, const char *tag, const char *fmt, ...)
{
    char line[LOG_LINE_MAX + 1];
    va_list ap;
    size_t len;

    if (level > log_get_level()) {
        return;
    }
    va_start(ap, fmt);
    len = format_line(line, tag, level, fmt, ap);
    va_end(ap);
    console_write(line, len);
}

/* Token bucket shared by all guests: true when a guest message may be printed now. */
static bool guest_budget_take(unsigned int *dropped)
{
    static spinlock_t lock = SPINLOCK_INIT;
    static uint64_t tokens_ns = LOG_GUEST_BURST * (NSEC_PER_SEC / LOG_GUEST_PER_SEC);
    static uint64_t last_ns;
    static unsigned int nr_dropped;
    const uint64_t cost = NSEC_PER_SEC / LOG_GUEST_PER_SEC;
    unsigned long flags = spin_lock_irqsave(&lock);
    uint64_t now = arch_time_now_ns();
    bool ok;

    tokens_ns = MIN(tokens_ns + (now - last_ns), LOG_GUEST_BURST * cost);
    last_ns = now;
    ok = tokens_ns >= cost;
    if (ok) {
        tokens_ns -= cost;
        *dropped = nr_dropped;
        nr_dropped = 0;
    } else {
        nr_dropped++;
    }
    spin_unlock_irqrestore(&lock, flags);
    return ok;
}

void log_guest_printf(enum log_level level, domid_t domid, unsigned int vcpu, const char *fmt, ...)
{
    char tag[24], msg[LOG_LINE_MAX];
    unsigned int dropped;
    va_list ap;

    if (level > log_get_level() || !guest_budget_take(&dropped)) {
        return;
    }
    if (dropped) {
        log_printf(LOG_LEVEL_WARN, "log", "%u guest messages dropped (rate limit)", dropped);
    }
    fmt_snprintf(tag, sizeof(tag), "d%uv%u", domid, vcpu);
    va_start(ap, fmt);
    fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_printf(level, tag, "%s", msg);
}

int log_err_origin(int code, const char *file, int line)
{
    log_printf(LOG_LEVEL_DEBUG, "err", "%s:%d: returns %d", file, line, code);
    return code;
}

void panic(const char *fmt, ...)
{
    char line[LOG_LINE_MAX + 1];
    va_list ap;
    size_t len;

    local_irq_save();
    if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL)) {
        arch_cpu_halt(); /* another CPU is already panicking and will report */
    }
    console_force_unlock();
    va_start(ap, fmt);
    len = format_line(line, "PANIC", LOG_LEVEL_NONE, fmt, ap);
    va_end(ap);
    console_write(line, len);
    arch_smp_stop_others();
    console_printf("(axvm) [cpu%u] system halted\n", this_cpu_id());
    arch_cpu_halt();
}
