/* SPDX-License-Identifier: MIT */
/*
 * axvm-xl's commands that look without touching: list, info, uptime, domid, domname and
 * dmesg. Their output follows xl's columns and "key : value" lines.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "xl.h"

#define OPT_JSON  CLI_LONG_ONLY
#define NAME_SAFE AXVM_DOMAIN_NAME_MAX

/* A name as the hypervisor gave it, with anything unprintable as '?'. */
static const char *safe_name(const struct axvm_domain_info *info, char buf[NAME_SAFE])
{
    return cli_safe_name(info->name, buf);
}

static bool is_stopped(const struct axvm_domain_info *info)
{
    return info->state == AXVM_STATE_SHUTDOWN || info->state == AXVM_STATE_CRASHED;
}

/* xl's six state flags: running, blocked, paused, shutdown, crashed, dying. */
static const char *state_flags(const struct axvm_domain_info *info, char flags[7])
{
    bool crashed = info->state == AXVM_STATE_CRASHED ||
                   (is_stopped(info) && info->shutdown_reason == AXVM_SHUTDOWN_CRASH);

    flags[0] = info->state == AXVM_STATE_RUNNING ? 'r' : '-';
    flags[1] = '-'; /* blocked: the ABI does not say */
    flags[2] = info->state == AXVM_STATE_PAUSED || info->state == AXVM_STATE_CREATED ? 'p' : '-';
    flags[3] = is_stopped(info) ? 's' : '-';
    flags[4] = crashed ? 'c' : '-';
    flags[5] = '-'; /* dying: destruction is one hypercall */
    flags[6] = '\0';
    return flags;
}

static const char *state_name(uint32_t state)
{
    static const char *const names[] = {
        [AXVM_STATE_CREATED] = "created", [AXVM_STATE_RUNNING] = "running",
        [AXVM_STATE_PAUSED] = "paused",   [AXVM_STATE_SHUTDOWN] = "shutdown",
        [AXVM_STATE_CRASHED] = "crashed",
    };

    return state < sizeof(names) / sizeof(names[0]) ? names[state] : "unknown";
}

