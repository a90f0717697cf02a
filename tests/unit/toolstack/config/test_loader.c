/* SPDX-License-Identifier: MIT */
/*
 * Suite "config_loader": domain_config_load() on every example of xml/examples/, staged in a
 * directory laid out like dom0's /etc/axvm/guests, field by field; and the loader's API: paths,
 * defaults, UUIDs, files that are not domain definitions, the schema, error formatting.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <config/domain_config.h>
#include <unit.h>
#include "fake_dom0.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIB(n)        ((uint64_t)(n) << 20)
#define SERIAL        DC_DEV_SERIAL
#define DEBUG_EXIT    DC_DEV_DEBUG_EXIT
#define TESTDEV       DC_DEV_TESTDEV

static struct fake_dom0 dom0;
static char schema[FAKE_PATH_MAX];

static int loader_suite_init(void)
{
    snprintf(schema, sizeof(schema), "%s", fake_dom0_source("xml/schema/axvm-domain.rng"));
    return fake_dom0_create(&dom0) < 0 ? -1 : 0;
}

static int loader_suite_cleanup(void)
{
    fake_dom0_destroy(&dom0);
    return 0;
}

/* Load guests/name; on failure, say why in the test report. */
static struct domain_config *load_example(const char *name)
{
    struct domain_config *cfg = NULL;
    struct config_error err = {0};
    char path[FAKE_PATH_MAX], line[1024];
    int rc = domain_config_load(fake_dom0_path(path, dom0.guests, name), schema, &cfg, &err);

    config_error_format(&err, line, sizeof(line));
    UNIT_CHECK(rc == 0 && cfg, "%s does not load: %s", name, line);
    return rc == 0 ? cfg : NULL;
}

/* Returns: whether got is guests/want (want NULL: got NULL too). */
static bool is_staged(const char *got, const char *want)
{
    char path[FAKE_PATH_MAX];

    if (!want || !got) {
        return got == want;
    }
    return strcmp(got, fake_dom0_path(path, dom0.guests, want)) == 0;
}

/* Returns: NULL when the os part matches, else the first field that differs. */
static const char *os_difference(const struct domain_config *got, const struct domain_config *want)
{
    if (got->os.arch != want->os.arch || got->os.type != want->os.type) {
        return "os arch or type";
    }
    if (!is_staged(got->os.kernel, want->os.kernel) ||
        !is_staged(got->os.initrd, want->os.initrd)) {
        return "kernel or initrd";
    }
    if (!got->os.cmdline || strcmp(got->os.cmdline, want->os.cmdline) != 0) {
        return "cmdline";
    }
    if (got->os.nr_modules != want->os.nr_modules) {
        return "nr_modules";
    }
    for (unsigned int i = 0; i < got->os.nr_modules; i++) {
        if (!is_staged(got->os.modules[i].path, want->os.modules[i].path) ||
            strcmp(got->os.modules[i].string, want->os.modules[i].string) != 0) {
            return "a module";
        }
    }
    if (got->os.load_addr != want->os.load_addr || got->os.entry != want->os.entry) {
        return "load address or entry";
    }
    return NULL;
}

static const char *devices_difference(const struct domain_config *got,
                                      const struct domain_config *want)
{
    if (got->nr_regions != want->nr_regions || got->nr_devices != want->nr_devices ||
        got->nr_hostdevs != want->nr_hostdevs) {
        return "the number of regions, devices or hostdevs";
    }
    for (unsigned int i = 0; i < got->nr_regions; i++) {
        const struct dc_region *g = &got->regions[i], *w = &want->regions[i];

        if (g->gpa != w->gpa || g->size != w->size || g->map != w->map || g->access != w->access ||
            g->lazy != w->lazy || g->line <= 0) {
            return "a region";
        }
    }
    for (unsigned int i = 0; i < got->nr_devices; i++) {
        const struct dc_device *g = &got->devices[i], *w = &want->devices[i];

        if (g->type != w->type || g->base != w->base || g->irq != 0 || g->line <= 0) {
            return "a device";
        }
    }
    for (unsigned int i = 0; i < got->nr_hostdevs; i++) {
        const struct dc_hostdev *g = &got->hostdevs[i], *w = &want->hostdevs[i];

        if (g->type != w->type || g->base != w->base || g->size != w->size || g->line <= 0) {
            return "a hostdev";
        }
    }
    return NULL;
}

