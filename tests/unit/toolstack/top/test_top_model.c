/* SPDX-License-Identifier: MIT */
/*
 * CUnit suite "top_model": axvm-top's model, layout and lines without a terminal, fed by the
 * fake hypervisor's statistics: rates between samples (domains that come and go), sorting by
 * every column both ways, the selection through re-sorts and refreshes, the keys' state machine
 * (views, pause, the destroy question), the layout of small and large terminals, the console
 * pane's text, and the text of each line.
 */
#include <stdlib.h>
#include <string.h>
#include <unit.h>
#include "top/top.h"
#include "../fake_transport.h"

#define NS_PER_S 1000000000ull

static struct fake_transport fake;
static struct axvmctl *h;
static struct top_model m;

static void setup(void)
{
    fake_transport_init(&fake);
    fake.has_stats = true;
    fake.physinfo.nr_cpus = 2;
    if (axvmctl_open_transport(&fake.transport, &h) != 0) {
        abort();
    }
    top_model_init(&m);
}

static void teardown(void)
{
    top_model_fini(&m);
    axvmctl_close(h);
    fake_transport_fini(&fake);
}

static struct fake_domain *add(uint16_t domid, const char *name, uint32_t state, uint16_t vcpus)
{
    struct axvm_domain_info info = {.domid = domid, .nr_vcpus = vcpus, .state = state};

    snprintf(info.name, sizeof(info.name), "%s", name);
    fake_transport_add_domain(&fake, &info);
    return &fake.domains[domid];
}

static void sample_at(uint64_t seconds)
{
    fake.now_ns = seconds * NS_PER_S;
    CU_ASSERT_EQUAL_FATAL(top_model_sample(&m, h), 0);
}

static const struct top_row *row_of(uint16_t domid)
{
    for (uint32_t i = 0; i < m.nr_rows; i++) {
        if (m.rows[i].domid == domid) {
            return &m.rows[i];
        }
    }
    return NULL;
}

/*
 * Four domains sampled at 10 s and 12 s: Domain-0 (10 % CPU, intr 50/s), web (90 %, io
 * 400/s), db (paused, idle), alpha (crashed, halt 5/s).
 */
static void add_fixture(void)
{
    struct fake_domain *d;

    d = add(0, "Domain-0", AXVM_STATE_RUNNING, 2);
    d->info.mem_kib = 300000;
    d = add(1, "web", AXVM_STATE_RUNNING, 4);
    d->info.mem_kib = 65536;
    d->vcpus[0].exits[AXVM_EXIT_IO] = 5000;
    d = add(2, "db", AXVM_STATE_PAUSED, 1);
    d->info.mem_kib = 131072;
    d->vcpus[0].exits[AXVM_EXIT_NPF] = 3;
    d = add(3, "alpha", AXVM_STATE_CRASHED, 1);
    d->info.mem_kib = 16384;
    sample_at(10);
    fake.domains[0].info.cpu_time_ns += NS_PER_S / 5;
    fake.domains[0].vcpus[1].exits[AXVM_EXIT_INTR] += 100;
    fake.domains[1].info.cpu_time_ns += 9 * NS_PER_S / 5;
    fake.domains[1].vcpus[3].exits[AXVM_EXIT_IO] += 800;
    fake.domains[3].vcpus[0].exits[AXVM_EXIT_HALT] += 10;
    fake.pcpus[0].idle_ns += NS_PER_S;
    fake.pcpus[1].idle_ns += 2 * NS_PER_S;
    sample_at(12);
}

static void test_top_model_first_sample_has_no_rates(void)
{
    add(0, "Domain-0", AXVM_STATE_RUNNING, 1)->vcpus[0].exits[AXVM_EXIT_CPUID] = 9;
    sample_at(10);
    CU_ASSERT_EQUAL(m.nr_rows, 1);
    CU_ASSERT_FALSE(m.rows[0].rates.is_known);
    CU_ASSERT_EQUAL(m.rows[0].top_exit, AXVM_EXIT_CPUID); /* the most since created */
    CU_ASSERT_TRUE(m.rows[0].is_privileged);
    CU_ASSERT_PTR_NULL(m.prev);
}

