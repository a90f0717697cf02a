/* SPDX-License-Identifier: MIT */
/*
 * How axvm-xl prints the hypervisor's statistics (SYSCTL_STATS): vCPU states as xl shows them,
 * the per-vCPU lines of 'list -l' and the statistics keys of 'list --json'.
 */
#include <inttypes.h>
#include <string.h>
#include "xl.h"

const char *xl_stats_vcpu_flags(const struct axvm_vcpu_stats *v, uint32_t domain_state,
                                char flags[4])
{
    bool is_paused = domain_state == AXVM_STATE_PAUSED || domain_state == AXVM_STATE_CREATED;

    flags[0] = v->state == AXVM_VCPU_RUNNING ? 'r' : '-';
    flags[1] = v->state == AXVM_VCPU_BLOCKED && !is_paused ? 'b' : '-';
    flags[2] = is_paused ? 'p' : '-';
    flags[3] = '\0';
    return flags;
}

const char *xl_stats_vcpu_state(uint16_t state)
{
    switch (state) {
    case AXVM_VCPU_OFFLINE:
        return "offline";
    case AXVM_VCPU_RUNNABLE:
        return "runnable";
    case AXVM_VCPU_RUNNING:
        return "running";
    case AXVM_VCPU_BLOCKED:
        return "blocked";
    default:
        return "unknown";
    }
}

/* "io=12 intr=3": the reasons with exits, in reason order; "none" when there are none. */
static void print_exit_counts(struct cli *cli, const struct axvm_vcpu_stats *v)
{
    char name[AXVMCTL_EXIT_NAME_MAX];
    bool any = false;

    for (unsigned int r = 0; r < AXVM_EXIT_NR; r++) {
        if (v->exits[r]) {
            fprintf(cli->out, "%s%s=%" PRIu64, any ? " " : "", axvmctl_stats_exit_name(r, name),
                    v->exits[r]);
            any = true;
        }
    }
    if (!any) {
        fputs("none", cli->out);
    }
}

void xl_stats_print_vcpu_lines(struct cli *cli, const struct axvmctl_stats *stats, int i)
{
    const struct axvm_vcpu_stats *v = i >= 0 ? axvmctl_stats_vcpus(stats, (uint32_t)i) : NULL;
    char cpus[192];

    for (unsigned int k = 0; v && k < stats->domains[i].nr_vcpus; k++, v++) {
        fprintf(cli->out, "    vCPU %u: %s, CPU ", v->vcpu, xl_stats_vcpu_state(v->state));
        if (v->state == AXVM_VCPU_OFFLINE) {
            fputc('-', cli->out);
        } else {
            fprintf(cli->out, "%u", v->pcpu);
        }
        fprintf(cli->out, ", affinity %s, time %.1f s, hypercalls %" PRIu64 ", exits: ",
                axvmctl_cpus_format(v->affinity, stats->head.nr_pcpus, cpus, sizeof(cpus)),
                (double)v->cpu_time_ns / 1e9, v->nr_hypercalls);
        print_exit_counts(cli, v);
        fputc('\n', cli->out);
    }
}

/* "exits": {"other": 0, "mmio": 3, ...}: every named reason, and unnamed ones with exits. */
static void print_json_exits(struct cli *cli, const struct axvm_vcpu_stats *v)
{
    char name[AXVMCTL_EXIT_NAME_MAX];
    bool any = false;

    fputs("          \"exits\": {", cli->out);
    for (unsigned int r = 0; r < AXVM_EXIT_NR; r++) {
        const char *s = axvmctl_stats_exit_name(r, name);

        if (s == name && v->exits[r] == 0) {
            continue; /* an unnamed reason that never happened */
        }
        fprintf(cli->out, "%s\"%s\": %" PRIu64, any ? ", " : "", s, v->exits[r]);
        any = true;
    }
    fputs("}\n", cli->out);
}

static void print_json_vcpu(struct cli *cli, const struct axvmctl_stats *stats,
                            const struct axvm_vcpu_stats *v)
{
    char cpus[192];

    fprintf(cli->out, "        {\n          \"vcpu\": %u,\n          \"state\": \"%s\",\n", v->vcpu,
            xl_stats_vcpu_state(v->state));
    fprintf(cli->out, "          \"pcpu\": %u,\n          \"affinity\": \"%s\",\n", v->pcpu,
            axvmctl_cpus_format(v->affinity, stats->head.nr_pcpus, cpus, sizeof(cpus)));
    fprintf(cli->out, "          \"cpu_time_ns\": %" PRIu64 ",\n", v->cpu_time_ns);
    fprintf(cli->out, "          \"hypercalls\": %" PRIu64 ",\n", v->nr_hypercalls);
    fprintf(cli->out, "          \"scheduled\": %" PRIu64 ",\n", v->nr_scheduled);
    fprintf(cli->out, "          \"migrations\": %" PRIu64 ",\n", v->nr_migrations);
    print_json_exits(cli, v);
    fputs("        }", cli->out);
}

void xl_stats_print_json(struct cli *cli, const struct axvmctl_stats *stats, int i)
{
    const struct axvm_domain_stats *d = stats && i >= 0 ? &stats->domains[i] : NULL;
    const struct axvm_vcpu_stats *v = d ? axvmctl_stats_vcpus(stats, (uint32_t)i) : NULL;

    if (!d) {
        fputs("    \"pages\": null,\n    \"hypercalls\": null,\n    \"weight\": null,\n"
              "    \"cap\": null,\n    \"vcpus\": null\n",
              cli->out);
        return;
    }
    fprintf(cli->out, "    \"pages\": %" PRIu64 ",\n    \"hypercalls\": %" PRIu64 ",\n", d->pages,
            d->nr_hypercalls);
    fprintf(cli->out, "    \"weight\": %u,\n    \"cap\": %u,\n    \"vcpus\": [", d->weight, d->cap);
    for (unsigned int k = 0; v && k < d->nr_vcpus; k++) {
        fputs(k ? ",\n" : "\n", cli->out);
        print_json_vcpu(cli, stats, &v[k]);
    }
    fputs(v ? "\n    ]\n" : "]\n", cli->out);
}