static const char *difference(const struct domain_config *got, const struct domain_config *want)
{
    if (strcmp(got->name, want->name) != 0) {
        return "name";
    }
    if (got->uuid_given != want->uuid_given ||
        (want->uuid_given && memcmp(got->uuid, want->uuid, 16) != 0)) {
        return "uuid";
    }
    if (got->memory_bytes != want->memory_bytes) {
        return "memory_bytes";
    }
    if (got->nr_vcpus != want->nr_vcpus || got->cpumask != want->cpumask) {
        return "nr_vcpus or cpumask";
    }
    if (got->on_poweroff != want->on_poweroff || got->on_reboot != want->on_reboot ||
        got->on_crash != want->on_crash) {
        return "an on_* action";
    }
    return os_difference(got, want) ? os_difference(got, want) : devices_difference(got, want);
}

static void check_example(const char *name, const struct domain_config *want)
{
    struct domain_config *cfg = load_example(name);
    char path[FAKE_PATH_MAX];
    const char *diff;

    if (!cfg) {
        return;
    }
    diff = difference(cfg, want);
    UNIT_CHECK(diff == NULL, "%s: %s differs from what the file says", name, diff ? diff : "");
    UNIT_CHECK(strcmp(cfg->source, fake_dom0_path(path, dom0.guests, name)) == 0,
               "%s: source is %s", name, cfg->source);
    domain_config_free(cfg);
}

static void test_domain_config_load_reads_hello_example(void)
{
    static const struct domain_config want = {
        .name = "hello",
        .memory_bytes = MIB(16),
        .nr_vcpus = 1,
        .os = {.arch = DC_ARCH_X86_64,
               .type = DC_OS_MULTIBOOT,
               .kernel = "hello.elf",
               .cmdline = "world",
               .nr_modules = 1,
               .modules = {{"greeting.txt", "greeting"}}},
        .on_poweroff = DC_ACTION_PRESERVE,
        .on_reboot = DC_ACTION_DESTROY,
        .on_crash = DC_ACTION_PRESERVE,
        .nr_devices = 2,
        .devices = {{.type = SERIAL}, {.type = DEBUG_EXIT, .base = 0xf4}},
    };

    check_example("hello.xml", &want);
}

static void test_domain_config_load_reads_linux_example(void)
{
    static const struct domain_config want = {
        .name = "debian",
        .uuid = {0x6c, 0x3a, 0x1f, 0x2e, 0x8d, 0x4b, 0x4f, 0x7a, 0x9e, 0x21, 0x3b, 0x5c, 0x7d, 0x9f,
                 0x0a, 0x14},
        .uuid_given = true,
        .memory_bytes = MIB(128),
        .nr_vcpus = 2,
        .cpumask = 0xb, /* 0-3,^2 */
        .os = {.arch = DC_ARCH_X86_64,
               .type = DC_OS_LINUX,
               .kernel = "linux/vmlinuz",
               .initrd = "linux/initrd.img",
               .cmdline = "console=ttyS0,115200 quiet"},
        .on_poweroff = DC_ACTION_DESTROY,
        .on_reboot = DC_ACTION_RESTART,
        .on_crash = DC_ACTION_PRESERVE,
        .nr_devices = 1,
        .devices = {{.type = SERIAL}},
    };

    check_example("linux.xml", &want);
}

