/* SPDX-License-Identifier: MIT */
/*
 * Suite "fmt": the printf-style formatter in hypervisor/lib/fmt.c. Where it claims C semantics,
 * its output, its return value and what it writes into short buffers are compared with the host
 * C library's snprintf; %p, %s of NULL and the sink interface are checked on their own.
 */
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hv/fmt.h>
#include <unit.h>

#define OUT_SIZE 160
#define FILL     '#'

/* How a libc case passes its arguments; W = an int width, P = an int precision, first. */
enum arg_kind {
    ARG_NONE,
    ARG_INT,
    ARG_UINT,
    ARG_LONG,
    ARG_ULONG,
    ARG_LLONG,
    ARG_ULLONG,
    ARG_SIZE,
    ARG_PTRDIFF,
    ARG_INTMAX,
    ARG_UINTMAX,
    ARG_STR,
    ARG_W_INT,
    ARG_P_INT,
    ARG_WP_INT,
    ARG_W_STR,
    ARG_P_STR,
};

struct libc_case {
    const char *fmt;
    enum arg_kind kind;
    long long n;          /* signed kinds and ARG_*_INT */
    unsigned long long u; /* unsigned kinds */
    const char *s;        /* ARG_*STR */
    int w, p;             /* '*' width and precision */
};

