/* SPDX-License-Identifier: MIT */
/*
 * Suite "xl_top": axvm-top's batch frames through axvm-xl top and axvm-top (the same program
 * under another name) against a scripted sequence of statistics answers: the exact text of
 * each frame (header, columns, -x exit lines, -v vCPU lines), a domain that goes and one that
 * comes, the notice and plain frames where no terminal can be driven, and the errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test_xl.h"

#define NS_PER_S 1000000000ull

/*
 * The hypervisor over three answers: at 10 s dom0 and ticker; at 11 s both have run (dom0 12.5 %
 * of a CPU, ticker 9.9 %, 101 io exits a second); at 12 s ticker is gone and hello, created at
 * 11.5 s, has run a quarter of a second and made 7 MMIO exits.
 */
static int64_t scripted(struct fake_transport *f, uint32_t nr, void *arg, uint32_t arg_size,
                        void *buf, uint64_t buf_size)
{
    uintptr_t call = (uintptr_t)f->handler_ctx + 1;
    struct fake_domain *d;

    f->handler_ctx = (void *)call;
    if (call == 2) {
        f->now_ns = 11 * NS_PER_S;
        f->domains[0].info.cpu_time_ns += NS_PER_S / 8;
        f->domains[0].vcpus[0].exits[AXVM_EXIT_INTR] += 20;
        f->domains[3].info.cpu_time_ns += 99 * NS_PER_S / 1000;
        f->domains[3].vcpus[0].exits[AXVM_EXIT_IO] += 101;
        f->domains[3].vcpus[0].exits[AXVM_EXIT_HALT] += 1;
        f->pcpus[0].idle_ns += 65 * NS_PER_S / 100;
        f->pcpus[1].idle_ns += 96 * NS_PER_S / 100;
    } else if (call >= 3) {
        f->now_ns = 12 * NS_PER_S;
        f->domains[3].exists = false;
        d = &f->domains[4];
        if (!d->exists) {
            *d = (struct fake_domain){.exists = true};
            d->info = (struct axvm_domain_info){.domid = 4,
                                                .nr_vcpus = 1,
                                                .state = AXVM_STATE_RUNNING,
                                                .name = "hello",
                                                .mem_kib = 4096,
                                                .created_ns = 23 * NS_PER_S / 2};
            d->info.cpu_time_ns = NS_PER_S / 4;
            d->vcpus[0] = (struct axvm_vcpu_stats){.state = AXVM_VCPU_RUNNING, .pcpu = 1};
            d->vcpus[0].exits[AXVM_EXIT_MMIO] = 7;
        }
    }
    return fake_transport_model(f, nr, arg, arg_size, buf, buf_size);
}

static void add_script(void)
{
    struct axvm_domain_info *info;
    struct fake_domain *d;

    xl_fake.has_stats = true;
    xl_fake.physinfo.nr_cpus = 2;
    xl_fake.now_ns = 10 * NS_PER_S;
    xl_fake.handlers[AXVM_HC_SYSCTL_STATS] = scripted;
    info = xl_add_domain(0, "Domain-0", AXVM_STATE_RUNNING);
    info->nr_vcpus = 2, info->mem_kib = 327680, info->cpu_time_ns = NS_PER_S;
    d = &xl_fake.domains[0];
    d->vcpus[0] = (struct axvm_vcpu_stats){.state = AXVM_VCPU_RUNNING, .pcpu = 0};
    d->vcpus[0].exits[AXVM_EXIT_INTR] = 100;
    d->vcpus[1] = (struct axvm_vcpu_stats){.state = AXVM_VCPU_BLOCKED, .pcpu = 1, .affinity = 2};
    info = xl_add_domain(3, "ticker", AXVM_STATE_RUNNING);
    info->mem_kib = 16384, info->created_ns = 5 * NS_PER_S, info->cpu_time_ns = NS_PER_S / 2;
    d = &xl_fake.domains[3];
    d->vcpus[0] = (struct axvm_vcpu_stats){.state = AXVM_VCPU_BLOCKED, .pcpu = 1};
    d->vcpus[0].exits[AXVM_EXIT_IO] = 1000;
    d->vcpus[0].exits[AXVM_EXIT_HALT] = 10;
    xl_fake.pcpus[0].idle_ns = 5 * NS_PER_S;
    xl_fake.pcpus[1].idle_ns = 8 * NS_PER_S;
}

#define HEADING "NAME                ID STATE     CPU(%)   MEM(KiB) VCPUS   EXITS/S TOPEXIT\n"

static const char three_frames[] =
    "axvm-top - up 0:00:10 - 2 domains - sched credit - mem 768/1024 MiB free - 2 pCPUs busy: "
    "cpu0 - cpu1 -\n" HEADING
    "Domain-0             0 running        -     327680     2         - intr\n"
    "ticker               3 running        -      16384     1         - io\n"
    "axvm-top - up 0:00:11 - 2 domains - sched credit - mem 768/1024 MiB free - 2 pCPUs busy: "
    "cpu0 35% cpu1 4%\n" HEADING
    "Domain-0             0 running     12.5     327680     2      20.0 intr\n"
    "ticker               3 running      9.9      16384     1     102.0 io\n"
    "axvm-top - up 0:00:12 - 2 domains - sched credit - mem 768/1024 MiB free - 2 pCPUs busy: "
    "cpu0 100% cpu1 100%\n" HEADING
    "Domain-0             0 running      0.0     327680     2       0.0 -\n"
    "hello                4 running     25.0       4096     1       7.0 mmio\n";

