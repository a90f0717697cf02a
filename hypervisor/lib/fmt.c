/* SPDX-License-Identifier: MIT */
/*
 * printf-style formatting for the hypervisor: one formatter writing into a sink, used by the
 * console (no intermediate buffer) and by fmt_snprintf.
 */
#include <hv/fmt.h>
#include <hv/string.h>

struct spec {
    bool left;     /* '-' */
    bool zero;     /* '0' */
    bool plus;     /* '+' */
    bool space;    /* ' ' */
    bool alt;      /* '#' */
    int width;     /* -1: none */
    int precision; /* -1: none */
    int length;    /* count of 'l' (z, j, t count as 2), or -1 'h', -2 'hh' */
};

struct sink {
    fmt_out_fn out;
    void *ctx;
    size_t count;
};

static void emit(struct sink *sk, const char *s, size_t len)
{
    if (len) {
        sk->out(sk->ctx, s, len);
        sk->count += len;
    }
}

static void emit_repeat(struct sink *sk, char c, int n)
{
    char chunk[16];

    memset(chunk, c, sizeof(chunk));
    while (n > 0) {
        size_t len = n > (int)sizeof(chunk) ? sizeof(chunk) : (size_t)n;

        emit(sk, chunk, len);
        n -= (int)len;
    }
}

/* Emit body (with an optional sign/prefix) padded to the field width. */
static void emit_field(struct sink *sk, const struct spec *sp, const char *prefix, const char *body,
                       size_t body_len, int min_digits)
{
    size_t prefix_len = strlen(prefix);
    int zeros = min_digits > (int)body_len ? min_digits - (int)body_len : 0;
    int pad = sp->width - (int)(prefix_len + body_len) - zeros;

    if (pad < 0) {
        pad = 0;
    }
    if (!sp->left && !(sp->zero && sp->precision < 0)) {
        emit_repeat(sk, ' ', pad);
    }
    emit(sk, prefix, prefix_len);
    if (!sp->left && sp->zero && sp->precision < 0) {
        emit_repeat(sk, '0', pad);
    }
    emit_repeat(sk, '0', zeros);
    emit(sk, body, body_len);
    if (sp->left) {
        emit_repeat(sk, ' ', pad);
    }
}

static void format_unsigned(struct sink *sk, const struct spec *sp, uint64_t v, unsigned base,
                            bool upper, const char *sign)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24];
    char prefix[4] = "";
    size_t n = 0;

    if (v == 0 && sp->precision == 0) {
        n = 0; /* "%.0d" of 0 prints nothing, as in C */
    } else {
        do {
            buf[sizeof(buf) - 1 - n++] = digits[v % base];
            v /= base;
        } while (v);
    }
    strlcpy(prefix, sign, sizeof(prefix));
    if (sp->alt && base == 16 && n && !(n == 1 && buf[sizeof(buf) - 1] == '0')) {
        strlcpy(prefix + strlen(prefix), upper ? "0X" : "0x", sizeof(prefix) - strlen(prefix));
    } else if (sp->alt && base == 8 && sp->precision <= (int)n &&
               (n == 0 || buf[sizeof(buf) - n] != '0')) {
        /* '#' with %o makes the first digit a 0; zeros from the precision already do */
        strlcpy(prefix + strlen(prefix), "0", sizeof(prefix) - strlen(prefix));
    }
    emit_field(sk, sp, prefix, buf + sizeof(buf) - n, n, sp->precision);
}

static uint64_t fetch_unsigned(const struct spec *sp, va_list *ap)
{
    switch (sp->length) {
    case -2:
        return (unsigned char)va_arg(*ap, unsigned int);
    case -1:
        return (unsigned short)va_arg(*ap, unsigned int);
    case 0:
        return va_arg(*ap, unsigned int);
    case 1:
        return va_arg(*ap, unsigned long);
    default:
        return va_arg(*ap, unsigned long long);
    }
}

static int64_t fetch_signed(const struct spec *sp, va_list *ap)
{
    switch (sp->length) {
    case -2:
        return (signed char)va_arg(*ap, int);
    case -1:
        return (short)va_arg(*ap, int);
    case 0:
        return va_arg(*ap, int);
    case 1:
        return va_arg(*ap, long);
    default:
        return va_arg(*ap, long long);
    }
}

static void format_signed(struct sink *sk, const struct spec *sp, int64_t v)
{
    const char *sign = v < 0 ? "-" : sp->plus ? "+" : sp->space ? " " : "";
    uint64_t magnitude = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    format_unsigned(sk, sp, magnitude, 10, false, sign);
}

