/* SPDX-License-Identifier: MIT */
/*
 * What axvm-xl's commands share: the hypervisor handle opened on first use, one-line failures,
 * domain names and ids, argument parsing and help generated from the command tables, and
 * reading the console and log rings.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include "xl.h"

#define MAX_OPTIONS 16     /* per command, -h/--help included */
#define RING_CHUNK  16384u /* a console ring's size: one read usually empties it */

struct axvmctl *cli_ctl(struct cli *cli)
{
    int rc;

    if (cli->ctl) {
        return cli->ctl;
    }
    if (cli->transport) {
        rc = axvmctl_open_transport(cli->transport, &cli->ctl);
        if (rc < 0) {
            cli_fail(cli, "cannot reach the hypervisor: %s", axvmctl_strerror(rc));
        }
    } else {
        rc = axvmctl_open(&cli->ctl);
        if (rc < 0) {
            cli_fail(cli, "%s", axvmctl_open_error(rc));
        }
    }
    if (rc < 0) {
        cli->ctl = NULL;
    }
    return cli->ctl;
}

int cli_fail(struct cli *cli, const char *fmt, ...)
{
    va_list ap;

    fflush(cli->out); /* what was said before the failure shows before it */
    fprintf(cli->err, "%s: ", cli->prog ? cli->prog : "axvm-xl");
    va_start(ap, fmt);
    vfprintf(cli->err, fmt, ap);
    va_end(ap);
    fputc('\n', cli->err);
    fflush(cli->err);
    return 1;
}

bool cli_parse_domid(const char *s, uint16_t *domid)
{
    unsigned long v = 0;

    if (!s[0]) {
        return false;
    }
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') {
            return false;
        }
        v = v * 10 + (unsigned long)(*p - '0');
        if (v >= AXVM_DOMID_INVALID) {
            return false;
        }
    }
    *domid = (uint16_t)v;
    return true;
}

static bool is_all_digits(const char *s)
{
    return s[0] && strspn(s, "0123456789") == strlen(s);
}

static int domain_by_id(struct cli *cli, struct axvmctl *ctl, const char *s)
{
    struct axvm_domain_info info;
    uint16_t domid;
    int rc;

    if (!cli_parse_domid(s, &domid)) {
        cli_fail(cli, "'%s' is not a domain id (0-%u)", s, AXVM_DOMID_INVALID - 1);
        return -1;
    }
    rc = axvmctl_domain_getinfo(ctl, domid, &info);
    if (rc == -AXVM_ENOENT) {
        cli_fail(cli, "no domain with id %u", domid);
        return -1;
    }
    if (rc < 0) {
        cli_fail(cli, "cannot look up domain %u: %s", domid, axvmctl_strerror(rc));
        return -1;
    }
    return domid;
}

int cli_domain(struct cli *cli, const char *name_or_id)
{
    struct axvmctl *ctl = cli_ctl(cli);
    int rc;

    if (!ctl) {
        return -1;
    }
    if (is_all_digits(name_or_id)) {
        return domain_by_id(cli, ctl, name_or_id);
    }
    rc = axvmctl_domain_lookup(ctl, name_or_id);
    if (rc == -AXVM_ENOENT) {
        cli_fail(cli, "no domain named '%s'", name_or_id);
    } else if (rc == -AXVM_EINVAL) {
        cli_fail(cli, "'%s' is not a domain name or id (names have 1-%d characters)", name_or_id,
                 AXVM_DOMAIN_NAME_MAX - 1);
    } else if (rc < 0) {
        cli_fail(cli, "cannot look up domain '%s': %s", name_or_id, axvmctl_strerror(rc));
    }
    return rc < 0 ? -1 : rc;
}

/* The command's options and -h/--help, and the matching getopt short-option string. */
struct option_set {
    struct option options[MAX_OPTIONS + 1];
    char shortopts[2 * MAX_OPTIONS + 2];
    unsigned int nr;
};

static void build_option_set(const struct cmd_spec *cmd, struct option_set *set)
{
    static const struct option help = {"help", no_argument, NULL, 'h'};
    size_t len = 0;

    memset(set, 0, sizeof(*set));
    set->shortopts[len++] = ':'; /* tell a missing value from an unknown option */
    for (const struct option *o = cmd->options; o && o->name && set->nr < MAX_OPTIONS; o++) {
        set->options[set->nr++] = *o;
        if (o->val > 0 && o->val < CLI_LONG_ONLY) {
            set->shortopts[len++] = (char)o->val;
            if (o->has_arg == required_argument) {
                set->shortopts[len++] = ':';
            }
        }
    }
    set->options[set->nr++] = help;
    set->shortopts[len++] = 'h';
}

static const struct option *option_by_val(const struct option_set *set, int val)
{
    for (unsigned int i = 0; i < set->nr; i++) {
        if (set->options[i].val == val) {
            return &set->options[i];
        }
    }
    return NULL;
}

