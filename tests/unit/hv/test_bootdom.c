/* SPDX-License-Identifier: MIT */
/*
 * Suite "bootdom": boot-time domains in hypervisor/bootdom.c. bootdom_parse() is checked
 * option by option, with every error message read in full; bootdom_start_all() runs over the
 * fake arch hooks and loader, so each domain's build, load and boot can be watched.
 */
#include <stdlib.h>
#include <string.h>
#include <hv/bootdom.h>
#include <public/axvm/errno.h>
#include <fake_vm.h>
#include <host.h>
#include <unit.h>

#define NAME_31 "abcdefghijklmnopqrstuvwxyz-_.01"
#define NAME_32 NAME_31 "2"
#define UART    VM_DEV_UART
#define DEBUG   VM_DEV_DEBUG_EXIT
#define TESTDEV VM_DEV_TESTDEV
#define ERR_MAX 120 /* the buffer bootdom_start_all() gives */

static struct bootdom_spec spec;
static char err[ERR_MAX];
static struct boot_info bi;

static void bootdom_setup(void)
{
    fake_memory_setup();
    memset(&spec, 0x5a, sizeof(spec));
    memset(err, 0, sizeof(err));
    bootinfo_init(&bi);
}

static void bootdom_teardown(void)
{
    fake_memory_teardown();
}

struct good_case {
    const char *s;
    const char *name;
    uint64_t mem_bytes;
    unsigned int nr_vcpus;
    int pcpu;
    bool lazy;
    uint32_t devices;
    const char *cmdline;
};

/* Returns: NULL when spec is what c says, else the first field that differs. */
static const char *first_difference(const struct good_case *c)
{
    const struct vm_config *cfg = &spec.config;
    const struct vm_region_config *r = &cfg->regions[0];

    if (strcmp(cfg->name, c->name) != 0) {
        return "name";
    }
    if (cfg->nr_regions != 1 || r->gpa != 0 || r->kind != REGION_ALLOC || !r->attr.writable ||
        !r->attr.executable || r->attr.mem != PT_MEM_NORMAL || cfg->nr_passthrough != 0) {
        return "the fixed part of the config";
    }
    if (r->size_bytes != c->mem_bytes) {
        return "mem";
    }
    if (cfg->nr_vcpus != c->nr_vcpus) {
        return "vcpus";
    }
    if (cfg->pcpu != c->pcpu) {
        return "pcpu";
    }
    if (r->lazy != c->lazy) {
        return "lazy";
    }
    if (cfg->devices != c->devices) {
        return "devices";
    }
    return strcmp(spec.cmdline, c->cmdline) != 0 ? "cmdline" : NULL;
}

static void check_good_cases(const struct good_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int rc = bootdom_parse(cases[i].s, &spec, err, sizeof(err));
        const char *diff = rc ? "rc" : first_difference(&cases[i]);

        UNIT_CHECK(diff == NULL, "\"%s\": %s differs (rc %d, err \"%s\")", cases[i].s,
                   diff ? diff : "", rc, err);
    }
}

static void test_bootdom_parse_fills_defaults_for_a_bare_name(void)
{
    static const struct good_case cases[] = {
        {"domain name=a", "a", BOOTDOM_DEFAULT_MEM, 1, -1, false, UART, ""},
        {"  domain   name=b  ", "b", MIB(16), 1, -1, false, UART, ""},
        {"domain name=" NAME_31, NAME_31, MIB(16), 1, -1, false, UART, ""},
        {"domain name=A.b-c_9", "A.b-c_9", MIB(16), 1, -1, false, UART, ""},
        {"domain name=first name=second", "second", MIB(16), 1, -1, false, UART, ""},
    };

    check_good_cases(cases, ARRAY_SIZE(cases));
}

