/* SPDX-License-Identifier: MIT */
/*
 * Domain consoles (<hv/vconsole.h>): output line-buffered to the hypervisor console, plus a
 * ring; input handed to the sink the console device registered.
 */
#define LOG_TAG "vconsole"
#include <hv/console.h>
#include <hv/string.h>
#include <hv/vconsole.h>
#include <public/axvm/errno.h>

_Static_assert((VCONSOLE_RING_SIZE & (VCONSOLE_RING_SIZE - 1)) == 0, "ring size: power of two");

static bool echo_by_default = true;

void vconsole_set_echo_default(bool echo)
{
    __atomic_store_n(&echo_by_default, echo, __ATOMIC_RELEASE);
}

void vconsole_init(struct vconsole *c, domid_t domid)
{
    memset(c, 0, sizeof(*c));
    spin_lock_init(&c->lock);
    c->domid = domid;
    c->echo = __atomic_load_n(&echo_by_default, __ATOMIC_ACQUIRE);
}

/* Context: c->lock held. */
static void emit_line(struct vconsole *c)
{
    if (c->echo) {
        console_printf("(d%u) %.*s\n", c->domid, (int)c->line_len, c->line);
    }
    c->line_len = 0;
}

static bool is_printable(char ch)
{
    return (ch >= ' ' && ch < 0x7f) || ch == '\t';
}

void vconsole_set_raw(struct vconsole *c, bool raw)
{
    unsigned long flags = spin_lock_irqsave(&c->lock);

    c->raw = raw;
    spin_unlock_irqrestore(&c->lock, flags);
}

void vconsole_write(struct vconsole *c, const char *s, size_t len)
{
    unsigned long flags = spin_lock_irqsave(&c->lock);

    if (c->raw) {
        for (size_t i = 0; i < len; i++) {
            c->ring[c->ring_written++ & (VCONSOLE_RING_SIZE - 1)] = s[i];
        }
        console_write_raw(s, len);
        spin_unlock_irqrestore(&c->lock, flags);
        return;
    }

    for (size_t i = 0; i < len; i++) {
        char ch = s[i];

        c->ring[c->ring_written++ & (VCONSOLE_RING_SIZE - 1)] = ch;
        if (ch == '\n') {
            emit_line(c);
        } else if (is_printable(ch)) { /* control characters stay out of our log */
            if (c->line_len == VCONSOLE_LINE_MAX) {
                emit_line(c); /* a long line goes out in pieces */
            }
            c->line[c->line_len++] = ch;
        }
    }
    spin_unlock_irqrestore(&c->lock, flags);
}

void vconsole_flush(struct vconsole *c)
{
    unsigned long flags = spin_lock_irqsave(&c->lock);

    if (c->line_len) {
        emit_line(c);
    }
    spin_unlock_irqrestore(&c->lock, flags);
}

size_t vconsole_read(struct vconsole *c, uint64_t *pos, char *buf, size_t len)
{
    unsigned long flags = spin_lock_irqsave(&c->lock);
    uint64_t oldest =
        c->ring_written > VCONSOLE_RING_SIZE ? c->ring_written - VCONSOLE_RING_SIZE : 0;
    uint64_t from = MAX(*pos, oldest);
    size_t n = 0;

    while (n < len && from + n < c->ring_written) {
        buf[n] = c->ring[(from + n) & (VCONSOLE_RING_SIZE - 1)];
        n++;
    }
    *pos = from + n;
    spin_unlock_irqrestore(&c->lock, flags);
    return n;
}

uint64_t vconsole_written(struct vconsole *c)
{
    unsigned long flags = spin_lock_irqsave(&c->lock);
    uint64_t written = c->ring_written;

    spin_unlock_irqrestore(&c->lock, flags);
    return written;
}

void vconsole_set_input(struct vconsole *c,
                        size_t (*sink)(void *ctx, const uint8_t *buf, size_t len), void *ctx)
{
    unsigned long flags = spin_lock_irqsave(&c->lock);

    c->input_sink = sink;
    c->input_ctx = sink ? ctx : NULL;
    spin_unlock_irqrestore(&c->lock, flags);
}

void vconsole_drop_input(struct vconsole *c, const void *ctx)
{
    unsigned long flags = spin_lock_irqsave(&c->lock);

    if (c->input_sink && c->input_ctx == ctx) {
        c->input_sink = NULL;
        c->input_ctx = NULL;
    }
    spin_unlock_irqrestore(&c->lock, flags);
}

int vconsole_input(struct vconsole *c, const uint8_t *buf, size_t len)
{
    unsigned long flags = spin_lock_irqsave(&c->lock);
    vconsole_input_fn sink = c->input_sink;
    void *ctx = c->input_ctx;
    size_t accepted;

    spin_unlock_irqrestore(&c->lock, flags);
    if (!sink) {
        return -AXVM_ENODEV;
    }
    if (!len) {
        return 0;
    }
    /* The sink takes its own lock; ours is not held, so it may also write output. */
    accepted = sink(ctx, buf, len);
    return (int)MIN(accepted, len);
}
