/* SPDX-License-Identifier: MIT */
/* The test-guest library, the part every arch shares (lib/guest.h). */
#include <hv/fmt.h>
#include <hv/string.h>
#include "guest.h"

static unsigned int nr_passed, nr_failed;

static void console_out(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    guest_console_write(s, len);
}

void guest_puts(const char *s)
{
    guest_console_write(s, strlen(s));
}

void guest_printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fmt_vformat(console_out, NULL, fmt, ap);
    va_end(ap);
}

void check(bool ok, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fmt_vformat(console_out, NULL, fmt, ap);
    va_end(ap);
    guest_puts(ok ? ": ok\n" : ": FAILED\n");
    *(ok ? &nr_passed : &nr_failed) += 1;
}

unsigned int guest_summary(const char *name)
{
    guest_printf("SUMMARY %s: %u passed, %u failed\n", name, nr_passed, nr_failed);
    return nr_failed;
}

void guest_finish(const char *name)
{
    guest_exit(guest_summary(name) ? 1 : 0);
}

/* Defined by lib/<arch>/child.c and child-code.S. */
extern const struct guest_child guest_child_platform;
extern const uint8_t guest_child_hi[], guest_child_hi_end[];
extern const uint8_t guest_child_exit[], guest_child_exit_end[];

const struct guest_child *guest_child(enum guest_child_kind kind)
{
    static struct guest_child c;

    c = guest_child_platform;
    c.code = kind == GUEST_CHILD_SAY_HI ? guest_child_hi : guest_child_exit;
    c.code_size = kind == GUEST_CHILD_SAY_HI ? (uint64_t)(guest_child_hi_end - guest_child_hi)
                                             : (uint64_t)(guest_child_exit_end - guest_child_exit);
    return &c;
}