static void test_domain_config_load_reads_linux_arm64_example(void)
{
    static const struct domain_config want = {
        .name = "debian-arm64",
        .memory_bytes = MIB(256),
        .nr_vcpus = 4,
        .os = {.arch = DC_ARCH_ARM64,
               .type = DC_OS_LINUX,
               .kernel = "linux-arm64/Image",
               .initrd = "linux-arm64/initrd.img",
               .cmdline = "console=ttyAMA0 earlycon=pl011 root=/dev/ram0"},
        .on_poweroff = DC_ACTION_DESTROY,
        .on_reboot = DC_ACTION_RESTART,
        .on_crash = DC_ACTION_DESTROY,
        .nr_devices = 1,
        .devices = {{.type = SERIAL}},
    };

    check_example("linux-arm64.xml", &want);
}

static void test_domain_config_load_reads_raw_example(void)
{
    static const struct domain_config want = {
        .name = "raw-image",
        .memory_bytes = MIB(4),
        .nr_vcpus = 1,
        .os = {.arch = DC_ARCH_X86_64,
               .type = DC_OS_RAW,
               .kernel = "raw.bin",
               .cmdline = "",
               .load_addr = 0x100000,
               .entry = 0x100000},
        .on_poweroff = DC_ACTION_DESTROY,
        .on_reboot = DC_ACTION_RESTART,
        .on_crash = DC_ACTION_PRESERVE,
        .nr_devices = 2,
        .devices = {{.type = SERIAL}, {.type = TESTDEV, .base = 0xd0000000}},
    };

    check_example("raw.xml", &want);
}

static void test_domain_config_load_reads_passthrough_example(void)
{
    static const struct domain_config want = {
        .name = "driver-domain",
        .memory_bytes = MIB(256),
        .nr_vcpus = 1,
        .cpumask = 0x4,
        .os = {.arch = DC_ARCH_X86_64,
               .type = DC_OS_LINUX,
               .kernel = "linux/vmlinuz",
               .initrd = "linux/initrd.img",
               .cmdline = "console=ttyS0 8250.nr_uarts=2"},
        .on_poweroff = DC_ACTION_DESTROY,
        .on_reboot = DC_ACTION_RESTART,
        .on_crash = DC_ACTION_DESTROY,
        .nr_regions = 1,
        .regions = {{.gpa = 0x40000000,
                     .size = MIB(16),
                     .map = DC_MAP_IDENTICAL,
                     .access = DC_ACCESS_R | DC_ACCESS_W}},
        .nr_devices = 1,
        .devices = {{.type = SERIAL}},
        .nr_hostdevs = 3,
        .hostdevs = {{DC_HOSTDEV_IOPORT, 0x2f8, 8, 0},
                     {DC_HOSTDEV_IRQ, 3, 1, 0},
                     {DC_HOSTDEV_MMIO, 0xfe000000, 0x1000, 0}},
    };

    check_example("passthrough.xml", &want);
}

static void test_domain_config_load_reads_lazy_example(void)
{
    static const struct domain_config want = {
        .name = "lazy",
        .memory_bytes = MIB(64),
        .nr_vcpus = 1,
        .os = {.arch = DC_ARCH_X86_64,
               .type = DC_OS_LINUX,
               .kernel = "linux/vmlinuz",
               .initrd = "linux/initrd.img",
               .cmdline = "console=ttyS0 memmap=192M@64M"},
        .on_poweroff = DC_ACTION_DESTROY,
        .on_reboot = DC_ACTION_RESTART,
        .on_crash = DC_ACTION_DESTROY,
        .nr_regions = 1,
        .regions = {{.gpa = MIB(64),
                     .size = MIB(192),
                     .map = DC_MAP_ALLOC,
                     .access = DC_ACCESS_R | DC_ACCESS_W | DC_ACCESS_X,
                     .lazy = true}},
        .nr_devices = 1,
        .devices = {{.type = SERIAL}},
    };

    check_example("lazy.xml", &want);
}

