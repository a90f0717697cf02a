/* SPDX-License-Identifier: MIT */
/*
 * Where axvm-top puts things on a terminal of some size: the header lines, the view, the
 * console pane, the status and key lines, and which of the table's columns fit (the least
 * needed go first, the name column shrinks before any goes). Pure arithmetic, so the decisions
 * for small and odd sizes are tested without a terminal.
 */
#include "top.h"

#define NAME_MIN     8
#define NAME_DEFAULT 16
#define NAME_MAX     (AXVM_DOMAIN_NAME_MAX - 1)
#define CONSOLE_MIN  3 /* rows of console text worth a pane */
#define TABLE_MIN    2 /* rows the view keeps when the pane is shown */

/* The columns' widths, the name's aside; each but the first has a space before it. */
static const int column_width[TOP_NR_COLUMNS] = {
    [TOP_COL_ID] = 5,    [TOP_COL_STATE] = 8, [TOP_COL_CPU] = 7,      [TOP_COL_MEM] = 10,
    [TOP_COL_VCPUS] = 5, [TOP_COL_EXITS] = 9, [TOP_COL_TOPEXIT] = 10,
};

/* Which columns go first when the terminal is narrow. */
static const enum top_column drop_order[] = {
    TOP_COL_VCPUS, TOP_COL_TOPEXIT, TOP_COL_MEM, TOP_COL_STATE,
    TOP_COL_EXITS, TOP_COL_CPU,     TOP_COL_ID,
};

static int table_width(unsigned int columns, int name_width)
{
    int w = name_width;

    for (int c = TOP_COL_ID; c < TOP_NR_COLUMNS; c++) {
        if (columns & (1u << c)) {
            w += 1 + column_width[c];
        }
    }
    return w;
}

static void fit_columns(int cols, struct top_layout *out)
{
    unsigned int columns = TOP_ALL_COLUMNS;
    int name = NAME_DEFAULT, w;
    size_t next = 0;

    while ((w = table_width(columns, name)) > cols) {
        if (name > NAME_MIN) {
            name = w - cols < name - NAME_MIN ? name - (w - cols) : NAME_MIN;
        } else if (next < sizeof(drop_order) / sizeof(drop_order[0])) {
            columns &= ~(1u << drop_order[next++]);
        } else {
            break; /* the name alone: the screen cuts it */
        }
    }
    if (w < cols) {
        name += cols - w < NAME_MAX - name ? cols - w : NAME_MAX - name;
    }
    out->columns = columns;
    out->name_width = name;
}

void top_layout_compute(int lines, int cols, bool want_console, struct top_layout *out)
{
    int space;

    *out = (struct top_layout){.cols = cols, .console_row = -1};
    if (lines < TOP_MIN_LINES || cols < TOP_MIN_COLS) {
        out->is_too_small = true;
        return;
    }
    out->summary_row = 0;
    out->pcpu_row = 1;
    out->title_row = 2;
    out->heading_row = 3;
    out->first_row = 4;
    out->help_row = lines - 1;
    out->message_row = lines - 2;
    space = out->message_row - out->first_row;
    out->nr_rows = space;
    if (want_console && space >= TABLE_MIN + 1 + CONSOLE_MIN) {
        out->console_rows = (space - 1) / 2 > CONSOLE_MIN ? (space - 1) / 2 : CONSOLE_MIN;
        out->nr_rows = space - 1 - out->console_rows;
        out->console_row = out->first_row + out->nr_rows;
        out->console_first = out->console_row + 1;
    }
    fit_columns(cols, out);
}
