/* SPDX-License-Identifier: MIT */
/*
 * axvm-top's ncurses screen: each refresh draws the whole model into curses' buffer after
 * erase() (never clear()), so only the cells that changed go out on the line; this matters on
 * a 115200-baud serial console. The layout and every line's text come from top_layout.c and
 * top_format.c; nothing here decides what is shown.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "top.h"
#include <curses.h>
#include <term.h>
/* <term.h> names terminfo's capabilities as macros; these two are words we use. */
#undef lines
#undef columns

#define ESC_DELAY_MS 50 /* how long a lone Esc waits for the rest of a key's sequence */

struct top_screen {
    SCREEN *screen;
};

static bool has_cursor_motion(void)
{
    char *cup = tigetstr("cup");

    return cup && cup != (char *)-1;
}

/* Whether curses can drive the terminal on out; why not, otherwise. */
static bool can_drive(FILE *in, FILE *out, const char *term, char *why, size_t why_size)
{
    int err = 0;
    bool ok;

    if (!isatty(fileno(in)) || !isatty(fileno(out))) {
        snprintf(why, why_size, "standard input and output are not a terminal");
        return false;
    }
    if (!term || !term[0]) {
        snprintf(why, why_size, "TERM is not set");
        return false;
    }
    if (setupterm(term, fileno(out), &err) != OK) {
        snprintf(why, why_size, "no terminfo entry for TERM=%.40s", term);
        return false;
    }
    ok = has_cursor_motion();
    del_curterm(cur_term);
    if (!ok) {
        snprintf(why, why_size, "TERM=%.40s cannot move the cursor", term);
    }
    return ok;
}

struct top_screen *top_screen_open(FILE *in, FILE *out, char *why, size_t why_size)
{
    const char *term = getenv("TERM");
    struct top_screen *s;

    if (!can_drive(in, out, term, why, why_size)) {
        return NULL;
    }
    s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    s->screen = newterm(term, out, in);
    if (!s->screen) {
        snprintf(why, why_size, "curses cannot use TERM=%.40s", term);
        free(s);
        return NULL;
    }
    set_term(s->screen);
    set_escdelay(ESC_DELAY_MS);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    leaveok(stdscr, TRUE);
    curs_set(0); /* not every terminal can hide it: then it just stays */
    return s;
}

/* One line at row, cut at the screen's edge, with attributes. */
static void put_line(int row, int cols, const char *text, attr_t attr)
{
    if (row < 0) {
        return;
    }
    attrset((int)attr);
    mvaddnstr(row, 0, text, cols);
    if (attr & A_REVERSE) {
        for (int x = (int)strnlen(text, (size_t)cols); x < cols; x++) {
            mvaddch(row, x, ' '); /* a bar across the screen */
        }
    }
    attrset(A_NORMAL);
}

static void draw_domains(struct top_model *m, const struct top_layout *l)
{
    char line[TOP_LINE_MAX];

    top_format_heading(l->columns, l->name_width, line, sizeof(line));
    put_line(l->heading_row, l->cols, line, A_BOLD);
    top_model_scroll(m, (uint32_t)l->nr_rows);
    for (int i = 0; i < l->nr_rows && m->scroll + (uint32_t)i < m->nr_rows; i++) {
        uint32_t r = m->scroll + (uint32_t)i;

        top_format_row(&m->rows[r], l->columns, l->name_width, true, line, sizeof(line));
        put_line(l->first_row + i, l->cols, line,
                 m->has_selection && r == m->sel ? A_REVERSE : A_NORMAL);
    }
}