static void test_top_batch_prints_frames(void)
{
    add_script();
    CU_ASSERT_EQUAL(xl_run("top", "-b", "-i", "3", "-d", "0", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, three_frames);
    CU_ASSERT_STRING_EQUAL(xl_err, "");
    CU_ASSERT_EQUAL(fake_transport_count(&xl_fake, AXVM_HC_SYSCTL_STATS), 3);
    CU_ASSERT_PTR_NULL(strchr(xl_out, 0x1b)); /* no escape codes */
}

static void test_top_batch_with_exits_and_vcpus(void)
{
    add_script();
    CU_ASSERT_EQUAL(
        xl_run("top", "--batch", "--iterations=2", "--delay=0.001", "-x", "-v", "-s", "cpu", NULL),
        0);
    CU_ASSERT_STRING_EQUAL(
        xl_out,
        "axvm-top - up 0:00:10 - 2 domains - sched credit - mem 768/1024 MiB free - 2 pCPUs busy: "
        "cpu0 - cpu1 -\n" HEADING "Domain-0             0 running        -     327680     2"
        "         - intr\n"
        "  exits: intr=100\n"
        "  vCPU    0 running     0 all                    -         -\n"
        "  vCPU    1 blocked     1 1                      -         -\n"
        "ticker               3 running        -      16384     1         - io\n"
        "  exits: io=1000 halt=10\n"
        "  vCPU    0 blocked     1 all                    -         -\n"
        "axvm-top - up 0:00:11 - 2 domains - sched credit - mem 768/1024 MiB free - 2 pCPUs busy: "
        "cpu0 35% cpu1 4%\n" HEADING "Domain-0             0 running     12.5     327680     2"
        "      20.0 intr\n"
        "  exits: intr=120 (20.0/s)\n"
        "  vCPU    0 running     0 all                  0.0      20.0\n"
        "  vCPU    1 blocked     1 1                    0.0       0.0\n"
        "ticker               3 running      9.9      16384     1     102.0 io\n"
        "  exits: io=1101 (101.0/s) halt=11 (1.0/s)\n"
        "  vCPU    0 blocked     1 all                  0.0     102.0\n");
}

static void test_top_batch_sorts_as_asked(void)
{
    add_script();
    CU_ASSERT_EQUAL(xl_run("top", "-b", "-i", "1", "-s", "name", "-r", NULL), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, HEADING "ticker "));
    CU_ASSERT_EQUAL(xl_run("top", "-b", "-i", "1", "-s", "mem", NULL), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, HEADING "Domain-0 "));
}

/* Where curses cannot be used (here: the output is no terminal), plain frames and a notice. */
static void test_top_without_a_terminal_prints_plain_frames(void)
{
    add_script();
    CU_ASSERT_EQUAL(xl_run("top", "-i", "3", "-d", "0", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, three_frames);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: standard input and output are not a terminal: "
                                   "printing plain frames as -b does (Ctrl-C stops)\n");
}

/* Run the program as argv[0] names it, the way main() does. */
static int run_as(const char *argv0, int argc, const char *const *args, char **out, char **err)
{
    char *argv[8] = {(char *)argv0};
    size_t out_len = 0, err_len = 0;
    FILE *o = open_memstream(out, &out_len), *e = open_memstream(err, &err_len);
    struct cli cli = {.out = o, .err = e, .transport = &xl_fake.transport, .in_fd = -1};
    int status;

    for (int i = 0; i < argc && i < 7; i++) {
        argv[i + 1] = strdup(args[i]);
    }
    status = xl_main(&cli, argc + 1, argv);
    if (cli.ctl) {
        axvmctl_close(cli.ctl);
    }
    fclose(o);
    fclose(e);
    for (int i = 0; i < argc && i < 7; i++) {
        free(argv[i + 1]);
    }
    return status;
}

