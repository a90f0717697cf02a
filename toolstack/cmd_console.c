/* SPDX-License-Identifier: MIT */
/*
 * axvm-xl console: print a domain's console ring and follow it until the domain stops or the
 * user leaves (Ctrl-] on a terminal, EOF otherwise). What the user types (or pipes in) goes to
 * the domain's console device (CONSOLE_INPUT); a domain without one just does not get it.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "xl.h"

#define CTRL_RIGHT_BRACKET 0x1d /* Ctrl-], xl's and telnet's escape */

/* The signals that must not leave a terminal in raw mode. */
static const int restore_signals[] = {SIGHUP, SIGINT, SIGTERM, SIGQUIT};
#define NR_RESTORE_SIGNALS (sizeof(restore_signals) / sizeof(restore_signals[0]))

static volatile sig_atomic_t caught_signal;

static void note_signal(int sig)
{
    caught_signal = sig;
}

/* The user's side: a terminal put in raw mode for the session, or a pipe or file. */
struct console_input {
    int fd; /* -1: none (closed or unusable) */
    bool is_tty;
    struct cli *cli;
    uint16_t domid;
    bool refused; /* the domain takes no input: stop offering it */
    struct termios saved;
    struct sigaction old_actions[NR_RESTORE_SIGNALS];
};

static void input_open(struct cli *cli, uint16_t domid, struct console_input *in)
{
    struct sigaction catch = {.sa_handler = note_signal};
    struct termios raw;

    in->cli = cli;
    in->domid = domid;
    in->refused = false;
    in->fd = cli->in_fd;
    in->is_tty = isatty(in->fd) && tcgetattr(in->fd, &in->saved) == 0;
    if (!in->is_tty) {
        return;
    }
    caught_signal = 0;
    sigemptyset(&catch.sa_mask);
    for (size_t i = 0; i < NR_RESTORE_SIGNALS; i++) {
        sigaction(restore_signals[i], &catch, &in->old_actions[i]);
    }
    /* Keys arrive one by one and unechoed; Ctrl-C is a key, as in xl console. */
    raw = in->saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
    raw.c_iflag &= ~(tcflag_t)(IXON | ICRNL);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    tcsetattr(in->fd, TCSANOW, &raw);
}

/* Put the terminal back; then die of a signal that arrived meanwhile, as we would have. */
static void input_close(struct console_input *in)
{
    if (!in->is_tty) {
        return;
    }
    tcsetattr(in->fd, TCSANOW, &in->saved);
    for (size_t i = 0; i < NR_RESTORE_SIGNALS; i++) {
        sigaction(restore_signals[i], &in->old_actions[i], NULL);
    }
    if (caught_signal) {
        raise(caught_signal);
    }
}

unsigned int console_input_stall_ms = 3000;

/*
 * Hand the user's bytes to the domain. When its receive buffer is full (a UART's FIFO holds 16
 * bytes, a pasted line is longer), wait for the guest to read and go on, so a line arrives
 * whole; only after console_input_stall_ms without progress is the rest dropped, as a UART
 * without flow control would drop it. Errors stop the forwarding.
 */
static void input_forward(struct console_input *in, const char *buf, size_t len)
{
    const struct timespec pause = {0, 2 * 1000 * 1000};
    unsigned int waited_ms = 0;

    while (len && !in->refused && waited_ms < console_input_stall_ms) {
        int n = axvmctl_console_input(in->cli->ctl, in->domid, buf, len);

        if (n < 0) {
            in->refused = true;
            return;
        }
        if (n == 0) {
            nanosleep(&pause, NULL);
            waited_ms += 2;
            continue;
        }
        waited_ms = 0;
        buf += n;
        len -= (size_t)n;
    }
}

