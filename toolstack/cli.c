/* SPDX-License-Identifier: MIT */
/*
 * What axvm-xl's commands share: the hypervisor handle opened on first use, one-line failures,
 * domain names and ids, argument parsing and help generated from the command tables, and
 * reading the console and log rings.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "xl.h"

#define RING_CHUNK 16384u /* a console ring's size: one read usually empties it */

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

#define LIST_MAX ((unsigned int)(AXVM_COPY_MAX / sizeof(struct axvm_domain_info)))

static int by_domid(const void *a, const void *b)
{
    const struct axvm_domain_info *x = a, *y = b;

    return (int)x->domid - (int)y->domid;
}

static int collect_all(struct cli *cli, struct cli_domains *d)
{
    int rc;

    d->info = calloc(LIST_MAX, sizeof(*d->info));
    if (!d->info) {
        return cli_fail(cli, "out of memory");
    }
    rc = axvmctl_domain_list(cli->ctl, d->info, LIST_MAX, NULL);
    if (rc < 0) {
        return cli_fail(cli, "cannot list the domains: %s", axvmctl_strerror(rc));
    }
    d->nr = (unsigned int)rc;
    qsort(d->info, d->nr, sizeof(*d->info), by_domid);
    return 0;
}

int cli_collect_domains(struct cli *cli, const struct cli_args *args, struct cli_domains *d)
{
    *d = (struct cli_domains){0};
    if (!cli_ctl(cli)) {
        return 1;
    }
    if (args->nr == 0) {
        return collect_all(cli, d);
    }
    d->info = calloc((size_t)args->nr, sizeof(*d->info));
    if (!d->info) {
        return cli_fail(cli, "out of memory");
    }
    for (int i = 0; i < args->nr; i++) {
        int domid = cli_domain(cli, args->argv[i]);
        int rc;

        if (domid < 0) {
            return 1;
        }
        rc = axvmctl_domain_getinfo(cli->ctl, (uint16_t)domid, &d->info[d->nr++]);
        if (rc < 0) {
            return cli_fail(cli, "cannot look up domain '%s': %s", args->argv[i],
                            axvmctl_strerror(rc));
        }
    }
    return 0;
}

/* The command's options and -h/--help, and the matching getopt short-option string. */
struct option_set {
    struct option options[CLI_MAX_OPTIONS + 1];
    char shortopts[2 * CLI_MAX_OPTIONS + 2];
    unsigned int nr;
};