static const struct libc_case libc_cases[] = {
    /* plain text and %% */
    {"plain text", ARG_NONE, .n = 0},
    {"100%% sure", ARG_NONE, .n = 0},
    {"", ARG_NONE, .n = 0},
    /* conversions */
    {"%d", ARG_INT, .n = 0},
    {"%d", ARG_INT, .n = 42},
    {"%d", ARG_INT, .n = -42},
    {"%d", ARG_INT, .n = INT_MAX},
    {"%d", ARG_INT, .n = INT_MIN},
    {"%i", ARG_INT, .n = -7},
    {"%u", ARG_UINT, .u = 0},
    {"%u", ARG_UINT, .u = UINT_MAX},
    {"%x", ARG_UINT, .u = 0xdeadbeef},
    {"%X", ARG_UINT, .u = 0xdeadbeef},
    {"%o", ARG_UINT, .u = 8},
    {"%o", ARG_UINT, .u = 0777},
    {"%c", ARG_INT, .n = 'A'},
    {"%s", ARG_STR, .s = "hello"},
    {"%s", ARG_STR, .s = ""},
    /* width and the flags - 0 + space */
    {"%5d", ARG_INT, .n = 42},
    {"%-5d|", ARG_INT, .n = 42},
    {"%05d", ARG_INT, .n = 42},
    {"%05d", ARG_INT, .n = -42},
    {"%+d", ARG_INT, .n = 42},
    {"%+d", ARG_INT, .n = -42},
    {"%+d", ARG_INT, .n = 0},
    {"% d", ARG_INT, .n = 42},
    {"% d", ARG_INT, .n = -42},
    {"% +d", ARG_INT, .n = 42},
    {"%-05d|", ARG_INT, .n = 42},
    {"%+05d", ARG_INT, .n = 42},
    {"% 05d", ARG_INT, .n = 42},
    {"%+u", ARG_UINT, .u = 42},
    {"% x", ARG_UINT, .u = 42},
    {"%1d", ARG_INT, .n = 12345},
    {"%40d", ARG_INT, .n = 1},
    {"%-40s|", ARG_STR, .s = "x"},
    {"%040x", ARG_UINT, .u = 0xab},
    {"%3c", ARG_INT, .n = 'x'},
    {"%-3c|", ARG_INT, .n = 'x'},
    {"%10s", ARG_STR, .s = "right"},
    {"%-10s|", ARG_STR, .s = "left"},
    /* precision */
    {"%.3d", ARG_INT, .n = 7},
    {"%.3d", ARG_INT, .n = -7},
    {"%.0d", ARG_INT, .n = 0},
    {"%.d", ARG_INT, .n = 0},
    {"%5.0d|", ARG_INT, .n = 0},
    {"%+.0d", ARG_INT, .n = 0},
    {"%08.3d", ARG_INT, .n = 7},
    {"%-8.3d|", ARG_INT, .n = -7},
    {"%.10d", ARG_INT, .n = INT_MIN},
    {"%.0x", ARG_UINT, .u = 0},
    {"%.5u", ARG_UINT, .u = 123},
    {"%.2s", ARG_STR, .s = "abcdef"},
    {"%.0s|", ARG_STR, .s = "abcdef"},
    {"%10.3s", ARG_STR, .s = "abcdef"},
    {"%.10s", ARG_STR, .s = "abc"},
    /* the # flag */
    {"%#x", ARG_UINT, .u = 255},
    {"%#X", ARG_UINT, .u = 255},
    {"%#x", ARG_UINT, .u = 0},
    {"%#.0x|", ARG_UINT, .u = 0},
    {"%#08x", ARG_UINT, .u = 0x12},
    {"%#.4x", ARG_UINT, .u = 0x12},
    {"%#-8x|", ARG_UINT, .u = 0x12},
    {"%#o", ARG_UINT, .u = 8},
    {"%#o", ARG_UINT, .u = 0},
    {"%#.0o", ARG_UINT, .u = 0},
    {"%#10o", ARG_UINT, .u = 8},
    {"%#08o", ARG_UINT, .u = 8},
    /* length modifiers */
    {"%hhd", ARG_INT, .n = 300},
    {"%hhd", ARG_INT, .n = -129},
    {"%hhd", ARG_INT, .n = -128},
    {"%hhu", ARG_UINT, .u = UINT_MAX},
    {"%hhx", ARG_UINT, .u = 0x1ff},
    {"%hd", ARG_INT, .n = 40000},
    {"%hd", ARG_INT, .n = SHRT_MIN},
    {"%hu", ARG_UINT, .u = 70000},
    {"%hx", ARG_UINT, .u = 0x12345},
    {"%ld", ARG_LONG, .n = LONG_MIN},
    {"%ld", ARG_LONG, .n = LONG_MAX},
    {"%lu", ARG_ULONG, .u = ULONG_MAX},
    {"%lx", ARG_ULONG, .u = ULONG_MAX},
    {"%lld", ARG_LLONG, .n = LLONG_MIN},
    {"%lld", ARG_LLONG, .n = LLONG_MAX},
    {"%lli", ARG_LLONG, .n = -1},
    {"%llu", ARG_ULLONG, .u = ULLONG_MAX},
    {"%llx", ARG_ULLONG, .u = 0x0123456789abcdefULL},
    {"%llX", ARG_ULLONG, .u = 0xfedcba9876543210ULL},
    {"%llo", ARG_ULLONG, .u = ULLONG_MAX},
    {"%#llx", ARG_ULLONG, .u = ULLONG_MAX},
    {"%+lld", ARG_LLONG, .n = LLONG_MAX},
    {"%25lld|", ARG_LLONG, .n = LLONG_MIN},
    {"%-25lld|", ARG_LLONG, .n = LLONG_MIN},
    {"%025lld", ARG_LLONG, .n = LLONG_MIN},
    {"%zu", ARG_SIZE, .u = SIZE_MAX},
    {"%zx", ARG_SIZE, .u = 0xabcdef},
    {"%zd", ARG_PTRDIFF, .n = -5}, /* glibc: ssize_t, which is ptrdiff_t's type here */
    {"%td", ARG_PTRDIFF, .n = PTRDIFF_MIN},
    {"%jd", ARG_INTMAX, .n = INTMAX_MIN},
    {"%ju", ARG_UINTMAX, .u = UINTMAX_MAX},
    /* '*' width and precision */
    {"%*d", ARG_W_INT, .w = 6, .n = 42},
    {"%*d|", ARG_W_INT, .w = -6, .n = 42},
    {"%-*d|", ARG_W_INT, .w = 6, .n = 42},
    {"%0*d", ARG_W_INT, .w = 5, .n = -42},
    {"%.*d", ARG_P_INT, .p = 4, .n = 7},
    {"%.*d", ARG_P_INT, .p = -1, .n = 7},
    {"%.*d", ARG_P_INT, .p = 0, .n = 0},
    {"%*.*d", ARG_WP_INT, .w = 8, .p = 3, .n = -7},
    {"%*.*d|", ARG_WP_INT, .w = -8, .p = 3, .n = 7},
    {"%*s|", ARG_W_STR, .w = 5, .s = "ab"},
    {"%*s|", ARG_W_STR, .w = -5, .s = "ab"},
    {"%.*s", ARG_P_STR, .p = 3, .s = "abcdef"},
    {"%.*s", ARG_P_STR, .p = -1, .s = "abcdef"},
};

