/* SPDX-License-Identifier: MIT */
/*
 * axvm-xl's domain life-cycle commands: create (XML file to running domain), destroy,
 * shutdown, reboot, pause and unpause.
 */
#include <inttypes.h>
#include <string.h>
#include "xl.h"

/* Load and check path; print the loader's "FILE:LINE: message" when it is refused. */
static int load_config(struct cli *cli, const char *path, struct domain_config **cfg)
{
    struct config_error err;
    char line[sizeof(err.file) + sizeof(err.message) + 32];

    memset(&err, 0, sizeof(err));
    if (domain_config_load(path, NULL, cfg, &err) == 0) {
        return 0;
    }
    *cfg = NULL;
    config_error_format(&err, line, sizeof(line));
    fprintf(cli->err, "%s\n", line);
    return 1;
}

static int build(struct cli *cli, const struct domain_config *cfg)
{
    char why[256] = "";
    int domid = axvmctl_domain_build(cli->ctl, cfg, why, sizeof(why));

    if (domid < 0) {
        cli_fail(cli, "cannot create domain %s: %s", cfg->name,
                 why[0] ? why : axvmctl_strerror(domid));
        return -1;
    }
    fprintf(cli->out, "Started domain %s (id=%d)\n", cfg->name, domid);
    fflush(cli->out);
    return domid;
}

static int cmd_domain_create(struct cli *cli, int argc, char **argv)
{
    struct domain_config *cfg = NULL;
    struct cli_args args;
    int domid, rc = cli_parse(cli, argc, argv, &args);

    if (rc != CLI_RUN) {
        return rc;
    }
    rc = 1;
    if (load_config(cli, args.argv[0], &cfg) != 0 || !cli_ctl(cli)) {
        goto out;
    }
    domid = build(cli, cfg);
    if (domid < 0) {
        goto out;
    }
    rc = cli_args_has(&args, 'c') ? cmd_console_attach(cli, (uint16_t)domid, cfg->name) : 0;
out:
    if (cfg) {
        domain_config_free(cfg);
    }
    return rc;
}

typedef int (*domain_op_fn)(struct axvmctl *h, uint16_t domid);

/* destroy, pause, unpause: one DOMAIN, one call. */
static int domain_op(struct cli *cli, int argc, char **argv, domain_op_fn op, const char *verb)
{
    struct cli_args args;
    int domid, rc = cli_parse_domain(cli, argc, argv, &args, &domid);

    if (rc != CLI_RUN) {
        return rc;
    }
    rc = op(cli->ctl, (uint16_t)domid);
    if (rc < 0) {
        return cli_fail(cli, "cannot %s domain '%s': %s", verb, args.argv[0], axvmctl_strerror(rc));
    }
    return 0;
}

static int cmd_domain_destroy(struct cli *cli, int argc, char **argv)
{
    return domain_op(cli, argc, argv, axvmctl_domain_destroy, "destroy");
}

static int cmd_domain_pause(struct cli *cli, int argc, char **argv)
{
    return domain_op(cli, argc, argv, axvmctl_domain_pause, "pause");
}

static int cmd_domain_unpause(struct cli *cli, int argc, char **argv)
{
    return domain_op(cli, argc, argv, axvmctl_domain_unpause, "unpause");
}

static bool is_stopped(const struct axvm_domain_info *info)
{
    return info->state == AXVM_STATE_SHUTDOWN || info->state == AXVM_STATE_CRASHED;
}

/* Report how a stopped domain ended. */
static void print_stopped(struct cli *cli, const char *label, const struct axvm_domain_info *info)
{
    if (!info) {
        fprintf(cli->out, "Domain %s has been destroyed\n", label);
        return;
    }
    fprintf(cli->out, "Domain %s has stopped: %s, code %" PRIu64 "\n", label,
            cli_shutdown_reason(info->shutdown_reason), info->exit_code);
}

/*
 * Wait, bounded by cli->wait_ms, until domid has stopped or gone; a domain with another UUID
 * under the same id means the one asked about is gone. Returns: the exit status.
 */
static int wait_stopped(struct cli *cli, uint16_t domid, const char *label)
{
    unsigned int limit_ms = cli->wait_ms ? cli->wait_ms : CLI_WAIT_MS;
    uint64_t deadline = cli_now_ms() + limit_ms;
    struct axvm_domain_info info;
    uint8_t uuid[16];
    bool has_uuid = false;

    for (;;) {
        int rc = axvmctl_domain_getinfo(cli->ctl, domid, &info);

        if (rc == -AXVM_ENOENT || (rc == 0 && has_uuid && memcmp(uuid, info.uuid, 16) != 0)) {
            print_stopped(cli, label, NULL);
            return 0;
        }
        if (rc < 0) {
            return cli_fail(cli, "cannot watch domain '%s': %s", label, axvmctl_strerror(rc));
        }
        if (is_stopped(&info)) {
            print_stopped(cli, label, &info);
            return 0;
        }
        memcpy(uuid, info.uuid, sizeof(uuid));
        has_uuid = true;
        if (cli_now_ms() >= deadline) {
            return cli_fail(cli, "domain '%s' has not stopped after %.1f s", label,
                            limit_ms / 1000.0);
        }
        cli_sleep_ms(cli_poll_ms(cli));
    }
}

