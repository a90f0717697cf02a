/* SPDX-License-Identifier: MIT */
/*
 * axvm-top: a live table of the domains (CPU %, memory, VM exits per second and by reason),
 * their vCPUs and consoles. The model (top_model.c: samples, rates, sorting, selection, the
 * keys' state machine, the console tail), the layout of a terminal (top_layout.c) and the text
 * of lines (top_format.c) make no terminal calls and are tested alone; top_batch.c prints plain
 * frames, top_screen.c draws with ncurses. cmd_top.c runs them as axvm-xl top or axvm-top.
 */
#ifndef TOOLSTACK_TOP_TOP_H
#define TOOLSTACK_TOP_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "../ctl/axvmctl.h"

/* The domain table's columns, left to right. */
enum top_column {
    TOP_COL_NAME,
    TOP_COL_ID,
    TOP_COL_STATE,
    TOP_COL_CPU,
    TOP_COL_MEM,
    TOP_COL_VCPUS,
    TOP_COL_EXITS,
    TOP_COL_TOPEXIT,
    TOP_NR_COLUMNS,
};

#define TOP_ALL_COLUMNS ((1u << TOP_NR_COLUMNS) - 1)

enum top_view {
    TOP_VIEW_DOMAINS, /* the table of domains */
    TOP_VIEW_VCPUS,   /* the selected domain's vCPUs */
    TOP_VIEW_EXITS,   /* the selected domain's VM exits by reason */
    TOP_VIEW_HELP,    /* the keys */
};

/* Keys as the model takes them: printable ones are their character; ESC is 27. */
enum top_key {
    TOP_KEY_NONE = -1, /* no key before the time ran out */
    TOP_KEY_ESCAPE = 27,
    TOP_KEY_UP = 0x200,
    TOP_KEY_DOWN,
    TOP_KEY_PAGE_UP,
    TOP_KEY_PAGE_DOWN,
    TOP_KEY_HOME,
    TOP_KEY_END,
    TOP_KEY_RESIZE, /* the terminal changed size: lay out again */
};

/* What the program must do after a key: the model itself makes no calls. */
enum top_action_kind {
    TOP_ACTION_NONE,
    TOP_ACTION_QUIT,
    TOP_ACTION_PAUSE,
    TOP_ACTION_UNPAUSE,
    TOP_ACTION_DESTROY,
};

struct top_action {
    enum top_action_kind kind;
    uint16_t domid;
    char name[AXVM_DOMAIN_NAME_MAX]; /* printable, for messages */
};

/* One domain as the table shows it. */
struct top_row {
    uint32_t index; /* in the current sample's domains[] */
    uint16_t domid;
    uint64_t created_ns; /* with domid, who it is: a new domain may get an old id */
    char name[AXVM_DOMAIN_NAME_MAX];
    uint32_t state; /* AXVM_STATE_* */
    uint64_t mem_kib;
    uint16_t nr_vcpus;
    bool is_privileged;           /* dom0: never paused or destroyed from here */
    struct axvmctl_rates rates;   /* since the previous sample */
    int top_exit;                 /* rates' top exit, or the most since created; -1: none */
    uint64_t exits[AXVM_EXIT_NR]; /* since created, all vCPUs */
};

#define TOP_CONSOLE_KEEP 16384 /* bytes of the console kept: a ring's worth */

/* The tail of the selected domain's console, for the console pane. */
struct top_console {
    bool is_open;
    uint16_t domid;
    uint64_t created_ns;
    uint64_t pos; /* read up to here */
    size_t len;
    char text[TOP_CONSOLE_KEEP];
};

#define TOP_MESSAGE_MAX 128

struct top_model {
    struct axvmctl_stats samples[2];
    struct axvmctl_stats *cur;  /* the latest sample, NULL before the first */
    struct axvmctl_stats *prev; /* the one before, NULL before the second */
    struct top_row *rows;       /* cur's domains, sorted */
    uint32_t nr_rows, rows_cap;
    enum top_column sort;
    bool is_reversed; /* against the column's natural order */
    bool has_selection;
    uint32_t sel; /* index in rows */
    uint16_t sel_domid;
    uint64_t sel_created_ns;
    uint32_t scroll;    /* the first row shown */
    uint32_t page_rows; /* rows one page shows (the screen sets it; 0: 10) */
    enum top_view view;
    bool show_console;
    bool is_confirming;        /* "Destroy ...? y/n" is asked */
    struct top_action confirm; /* what 'y' does */
    uint64_t confirm_created_ns;
    char message[TOP_MESSAGE_MAX]; /* the status line: what the last action did */
    struct top_console console;
};

/* top_model.c */

void top_model_init(struct top_model *m);
void top_model_fini(struct top_model *m);

/*
 * Take a new sample (SYSCTL_STATS) and rebuild the rows: rates against the previous sample,
 * sorted, the selection kept on the same domain (or the row where it was, when it is gone).
 * Returns: 0, or the call's error (the model keeps the last good sample).
 */
int top_model_sample(struct top_model *m, struct axvmctl *h);

/* Rebuild the rows from the samples held (after a change of sort, or in tests). */
void top_model_rebuild(struct top_model *m);

/* Sort by column (natural order, or its reverse), keeping the selection. */
void top_model_set_sort(struct top_model *m, enum top_column col, bool is_reversed);

/* Returns: the column named name ("name", "id", "state", "cpu", "mem", "vcpus", "exits",
 * "topexit"), or -1. */
int top_column_by_name(const char *name);