static void test_bootdom_parse_takes_every_option(void)
{
    static const struct good_case cases[] = {
        {"domain name=all mem=64M vcpus=4 pcpu=2 lazy debugexit testdev -- console=ttyS0 quiet",
         "all", MIB(64), 4, 2, true, UART | DEBUG | TESTDEV, "console=ttyS0 quiet"},
        {"domain lazy pcpu=0 vcpus=16 name=x", "x", MIB(16), 16, 0, true, UART, ""},
        {"domain name=x pcpu=7 vcpus=0x2", "x", MIB(16), 2, 7, false, UART, ""},
        {"domain name=x debugexit", "x", MIB(16), 1, -1, false, UART | DEBUG, ""},
        {"domain name=x testdev", "x", MIB(16), 1, -1, false, UART | TESTDEV, ""},
        {"domain name=x vcpus=3 vcpus=1", "x", MIB(16), 1, -1, false, UART, ""},
    };

    check_good_cases(cases, ARRAY_SIZE(cases));
}

static void test_bootdom_parse_mem_takes_suffixes_within_bounds(void)
{
    static const struct good_case cases[] = {
        {"domain name=m mem=1M", "m", MIB(1), 1, -1, false, UART, ""},
        {"domain name=m mem=1m", "m", MIB(1), 1, -1, false, UART, ""},
        {"domain name=m mem=1024K", "m", MIB(1), 1, -1, false, UART, ""},
        {"domain name=m mem=1028k", "m", MIB(1) + KIB(4), 1, -1, false, UART, ""},
        {"domain name=m mem=1048576", "m", MIB(1), 1, -1, false, UART, ""},
        {"domain name=m mem=0x200000", "m", MIB(2), 1, -1, false, UART, ""},
        {"domain name=m mem=3G", "m", GIB(3), 1, -1, false, UART, ""},
        {"domain name=m mem=3g", "m", GIB(3), 1, -1, false, UART, ""},
        {"domain name=m mem=3072M", "m", GIB(3), 1, -1, false, UART, ""},
        {"domain name=m mem=3145724K", "m", GIB(3) - KIB(4), 1, -1, false, UART, ""},
    };

    check_good_cases(cases, ARRAY_SIZE(cases));
}

static void test_bootdom_parse_keeps_everything_after_the_double_dash(void)
{
    static char long_line[BOOTDOM_CMDLINE_MAX + 32];
    static char long_cmdline[BOOTDOM_CMDLINE_MAX];
    static const struct good_case cases[] = {
        {"domain name=c --", "c", MIB(16), 1, -1, false, UART, ""},
        {"domain name=c --   ", "c", MIB(16), 1, -1, false, UART, ""},
        {"domain name=c --  a  b ", "c", MIB(16), 1, -1, false, UART, "a  b "},
        {"domain name=c -- name=evil mem=2M lazy", "c", MIB(16), 1, -1, false, UART,
         "name=evil mem=2M lazy"},
        {"domain name=c -- -- x", "c", MIB(16), 1, -1, false, UART, "-- x"},
    };
    struct good_case longest = {long_line, "c", MIB(16), 1, -1, false, UART, long_cmdline};

    check_good_cases(cases, ARRAY_SIZE(cases));
    memset(long_cmdline, 'k', BOOTDOM_CMDLINE_MAX - 1);
    strcpy(long_line, "domain name=c -- ");
    strcat(long_line, long_cmdline);
    check_good_cases(&longest, 1);
}

struct bad_case {
    const char *s;
    const char *message;
};

/* Each bad string is refused with exactly its message, one line that names the option. */
static void check_bad_cases(const struct bad_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *end;
        int rc;

        memset(err, 0x5a, sizeof(err));
        rc = bootdom_parse(cases[i].s, &spec, err, sizeof(err));
        end = memchr(err, '\0', sizeof(err));
        UNIT_CHECK(rc == -AXVM_EINVAL, "\"%s\": rc %d", cases[i].s, rc);
        UNIT_CHECK(end && strcmp(err, cases[i].message) == 0,
                   "\"%s\": message \"%.*s\", want \"%s\"", cases[i].s, (int)sizeof(err), err,
                   cases[i].message);
        UNIT_CHECK(end && !memchr(err, '\n', (size_t)(end - err)),
                   "\"%s\": the message is not one line", cases[i].s);
    }
}

