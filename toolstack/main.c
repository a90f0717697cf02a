/* SPDX-License-Identifier: MIT */
/*
 * axvm-xl's dispatcher: joins the command tables of cmd_*.c, finds the command argv names,
 * runs it, and generates "help" from the tables.
 */
#include <errno.h>
#include <string.h>
#include "xl.h"

static int cmd_main_help(struct cli *cli, int argc, char **argv);

static const struct cmd_spec main_cmds[] = {
    {
        .name = "help",
        .handler = cmd_main_help,
        .summary = "List the commands, or describe one",
        .usage = "help [COMMAND]",
        .details = "'axvm-xl help COMMAND' prints the same as 'axvm-xl COMMAND --help'.\n",
        .max_args = 1,
    },
    {0},
};

/* The order "help" lists them in: the life of a domain first, as xl does. */
static const struct cmd_spec *const cmd_groups[] = {
    domain_cmds, info_cmds, vcpu_cmds, sched_cmds, top_cmds, console_cmds, config_cmds, main_cmds,
};

#define NR_GROUPS (sizeof(cmd_groups) / sizeof(cmd_groups[0]))

static const struct cmd_spec *find_cmd(const char *name)
{
    for (size_t g = 0; g < NR_GROUPS; g++) {
        for (const struct cmd_spec *cmd = cmd_groups[g]; cmd->name; cmd++) {
            if (strcmp(cmd->name, name) == 0) {
                return cmd;
            }
        }
    }
    return NULL;
}

static void print_overview(struct cli *cli)
{
    fprintf(cli->out, "Usage: %s COMMAND [ARGS...]\n\n", cli->prog);
    fputs("Control the domains of an axvm host from dom0, as Xen's xl does.\n\nCommands:\n",
          cli->out);
    for (size_t g = 0; g < NR_GROUPS; g++) {
        for (const struct cmd_spec *cmd = cmd_groups[g]; cmd->name; cmd++) {
            fprintf(cli->out, " %-14s %s\n", cmd->name, cmd->summary);
        }
    }
    fputs("\nDOMAIN is a domain's name or its numeric id.\n", cli->out);
    fprintf(cli->out, "'%s help COMMAND' or '%s COMMAND --help' describes a command.\n", cli->prog,
            cli->prog);
    fputs("The manual page axvm-xl(1) has the rest.\n", cli->out);
}

static int unknown_command(struct cli *cli, const char *name)
{
    return cli_fail(cli, "unknown command '%s' (try '%s help')", name, cli->prog);
}

static int cmd_main_help(struct cli *cli, int argc, char **argv)
{
    struct cli_args args;
    const struct cmd_spec *cmd;
    int rc = cli_parse(cli, argc, argv, &args);

    if (rc != CLI_RUN) {
        return rc;
    }
    if (args.nr == 0) {
        print_overview(cli);
        return 0;
    }
    cmd = find_cmd(args.argv[0]);
    if (!cmd) {
        return unknown_command(cli, args.argv[0]);
    }
    cli_print_help(cli, cmd);
    return 0;
}

static int run(struct cli *cli, const struct cmd_spec *cmd, int argc, char **argv)
{
    int status;

    cli->cmd = cmd;
    status = cmd->handler(cli, argc, argv);
    cli->cmd = NULL;
    /* A full disk or a closed pipe must not pass for success. */
    if (fflush(cli->out) != 0) {
        return cli_fail(cli, "cannot write the output: %s", strerror(errno));
    }
    if (ferror(cli->out)) {
        return cli_fail(cli, "cannot write the output");
    }
    return status;
}

/* Returns: whether the program was started as name (argv[0]'s last path component). */
static bool is_started_as(const char *argv0, const char *name)
{
    const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

    return argv0 && strcmp(slash ? slash + 1 : argv0, name) == 0;
}

int xl_main(struct cli *cli, int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : NULL;
    const struct cmd_spec *cmd;

    if (argc > 0 && is_started_as(argv[0], "axvm-top")) {
        cli->prog = "axvm-top"; /* dom0's /usr/sbin/axvm-top is a link to axvm-xl */
        return run(cli, &top_alone_cmd, argc, argv);
    }
    if (!cli->prog) {
        cli->prog = "axvm-xl";
    }
    if (!name) {
        return cli_fail(cli, "no command given (try '%s help')", cli->prog);
    }
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
        /* "axvm-xl --help [COMMAND]" is "axvm-xl help [COMMAND]". */
        return run(cli, main_cmds, argc - 1, argv + 1);
    }
    if (name[0] == '-') {
        return cli_fail(cli, "unknown option '%s' (try '%s help')", name, cli->prog);
    }
    cmd = find_cmd(name);
    if (!cmd) {
        return unknown_command(cli, name);
    }
    return run(cli, cmd, argc - 1, argv + 1);
}
