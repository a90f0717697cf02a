/* SPDX-License-Identifier: MIT */
/*
 * The values a domain definition writes as text: numbers (decimal or 0x hex, never octal),
 * libvirt's memory units, libvirt's cpuset syntax, UUIDs and access strings. Pure functions,
 * no libxml2, so the tests can drive them directly.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <public/axvm/errno.h>
#include "internal.h"

#define MAX_CPU    63
#define CPUSET_MAX 512 /* "0,1,2,...,63" is 182 characters */

bool value_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int digit_value(char c, unsigned int base)
{
    int v = -1;

    if (c >= '0' && c <= '9') {
        v = c - '0';
    } else if (base == 16 && c >= 'a' && c <= 'f') {
        v = c - 'a' + 10;
    } else if (base == 16 && c >= 'A' && c <= 'F') {
        v = c - 'A' + 10;
    }
    return v;
}

/* Parse the digits from s on, stopping at the first non-digit (*end). */
static int parse_digits(const char *s, unsigned int base, uint64_t *out, const char **end)
{
    uint64_t v = 0;
    bool too_big = false;
    int d;

    for (; (d = digit_value(*s, base)) >= 0; s++) {
        too_big |= v > (UINT64_MAX - (uint64_t)d) / base;
        v = v * base + (uint64_t)d;
    }
    *out = v;
    *end = s;
    return too_big ? -AXVM_ERANGE : 0;
}

int value_parse_u64(const char *s, uint64_t *out)
{
    unsigned int base = 10;
    const char *end;
    int rc;

    while (value_is_space(*s)) {
        s++;
    }
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (digit_value(*s, base) < 0) {
        return -AXVM_EINVAL;
    }
    rc = parse_digits(s, base, out, &end);
    while (value_is_space(*end)) {
        end++;
    }
    return *end != '\0' ? -AXVM_EINVAL : rc;
}

int value_unit_bytes(const char *unit, uint64_t *bytes)
{
    static const struct {
        const char *name;
        uint64_t bytes;
    } units[] = {
        {"b", 1},
        {"bytes", 1},
        {"KiB", 1ull << 10},
        {"k", 1ull << 10},
        {"MiB", 1ull << 20},
        {"M", 1ull << 20},
        {"GiB", 1ull << 30},
        {"G", 1ull << 30},
        {"TiB", 1ull << 40},
        {"T", 1ull << 40},
        {"KB", 1000},
        {"MB", 1000000},
        {"GB", 1000000000},
        {"TB", 1000000000000},
    };

    if (!unit) {
        *bytes = 1ull << 10;
        return 0;
    }
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(unit, units[i].name) == 0) {
            *bytes = units[i].bytes;
            return 0;
        }
    }
    return -AXVM_EINVAL;
}

/* One cpuset item at *s: "N", "N-M" or "^N". Moves *s past it. */
static int parse_cpuset_item(const char **s, uint64_t *mask, uint64_t *bad_cpu)
{
    bool exclude = **s == '^';
    const char *p = *s + exclude;
    uint64_t first, last;

    if (digit_value(*p, 10) < 0 || parse_digits(p, 10, &first, &p) < 0) {
        return -AXVM_EINVAL;
    }
    last = first;
    if (*p == '-' && !exclude) {
        p++;
        if (digit_value(*p, 10) < 0 || parse_digits(p, 10, &last, &p) < 0 || last < first) {
            return -AXVM_EINVAL;
        }
    }
    if (*p != ',' && *p != '\0') {
        return -AXVM_EINVAL;
    }
    if (last > MAX_CPU) {
        *bad_cpu = last;
        return -AXVM_ERANGE;
    }
    for (uint64_t cpu = first; cpu <= last; cpu++) {
        *mask = exclude ? *mask & ~(1ull << cpu) : *mask | (1ull << cpu);
    }
    *s = p;
    return 0;
}

int value_parse_cpuset(const char *s, uint64_t *mask, const char **bad, uint64_t *bad_cpu)
{
    char items[CPUSET_MAX];
    const char *p;
    size_t len;
    int rc;

    *mask = 0;
    *bad = s;
    while (value_is_space(*s)) {
        s++;
    }
    for (len = strlen(s); len > 0 && value_is_space(s[len - 1]); len--) {
    }
    if (len == 0 || len >= sizeof(items)) {
        return -AXVM_EINVAL;
    }
    memcpy(items, s, len);
    items[len] = '\0';
    p = items;
    do {
        *bad = s + (p - items);
        rc = parse_cpuset_item(&p, mask, bad_cpu);
        if (rc < 0) {
            return rc;
        }
    } while (*p++ == ',');
    return 0;
}

int value_parse_uuid(const char *s, uint8_t uuid[16])
{
    static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    unsigned int n = 0;

    while (value_is_space(*s)) {
        s++;
    }
    for (size_t i = 0; shape[i]; i++, s++) {
        if (shape[i] == '-') {
            if (*s != '-') {
                return -AXVM_EINVAL;
            }
            continue;
        }
        if (digit_value(*s, 16) < 0 || digit_value(s[1], 16) < 0) {
            return -AXVM_EINVAL;
        }
        uuid[n++] = (uint8_t)(digit_value(s[0], 16) << 4 | digit_value(s[1], 16));
        s++;
        i++;
    }
    while (value_is_space(*s)) {
        s++;
    }
    return *s ? -AXVM_EINVAL : 0;
}

int value_random_uuid(uint8_t uuid[16])
{
    ssize_t n;

    do {
        n = getrandom(uuid, 16, 0);
    } while (n < 0 && errno == EINTR);
    if (n != 16) {
        return -AXVM_EIO;
    }
    uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40); /* version 4: random (RFC 4122, 4.4) */
    uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80); /* the RFC 4122 variant */
    return 0;
}

int value_parse_access(const char *s, unsigned int *access)
{
    static const struct {
        const char *name;
        unsigned int bits;
    } forms[] = {
        {"r", DC_ACCESS_R},
        {"rw", DC_ACCESS_R | DC_ACCESS_W},
        {"rx", DC_ACCESS_R | DC_ACCESS_X},
        {"rwx", DC_ACCESS_R | DC_ACCESS_W | DC_ACCESS_X},
    };

    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        if (strcmp(s, forms[i].name) == 0) {
            *access = forms[i].bits;
            return 0;
        }
    }
    return -AXVM_EINVAL;
}