static void test_bootdom_parse_refuses_strings_not_starting_with_domain(void)
{
    static const struct bad_case cases[] = {
        {"", "the string must start with 'domain'"},
        {"    ", "the string must start with 'domain'"},
        {"dom name=x", "the string must start with 'domain'"},
        {"domainx name=x", "the string must start with 'domain'"},
        {"Domain name=x", "the string must start with 'domain'"},
        {"module name=x", "the string must start with 'domain'"},
        {"name=x domain", "the string must start with 'domain'"},
    };

    check_bad_cases(cases, ARRAY_SIZE(cases));
}

static void test_bootdom_parse_without_a_name_says_it_is_missing(void)
{
    static const struct bad_case cases[] = {
        {"domain", "name=NAME is missing"},
        {"domain mem=2M vcpus=2", "name=NAME is missing"},
        {"domain -- name=x", "name=NAME is missing"},
    };

    check_bad_cases(cases, ARRAY_SIZE(cases));
}

static void test_bootdom_parse_refuses_bad_names(void)
{
    static const struct bad_case cases[] = {
        {"domain name=", "'name': a name of 1 to 31 characters is needed"},
        {"domain name", "'name': a name of 1 to 31 characters is needed"},
        {"domain name=" NAME_32, "'name=" NAME_32 "': a name of 1 to 31 characters is needed"},
        {"domain name=a/b", "'name=a/b': names use letters, digits, '-', '_' and '.'"},
        {"domain name=a:b", "'name=a:b': names use letters, digits, '-', '_' and '.'"},
        {"domain name=a=b", "'name=a=b': names use letters, digits, '-', '_' and '.'"},
        {"domain name=\"x\"", "'name=\"x\"': names use letters, digits, '-', '_' and '.'"},
        {"domain name=caf\xc3\xa9",
         "'name=caf\xc3\xa9': names use letters, digits, '-', '_' and '.'"},
        {"domain name=a\tb", "'name=a\tb': names use letters, digits, '-', '_' and '.'"},
    };

    check_bad_cases(cases, ARRAY_SIZE(cases));
}

static void test_bootdom_parse_refuses_mem_out_of_bounds_or_unaligned(void)
{
#define MEM_MSG(v) "'mem" v "': a size from 1M to 3G, a multiple of 4K, is needed"
    static const struct bad_case cases[] = {
        {"domain name=m mem=", MEM_MSG("")},
        {"domain name=m mem", MEM_MSG("")},
        {"domain name=m mem=0", MEM_MSG("=0")},
        {"domain name=m mem=1020K", MEM_MSG("=1020K")},
        {"domain name=m mem=1048575", MEM_MSG("=1048575")},
        {"domain name=m mem=1048577", MEM_MSG("=1048577")},
        {"domain name=m mem=1025K", MEM_MSG("=1025K")},
        {"domain name=m mem=3145732K", MEM_MSG("=3145732K")},
        {"domain name=m mem=4G", MEM_MSG("=4G")},
        {"domain name=m mem=1T", MEM_MSG("=1T")},
        {"domain name=m mem=16E", MEM_MSG("=16E")},
        {"domain name=m mem=99999999999999999999", MEM_MSG("=99999999999999999999")},
        {"domain name=m mem=abc", MEM_MSG("=abc")},
        {"domain name=m mem=-1M", MEM_MSG("=-1M")},
        {"domain name=m mem=2MB", MEM_MSG("=2MB")},
        {"domain name=m mem=1.5G", MEM_MSG("=1.5G")},
    };
#undef MEM_MSG

    check_bad_cases(cases, ARRAY_SIZE(cases));
}