static void test_top_model_rates_between_samples(void)
{
    const struct top_row *r;

    add_fixture();
    r = row_of(1);
    CU_ASSERT_FATAL(r != NULL);
    CU_ASSERT_TRUE(r->rates.is_known);
    CU_ASSERT_DOUBLE_EQUAL(r->rates.cpu_pct, 90.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(r->rates.exits_per_s, 400.0, 1e-9);
    CU_ASSERT_EQUAL(r->top_exit, AXVM_EXIT_IO);
    CU_ASSERT_EQUAL(r->exits[AXVM_EXIT_IO], 5800);
    CU_ASSERT_EQUAL(r->nr_vcpus, 4);
    r = row_of(2);
    CU_ASSERT_EQUAL(r->top_exit, -1); /* nothing in the interval */
    CU_ASSERT_DOUBLE_EQUAL(row_of(0)->rates.cpu_pct, 10.0, 1e-9);
    CU_ASSERT_EQUAL(row_of(3)->top_exit, AXVM_EXIT_HALT);
}

static void test_top_model_follows_domains_that_come_and_go(void)
{
    add_fixture();
    fake.domains[2].exists = false;
    add(5, "new", AXVM_STATE_RUNNING, 1)->info.created_ns = 13 * NS_PER_S;
    fake.domains[5].info.cpu_time_ns = NS_PER_S / 2;
    fake.domains[5].vcpus[0].exits[AXVM_EXIT_MMIO] = 30;
    sample_at(14);
    CU_ASSERT_EQUAL(m.nr_rows, 4);
    CU_ASSERT_PTR_NULL(row_of(2));
    CU_ASSERT_FATAL(row_of(5) != NULL);
    CU_ASSERT_TRUE(row_of(5)->rates.is_known);
    CU_ASSERT_DOUBLE_EQUAL(row_of(5)->rates.cpu_pct, 25.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(row_of(5)->rates.exits_per_s, 15.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(row_of(1)->rates.cpu_pct, 0.0, 1e-9);
    /* A failed sample keeps the last good one. */
    fake_transport_fail_nr(&fake, AXVM_HC_SYSCTL_STATS, 0, -AXVM_EIO);
    fake.now_ns = 16 * NS_PER_S;
    CU_ASSERT_EQUAL(top_model_sample(&m, h), -AXVM_EIO);
    CU_ASSERT_EQUAL(m.nr_rows, 4);
    CU_ASSERT_EQUAL(m.cur->head.now_ns, 14 * NS_PER_S);
    CU_ASSERT_PTR_NULL(m.prev); /* its records went with the failed call */
    top_model_rebuild(&m);
    CU_ASSERT_FALSE(row_of(5)->rates.is_known);
}

/* The domids in table order. */
static void order(uint16_t out[4])
{
    for (uint32_t i = 0; i < 4; i++) {
        out[i] = i < m.nr_rows ? m.rows[i].domid : 99;
    }
}

static void test_top_model_sorts_by_every_column(void)
{
    static const struct {
        enum top_column col;
        uint16_t natural[4], reversed[4];
    } cases[] = {
        {TOP_COL_NAME, {0, 3, 2, 1}, {1, 2, 3, 0}},  {TOP_COL_ID, {0, 1, 2, 3}, {3, 2, 1, 0}},
        {TOP_COL_STATE, {3, 2, 0, 1}, {0, 1, 2, 3}}, {TOP_COL_CPU, {1, 0, 2, 3}, {2, 3, 0, 1}},
        {TOP_COL_MEM, {0, 2, 1, 3}, {3, 1, 2, 0}},   {TOP_COL_VCPUS, {1, 0, 2, 3}, {2, 3, 0, 1}},
        {TOP_COL_EXITS, {1, 0, 3, 2}, {2, 3, 0, 1}}, {TOP_COL_TOPEXIT, {2, 3, 0, 1}, {1, 0, 3, 2}},
    };
    uint16_t got[4];

    add_fixture();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        top_model_set_sort(&m, cases[i].col, false);
        order(got);
        UNIT_CHECK(memcmp(got, cases[i].natural, sizeof(got)) == 0, "column %d: %u %u %u %u",
                   cases[i].col, got[0], got[1], got[2], got[3]);
        top_model_set_sort(&m, cases[i].col, true);
        order(got);
        UNIT_CHECK(memcmp(got, cases[i].reversed, sizeof(got)) == 0,
                   "column %d reversed: %u %u %u %u", cases[i].col, got[0], got[1], got[2], got[3]);
    }
    /* A refresh keeps the order asked for. */
    top_model_set_sort(&m, TOP_COL_MEM, false);
    sample_at(13);
    order(got);
    CU_ASSERT(got[0] == 0 && got[1] == 2 && got[2] == 1 && got[3] == 3);
    CU_ASSERT_EQUAL(top_column_by_name("topexit"), TOP_COL_TOPEXIT);
    CU_ASSERT_EQUAL(top_column_by_name("cpu"), TOP_COL_CPU);
    CU_ASSERT_EQUAL(top_column_by_name("CPU"), -1);
}

static void test_top_model_selection_follows_its_domain(void)
{
    add_fixture();
    CU_ASSERT_TRUE(m.has_selection);
    CU_ASSERT_EQUAL(top_model_selected(&m)->domid, 0);
    top_model_key(&m, TOP_KEY_DOWN);
    CU_ASSERT_EQUAL(top_model_selected(&m)->domid, 1); /* web */
    top_model_set_sort(&m, TOP_COL_NAME, false);       /* Domain-0 alpha db web */
    CU_ASSERT_EQUAL(m.sel, 3);
    CU_ASSERT_EQUAL(top_model_selected(&m)->domid, 1);
    top_model_key(&m, '4'); /* CPU: web first */
    CU_ASSERT_EQUAL(m.sel, 0);
    CU_ASSERT_EQUAL(top_model_selected(&m)->domid, 1);
    sample_at(13);
    CU_ASSERT_EQUAL(top_model_selected(&m)->domid, 1);
}

static void test_top_model_selection_when_its_domain_goes(void)
{
    add_fixture();
    top_model_key(&m, TOP_KEY_END); /* alpha, id 3, the last row */
    CU_ASSERT_EQUAL(top_model_selected(&m)->domid, 3);
    fake.domains[3].exists = false;
    sample_at(13);
    CU_ASSERT_EQUAL(m.sel, 2); /* where it was, as far as the table reaches */
    CU_ASSERT_EQUAL(top_model_selected(&m)->domid, 2);
    /* Another domain under db's id is another domain: the selection does not go to it. */
    top_model_key(&m, TOP_KEY_UP);
    top_model_key(&m, TOP_KEY_UP);
    CU_ASSERT_EQUAL(top_model_selected(&m)->domid, 0);
    top_model_key(&m, TOP_KEY_DOWN);
    top_model_key(&m, TOP_KEY_DOWN);
    add(2, "db2", AXVM_STATE_RUNNING, 1)->info.created_ns = 13 * NS_PER_S;
    sample_at(14);
    CU_ASSERT_EQUAL(m.sel, 2);
    CU_ASSERT_STRING_EQUAL(top_model_selected(&m)->name, "db2");
    for (uint16_t i = 0; i < 3; i++) {
        fake.domains[i].exists = false;
    }
    sample_at(15);
    CU_ASSERT_FALSE(m.has_selection);
    CU_ASSERT_PTR_NULL(top_model_selected(&m));
    CU_ASSERT_EQUAL(top_model_key(&m, 'p').kind, TOP_ACTION_NONE);
    CU_ASSERT_STRING_EQUAL(m.message, "no domain selected");
    add(1, "back", AXVM_STATE_RUNNING, 1);
    sample_at(16);
    CU_ASSERT_TRUE(m.has_selection);
}

static void test_top_model_moves_the_selection_within_the_table(void)
{
    static const struct {
        int key;
        uint32_t sel;
    } steps[] = {
        {TOP_KEY_UP, 0},        {'j', 1},          {TOP_KEY_DOWN, 2},    {'k', 1},
        {TOP_KEY_END, 3},       {TOP_KEY_DOWN, 3}, {TOP_KEY_PAGE_UP, 1}, {TOP_KEY_HOME, 0},
        {TOP_KEY_PAGE_DOWN, 2},
    };

    add_fixture();
    m.page_rows = 2;
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        CU_ASSERT_EQUAL(top_model_key(&m, steps[i].key).kind, TOP_ACTION_NONE);
        UNIT_CHECK(m.sel == steps[i].sel, "step %zu: row %u", i, m.sel);
    }
}

static void test_top_model_sort_keys(void)
{
    static const struct {
        int key;
        enum top_column col;
        bool is_reversed;
    } steps[] = {
        {'>', TOP_COL_STATE, false},  {'.', TOP_COL_CPU, false},     {'r', TOP_COL_CPU, true},
        {'<', TOP_COL_STATE, false},  {',', TOP_COL_ID, false},      {'<', TOP_COL_NAME, false},
        {'<', TOP_COL_NAME, false},   {'8', TOP_COL_TOPEXIT, false}, {'>', TOP_COL_TOPEXIT, false},
        {'8', TOP_COL_TOPEXIT, true}, {'8', TOP_COL_TOPEXIT, false}, {'5', TOP_COL_MEM, false},
    };

    add_fixture();
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        top_model_key(&m, steps[i].key);
        UNIT_CHECK(m.sort == steps[i].col && m.is_reversed == steps[i].is_reversed,
                   "step %zu ('%c'): column %d%s", i, steps[i].key, m.sort,
                   m.is_reversed ? " reversed" : "");
    }
    CU_ASSERT_EQUAL(m.rows[0].domid, 0); /* by memory, the largest first */
}