/* Every file in xml/examples/, including any added after these tests were written. */
static void test_domain_config_load_reads_every_example(void)
{
    glob_t g;
    size_t n = 0;

    UNIT_CHECK(glob(fake_dom0_source("xml/examples/*.xml"), 0, NULL, &g) == 0, "no examples");
    for (size_t i = 0; i < g.gl_pathc; i++, n++) {
        domain_config_free(load_example(strrchr(g.gl_pathv[i], '/') + 1));
    }
    UNIT_CHECK(n >= 6, "only %zu examples", n);
    globfree(&g);
}

/* A relative path resolves against the XML file's directory, not the current one. */
static void test_domain_config_load_resolves_files_against_the_xml_directory(void)
{
    struct domain_config *cfg = NULL;
    struct config_error err = {0};
    char cwd[FAKE_PATH_MAX];
    int rc;

    UNIT_CHECK(getcwd(cwd, sizeof(cwd)) && chdir(dom0.root) == 0, "cannot enter %s", dom0.root);
    rc = domain_config_load("guests/hello.xml", schema, &cfg, &err);
    UNIT_CHECK(rc == 0 && strcmp(cfg->os.kernel, "guests/hello.elf") == 0 &&
                   strcmp(cfg->os.modules[0].path, "guests/greeting.txt") == 0,
               "kernel %s: %s", cfg ? cfg->os.kernel : "-", err.message);
    domain_config_free(cfg);
    UNIT_CHECK(chdir(dom0.guests) == 0, "cannot enter %s", dom0.guests);
    rc = domain_config_load("hello.xml", schema, &cfg, &err);
    UNIT_CHECK(rc == 0 && strcmp(cfg->os.kernel, "hello.elf") == 0, "without a directory: %s",
               rc == 0 ? cfg->os.kernel : err.message);
    domain_config_free(cfg);
    UNIT_CHECK(chdir(cwd) == 0, "cannot go back to %s", cwd);
}

/* Write a domain definition around body into the staged guests directory and load it. */
static int load_text(const char *name, const char *body, struct domain_config **cfg,
                     struct config_error *err)
{
    char path[FAKE_PATH_MAX];

    if (fake_dom0_put(dom0.guests, name, body, strlen(body)) < 0) {
        return -2;
    }
    return domain_config_load(fake_dom0_path(path, dom0.guests, name), schema, cfg, err);
}

static void test_domain_config_load_keeps_absolute_paths(void)
{
    char body[2 * FAKE_PATH_MAX], kernel[FAKE_PATH_MAX];
    struct domain_config *cfg = NULL;
    struct config_error err = {0};
    int rc;

    fake_dom0_path(kernel, dom0.guests, "raw.bin");
    snprintf(body, sizeof(body),
             "<domain type='axvm'><name>abs</name><memory>4096</memory><os>"
             "<type arch='x86_64'>multiboot</type><kernel>%s</kernel></os></domain>",
             kernel);
    rc = load_text("absolute.xml", body, &cfg, &err);
    UNIT_CHECK(rc == 0 && strcmp(cfg->os.kernel, kernel) == 0, "kernel %s: %s",
               rc == 0 ? cfg->os.kernel : "-", err.message);
    domain_config_free(cfg);
}

#define MINIMAL                                                             \
    "<domain type='axvm'>\n<name>min</name>\n<memory>4096</memory>\n<os>\n" \
    "<type arch='x86_64'>multiboot</type>\n<kernel>hello.elf</kernel>\n</os>\n</domain>\n"

