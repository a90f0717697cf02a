/* SPDX-License-Identifier: MIT */
/*
 * axvm-top, as "axvm-xl top" or on its own (dom0's /usr/sbin/axvm-top links to axvm-xl): the
 * options, the interactive loop over the ncurses screen (sample every -d seconds, keys in
 * between) and the batch loop, which also serves terminals curses cannot drive.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "top/top.h"
#include "xl.h"

#define DELAY_MS_DEFAULT    1000u
#define DELAY_MS_MAX        3600000u
#define DELAY_MS_MIN_SCREEN 100u /* the screen's loop never spins */
#define ITERATIONS_MAX      1000000ul

struct top_options {
    bool is_batch;
    unsigned long iterations; /* 0: until interrupted */
    unsigned int delay_ms;
    enum top_column sort;
    bool is_reversed;
    struct top_batch_options batch;
};

static volatile sig_atomic_t stop_signal;

static void note_stop(int sig)
{
    stop_signal = sig;
}

/* Seconds with up to three decimals ("1", "0.5"), 0 to 3600. Returns: whether s is that. */
static bool parse_delay(struct cli *cli, const char *s, unsigned int *ms)
{
    unsigned long whole = 0, frac = 0, scale = 1000;
    const char *p = s;

    for (; *p >= '0' && *p <= '9' && whole <= DELAY_MS_MAX / 1000; p++) {
        whole = whole * 10 + (unsigned long)(*p - '0');
    }
    if (*p == '.' && p > s) {
        for (p++; *p >= '0' && *p <= '9' && scale > 1; p++) {
            scale /= 10;
            frac += (unsigned long)(*p - '0') * scale;
        }
    }
    if (p == s || *p || whole * 1000 + frac > DELAY_MS_MAX) {
        cli_fail(cli, "%s-d '%s' is not a number of seconds (0-3600, such as 1 or 0.5)",
                 cli->cmd->name[0] ? "top: " : "", s);
        return false;
    }
    *ms = (unsigned int)(whole * 1000 + frac);
    return true;
}

static bool parse_options(struct cli *cli, const struct cli_args *args, struct top_options *o)
{
    const char *iterations = cli_args_value(args, 'i');
    const char *delay = cli_args_value(args, 'd');
    const char *sort = cli_args_value(args, 's');
    int col = TOP_COL_ID;

    *o = (struct top_options){.delay_ms = DELAY_MS_DEFAULT, .sort = TOP_COL_ID};
    o->is_batch = cli_args_has(args, 'b');
    o->batch.with_exits = cli_args_has(args, 'x');
    o->batch.with_vcpus = cli_args_has(args, 'v');
    o->is_reversed = cli_args_has(args, 'r');
    if (iterations && !cli_parse_uint(cli, "-i", iterations, "a number of frames", 1,
                                      ITERATIONS_MAX, &o->iterations)) {
        return false;
    }
    if (delay && !parse_delay(cli, delay, &o->delay_ms)) {
        return false;
    }
    if (sort && (col = top_column_by_name(sort)) < 0) {
        cli_fail(cli,
                 "%s-s '%s' is not a column: name, id, state, cpu, mem, vcpus, exits, "
                 "topexit",
                 cli->cmd->name[0] ? "top: " : "", sort);
        return false;
    }
    o->sort = (enum top_column)col;
    return true;
}

static int stats_failed(struct cli *cli, int rc)
{
    if (rc == -AXVM_ENOSYS) {
        return cli_fail(cli, "the hypervisor does not report statistics (ABI older than 0.4)");
    }
    return cli_fail(cli, "cannot read the statistics: %s", axvmctl_strerror(rc));
}

/* Sleep ms, or less when a stop signal arrives. */
static void wait_ms(unsigned int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !stop_signal) {
    }
}

static int run_batch(struct cli *cli, struct top_model *m, const struct top_options *o)
{
    for (unsigned long i = 0; !stop_signal && (o->iterations == 0 || i < o->iterations); i++) {
        int rc;

        if (i) {
            wait_ms(o->delay_ms);
        }
        if (stop_signal) {
            break;
        }
        rc = top_model_sample(m, cli->ctl);
        if (rc < 0) {
            return stats_failed(cli, rc);
        }
        top_batch_frame(m, &o->batch, cli->out);
        if (ferror(cli->out)) {
            return 1; /* a closed pipe: the reader is gone */
        }
    }
    return 0;
}

static int act(struct cli *cli, const struct top_action *a)
{
    switch (a->kind) {
    case TOP_ACTION_PAUSE:
        return axvmctl_domain_pause(cli->ctl, a->domid);
    case TOP_ACTION_UNPAUSE:
        return axvmctl_domain_unpause(cli->ctl, a->domid);
    case TOP_ACTION_DESTROY:
        return axvmctl_domain_destroy(cli->ctl, a->domid);
    default:
        return 0;
    }
}

/* Sample (and read the console) when due; say in the status line when it fails. */
static void refresh_model(struct cli *cli, struct top_model *m)
{
    int rc = top_model_sample(m, cli->ctl);

    if (rc < 0) {
        snprintf(m->message, sizeof(m->message), "cannot read the statistics: %s",
                 rc == -AXVM_ENOSYS ? "the hypervisor has none (ABI older than 0.4)"
                                    : axvmctl_strerror(rc));
    }
    rc = top_console_update(m, cli->ctl);
    if (rc < 0) {
        snprintf(m->message, sizeof(m->message), "cannot read the console: %s",
                 axvmctl_strerror(rc));
    }
}