static void test_top_model_destroy_asks_first(void)
{
    struct top_action a;
    char line[TOP_LINE_MAX];

    add_fixture();
    top_model_key(&m, TOP_KEY_DOWN); /* web */
    a = top_model_key(&m, 'D');
    CU_ASSERT_EQUAL(a.kind, TOP_ACTION_NONE);
    CU_ASSERT_TRUE(m.is_confirming);
    top_format_message(&m, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "Destroy domain web (id 1)? y/n");
    /* Anything but y keeps it, q included (it does not quit either). */
    a = top_model_key(&m, 'q');
    CU_ASSERT_EQUAL(a.kind, TOP_ACTION_NONE);
    CU_ASSERT_FALSE(m.is_confirming);
    CU_ASSERT_STRING_EQUAL(m.message, "web not destroyed");
    top_model_key(&m, 'D');
    CU_ASSERT_EQUAL(top_model_key(&m, 'n').kind, TOP_ACTION_NONE);
    /* The question survives a resize and a refresh; y answers it. */
    top_model_key(&m, 'D');
    CU_ASSERT_EQUAL(top_model_key(&m, TOP_KEY_RESIZE).kind, TOP_ACTION_NONE);
    CU_ASSERT_EQUAL(top_model_key(&m, TOP_KEY_NONE).kind, TOP_ACTION_NONE);
    sample_at(13);
    CU_ASSERT_TRUE(m.is_confirming);
    a = top_model_key(&m, 'y');
    CU_ASSERT_EQUAL(a.kind, TOP_ACTION_DESTROY);
    CU_ASSERT_EQUAL(a.domid, 1);
    CU_ASSERT_STRING_EQUAL(a.name, "web");
    CU_ASSERT_FALSE(m.is_confirming);
    top_model_done(&m, &a, 0);
    CU_ASSERT_STRING_EQUAL(m.message, "destroyed web");
    top_model_done(&m, &a, -AXVM_EBUSY);
    CU_ASSERT_STRING_EQUAL(m.message, "cannot destroy web: busy");
}