/* What libvirt users expect when they leave things out. */
static void test_domain_config_load_fills_defaults(void)
{
    struct domain_config *cfg = NULL;
    struct config_error err = {0};
    int rc = load_text("minimal.xml", MINIMAL, &cfg, &err);

    UNIT_CHECK(rc == 0, "minimal.xml: %s", err.message);
    if (rc == 0) {
        UNIT_CHECK(cfg->memory_bytes == (uint64_t)4096 * 1024, "<memory> without unit is KiB");
        UNIT_CHECK(cfg->nr_vcpus == 1 && cfg->cpumask == 0, "one vCPU, on any CPU");
        UNIT_CHECK(cfg->on_poweroff == DC_ACTION_DESTROY && cfg->on_reboot == DC_ACTION_RESTART &&
                       cfg->on_crash == DC_ACTION_DESTROY,
                   "libvirt's default actions");
        UNIT_CHECK(cfg->os.initrd == NULL && cfg->os.cmdline && cfg->os.cmdline[0] == '\0',
                   "no initrd, empty command line");
        UNIT_CHECK(cfg->nr_devices == 0 && cfg->nr_regions == 0 && cfg->nr_hostdevs == 0,
                   "no devices or regions");
        UNIT_CHECK(!cfg->cputune.has_weight && !cfg->cputune.has_cap && cfg->cputune.nr_pins == 0 &&
                       cfg->cputune.line == 0,
                   "no <cputune>: the hypervisor's defaults");
    }
    domain_config_free(cfg);
}

#define DOMAIN(memory, os, rest) \
    "<domain type='axvm'><name>limits</name>" memory "<os>" os "</os>" rest "</domain>"
#define MB_OS             "<type arch='x86_64'>multiboot</type><kernel>hello.elf</kernel>"
#define ARM_OS            "<type arch='aarch64'>linux</type><kernel>linux-arm64/Image</kernel>"
#define RAW_OS            "<type arch='x86_64'>raw</type><kernel>image8k.bin</kernel>"
#define ARM_RAW_OS        "<type arch='aarch64'>raw</type><kernel>image8k.bin</kernel>"
#define MEM16             "<memory unit='MiB'>16</memory>"
#define DEVICES           "<devices>"
#define END               "</devices>"
#define REGION(gpa, size) "<memory-region gpa='" gpa "' size='" size "' map='alloc' access='rw'/>"
#define HOSTDEV(type, source) \
    "<hostdev mode='subsystem' type='" type "'><source>" source "</source></hostdev>"
#define IOPORT(start, size) HOSTDEV("ioport", "<address start='" start "' size='" size "'/>")
#define MMIO(start, size)   HOSTDEV("mmio", "<address start='" start "' size='" size "'/>")
#define IRQ(n)              HOSTDEV("irq", "<irq number='" n "'/>")

/* Every limit is inclusive: what sits right on it loads (the corpus has what goes past). */
static void test_domain_config_load_accepts_the_limits(void)
{
    static const struct {
        const char *what;
        const char *body;
    } cases[] = {
        {"a 31-character name",
         "<domain type='axvm'><name>abcdefghijklmnopqrstuvwxyz01234</name>" MEM16 "<os>" MB_OS
         "</os></domain>"},
        {"16 vCPUs on CPU 63", DOMAIN(MEM16 "<vcpu cpuset='63'>16</vcpu>", MB_OS, "")},
        {"a region right after the RAM", DOMAIN(MEM16, MB_OS, REGION("0x1000000", "0x1000"))},
        {"a region ending at 2^48", DOMAIN(MEM16, MB_OS, REGION("0xfffffffff000", "4096"))},
        {"regions side by side",
         DOMAIN(MEM16, MB_OS, REGION("0x2000000", "0x1000") REGION("0x2001000", "0x1000"))},
        {"MMIO right after a region",
         DOMAIN(MEM16, MB_OS,
                REGION("0x2000000", "0x1000") DEVICES MMIO("0x2001000", "0x1000") END)},
        {"I/O ports up to 0xffff", DOMAIN(MEM16, MB_OS, DEVICES IOPORT("0xfff8", "8") END)},
        {"debug-exit next to ports",
         DOMAIN(MEM16, MB_OS, DEVICES IOPORT("0xf0", "4") "<debug-exit/>" END)},
        {"ports next to the serial port",
         DOMAIN(MEM16, MB_OS, DEVICES "<serial type='pty'/>" IOPORT("0x3f0", "8") END)},
        {"x86 interrupts 1 and 255", DOMAIN(MEM16, MB_OS, DEVICES IRQ("1") IRQ("0xff") END)},
        {"arm64 interrupts 32 and 1019", DOMAIN(MEM16, ARM_OS, DEVICES IRQ("32") IRQ("1019") END)},
        {"cputune at its limits",
         DOMAIN(MEM16 "<vcpu cpuset='62-63'>16</vcpu>", MB_OS,
                "<cputune weight='65535' cap='1600'><vcpupin vcpu='15' cpuset='63'/>"
                "<vcpupin vcpu='0' cpuset='62-63'/></cputune>")},
        {"the smallest weight, no cap", DOMAIN(MEM16, MB_OS, "<cputune weight='1' cap='0'/>")},
        {"a raw image filling the RAM",
         DOMAIN("<memory unit='KiB'>12</memory>", RAW_OS "<load address='0x1000' entry='0x2fff'/>",
                "")},
        {"an aarch64 raw image filling its RAM from 0x40000000",
         DOMAIN("<memory unit='KiB'>8</memory>", ARM_RAW_OS "<load address='0x40000000'/>", "")},
    };
    static char image[8192];
    struct config_error err = {0};

    fake_dom0_put(dom0.guests, "image8k.bin", image, sizeof(image));
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct domain_config *cfg = NULL;
        int rc = load_text("limits.xml", cases[i].body, &cfg, &err);

        UNIT_CHECK(rc == 0, "%s: line %d: %s", cases[i].what, err.line, err.message);
        domain_config_free(cfg);
    }
}