/* Wait up to ms for the user. Returns: whether they asked to leave. */
static bool input_wait(struct console_input *in, unsigned int ms)
{
    struct pollfd p = {.fd = in->fd, .events = POLLIN};
    char buf[256];
    const char *escape;
    ssize_t n;

    if (poll(&p, 1, (int)ms) <= 0) {
        return caught_signal != 0;
    }
    if (p.revents & POLLNVAL) {
        in->fd = -1; /* no input at all: poll() now only waits */
        return false;
    }
    n = read(in->fd, buf, sizeof(buf));
    if (n < 0) {
        return errno != EINTR && errno != EAGAIN;
    }
    if (n == 0) {
        return true; /* EOF: a pipe's end, or a terminal hung up */
    }
    escape = in->is_tty ? memchr(buf, CTRL_RIGHT_BRACKET, (size_t)n) : NULL;
    input_forward(in, buf, escape ? (size_t)(escape - buf) : (size_t)n);
    return escape != NULL;
}

/* Returns: 1 when the domain has stopped or is gone, 0 while it may still write, or -code. */
static int has_stopped(struct cli *cli, uint16_t domid)
{
    struct axvm_domain_info info;
    int rc = axvmctl_domain_getinfo(cli->ctl, domid, &info);

    if (rc == -AXVM_ENOENT) {
        return 1;
    }
    if (rc < 0) {
        return rc;
    }
    return info.state == AXVM_STATE_SHUTDOWN || info.state == AXVM_STATE_CRASHED;
}

/*
 * Follow the ring. Returns: 0 or a negative code; *what says which call failed, *ended whether
 * the domain stopped or went away (rather than the input ending).
 */
static int follow(struct cli *cli, struct console_input *in, struct cli_ring *ring,
                  const char **what, bool *ended)
{
    for (;;) {
        long n = cli_ring_drain(cli, ring);
        int stopped;

        if (n < 0) {
            *what = "read the console of";
            *ended = n == -AXVM_ENOENT;
            return n == -AXVM_ENOENT ? 0 : (int)n;
        }
        stopped = has_stopped(cli, ring->domid);
        if (stopped < 0) {
            *what = "watch";
            return stopped;
        }
        if (stopped) {
            /* What it wrote before it stopped is in the ring now. */
            *ended = true;
            n = cli_ring_drain(cli, ring);
            return n < 0 && n != -AXVM_ENOENT ? (int)n : 0;
        }
        if (input_wait(in, cli_poll_ms(cli))) {
            return 0;
        }
    }
}

int cmd_console_attach(struct cli *cli, uint16_t domid, const char *label)
{
    struct cli_ring ring = {.domid = domid};
    struct console_input in;
    const char *what = "read the console of";
    bool ended = false;
    int rc;

    if (!cli_ctl(cli)) {
        return 1;
    }
    input_open(cli, domid, &in);
    rc = follow(cli, &in, &ring, &what, &ended);
    input_close(&in);
    if (ended && ring.mid_line) {
        /* The guest stopped in mid-line (its echo cut by its poweroff, a prompt): the shell's
         * prompt that follows starts on a line of its own. */
        fputc('\n', cli->out);
        fflush(cli->out);
    }
    if (rc < 0) {
        return cli_fail(cli, "cannot %s domain '%s': %s", what, label, axvmctl_strerror(rc));
    }
    return 0;
}

static int cmd_console_console(struct cli *cli, int argc, char **argv)
{
    struct cli_args args;
    int domid, rc = cli_parse_domain(cli, argc, argv, &args, &domid);

    if (rc != CLI_RUN) {
        return rc;
    }
    return cmd_console_attach(cli, (uint16_t)domid, args.argv[0]);
}

const struct cmd_spec console_cmds[] = {
    {
        .name = "console",
        .handler = cmd_console_console,
        .summary = "Print a domain's console and follow it",
        .usage = "console DOMAIN",
        .min_args = 1,
        .max_args = 1,
        .details = "Prints what the domain's console still holds (its latest 16 KiB), then new\n"
                   "output as it comes, until the domain stops or you press Ctrl-] to leave.\n"
                   "When standard input is not a terminal, it also ends at the input's EOF, so\n"
                   "'axvm-xl console hello </dev/null' prints the console once and returns.\n\n"
                   "What you type (Ctrl-C included) goes to the guest's serial port, in raw\n"
                   "mode on a terminal; piped input goes there too. A guest whose console\n"
                   "device takes no input does not get it.\n",
    },
    {0},
};