static void test_top_model_destroy_refuses_dom0_and_the_gone(void)
{
    add_fixture();
    CU_ASSERT_EQUAL(top_model_key(&m, 'D').kind, TOP_ACTION_NONE); /* Domain-0 */
    CU_ASSERT_FALSE(m.is_confirming);
    CU_ASSERT_STRING_EQUAL(m.message, "Domain-0 runs this program: it is not destroyed from here");
    top_model_key(&m, TOP_KEY_DOWN);
    top_model_key(&m, 'D');
    fake.domains[1].exists = false; /* destroyed by someone else meanwhile */
    sample_at(13);
    CU_ASSERT_EQUAL(top_model_key(&m, 'Y').kind, TOP_ACTION_NONE);
    CU_ASSERT_STRING_EQUAL(m.message, "web is gone already");
    /* Another domain under the same id is not the one asked about. */
    top_model_key(&m, TOP_KEY_UP);
    top_model_key(&m, TOP_KEY_DOWN); /* db, id 2 */
    top_model_key(&m, 'D');
    fake.domains[2].info.created_ns = 13 * NS_PER_S;
    sample_at(14);
    CU_ASSERT_EQUAL(top_model_key(&m, 'y').kind, TOP_ACTION_NONE);
    CU_ASSERT_STRING_EQUAL(m.message, "db is gone already");
}

static void test_top_model_pause_key_toggles(void)
{
    struct top_action a;

    add_fixture();
    CU_ASSERT_EQUAL(top_model_key(&m, 'p').kind, TOP_ACTION_NONE);
    CU_ASSERT_STRING_EQUAL(m.message, "Domain-0 runs this program: it is not paused from here");
    top_model_key(&m, TOP_KEY_DOWN);
    a = top_model_key(&m, 'p');
    CU_ASSERT(a.kind == TOP_ACTION_PAUSE && a.domid == 1);
    top_model_done(&m, &a, 0);
    CU_ASSERT_STRING_EQUAL(m.message, "paused web");
    top_model_key(&m, TOP_KEY_DOWN);
    a = top_model_key(&m, 'p');
    CU_ASSERT(a.kind == TOP_ACTION_UNPAUSE && a.domid == 2);
    top_model_done(&m, &a, -AXVM_EALREADY);
    CU_ASSERT_STRING_EQUAL(m.message, "cannot unpause db: already in that state");
    top_model_key(&m, TOP_KEY_DOWN);
    CU_ASSERT_EQUAL(top_model_key(&m, 'p').kind, TOP_ACTION_NONE);
    CU_ASSERT_STRING_EQUAL(m.message, "alpha is crashed: there is nothing to pause");
    fake.domains[2].info.state = AXVM_STATE_CREATED; /* built, never started */
    sample_at(13);
    top_model_key(&m, TOP_KEY_UP);
    CU_ASSERT_EQUAL(top_model_key(&m, 'p').kind, TOP_ACTION_UNPAUSE);
}