static void format_string(struct sink *sk, const struct spec *sp, const char *s)
{
    size_t len;

    if (!s) {
        s = "(null)";
    }
    len = sp->precision >= 0 ? strnlen(s, (size_t)sp->precision) : strlen(s);
    emit_field(sk, sp, "", s, len, 0);
}

/* Parse flags, width, precision and length at *p; advances *p to the conversion letter. */
static void parse_spec(const char **p, struct spec *sp, va_list *ap)
{
    const char *f = *p;

    memset(sp, 0, sizeof(*sp));
    sp->width = -1;
    sp->precision = -1;
    for (;; f++) {
        if (*f == '-') {
            sp->left = true;
        } else if (*f == '0') {
            sp->zero = true;
        } else if (*f == '+') {
            sp->plus = true;
        } else if (*f == ' ') {
            sp->space = true;
        } else if (*f == '#') {
            sp->alt = true;
        } else {
            break;
        }
    }
    if (*f == '*') {
        sp->width = va_arg(*ap, int);
        if (sp->width < 0) {
            sp->left = true;
            sp->width = -sp->width;
        }
        f++;
    } else {
        for (sp->width = 0; *f >= '0' && *f <= '9'; f++) {
            sp->width = sp->width * 10 + (*f - '0');
        }
    }
    if (*f == '.') {
        f++;
        if (*f == '*') {
            sp->precision = va_arg(*ap, int);
            f++;
        } else {
            for (sp->precision = 0; *f >= '0' && *f <= '9'; f++) {
                sp->precision = sp->precision * 10 + (*f - '0');
            }
        }
        if (sp->precision < 0) {
            sp->precision = -1;
        }
    }
    for (;; f++) {
        if (*f == 'l') {
            sp->length++;
        } else if (*f == 'h') {
            sp->length--;
        } else if (*f == 'z' || *f == 'j' || *f == 't') {
            sp->length = 2;
        } else {
            break;
        }
    }
    *p = f;
}

static void format_one(struct sink *sk, struct spec *sp, char conv, va_list *ap)
{
    char c;

    switch (conv) {
    case 'd':
    case 'i':
        format_signed(sk, sp, fetch_signed(sp, ap));
        break;
    case 'u':
        format_unsigned(sk, sp, fetch_unsigned(sp, ap), 10, false, "");
        break;
    case 'x':
    case 'X':
        format_unsigned(sk, sp, fetch_unsigned(sp, ap), 16, conv == 'X', "");
        break;
    case 'o':
        format_unsigned(sk, sp, fetch_unsigned(sp, ap), 8, false, "");
        break;
    case 'p':
        sp->alt = false;
        sp->zero = true;
        sp->width = 2 + 2 * (int)sizeof(void *);
        format_unsigned(sk, sp, (uintptr_t)va_arg(*ap, void *), 16, false, "0x");
        break;
    case 'c':
        c = (char)va_arg(*ap, int);
        emit_field(sk, sp, "", &c, 1, 0);
        break;
    case 's':
        format_string(sk, sp, va_arg(*ap, const char *));
        break;
    case '%':
        emit(sk, "%", 1);
        break;
    default:
        /* Unknown conversion: show it rather than guess at the arguments. */
        emit(sk, "%", 1);
        emit(sk, &conv, conv ? 1 : 0);
        break;
    }
}

size_t fmt_vformat(fmt_out_fn out, void *ctx, const char *fmt, va_list ap)
{
    struct sink sk = {out, ctx, 0};
    struct spec sp;
    va_list args;

    va_copy(args, ap);
    while (*fmt) {
        const char *pct = strchr(fmt, '%');

        if (!pct) {
            emit(&sk, fmt, strlen(fmt));
            break;
        }
        emit(&sk, fmt, (size_t)(pct - fmt));
        fmt = pct + 1;
        parse_spec(&fmt, &sp, &args);
        format_one(&sk, &sp, *fmt, &args);
        if (*fmt) {
            fmt++;
        }
    }
    va_end(args);
    return sk.count;
}

struct buf_sink {
    char *buf;
    size_t size;
    size_t used;
};

static void buf_out(void *ctx, const char *s, size_t len)
{
    struct buf_sink *b = ctx;

    if (b->used + 1 < b->size) {
        size_t room = b->size - 1 - b->used;
        size_t n = len < room ? len : room;

        memcpy(b->buf + b->used, s, n);
        b->used += n;
    }
}

size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct buf_sink b = {buf, size, 0};
    size_t total = fmt_vformat(buf_out, &b, fmt, ap);

    if (size) {
        buf[b.used] = '\0';
    }
    return total;
}

size_t fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    size_t n;

    va_start(ap, fmt);
    n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
