/* SPDX-License-Identifier: MIT */
/*
 * CPU lists as people write them ("0-1,3", "all") and as 64-bit masks the hypervisor takes
 * (bit n = CPU n): axvm-xl vcpu-pin reads them, vcpu-list and axvm-top print them.
 */
#include <stdio.h>
#include <string.h>
#include "axvmctl.h"

#define NR_CPUS_MAX 64u

/* Parse a CPU number at *p (moved past it). Returns: 0, -AXVM_EINVAL or -AXVM_ERANGE. */
static int parse_cpu(const char **p, unsigned int *cpu)
{
    unsigned long v = 0;
    const char *s = *p;

    if (*s < '0' || *s > '9') {
        return -AXVM_EINVAL;
    }
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (unsigned long)(*s - '0');
        if (v >= NR_CPUS_MAX) {
            for (; *s >= '0' && *s <= '9'; s++) {
            }
            *p = s;
            return -AXVM_ERANGE;
        }
    }
    *p = s;
    *cpu = (unsigned int)v;
    return 0;
}

/* One item: N, N-M or ^N. Returns: 0 with *mask changed, or an error. */
static int parse_item(const char **p, uint64_t *mask)
{
    bool is_removal = **p == '^';
    unsigned int first, last;
    int rc;

    *p += is_removal;
    rc = parse_cpu(p, &first);
    if (rc) {
        return rc;
    }
    last = first;
    if (**p == '-' && !is_removal) {
        (*p)++;
        rc = parse_cpu(p, &last);
        if (rc) {
            return rc;
        }
        if (last < first) {
            return -AXVM_EINVAL;
        }
    }
    for (unsigned int cpu = first; cpu <= last; cpu++) {
        if (is_removal) {
            *mask &= ~(1ull << cpu);
        } else {
            *mask |= 1ull << cpu;
        }
    }
    return 0;
}

int axvmctl_cpus_parse(const char *s, uint64_t *mask)
{
    uint64_t m = 0;
    int rc;

    if (!s || !mask) {
        return -AXVM_EINVAL;
    }
    if (strcmp(s, "all") == 0) {
        *mask = ~0ull;
        return 0;
    }
    for (const char *p = s;;) {
        rc = parse_item(&p, &m);
        if (rc) {
            return rc;
        }
        if (*p == '\0') {
            break;
        }
        if (*p++ != ',') {
            return -AXVM_EINVAL;
        }
    }
    if (m == 0) {
        return -AXVM_EINVAL;
    }
    *mask = m;
    return 0;
}

const char *axvmctl_cpus_format(uint64_t mask, unsigned int nr_cpus, char *buf, size_t size)
{
    uint64_t all = nr_cpus >= NR_CPUS_MAX ? ~0ull : (1ull << nr_cpus) - 1;
    size_t len = 0;

    if (size == 0) {
        return buf;
    }
    buf[0] = '\0';
    if (nr_cpus && (mask & all) == all) {
        snprintf(buf, size, "all");
        return buf;
    }
    for (unsigned int cpu = 0; cpu < NR_CPUS_MAX && len < size; cpu++) {
        unsigned int last = cpu;

        if (!(mask & (1ull << cpu))) {
            continue;
        }
        while (last + 1 < NR_CPUS_MAX && (mask & (1ull << (last + 1)))) {
            last++;
        }
        if (last > cpu) {
            len += (size_t)snprintf(buf + len, size - len, "%s%u-%u", len ? "," : "", cpu, last);
        } else {
            len += (size_t)snprintf(buf + len, size - len, "%s%u", len ? "," : "", cpu);
        }
        cpu = last;
    }
    if (!buf[0]) {
        snprintf(buf, size, "-");
    }
    return buf;
}