static void run_screen(struct cli *cli, struct top_screen *s, struct top_model *m,
                       const struct top_options *o)
{
    unsigned int delay = o->delay_ms > DELAY_MS_MIN_SCREEN ? o->delay_ms : DELAY_MS_MIN_SCREEN;
    uint64_t due = 0;

    while (!stop_signal) {
        uint64_t now = cli_now_ms();
        struct top_action a;
        int key;

        if (now >= due) {
            refresh_model(cli, m);
            due = now + delay;
        }
        top_screen_draw(s, m);
        key = top_screen_key(s, (int)(due > now ? due - now : 0));
        a = top_model_key(m, key);
        if (a.kind == TOP_ACTION_QUIT) {
            break;
        }
        if (a.kind != TOP_ACTION_NONE) {
            top_model_done(m, &a, act(cli, &a));
        }
        if (key != TOP_KEY_NONE && m->show_console) {
            top_console_update(m, cli->ctl); /* the pane shown, or another domain's: now */
        }
    }
}

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NR_STOP_SIGNALS (sizeof(stop_signals) / sizeof(stop_signals[0]))

/* Ctrl-C and friends end the loops cleanly, so the terminal is always given back. */
static void catch_stops(struct sigaction old[NR_STOP_SIGNALS])
{
    struct sigaction sa = {.sa_handler = note_stop};

    stop_signal = 0;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NR_STOP_SIGNALS; i++) {
        sigaction(stop_signals[i], &sa, &old[i]);
    }
}

static void release_stops(const struct sigaction old[NR_STOP_SIGNALS])
{
    for (size_t i = 0; i < NR_STOP_SIGNALS; i++) {
        sigaction(stop_signals[i], &old[i], NULL);
    }
}

static int run(struct cli *cli, const struct top_options *o)
{
    struct sigaction old[NR_STOP_SIGNALS];
    struct top_screen *s = NULL;
    struct top_model m;
    char why[128] = "";
    int rc = 0;

    top_model_init(&m);
    m.sort = o->sort;
    m.is_reversed = o->is_reversed;
    catch_stops(old);
    if (!o->is_batch) {
        s = top_screen_open(stdin, cli->out, why, sizeof(why));
        if (!s) {
            fprintf(cli->err, "%s: %s: printing plain frames as -b does (Ctrl-C stops)\n",
                    cli->prog, why);
            fflush(cli->err);
        }
    }
    if (s) {
        run_screen(cli, s, &m, o);
        top_screen_close(s);
    } else {
        rc = run_batch(cli, &m, o);
    }
    release_stops(old);
    top_model_fini(&m);
    if (stop_signal) {
        fflush(cli->out);
        raise(stop_signal); /* end as the signal would have ended us, terminal restored */
    }
    return rc;
}

static int cmd_top_top(struct cli *cli, int argc, char **argv)
{
    struct top_options o;
    struct cli_args args;
    int rc = cli_parse(cli, argc, argv, &args);

    if (rc != CLI_RUN) {
        return rc;
    }
    if (!parse_options(cli, &args, &o) || !cli_ctl(cli)) {
        return 1;
    }
    return run(cli, &o);
}

static const struct option top_options[] = {
    {"batch", no_argument, NULL, 'b'},       {"iterations", required_argument, NULL, 'i'},
    {"delay", required_argument, NULL, 'd'}, {"sort", required_argument, NULL, 's'},
    {"reverse", no_argument, NULL, 'r'},     {"exits", no_argument, NULL, 'x'},
    {"vcpus", no_argument, NULL, 'v'},       {0},
};
static const char *const top_option_help[] = {
    "print plain-text frames instead of the live screen",
    "N: stop after N frames (default: until interrupted)",
    "SECONDS: between frames, such as 1 (the default) or 0.5",
    "COLUMN: sort by name, id (default), state, cpu, mem, vcpus, exits, topexit",
    "reverse the sort order",
    "batch: a line of VM exit counts under each domain",
    "batch: a line per vCPU under each domain",
};

#define TOP_DETAILS                                                                           \
    "A live table of the domains: NAME, ID, STATE, CPU(%) (of one CPU, since the last\n"      \
    "refresh), MEM(KiB), VCPUS, EXITS/S (VM exits per second) and TOPEXIT (the most\n"        \
    "frequent exit reason), under a header with the uptime, the scheduler, free memory and\n" \
    "each pCPU's busy %. Keys: Up/Down select, < > or 1-8 sort, r reverse, p pause or\n"      \
    "unpause, D destroy (asks y/n), v vCPUs, e exits by reason, c console pane, h help, q\n"  \
    "quit. Without a terminal curses can drive (TERM=dumb, no terminfo entry, output not a\n" \
    "terminal) it prints plain frames as -b does, after a one-line notice.\n\n"               \
    "-b prints, every -d seconds, one header line, the column headings and one line per\n"    \
    "domain in fixed columns; rates show '-' until the second frame. The manual page\n"       \
    "axvm-top(1) has the details.\n\n"                                                        \
    "Example:\n  axvm-top -b -i 2 -x\n"

const struct cmd_spec top_cmds[] = {
    {
        .name = "top",
        .handler = cmd_top_top,
        .summary = "Watch the domains live: CPU, memory, VM exits, consoles (axvm-top)",
        .usage = "top [-b] [-i N] [-d SECONDS] [-s COLUMN] [-r] [-x] [-v]",
        .options = top_options,
        .option_help = top_option_help,
        .details = TOP_DETAILS,
    },
    {0},
};

/* axvm-top: the same command as a program of its own. */
const struct cmd_spec top_alone_cmd = {
    .name = "",
    .handler = cmd_top_top,
    .summary = "Watch the domains of an axvm host live: CPU, memory, VM exits, consoles",
    .usage = "[-b] [-i N] [-d SECONDS] [-s COLUMN] [-r] [-x] [-v]",
    .options = top_options,
    .option_help = top_option_help,
    .details = TOP_DETAILS,
};