static void test_domain_config_load_reads_cputune(void)
{
    static const char body[] = "<domain type='axvm'>\n<name>tuned</name>\n"
                               "<memory>4096</memory>\n<vcpu cpuset='0-3'>3</vcpu>\n<os>\n"
                               "<type arch='x86_64'>multiboot</type>\n<kernel>hello.elf</kernel>\n"
                               "</os>\n<cputune cap='150'>\n<vcpupin vcpu='2' cpuset='3'/>\n"
                               "<vcpupin vcpu='0' cpuset='0-3,^1'/>\n</cputune>\n</domain>\n";
    struct domain_config *cfg = NULL;
    struct config_error err = {0};
    int rc = load_text("tuned.xml", body, &cfg, &err);
    const struct dc_cputune *t;

    UNIT_CHECK(rc == 0, "tuned.xml: line %d: %s", err.line, err.message);
    if (rc != 0) {
        return;
    }
    t = &cfg->cputune;
    CU_ASSERT(!t->has_weight && t->has_cap && t->cap == 150 && t->line == 9);
    CU_ASSERT_EQUAL(t->nr_pins, 2);
    CU_ASSERT(t->pins[0].vcpu == 2 && t->pins[0].cpumask == 0x8 && t->pins[0].line == 10);
    CU_ASSERT(t->pins[1].vcpu == 0 && t->pins[1].cpumask == 0xd && t->pins[1].line == 11);
    domain_config_free(cfg);
}

/* No <uuid>: a random RFC 4122 version 4 UUID, new each time. */
static void test_domain_config_load_makes_a_random_uuid(void)
{
    struct domain_config *a = NULL, *b = NULL;
    struct config_error err = {0};

    UNIT_CHECK(load_text("uuid.xml", MINIMAL, &a, &err) == 0, "%s", err.message);
    UNIT_CHECK(load_text("uuid.xml", MINIMAL, &b, &err) == 0, "%s", err.message);
    if (a && b) {
        UNIT_CHECK(!a->uuid_given && !b->uuid_given, "uuid_given set");
        UNIT_CHECK(memcmp(a->uuid, b->uuid, 16) != 0, "two loads gave the same UUID");
        UNIT_CHECK((a->uuid[6] & 0xf0) == 0x40 && (a->uuid[8] & 0xc0) == 0x80,
                   "not version 4, variant RFC 4122: %02x %02x", a->uuid[6], a->uuid[8]);
    }
    domain_config_free(a);
    domain_config_free(b);
}