static void test_bootdom_parse_refuses_bad_vcpus_and_pcpu(void)
{
    static const struct bad_case cases[] = {
        {"domain name=v vcpus=0", "'vcpus=0': at least one vCPU"},
        {"domain name=v vcpus=17", "'vcpus=17': not a number in range"},
        {"domain name=v vcpus=4294967297", "'vcpus=4294967297': not a number in range"},
        {"domain name=v vcpus=", "'vcpus': not a number in range"},
        {"domain name=v vcpus", "'vcpus': not a number in range"},
        {"domain name=v vcpus=two", "'vcpus=two': not a number in range"},
        {"domain name=v vcpus=-1", "'vcpus=-1': not a number in range"},
        {"domain name=v vcpus=2k", "'vcpus=2k': not a number in range"},
        {"domain name=v pcpu=8", "'pcpu=8': not a number in range"},
        {"domain name=v pcpu=-1", "'pcpu=-1': not a number in range"},
        {"domain name=v pcpu=", "'pcpu': not a number in range"},
        {"domain name=v pcpu=0x", "'pcpu=0x': not a number in range"},
        {"domain name=v pcpu=18446744073709551616", "'pcpu=18446744073709551616': not a number "
                                                    "in range"},
    };

    check_bad_cases(cases, ARRAY_SIZE(cases));
}

static void test_bootdom_parse_refuses_unknown_options_and_values_on_flags(void)
{
    static const struct bad_case cases[] = {
        {"domain name=u foo", "unknown option 'foo'"},
        {"domain name=u memory=1M", "unknown option 'memory=1M'"},
        {"domain name=u Name=x", "unknown option 'Name=x'"},
        {"domain name=u lazy=1", "unknown option 'lazy=1'"},
        {"domain name=u debugexit=yes", "unknown option 'debugexit=yes'"},
        {"domain name=u testdev=0", "unknown option 'testdev=0'"},
        {"domain name=u --x", "unknown option '--x'"},
        {"domain name=u =x", "unknown option '=x'"},
        {"domain foo name=u", "unknown option 'foo'"},
        {"domain domain name=u", "unknown option 'domain'"},
    };

    check_bad_cases(cases, ARRAY_SIZE(cases));
}

/* The first bad option is the one reported, even when a later one is bad too. */
static void test_bootdom_parse_reports_the_first_bad_option(void)
{
    static const struct bad_case cases[] = {
        {"domain name=x vcpus=0 mem=1", "'vcpus=0': at least one vCPU"},
        {"domain mem=1 name=", "'mem=1': a size from 1M to 3G, a multiple of 4K, is needed"},
        {"domain bogus name=", "unknown option 'bogus'"},
        {"domain name=x foo bar", "unknown option 'foo'"},
    };

    check_bad_cases(cases, ARRAY_SIZE(cases));
}

/* A message that does not fit is cut, never written past the buffer (ASan watches). */
static void test_bootdom_parse_cuts_the_message_to_the_buffer(void)
{
    static const size_t sizes[] = {1, 2, 8, 20};
    static const char message[] =
        "'mem=0123456789': a size from 1M to 3G, a multiple of 4K, is needed";

    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        char *small = malloc(sizes[i]);

        CU_ASSERT_FATAL(small != NULL);
        memset(small, 0x5a, sizes[i]);
        CU_ASSERT_EQUAL(bootdom_parse("domain name=x mem=0123456789", &spec, small, sizes[i]),
                        -AXVM_EINVAL);
        UNIT_CHECK(memchr(small, '\0', sizes[i]) && strlen(small) == sizes[i] - 1 &&
                       strncmp(small, message, sizes[i] - 1) == 0,
                   "size %zu: \"%.*s\"", sizes[i], (int)sizes[i], small);
        free(small);
    }
}

/*
 * A guest command line after "--" that does not fit is refused with a message, as name= and the
 * hypervisor's own options are. Regression test: it used to be cut silently.
 */