static const char *uuid_text(const uint8_t uuid[16], char buf[37])
{
    char *p = buf;

    for (int i = 0; i < 16; i++) {
        p += sprintf(p, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", uuid[i]);
    }
    return buf;
}

/* -l with statistics: Weight, Cap, Pages, Hypercalls of the domain (index i, -1: none). */
static void print_stats_columns(struct cli *cli, const struct axvmctl_stats *stats, int i)
{
    const struct axvm_domain_stats *d = i >= 0 ? &stats->domains[i] : NULL;

    if (!d) {
        fprintf(cli->out, " %6s %4s %8s %10s", "-", "-", "-", "-");
        return;
    }
    fprintf(cli->out, " %6u %4u %8" PRIu64 " %10" PRIu64, d->weight, d->cap, d->pages,
            d->nr_hypercalls);
}

/* stats: NULL without -l or when the hypervisor has none. */
static void print_list_text(struct cli *cli, const struct cli_domains *d, bool is_long,
                            const struct axvmctl_stats *stats)
{
    char name[NAME_SAFE], flags[7], uuid[37], reason[48];

    fprintf(cli->out, "%-40s %5s %5s %5s %10s %9s", "Name", "ID", "Mem", "VCPUs", "State",
            "Time(s)");
    if (is_long) {
        fprintf(cli->out, " %-36s %6s", "UUID", "MaxMem");
        if (stats) {
            fprintf(cli->out, " %6s %4s %8s %10s", "Weight", "Cap", "Pages", "Hypercalls");
        }
        fputs(" Reason/Code", cli->out);
    }
    fputc('\n', cli->out);
    for (unsigned int i = 0; i < d->nr; i++) {
        const struct axvm_domain_info *info = &d->info[i];
        int s = stats ? axvmctl_stats_find_domain(stats, info->domid) : -1;

        fprintf(cli->out, "%-40s %5u %5" PRIu64 " %5u %10s %9.1f", safe_name(info, name),
                info->domid, info->mem_kib / 1024, info->nr_vcpus, state_flags(info, flags),
                (double)info->cpu_time_ns / 1e9);
        if (!is_long) {
            fputc('\n', cli->out);
            continue;
        }
        snprintf(reason, sizeof(reason), "%s/%" PRIu64, cli_shutdown_reason(info->shutdown_reason),
                 info->exit_code);
        fprintf(cli->out, " %-36s %6" PRIu64, uuid_text(info->uuid, uuid),
                info->max_mem_kib / 1024);
        if (stats) {
            print_stats_columns(cli, stats, s);
        }
        fprintf(cli->out, " %s\n", is_stopped(info) ? reason : "-");
        if (stats) {
            xl_stats_print_vcpu_lines(cli, stats, s);
        }
    }
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void print_json_string(struct cli *cli, const char *s, size_t max)
{
    fputc('"', cli->out);
    for (size_t i = 0; i < max && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '"' || c == '\\') {
            fprintf(cli->out, "\\%c", c);
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(cli->out, "\\u%04x", c);
        } else if (c > 0x7f) {
            fputs("\\ufffd", cli->out); /* names are ASCII; this is no UTF-8 to pass on */
        } else {
            fputc(c, cli->out);
        }
    }
    fputc('"', cli->out);
}

static void print_json_domain(struct cli *cli, const struct axvm_domain_info *info,
                              const struct axvmctl_stats *stats)
{
    char flags[7], uuid[37];

    fputs("  {\n    \"name\": ", cli->out);
    print_json_string(cli, info->name, sizeof(info->name));
    fprintf(cli->out, ",\n    \"domid\": %u,\n    \"uuid\": \"%s\",\n", info->domid,
            uuid_text(info->uuid, uuid));
    fprintf(cli->out, "    \"state\": \"%s\",\n    \"flags\": \"%s\",\n", state_name(info->state),
            state_flags(info, flags));
    fprintf(cli->out, "    \"nr_vcpus\": %u,\n    \"mem_kib\": %" PRIu64 ",\n", info->nr_vcpus,
            info->mem_kib);
    fprintf(cli->out, "    \"max_mem_kib\": %" PRIu64 ",\n    \"cpu_time_ns\": %" PRIu64 ",\n",
            info->max_mem_kib, info->cpu_time_ns);
    fprintf(cli->out, "    \"created_ns\": %" PRIu64 ",\n", info->created_ns);
    if (is_stopped(info)) {
        fprintf(cli->out, "    \"shutdown_reason\": \"%s\",\n    \"exit_code\": %" PRIu64 ",\n",
                cli_shutdown_reason(info->shutdown_reason), info->exit_code);
    } else {
        fputs("    \"shutdown_reason\": null,\n    \"exit_code\": null,\n", cli->out);
    }
    xl_stats_print_json(cli, stats, stats ? axvmctl_stats_find_domain(stats, info->domid) : -1);
    fputs("  }", cli->out);
}

static void print_list_json(struct cli *cli, const struct cli_domains *d,
                            const struct axvmctl_stats *stats)
{
    fputc('[', cli->out);
    for (unsigned int i = 0; i < d->nr; i++) {
        fputs(i ? ",\n" : "\n", cli->out);
        print_json_domain(cli, &d->info[i], stats);
    }
    fputs(d->nr ? "\n]\n" : "]\n", cli->out);
}

static int cmd_info_list(struct cli *cli, int argc, char **argv)
{
    struct axvmctl_stats stats = {0};
    struct cli_domains d = {0};
    struct cli_args args;
    bool is_json, is_long, has_stats = false;
    int rc = cli_parse(cli, argc, argv, &args);

    if (rc != CLI_RUN) {
        return rc;
    }
    is_json = cli_args_has(&args, OPT_JSON);
    is_long = cli_args_has(&args, 'l');
    rc = cli_collect_domains(cli, &args, &d);
    if (rc == 0 && (is_json || is_long)) {
        has_stats = cli_stats(cli, &stats);
    }
    if (rc == 0 && is_json) {
        print_list_json(cli, &d, has_stats ? &stats : NULL);
    } else if (rc == 0) {
        print_list_text(cli, &d, is_long, has_stats ? &stats : NULL);
    }
    axvmctl_stats_free(&stats);
    free(d.info);
    return rc;
}

/* "1 day, 2:03:04" or "2:03:04", as xl uptime prints. */
static const char *uptime_text(uint64_t ns, char *buf, size_t size)
{
    uint64_t s = ns / 1000000000u, days = s / 86400;
    unsigned int h = (unsigned int)(s % 86400 / 3600), m = (unsigned int)(s % 3600 / 60);
    unsigned int sec = (unsigned int)(s % 60);

    if (days) {
        snprintf(buf, size, "%" PRIu64 " day%s, %u:%02u:%02u", days, days == 1 ? "" : "s", h, m,
                 sec);
    } else {
        snprintf(buf, size, "%u:%02u:%02u", h, m, sec);
    }
    return buf;
}

static void print_uptimes(struct cli *cli, const struct cli_domains *d, uint64_t now_ns)
{
    char name[NAME_SAFE], up[48];

    fprintf(cli->out, "%-40s %5s %s\n", "Name", "ID", "Uptime");
    for (unsigned int i = 0; i < d->nr; i++) {
        const struct axvm_domain_info *info = &d->info[i];
        uint64_t created = info->created_ns < now_ns ? info->created_ns : now_ns;

        fprintf(cli->out, "%-40s %5u %s\n", safe_name(info, name), info->domid,
                uptime_text(now_ns - created, up, sizeof(up)));
    }
}

static int cmd_info_uptime(struct cli *cli, int argc, char **argv)
{
    struct cli_domains d = {0};
    struct axvm_physinfo phys;
    struct cli_args args;
    int rc = cli_parse(cli, argc, argv, &args);

    if (rc != CLI_RUN) {
        return rc;
    }
    rc = cli_collect_domains(cli, &args, &d);
    if (rc == 0) {
        int err = axvmctl_physinfo(cli->ctl, &phys);

        rc =
            err < 0 ? cli_fail(cli, "cannot read the host's uptime: %s", axvmctl_strerror(err)) : 0;
    }
    if (rc == 0) {
        print_uptimes(cli, &d, phys.uptime_ns);
    }
    free(d.info);
    return rc;
}

static void print_field(struct cli *cli, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One "key : value" line, the key padded as xl info pads it. */
static void print_field(struct cli *cli, const char *key, const char *fmt, ...)
{
    va_list ap;

    fprintf(cli->out, "%-23s: ", key);
    va_start(ap, fmt);
    vfprintf(cli->out, fmt, ap);
    va_end(ap);
    fputc('\n', cli->out);
}

/* xl's names for what the hypervisor can do: "hvm hap", and "x2apic" when offered. */
static const char *virt_caps(uint32_t features, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s", features & AXVM_FEATURE_HVM ? " hvm" : "",
             features & AXVM_FEATURE_NPT ? " hap" : "",
             features & AXVM_FEATURE_X2APIC ? " x2apic" : "");
    return buf[0] ? buf + 1 : "none";
}

static void print_info(struct cli *cli, const struct axvm_physinfo *p, const struct utsname *u)
{
    char caps[32], up[48];

    print_field(cli, "host", "%s", u->nodename);
    print_field(cli, "release", "%s", u->release);
    print_field(cli, "version", "%s", u->version);
    print_field(cli, "machine", "%s", u->machine);
    print_field(cli, "arch", "%s",
                p->arch == AXVM_ARCH_X86_64  ? "x86_64"
                : p->arch == AXVM_ARCH_ARM64 ? "arm64"
                                             : "unknown");
    print_field(cli, "nr_cpus", "%u", p->nr_cpus);
    print_field(cli, "cpu_mhz", "%" PRIu64 ".%03" PRIu64, p->cpu_khz / 1000, p->cpu_khz % 1000);
    print_field(cli, "virt_caps", "%s", virt_caps(p->features, caps, sizeof(caps)));
    print_field(cli, "hw_virt", "%.*s", (int)sizeof(p->virt), p->virt);
    print_field(cli, "total_memory", "%" PRIu64, p->total_kib / 1024);
    print_field(cli, "free_memory", "%" PRIu64, p->free_kib / 1024);
    print_field(cli, "axvm_version", "%.*s", (int)sizeof(p->version), p->version);
    print_field(cli, "abi_version", "%u.%u", p->abi_version >> 16, p->abi_version & 0xffff);
    print_field(cli, "uptime", "%s", uptime_text(p->uptime_ns, up, sizeof(up)));
}

static int cmd_info_info(struct cli *cli, int argc, char **argv)
{
    struct axvm_physinfo phys;
    struct utsname u;
    struct cli_args args;
    int rc = cli_parse(cli, argc, argv, &args);

    if (rc != CLI_RUN) {
        return rc;
    }
    if (!cli_ctl(cli)) {
        return 1;
    }
    rc = axvmctl_physinfo(cli->ctl, &phys);
    if (rc < 0) {
        return cli_fail(cli, "cannot read the host's information: %s", axvmctl_strerror(rc));
    }
    if (uname(&u) < 0) {
        memset(&u, 0, sizeof(u));
    }
    print_info(cli, &phys, &u);
    return 0;
}

static int cmd_info_domid(struct cli *cli, int argc, char **argv)
{
    struct cli_args args;
    int rc = cli_parse(cli, argc, argv, &args);

    if (rc != CLI_RUN) {
        return rc;
    }
    if (!cli_ctl(cli)) {
        return 1;
    }
    rc = axvmctl_domain_lookup(cli->ctl, args.argv[0]);
    if (rc == -AXVM_ENOENT || rc == -AXVM_EINVAL) {
        return cli_fail(cli, "no domain named '%s'", args.argv[0]);
    }
    if (rc < 0) {
        return cli_fail(cli, "cannot look up domain '%s': %s", args.argv[0], axvmctl_strerror(rc));
    }
    fprintf(cli->out, "%d\n", rc);
    return 0;
}

static int cmd_info_domname(struct cli *cli, int argc, char **argv)
{
    struct axvm_domain_info info;
    struct cli_args args;
    char name[NAME_SAFE];
    uint16_t domid;
    int rc = cli_parse(cli, argc, argv, &args);

    if (rc != CLI_RUN) {
        return rc;
    }
    if (!cli_parse_domid(args.argv[0], &domid)) {
        return cli_fail(cli, "'%s' is not a domain id (0-%u)", args.argv[0],
                        AXVM_DOMID_INVALID - 1);
    }
    if (!cli_ctl(cli)) {
        return 1;
    }
    rc = axvmctl_domain_getinfo(cli->ctl, domid, &info);
    if (rc == -AXVM_ENOENT) {
        return cli_fail(cli, "no domain with id %u", domid);
    }
    if (rc < 0) {
        return cli_fail(cli, "cannot look up domain %u: %s", domid, axvmctl_strerror(rc));
    }
    fprintf(cli->out, "%s\n", safe_name(&info, name));
    return 0;
}

static int cmd_info_dmesg(struct cli *cli, int argc, char **argv)
{
    struct cli_ring ring = {.is_log = true};
    struct cli_args args;
    long n;
    int rc = cli_parse(cli, argc, argv, &args);

    if (rc != CLI_RUN) {
        return rc;
    }
    if (!cli_ctl(cli)) {
        return 1;
    }
    while ((n = cli_ring_drain(cli, &ring)) >= 0 && cli_args_has(&args, 'f')) {
        cli_sleep_ms(cli_poll_ms(cli));
    }
    if (n < 0) {
        return cli_fail(cli, "cannot read the hypervisor's log: %s", axvmctl_strerror((int)n));
    }
    return 0;
}

static const struct option list_options[] = {
    {"long", no_argument, NULL, 'l'},
    {"json", no_argument, NULL, OPT_JSON},
    {0},
};
static const char *const list_option_help[] = {
    "also print each domain's UUID, maximum memory, how it stopped, and statistics",
    "print a JSON array of objects instead of the table",
};

static const struct option dmesg_options[] = {
    {"follow", no_argument, NULL, 'f'},
    {0},
};
static const char *const dmesg_option_help[] = {
    "keep printing new messages until interrupted (Ctrl-C)",
};

const struct cmd_spec info_cmds[] = {
    {
        .name = "list",
        .handler = cmd_info_list,
        .summary = "List domains, their memory, vCPUs, state and CPU time",
        .usage = "list [-l|--long] [--json] [DOMAIN...]",
        .options = list_options,
        .option_help = list_option_help,
        .max_args = -1,
        .details = "Columns: Name, ID, Mem (MiB held now), VCPUs, State, Time(s) (CPU time of all\n"
                   "vCPUs). State has xl's six flags, '-' when unset: r running, b blocked (not\n"
                   "reported by axvm), p paused (or built and never started), s shut down,\n"
                   "c crashed, d dying (not reported). -l adds UUID, MaxMem (MiB) and\n"
                   "Reason/Code (how a stopped domain ended: poweroff, reboot, crash or exit,\n"
                   "and its code); with the hypervisor's statistics also Weight and Cap (credit\n"
                   "scheduler), Pages (frames it holds) and Hypercalls, and one line per vCPU:\n"
                   "its state, CPU, affinity, CPU time, hypercalls and VM exits by reason.\n"
                   "The JSON keys are name, domid, uuid, state, flags, nr_vcpus, mem_kib,\n"
                   "max_mem_kib, cpu_time_ns, created_ns, shutdown_reason, exit_code, pages,\n"
                   "hypercalls, weight, cap and vcpus (each: vcpu, state, pcpu, affinity,\n"
                   "cpu_time_ns, hypercalls, scheduled, migrations, exits by reason name); the\n"
                   "statistics are null when the hypervisor does not report them.\n",
    },
    {
        .name = "info",
        .handler = cmd_info_info,
        .summary = "Print the host's and the hypervisor's information",
        .usage = "info",
        .details = "One 'key : value' line each: host, release, version and machine (dom0's\n"
                   "kernel, as xl prints them), arch, nr_cpus, cpu_mhz, virt_caps, hw_virt,\n"
                   "total_memory and free_memory (MiB), axvm_version, abi_version, uptime.\n",
    },
    {
        .name = "uptime",
        .handler = cmd_info_uptime,
        .summary = "Print how long domains have existed",
        .usage = "uptime [DOMAIN...]",
        .max_args = -1,
        .details = "Columns: Name, ID, Uptime ('D days, H:MM:SS').\n",
    },
    {
        .name = "domid",
        .handler = cmd_info_domid,
        .summary = "Print the id of the domain with this name",
        .usage = "domid NAME",
        .min_args = 1,
        .max_args = 1,
    },
    {
        .name = "domname",
        .handler = cmd_info_domname,
        .summary = "Print the name of the domain with this id",
        .usage = "domname ID",
        .min_args = 1,
        .max_args = 1,
    },
    {
        .name = "dmesg",
        .handler = cmd_info_dmesg,
        .summary = "Print the hypervisor's log",
        .usage = "dmesg [-f|--follow]",
        .options = dmesg_options,
        .option_help = dmesg_option_help,
        .details = "The log is a ring of the hypervisor's latest messages: older ones are\n"
                   "gone. Guests' console lines appear there too, as '(dN) text'.\n",
    },
    {0},
};