static void test_axvm_top_is_the_same_program(void)
{
    static const char *const batch[] = {"-b", "-i", "3", "-d", "0"};
    static const char *const bad[] = {"-i", "0"};
    static const char *const help[] = {"--help"};
    char *out = NULL, *err = NULL;

    add_script();
    CU_ASSERT_EQUAL(run_as("/usr/sbin/axvm-top", 5, batch, &out, &err), 0);
    CU_ASSERT_STRING_EQUAL(out, three_frames);
    CU_ASSERT_STRING_EQUAL(err, "");
    free(out), free(err);
    CU_ASSERT_EQUAL(run_as("axvm-top", 2, bad, &out, &err), 1);
    CU_ASSERT_STRING_EQUAL(err, "axvm-top: -i '0' is not a number of frames (1-1000000)\n");
    free(out), free(err);
    CU_ASSERT_EQUAL(run_as("axvm-top", 1, help, &out, &err), 0);
    CU_ASSERT(strncmp(out, "Usage: axvm-top [-b] [-i N] [-d SECONDS]", 40) == 0);
    free(out), free(err);
    CU_ASSERT_EQUAL(run_as("axvm-top", 1, (const char *const[]){"-Z"}, &out, &err), 1);
    CU_ASSERT_STRING_EQUAL(err, "axvm-top: unknown option '-Z' (try 'axvm-top --help')\n");
    free(out), free(err);
    CU_ASSERT_EQUAL(run_as("axvm-top", 1, (const char *const[]){"extra"}, &out, &err), 1);
    CU_ASSERT_STRING_EQUAL(err, "axvm-top: unexpected argument 'extra' (usage: axvm-top [-b] "
                                "[-i N] [-d SECONDS] [-s COLUMN] [-r] [-x] [-v])\n");
    free(out), free(err);
    /* A program named otherwise is axvm-xl. */
    CU_ASSERT_EQUAL(run_as("/usr/sbin/axvm-topx", 1, help, &out, &err), 0);
    CU_ASSERT(strncmp(out, "Usage: axvm-xl COMMAND", 22) == 0);
    free(out), free(err);
}

static void test_top_names_bad_options(void)
{
    static const struct {
        const char *opt, *value, *err;
    } cases[] = {
        {"-i", "0", "axvm-xl: top: -i '0' is not a number of frames (1-1000000)\n"},
        {"-i", "x", "axvm-xl: top: -i 'x' is not a number of frames (1-1000000)\n"},
        {"-d", "-1",
         "axvm-xl: top: -d '-1' is not a number of seconds (0-3600, such as 1 or "
         "0.5)\n"},
        {"-d", "3601",
         "axvm-xl: top: -d '3601' is not a number of seconds (0-3600, such as 1 "
         "or 0.5)\n"},
        {"-d", ".5",
         "axvm-xl: top: -d '.5' is not a number of seconds (0-3600, such as 1 or "
         "0.5)\n"},
        {"-d", "1.5s",
         "axvm-xl: top: -d '1.5s' is not a number of seconds (0-3600, such as 1 "
         "or 0.5)\n"},
        {"-s", "CPU",
         "axvm-xl: top: -s 'CPU' is not a column: name, id, state, cpu, mem, vcpus, "
         "exits, topexit\n"},
    };

    add_script();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        UNIT_CHECK(xl_run("top", "-b", cases[i].opt, cases[i].value, NULL) == 1, "case %zu ran", i);
        UNIT_CHECK(strcmp(xl_err, cases[i].err) == 0, "case %zu said '%s'", i, xl_err);
    }
    CU_ASSERT_EQUAL(xl_fake.nr_calls, 0);
    CU_ASSERT_EQUAL(xl_run("top", "-b", "-i", "1", "-d", "3600", NULL), 0); /* one frame: no wait */
    CU_ASSERT_EQUAL(xl_run("top", "-b", "-i", "2", "-d", "0.01", NULL), 0);
}

static void test_top_reports_missing_statistics(void)
{
    xl_add_domain(0, "Domain-0", AXVM_STATE_RUNNING);
    CU_ASSERT_EQUAL(xl_run("top", "-b", "-i", "1", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: the hypervisor does not report statistics (ABI older "
                                   "than 0.4)\n");
    CU_ASSERT_STRING_EQUAL(xl_out, "");
    xl_fake.has_stats = true;
    fake_transport_fail_nr(&xl_fake, AXVM_HC_SYSCTL_STATS, 3, -AXVM_EPERM); /* the 2nd frame */
    CU_ASSERT_EQUAL(xl_run("top", "-b", "-i", "5", "-d", "0", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err,
                           "axvm-xl: cannot read the statistics: operation not permitted\n");
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "Domain-0 ")); /* the first frame came out */
}

/* A reader that went away (here: a full fixed-size output) stops the frames. */
static void test_top_stops_when_the_output_fails(void)
{
    add_script();
    xl_opt.out_size = 300;
    xl_opt.out_unbuffered = true;
    CU_ASSERT_EQUAL(xl_run("top", "-b", "-d", "0", NULL), 1); /* no -i: would go on forever */
    CU_ASSERT(fake_transport_count(&xl_fake, AXVM_HC_SYSCTL_STATS) <= 2);
}

static CU_TestInfo tests[] = {
    UNIT_TEST(test_top_batch_prints_frames),
    UNIT_TEST(test_top_batch_with_exits_and_vcpus),
    UNIT_TEST(test_top_batch_sorts_as_asked),
    UNIT_TEST(test_top_without_a_terminal_prints_plain_frames),
    UNIT_TEST(test_axvm_top_is_the_same_program),
    UNIT_TEST(test_top_names_bad_options),
    UNIT_TEST(test_top_reports_missing_statistics),
    UNIT_TEST(test_top_stops_when_the_output_fails),
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo info = {"xl_top", NULL, NULL, xl_setup, xl_teardown, tests};
UNIT_REGISTER_SUITE(info);
