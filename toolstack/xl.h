/* SPDX-License-Identifier: MIT */
/*
 * axvm-xl's command tables (STYLE.md §13): each cmd_<group>.c exports a table of struct
 * cmd_spec; main.c joins them, generates help from them and dispatches.
 */
#ifndef TOOLSTACK_XL_H
#define TOOLSTACK_XL_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "ctl/axvmctl.h"

struct cmd_spec;

/* What every command gets: where to print, and the hypervisor once it is needed. */
struct cli {
    FILE *out;
    FILE *err;
    const char *prog;                          /* "axvm-xl" */
    struct axvmctl *ctl;                       /* opened on first use by cli_ctl() */
    const struct axvmctl_transport *transport; /* tests: instead of /dev/axvm */
    /* Additions; zero (what axvm-xl.c's initialiser leaves) means the default. */
    const struct cmd_spec *cmd; /* the command running, set by xl_main() for cli_parse() */
    int in_fd;                  /* what console reads for Ctrl-] or EOF: 0 = stdin */
    unsigned int poll_ms;       /* follow loops' pause between reads: 0 = CLI_POLL_MS */
    unsigned int wait_ms;       /* how long shutdown/reboot -w wait: 0 = CLI_WAIT_MS */
};

#define CLI_POLL_MS 100u
#define CLI_WAIT_MS 60000u

struct cmd_spec {
    const char *name;                                       /* "create" */
    int (*handler)(struct cli *cli, int argc, char **argv); /* argv[0] is the command */
    const char *summary;                                    /* one line for "help" */
    const char *usage;                                      /* "create [-c] FILE" */
    const struct option *options; /* getopt_long table, NULL-terminated; may be NULL */
    const char *details;          /* longer text for "COMMAND --help": options, examples */
    /* Additions. */
    const char *const *option_help; /* one line per options[] entry, in the same order */
    int min_args;                   /* positional arguments cli_parse() accepts... */
    int max_args;                   /* ...-1: any number */
};

/*
 * Options whose val is CLI_LONG_ONLY or above have no one-letter form (--json). Every command
 * also gets -h/--help, which its table does not list.
 */
#define CLI_LONG_ONLY 0x100

/*
 * The hypervisor handle, opened on first use. Returns: NULL after printing
 * "axvm-xl: cannot reach the hypervisor: ..." to cli->err.
 */
struct axvmctl *cli_ctl(struct cli *cli);

