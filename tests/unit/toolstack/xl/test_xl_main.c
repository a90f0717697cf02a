/* SPDX-License-Identifier: MIT */
/*
 * Suite "xl_main": axvm-xl's dispatcher and the argument parsing every command shares, checked
 * over every entry of the command tables (missing, extra and unknown arguments, --help), the
 * generated help, and the one line every command prints when /dev/axvm is absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "test_xl.h"

#define NO_DEVICE_LINE                                                                       \
    "axvm-xl: cannot reach the hypervisor: /nonexistent not found (is this dom0 of an axvm " \
    "host?)\n"

static const struct cmd_spec *const groups[] = {domain_cmds, info_cmds,    vcpu_cmds,  sched_cmds,
                                                top_cmds,    console_cmds, config_cmds};

#define NR_GROUPS (sizeof(groups) / sizeof(groups[0]))

/* Call fn for every command of the tables; "help" (main.c's own) is tested apart. */
static void for_each_cmd(void (*fn)(const struct cmd_spec *cmd))
{
    for (size_t g = 0; g < NR_GROUPS; g++) {
        for (const struct cmd_spec *cmd = groups[g]; cmd->name; cmd++) {
            xl_teardown();
            xl_setup();
            fn(cmd);
        }
    }
}

static unsigned int nr_options(const struct cmd_spec *cmd)
{
    unsigned int n = 0;

    while (cmd->options && cmd->options[n].name) {
        n++;
    }
    return n;
}

