/* SPDX-License-Identifier: MIT */
/*
 * axvm-top's model: two samples of the hypervisor's statistics, the domain rows with their
 * rates, sorting, the selection (which follows its domain through re-sorts and refreshes), the
 * keys' state machine (views, the destroy question) and the selected domain's console tail.
 * No terminal calls: the screen and the batch frames only read it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "top.h"

#define DEFAULT_PAGE_ROWS 10u

void top_model_init(struct top_model *m)
{
    memset(m, 0, sizeof(*m));
    m->sort = TOP_COL_ID;
    m->view = TOP_VIEW_DOMAINS;
}

void top_model_fini(struct top_model *m)
{
    axvmctl_stats_free(&m->samples[0]);
    axvmctl_stats_free(&m->samples[1]);
    free(m->rows);
    memset(m, 0, sizeof(*m));
}

int top_column_by_name(const char *name)
{
    static const char *const names[TOP_NR_COLUMNS] = {
        [TOP_COL_NAME] = "name",   [TOP_COL_ID] = "id",           [TOP_COL_STATE] = "state",
        [TOP_COL_CPU] = "cpu",     [TOP_COL_MEM] = "mem",         [TOP_COL_VCPUS] = "vcpus",
        [TOP_COL_EXITS] = "exits", [TOP_COL_TOPEXIT] = "topexit",
    };

    for (int i = 0; i < TOP_NR_COLUMNS; i++) {
        if (strcmp(name, names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

static int compare_numbers(double a, double b)
{
    return a < b ? -1 : a > b ? 1 : 0;
}

static const char *exit_word(int reason, char buf[AXVMCTL_EXIT_NAME_MAX])
{
    return reason < 0 ? "" : axvmctl_stats_exit_name((unsigned int)reason, buf);
}

/* The column's natural order (ascending for names, largest first for amounts). */
static int compare_column(const struct top_row *a, const struct top_row *b, enum top_column col)
{
    char x[AXVMCTL_EXIT_NAME_MAX], y[AXVMCTL_EXIT_NAME_MAX];

    switch (col) {
    case TOP_COL_NAME:
        return strcmp(a->name, b->name);
    case TOP_COL_STATE:
        return strcmp(top_format_state(a->state), top_format_state(b->state));
    case TOP_COL_CPU:
        return -compare_numbers(a->rates.is_known ? a->rates.cpu_pct : -1,
                                b->rates.is_known ? b->rates.cpu_pct : -1);
    case TOP_COL_MEM:
        return -compare_numbers((double)a->mem_kib, (double)b->mem_kib);
    case TOP_COL_VCPUS:
        return -compare_numbers(a->nr_vcpus, b->nr_vcpus);
    case TOP_COL_EXITS:
        return -compare_numbers(a->rates.is_known ? a->rates.exits_per_s : -1,
                                b->rates.is_known ? b->rates.exits_per_s : -1);
    case TOP_COL_TOPEXIT:
        return strcmp(exit_word(a->top_exit, x), exit_word(b->top_exit, y));
    default:
        return 0; /* TOP_COL_ID: the tie-break below */
    }
}

static int compare_rows(const void *pa, const void *pb, void *ctx)
{
    const struct top_model *m = ctx;
    const struct top_row *a = pa, *b = pb;
    int c = compare_column(a, b, m->sort);

    if (m->is_reversed && m->sort != TOP_COL_ID) {
        c = -c;
    }
    if (c == 0) {
        c = (int)a->domid - (int)b->domid; /* equal rows keep a stable order by id */
        c = m->is_reversed && m->sort == TOP_COL_ID ? -c : c;
    }
    return c;
}

/* The reason with the most exits since the domain was created, or -1. */
static int most_exits(const uint64_t exits[AXVM_EXIT_NR])
{
    uint64_t best = 0;
    int reason = -1;

    for (int r = 0; r < AXVM_EXIT_NR; r++) {
        if (exits[r] > best) {
            best = exits[r];
            reason = r;
        }
    }
    return reason;
}

static void fill_row(const struct top_model *m, uint32_t i, struct top_row *r)
{
    const struct axvm_domain_stats *d = &m->cur->domains[i];
    const struct axvm_vcpu_stats *v = axvmctl_stats_vcpus(m->cur, i);

    memset(r, 0, sizeof(*r));
    r->index = i;
    r->domid = d->domid;
    r->created_ns = d->created_ns;
    for (size_t k = 0; k < sizeof(r->name) - 1 && d->name[k]; k++) {
        r->name[k] = d->name[k] >= 0x20 && d->name[k] < 0x7f ? d->name[k] : '?';
    }
    r->state = d->state;
    r->mem_kib = d->mem_kib;
    r->nr_vcpus = d->nr_vcpus;
    r->is_privileged = d->flags & AXVM_STATS_DOMAIN_FLAG_PRIVILEGED;
    axvmctl_stats_domain_rates(m->prev, m->cur, i, &r->rates);
    for (uint32_t k = 0; v && k < d->nr_vcpus; k++) {
        for (int e = 0; e < AXVM_EXIT_NR; e++) {
            r->exits[e] += v[k].exits[e];
        }
    }
    r->top_exit = r->rates.is_known ? r->rates.top_exit : most_exits(r->exits);
}