static void test_top_model_view_keys(void)
{
    static const struct {
        int key;
        enum top_view view;
        bool console;
    } steps[] = {
        {'v', TOP_VIEW_VCPUS, false},   {'v', TOP_VIEW_DOMAINS, false},
        {'e', TOP_VIEW_EXITS, false},   {'v', TOP_VIEW_VCPUS, false},
        {27, TOP_VIEW_DOMAINS, false},  {'h', TOP_VIEW_HELP, false},
        {'?', TOP_VIEW_DOMAINS, false}, {'c', TOP_VIEW_DOMAINS, true},
        {'e', TOP_VIEW_EXITS, true},    {'c', TOP_VIEW_EXITS, false},
        {'h', TOP_VIEW_HELP, false},    {27, TOP_VIEW_DOMAINS, false},
    };

    add_fixture();
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        CU_ASSERT_EQUAL(top_model_key(&m, steps[i].key).kind, TOP_ACTION_NONE);
        UNIT_CHECK(m.view == steps[i].view && m.show_console == steps[i].console,
                   "step %zu: view %d console %d", i, m.view, m.show_console);
    }
    CU_ASSERT_EQUAL(top_model_key(&m, 'x').kind, TOP_ACTION_NONE);
    CU_ASSERT_STRING_EQUAL(m.message, "no key 'x' (h: help)");
    top_model_key(&m, TOP_KEY_DOWN);
    CU_ASSERT_STRING_EQUAL(m.message, ""); /* a key clears the last message */
    CU_ASSERT_EQUAL(top_model_key(&m, 'q').kind, TOP_ACTION_QUIT);
    CU_ASSERT_EQUAL(top_model_key(&m, 'Q').kind, TOP_ACTION_QUIT);
}

static void test_top_model_scrolls_to_the_selection(void)
{
    char name[16];

    for (uint16_t i = 0; i < FAKE_MAX_DOMAINS; i++) {
        snprintf(name, sizeof(name), "d%u", i);
        add(i, name, AXVM_STATE_RUNNING, 1);
    }
    sample_at(1);
    top_model_scroll(&m, 5);
    CU_ASSERT_EQUAL(m.scroll, 0);
    for (int i = 0; i < 10; i++) {
        top_model_key(&m, TOP_KEY_DOWN);
    }
    top_model_scroll(&m, 5);
    CU_ASSERT_EQUAL(m.scroll, 6); /* rows 6-10, the selection the last */
    top_model_key(&m, TOP_KEY_HOME);
    top_model_scroll(&m, 5);
    CU_ASSERT_EQUAL(m.scroll, 0);
    top_model_key(&m, TOP_KEY_END);
    top_model_scroll(&m, 5);
    CU_ASSERT_EQUAL(m.scroll, 11);
    top_model_scroll(&m, 40); /* everything fits */
    CU_ASSERT_EQUAL(m.scroll, 0);
    for (uint16_t i = 4; i < FAKE_MAX_DOMAINS; i++) {
        fake.domains[i].exists = false;
    }
    m.scroll = 11;
    sample_at(2);
    top_model_scroll(&m, 3);
    CU_ASSERT_EQUAL(m.scroll, 1); /* the table shrank under the scroll */
    CU_ASSERT_EQUAL(m.sel, 3);
}

