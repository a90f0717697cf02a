/* SPDX-License-Identifier: MIT */
/*
 * axvm-xl sched-credit: read and change the credit scheduler's weight (share of CPU against
 * other domains) and cap (most CPU a domain may use) of domains, as xl sched-credit does.
 */
#include <stdlib.h>
#include <string.h>
#include "xl.h"

#define SCHED_ROW     "%-32s %5u %6u %4u\n"
#define SCHED_HEADING "%-32s %5s %6s %4s\n"
#define LIST_MAX      ((unsigned int)(AXVM_COPY_MAX / sizeof(struct axvm_domain_info)))

/* Why a SCHED_CREDIT call failed, in words for the operator. */
static const char *credit_error(int rc)
{
    switch (rc) {
    case -AXVM_EOPNOTSUPP:
        return "the hypervisor runs the rr scheduler; boot it with sched=credit";
    case -AXVM_ENOSYS:
        return "the hypervisor has no credit scheduler parameters (ABI older than 0.4)";
    default:
        return axvmctl_strerror(rc);
    }
}

static void print_heading(struct cli *cli)
{
    fprintf(cli->out, SCHED_HEADING, "Name", "ID", "Weight", "Cap");
}

static void print_row(struct cli *cli, const char *name, const struct axvm_sched_credit *c)
{
    char safe[AXVM_DOMAIN_NAME_MAX];

    fprintf(cli->out, SCHED_ROW, cli_safe_name(name, safe), c->domid, c->weight, c->cap);
}

/* Under another scheduler the values are kept but do nothing: say so under the table. */
static void note_scheduler(struct cli *cli)
{
    struct axvmctl_stats stats = {0};

    if (axvmctl_sysctl_stats(cli->ctl, &stats) >= 0 && stats.head.sched != AXVM_SCHED_CREDIT) {
        fprintf(cli->out,
                "(the hypervisor runs the %s scheduler: weights and caps take effect "
                "only with sched=credit)\n",
                axvmctl_stats_sched_name(stats.head.sched));
    }
    axvmctl_stats_free(&stats);
}

static int list_all(struct cli *cli)
{
    struct axvm_domain_info *infos = calloc(LIST_MAX, sizeof(*infos));
    struct axvm_sched_credit c;
    int nr, rc = 0;

    if (!infos) {
        return cli_fail(cli, "out of memory");
    }
    nr = axvmctl_domain_list(cli->ctl, infos, LIST_MAX, NULL);
    if (nr < 0) {
        rc = cli_fail(cli, "cannot list the domains: %s", axvmctl_strerror(nr));
        goto out;
    }
    print_heading(cli);
    for (int i = 0; i < nr; i++) {
        int err = axvmctl_sched_credit_get(cli->ctl, infos[i].domid, &c);

        if (err == -AXVM_ENOENT) {
            continue; /* gone since the list */
        }
        if (err < 0) {
            rc = cli_fail(cli, "cannot read the credit parameters of domain %u: %s", infos[i].domid,
                          credit_error(err));
            goto out;
        }
        print_row(cli, infos[i].name, &c);
    }
    note_scheduler(cli);
out:
    free(infos);
    return rc;
}

/* What -w and -c ask for, checked against the domain. Returns: whether they are good. */
static bool parse_request(struct cli *cli, const struct cli_args *args,
                          const struct axvm_domain_info *info, struct axvm_sched_credit *req)
{
    const char *weight = cli_args_value(args, 'w');
    const char *cap = cli_args_value(args, 'c');
    unsigned long v;

    *req = (struct axvm_sched_credit){.domid = info->domid};
    if (weight) {
        if (!cli_parse_uint(cli, "-w", weight, "a weight", AXVM_WEIGHT_MIN, AXVM_WEIGHT_MAX, &v)) {
            return false;
        }
        req->flags |= AXVM_SCHED_SET_WEIGHT;
        req->weight = (uint32_t)v;
    }
    if (cap) {
        if (!cli_parse_uint(cli, "-c", cap, "a cap in percent of one CPU, 100 per vCPU", 0,
                            100ul * info->nr_vcpus, &v)) {
            return false;
        }
        req->flags |= AXVM_SCHED_SET_CAP;
        req->cap = (uint32_t)v;
    }
    return true;
}

/* -d DOMAIN, maybe with -w and -c: change what is asked, then show what is in effect. */
static int one_domain(struct cli *cli, const struct cli_args *args, const char *label)
{
    struct axvm_domain_info info;
    struct axvm_sched_credit c;
    int rc, domid = cli_domain(cli, label);

    if (domid < 0) {
        return 1;
    }
    rc = axvmctl_domain_getinfo(cli->ctl, (uint16_t)domid, &info);
    if (rc < 0) {
        return cli_fail(cli, "cannot look up domain '%s': %s", label, axvmctl_strerror(rc));
    }
    if (!parse_request(cli, args, &info, &c)) {
        return 1;
    }
    if (c.flags) {
        rc = axvmctl_sched_credit_set(cli->ctl, &c);
    } else {
        rc = axvmctl_sched_credit_get(cli->ctl, (uint16_t)domid, &c);
    }
    if (rc < 0) {
        return cli_fail(cli, "cannot %s the credit parameters of domain '%s': %s",
                        c.flags ? "set" : "read", label, credit_error(rc));
    }
    print_heading(cli);
    print_row(cli, info.name, &c);
    return 0;
}

static int cmd_sched_credit(struct cli *cli, int argc, char **argv)
{
    struct cli_args args;
    const char *domain;
    int rc = cli_parse(cli, argc, argv, &args);

    if (rc != CLI_RUN) {
        return rc;
    }
    domain = cli_args_value(&args, 'd');
    if (!domain && (cli_args_has(&args, 'w') || cli_args_has(&args, 'c'))) {
        return cli_fail(cli, "sched-credit: -w and -c need a domain: -d DOMAIN");
    }
    if (!cli_ctl(cli)) {
        return 1;
    }
    return domain ? one_domain(cli, &args, domain) : list_all(cli);
}

static const struct option credit_options[] = {
    {"domain", required_argument, NULL, 'd'},
    {"weight", required_argument, NULL, 'w'},
    {"cap", required_argument, NULL, 'c'},
    {0},
};
static const char *const credit_option_help[] = {
    "DOMAIN: show or change this domain only",
    "WEIGHT: its share against other domains, 1-65535 (default 256)",
    "CAP: the most CPU it may use, in percent of one CPU (0: no cap)",
};

const struct cmd_spec sched_cmds[] = {
    {
        .name = "sched-credit",
        .handler = cmd_sched_credit,
        .summary = "Show or change domains' credit-scheduler weight and cap",
        .usage = "sched-credit [-d DOMAIN [-w WEIGHT] [-c CAP]]",
        .options = credit_options,
        .option_help = credit_option_help,
        .details = "Without options, lists every domain's Weight and Cap. A domain with twice\n"
                   "the weight of another gets twice its CPU time when both want more than\n"
                   "there is. The cap limits a domain even when CPUs are idle: 50 is half of one\n"
                   "CPU, 200 two CPUs' worth (at most 100 per vCPU); 0 removes it. With -w or\n"
                   "-c the values are changed, and the values in effect printed. Changing them\n"
                   "needs the credit scheduler (the hypervisor's default; sched=credit).\n\n"
                   "Example:\n  axvm-xl sched-credit -d debian -w 512 -c 50\n",
    },
    {0},
};