static void test_bootdom_parse_command_line_too_long_returns_einval(void)
{
    static char s[BOOTDOM_CMDLINE_MAX + 64];
    int rc;

    strcpy(s, "domain name=c -- ");
    memset(s + strlen(s), 'k', BOOTDOM_CMDLINE_MAX);
    rc = bootdom_parse(s, &spec, err, sizeof(err));
    CU_ASSERT_EQUAL(rc, -AXVM_EINVAL);
    CU_ASSERT(rc == 0 || (err[0] != '\0' && !strchr(err, '\n')));
}

/* ---------------------------------------------------------------------------------------- */
/* bootdom_start_all */

static void add_module(const char *string)
{
    CU_ASSERT_FATAL(bootinfo_add_module(&bi, 0x1000000, 0x1001000, string, strlen(string)) == 0);
}

static void test_bootdom_start_all_builds_loads_and_boots_a_domain(void)
{
    struct vm *vm;

    add_module("not a domain");
    add_module("domain name=one vcpus=2 lazy -- console=ttyS0");
    add_module("module initrd.img arg");
    add_module("module");
    add_module("other");
    add_module("module late");
    CU_ASSERT_EQUAL(bootdom_start_all(&bi), 1);
    CU_ASSERT_EQUAL(fake_nr_vms(), 1);
    vm = fake_find_vm("one");
    CU_ASSERT_FATAL(vm != NULL);
    CU_ASSERT_EQUAL(vm->nr_vcpus, 2);
    CU_ASSERT_TRUE(vm->as.regions[0].lazy);
    CU_ASSERT_EQUAL(vm->as.regions[0].size_bytes, BOOTDOM_DEFAULT_MEM);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_RUNNING);
    CU_ASSERT_TRUE(vm->destroy_when_stopped);
    CU_ASSERT_STRING_EQUAL(fake.load_kernel, "domain name=one vcpus=2 lazy -- console=ttyS0");
    CU_ASSERT_EQUAL(fake.load_nr_mods, 2);
    CU_ASSERT_STRING_EQUAL(fake.load_mods[0], "initrd.img arg");
    CU_ASSERT_STRING_EQUAL(fake.load_mods[1], "");
    CU_ASSERT_STRING_EQUAL(fake.load_cmdline, "console=ttyS0");
    CU_ASSERT_EQUAL(vm->vcpus[0]->arch.host_entry, fake.boot_entry);
    CU_ASSERT_EQUAL(vm->vcpus[0]->arch.host_args[0], 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(fake.arch_log, "vcpu_setup:1 bootdom_load set_boot:0 "));
    CU_ASSERT_PTR_NOT_NULL(strstr(fake.sched_log, "wake:0 "));
    CU_ASSERT_PTR_NULL(strstr(fake.sched_log, "wake:1 "));
}

static void test_bootdom_start_all_passes_at_most_max_modules(void)
{
    add_module("domain name=many mem=1M");
    for (unsigned int i = 0; i < BOOTDOM_MAX_MODULES + 2; i++) {
        add_module("module m");
    }
    CU_ASSERT_EQUAL(bootdom_start_all(&bi), 1);
    CU_ASSERT_EQUAL(fake.load_nr_mods, BOOTDOM_MAX_MODULES);
}

static void test_bootdom_start_all_reports_and_skips_domains_it_cannot_start(void)
{
    struct fake_census before = fake_census_take();
    struct vm *vm;

    add_module("domain name=ok mem=1M");
    add_module("domain bogus");
    add_module("domain name=big mem=3G");
    add_module("domain name=noload mem=1M");
    add_module("domain name=nocpu pcpu=9");
    fake.fail_hook = FAKE_HOOK_BOOTDOM_LOAD;
    fake.fail_call = 1;
    fake.fail_rc = -AXVM_EINVAL;
    CU_ASSERT_EQUAL(bootdom_start_all(&bi), 1);
    CU_ASSERT_EQUAL(host_console_count("module 1: unknown option 'bogus'; domain not started"), 1);
    CU_ASSERT_EQUAL(host_console_count("module 2: domain 'big' not started (error -12)"), 1);
    CU_ASSERT_EQUAL(host_console_count("module 3: domain 'noload' not started (error -22)"), 1);
    CU_ASSERT_EQUAL(host_console_count("module 4: 'pcpu=9': not a number in range"), 1);
    CU_ASSERT_EQUAL(fake_nr_vms(), 1);
    vm = fake_find_vm("ok");
    CU_ASSERT_FATAL(vm != NULL);
    vm_destroy(vm);
    CU_ASSERT_TRUE(fake_census_equal(fake_census_take(), before));
    CU_ASSERT_EQUAL(fake.nr_bad_undo, 0);
}

