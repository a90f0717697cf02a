/* SPDX-License-Identifier: MIT */
/*
 * The text of axvm-top's lines, shared by the screen and the batch frames: the host summary,
 * the pCPUs, each view's title, headings and rows, the help, the status line. Every line is
 * plain ASCII: names and anything else a guest chose were made printable before.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "top.h"

#define AFFINITY_WIDTH 16

/* Append to buf (size bytes, NUL-terminated, cut when full). */
static void add(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void add(char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strnlen(buf, size);
    va_list ap;

    if (len + 1 >= size) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
}

static void uptime(uint64_t ns, char *buf, size_t size)
{
    uint64_t s = ns / 1000000000u, days = s / 86400;

    buf[0] = '\0';
    if (days) {
        add(buf, size, "%" PRIu64 " day%s, ", days, days == 1 ? "" : "s");
    }
    add(buf, size, "%u:%02u:%02u", (unsigned int)(s % 86400 / 3600), (unsigned int)(s % 3600 / 60),
        (unsigned int)(s % 60));
}

void top_format_summary(const struct top_model *m, char *buf, size_t size)
{
    const struct axvm_sysctl_stats *h = m->cur ? &m->cur->head : NULL;
    char up[48];

    buf[0] = '\0';
    if (!h) {
        add(buf, size, "axvm-top - no statistics yet");
        return;
    }
    uptime(h->now_ns, up, sizeof(up));
    add(buf, size, "axvm-top - up %s - ", up);
    if (h->nr_domains < h->total_domains) {
        add(buf, size, "%u of %u domains", h->nr_domains, h->total_domains);
    } else {
        add(buf, size, "%u domain%s", h->nr_domains, h->nr_domains == 1 ? "" : "s");
    }
    add(buf, size, " - sched %s - mem %" PRIu64 "/%" PRIu64 " MiB free",
        axvmctl_stats_sched_name(h->sched), h->free_kib / 1024, h->total_kib / 1024);
}

void top_format_pcpus(const struct top_model *m, char *buf, size_t size)
{
    uint32_t n = m->cur ? m->cur->head.nr_pcpus : 0;

    buf[0] = '\0';
    add(buf, size, "%u pCPU%s busy:", n, n == 1 ? "" : "s");
    for (uint32_t p = 0; p < n; p++) {
        double busy = axvmctl_stats_pcpu_busy(m->prev, m->cur, p);

        if (busy < 0) {
            add(buf, size, " cpu%u -", m->cur->pcpus[p].cpu);
        } else {
            add(buf, size, " cpu%u %.0f%%", m->cur->pcpus[p].cpu, busy);
        }
    }
}

static const char *const headings[TOP_NR_COLUMNS] = {
    [TOP_COL_NAME] = "NAME",     [TOP_COL_ID] = "ID",           [TOP_COL_STATE] = "STATE",
    [TOP_COL_CPU] = "CPU(%)",    [TOP_COL_MEM] = "MEM(KiB)",    [TOP_COL_VCPUS] = "VCPUS",
    [TOP_COL_EXITS] = "EXITS/S", [TOP_COL_TOPEXIT] = "TOPEXIT",
};

void top_format_title(const struct top_model *m, char *buf, size_t size)
{
    const struct top_row *r = top_model_selected(m);

    buf[0] = '\0';
    switch (m->view) {
    case TOP_VIEW_DOMAINS:
        add(buf, size, "%u domain%s, sorted by %s%s", m->nr_rows, m->nr_rows == 1 ? "" : "s",
            headings[m->sort], m->is_reversed ? " (reversed)" : "");
        break;
    case TOP_VIEW_VCPUS:
    case TOP_VIEW_EXITS:
        add(buf, size, "%s of ", m->view == TOP_VIEW_VCPUS ? "vCPUs" : "VM exits");
        if (r) {
            add(buf, size, "%s (id %u)", r->name, r->domid);
        } else {
            add(buf, size, "no domain (none selected)");
        }
        break;
    case TOP_VIEW_HELP:
        add(buf, size, "Keys (h or Esc: back)");
        break;
    }
}

const char *top_format_state(uint32_t state)
{
    static const char *const words[] = {
        [AXVM_STATE_CREATED] = "created", [AXVM_STATE_RUNNING] = "running",
        [AXVM_STATE_PAUSED] = "paused",   [AXVM_STATE_SHUTDOWN] = "shutdown",
        [AXVM_STATE_CRASHED] = "crashed",
    };

    return state < sizeof(words) / sizeof(words[0]) ? words[state] : "unknown";
}

/* Take off the spaces a left-aligned last column leaves. */
static void trim(char *buf)
{
    size_t len = strlen(buf);

    while (len && buf[len - 1] == ' ') {
        buf[--len] = '\0';
    }
}

void top_format_heading(unsigned int columns, int name_width, char *buf, size_t size)
{
    buf[0] = '\0';
    add(buf, size, "%-*s", name_width, headings[TOP_COL_NAME]);
    if (columns & (1u << TOP_COL_ID)) {
        add(buf, size, " %5s", headings[TOP_COL_ID]);
    }
    if (columns & (1u << TOP_COL_STATE)) {
        add(buf, size, " %-8s", headings[TOP_COL_STATE]);
    }
    if (columns & (1u << TOP_COL_CPU)) {
        add(buf, size, " %7s", headings[TOP_COL_CPU]);
    }
    if (columns & (1u << TOP_COL_MEM)) {
        add(buf, size, " %10s", headings[TOP_COL_MEM]);
    }
    if (columns & (1u << TOP_COL_VCPUS)) {
        add(buf, size, " %5s", headings[TOP_COL_VCPUS]);
    }
    if (columns & (1u << TOP_COL_EXITS)) {
        add(buf, size, " %9s", headings[TOP_COL_EXITS]);
    }
    if (columns & (1u << TOP_COL_TOPEXIT)) {
        add(buf, size, " %s", headings[TOP_COL_TOPEXIT]);
    }
    trim(buf);
}

/* A rate, or "-" when not known yet. */
static const char *rate(bool is_known, double value, char *buf, size_t size)
{
    if (is_known) {
        snprintf(buf, size, "%.1f", value);
    } else {
        snprintf(buf, size, "-");
    }
    return buf;
}

void top_format_row(const struct top_row *r, unsigned int columns, int name_width, bool is_cut,
                    char *buf, size_t size)
{
    char cpu[32], exits[32], top[AXVMCTL_EXIT_NAME_MAX];

    buf[0] = '\0';
    add(buf, size, "%-*.*s", name_width, is_cut ? name_width : (int)sizeof(r->name), r->name);
    if (columns & (1u << TOP_COL_ID)) {
        add(buf, size, " %5u", r->domid);
    }
    if (columns & (1u << TOP_COL_STATE)) {
        add(buf, size, " %-8s", top_format_state(r->state));
    }
    if (columns & (1u << TOP_COL_CPU)) {
        add(buf, size, " %7s", rate(r->rates.is_known, r->rates.cpu_pct, cpu, sizeof(cpu)));
    }
    if (columns & (1u << TOP_COL_MEM)) {
        add(buf, size, " %10" PRIu64, r->mem_kib);
    }
    if (columns & (1u << TOP_COL_VCPUS)) {
        add(buf, size, " %5u", r->nr_vcpus);
    }
    if (columns & (1u << TOP_COL_EXITS)) {
        add(buf, size, " %9s", rate(r->rates.is_known, r->rates.exits_per_s, exits, sizeof(exits)));
    }
    if (columns & (1u << TOP_COL_TOPEXIT)) {
        add(buf, size, " %s",
            r->top_exit < 0 ? "-" : axvmctl_stats_exit_name((unsigned int)r->top_exit, top));
    }
    trim(buf);
}

static const char *vcpu_state(uint16_t state)
{
    static const char *const words[] = {
        [AXVM_VCPU_OFFLINE] = "offline",
        [AXVM_VCPU_RUNNABLE] = "runnable",
        [AXVM_VCPU_RUNNING] = "running",
        [AXVM_VCPU_BLOCKED] = "blocked",
    };

    return state < sizeof(words) / sizeof(words[0]) ? words[state] : "unknown";
}

void top_format_vcpu_heading(char *buf, size_t size)
{
    snprintf(buf, size, "%4s %-8s %4s %-*s %7s %9s", "VCPU", "STATE", "CPU", AFFINITY_WIDTH,
             "AFFINITY", "CPU(%)", "EXITS/S");
}

bool top_format_vcpu(const struct top_model *m, const struct top_row *r, unsigned int k, char *buf,
                     size_t size)
{
    const struct axvm_vcpu_stats *v = r ? axvmctl_stats_vcpus(m->cur, r->index) : NULL;
    char cpu[8], cpus[192], pct[32], exits[32];
    struct axvmctl_rates rates;

    if (!v || k >= r->nr_vcpus) {
        return false;
    }
    v += k;
    axvmctl_stats_vcpu_rates(m->prev, m->cur, (uint32_t)(v - m->cur->vcpus), &rates);
    snprintf(cpu, sizeof(cpu), "%u", v->pcpu);
    axvmctl_cpus_format(v->affinity, m->cur->head.nr_pcpus, cpus, sizeof(cpus));
    snprintf(buf, size, "%4u %-8s %4s %-*.*s %7s %9s", v->vcpu, vcpu_state(v->state),
             v->state == AXVM_VCPU_OFFLINE ? "-" : cpu, AFFINITY_WIDTH, AFFINITY_WIDTH, cpus,
             rate(rates.is_known, rates.cpu_pct, pct, sizeof(pct)),
             rate(rates.is_known, rates.exits_per_s, exits, sizeof(exits)));
    trim(buf);
    return true;
}

void top_format_exit_heading(char *buf, size_t size)
{
    snprintf(buf, size, "%-12s %14s %12s", "REASON", "COUNT", "PER SECOND");
}

/* Is reason a shown before reason b: more per second, then more in all, then its number. */
static bool is_before(const struct top_row *r, int a, int b)
{
    double ra = r->rates.is_known ? r->rates.exit_per_s[a] : 0;
    double rb = r->rates.is_known ? r->rates.exit_per_s[b] : 0;

    if (ra != rb) {
        return ra > rb;
    }
    if (r->exits[a] != r->exits[b]) {
        return r->exits[a] > r->exits[b];
    }
    return a < b;
}

bool top_format_exit(const struct top_row *r, unsigned int k, char *buf, size_t size)
{
    int order[AXVM_EXIT_NR], n = 0;
    char name[AXVMCTL_EXIT_NAME_MAX], per_s[32];

    for (int e = 0; r && e < AXVM_EXIT_NR; e++) {
        int i = n;

        if (!r->exits[e]) {
            continue;
        }
        n++;
        for (; i > 0 && is_before(r, e, order[i - 1]); i--) {
            order[i] = order[i - 1];
        }
        order[i] = e;
    }
    if ((int)k >= n) {
        return false;
    }
    snprintf(buf, size, "%-12s %14" PRIu64 " %12s",
             axvmctl_stats_exit_name((unsigned int)order[k], name), r->exits[order[k]],
             rate(r->rates.is_known, r->rates.exit_per_s[order[k]], per_s, sizeof(per_s)));
    return true;
}

static const char *const help_lines[] = {
    "Up/Down, j/k   select a domain; PgUp/PgDn, Home/End move further",
    "< >            sort by the column left or right of the current one",
    "1-8            sort by column 1-8 (NAME ... TOPEXIT); again to reverse",
    "r              reverse the order",
    "p              pause the selected domain, or unpause it",
    "D              destroy the selected domain (asks y/n first)",
    "v              its vCPUs: state, CPU, affinity, CPU %, exits/s",
    "e              its VM exits by reason: count, per second",
    "c              show or hide its console (the last lines that fit)",
    "h, ?           this help; Esc goes back to the domains",
    "q              quit",
};

bool top_format_help(unsigned int k, char *buf, size_t size)
{
    if (k >= sizeof(help_lines) / sizeof(help_lines[0])) {
        return false;
    }
    snprintf(buf, size, "%s", help_lines[k]);
    return true;
}

const char *top_format_keys(void)
{
    /* 75 characters: all of it on an 80-column serial console. */
    return "q:quit h:help <>:sort r:reverse p:pause D:destroy v:vCPUs e:exits c:console";
}

void top_format_message(const struct top_model *m, char *buf, size_t size)
{
    if (m->is_confirming) {
        snprintf(buf, size, "Destroy domain %s (id %u)? y/n", m->confirm.name, m->confirm.domid);
    } else {
        snprintf(buf, size, "%s", m->message);
    }
}
