/* SPDX-License-Identifier: MIT */
/*
 * axvm-xl's vCPU commands: vcpu-list (xl's columns, filled from the hypervisor's statistics
 * when it has them) and vcpu-pin (hard affinity: the CPUs a vCPU may run on).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "xl.h"

#define VCPU_ROW "%-32s %5u %5u %5s %5s %9s %s\n"

/* A row of what DOMAIN_LIST alone says: only a paused domain's state. */
static void print_bare_row(struct cli *cli, const struct axvm_domain_info *info, unsigned int k)
{
    bool paused = info->state == AXVM_STATE_PAUSED || info->state == AXVM_STATE_CREATED;
    char name[AXVM_DOMAIN_NAME_MAX];

    fprintf(cli->out, VCPU_ROW, cli_safe_name(info->name, name), info->domid, k, "-",
            paused ? "--p" : "-", "-", "-");
}

static void print_stats_row(struct cli *cli, const struct axvm_domain_info *info,
                            const struct axvmctl_stats *stats, const struct axvm_vcpu_stats *v)
{
    char name[AXVM_DOMAIN_NAME_MAX], cpu[8], flags[4], time[32], cpus[192];

    snprintf(cpu, sizeof(cpu), "%u", v->pcpu);
    snprintf(time, sizeof(time), "%.1f", (double)v->cpu_time_ns / 1e9);
    fprintf(cli->out, VCPU_ROW, cli_safe_name(info->name, name), info->domid, v->vcpu,
            v->state == AXVM_VCPU_OFFLINE ? "-" : cpu, xl_stats_vcpu_flags(v, info->state, flags),
            time, axvmctl_cpus_format(v->affinity, stats->head.nr_pcpus, cpus, sizeof(cpus)));
}

/* stats: NULL when the hypervisor has none. */
static void print_vcpus(struct cli *cli, const struct cli_domains *d,
                        const struct axvmctl_stats *stats)
{
    fprintf(cli->out, "%-32s %5s %5s %5s %5s %9s %s\n", "Name", "ID", "VCPU", "CPU", "State",
            "Time(s)", "CPU Affinity");
    for (unsigned int i = 0; i < d->nr; i++) {
        const struct axvm_domain_info *info = &d->info[i];
        int s = stats ? axvmctl_stats_find_domain(stats, info->domid) : -1;
        const struct axvm_vcpu_stats *v = s >= 0 ? axvmctl_stats_vcpus(stats, (uint32_t)s) : NULL;
        unsigned int nr = v ? stats->domains[s].nr_vcpus : 0;

        for (unsigned int k = 0; k < info->nr_vcpus; k++) {
            if (k < nr) {
                print_stats_row(cli, info, stats, &v[k]);
            } else {
                print_bare_row(cli, info, k); /* a domain created after the statistics */
            }
        }
    }
}

static int cmd_vcpu_list(struct cli *cli, int argc, char **argv)
{
    struct axvmctl_stats stats = {0};
    struct cli_domains d = {0};
    struct cli_args args;
    int rc = cli_parse(cli, argc, argv, &args);

    if (rc != CLI_RUN) {
        return rc;
    }
    rc = cli_collect_domains(cli, &args, &d);
    if (rc == 0) {
        print_vcpus(cli, &d, cli_stats(cli, &stats) ? &stats : NULL);
    }
    axvmctl_stats_free(&stats);
    free(d.info);
    return rc;
}

/* VCPU: "all" or an index below nr_vcpus. Returns: whether it is one; *vcpu then holds it. */
static bool parse_vcpu(struct cli *cli, const char *s, const struct axvm_domain_info *info,
                       const char *label, uint16_t *vcpu)
{
    unsigned long v = 0;
    bool ok =
        strcmp(s, "all") == 0 || (s[0] && strspn(s, "0123456789") == strlen(s) && strlen(s) < 6 &&
                                  (v = strtoul(s, NULL, 10)) < info->nr_vcpus);

    if (!ok) {
        cli_fail(cli, "vcpu-pin: VCPU '%s' is not a vCPU of domain '%s' (0-%u, or all)", s, label,
                 info->nr_vcpus - 1u);
        return false;
    }
    *vcpu = strcmp(s, "all") == 0 ? AXVM_VCPU_ALL : (uint16_t)v;
    return true;
}