/* Inside format_case(): the same call to the host's snprintf or to ours. */
#define FORMAT(...)                                              \
    (use_libc ? (size_t)snprintf(buf, size, c->fmt, __VA_ARGS__) \
              : fmt_snprintf(buf, size, c->fmt, __VA_ARGS__))

/* Format one case with ours (use_libc false) or the host's snprintf. */
static size_t format_case(bool use_libc, char *buf, size_t size, const struct libc_case *c)
{
    switch (c->kind) {
    case ARG_NONE:
        return FORMAT(0); /* an unused argument keeps -Wformat-security quiet */
    case ARG_INT:
        return FORMAT((int)c->n);
    case ARG_UINT:
        return FORMAT((unsigned int)c->u);
    case ARG_LONG:
        return FORMAT((long)c->n);
    case ARG_ULONG:
        return FORMAT((unsigned long)c->u);
    case ARG_LLONG:
        return FORMAT(c->n);
    case ARG_ULLONG:
        return FORMAT(c->u);
    case ARG_SIZE:
        return FORMAT((size_t)c->u);
    case ARG_PTRDIFF:
        return FORMAT((ptrdiff_t)c->n);
    case ARG_INTMAX:
        return FORMAT((intmax_t)c->n);
    case ARG_UINTMAX:
        return FORMAT((uintmax_t)c->u);
    case ARG_STR:
        return FORMAT(c->s);
    case ARG_W_INT:
        return FORMAT(c->w, (int)c->n);
    case ARG_P_INT:
        return FORMAT(c->p, (int)c->n);
    case ARG_WP_INT:
        return FORMAT(c->w, c->p, (int)c->n);
    case ARG_W_STR:
        return FORMAT(c->w, c->s);
    case ARG_P_STR:
        return FORMAT(c->p, c->s);
    }
    return 0;
}

/* Format c into a buffer of size bytes (inside a larger, filled one) with both; compare all. */
static void check_case_like_libc(const struct libc_case *c, size_t size)
{
    char ours[OUT_SIZE], ref[OUT_SIZE];
    size_t ours_len, ref_len;

    memset(ours, FILL, sizeof(ours));
    memset(ref, FILL, sizeof(ref));
    ours_len = format_case(false, ours, size, c);
    ref_len = format_case(true, ref, size, c);
    UNIT_CHECK(ours_len == ref_len, "\"%s\" (size %zu): returns %zu, libc %zu", c->fmt, size,
               ours_len, ref_len);
    UNIT_CHECK(memcmp(ours, ref, sizeof(ours)) == 0,
               "\"%s\" (size %zu): wrote \"%.*s\", libc \"%.*s\"", c->fmt, size, (int)sizeof(ours),
               ours, (int)sizeof(ref), ref);
}

static void test_fmt_snprintf_matches_libc_output_and_return(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(libc_cases); i++) {
        check_case_like_libc(&libc_cases[i], OUT_SIZE);
    }
}

static void test_fmt_snprintf_matches_libc_when_truncated(void)
{
    static const size_t sizes[] = {0, 1, 2, 3, 5, 8, 21};

    for (size_t i = 0; i < ARRAY_SIZE(libc_cases); i++) {
        for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
            check_case_like_libc(&libc_cases[i], sizes[s]);
        }
    }
}

/*
 * C's '#' for %o raises the precision only as far as needed to make the first digit a zero;
 * when the precision already supplies leading zeros, no extra "0" may be added ("%#.5o" of 8
 * is "00010"). Regression test for a bug fixed in fmt.c.
 */
static void test_fmt_snprintf_octal_alt_with_precision_matches_libc(void)
{
    static const struct libc_case cases[] = {
        {"%#.5o", ARG_UINT, .u = 8},
        {"%#.3o", ARG_UINT, .u = 8},
        {"%#8.4o|", ARG_UINT, .u = 0777},
        {"%#.2o", ARG_UINT, .u = 8},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        check_case_like_libc(&cases[i], OUT_SIZE);
    }
}