/* Returns: the selected row, or NULL when there is none. */
const struct top_row *top_model_selected(const struct top_model *m);

/*
 * Handle one key: move the selection, sort, switch views, toggle the console pane, ask and
 * confirm. Returns: what the program must do now (pause, unpause, destroy, quit, or nothing).
 */
struct top_action top_model_key(struct top_model *m, int key);

/* Record how an action went (rc 0 or an error) in the status line. */
void top_model_done(struct top_model *m, const struct top_action *a, int rc);

/* Keep the selected row among the visible rows (visible: how many the screen shows). */
void top_model_scroll(struct top_model *m, uint32_t visible);

/* top_console.c */

/*
 * Read what the selected domain's console wrote since last time (from the start of its ring
 * when the selection changed) into m->console. Does nothing unless the console pane is shown.
 * Returns: 0 or the call's error.
 */
int top_console_update(struct top_model *m, struct axvmctl *h);

#define TOP_LINE_MAX 256 /* bytes of one screen line, NUL included: wider terminals are cut */

/*
 * The last nr_lines rows of text as a width-column pane shows them: escape sequences and
 * control characters removed, tabs expanded, long lines wrapped (width is at most
 * TOP_LINE_MAX - 1). Returns: how many rows were filled, from lines[0] on.
 */
unsigned int top_console_tail(const char *text, size_t len, unsigned int width,
                              unsigned int nr_lines, char lines[][TOP_LINE_MAX]);

/* top_layout.c */

#define TOP_MIN_COLS  40
#define TOP_MIN_LINES 8

/* Where things go on a lines x cols terminal. */
struct top_layout {
    bool is_too_small; /* below TOP_MIN_COLS x TOP_MIN_LINES: only a notice */
    int cols;
    int summary_row;      /* host summary */
    int pcpu_row;         /* pCPUs' busy % */
    int title_row;        /* what the view shows */
    int heading_row;      /* column headings */
    int first_row;        /* the view's rows... */
    int nr_rows;          /* ...this many */
    int console_row;      /* the console pane's title (-1: no pane) */
    int console_first;    /* its text rows... */
    int console_rows;     /* ...this many */
    int message_row;      /* status line, or the y/n question */
    int help_row;         /* the keys */
    unsigned int columns; /* bit per enum top_column shown */
    int name_width;
};

/* Lay out a lines x cols terminal, with the console pane when asked and there is room. */
void top_layout_compute(int lines, int cols, bool want_console, struct top_layout *out);

/* top_format.c: the text of each line, for the screen and for batch frames. */

/* Returns: "created", "running", "paused", "shutdown", "crashed" (AXVM_STATE_*), "unknown". */
const char *top_format_state(uint32_t state);

/* The host line: uptime, domains, scheduler, free memory. */
void top_format_summary(const struct top_model *m, char *buf, size_t size);

/* The pCPUs' busy percentages since the previous sample ("-" before it). */
void top_format_pcpus(const struct top_model *m, char *buf, size_t size);

/* The title of the current view ("3 domains, by CPU(%) descending"). */
void top_format_title(const struct top_model *m, char *buf, size_t size);

/*
 * The domain table's heading and rows with the given columns; the name column is name_width
 * wide, and a longer name is cut (is_cut) or pushes the rest of its line right.
 */
void top_format_heading(unsigned int columns, int name_width, char *buf, size_t size);
void top_format_row(const struct top_row *r, unsigned int columns, int name_width, bool is_cut,
                    char *buf, size_t size);

/* The vCPU view: heading, and vCPU k of row r (NULL: none). Returns: false past the last. */
void top_format_vcpu_heading(char *buf, size_t size);
bool top_format_vcpu(const struct top_model *m, const struct top_row *r, unsigned int k, char *buf,
                     size_t size);

/*
 * The exit view: heading, and the k-th reason with exits of row r (by exits per second, then
 * count). Returns: false past the last one.
 */
void top_format_exit_heading(char *buf, size_t size);
bool top_format_exit(const struct top_row *r, unsigned int k, char *buf, size_t size);

/* The help view's k-th line; false past the last. And the one-line key summary. */
bool top_format_help(unsigned int k, char *buf, size_t size);
const char *top_format_keys(void);

/* The status line: the y/n question, or the last message. */
void top_format_message(const struct top_model *m, char *buf, size_t size);

/* top_batch.c */

struct top_batch_options {
    bool with_exits; /* per-domain exit counts (-x) */
    bool with_vcpus; /* per-vCPU lines (-v) */
};

/* Print the model's current sample as one plain frame (no escape codes). */
void top_batch_frame(const struct top_model *m, const struct top_batch_options *opt, FILE *out);

/* top_screen.c: the ncurses screen. */

struct top_screen;

/*
 * Take over the terminal (in, out must be the terminal). Returns: the screen; or NULL with a
 * one-line reason in why (no terminal, no terminfo entry, a terminal that cannot move the
 * cursor), and the terminal untouched.
 */
struct top_screen *top_screen_open(FILE *in, FILE *out, char *why, size_t why_size);

/* Draw the model; only what changed reaches the terminal. */
void top_screen_draw(struct top_screen *s, struct top_model *m);

/* Wait up to ms for a key. Returns: an enum top_key value or a character; TOP_KEY_NONE. */
int top_screen_key(struct top_screen *s, int ms);

/* Give the terminal back as it was. */
void top_screen_close(struct top_screen *s);

#endif /* TOOLSTACK_TOP_TOP_H */