/* CPUS: a CPU list naming at least one of the host's CPUs. */
static bool parse_cpus(struct cli *cli, const char *s, uint32_t nr_cpus, uint64_t *mask)
{
    uint64_t online = nr_cpus >= 64 ? ~0ull : (1ull << nr_cpus) - 1;
    int rc = axvmctl_cpus_parse(s, mask);

    if (rc == -AXVM_ERANGE) {
        cli_fail(cli, "vcpu-pin: CPUS '%s' names a CPU above 63", s);
    } else if (rc < 0) {
        cli_fail(cli, "vcpu-pin: CPUS '%s' is not a CPU list (such as 1, 0-1, 0,2 or all)", s);
    } else if (nr_cpus && !(*mask & online)) {
        cli_fail(cli, "vcpu-pin: CPUS '%s' names none of the host's CPUs (0-%u)", s, nr_cpus - 1);
        rc = -AXVM_EINVAL;
    }
    return rc == 0;
}

static int pin_failed(struct cli *cli, const char *vcpu, const char *label, int rc)
{
    return cli_fail(cli, "cannot pin vCPU %s of domain '%s': %s", vcpu, label,
                    rc == -AXVM_ENOSYS ? "the hypervisor has no vCPU pinning (ABI older than 0.4)"
                                       : axvmctl_strerror(rc));
}

static int cmd_vcpu_pin(struct cli *cli, int argc, char **argv)
{
    struct axvm_domain_info info;
    struct axvm_physinfo phys = {0};
    struct cli_args args;
    uint64_t mask = 0;
    uint16_t vcpu = 0;
    int domid, rc = cli_parse_domain(cli, argc, argv, &args, &domid);

    if (rc != CLI_RUN) {
        return rc;
    }
    rc = axvmctl_domain_getinfo(cli->ctl, (uint16_t)domid, &info);
    if (rc < 0) {
        return cli_fail(cli, "cannot look up domain '%s': %s", args.argv[0], axvmctl_strerror(rc));
    }
    axvmctl_physinfo(cli->ctl, &phys); /* nr_cpus 0 when it fails: the hypervisor checks */
    if (!parse_vcpu(cli, args.argv[1], &info, args.argv[0], &vcpu) ||
        !parse_cpus(cli, args.argv[2], phys.nr_cpus, &mask)) {
        return 1;
    }
    rc = axvmctl_vcpu_pin(cli->ctl, (uint16_t)domid, vcpu, mask);
    return rc < 0 ? pin_failed(cli, args.argv[1], args.argv[0], rc) : 0;
}

const struct cmd_spec vcpu_cmds[] = {
    {
        .name = "vcpu-list",
        .handler = cmd_vcpu_list,
        .summary = "List the vCPUs of domains",
        .usage = "vcpu-list [DOMAIN...]",
        .max_args = -1,
        .details =
            "Columns as xl's: Name, ID, VCPU, CPU (the CPU it runs on or last ran on),\n"
            "State (r running, b blocked: halted until an interrupt, p paused, '-' when\n"
            "unset), Time(s) (its CPU time), CPU Affinity (the CPUs it may run on, 'all'\n"
            "or a list such as 0-1,3). A hypervisor without statistics (ABI older than\n"
            "0.4) tells none of these: they show '-', and State '--p' for a paused domain.\n",
    },
    {
        .name = "vcpu-pin",
        .handler = cmd_vcpu_pin,
        .summary = "Choose the CPUs a domain's vCPU may run on",
        .usage = "vcpu-pin DOMAIN VCPU|all CPUS",
        .min_args = 3,
        .max_args = 3,
        .details = "Sets the vCPU's hard affinity: from now on it runs only on those CPUs, and\n"
                   "moves off any other at once. VCPU is a vCPU number or 'all' (every vCPU of\n"
                   "the domain). CPUS is 'all' or a list of CPU numbers and ranges: 1, 0-1,\n"
                   "0,2, 0-3,^2 (^N takes CPU N out again); CPUs 0-63, at least one of them\n"
                   "the host's. 'vcpu-list' shows the result.\n\n"
                   "Example:\n  axvm-xl vcpu-pin debian 0 1\n",
    },
    {0},
};