/* A few results spelled out, so that the libc comparison is not the only oracle. */
static void test_fmt_snprintf_formats_documented_examples(void)
{
    char out[OUT_SIZE];

    fmt_snprintf(out, sizeof(out), "[%5d|%-5d|%05d|%+d|% d]", 42, 42, -42, 7, 7);
    CU_ASSERT_STRING_EQUAL(out, "[   42|42   |-0042|+7| 7]");
    fmt_snprintf(out, sizeof(out), "[%#x|%#o|%X|%.3d|%c|%.2s]", 255u, 8u, 0xabcu, 5, 'z', "xyz");
    CU_ASSERT_STRING_EQUAL(out, "[0xff|010|ABC|005|z|xy]");
    fmt_snprintf(out, sizeof(out), "%lld", (long long)INT64_MIN);
    CU_ASSERT_STRING_EQUAL(out, "-9223372036854775808");
    fmt_snprintf(out, sizeof(out), "%hhu %hd %zu", 257u, 65535, (size_t)18);
    CU_ASSERT_STRING_EQUAL(out, "1 -1 18");
    fmt_snprintf(out, sizeof(out), "[%*d|%-*s|%.*s]", 4, 1, 3, "a", 2, "abc");
    CU_ASSERT_STRING_EQUAL(out, "[   1|a  |ab]");
}

static void test_fmt_snprintf_formats_several_conversions_in_order(void)
{
    char ours[OUT_SIZE], ref[OUT_SIZE];
    size_t ours_len = fmt_snprintf(ours, sizeof(ours), "%s=%d (%#x) %c%% %lu/%zu", "irq", -3, 48u,
                                   'k', 99ul, (size_t)7);
    int ref_len = snprintf(ref, sizeof(ref), "%s=%d (%#x) %c%% %lu/%zu", "irq", -3, 48u, 'k', 99ul,
                           (size_t)7);

    CU_ASSERT_STRING_EQUAL(ours, ref);
    CU_ASSERT_EQUAL(ours_len, (size_t)ref_len);
}

static void test_fmt_snprintf_truncates_and_terminates(void)
{
    char out[8];

    memset(out, FILL, sizeof(out));
    CU_ASSERT_EQUAL(fmt_snprintf(out, 5, "hello %s", "world"), 11);
    CU_ASSERT_STRING_EQUAL(out, "hell");
    CU_ASSERT_EQUAL(out[5], FILL); /* nothing written past size */
    CU_ASSERT_EQUAL(fmt_snprintf(out, 1, "%d", 12345), 5);
    CU_ASSERT_EQUAL(out[0], '\0');
    CU_ASSERT_EQUAL(out[1], 'e');
}

static void test_fmt_snprintf_size_0_writes_nothing_and_returns_length(void)
{
    char out[4] = {FILL, FILL, FILL, FILL};

    CU_ASSERT_EQUAL(fmt_snprintf(NULL, 0, "%s-%d", "abc", 1234), 8);
    CU_ASSERT_EQUAL(fmt_snprintf(out, 0, "%40d", 1), 40);
    CU_ASSERT_EQUAL(out[0], FILL);
    CU_ASSERT_EQUAL(fmt_snprintf(out, 0, "%s", ""), 0);
    CU_ASSERT_EQUAL(out[0], FILL);
}

/* %p is not C's (implementation-defined) %p: always "0x" and every hex digit of the pointer. */
static void test_fmt_snprintf_p_prints_0x_and_every_hex_digit(void)
{
    static const uintptr_t values[] = {0, 0x1234, 0xffff0000, UINTPTR_MAX};
    const size_t want_len = 2 + 2 * sizeof(void *);
    char out[OUT_SIZE];

    for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
        size_t len = fmt_snprintf(out, sizeof(out), "%p", (void *)values[i]);

        UNIT_CHECK(len == want_len && strlen(out) == want_len, "%%p of 0x%" PRIxPTR ": \"%s\"",
                   values[i], out);
        UNIT_CHECK(strncmp(out, "0x", 2) == 0 &&
                       strspn(out + 2, "0123456789abcdef") == want_len - 2,
                   "%%p of 0x%" PRIxPTR ": \"%s\" is not 0x and hex digits", values[i], out);
        UNIT_CHECK(strtoull(out + 2, NULL, 16) == values[i], "%%p of 0x%" PRIxPTR ": \"%s\"",
                   values[i], out);
    }
}