static void select_row(struct top_model *m, uint32_t i)
{
    m->has_selection = m->nr_rows > 0;
    if (!m->has_selection) {
        return;
    }
    m->sel = i < m->nr_rows ? i : m->nr_rows - 1;
    m->sel_domid = m->rows[m->sel].domid;
    m->sel_created_ns = m->rows[m->sel].created_ns;
}

/* After the rows changed: the same domain if it is still there, else the same place. */
static void restore_selection(struct top_model *m)
{
    if (!m->has_selection) {
        select_row(m, 0);
        return;
    }
    for (uint32_t i = 0; i < m->nr_rows; i++) {
        if (m->rows[i].domid == m->sel_domid && m->rows[i].created_ns == m->sel_created_ns) {
            select_row(m, i);
            return;
        }
    }
    select_row(m, m->sel);
}

static void sort_rows(struct top_model *m)
{
    qsort_r(m->rows, m->nr_rows, sizeof(*m->rows), compare_rows, m);
    restore_selection(m);
}

void top_model_rebuild(struct top_model *m)
{
    uint32_t n = m->cur ? m->cur->head.nr_domains : 0;

    if (n > m->rows_cap) {
        struct top_row *rows = realloc(m->rows, n * sizeof(*rows));

        if (!rows) {
            n = m->rows_cap; /* show what fits; the next sample tries again */
        } else {
            m->rows = rows;
            m->rows_cap = n;
        }
    }
    m->nr_rows = n;
    for (uint32_t i = 0; i < n; i++) {
        fill_row(m, i, &m->rows[i]);
    }
    sort_rows(m);
}

int top_model_sample(struct top_model *m, struct axvmctl *h)
{
    struct axvmctl_stats *spare = m->cur == &m->samples[0] ? &m->samples[1] : &m->samples[0];
    int rc = axvmctl_sysctl_stats(h, spare);

    if (rc < 0) {
        if (m->prev == spare) {
            m->prev = NULL; /* its records are gone with the failed call */
        }
        return rc;
    }
    m->prev = m->cur;
    m->cur = spare;
    top_model_rebuild(m);
    return 0;
}

void top_model_set_sort(struct top_model *m, enum top_column col, bool is_reversed)
{
    m->sort = col;
    m->is_reversed = is_reversed;
    sort_rows(m);
}

const struct top_row *top_model_selected(const struct top_model *m)
{
    return m->has_selection && m->sel < m->nr_rows ? &m->rows[m->sel] : NULL;
}

void top_model_scroll(struct top_model *m, uint32_t visible)
{
    if (visible == 0 || m->nr_rows <= visible) {
        m->scroll = 0;
        return;
    }
    if (m->scroll > m->nr_rows - visible) {
        m->scroll = m->nr_rows - visible;
    }
    if (m->has_selection && m->sel < m->scroll) {
        m->scroll = m->sel;
    } else if (m->has_selection && m->sel >= m->scroll + visible) {
        m->scroll = m->sel - visible + 1;
    }
}

static void say(struct top_model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct top_model *m, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(m->message, sizeof(m->message), fmt, ap);
    va_end(ap);
}

static struct top_action nothing(void)
{
    return (struct top_action){.kind = TOP_ACTION_NONE};
}

static struct top_action action_on(const struct top_row *r, enum top_action_kind kind)
{
    struct top_action a = {.kind = kind, .domid = r->domid};

    memcpy(a.name, r->name, sizeof(a.name));
    return a;
}

static void move_selection(struct top_model *m, long delta)
{
    long to = (long)m->sel + delta;

    if (!m->has_selection) {
        return;
    }
    to = to < 0 ? 0 : to;
    select_row(m, (uint32_t)(to < (long)m->nr_rows ? to : (long)m->nr_rows - 1));
}

static struct top_action toggle_pause(struct top_model *m)
{
    const struct top_row *r = top_model_selected(m);

    if (!r) {
        say(m, "no domain selected");
        return nothing();
    }
    if (r->is_privileged) {
        say(m, "%s runs this program: it is not paused from here", r->name);
        return nothing();
    }
    if (r->state == AXVM_STATE_RUNNING) {
        return action_on(r, TOP_ACTION_PAUSE);
    }
    if (r->state == AXVM_STATE_PAUSED || r->state == AXVM_STATE_CREATED) {
        return action_on(r, TOP_ACTION_UNPAUSE);
    }
    say(m, "%s is %s: there is nothing to pause", r->name, top_format_state(r->state));
    return nothing();
}

static struct top_action ask_destroy(struct top_model *m)
{
    const struct top_row *r = top_model_selected(m);

