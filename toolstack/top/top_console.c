/* SPDX-License-Identifier: MIT */
/*
 * axvm-top's console pane: the tail of the selected domain's console ring, read as it grows,
 * and the rows a pane of some width shows of it, with the guest's escape sequences and control
 * characters taken out so that nothing it writes can drive the operator's terminal.
 */
#include <string.h>
#include "top.h"

#define CONSOLE_CHUNK     4096u
#define CONSOLE_MAX_READS 8 /* per update: a chatty guest cannot hold the screen up */

_Static_assert(CONSOLE_CHUNK < TOP_CONSOLE_KEEP, "one read fits in what is kept");

/* Keep the last TOP_CONSOLE_KEEP bytes; n is at most CONSOLE_CHUNK. */
static void console_append(struct top_console *c, const char *buf, size_t n)
{
    if (c->len + n > TOP_CONSOLE_KEEP) {
        size_t drop = c->len + n - TOP_CONSOLE_KEEP;

        memmove(c->text, c->text + drop, c->len - drop);
        c->len -= drop;
    }
    memcpy(c->text + c->len, buf, n);
    c->len += n;
}

int top_console_update(struct top_model *m, struct axvmctl *h)
{
    const struct top_row *r = top_model_selected(m);
    struct top_console *c = &m->console;
    char buf[CONSOLE_CHUNK];
    int n = 0;

    if (!m->show_console || !r) {
        return 0;
    }
    if (!c->is_open || c->domid != r->domid || c->created_ns != r->created_ns) {
        *c = (struct top_console){.is_open = true, .domid = r->domid, .created_ns = r->created_ns};
    }
    for (int i = 0; i < CONSOLE_MAX_READS; i++) {
        n = axvmctl_console_read(h, c->domid, &c->pos, buf, sizeof(buf), NULL);
        if (n <= 0) {
            break;
        }
        console_append(c, buf, (size_t)n);
    }
    return n < 0 ? n : 0;
}

/* Rows of a console pane as they come, kept only from row number skip on. */
struct pane {
    char (*lines)[TOP_LINE_MAX];
    unsigned int width;
    unsigned int skip;  /* rows to drop before keeping */
    unsigned int limit; /* rows to keep */
    unsigned int nr;    /* rows seen */
    unsigned int col;
    char row[TOP_LINE_MAX];
};

static void end_row(struct pane *p)
{
    if (p->nr >= p->skip && p->nr - p->skip < p->limit) {
        memcpy(p->lines[p->nr - p->skip], p->row, p->col);
        p->lines[p->nr - p->skip][p->col] = '\0';
    }
    p->nr++;
    p->col = 0;
}

static void put_char(struct pane *p, char c)
{
    if (p->col == p->width) {
        end_row(p); /* wrap */
    }
    p->row[p->col++] = c;
}

/* Skip an escape sequence starting at text[i] (ESC). Returns: the index of its last byte. */
static size_t skip_escape(const char *text, size_t len, size_t i)
{
    if (i + 1 >= len) {
        return i;
    }
    if (text[i + 1] == '[') { /* CSI: parameters, then a final byte 0x40-0x7e */
        for (i += 2; i < len && (text[i] < 0x40 || text[i] > 0x7e); i++) {
        }
        return i < len ? i : len - 1;
    }
    if (text[i + 1] == ']') { /* OSC: up to BEL or ESC \ */
        for (i += 2; i < len && text[i] != '\a' && text[i] != 0x1b; i++) {
        }
        return i < len && text[i] == 0x1b && i + 1 < len ? i + 1 : (i < len ? i : len - 1);
    }
    return i + 1; /* ESC and one character */
}

static void scan(struct pane *p, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];

        if (c == 0x1b) {
            i = skip_escape(text, len, i);
        } else if (c == '\n') {
            end_row(p);
        } else if (c == '\t') {
            do {
                put_char(p, ' ');
            } while (p->col % 8 && p->col < p->width);
        } else if (c >= 0x20 && c < 0x7f) {
            put_char(p, (char)c);
        } else if (c >= 0xc0) {
            put_char(p, '?'); /* the first byte of a UTF-8 character; the rest are skipped */
        }
    }
    if (p->col) {
        end_row(p); /* a line without its newline yet: a prompt */
    }
}

unsigned int top_console_tail(const char *text, size_t len, unsigned int width,
                              unsigned int nr_lines, char lines[][TOP_LINE_MAX])
{
    struct pane p = {.lines = lines, .width = width < TOP_LINE_MAX ? width : TOP_LINE_MAX - 1};

    if (p.width == 0 || nr_lines == 0) {
        return 0;
    }
    scan(&p, text, len); /* count the rows */
    p.skip = p.nr > nr_lines ? p.nr - nr_lines : 0;
    p.limit = nr_lines;
    p.nr = p.col = 0;
    scan(&p, text, len);
    return p.nr - p.skip;
}
