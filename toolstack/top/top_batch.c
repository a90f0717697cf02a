/* SPDX-License-Identifier: MIT */
/*
 * axvm-top's batch frames (-b, and the fallback on a terminal that cannot be driven): plain
 * text like xentop -b's, one header line, the column headings, one line per domain in fixed
 * columns, and with -x and -v a line of exit counts and a line per vCPU under each domain.
 */
#include <inttypes.h>
#include <string.h>
#include "top.h"

#define BATCH_NAME_WIDTH 16 /* longer names push their line's columns right */

/* "  exits: io=1010 (101.0/s) intr=55 (5.5/s)": since created, and per second when known. */
static void print_exits(const struct top_row *r, FILE *out)
{
    char name[AXVMCTL_EXIT_NAME_MAX];
    bool any = false;

    fputs("  exits:", out);
    for (unsigned int e = 0; e < AXVM_EXIT_NR; e++) {
        if (!r->exits[e]) {
            continue;
        }
        fprintf(out, " %s=%" PRIu64, axvmctl_stats_exit_name(e, name), r->exits[e]);
        if (r->rates.is_known) {
            fprintf(out, " (%.1f/s)", r->rates.exit_per_s[e]);
        }
        any = true;
    }
    fputs(any ? "\n" : " none\n", out);
}

static void print_vcpus(const struct top_model *m, const struct top_row *r, FILE *out)
{
    char line[TOP_LINE_MAX];

    for (unsigned int k = 0; top_format_vcpu(m, r, k, line, sizeof(line)); k++) {
        fprintf(out, "  vCPU %s\n", line);
    }
}

void top_batch_frame(const struct top_model *m, const struct top_batch_options *opt, FILE *out)
{
    char line[1024], pcpus[1024];

    top_format_summary(m, line, sizeof(line));
    top_format_pcpus(m, pcpus, sizeof(pcpus));
    fprintf(out, "%s - %s\n", line, pcpus);
    top_format_heading(TOP_ALL_COLUMNS, BATCH_NAME_WIDTH, line, sizeof(line));
    fprintf(out, "%s\n", line);
    for (uint32_t i = 0; i < m->nr_rows; i++) {
        top_format_row(&m->rows[i], TOP_ALL_COLUMNS, BATCH_NAME_WIDTH, false, line, sizeof(line));
        fprintf(out, "%s\n", line);
        if (opt->with_exits) {
            print_exits(&m->rows[i], out);
        }
        if (opt->with_vcpus) {
            print_vcpus(m, &m->rows[i], out);
        }
    }
    fflush(out);
}