static void test_xl_main_without_command_fails_in_one_line(void)
{
    CU_ASSERT_EQUAL(xl_runv(0, NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: no command given (try 'axvm-xl help')\n");
    CU_ASSERT_STRING_EQUAL(xl_out, "");
}

static void test_xl_main_rejects_unknown_command(void)
{
    CU_ASSERT_EQUAL(xl_run("foo", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: unknown command 'foo' (try 'axvm-xl help')\n");
    CU_ASSERT_STRING_EQUAL(xl_out, "");
    CU_ASSERT_EQUAL(xl_run("List", NULL), 1); /* names are exact, as in xl */
    CU_ASSERT_EQUAL(xl_fake.nr_calls, 0);
}

static void test_xl_main_rejects_unknown_global_option(void)
{
    CU_ASSERT_EQUAL(xl_run("-v", "list", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: unknown option '-v' (try 'axvm-xl help')\n");
    CU_ASSERT_EQUAL(xl_fake.nr_calls, 0);
}

/* The overview names every command of every table, with its summary. */
static void check_overview(void)
{
    for (size_t g = 0; g < NR_GROUPS; g++) {
        for (const struct cmd_spec *cmd = groups[g]; cmd->name; cmd++) {
            char line[256];

            snprintf(line, sizeof(line), "\n %-14s %s\n", cmd->name, cmd->summary);
            UNIT_CHECK(strstr(xl_out, line) != NULL, "help lacks '%s'", cmd->name);
        }
    }
    CU_ASSERT(strncmp(xl_out, "Usage: axvm-xl COMMAND [ARGS...]\n", 33) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "\n help "));
    CU_ASSERT_STRING_EQUAL(xl_err, "");
}

static void test_xl_main_help_lists_every_command(void)
{
    static const char *const forms[][2] = {{"help", NULL}, {"--help", NULL}, {"-h", NULL}};

    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        UNIT_CHECK(xl_run(forms[i][0], NULL) == 0, "'%s' failed", forms[i][0]);
        check_overview();
    }
    CU_ASSERT_EQUAL(xl_fake.nr_calls, 0);
}

static void test_xl_main_help_rejects_unknown_command_and_extra_argument(void)
{
    CU_ASSERT_EQUAL(xl_run("help", "nope", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: unknown command 'nope' (try 'axvm-xl help')\n");
    CU_ASSERT_EQUAL(xl_run("help", "list", "info", NULL), 1);
    CU_ASSERT_STRING_EQUAL(
        xl_err, "axvm-xl: help: unexpected argument 'info' (usage: axvm-xl help [COMMAND])\n");
    CU_ASSERT_EQUAL(xl_run("help", "--bogus", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err,
                           "axvm-xl: help: unknown option '--bogus' (try 'axvm-xl help --help')\n");
    CU_ASSERT_EQUAL(xl_run("help", "--help", NULL), 0);
    CU_ASSERT(strncmp(xl_out, "Usage: axvm-xl help [COMMAND]\n", 30) == 0);
}

/* A command's help: its usage, summary, every option with its help line, and details. */
static void check_command_help(const struct cmd_spec *cmd, const char *how)
{
    char expect[512];

    snprintf(expect, sizeof(expect), "Usage: axvm-xl %s\n\n%s.\n\nOptions:\n", cmd->usage,
             cmd->summary);
    UNIT_CHECK(strncmp(xl_out, expect, strlen(expect)) == 0, "%s %s: heading is '%.80s'", cmd->name,
               how, xl_out);
    for (unsigned int i = 0; i < nr_options(cmd); i++) {
        const char *text = cmd->option_help[i];
        size_t value = strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");

        if (cmd->options[i].has_arg == required_argument && value && text[value] == ':') {
            /* "N: stop after N frames" is shown as "--iterations N  stop after N frames". */
            snprintf(expect, sizeof(expect), "--%s %.*s ", cmd->options[i].name, (int)value, text);
            text += value + 2;
        } else {
            snprintf(expect, sizeof(expect), "--%s ", cmd->options[i].name);
        }
        UNIT_CHECK(strstr(xl_out, expect) != NULL, "%s %s: no %s", cmd->name, how, expect);
        UNIT_CHECK(strstr(xl_out, text) != NULL, "%s %s: no help for --%s", cmd->name, how,
                   cmd->options[i].name);
    }
    UNIT_CHECK(strstr(xl_out, "  -h, --help ") != NULL &&
                   strstr(xl_out, " print this help and exit\n") != NULL,
               "%s %s: no --help line", cmd->name, how);
    UNIT_CHECK(!cmd->details || strstr(xl_out, cmd->details) != NULL, "%s %s: no details",
               cmd->name, how);
    UNIT_CHECK(xl_err[0] == '\0', "%s %s: stderr '%s'", cmd->name, how, xl_err);
}

static void help_of(const struct cmd_spec *cmd)
{
    char *first;

    UNIT_CHECK(xl_run(cmd->name, "--help", NULL) == 0, "%s --help failed", cmd->name);
    check_command_help(cmd, "--help");
    first = strdup(xl_out);
    UNIT_CHECK(xl_run(cmd->name, "-h", NULL) == 0, "%s -h failed", cmd->name);
    UNIT_CHECK(strcmp(xl_out, first) == 0, "%s -h differs from --help", cmd->name);
    UNIT_CHECK(xl_run("help", cmd->name, NULL) == 0, "help %s failed", cmd->name);
    UNIT_CHECK(strcmp(xl_out, first) == 0, "help %s differs from --help", cmd->name);
    /* --help wins over anything else on the line, options and arguments alike. */
    UNIT_CHECK(xl_run(cmd->name, "x", "y", "z", "--help", NULL) == 0, "%s x y z --help failed",
               cmd->name);
    UNIT_CHECK(strcmp(xl_out, first) == 0, "%s x y z --help differs", cmd->name);
    UNIT_CHECK(xl_fake.nr_calls == 0, "%s --help made hypercalls", cmd->name);
    free(first);
}

static void test_xl_main_every_command_has_help(void)
{
    for_each_cmd(help_of);
}

static void table_entry_is_sound(const struct cmd_spec *cmd)
{
    UNIT_CHECK(cmd->handler && cmd->summary && cmd->summary[0], "%s: incomplete", cmd->name);
    UNIT_CHECK(strncmp(cmd->usage, cmd->name, strlen(cmd->name)) == 0 &&
                   (cmd->usage[strlen(cmd->name)] == ' ' || !cmd->usage[strlen(cmd->name)]),
               "%s: usage '%s' does not start with the name", cmd->name, cmd->usage);
    UNIT_CHECK(!cmd->options || cmd->option_help, "%s: options without help lines", cmd->name);
    for (unsigned int i = 0; i < nr_options(cmd); i++) {
        UNIT_CHECK(cmd->option_help[i] && cmd->option_help[i][0], "%s: --%s has no help", cmd->name,
                   cmd->options[i].name);
        UNIT_CHECK(cmd->options[i].val != 'h', "%s: -h is everyone's --help", cmd->name);
    }
    UNIT_CHECK(cmd->max_args < 0 || cmd->max_args >= cmd->min_args, "%s: bad counts", cmd->name);
}

static void test_xl_main_tables_are_sound(void)
{
    for_each_cmd(table_entry_is_sound);
    for (size_t g = 0; g < NR_GROUPS; g++) {
        for (const struct cmd_spec *a = groups[g]; a->name; a++) {
            for (size_t h = 0; h < NR_GROUPS; h++) {
                for (const struct cmd_spec *b = groups[h]; b->name; b++) {
                    UNIT_CHECK(a == b || strcmp(a->name, b->name) != 0, "%s twice", a->name);
                }
            }
        }
    }
}

/* Arguments that pass the count check: "x" as often as the command needs. */
static int fill_args(const struct cmd_spec *cmd, const char **argv, int n)
{
    int argc = 0;

    argv[argc++] = cmd->name;
    for (int i = 0; i < n; i++) {
        argv[argc++] = "x";
    }
    return argc;
}

static void unknown_options_of(const struct cmd_spec *cmd)
{
    static const char *const bad[][2] = {
        {"--nope", "'--nope'"},
        {"--nope=3", "'--nope'"},
        {"-Z", "'-Z'"},
    };
    const char *argv[8];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char expect[256];
        int argc = fill_args(cmd, argv, cmd->min_args);

        argv[argc++] = bad[i][0];
        snprintf(expect, sizeof(expect),
                 "axvm-xl: %s: unknown option %s (try 'axvm-xl %s --help')\n", cmd->name, bad[i][1],
                 cmd->name);
        UNIT_CHECK(xl_runv(argc, argv) == 1, "%s %s: not refused", cmd->name, bad[i][0]);
        UNIT_CHECK(strcmp(xl_err, expect) == 0, "%s %s: said '%s'", cmd->name, bad[i][0], xl_err);
        UNIT_CHECK(xl_out[0] == '\0', "%s %s: printed '%s'", cmd->name, bad[i][0], xl_out);
    }
    UNIT_CHECK(xl_fake.nr_calls == 0, "%s: hypercalls despite bad options", cmd->name);
}

static void test_xl_main_every_command_rejects_unknown_options(void)
{
    for_each_cmd(unknown_options_of);
}

static void arg_counts_of(const struct cmd_spec *cmd)
{
    const char *argv[8];
    char expect[256];
    int argc;

    if (cmd->min_args > 0) {
        argc = fill_args(cmd, argv, cmd->min_args - 1);
        snprintf(expect, sizeof(expect), "axvm-xl: %s: missing argument (usage: axvm-xl %s)\n",
                 cmd->name, cmd->usage);
        UNIT_CHECK(xl_runv(argc, argv) == 1, "%s: too few arguments accepted", cmd->name);
        UNIT_CHECK(strcmp(xl_err, expect) == 0, "%s: said '%s'", cmd->name, xl_err);
    }
    if (cmd->max_args >= 0) {
        argc = fill_args(cmd, argv, cmd->max_args);
        argv[argc++] = "extra";
        snprintf(expect, sizeof(expect),
                 "axvm-xl: %s: unexpected argument 'extra' (usage: axvm-xl %s)\n", cmd->name,
                 cmd->usage);
        UNIT_CHECK(xl_runv(argc, argv) == 1, "%s: too many arguments accepted", cmd->name);
        UNIT_CHECK(strcmp(xl_err, expect) == 0, "%s: said '%s'", cmd->name, xl_err);
    }
    UNIT_CHECK(xl_fake.nr_calls == 0, "%s: hypercalls despite a bad count", cmd->name);
}

static void test_xl_main_every_command_checks_its_argument_count(void)
{
    for_each_cmd(arg_counts_of);
}

/* A flag given a value ("--wait=1") is refused, naming the option. */
static void option_values_of(const struct cmd_spec *cmd)
{
    for (unsigned int i = 0; i < nr_options(cmd); i++) {
        const char *argv[8];
        char opt[64], expect[256];
        int argc = fill_args(cmd, argv, cmd->min_args);

        if (cmd->options[i].has_arg != no_argument) {
            continue; /* takes one */
        }

        snprintf(opt, sizeof(opt), "--%s=1", cmd->options[i].name);
        argv[argc++] = opt;
        snprintf(expect, sizeof(expect),
                 "axvm-xl: %s: option '--%s' takes no value (try 'axvm-xl %s --help')\n", cmd->name,
                 cmd->options[i].name, cmd->name);
        UNIT_CHECK(xl_runv(argc, argv) == 1, "%s %s: accepted", cmd->name, opt);
        UNIT_CHECK(strcmp(xl_err, expect) == 0, "%s %s: said '%s'", cmd->name, opt, xl_err);
    }
}

static void test_xl_main_flags_refuse_values(void)
{
    for_each_cmd(option_values_of);
}

/*
 * Well-formed command lines of every command that needs the hypervisor; with AXVM_DEVICE
 * naming nothing, each prints the one sentence and fails.
 */
static const char *const need_hypervisor[][5] = {
    {"destroy", "hello"},
    {"shutdown", "-w", "hello"},
    {"reboot", "hello"},
    {"pause", "hello"},
    {"unpause", "3"},
    {"list"},
    {"list", "-l", "--json"},
    {"list", "hello"},
    {"info"},
    {"uptime"},
    {"vcpu-list", "1"},
    {"domid", "hello"},
    {"domname", "0"},
    {"dmesg"},
    {"dmesg", "-f"},
    {"console", "hello"},
    {"create", NULL},
    {"create", "-c", NULL},
    {"vcpu-pin", "hello", "0", "1"},
    {"sched-credit"},
    {"sched-credit", "-d", "hello", "-w", "512"},
    {"top", "-b", "-i", "1"},
    {"top"},
};

static void test_xl_main_commands_without_dev_axvm_say_so(void)
{
    const char *config = xl_good_config();

    xl_opt.real_transport = true;
    setenv("AXVM_DEVICE", "/nonexistent", 1);
    for (size_t i = 0; i < sizeof(need_hypervisor) / sizeof(need_hypervisor[0]); i++) {
        const char *argv[6];
        int argc = 0;

        for (int k = 0; k < 5 && need_hypervisor[i][k]; k++) {
            argv[argc++] = need_hypervisor[i][k];
        }
        if (strcmp(argv[0], "create") == 0) {
            argv[argc++] = config;
        }
        UNIT_CHECK(xl_runv(argc, argv) == 1, "%s: did not fail", argv[0]);
        UNIT_CHECK(strcmp(xl_err, NO_DEVICE_LINE) == 0, "%s: said '%s'", argv[0], xl_err);
        UNIT_CHECK(xl_out[0] == '\0', "%s: printed '%s'", argv[0], xl_out);
    }
}

static void test_xl_main_default_device_is_dev_axvm(void)
{
    if (access("/dev/axvm", F_OK) == 0) {
        return; /* an axvm host: nothing to show */
    }
    xl_opt.real_transport = true;
    CU_ASSERT_EQUAL(xl_run("list", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: cannot reach the hypervisor: /dev/axvm not found "
                                   "(is this dom0 of an axvm host?)\n");
}

static void test_xl_main_help_and_config_check_need_no_hypervisor(void)
{
    const char *config = xl_good_config();

    xl_opt.real_transport = true;
    setenv("AXVM_DEVICE", "/nonexistent", 1);
    CU_ASSERT_EQUAL(xl_run("help", NULL), 0);
    CU_ASSERT_EQUAL(xl_run("list", "--help", NULL), 0);
    CU_ASSERT_EQUAL(xl_run("config-check", config, NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_err, "");
}

static void test_xl_main_options_may_follow_arguments(void)
{
    xl_add_domain(1, "hello", AXVM_STATE_RUNNING);
    CU_ASSERT_EQUAL(xl_run("shutdown", "hello", "-w", NULL), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(xl_out, "Domain hello has stopped"));
    /* "--" ends the options: what follows is an argument even if it starts with '-'. */
    CU_ASSERT_EQUAL(xl_run("list", "--", "-l", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: no domain named '-l'\n");
}

static void test_xl_main_long_options_may_be_abbreviated(void)
{
    CU_ASSERT_EQUAL(xl_run("list", "--js", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "[]\n");
    CU_ASSERT_EQUAL(xl_run("list", "--lo", "--js", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "[]\n");
}

/* The same handler twice in one process: getopt's state must not carry over. */
static void test_xl_main_parses_afresh_each_time(void)
{
    xl_add_domain(1, "hello", AXVM_STATE_RUNNING);
    CU_ASSERT_EQUAL(xl_run("list", "-l", "hello", NULL), 0);
    CU_ASSERT_EQUAL(xl_run("list", "hello", NULL), 0);
    CU_ASSERT_PTR_NULL(strstr(xl_out, "UUID"));
    CU_ASSERT_EQUAL(xl_run("list", "-Z", NULL), 1);
    CU_ASSERT_EQUAL(xl_run("list", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_err, "");
    /* Refused in the middle of "-Zl": getopt was left inside a string freed since. */
    CU_ASSERT_EQUAL(xl_run("list", "-Zl", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err,
                           "axvm-xl: list: unknown option '-Z' (try 'axvm-xl list --help')\n");
    CU_ASSERT_EQUAL(xl_run("list", "hello", NULL), 0);
    CU_ASSERT_PTR_NULL(strstr(xl_out, "UUID"));
}

static void test_xl_main_output_write_error_fails(void)
{
    xl_opt.out_size = 16; /* "help" prints far more */
    CU_ASSERT_EQUAL(xl_run("help", NULL), 1);
    CU_ASSERT(strncmp(xl_err, "axvm-xl: cannot write the output", 32) == 0);
    CU_ASSERT(xl_is_one_line(xl_err));
    /* Unbuffered, the writes fail one by one and the final flush has nothing to say. */
    xl_opt.out_unbuffered = true;
    CU_ASSERT_EQUAL(xl_run("help", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: cannot write the output\n");
}

static CU_TestInfo tests[] = {
    UNIT_TEST(test_xl_main_without_command_fails_in_one_line),
    UNIT_TEST(test_xl_main_rejects_unknown_command),
    UNIT_TEST(test_xl_main_rejects_unknown_global_option),
    UNIT_TEST(test_xl_main_help_lists_every_command),
    UNIT_TEST(test_xl_main_help_rejects_unknown_command_and_extra_argument),
    UNIT_TEST(test_xl_main_every_command_has_help),
    UNIT_TEST(test_xl_main_tables_are_sound),
    UNIT_TEST(test_xl_main_every_command_rejects_unknown_options),
    UNIT_TEST(test_xl_main_every_command_checks_its_argument_count),
    UNIT_TEST(test_xl_main_flags_refuse_values),
    UNIT_TEST(test_xl_main_commands_without_dev_axvm_say_so),
    UNIT_TEST(test_xl_main_default_device_is_dev_axvm),
    UNIT_TEST(test_xl_main_help_and_config_check_need_no_hypervisor),
    UNIT_TEST(test_xl_main_options_may_follow_arguments),
    UNIT_TEST(test_xl_main_long_options_may_be_abbreviated),
    UNIT_TEST(test_xl_main_parses_afresh_each_time),
    UNIT_TEST(test_xl_main_output_write_error_fails),
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo info = {"xl_main", NULL, NULL, xl_setup, xl_teardown, tests};
UNIT_REGISTER_SUITE(info);