static void test_bootdom_parse_takes_ports_and_interrupts(void)
{
    CU_ASSERT_EQUAL_FATAL(bootdom_parse("domain name=pt pio=0x2f8:8 irq=3 pio=0x80:1 irq=0x10",
                                        &spec, err, sizeof(err)),
                          0);
    CU_ASSERT_EQUAL(spec.config.nr_passthrough, 2);
    CU_ASSERT_EQUAL(spec.config.passthrough[0].space, DEV_SPACE_PIO);
    CU_ASSERT_EQUAL(spec.config.passthrough[0].base, 0x2f8);
    CU_ASSERT_EQUAL(spec.config.passthrough[0].size, 8);
    CU_ASSERT_EQUAL(spec.config.passthrough[1].base, 0x80);
    CU_ASSERT_EQUAL(spec.config.passthrough[1].size, 1);
    CU_ASSERT_EQUAL(spec.nr_irqs, 2);
    CU_ASSERT_EQUAL(spec.irqs[0], 3);
    CU_ASSERT_EQUAL(spec.irqs[1], 16);
}

static void test_bootdom_parse_refuses_bad_ports_and_interrupts(void)
{
    static const struct bad_case cases[] = {
        {"domain name=p pio=0x2f8", "'pio=0x2f8': ports BASE:COUNT within 0-0xffff are needed"},
        {"domain name=p pio=0x2f8:0", "'pio=0x2f8:0': ports BASE:COUNT within 0-0xffff are needed"},
        {"domain name=p pio=0xfff8:9",
         "'pio=0xfff8:9': ports BASE:COUNT within 0-0xffff are needed"},
        {"domain name=p pio=x:1", "'pio=x:1': ports BASE:COUNT within 0-0xffff are needed"},
        {"domain name=p pio=", "'pio': ports BASE:COUNT within 0-0xffff are needed"},
        {"domain name=p irq=", "'irq': not a number in range"},
        {"domain name=p irq=-1", "'irq=-1': not a number in range"},
        {"domain name=p irq=1 irq=2 irq=3 irq=4 irq=5", "'irq=5': too many interrupts"},
        {"domain name=p pio=1:1 pio=2:1 pio=3:1 pio=4:1 pio=5:1 pio=6:1 pio=7:1 pio=8:1 pio=9:1",
         "'pio=9:1': too many pass-through ranges"},
    };

    check_bad_cases(cases, ARRAY_SIZE(cases));
}

static void test_bootdom_start_all_hands_interrupts_through(void)
{
    fake.irq_passthrough_works = true;
    add_module("domain name=irqs mem=1M irq=3 irq=5");
    add_module("domain name=refused mem=1M irq=7");
    fake.fail_hook = FAKE_HOOK_PASSTHROUGH_IRQ;
    fake.fail_call = 2; /* the third call: irq=7 */
    fake.fail_rc = -AXVM_EBUSY;
    CU_ASSERT_EQUAL(bootdom_start_all(&bi), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(fake.arch_log, "passthrough_irq:3 passthrough_irq:5 "));
    CU_ASSERT_EQUAL(host_console_count("domain 'refused': interrupt 7 cannot be given to it "
                                       "(error -16)"),
                    1);
    CU_ASSERT_EQUAL(fake_nr_vms(), 1);
    CU_ASSERT_PTR_NOT_NULL(fake_find_vm("irqs"));
}