static void build_option_set(const struct cmd_spec *cmd, struct option_set *set)
{
    static const struct option help = {"help", no_argument, NULL, 'h'};
    size_t len = 0;

    memset(set, 0, sizeof(*set));
    set->shortopts[len++] = ':'; /* tell a missing value from an unknown option */
    for (const struct option *o = cmd->options; o && o->name && set->nr < CLI_MAX_OPTIONS; o++) {
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

/*
 * How messages name the running command: "list: " and "axvm-xl list", or for a program that is
 * one command (axvm-top: a spec with an empty name) "" and "axvm-top".
 */
struct cmd_label {
    char prefix[48]; /* "list: " */
    char full[64];   /* "axvm-xl list" */
};

static const struct cmd_label *label_of(const struct cli *cli, struct cmd_label *l)
{
    const char *name = cli->cmd->name;

    snprintf(l->prefix, sizeof(l->prefix), "%s%s", name, name[0] ? ": " : "");
    snprintf(l->full, sizeof(l->full), "%s%s%s", cli->prog, name[0] ? " " : "", name);
    return l;
}

/* One line about the option getopt_long() refused: the one at argv[optind - 1] or optopt. */
static int bad_option(struct cli *cli, const struct option_set *set, char **argv, int c)
{
    const struct option *known = optopt ? option_by_val(set, optopt) : NULL;
    struct cmd_label l;
    const char *cmd = label_of(cli, &l)->prefix;
    const char *arg = argv[optind - 1];

    if (c == ':') {
        return cli_fail(cli, "%soption '%s' needs a value (try '%s --help')", cmd, arg, l.full);
    }
    if (known) {
        return cli_fail(cli, "%soption '--%s' takes no value (try '%s --help')", cmd, known->name,
                        l.full);
    }
    if (optopt) {
        return cli_fail(cli, "%sunknown option '-%c' (try '%s --help')", cmd, optopt, l.full);
    }
    return cli_fail(cli, "%sunknown option '%.*s' (try '%s --help')", cmd, (int)strcspn(arg, "="),
                    arg, l.full);
}

static int check_arg_count(struct cli *cli, const struct cli_args *args)
{
    const struct cmd_spec *cmd = cli->cmd;
    struct cmd_label l;

    label_of(cli, &l);
    if (args->nr < cmd->min_args) {
        return cli_fail(cli, "%smissing argument (usage: %s %s)", l.prefix, cli->prog, cmd->usage);
    }
    if (cmd->max_args >= 0 && args->nr > cmd->max_args) {
        return cli_fail(cli, "%sunexpected argument '%s' (usage: %s %s)", l.prefix,
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
        args->values[index] = o->has_arg == no_argument ? NULL : optarg;
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

const char *cli_args_value(const struct cli_args *args, int val)
{
    for (unsigned int i = 0; args->options && args->options[i].name && i < CLI_MAX_OPTIONS; i++) {
        if (args->options[i].val == val) {
            return args->given & (1u << i) ? args->values[i] : NULL;
        }
    }
    return NULL;
}

bool cli_parse_uint(struct cli *cli, const char *opt, const char *s, const char *what,
                    unsigned long min, unsigned long max, unsigned long *out)
{
    struct cmd_label l;
    unsigned long v = 0;
    const char *p = s;

    for (; *p >= '0' && *p <= '9' && v <= max; p++) {
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (!s[0] || *p || v < min || v > max) {
        cli_fail(cli, "%s%s '%s' is not %s (%lu-%lu)", label_of(cli, &l)->prefix, opt, s, what, min,
                 max);
        return false;
    }
    *out = v;
    return true;
}

bool cli_stats(struct cli *cli, struct axvmctl_stats *stats)
{
    int rc = axvmctl_sysctl_stats(cli->ctl, stats);

    /*
     * A hypervisor before ABI 0.4 answers -ENOSYS, or -EINVAL while its dispatcher knows the
     * number but not the call; either way the command goes on without them.
     */
    if (rc < 0 && rc != -AXVM_ENOSYS) {
        cli_fail(cli, "warning: cannot read the statistics: %s", axvmctl_strerror(rc));
    }
    return rc >= 0;
}

const char *cli_safe_name(const char *name, char buf[AXVM_DOMAIN_NAME_MAX])
{
    size_t i;

    for (i = 0; i < AXVM_DOMAIN_NAME_MAX - 1 && name[i]; i++) {
        char c = name[i];
        bool is_printable = c >= 0x20 && c < 0x7f;

        buf[i] = is_printable ? c : (char)'?';
    }
    buf[i] = '\0';
    return buf;
}

/* The length of the value's name ("N: ...", "SECONDS: ...") an option's help starts with. */
static size_t value_name_length(const char *help)
{
    size_t n = strspn(help, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");

    return n && help[n] == ':' && help[n + 1] == ' ' ? n : 0;
}

/* "-d, --delay SECONDS" for the help's left column; *help moves past the value's name. */
static const char *option_names(const struct option *o, const char **help, char names[64])
{
    size_t value = *help && o->has_arg == required_argument ? value_name_length(*help) : 0;

    if (o->val > 0 && o->val < CLI_LONG_ONLY) {
        snprintf(names, 64, "-%c, --%s", o->val, o->name);
    } else {
        snprintf(names, 64, "    --%s", o->name);
    }
    if (value) {
        snprintf(names + strlen(names), 64 - strlen(names), " %.*s", (int)value, *help);
        *help += value + 2;
    }
    return names;
}

static void print_option(struct cli *cli, const struct option *o, const char *help, int width)
{
    char names[64];

    option_names(o, &help, names);
    fprintf(cli->out, "  %-*s %s\n", width, names, help ? help : "");
}

void cli_print_help(struct cli *cli, const struct cmd_spec *cmd)
{
    static const struct option help = {"help", no_argument, NULL, 'h'};

    int width = 16;
    char names[64];

    for (unsigned int i = 0; cmd->options && cmd->options[i].name; i++) {
        const char *text = cmd->option_help ? cmd->option_help[i] : NULL;
        int len = (int)strlen(option_names(&cmd->options[i], &text, names));

        width = len > width ? len : width;
    }
    fprintf(cli->out, "Usage: %s %s\n\n%s.\n\nOptions:\n", cli->prog, cmd->usage, cmd->summary);
    for (unsigned int i = 0; cmd->options && cmd->options[i].name; i++) {
        print_option(cli, &cmd->options[i], cmd->option_help ? cmd->option_help[i] : NULL, width);
    }
    print_option(cli, &help, "print this help and exit", width);
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
        ring->mid_line = buf[rc - 1] != '\n';
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