static void test_top_layout_for_each_size(void)
{
    static const struct {
        int lines, cols;
        bool console;
        bool is_too_small;
        int nr_rows, console_rows, name_width;
        unsigned int columns;
    } cases[] = {
        {7, 80, false, true, 0, 0, 0, 0},
        {8, 39, false, true, 0, 0, 0, 0},
        {0, 0, false, true, 0, 0, 0, 0},
        {8, 40, false, false, 2, 0, 16,
         1u << TOP_COL_NAME | 1u << TOP_COL_ID | 1u << TOP_COL_CPU | 1u << TOP_COL_EXITS},
        {24, 80, false, false, 18, 0, 19, TOP_ALL_COLUMNS},
        {24, 80, true, false, 9, 8, 19, TOP_ALL_COLUMNS},
        {24, 60, false, false, 18, 0, 16,
         TOP_ALL_COLUMNS & ~(1u << TOP_COL_VCPUS | 1u << TOP_COL_TOPEXIT)},
        {10, 80, true, false, 4, 0, 19, TOP_ALL_COLUMNS}, /* no room for the pane */
        {12, 80, true, false, 2, 3, 19, TOP_ALL_COLUMNS}, /* just room */
        {50, 200, false, false, 44, 0, 31, TOP_ALL_COLUMNS},
        {9, 10000, false, false, 3, 0, 31, TOP_ALL_COLUMNS},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct top_layout l;

        top_layout_compute(cases[i].lines, cases[i].cols, cases[i].console, &l);
        UNIT_CHECK(l.is_too_small == cases[i].is_too_small, "%dx%d: too small %d", cases[i].cols,
                   cases[i].lines, l.is_too_small);
        if (l.is_too_small) {
            continue;
        }
        UNIT_CHECK(l.nr_rows == cases[i].nr_rows && l.console_rows == cases[i].console_rows,
                   "%dx%d%s: %d rows, console %d", cases[i].cols, cases[i].lines,
                   cases[i].console ? " with console" : "", l.nr_rows, l.console_rows);
        UNIT_CHECK(l.name_width == cases[i].name_width && l.columns == cases[i].columns,
                   "%dx%d: name %d, columns %x", cases[i].cols, cases[i].lines, l.name_width,
                   l.columns);
        UNIT_CHECK(l.help_row == cases[i].lines - 1 && l.message_row == cases[i].lines - 2 &&
                       l.first_row + l.nr_rows + (l.console_rows ? l.console_rows + 1 : 0) ==
                           l.message_row,
                   "%dx%d: rows do not add up", cases[i].cols, cases[i].lines);
        UNIT_CHECK(l.console_rows == 0 || (l.console_row == l.first_row + l.nr_rows &&
                                           l.console_first == l.console_row + 1),
                   "%dx%d: console pane misplaced", cases[i].cols, cases[i].lines);
    }
}

/* Every line a layout's columns make fits the terminal's width. */
static void test_top_layout_lines_fit(void)
{
    struct top_row r = {.domid = 32766,
                        .state = AXVM_STATE_SHUTDOWN,
                        .mem_kib = 9999999999,
                        .nr_vcpus = 16,
                        .top_exit = AXVM_EXIT_IRQ_WINDOW};
    char line[TOP_LINE_MAX];

    memset(r.name, 'n', sizeof(r.name) - 1);
    r.rates.is_known = true;
    r.rates.cpu_pct = 1600.0;
    r.rates.exits_per_s = 999999.9;
    for (int cols = TOP_MIN_COLS; cols < 120; cols++) {
        struct top_layout l;

        top_layout_compute(24, cols, false, &l);
        top_format_heading(l.columns, l.name_width, line, sizeof(line));
        UNIT_CHECK((int)strlen(line) <= cols, "%d columns: heading of %zu", cols, strlen(line));
        top_format_row(&r, l.columns, l.name_width, true, line, sizeof(line));
        UNIT_CHECK((int)strlen(line) <= cols, "%d columns: row of %zu", cols, strlen(line));
    }
}

static void test_top_console_tail_shows_the_last_lines_that_fit(void)
{
    static const struct {
        const char *text;
        unsigned int width, nr;
        const char *want[4];
    } cases[] = {
        {"one\ntwo\nthree\nfour\n", 20, 2, {"three", "four"}},
        {"one\ntwo\n", 20, 4, {"one", "two"}},
        {"login: ", 20, 2, {"login: "}},
        {"abcdefghij\n", 4, 3, {"abcd", "efgh", "ij"}},
        {"abcd\nx", 4, 3, {"abcd", "x"}},
        {"\x1b[2J\x1b[1;31mred\x1b[0m plain\r\n", 20, 1, {"red plain"}},
        {"a\x1b]0;title\x07"
         "b\n",
         20,
         1,
         {"ab"}},
        {"a\x1b]0;title\x1b\\b\n", 20, 1, {"ab"}},
        {"a\x1b"
         "cb\n",
         20,
         1,
         {"ab"}},
        {"a\tb\n", 20, 1, {"a       b"}},
        {"bell\x07 nul\x01\x7f!\n", 20, 1, {"bell nul!"}},
        {"caf\xc3\xa9 ok\n", 20, 1, {"caf? ok"}},
        {"\n\nlast\n", 20, 3, {"", "", "last"}},
        {"trailing\x1b[", 20, 1, {"trailing"}},
        {"", 20, 3, {NULL}},
    };
    char lines[4][TOP_LINE_MAX];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned int want_n = 0, n;

        while (want_n < 4 && cases[i].want[want_n]) {
            want_n++;
        }
        memset(lines, 'X', sizeof(lines));
        n = top_console_tail(cases[i].text, strlen(cases[i].text), cases[i].width, cases[i].nr,
                             lines);
        UNIT_CHECK(n == want_n, "case %zu: %u lines", i, n);
        for (unsigned int k = 0; k < n && k < want_n; k++) {
            UNIT_CHECK(strcmp(lines[k], cases[i].want[k]) == 0, "case %zu line %u: '%s'", i, k,
                       lines[k]);
        }
    }
    CU_ASSERT_EQUAL(top_console_tail("abc", 3, 0, 2, lines), 0);
    CU_ASSERT_EQUAL(top_console_tail("abc", 3, 10, 0, lines), 0);
}