/* One line about the option getopt_long() refused: the one at argv[optind - 1] or optopt. */
static int bad_option(struct cli *cli, const struct option_set *set, char **argv, int c)
{
    const struct option *known = optopt ? option_by_val(set, optopt) : NULL;
    const char *cmd = cli->cmd->name;
    const char *arg = argv[optind - 1];

    if (c == ':') {
        return cli_fail(cli, "%s: option '%s' needs a value (try '%s %s --help')", cmd, arg,
                        cli->prog, cmd);
    }
    if (known) {
        return cli_fail(cli, "%s: option '--%s' takes no value (try '%s %s --help')", cmd,
                        known->name, cli->prog, cmd);
    }
    if (optopt) {
        return cli_fail(cli, "%s: unknown option '-%c' (try '%s %s --help')", cmd, optopt,
                        cli->prog, cmd);
    }
    return cli_fail(cli, "%s: unknown option '%.*s' (try '%s %s --help')", cmd,
                    (int)strcspn(arg, "="), arg, cli->prog, cmd);
}

static int check_arg_count(struct cli *cli, const struct cli_args *args)
{
    const struct cmd_spec *cmd = cli->cmd;

    if (args->nr < cmd->min_args) {
        return cli_fail(cli, "%s: missing argument (usage: %s %s)", cmd->name, cli->prog,
                        cmd->usage);
    }
    if (cmd->max_args >= 0 && args->nr > cmd->max_args) {
        return cli_fail(cli, "%s: unexpected argument '%s' (usage: %s %s)", cmd->name,
                        args->argv[cmd->max_args], cli->prog, cmd->usage);
    }
    return CLI_RUN;
}

int cli_parse(struct cli *cli, int argc, char **argv, struct cli_args *args)
{
    struct option_set set;
    int c, index;

    build_option_set(cli->cmd, &set);
    *args = (struct cli_args){.options = cli->cmd->options};
    optind = 0; /* glibc: start afresh, forgetting any previous command's parse */
    opterr = 0;
    while ((c = getopt_long(argc, argv, set.shortopts, set.options, NULL)) != -1) {
        const struct option *o = option_by_val(&set, c);

        if (c == '?' || c == ':' || !o) {
            return bad_option(cli, &set, argv, c);
        }
        if (c == 'h') {
            cli_print_help(cli, cli->cmd);
            return 0;
        }
        index = (int)(o - set.options);
        args->given |= 1u << index;
    }
    args->nr = argc - optind;
    args->argv = argv + optind;
    return check_arg_count(cli, args);
}

int cli_parse_domain(struct cli *cli, int argc, char **argv, struct cli_args *args, int *domid)
{
    int rc = cli_parse(cli, argc, argv, args);

    if (rc != CLI_RUN) {
        return rc;
    }
    *domid = cli_domain(cli, args->argv[0]);
    return *domid < 0 ? 1 : CLI_RUN;
}

bool cli_args_has(const struct cli_args *args, int val)
{
    for (unsigned int i = 0; args->options && args->options[i].name; i++) {
        if (args->options[i].val == val) {
            return args->given & (1u << i);
        }
    }
    return false;
}

static void print_option(struct cli *cli, const struct option *o, const char *help)
{
    char names[64];

    if (o->val > 0 && o->val < CLI_LONG_ONLY) {
        snprintf(names, sizeof(names), "-%c, --%s", o->val, o->name);
    } else {
        snprintf(names, sizeof(names), "    --%s", o->name);
    }
    fprintf(cli->out, "  %-16s %s\n", names, help ? help : "");
}

void cli_print_help(struct cli *cli, const struct cmd_spec *cmd)
{
    static const struct option help = {"help", no_argument, NULL, 'h'};

    fprintf(cli->out, "Usage: %s %s\n\n%s.\n\nOptions:\n", cli->prog, cmd->usage, cmd->summary);
    for (unsigned int i = 0; cmd->options && cmd->options[i].name; i++) {
        print_option(cli, &cmd->options[i], cmd->option_help ? cmd->option_help[i] : NULL);
    }
    print_option(cli, &help, "print this help and exit");
    if (cmd->details) {
        fprintf(cli->out, "\n%s", cmd->details);
    }
}

void cli_sleep_ms(unsigned int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

unsigned int cli_poll_ms(const struct cli *cli)
{
    return cli->poll_ms ? cli->poll_ms : CLI_POLL_MS;
}

uint64_t cli_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int ring_read(struct cli *cli, struct cli_ring *ring, char *buf, size_t size, uint64_t *lost)
{
    if (ring->is_log) {
        return axvmctl_log_read(cli->ctl, &ring->pos, buf, size, lost);
    }
    return axvmctl_console_read(cli->ctl, ring->domid, &ring->pos, buf, size, lost);
}

long cli_ring_drain(struct cli *cli, struct cli_ring *ring)
{
    char buf[RING_CHUNK];
    long total = 0;
    uint64_t lost = 0;
    int rc;

    while ((rc = ring_read(cli, ring, buf, sizeof(buf), &lost)) > 0) {
        if (lost && ring->has_read) {
            fflush(cli->out);
            cli_fail(cli, "warning: %" PRIu64 " bytes of %s lost: the ring overflowed", lost,
                     ring->is_log ? "the log" : "console output");
        }
        ring->has_read = true;
        fwrite(buf, 1, (size_t)rc, cli->out);
        total += rc;
    }
    ring->has_read = true;
    fflush(cli->out);
    return rc < 0 ? rc : total;
}

const char *cli_shutdown_reason(uint32_t reason)
{
    switch (reason) {
    case AXVM_SHUTDOWN_POWEROFF:
        return "poweroff";
    case AXVM_SHUTDOWN_REBOOT:
        return "reboot";
    case AXVM_SHUTDOWN_CRASH:
        return "crash";
    case AXVM_SHUTDOWN_EXIT:
        return "exit";
    default:
        return "unknown";
    }
}
