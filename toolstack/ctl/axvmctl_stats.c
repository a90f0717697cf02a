/* SPDX-License-Identifier: MIT */
/*
 * Reading SYSCTL_STATS answers without further calls: exit-reason and scheduler names, finding
 * a domain and its vCPUs, and the rates between two samples (CPU %, exits per second, pCPU
 * busy %) that axvm-xl and axvm-top show.
 */
#include <stdio.h>
#include <string.h>
#include "axvmctl.h"

#define NS_PER_S 1e9

static const char *const exit_names[AXVM_EXIT_NR] = AXVM_EXIT_NAMES;

const char *axvmctl_stats_exit_name(unsigned int reason, char buf[AXVMCTL_EXIT_NAME_MAX])
{
    if (reason < AXVM_EXIT_NR && exit_names[reason]) {
        return exit_names[reason];
    }
    snprintf(buf, AXVMCTL_EXIT_NAME_MAX, "exit-%u", reason);
    return buf;
}

const char *axvmctl_stats_sched_name(uint32_t sched)
{
    switch (sched) {
    case AXVM_SCHED_CREDIT:
        return "credit";
    case AXVM_SCHED_RR:
        return "rr";
    default:
        return "unknown";
    }
}

int axvmctl_stats_find_domain(const struct axvmctl_stats *stats, uint16_t domid)
{
    for (uint32_t i = 0; stats && i < stats->head.nr_domains; i++) {
        if (stats->domains[i].domid == domid) {
            return (int)i;
        }
    }
    return -1;
}

/* Returns: the index of domain i's first vCPU record (they follow in domain order). */
static uint32_t first_vcpu(const struct axvmctl_stats *stats, uint32_t i)
{
    uint32_t v = 0;

    for (uint32_t k = 0; k < i; k++) {
        v += stats->domains[k].nr_vcpus;
    }
    return v;
}

const struct axvm_vcpu_stats *axvmctl_stats_vcpus(const struct axvmctl_stats *stats, uint32_t i)
{
    if (!stats || i >= stats->head.nr_domains || stats->domains[i].nr_vcpus == 0) {
        return NULL;
    }
    return &stats->vcpus[first_vcpu(stats, i)];
}

/* Returns: cur - prev, or 0 for a counter that went backwards (reset, or a new object). */
static uint64_t grown(uint64_t cur, uint64_t prev)
{
    return cur >= prev ? cur - prev : 0;
}

/*
 * The same domain in prev as domain i of cur: same domid and creation time. Returns: its index;
 * -1 when it was created after prev was taken (it counts from zero); -2 when not known.
 */
static int match_domain(const struct axvmctl_stats *prev, const struct axvmctl_stats *cur,
                        uint32_t i)
{
    const struct axvm_domain_stats *d = &cur->domains[i];
    int p = axvmctl_stats_find_domain(prev, d->domid);

    if (p >= 0 && prev->domains[p].created_ns == d->created_ns) {
        return p;
    }
    return d->created_ns >= prev->head.now_ns ? -1 : -2;
}

/* Start out for an interval of prev to cur. Returns: whether there is one. */
static bool begin_rates(const struct axvmctl_stats *prev, const struct axvmctl_stats *cur,
                        struct axvmctl_rates *out)
{
    memset(out, 0, sizeof(*out));
    out->top_exit = -1;
    if (!prev || cur->head.now_ns <= prev->head.now_ns) {
        return false;
    }
    out->seconds = (double)(cur->head.now_ns - prev->head.now_ns) / NS_PER_S;
    return true;
}

static void add_exits(struct axvmctl_rates *out, const struct axvm_vcpu_stats *cur,
                      const struct axvm_vcpu_stats *prev)
{
    for (unsigned int r = 0; r < AXVM_EXIT_NR; r++) {
        out->exits[r] += grown(cur->exits[r], prev ? prev->exits[r] : 0);
    }
}