/* XInclude in <metadata> is allowed there and must not pull the file in. */
static void test_domain_config_load_ignores_xinclude_in_metadata(void)
{
    static const char body[] =
        "<domain type='axvm'><name>xi</name><memory>4096</memory>"
        "<metadata><xi:include xmlns:xi='http://www.w3.org/2001/XInclude' href='/etc/passwd'"
        " parse='text'/></metadata><os><type arch='x86_64'>multiboot</type>"
        "<kernel>hello.elf</kernel><cmdline>x</cmdline></os></domain>";
    struct domain_config *cfg = NULL;
    struct config_error err = {0};
    int rc = load_text("xinclude.xml", body, &cfg, &err);

    UNIT_CHECK(rc == 0 && strcmp(cfg->os.cmdline, "x") == 0, "xinclude.xml: %s", err.message);
    domain_config_free(cfg);
}

struct file_case {
    const char *what;
    const char *path; /* relative to the staged root */
    const char *message;
};

/* Shared with the child process of load_in_child(). */
struct child_load {
    const char *path;
    int rc;
    bool cfg_set;
    struct config_error err;
};

static void child_load(void *ctx)
{
    struct child_load *c = ctx;
    struct domain_config *cfg = NULL;

    c->rc = domain_config_load(c->path, schema, &cfg, &c->err);
    c->cfg_set = cfg != NULL;
    domain_config_free(cfg);
}

/* Load in a child with a time limit, so a loader that blocks (on a FIFO) fails the test. */
static bool load_in_child(const char *path, struct child_load *out)
{
    struct child_load *c =
        mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    bool finished;

    if (c == MAP_FAILED) {
        return false;
    }
    *c = (struct child_load){.path = path, .rc = 1};
    finished = unit_run_in_child(child_load, c);
    *out = *c;
    munmap(c, sizeof(*c));
    return finished;
}

/* Files that are not domain definitions: an error naming the file, at line 0. */
static void test_domain_config_load_refuses_what_is_not_a_file(void)
{
    static const struct file_case cases[] = {
        {"missing", "no-such.xml", "cannot read the domain definition: No such file or directory"},
        {"directory", "guests", "is not a regular file"},
        {"fifo", "fifo.xml", "is not a regular file"},
        {"device", "/dev/zero", "is not a regular file"},
    };
    char path[FAKE_PATH_MAX];

    UNIT_CHECK(mkfifo(fake_dom0_path(path, dom0.root, "fifo.xml"), 0600) == 0, "mkfifo: %s",
               strerror(errno));
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const char *p = cases[i].path[0] == '/' ? cases[i].path
                                                : fake_dom0_path(path, dom0.root, cases[i].path);
        struct child_load c = {0};
        bool finished = load_in_child(p, &c);

        UNIT_CHECK(finished && c.rc == -1 && !c.cfg_set && c.err.line == 0 &&
                       strcmp(c.err.file, p) == 0 && strstr(c.err.message, cases[i].message),
                   "%s: %s, rc %d, %s:%d: %s", cases[i].what, finished ? "finished" : "hung", c.rc,
                   c.err.file, c.err.line, c.err.message);
    }
}

/* The 10 MB file of the hostile corpus is made here rather than kept in git. */
static void test_domain_config_load_refuses_a_10_mb_file(void)
{
    size_t len = 10u << 20;
    char *big = malloc(len + 1);
    struct domain_config *cfg = NULL;
    struct config_error err = {0};
    int rc;

    if (!big) {
        UNIT_CHECK(false, "out of memory");
        return;
    }
    memset(big, ' ', len);
    memcpy(big, MINIMAL, strlen(MINIMAL));
    big[len] = '\0';
    rc = load_text("huge.xml", big, &cfg, &err);
    free(big);
    big = NULL;
    UNIT_CHECK(
        rc == -1 && cfg == NULL && err.line == 0 &&
            strstr(err.message, "is 10485760 bytes; a domain definition may be at most 1 MiB"),
        "rc %d, line %d: %s", rc, err.line, err.message);
}