static void test_top_console_update_reads_the_selected_ring(void)
{
    add_fixture();
    fake.domains[0].console = "dom0 says hi\n";
    fake.domains[1].console = "web: ready\nweb# ";
    CU_ASSERT_EQUAL(top_console_update(&m, h), 0);
    CU_ASSERT_EQUAL(fake_transport_count(&fake, AXVM_HC_CONSOLE_READ), 0); /* pane hidden */
    top_model_key(&m, 'c');
    CU_ASSERT_EQUAL(top_console_update(&m, h), 0);
    CU_ASSERT_EQUAL(m.console.len, 13);
    CU_ASSERT_EQUAL(memcmp(m.console.text, "dom0 says hi\n", 13), 0);
    top_model_key(&m, TOP_KEY_DOWN);
    CU_ASSERT_EQUAL(top_console_update(&m, h), 0);
    CU_ASSERT_EQUAL(m.console.domid, 1);
    CU_ASSERT_EQUAL(m.console.len, 16);
    fake.domains[1].console = "web: ready\nweb# ls\n";
    CU_ASSERT_EQUAL(top_console_update(&m, h), 0);
    CU_ASSERT_EQUAL(m.console.len, 19); /* only the new bytes were added */
    CU_ASSERT_EQUAL(memcmp(m.console.text, "web: ready\nweb# ls\n", 19), 0);
    fake_transport_fail_nr(&fake, AXVM_HC_CONSOLE_READ, 0, -AXVM_EPERM);
    CU_ASSERT_EQUAL(top_console_update(&m, h), -AXVM_EPERM);
}

/* A console that wrote more than is kept: the last TOP_CONSOLE_KEEP bytes stay. */
static void test_top_console_keeps_the_tail_of_a_chatty_guest(void)
{
    size_t len = 3 * TOP_CONSOLE_KEEP;
    char *text = malloc(len + 1);

    CU_ASSERT_FATAL(text != NULL);
    for (size_t i = 0; i < len; i++) {
        text[i] = (char)('a' + i % 26);
    }
    text[len] = '\0';
    add(1, "chatty", AXVM_STATE_RUNNING, 1)->console = text;
    sample_at(1);
    top_model_key(&m, 'c');
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL(top_console_update(&m, h), 0);
    }
    CU_ASSERT_EQUAL(m.console.len, TOP_CONSOLE_KEEP);
    CU_ASSERT_EQUAL(memcmp(m.console.text, text + len - TOP_CONSOLE_KEEP, TOP_CONSOLE_KEEP), 0);
    free(text);
}