/* Print "axvm-xl: <message>" to cli->err. Returns: 1, the exit status for a failure. */
int cli_fail(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Resolve a domain given by name or id. Returns: domid >= 0, or -1 after printing why. */
int cli_domain(struct cli *cli, const char *name_or_id);

/*
 * Parse a domain id (decimal digits only, below AXVM_DOMID_INVALID).
 * Returns: whether s is one; *domid then holds it.
 */
bool cli_parse_domid(const char *s, uint16_t *domid);

#define CLI_MAX_OPTIONS 16 /* per command, -h/--help included */

/* The domains a command is about: those named, or all of them (by id). */
struct cli_domains {
    struct axvm_domain_info *info; /* free() it */
    unsigned int nr;
};

/* What cli_parse() found: the options given and the positional arguments. */
struct cli_args {
    const struct option *options;        /* the command's table */
    unsigned int given;                  /* bit i: options[i] was given */
    const char *values[CLI_MAX_OPTIONS]; /* options[i]'s value, the last one given */
    int nr;                              /* positional arguments... */
    char **argv;                         /* ...in argv order */
};

#define CLI_RUN (-1) /* cli_parse(): go on with the command */

/*
 * Parse argv (argv[0] is the command) with getopt_long against cli->cmd's options, then check
 * the number of positional arguments. --help prints the command's help.
 * Returns: CLI_RUN with *args filled; else the exit status to return at once (0 after --help,
 * 1 after printing one line about a bad option or argument count).
 */
int cli_parse(struct cli *cli, int argc, char **argv, struct cli_args *args);

/*
 * cli_parse() for the commands whose first argument is a DOMAIN, then resolve it.
 * Returns: CLI_RUN with *args and *domid filled; else the exit status to return at once.
 */
int cli_parse_domain(struct cli *cli, int argc, char **argv, struct cli_args *args, int *domid);

/*
 * Resolve the positional arguments as domains (names or ids), in their order, or list every
 * domain when there are none. Returns: 0, or 1 after printing why (d->info may need free()).
 */
int cli_collect_domains(struct cli *cli, const struct cli_args *args, struct cli_domains *d);

/* Returns: whether the option with this val was given. */
bool cli_args_has(const struct cli_args *args, int val);

/* Returns: the value of the option with this val (required_argument), or NULL if not given. */
const char *cli_args_value(const struct cli_args *args, int val);

/*
 * Parse s, the value of option opt of the running command, as a whole number min..max. On
 * failure print "COMMAND: OPT 'S' is not WHAT (MIN-MAX)". Returns: whether it is one.
 */
bool cli_parse_uint(struct cli *cli, const char *opt, const char *s, const char *what,
                    unsigned long min, unsigned long max, unsigned long *out);

/*
 * Read every domain's statistics into stats (SYSCTL_STATS), for commands that show them along
 * with what they show anyway. A hypervisor without them (-AXVM_ENOSYS) is no news; any other
 * failure is said in a warning on cli->err. Returns: whether stats holds them.
 */
bool cli_stats(struct cli *cli, struct axvmctl_stats *stats);

/* Returns: name with anything unprintable as '?', in buf (AXVM_DOMAIN_NAME_MAX bytes). */
const char *cli_safe_name(const char *name, char buf[AXVM_DOMAIN_NAME_MAX]);

/* Print cmd's help (usage, summary, options, details) to cli->out. */
void cli_print_help(struct cli *cli, const struct cmd_spec *cmd);

/* Pause the calling thread for ms milliseconds. */
void cli_sleep_ms(unsigned int ms);

/* Returns: cli->poll_ms, or CLI_POLL_MS when it is 0. */
unsigned int cli_poll_ms(const struct cli *cli);

/* Returns: milliseconds of CLOCK_MONOTONIC, for deadlines. */
uint64_t cli_now_ms(void);

/* Where a ring (a domain's console or the hypervisor's log) has been read up to. */
struct cli_ring {
    bool is_log; /* the hypervisor's log; else the console of domid */
    uint16_t domid;
    uint64_t pos;  /* 0: from the oldest byte the ring holds */
    bool has_read; /* bytes lost before the first read are the ring's normal limit */
    bool mid_line; /* the last byte copied was not "\n" */
};

/*
 * Copy what the ring holds past ring->pos to cli->out and flush it; say on cli->err when bytes
 * were overwritten before they could be read. Returns: bytes copied, or a negative -AXVM_E*.
 */
long cli_ring_drain(struct cli *cli, struct cli_ring *ring);

/* xl_stats.c: statistics as axvm-xl prints them. */

/* Returns: xl's vCPU state flags, "r--" running, "-b-" blocked, "--p" paused, in flags. */
const char *xl_stats_vcpu_flags(const struct axvm_vcpu_stats *v, uint32_t domain_state,
                                char flags[4]);

/* Returns: "offline", "runnable", "running", "blocked" (AXVM_VCPU_*), or "unknown". */
const char *xl_stats_vcpu_state(uint16_t state);

/*
 * 'list -l': one line per vCPU of domain index i of stats (-1: none), "    vCPU 0: running,
 * CPU 1, affinity all, time 1.5 s, hypercalls 3, exits: io=12 intr=3".
 */
void xl_stats_print_vcpu_lines(struct cli *cli, const struct axvmctl_stats *stats, int i);

/*
 * 'list --json': the keys pages, hypercalls, weight, cap and vcpus of domain index i of stats,
 * each null when stats is NULL or i is -1; the last line ends without a comma.
 */
void xl_stats_print_json(struct cli *cli, const struct axvmctl_stats *stats, int i);

/* Returns: a name for a shutdown reason ("poweroff", "reboot", "crash", "exit"), or "unknown". */
const char *cli_shutdown_reason(uint32_t reason);

/*
 * Attach to domid's console (cmd_console.c): print its ring and follow it until the domain
 * stops, Ctrl-] on a terminal, or EOF on a non-terminal cli->in_fd. label names the domain in
 * messages. Returns: the exit status.
 */
int cmd_console_attach(struct cli *cli, uint16_t domid, const char *label);

extern const struct cmd_spec domain_cmds[];  /* cmd_domain.c: create destroy shutdown ... */
extern const struct cmd_spec info_cmds[];    /* cmd_info.c: list info dmesg uptime ... */
extern const struct cmd_spec console_cmds[]; /* cmd_console.c: console */
extern const struct cmd_spec config_cmds[];  /* cmd_config.c: config-check */
extern const struct cmd_spec vcpu_cmds[];    /* cmd_vcpu.c: vcpu-list vcpu-pin */
extern const struct cmd_spec sched_cmds[];   /* cmd_sched.c: sched-credit */
extern const struct cmd_spec top_cmds[];     /* cmd_top.c: top */
extern const struct cmd_spec top_alone_cmd;  /* cmd_top.c: axvm-top, the program */

/* main.c: run axvm-xl with argv; the real main() calls this. Returns: the exit status. */
int xl_main(struct cli *cli, int argc, char **argv);

/* How long `console` waits for a domain to make room for typed bytes before dropping them. */
extern unsigned int console_input_stall_ms;

#endif /* TOOLSTACK_XL_H */
