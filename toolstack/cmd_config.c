/* SPDX-License-Identifier: MIT */
/*
 * axvm-xl config-check: run domain definitions through the loader (XML, schema, semantic
 * checks) without the hypervisor, as create would before building anything.
 */
#include "xl.h"

/* Returns: whether path is a domain definition create would accept; says so either way. */
static bool check_file(struct cli *cli, const char *path)
{
    struct domain_config *cfg = NULL;
    struct config_error err = {0};
    char line[sizeof(err.file) + sizeof(err.message) + 32];

    if (domain_config_load(path, NULL, &cfg, &err) == 0) {
        domain_config_free(cfg);
        fprintf(cli->out, "%s: ok\n", path);
        return true;
    }
    config_error_format(&err, line, sizeof(line));
    fflush(cli->out); /* keep the lines in file order when both go to a terminal */
    fprintf(cli->err, "%s\n", line);
    return false;
}

static int cmd_config_check(struct cli *cli, int argc, char **argv)
{
    struct cli_args args;
    int failed = 0, rc = cli_parse(cli, argc, argv, &args);

    if (rc != CLI_RUN) {
        return rc;
    }
    for (int i = 0; i < args.nr; i++) {
        failed += !check_file(cli, args.argv[i]);
    }
    return failed ? 1 : 0;
}

const struct cmd_spec config_cmds[] = {
    {
        .name = "config-check",
        .handler = cmd_config_check,
        .summary = "Check domain definitions without creating anything",
        .usage = "config-check FILE...",
        .min_args = 1,
        .max_args = -1,
        .details = "Each FILE is read, validated against the schema (axvm-domain.rng) and\n"
                   "checked as 'create' would check it: 'FILE: ok' goes to standard output,\n"
                   "a problem to standard error as 'FILE:LINE: message'. The hypervisor is\n"
                   "not needed. The exit status is 1 if any file was refused.\n\n"
                   "Example:\n  axvm-xl config-check /etc/axvm/*.xml\n",
    },
    {0},
};