static void test_domain_config_load_reports_an_unusable_schema(void)
{
    struct domain_config *cfg = NULL;
    struct config_error err = {0};
    char path[FAKE_PATH_MAX];
    int rc = domain_config_load(fake_dom0_path(path, dom0.guests, "hello.xml"),
                                "/nonexistent/axvm-domain.rng", &cfg, &err);

    UNIT_CHECK(rc == -1 && cfg == NULL && strcmp(err.file, "/nonexistent/axvm-domain.rng") == 0 &&
                   strstr(err.message, "cannot use this schema"),
               "rc %d: %s: %s", rc, err.file, err.message);
}

static void test_config_error_format_names_file_and_line(void)
{
    static const struct {
        struct config_error err;
        size_t size;
        const char *want;
    } cases[] = {
        {{"hello.xml", 12, "bad"}, 64, "hello.xml:12: bad"},
        {{"hello.xml", 0, "is empty"}, 64, "hello.xml: is empty"},
        {{"", 0, "no file"}, 64, "no file"},
        {{"hello.xml", 12, "bad"}, 8, "hello.x"},
    };
    char buf[64];

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        memset(buf, 'x', sizeof(buf));
        config_error_format(&cases[i].err, buf, cases[i].size);
        UNIT_CHECK(strcmp(buf, cases[i].want) == 0, "case %zu: \"%s\"", i, buf);
    }
    buf[0] = 'x';
    config_error_format(&cases[0].err, buf, 0);
    UNIT_CHECK(buf[0] == 'x', "size 0 wrote to the buffer");
}

static void test_config_default_schema_prefers_the_environment(void)
{
    const char *tree;

    setenv("AXVM_SCHEMA", "/somewhere/else.rng", 1);
    UNIT_CHECK(strcmp(config_default_schema(), "/somewhere/else.rng") == 0, "got %s",
               config_default_schema());
    unsetenv("AXVM_SCHEMA");
    tree = config_default_schema();
    UNIT_CHECK(access(tree, R_OK) == 0 && strstr(tree, "axvm-domain.rng"),
               "without $AXVM_SCHEMA: %s, which cannot be read", tree);
}

static void test_domain_config_free_accepts_null(void)
{
    domain_config_free(NULL);
    UNIT_CHECK(true, "survived");
}

static CU_TestInfo loader_tests[] = {
    UNIT_TEST(test_domain_config_load_reads_hello_example),
    UNIT_TEST(test_domain_config_load_reads_linux_example),
    UNIT_TEST(test_domain_config_load_reads_linux_arm64_example),
    UNIT_TEST(test_domain_config_load_reads_raw_example),
    UNIT_TEST(test_domain_config_load_reads_passthrough_example),
    UNIT_TEST(test_domain_config_load_reads_lazy_example),
    UNIT_TEST(test_domain_config_load_reads_every_example),
    UNIT_TEST(test_domain_config_load_resolves_files_against_the_xml_directory),
    UNIT_TEST(test_domain_config_load_keeps_absolute_paths),
    UNIT_TEST(test_domain_config_load_fills_defaults),
    UNIT_TEST(test_domain_config_load_accepts_the_limits),
    UNIT_TEST(test_domain_config_load_reads_cputune),
    UNIT_TEST(test_domain_config_load_makes_a_random_uuid),
    UNIT_TEST(test_domain_config_load_ignores_xinclude_in_metadata),
    UNIT_TEST(test_domain_config_load_refuses_what_is_not_a_file),
    UNIT_TEST(test_domain_config_load_refuses_a_10_mb_file),
    UNIT_TEST(test_domain_config_load_reports_an_unusable_schema),
    UNIT_TEST(test_config_error_format_names_file_and_line),
    UNIT_TEST(test_config_default_schema_prefers_the_environment),
    UNIT_TEST(test_domain_config_free_accepts_null),
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo loader_suite = {
    "config_loader", loader_suite_init, loader_suite_cleanup, NULL, NULL, loader_tests,
};
UNIT_REGISTER_SUITE(loader_suite);