static void test_top_format_lines(void)
{
    char line[TOP_LINE_MAX];

    top_format_summary(&m, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "axvm-top - no statistics yet");
    add_fixture();
    fake.now_ns = 90061 * NS_PER_S;
    top_format_summary(&m, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(
        line, "axvm-top - up 0:00:12 - 4 domains - sched credit - mem 768/1024 MiB free");
    top_format_pcpus(&m, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "2 pCPUs busy: cpu0 50% cpu1 0%");
    top_format_title(&m, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "4 domains, sorted by ID");
    top_model_key(&m, '4');
    top_model_key(&m, 'r');
    top_format_title(&m, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "4 domains, sorted by CPU(%) (reversed)");
    top_format_heading(TOP_ALL_COLUMNS, 10, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line,
                           "NAME          ID STATE     CPU(%)   MEM(KiB) VCPUS   EXITS/S TOPEXIT");
    top_format_row(row_of(1), TOP_ALL_COLUMNS, 10, true, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "web            1 running     90.0      65536     4     400.0 io");
    top_format_row(row_of(2), TOP_ALL_COLUMNS, 10, true, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "db             2 paused       0.0     131072     1       0.0 -");
    top_format_row(row_of(0), 1u << TOP_COL_NAME | 1u << TOP_COL_CPU, 4, true, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "Doma    10.0");
    top_format_row(row_of(0), 1u << TOP_COL_NAME, 4, false, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "Domain-0");
    fake.now_ns = 2 * 86400 * NS_PER_S + 3723 * NS_PER_S;
    fake.physinfo.nr_cpus = 1;
    CU_ASSERT_EQUAL(top_model_sample(&m, h), 0);
    top_format_summary(&m, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "axvm-top - up 2 days, 1:02:03 - 4 domains - sched credit - "
                                 "mem 768/1024 MiB free");
}

static void test_top_format_vcpu_and_exit_views(void)
{
    const struct top_row *web;
    char line[TOP_LINE_MAX];

    add_fixture();
    fake.domains[1].vcpus[3] = (struct axvm_vcpu_stats){
        .state = AXVM_VCPU_RUNNING, .pcpu = 1, .affinity = 0x2, .cpu_time_ns = NS_PER_S};
    fake.domains[1].vcpus[3].exits[AXVM_EXIT_IO] = 1600; /* 800 more since 12 s */
    fake.domains[1].vcpus[3].exits[AXVM_EXIT_HALT] = 4;
    sample_at(14);
    web = row_of(1);
    top_format_vcpu_heading(line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "VCPU STATE     CPU AFFINITY          CPU(%)   EXITS/S");
    CU_ASSERT_TRUE(top_format_vcpu(&m, web, 0, line, sizeof(line)));
    CU_ASSERT_STRING_EQUAL(line, "   0 offline     - all                  0.0       0.0");
    CU_ASSERT_TRUE(top_format_vcpu(&m, web, 3, line, sizeof(line)));
    CU_ASSERT_STRING_EQUAL(line, "   3 running     1 1                   50.0     402.0");
    CU_ASSERT_FALSE(top_format_vcpu(&m, web, 4, line, sizeof(line)));
    CU_ASSERT_FALSE(top_format_vcpu(&m, NULL, 0, line, sizeof(line)));
    top_format_exit_heading(line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "REASON                COUNT   PER SECOND");
    CU_ASSERT_TRUE(top_format_exit(web, 0, line, sizeof(line)));
    CU_ASSERT_STRING_EQUAL(line, "io                     6600        400.0");
    CU_ASSERT_TRUE(top_format_exit(web, 1, line, sizeof(line)));
    CU_ASSERT_STRING_EQUAL(line, "halt                      4          2.0");
    CU_ASSERT_FALSE(top_format_exit(web, 2, line, sizeof(line)));
    /* db had exits long ago and none lately: listed, with 0 per second. */
    CU_ASSERT_TRUE(top_format_exit(row_of(2), 0, line, sizeof(line)));
    CU_ASSERT_STRING_EQUAL(line, "npf                       3          0.0");
    top_model_key(&m, 'v');
    top_format_title(&m, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "vCPUs of Domain-0 (id 0)");
    top_model_key(&m, 'e');
    top_format_title(&m, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "VM exits of Domain-0 (id 0)");
    top_model_key(&m, 'h');
    top_format_title(&m, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "Keys (h or Esc: back)");
    CU_ASSERT_TRUE(top_format_help(0, line, sizeof(line)));
    CU_ASSERT_FALSE(top_format_help(100, line, sizeof(line)));
    CU_ASSERT_PTR_NOT_NULL(strstr(top_format_keys(), "D:destroy"));
    CU_ASSERT(strlen(top_format_keys()) <= 80);
}

static CU_TestInfo tests[] = {
    UNIT_TEST(test_top_model_first_sample_has_no_rates),
    UNIT_TEST(test_top_model_rates_between_samples),
    UNIT_TEST(test_top_model_follows_domains_that_come_and_go),
    UNIT_TEST(test_top_model_sorts_by_every_column),
    UNIT_TEST(test_top_model_selection_follows_its_domain),
    UNIT_TEST(test_top_model_selection_when_its_domain_goes),
    UNIT_TEST(test_top_model_moves_the_selection_within_the_table),
    UNIT_TEST(test_top_model_sort_keys),
    UNIT_TEST(test_top_model_destroy_asks_first),
    UNIT_TEST(test_top_model_destroy_refuses_dom0_and_the_gone),
    UNIT_TEST(test_top_model_pause_key_toggles),
    UNIT_TEST(test_top_model_view_keys),
    UNIT_TEST(test_top_model_scrolls_to_the_selection),
    UNIT_TEST(test_top_layout_for_each_size),
    UNIT_TEST(test_top_layout_lines_fit),
    UNIT_TEST(test_top_console_tail_shows_the_last_lines_that_fit),
    UNIT_TEST(test_top_console_update_reads_the_selected_ring),
    UNIT_TEST(test_top_console_keeps_the_tail_of_a_chatty_guest),
    UNIT_TEST(test_top_format_lines),
    UNIT_TEST(test_top_format_vcpu_and_exit_views),
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo info = {"top_model", NULL, NULL, setup, teardown, tests};
UNIT_REGISTER_SUITE(info);
