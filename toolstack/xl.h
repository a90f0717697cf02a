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

/* What cli_parse() found: the options given and the positional arguments. */
struct cli_args {
    const struct option *options; /* the command's table */
    unsigned int given;           /* bit i: options[i] was given */
    int nr;                       /* positional arguments... */
    char **argv;                  /* ...in argv order */
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

/* Returns: whether the option with this val was given. */
bool cli_args_has(const struct cli_args *args, int val);

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
};

/*
 * Copy what the ring holds past ring->pos to cli->out and flush it; say on cli->err when bytes
 * were overwritten before they could be read. Returns: bytes copied, or a negative -AXVM_E*.
 */
long cli_ring_drain(struct cli *cli, struct cli_ring *ring);

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

/* main.c: run axvm-xl with argv; the real main() calls this. Returns: the exit status. */
int xl_main(struct cli *cli, int argc, char **argv);

#endif /* TOOLSTACK_XL_H */