static void draw_view(struct top_model *m, const struct top_layout *l)
{
    const struct top_row *r = top_model_selected(m);
    char line[TOP_LINE_MAX];
    bool more = true;

    if (m->view == TOP_VIEW_DOMAINS) {
        draw_domains(m, l);
        return;
    }
    if (m->view == TOP_VIEW_VCPUS) {
        top_format_vcpu_heading(line, sizeof(line));
    } else if (m->view == TOP_VIEW_EXITS) {
        top_format_exit_heading(line, sizeof(line));
    } else {
        line[0] = '\0';
    }
    put_line(l->heading_row, l->cols, line, A_BOLD);
    for (int i = 0; more && i < l->nr_rows; i++) {
        if (m->view == TOP_VIEW_VCPUS) {
            more = top_format_vcpu(m, r, (unsigned int)i, line, sizeof(line));
        } else if (m->view == TOP_VIEW_EXITS) {
            more = top_format_exit(r, (unsigned int)i, line, sizeof(line));
        } else {
            more = top_format_help((unsigned int)i, line, sizeof(line));
        }
        if (more) {
            put_line(l->first_row + i, l->cols, line, A_NORMAL);
        }
    }
}

static void draw_console(const struct top_model *m, const struct top_layout *l)
{
    static char text[64][TOP_LINE_MAX];
    const struct top_row *r = top_model_selected(m);
    const struct top_console *c = &m->console;
    char title[TOP_LINE_MAX];
    int nr = l->console_rows < 64 ? l->console_rows : 64;
    unsigned int n = 0;

    snprintf(title, sizeof(title), "console of %s", r ? r->name : "no domain");
    put_line(l->console_row, l->cols, title, A_REVERSE);
    if (r && r->is_privileged) {
        /* dom0's console is the terminal this program draws on: its ring holds our own output. */
        put_line(l->console_first, l->cols, "(dom0's console is this terminal)", A_NORMAL);
        return;
    }
    if (r && c->is_open && c->domid == r->domid && c->created_ns == r->created_ns) {
        n = top_console_tail(c->text, c->len, (unsigned int)l->cols, (unsigned int)nr, text);
    }
    for (unsigned int i = 0; i < n; i++) {
        put_line(l->console_first + (int)i, l->cols, text[i], A_NORMAL);
    }
}

void top_screen_draw(struct top_screen *s, struct top_model *m)
{
    struct top_layout l;
    char line[TOP_LINE_MAX];
    int rows, cols;

    (void)s;
    getmaxyx(stdscr, rows, cols);
    top_layout_compute(rows, cols, m->show_console, &l);
    erase();
    if (l.is_too_small) {
        put_line(0, cols, "terminal too small", A_NORMAL);
        refresh();
        return;
    }
    m->page_rows = (uint32_t)l.nr_rows;
    top_format_summary(m, line, sizeof(line));
    put_line(l.summary_row, cols, line, A_NORMAL);
    top_format_pcpus(m, line, sizeof(line));
    put_line(l.pcpu_row, cols, line, A_NORMAL);
    top_format_title(m, line, sizeof(line));
    put_line(l.title_row, cols, line, A_BOLD);
    draw_view(m, &l);
    if (l.console_row >= 0) {
        draw_console(m, &l);
    }
    top_format_message(m, line, sizeof(line));
    put_line(l.message_row, cols, line, m->is_confirming ? A_BOLD : A_NORMAL);
    put_line(l.help_row, cols, top_format_keys(), A_REVERSE);
    refresh();
}

int top_screen_key(struct top_screen *s, int ms)
{
    int c;

    (void)s;
    timeout(ms);
    c = getch();
    switch (c) {
    case ERR:
        return TOP_KEY_NONE;
    case KEY_UP:
        return TOP_KEY_UP;
    case KEY_DOWN:
        return TOP_KEY_DOWN;
    case KEY_PPAGE:
        return TOP_KEY_PAGE_UP;
    case KEY_NPAGE:
        return TOP_KEY_PAGE_DOWN;
    case KEY_HOME:
        return TOP_KEY_HOME;
    case KEY_END:
        return TOP_KEY_END;
    case KEY_RESIZE:
        return TOP_KEY_RESIZE;
    default:
        return c >= 0 && c < 0x100 ? c : TOP_KEY_NONE;
    }
}

void top_screen_close(struct top_screen *s)
{
    if (!s) {
        return;
    }
    endwin();
    delscreen(s->screen);
    free(s);
}