static void finish_rates(struct axvmctl_rates *out, uint64_t cpu_ns)
{
    uint64_t best = 0, total = 0;

    out->is_known = true;
    out->cpu_pct = 100.0 * (double)cpu_ns / NS_PER_S / out->seconds;
    for (unsigned int r = 0; r < AXVM_EXIT_NR; r++) {
        out->exit_per_s[r] = (double)out->exits[r] / out->seconds;
        total += out->exits[r];
        if (out->exits[r] > best) {
            best = out->exits[r];
            out->top_exit = (int)r;
        }
    }
    out->exits_per_s = (double)total / out->seconds;
}

int axvmctl_stats_domain_rates(const struct axvmctl_stats *prev, const struct axvmctl_stats *cur,
                               uint32_t i, struct axvmctl_rates *out)
{
    const struct axvm_vcpu_stats *vcpus, *old_vcpus = NULL;
    const struct axvm_domain_stats *d;
    uint64_t old_cpu = 0;
    int p;

    if (!cur || !out || i >= cur->head.nr_domains) {
        return -AXVM_EINVAL;
    }
    if (!begin_rates(prev, cur, out) || (p = match_domain(prev, cur, i)) == -2) {
        return 0;
    }
    d = &cur->domains[i];
    vcpus = axvmctl_stats_vcpus(cur, i);
    if (p >= 0) {
        old_vcpus = axvmctl_stats_vcpus(prev, (uint32_t)p);
        old_cpu = prev->domains[p].cpu_time_ns;
    }
    for (uint32_t k = 0; vcpus && k < d->nr_vcpus; k++) {
        bool had = old_vcpus && k < prev->domains[p].nr_vcpus;

        add_exits(out, &vcpus[k], had ? &old_vcpus[k] : NULL);
    }
    finish_rates(out, grown(d->cpu_time_ns, old_cpu));
    return 0;
}

int axvmctl_stats_vcpu_rates(const struct axvmctl_stats *prev, const struct axvmctl_stats *cur,
                             uint32_t v, struct axvmctl_rates *out)
{
    const struct axvm_vcpu_stats *vcpu, *old = NULL;
    int i, p;

    if (!cur || !out || v >= cur->head.nr_vcpus) {
        return -AXVM_EINVAL;
    }
    vcpu = &cur->vcpus[v];
    i = axvmctl_stats_find_domain(cur, vcpu->domid);
    if (i < 0) {
        return -AXVM_EINVAL; /* cannot be: axvmctl_sysctl_stats() checked the records */
    }
    if (!begin_rates(prev, cur, out) || (p = match_domain(prev, cur, (uint32_t)i)) == -2) {
        return 0;
    }
    if (p >= 0 && vcpu->vcpu < prev->domains[p].nr_vcpus) {
        old = &axvmctl_stats_vcpus(prev, (uint32_t)p)[vcpu->vcpu];
    } else if (p >= 0) {
        return 0; /* a vCPU the domain did not have: cannot be, but then not known */
    }
    add_exits(out, vcpu, old);
    finish_rates(out, grown(vcpu->cpu_time_ns, old ? old->cpu_time_ns : 0));
    return 0;
}

double axvmctl_stats_pcpu_busy(const struct axvmctl_stats *prev, const struct axvmctl_stats *cur,
                               uint32_t p)
{
    const struct axvm_pcpu_stats *c;
    double idle_pct;
    uint64_t dt;

    if (!prev || !cur || p >= cur->head.nr_pcpus || cur->head.now_ns <= prev->head.now_ns) {
        return -1;
    }
    c = &cur->pcpus[p];
    dt = cur->head.now_ns - prev->head.now_ns;
    for (uint32_t k = 0; k < prev->head.nr_pcpus; k++) {
        if (prev->pcpus[k].cpu != c->cpu) {
            continue;
        }
        idle_pct = 100.0 * (double)grown(c->idle_ns, prev->pcpus[k].idle_ns) / (double)dt;
        return idle_pct >= 100.0 ? 0.0 : 100.0 - idle_pct;
    }
    return -1;
}