static void test_fmt_snprintf_s_null_prints_null(void)
{
    const char *volatile null_string = NULL; /* volatile: no compile-time -Wformat checks */
    char out[OUT_SIZE];

    CU_ASSERT_EQUAL(fmt_snprintf(out, sizeof(out), "%s", null_string), 6);
    CU_ASSERT_STRING_EQUAL(out, "(null)");
    fmt_snprintf(out, sizeof(out), "[%8s]", null_string);
    CU_ASSERT_STRING_EQUAL(out, "[  (null)]");
}

/* An unknown conversion is shown rather than guessed at (fmt.c), and consumes no argument. */
static void test_fmt_vformat_shows_unknown_conversion(void)
{
    const char *volatile fmt = "%y %d|%"; /* volatile: -Wformat would reject %y */
    char out[OUT_SIZE];

    CU_ASSERT_EQUAL(fmt_snprintf(out, sizeof(out), fmt, 5), 6);
    CU_ASSERT_STRING_EQUAL(out, "%y 5|%");
}

struct collect {
    char text[OUT_SIZE];
    size_t used;
    unsigned int calls;
};

static void collect_out(void *ctx, const char *s, size_t len)
{
    struct collect *c = ctx;

    CU_ASSERT_FATAL(c->used + len < sizeof(c->text));
    memcpy(c->text + c->used, s, len);
    c->used += len;
    c->text[c->used] = '\0';
    c->calls++;
}

static size_t vformat_into(struct collect *c, const char *fmt, ...)
{
    va_list ap;
    size_t n;

    va_start(ap, fmt);
    n = fmt_vformat(collect_out, c, fmt, ap);
    va_end(ap);
    return n;
}

static void test_fmt_vformat_sends_everything_to_the_sink(void)
{
    struct collect c = {.used = 0};
    size_t n = vformat_into(&c, "a%sb%-20dc%%", "xyz", -5);

    CU_ASSERT_EQUAL(n, c.used);
    CU_ASSERT_STRING_EQUAL(c.text, "axyzb-5                  c%");
    CU_ASSERT(c.calls >= 1);
}

static size_t vsnprintf_via(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    size_t n;

    va_start(ap, fmt);
    n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

static void test_fmt_vsnprintf_matches_fmt_snprintf(void)
{
    char a[OUT_SIZE], b[OUT_SIZE];

    for (size_t size = 0; size < 12; size++) {
        memset(a, FILL, sizeof(a));
        memset(b, FILL, sizeof(b));
        UNIT_CHECK(vsnprintf_via(a, size, "%s:%04x", "cpu", 0x3fu) ==
                       fmt_snprintf(b, size, "%s:%04x", "cpu", 0x3fu),
                   "size %zu: return values differ", size);
        UNIT_CHECK(memcmp(a, b, sizeof(a)) == 0, "size %zu: buffers differ", size);
    }
}

static CU_TestInfo fmt_tests[] = {
    UNIT_TEST(test_fmt_snprintf_matches_libc_output_and_return),
    UNIT_TEST(test_fmt_snprintf_matches_libc_when_truncated),
    UNIT_TEST(test_fmt_snprintf_octal_alt_with_precision_matches_libc),
    UNIT_TEST(test_fmt_snprintf_formats_documented_examples),
    UNIT_TEST(test_fmt_snprintf_formats_several_conversions_in_order),
    UNIT_TEST(test_fmt_snprintf_truncates_and_terminates),
    UNIT_TEST(test_fmt_snprintf_size_0_writes_nothing_and_returns_length),
    UNIT_TEST(test_fmt_snprintf_p_prints_0x_and_every_hex_digit),
    UNIT_TEST(test_fmt_snprintf_s_null_prints_null),
    UNIT_TEST(test_fmt_vformat_shows_unknown_conversion),
    UNIT_TEST(test_fmt_vformat_sends_everything_to_the_sink),
    UNIT_TEST(test_fmt_vsnprintf_matches_fmt_snprintf),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_fmt = {"fmt", NULL, NULL, NULL, NULL, fmt_tests};
UNIT_REGISTER_SUITE(unit_suite_fmt);