static void test_bootdom_start_all_makes_one_privileged_domain_0_and_refuses_a_second(void)
{
    struct vm *vm;

    add_module("domain name=ctl mem=1M privileged");
    add_module("domain name=ctl2 mem=1M privileged");
    add_module("domain name=plain mem=1M");
    CU_ASSERT_EQUAL(bootdom_start_all(&bi), 2);
    vm = fake_find_vm("ctl");
    CU_ASSERT_FATAL(vm != NULL);
    CU_ASSERT(vm->id == 0 && vm->config.privileged);
    CU_ASSERT_PTR_NULL(fake_find_vm("ctl2"));
    CU_ASSERT_EQUAL(
        host_console_count("module 1: domain 'ctl2' not started: a privileged domain exists"), 1);
    vm = fake_find_vm("plain");
    CU_ASSERT_FATAL(vm != NULL);
    CU_ASSERT(vm->id != 0 && !vm->config.privileged);
    CU_ASSERT_EQUAL(bootdom_parse("domain name=x privileged=1", &spec, err, sizeof(err)),
                    -AXVM_EINVAL);
}

/* dom0 takes the first modules unless they are a boot-time domain's. */
static void test_bootdom_claims_domain_and_module_words_only(void)
{
    static const struct {
        const char *string;
        bool claimed;
    } cases[] = {
        {"domain name=a", true}, {"domain", true},     {"module greeting", true},
        {"module", true},        {"", false},          {"console=ttyS0 quiet", false},
        {"domains", false},      {"modules=x", false}, {"root=/dev/sda1 domain", false},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct boot_module m = {.string = cases[i].string};

        CU_ASSERT_EQUAL(bootdom_claims_module(&m), cases[i].claimed);
    }
}

static CU_TestInfo bootdom_tests[] = {
    UNIT_TEST(test_bootdom_claims_domain_and_module_words_only),
    UNIT_TEST(test_bootdom_parse_fills_defaults_for_a_bare_name),
    UNIT_TEST(test_bootdom_parse_takes_every_option),
    UNIT_TEST(test_bootdom_parse_takes_ports_and_interrupts),
    UNIT_TEST(test_bootdom_parse_refuses_bad_ports_and_interrupts),
    UNIT_TEST(test_bootdom_start_all_hands_interrupts_through),
    UNIT_TEST(test_bootdom_parse_mem_takes_suffixes_within_bounds),
    UNIT_TEST(test_bootdom_parse_keeps_everything_after_the_double_dash),
    UNIT_TEST(test_bootdom_parse_refuses_strings_not_starting_with_domain),
    UNIT_TEST(test_bootdom_parse_without_a_name_says_it_is_missing),
    UNIT_TEST(test_bootdom_parse_refuses_bad_names),
    UNIT_TEST(test_bootdom_parse_refuses_mem_out_of_bounds_or_unaligned),
    UNIT_TEST(test_bootdom_parse_refuses_bad_vcpus_and_pcpu),
    UNIT_TEST(test_bootdom_parse_refuses_unknown_options_and_values_on_flags),
    UNIT_TEST(test_bootdom_parse_reports_the_first_bad_option),
    UNIT_TEST(test_bootdom_parse_cuts_the_message_to_the_buffer),
    UNIT_TEST(test_bootdom_parse_command_line_too_long_returns_einval),
    UNIT_TEST(test_bootdom_start_all_builds_loads_and_boots_a_domain),
    UNIT_TEST(test_bootdom_start_all_passes_at_most_max_modules),
    UNIT_TEST(test_bootdom_start_all_reports_and_skips_domains_it_cannot_start),
    UNIT_TEST(test_bootdom_start_all_makes_one_privileged_domain_0_and_refuses_a_second),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_bootdom = {"bootdom",        NULL,         NULL, bootdom_setup,
                                   bootdom_teardown, bootdom_tests};
UNIT_REGISTER_SUITE(unit_suite_bootdom);