    if (!r) {
        say(m, "no domain selected");
        return nothing();
    }
    if (r->is_privileged) {
        say(m, "%s runs this program: it is not destroyed from here", r->name);
        return nothing();
    }
    m->is_confirming = true;
    m->confirm = action_on(r, TOP_ACTION_DESTROY);
    m->confirm_created_ns = r->created_ns;
    m->message[0] = '\0';
    return nothing();
}

/* The answer to "Destroy ...? (y/n)": only y or Y destroys, and only the domain asked about. */
static struct top_action answer(struct top_model *m, int key)
{
    m->is_confirming = false;
    if (key != 'y' && key != 'Y') {
        say(m, "%s not destroyed", m->confirm.name);
        return nothing();
    }
    for (uint32_t i = 0; i < m->nr_rows; i++) {
        if (m->rows[i].domid == m->confirm.domid &&
            m->rows[i].created_ns == m->confirm_created_ns) {
            return m->confirm;
        }
    }
    say(m, "%s is gone already", m->confirm.name);
    return nothing();
}

static void toggle_view(struct top_model *m, enum top_view view)
{
    m->view = m->view == view ? TOP_VIEW_DOMAINS : view;
}

/* < and > move the sort to the next column; 1-8 pick one, again to reverse it. */
static bool sort_key(struct top_model *m, int key)
{
    int col = m->sort;

    if (key == '<' || key == ',') {
        col = col > 0 ? col - 1 : 0;
    } else if (key == '>' || key == '.') {
        col = col < TOP_NR_COLUMNS - 1 ? col + 1 : col;
    } else if (key >= '1' && key < '1' + TOP_NR_COLUMNS) {
        col = key - '1';
        if (col == (int)m->sort) {
            top_model_set_sort(m, m->sort, !m->is_reversed);
            return true;
        }
    } else if (key == 'r') {
        top_model_set_sort(m, m->sort, !m->is_reversed);
        return true;
    } else {
        return false;
    }
    top_model_set_sort(m, (enum top_column)col, col == (int)m->sort && m->is_reversed);
    return true;
}

static bool move_key(struct top_model *m, int key)
{
    long page = m->page_rows ? (long)m->page_rows : (long)DEFAULT_PAGE_ROWS;

    switch (key) {
    case TOP_KEY_UP:
    case 'k':
        move_selection(m, -1);
        return true;
    case TOP_KEY_DOWN:
    case 'j':
        move_selection(m, 1);
        return true;
    case TOP_KEY_PAGE_UP:
        move_selection(m, -page);
        return true;
    case TOP_KEY_PAGE_DOWN:
        move_selection(m, page);
        return true;
    case TOP_KEY_HOME:
        move_selection(m, -(long)m->nr_rows);
        return true;
    case TOP_KEY_END:
        move_selection(m, (long)m->nr_rows);
        return true;
    default:
        return false;
    }
}

static struct top_action view_key(struct top_model *m, int key)
{
    switch (key) {
    case 'q':
    case 'Q':
        return (struct top_action){.kind = TOP_ACTION_QUIT};
    case TOP_KEY_ESCAPE:
        m->view = TOP_VIEW_DOMAINS;
        break;
    case 'h':
    case '?':
        toggle_view(m, TOP_VIEW_HELP);
        break;
    case 'v':
        toggle_view(m, TOP_VIEW_VCPUS);
        break;
    case 'e':
        toggle_view(m, TOP_VIEW_EXITS);
        break;
    case 'c':
        m->show_console = !m->show_console;
        break;
    case 'p':
        return toggle_pause(m);
    case 'D':
        return ask_destroy(m);
    default:
        if (key >= 0x20 && key < 0x7f) {
            say(m, "no key '%c' (h: help)", key);
        }
        break;
    }
    return nothing();
}

struct top_action top_model_key(struct top_model *m, int key)
{
    if (key == TOP_KEY_NONE || key == TOP_KEY_RESIZE) {
        return nothing(); /* a question stays asked while the terminal changes */
    }
    if (m->is_confirming) {
        return answer(m, key);
    }
    m->message[0] = '\0';
    if (move_key(m, key) || sort_key(m, key)) {
        return nothing();
    }
    return view_key(m, key);
}

void top_model_done(struct top_model *m, const struct top_action *a, int rc)
{
    static const char *const verbs[][2] = {
        [TOP_ACTION_PAUSE] = {"pause", "paused"},
        [TOP_ACTION_UNPAUSE] = {"unpause", "unpaused"},
        [TOP_ACTION_DESTROY] = {"destroy", "destroyed"},
    };

    if (a->kind < TOP_ACTION_PAUSE || a->kind > TOP_ACTION_DESTROY) {
        return;
    }
    if (rc < 0) {
        say(m, "cannot %s %s: %s", verbs[a->kind][0], a->name, axvmctl_strerror(rc));
    } else {
        say(m, "%s %s", verbs[a->kind][1], a->name);
    }
}
