/* SPDX-License-Identifier: MIT */
/*
 * printf-style formatting (hypervisor/lib/fmt.c): %d %i %u %x %X %o %c %s %p %%, with the
 * flags - 0 + space #, a width and precision (numbers or *), and the length modifiers
 * hh h l ll z j t. No floating point.
 */
#ifndef HV_FMT_H
#define HV_FMT_H

#include <stdarg.h>
#include <hv/compiler.h>
#include <hv/types.h>

/* Receives formatted output in pieces; len may be 0. */
typedef void (*fmt_out_fn)(void *ctx, const char *s, size_t len);

/*
 * Format into a sink.
 * Returns: the number of characters produced.
 */
size_t fmt_vformat(fmt_out_fn out, void *ctx, const char *fmt, va_list ap);

/*
 * Format into buf, always NUL-terminated when size > 0.
 * Returns: the length the full result has, as C's vsnprintf does (>= size means truncated).
 */
size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
size_t fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif /* HV_FMT_H */