/* shutdown and reboot: ask the guest, then maybe wait until it has stopped. */
static int ask_guest(struct cli *cli, int argc, char **argv, uint32_t reason)
{
    const char *verb = reason == AXVM_SHUTDOWN_REBOOT ? "reboot" : "shut down";
    struct cli_args args;
    int domid, rc = cli_parse_domain(cli, argc, argv, &args, &domid);

    if (rc != CLI_RUN) {
        return rc;
    }
    rc = axvmctl_domain_shutdown(cli->ctl, (uint16_t)domid, reason);
    if (rc < 0) {
        return cli_fail(cli, "cannot %s domain '%s': %s", verb, args.argv[0], axvmctl_strerror(rc));
    }
    fprintf(cli->out, "%s domain %s\n",
            reason == AXVM_SHUTDOWN_REBOOT ? "Rebooting" : "Shutting down", args.argv[0]);
    if (!cli_args_has(&args, 'w')) {
        return 0;
    }
    fflush(cli->out);
    return wait_stopped(cli, (uint16_t)domid, args.argv[0]);
}

static int cmd_domain_shutdown(struct cli *cli, int argc, char **argv)
{
    return ask_guest(cli, argc, argv, AXVM_SHUTDOWN_POWEROFF);
}

static int cmd_domain_reboot(struct cli *cli, int argc, char **argv)
{
    return ask_guest(cli, argc, argv, AXVM_SHUTDOWN_REBOOT);
}

static const struct option create_options[] = {
    {"console", no_argument, NULL, 'c'},
    {0},
};
static const char *const create_option_help[] = {
    "attach to the domain's console once it has started, as 'console' does",
};

static const struct option wait_options[] = {
    {"wait", no_argument, NULL, 'w'},
    {0},
};
static const char *const shutdown_option_help[] = {
    "wait until the domain has stopped (at most 60 s)",
};

const struct cmd_spec domain_cmds[] = {
    {
        .name = "create",
        .handler = cmd_domain_create,
        .summary = "Create a domain from an XML definition and start it",
        .usage = "create FILE [-c|--console]",
        .options = create_options,
        .option_help = create_option_help,
        .min_args = 1,
        .max_args = 1,
        .details = "FILE is a domain definition (docs/xml.md), checked as 'config-check' does;\n"
                   "a problem is reported as FILE:LINE: message and nothing is created. The\n"
                   "domain is then built (memory, kernel, devices) and unpaused, and the line\n"
                   "'Started domain NAME (id=N)' printed. If a step fails, the half-built\n"
                   "domain is destroyed.\n\n"
                   "Example:\n  axvm-xl create -c /etc/axvm/hello.xml\n",
    },
    {
        .name = "destroy",
        .handler = cmd_domain_destroy,
        .summary = "Stop a domain at once and free its memory",
        .usage = "destroy DOMAIN",
        .min_args = 1,
        .max_args = 1,
        .details = "The guest is not told: this is pulling the plug. Use 'shutdown' to ask it\n"
                   "to power off cleanly.\n",
    },
    {
        .name = "shutdown",
        .handler = cmd_domain_shutdown,
        .summary = "Ask a domain to power off",
        .usage = "shutdown [-w|--wait] DOMAIN",
        .options = wait_options,
        .option_help = shutdown_option_help,
        .min_args = 1,
        .max_args = 1,
        .details = "The guest decides how to power off; what happens next is its on_poweroff\n"
                   "action. Without -w the command returns once the request is delivered.\n",
    },
    {
        .name = "reboot",
        .handler = cmd_domain_reboot,
        .summary = "Ask a domain to reboot",
        .usage = "reboot [-w|--wait] DOMAIN",
        .options = wait_options,
        .option_help = shutdown_option_help,
        .min_args = 1,
        .max_args = 1,
        .details = "The guest stops with reason 'reboot'; what happens next is its on_reboot\n"
                   "action. -w waits until it has stopped (not until it runs again).\n",
    },
    {
        .name = "pause",
        .handler = cmd_domain_pause,
        .summary = "Pause a domain: its vCPUs stop running",
        .usage = "pause DOMAIN",
        .min_args = 1,
        .max_args = 1,
        .details = "The domain keeps its memory and state; 'unpause' lets it run again.\n",
    },
    {
        .name = "unpause",
        .handler = cmd_domain_unpause,
        .summary = "Let a paused domain run again",
        .usage = "unpause DOMAIN",
        .min_args = 1,
        .max_args = 1,
    },
    {0},
};
