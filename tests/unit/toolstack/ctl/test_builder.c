/* SPDX-License-Identifier: MIT */
/*
 * CUnit suite "builder": axvmctl_domain_build() against the fake transport for every os type
 * and arch: the exact hypercall sequence and structs, where the kernel, boot data, initrd,
 * modules and device tree land in guest memory, vCPU 0's context, and the unwind (the
 * half-built domain destroyed, one line naming the step) when each call in turn fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <unit.h>
#include <hv/fdt.h>
#include "ctl/axvmctl.h"
#include <arm64/guest_fdt.h>
#include <public/axvm/platform_arm64.h>
#include "../fake_transport.h"
#include "fake_images.h"

#define MIB(x)    ((uint64_t)(x) << 20)
#define MAX_FILES 8

enum kind { X86_LINUX, X86_MULTIBOOT, X86_RAW, ARM64_LINUX, ARM64_RAW, X86_TUNED, NR_KINDS };

static const char *const kind_names[] = {"x86 linux",   "x86 multiboot", "x86 raw",
                                         "arm64 linux", "arm64 raw",     "x86 raw with cputune"};

static struct fake_transport fake;
static struct axvmctl *h;
static struct domain_config cfg;
static char *files[MAX_FILES];
static unsigned int nr_files;
static char err[DC_ERROR_MAX];

static char *temp_file(const void *data, size_t size)
{
    char *path = fake_images_temp_file(data, size);

    if (nr_files == MAX_FILES) {
        abort();
    }
    files[nr_files++] = path;
    return path;
}

static char *temp_pattern(size_t size, uint8_t seed)
{
    uint8_t *data = fake_images_pattern(size, seed);
    char *path = temp_file(data, size);

    free(data);
    return path;
}

static void setup(void)
{
    fake_transport_init(&fake);
    fake.has_stats = true; /* SCHED_CREDIT and VCPU_PIN for <cputune> */
    if (axvmctl_open_transport(&fake.transport, &h) != 0) {
        abort();
    }
    memset(&cfg, 0, sizeof(cfg));
    memset(err, 0, sizeof(err));
}

static void teardown(void)
{
    axvmctl_close(h);
    fake_transport_fini(&fake);
    free(cfg.os.kernel);
    for (unsigned int i = 0; i < nr_files; i++) {
        fake_images_remove(files[i]);
    }
    nr_files = 0;
}

static void base_config(const char *name, enum dc_arch arch, enum dc_os_type type, uint64_t mem)
{
    strcpy(cfg.name, name);
    for (int i = 0; i < 16; i++) {
        cfg.uuid[i] = (uint8_t)(0xa0 + i);
    }
    cfg.memory_bytes = mem;
    cfg.nr_vcpus = 1;
    cfg.os.arch = arch;
    cfg.os.type = type;
    cfg.os.cmdline = "";
    cfg.on_poweroff = DC_ACTION_DESTROY;
    cfg.on_reboot = DC_ACTION_RESTART;
    cfg.on_crash = DC_ACTION_PRESERVE;
}

static void add_device(enum dc_device_type type, uint64_t base, unsigned int irq)
{
    cfg.devices[cfg.nr_devices++] = (struct dc_device){.type = type, .base = base, .irq = irq};
}

/* A 64 MiB, 2-vCPU Linux domU with an initrd, an extra region, two devices, two hostdevs. */
static void config_x86_linux(void)
{
    struct fake_bzimage_spec spec = fake_images_bzimage_spec();
    size_t size;
    uint8_t *image = fake_images_bzimage(&spec, &size);

    base_config("linux", DC_ARCH_X86_64, DC_OS_LINUX, MIB(64));
    cfg.nr_vcpus = 2;
    cfg.cpumask = 0x6;
    cfg.os.kernel = strdup(temp_file(image, size));
    cfg.os.initrd = temp_pattern(10000, 9);
    cfg.os.cmdline = "console=ttyS0 tsc=reliable";
    cfg.regions[cfg.nr_regions++] =
        (struct dc_region){0xfd000000, 0x10000, DC_MAP_ALLOC, DC_ACCESS_R | DC_ACCESS_W, true, 0};
    add_device(DC_DEV_SERIAL, 0, 4);
    add_device(DC_DEV_DEBUG_EXIT, 0, 0);
    cfg.hostdevs[cfg.nr_hostdevs++] = (struct dc_hostdev){DC_HOSTDEV_IOPORT, 0x2f8, 8, 0};
    cfg.hostdevs[cfg.nr_hostdevs++] = (struct dc_hostdev){DC_HOSTDEV_IRQ, 3, 1, 0};
    free(image);
}

/* hello.elf with one module "greeting", as the boot test x86_64/guests runs it. */
static void config_x86_multiboot(void)
{
    uint8_t module[4096];

    memset(module, 'A', sizeof(module));
    base_config("hello", DC_ARCH_X86_64, DC_OS_MULTIBOOT, MIB(16));
    cfg.os.kernel = fake_images_source_path(FAKE_IMAGES_HELLO);
    cfg.os.cmdline = "world";
    cfg.os.modules[cfg.os.nr_modules++] = (struct dc_module){temp_file(module, 4096), "greeting"};
    add_device(DC_DEV_DEBUG_EXIT, 0, 0);
    add_device(DC_DEV_TESTDEV, 0, 0);
}

static void config_x86_raw(void)
{
    base_config("raw", DC_ARCH_X86_64, DC_OS_RAW, MIB(16));
    cfg.os.kernel = strdup(temp_pattern(8192, 1));
    cfg.os.load_addr = 0x100000;
    cfg.os.entry = 0x100010;
}

static void config_arm64_linux(void)
{
    uint8_t *image = fake_images_arm64(0, 0x200000, 0x10000);

    base_config("arm", DC_ARCH_ARM64, DC_OS_LINUX, MIB(64));
    cfg.nr_vcpus = 2;
    cfg.os.kernel = strdup(temp_file(image, 0x10000));
    cfg.os.initrd = temp_pattern(5000, 3);
    cfg.os.cmdline = "console=ttyAMA0";
    add_device(DC_DEV_SERIAL, 0, 0); /* as <console type="pty"/> gives it: no interrupt named */
    free(image);
}

static void config_arm64_raw(void)
{
    base_config("armraw", DC_ARCH_ARM64, DC_OS_RAW, MIB(16));
    cfg.os.kernel = strdup(temp_pattern(4096, 2));
    cfg.os.load_addr = 0x40080000;
    cfg.os.entry = 0x40080000;
    add_device(DC_DEV_SERIAL, 0, 0);
}

/* The raw guest with 2 vCPUs and <cputune weight="512" cap="150">, vCPU 1 pinned to CPU 1. */
static void config_x86_tuned(void)
{
    config_x86_raw();
    cfg.nr_vcpus = 2;
    cfg.cputune = (struct dc_cputune){
        .has_weight = true, .weight = 512, .has_cap = true, .cap = 150, .nr_pins = 1};
    cfg.cputune.pins[0] = (struct dc_vcpupin){.vcpu = 1, .cpumask = 0x2};
}

static void config_kind(enum kind k)
{
    static void (*const make[])(void) = {config_x86_linux, config_x86_multiboot,
                                         config_x86_raw,   config_arm64_linux,
                                         config_arm64_raw, config_x86_tuned};

    make[k]();
}

static bool call_is(unsigned int index, uint32_t nr, const void *want, size_t size)
{
    const struct fake_call *c = index < fake.nr_calls ? &fake.calls[index] : NULL;

    return c && c->nr == nr && c->arg_size == size && memcmp(c->arg, want, size) == 0;
}

/* Returns: whether the calls were exactly want[] (0 terminated), a run of copies as one. */
static bool sequence_is(const uint32_t *want)
{
    unsigned int w = 0;

    for (unsigned int i = 0; i < fake.nr_calls; i++) {
        if (i > 0 && fake.calls[i].nr == AXVM_HC_DOMAIN_COPY &&
            fake.calls[i - 1].nr == AXVM_HC_DOMAIN_COPY) {
            continue;
        }
        if (want[w++] != fake.calls[i].nr) {
            return false;
        }
    }
    return want[w] == 0;
}

static uint8_t *guest(uint64_t gpa, size_t len)
{
    uint8_t *bytes = malloc(len);

    fake_transport_read_guest(&fake, 1, gpa, bytes, len);
    return bytes;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool file_is_at(const char *path, uint64_t gpa, size_t skip)
{
    FILE *f = fopen(path, "rb");
    uint8_t *want = malloc(MIB(1)), *got;
    size_t n = f ? fread(want, 1, MIB(1), f) : 0;
    bool same;

    got = guest(gpa, n - skip);
    same = n > skip && memcmp(got, want + skip, n - skip) == 0;
    if (f) {
        fclose(f);
    }
    free(want);
    free(got);
    return same;
}

static void test_builder_x86_linux_calls_in_order(void)
{
    static const uint32_t want[] = {
        AXVM_HC_DOMAIN_CREATE,     AXVM_HC_DOMAIN_ADD_REGION,  AXVM_HC_DOMAIN_ADD_REGION,
        AXVM_HC_PHYSINFO,          AXVM_HC_DOMAIN_COPY,        AXVM_HC_DOMAIN_ADD_DEVICE,
        AXVM_HC_DOMAIN_ADD_DEVICE, AXVM_HC_DOMAIN_PASSTHROUGH, AXVM_HC_DOMAIN_PASSTHROUGH,
        AXVM_HC_VCPU_SET_CONTEXT,  AXVM_HC_DOMAIN_UNPAUSE,     0};
    struct axvm_domain_create create = {.domid = AXVM_DOMID_INVALID,
                                        .nr_vcpus = 2,
                                        .arch = AXVM_ARCH_X86_64,
                                        .name = "linux",
                                        .cpumask = 0x6,
                                        .on_poweroff = AXVM_ACTION_DESTROY,
                                        .on_reboot = AXVM_ACTION_RESTART,
                                        .on_crash = AXVM_ACTION_PRESERVE};
    const struct axvm_domain_region ram = {1, AXVM_MAP_ALLOC, 7, 0, 0, MIB(64)};
    const struct axvm_domain_region extra = {1,          AXVM_MAP_ALLOC, 3, AXVM_REGION_LAZY,
                                             0xfd000000, 0x10000};
    const struct axvm_domain_device com1 = {1, AXVM_DEV_UART16550, AXVM_SPACE_PIO, 4, 0x3f8};
    const struct axvm_domain_device exit = {1, AXVM_DEV_DEBUG_EXIT, AXVM_SPACE_PIO, 0, 0xf4};
    const struct axvm_domain_passthrough ports = {1, AXVM_PT_PIO, {0}, 0x2f8, 8};
    const struct axvm_domain_passthrough irq = {1, AXVM_PT_IRQ, {0}, 3, 1};
    const struct axvm_vcpu_context vcpu = {
        1, 0, AXVM_VCPU_X86_PROTECTED32, 0x1000000, {0, 0, 0, 0, 0x7000, 0}, 0};
    const struct axvm_domain_ref unpause = {1, {0}};

    memcpy(create.uuid,
           (const uint8_t[]){0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab,
                             0xac, 0xad, 0xae, 0xaf},
           16);
    config_x86_linux();
    CU_ASSERT_EQUAL(axvmctl_domain_build(h, &cfg, err, sizeof(err)), 1);
    CU_ASSERT_STRING_EQUAL(err, "");
    CU_ASSERT_TRUE(sequence_is(want));
    /* ACPI tables, boot GDT, kernel, zero page, command line, its NUL, initrd. */
    CU_ASSERT_EQUAL(fake_transport_count(&fake, AXVM_HC_DOMAIN_COPY), 7);
    CU_ASSERT_TRUE(call_is(0, AXVM_HC_DOMAIN_CREATE, &create, sizeof(create)));
    CU_ASSERT_TRUE(call_is(1, AXVM_HC_DOMAIN_ADD_REGION, &ram, sizeof(ram)));
    CU_ASSERT_TRUE(call_is(2, AXVM_HC_DOMAIN_ADD_REGION, &extra, sizeof(extra)));
    CU_ASSERT_EQUAL(fake.calls[3].nr, AXVM_HC_PHYSINFO);
    CU_ASSERT_TRUE(call_is(11, AXVM_HC_DOMAIN_ADD_DEVICE, &com1, sizeof(com1)));
    CU_ASSERT_TRUE(call_is(12, AXVM_HC_DOMAIN_ADD_DEVICE, &exit, sizeof(exit)));
    CU_ASSERT_TRUE(call_is(13, AXVM_HC_DOMAIN_PASSTHROUGH, &ports, sizeof(ports)));
    CU_ASSERT_TRUE(call_is(14, AXVM_HC_DOMAIN_PASSTHROUGH, &irq, sizeof(irq)));
    CU_ASSERT_TRUE(call_is(15, AXVM_HC_VCPU_SET_CONTEXT, &vcpu, sizeof(vcpu)));
    CU_ASSERT_TRUE(call_is(16, AXVM_HC_DOMAIN_UNPAUSE, &unpause, sizeof(unpause)));
    CU_ASSERT_EQUAL(fake.domains[1].info.state, AXVM_STATE_RUNNING);
}

static void test_builder_x86_linux_puts_the_boot_protocol_in_place(void)
{
    uint8_t *zp, *cmdline;

    config_x86_linux();
    CU_ASSERT_FATAL(axvmctl_domain_build(h, &cfg, err, sizeof(err)) == 1);
    /* The protected-mode kernel (after 40 setup sectors) at pref_address, 16 MiB. */
    CU_ASSERT_TRUE(file_is_at(cfg.os.kernel, 0x1000000, 0x5000));
    zp = guest(0x7000, 4096);
    CU_ASSERT_EQUAL(memcmp(zp + 0x202, "HdrS", 4), 0);
    CU_ASSERT_EQUAL(zp[0x210], 0xff);
    CU_ASSERT_EQUAL(le32(zp + 0x214), 0x1000000);
    CU_ASSERT_EQUAL(le32(zp + 0x228), 0x20000);
    CU_ASSERT_EQUAL(le32(zp + 0x21c), 10000);
    CU_ASSERT_EQUAL(le32(zp + 0x218) % 4096, 0);
    CU_ASSERT_TRUE(le32(zp + 0x218) >= 0x1400000 && le32(zp + 0x218) + 10000 <= MIB(64));
    CU_ASSERT_TRUE(file_is_at(cfg.os.initrd, le32(zp + 0x218), 0));
    CU_ASSERT_EQUAL(zp[0x1e8], 3);
    CU_ASSERT_EQUAL(le32(zp + 0x2d0 + 2 * 20 + 8), MIB(63));
    CU_ASSERT_EQUAL(le32(zp + 0x70), 0xe0000); /* acpi_rsdp_addr */
    CU_ASSERT_EQUAL(le32(zp + 0x74), 0);
    /* physinfo's 2000000 kHz added; tsc=reliable was there already. */
    cmdline = guest(0x20000, 64);
    CU_ASSERT_STRING_EQUAL((char *)cmdline, "console=ttyS0 tsc=reliable tsc_early_khz=2000000");
    free(cmdline);
    free(zp);
}

/* The tables acpi_build.c makes for 2 vCPUs and COM1, in guest RAM where the RSDP says. */
static void test_builder_x86_linux_gets_acpi_tables_and_a_boot_gdt(void)
{
    uint8_t *rsdp, *xsdt, *madt, *gdt, *fadt;
    uint32_t madt_gpa;

    config_x86_linux();
    CU_ASSERT_FATAL(axvmctl_domain_build(h, &cfg, err, sizeof(err)) == 1);
    rsdp = guest(0xe0000, 36);
    CU_ASSERT_EQUAL(memcmp(rsdp, "RSD PTR ", 8), 0);
    xsdt = guest(le32(rsdp + 24), 52);
    CU_ASSERT_EQUAL(memcmp(xsdt, "XSDT", 4), 0);
    fadt = guest(le32(xsdt + 36), 276);
    CU_ASSERT_EQUAL(memcmp(fadt, "FACP", 4), 0);
    CU_ASSERT_EQUAL(le32(fadt + 112) & (1u << 20), 1u << 20); /* HW-reduced */
    madt_gpa = le32(xsdt + 44);
    madt = guest(madt_gpa, 128);
    CU_ASSERT_EQUAL(memcmp(madt, "APIC", 4), 0);
    CU_ASSERT_EQUAL(le32(madt + 4), 44 + 2 * 8 + 12); /* two local APICs and the I/O APIC */
    gdt = guest(0x6000, 32);
    CU_ASSERT_EQUAL(le32(gdt + 0x10), 0x0000ffff);
    CU_ASSERT_EQUAL(le32(gdt + 0x14), 0x00cf9a00);
    CU_ASSERT_EQUAL(le32(gdt + 0x18), 0x0000ffff);
    CU_ASSERT_EQUAL(le32(gdt + 0x1c), 0x00cf9200);
    free(gdt);
    free(madt);
    free(fadt);
    free(xsdt);
    free(rsdp);
}

/* A command line with its own tsc_early_khz= and tsc= is left alone, and physinfo not asked. */
static void test_builder_x86_linux_keeps_the_users_tsc_options(void)
{
    uint8_t *cmdline;

    config_x86_linux();
    cfg.os.cmdline = "console=ttyS0 tsc_early_khz=1234 tsc=unstable";
    CU_ASSERT_FATAL(axvmctl_domain_build(h, &cfg, err, sizeof(err)) == 1);
    CU_ASSERT_EQUAL(fake_transport_count(&fake, AXVM_HC_PHYSINFO), 0);
    cmdline = guest(0x20000, 64);
    CU_ASSERT_STRING_EQUAL((char *)cmdline, "console=ttyS0 tsc_early_khz=1234 tsc=unstable");
    free(cmdline);
    teardown();
    setup();
    config_x86_linux();
    cfg.os.cmdline = NULL;
    CU_ASSERT_FATAL(axvmctl_domain_build(h, &cfg, err, sizeof(err)) == 1);
    cmdline = guest(0x20000, 64);
    CU_ASSERT_STRING_EQUAL((char *)cmdline, "tsc_early_khz=2000000 tsc=reliable");
    free(cmdline);
}

/* Without a TSC frequency the kernel would hang, so the build stops and says what to do. */
static void test_builder_x86_linux_needs_the_tsc_frequency(void)
{
    config_x86_linux();
    fake.physinfo.cpu_khz = 0;
    CU_ASSERT_EQUAL(axvmctl_domain_build(h, &cfg, err, sizeof(err)), -AXVM_EOPNOTSUPP);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "the host's TSC frequency is unknown"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "give tsc_early_khz= on the command line"));
    CU_ASSERT_EQUAL(fake_transport_nr_domains(&fake), 0);
}

static void test_builder_x86_multiboot_loads_hello_elf(void)
{
    static const uint32_t want[] = {AXVM_HC_DOMAIN_CREATE,     AXVM_HC_DOMAIN_ADD_REGION,
                                    AXVM_HC_DOMAIN_COPY,       AXVM_HC_DOMAIN_ADD_DEVICE,
                                    AXVM_HC_DOMAIN_ADD_DEVICE, AXVM_HC_VCPU_SET_CONTEXT,
                                    AXVM_HC_DOMAIN_UNPAUSE,    0};
    const struct axvm_domain_device testdev = {1, AXVM_DEV_TESTDEV, AXVM_SPACE_MMIO, 0, 0xd0000000};
    const struct axvm_vcpu_context *ctx;
    size_t elf_size = 0;
    uint8_t *elf = fake_images_source_file(FAKE_IMAGES_HELLO, &elf_size), *mbi, *mod, *text;

    CU_ASSERT_FATAL(elf != NULL);
    config_x86_multiboot();
    CU_ASSERT_EQUAL(axvmctl_domain_build(h, &cfg, err, sizeof(err)), 1);
    CU_ASSERT_STRING_EQUAL(err, "");
    CU_ASSERT_TRUE(sequence_is(want));
    CU_ASSERT_TRUE(
        call_is(fake.nr_calls - 3, AXVM_HC_DOMAIN_ADD_DEVICE, &testdev, sizeof(testdev)));
    ctx = (const void *)fake_transport_find(&fake, AXVM_HC_VCPU_SET_CONTEXT, 1)->arg;
    CU_ASSERT_EQUAL(ctx->mode, AXVM_VCPU_X86_PROTECTED32);
    CU_ASSERT_EQUAL(ctx->entry, le32(elf + 24));
    CU_ASSERT_EQUAL(ctx->regs[0], 0x2badb002);
    text = guest(0x100000, 64);
    CU_ASSERT_EQUAL(memcmp(text, elf + le32(elf + le32(elf + 28) + 4), 64), 0);
    mbi = guest(ctx->regs[1], 0x48);
    CU_ASSERT_EQUAL(le32(mbi + 0x14), 1);
    mod = guest(le32(mbi + 0x18), 16);
    CU_ASSERT_EQUAL(le32(mod + 4) - le32(mod), 4096);
    CU_ASSERT_TRUE(file_is_at(cfg.os.modules[0].path, le32(mod), 0));
    free(text);
    text = guest(le32(mbi + 0x10), 16);
    CU_ASSERT_STRING_EQUAL((char *)text, "hello world");
    free(text);
    text = guest(le32(mod + 8), 16);
    CU_ASSERT_STRING_EQUAL((char *)text, "greeting");
    free(text);
    free(mod);
    free(mbi);
    free(elf);
}

static void test_builder_raw_images_start_at_their_entry(void)
{
    const struct axvm_vcpu_context x86 = {1, 0, AXVM_VCPU_X86_PROTECTED32, 0x100010, {0}, 0};
    const struct axvm_vcpu_context arm = {1, 0, AXVM_VCPU_ARM64_EL1, 0x40080000, {0}, 0};
    const struct axvm_domain_region arm_ram = {1, AXVM_MAP_ALLOC, 7, 0, 0x40000000, MIB(16)};
    const struct axvm_domain_device pl011 = {1, AXVM_DEV_PL011, AXVM_SPACE_MMIO, 0, 0x09000000};

    config_x86_raw();
    CU_ASSERT_EQUAL(axvmctl_domain_build(h, &cfg, err, sizeof(err)), 1);
    CU_ASSERT_TRUE(file_is_at(cfg.os.kernel, 0x100000, 0));
    CU_ASSERT_TRUE(call_is(fake.nr_calls - 2, AXVM_HC_VCPU_SET_CONTEXT, &x86, sizeof(x86)));
    teardown();
    setup();
    config_arm64_raw();
    CU_ASSERT_EQUAL(axvmctl_domain_build(h, &cfg, err, sizeof(err)), 1);
    CU_ASSERT_TRUE(call_is(1, AXVM_HC_DOMAIN_ADD_REGION, &arm_ram, sizeof(arm_ram)));
    CU_ASSERT_TRUE(file_is_at(cfg.os.kernel, 0x40080000, 0));
    CU_ASSERT_TRUE(call_is(fake.nr_calls - 3, AXVM_HC_DOMAIN_ADD_DEVICE, &pl011, sizeof(pl011)));
    CU_ASSERT_TRUE(call_is(fake.nr_calls - 2, AXVM_HC_VCPU_SET_CONTEXT, &arm, sizeof(arm)));
}

/* <cputune> goes in after the devices, before vCPU 0's context and the unpause. */
static void test_builder_applies_cputune_before_the_start(void)
{
    static const uint32_t want[] = {AXVM_HC_DOMAIN_CREATE,  AXVM_HC_DOMAIN_ADD_REGION,
                                    AXVM_HC_DOMAIN_COPY,    AXVM_HC_SCHED_CREDIT,
                                    AXVM_HC_VCPU_PIN,       AXVM_HC_VCPU_SET_CONTEXT,
                                    AXVM_HC_DOMAIN_UNPAUSE, 0};
    const struct axvm_sched_credit credit = {1, AXVM_SCHED_SET_WEIGHT | AXVM_SCHED_SET_CAP, 512,
                                             150, 0};
    const struct axvm_sched_credit cap_only = {1, AXVM_SCHED_SET_CAP, 0, 0, 0};
    const struct axvm_vcpu_pin pin = {1, 1, 0, 0x2};

    config_x86_tuned();
    CU_ASSERT_EQUAL(axvmctl_domain_build(h, &cfg, err, sizeof(err)), 1);
    CU_ASSERT_STRING_EQUAL(err, "");
    CU_ASSERT_TRUE(sequence_is(want));
    CU_ASSERT_TRUE(call_is(fake.nr_calls - 4, AXVM_HC_SCHED_CREDIT, &credit, sizeof(credit)));
    CU_ASSERT_TRUE(call_is(fake.nr_calls - 3, AXVM_HC_VCPU_PIN, &pin, sizeof(pin)));
    CU_ASSERT(fake.domains[1].weight == 512 && fake.domains[1].cap == 150);
    CU_ASSERT_EQUAL(fake.domains[1].vcpus[1].affinity, 0x2);
    /* Only a cap, no pins: one call, the cap alone. */
    teardown();
    setup();
    config_x86_tuned();
    cfg.cputune.has_weight = false;
    cfg.cputune.cap = 0;
    cfg.cputune.nr_pins = 0;
    CU_ASSERT_EQUAL(axvmctl_domain_build(h, &cfg, err, sizeof(err)), 1);
    CU_ASSERT_TRUE(call_is(fake.nr_calls - 3, AXVM_HC_SCHED_CREDIT, &cap_only, sizeof(cap_only)));
    CU_ASSERT_EQUAL(fake_transport_count(&fake, AXVM_HC_VCPU_PIN), 0);
    /* No <cputune>: neither call. */
    teardown();
    setup();
    config_x86_raw();
    CU_ASSERT_EQUAL(axvmctl_domain_build(h, &cfg, err, sizeof(err)), 1);
    CU_ASSERT_EQUAL(fake_transport_count(&fake, AXVM_HC_SCHED_CREDIT), 0);
    CU_ASSERT_EQUAL(fake_transport_count(&fake, AXVM_HC_VCPU_PIN), 0);
}

static void check_refused(int rc, const char *want);

/* Under the rr scheduler, or a hypervisor without the calls, the domain is not created. */
static void test_builder_cputune_needs_the_credit_scheduler(void)
{
    config_x86_tuned();
    fake.sched = AXVM_SCHED_RR;
    check_refused(-AXVM_EOPNOTSUPP, "setting the credit scheduler's weight and cap: the "
                                    "hypervisor runs the rr scheduler; boot it with sched=credit");
    CU_ASSERT_EQUAL(fake_transport_count(&fake, AXVM_HC_DOMAIN_UNPAUSE), 0);
    CU_ASSERT_EQUAL(fake_transport_count(&fake, AXVM_HC_DOMAIN_DESTROY), 1);
    fake.sched = AXVM_SCHED_CREDIT;
    fake.has_stats = false;
    cfg.cputune.has_cap = false;
    err[0] = '\0';
    check_refused(-AXVM_ENOSYS, "setting the credit scheduler's weight: not implemented");
    cfg.cputune.has_weight = false;
    err[0] = '\0';
    check_refused(-AXVM_ENOSYS, "pinning vCPU 1 to CPUs 1: not implemented");
    cfg.cputune.pins[0].cpumask = 0x30; /* CPUs the host does not have */
    fake.has_stats = true;
    err[0] = '\0';
    check_refused(-AXVM_EINVAL, "pinning vCPU 1 to CPUs 4-5: invalid argument");
}

static void test_builder_arm64_linux_boots_with_a_device_tree(void)
{
    const struct axvm_domain_device pl011 = {1, AXVM_DEV_PL011, AXVM_SPACE_MMIO, 0, 0x09000000};
    const struct axvm_vcpu_context *ctx;
    uint8_t *dt;
    struct fdt f;
    struct fdt_prop p;
    int node = -1, depth = -1, chosen = -1, uart = -1;

    config_arm64_linux();
    CU_ASSERT_EQUAL(axvmctl_domain_build(h, &cfg, err, sizeof(err)), 1);
    CU_ASSERT_STRING_EQUAL(err, "");
    CU_ASSERT_TRUE(call_is(fake.nr_calls - 3, AXVM_HC_DOMAIN_ADD_DEVICE, &pl011, sizeof(pl011)));
    ctx = (const void *)fake_transport_find(&fake, AXVM_HC_VCPU_SET_CONTEXT, 1)->arg;
    CU_ASSERT_EQUAL(ctx->mode, AXVM_VCPU_ARM64_EL1);
    CU_ASSERT_EQUAL(ctx->entry, 0x40200000);   /* RAM base + 2 MiB + text_offset 0 */
    CU_ASSERT_EQUAL(ctx->regs[0], 0x40000000); /* the tree at the start of RAM */
    CU_ASSERT_TRUE(file_is_at(cfg.os.kernel, 0x40200000, 0));
    dt = guest(ctx->regs[0], GUEST_FDT_MAX);
    CU_ASSERT_FATAL(fdt_open(&f, dt, GUEST_FDT_MAX) == 0);
    while (fdt_next_node(&f, &node, &depth) == 0) {
        chosen = strcmp(fdt_node_name(&f, node), "chosen") == 0 ? node : chosen;
        uart = strcmp(fdt_node_name(&f, node), "pl011@9000000") == 0 ? node : uart;
    }
    CU_ASSERT_FATAL(chosen >= 0 && uart >= 0);
    /* Its interrupt is in the tree even when the XML names none: Linux's driver needs one. */
    CU_ASSERT_FATAL(fdt_get_prop(&f, uart, "interrupts", &p) && p.len == 12);
    CU_ASSERT_EQUAL(fdt_read_cells(p.value, 1), 0);     /* an SPI */
    CU_ASSERT_EQUAL(fdt_read_cells(p.value + 4, 1), 1); /* SPI 1 = INTID 33 */
    CU_ASSERT_TRUE(fdt_get_prop(&f, chosen, "bootargs", &p) &&
                   fdt_prop_is_string(&p, "console=ttyAMA0"));
    CU_ASSERT_FATAL(fdt_get_prop(&f, chosen, "linux,initrd-start", &p) && p.len == 8);
    CU_ASSERT_TRUE(file_is_at(cfg.os.initrd, fdt_read_cells(p.value, 2), 0));
    CU_ASSERT_TRUE(fdt_read_cells(p.value, 2) >= 0x40200000); /* above image_size */
    CU_ASSERT_TRUE(fdt_get_prop(&f, chosen, "linux,initrd-end", &p) &&
                   fdt_read_cells(p.value, 2) <= 0x43e00000);
    free(dt);
}

static const char *step_of(uint32_t nr, enum kind k)
{
    switch (nr) {
    case AXVM_HC_DOMAIN_CREATE:
        return "creating domain '";
    case AXVM_HC_DOMAIN_ADD_REGION:
        return "adding ";
    case AXVM_HC_DOMAIN_COPY:
        return k == ARM64_LINUX ? "" : "loading "; /* the kernel or the device tree */
    case AXVM_HC_PHYSINFO:
        return "loading "; /* the TSC frequency for a Linux command line */
    case AXVM_HC_DOMAIN_ADD_DEVICE:
        return "adding the ";
    case AXVM_HC_DOMAIN_PASSTHROUGH:
        return "passing through ";
    case AXVM_HC_VCPU_SET_CONTEXT:
        return "setting vCPU 0's boot context: ";
    case AXVM_HC_SCHED_CREDIT:
        return "setting the credit scheduler's weight and cap: ";
    case AXVM_HC_VCPU_PIN:
        return "pinning vCPU 1 to CPUs 1: ";
    default:
        return "starting the domain: ";
    }
}

/* Fail call i of a build of kind k: the domain must go, and err must say where and why. */
static void check_failure_at(enum kind k, unsigned int i)
{
    uint32_t nr;
    const struct fake_call *last;
    const struct axvm_domain_ref destroy = {1, {0}};

    config_kind(k);
    fake_transport_fail_call(&fake, i, -AXVM_EBUSY);
    UNIT_CHECK(axvmctl_domain_build(h, &cfg, err, sizeof(err)) == -AXVM_EBUSY, "%s, call %u",
               kind_names[k], i);
    nr = fake.calls[i].nr;
    last = &fake.calls[fake.nr_calls - 1];
    UNIT_CHECK(fake_transport_nr_domains(&fake) == 0, "%s, call %u (%u): a domain is left",
               kind_names[k], i, nr);
    UNIT_CHECK(i == 0 ? fake.nr_calls == 1
                      : last->nr == AXVM_HC_DOMAIN_DESTROY && last->result == 0 &&
                            memcmp(last->arg, &destroy, sizeof(destroy)) == 0 &&
                            fake.nr_calls == i + 2,
               "%s, call %u (%u): not destroyed right after", kind_names[k], i, nr);
    UNIT_CHECK(strncmp(err, step_of(nr, k), strlen(step_of(nr, k))) == 0 && strstr(err, "busy") &&
                   !strchr(err, '\n'),
               "%s, call %u (%u): '%s'", kind_names[k], i, nr, err);
}

static void test_builder_unwinds_a_failure_at_every_call(void)
{
    for (enum kind k = 0; k < NR_KINDS; k++) {
        unsigned int nr_calls;

        config_kind(k);
        UNIT_CHECK(axvmctl_domain_build(h, &cfg, err, sizeof(err)) == 1, "%s: '%s'", kind_names[k],
                   err);
        nr_calls = fake.nr_calls;
        for (unsigned int i = 0; i < nr_calls; i++) {
            teardown();
            setup();
            check_failure_at(k, i);
        }
        teardown();
        setup();
    }
}

static void test_builder_says_when_the_destroy_fails_too(void)
{
    config_x86_raw();
    fake_transport_fail_nr(&fake, AXVM_HC_DOMAIN_COPY, 1, -AXVM_EFAULT);
    fake_transport_fail_nr(&fake, AXVM_HC_DOMAIN_DESTROY, 1, -AXVM_EIO);
    CU_ASSERT_EQUAL(axvmctl_domain_build(h, &cfg, err, sizeof(err)), -AXVM_EFAULT);
    CU_ASSERT_TRUE(strstr(err, ": bad address (destroying domain 1 failed too: input/output "
                               "error)") != NULL);
    CU_ASSERT_EQUAL(axvmctl_domain_build(h, &cfg, NULL, 0), -AXVM_EEXIST); /* no err: fine */
}

/* A configuration the builder must refuse, with the line it must print. */
static void check_refused(int rc, const char *want)
{
    CU_ASSERT_EQUAL(axvmctl_domain_build(h, &cfg, err, sizeof(err)), rc);
    UNIT_CHECK(strcmp(err, want) == 0, "'%s' instead of '%s'", err, want);
    CU_ASSERT_EQUAL(fake_transport_nr_domains(&fake), 0);
}

static void test_builder_names_bad_kernels(void)
{
    char want[512], *hello = fake_images_source_path(FAKE_IMAGES_HELLO);

    config_x86_linux();
    free(cfg.os.kernel);
    cfg.os.kernel = strdup(hello); /* a Multiboot ELF given as a Linux kernel */
    snprintf(want, sizeof(want), "loading %s: not a bzImage (no HdrS signature)", hello);
    check_refused(-AXVM_EINVAL, want);
    free(cfg.os.kernel);
    cfg.os.kernel = strdup("/nonexistent/vmlinuz");
    err[0] = '\0';
    check_refused(-AXVM_ENOENT, "loading /nonexistent/vmlinuz: No such file or directory");
    free(cfg.os.kernel);
    cfg.os.kernel = strdup("/tmp");
    err[0] = '\0';
    check_refused(-AXVM_EINVAL, "loading /tmp: not a regular file");
    free(hello);
}

static void test_builder_refuses_a_file_too_big_for_ram(void)
{
    char want[512];
    uint8_t *page = fake_images_pattern(4096, 1);
    char *path = temp_file(page, 4096);

    config_x86_raw();
    CU_ASSERT_FATAL(truncate(path, (off_t)MIB(17)) == 0);
    free(cfg.os.kernel);
    cfg.os.kernel = strdup(path);
    cfg.os.load_addr = 0;
    snprintf(want, sizeof(want), "loading %s: 17.0 MiB, too big for 16.0 MiB of RAM", path);
    check_refused(-AXVM_ENOSPC, want);
    free(page);
}

/* arm64's debug-exit device and test device are MMIO, where its boot-time domains have them. */
static void test_builder_arm64_devices_default_to_the_platform_addresses(void)
{
    const struct axvm_domain_device exit = {1, AXVM_DEV_DEBUG_EXIT, AXVM_SPACE_MMIO, 0, 0x09100000};
    const struct axvm_domain_device testdev = {1, AXVM_DEV_TESTDEV, AXVM_SPACE_MMIO, 0, 0x0a000000};

    config_arm64_raw();
    add_device(DC_DEV_DEBUG_EXIT, 0, 0);
    add_device(DC_DEV_TESTDEV, 0, 0);
    CU_ASSERT_EQUAL(axvmctl_domain_build(h, &cfg, err, sizeof(err)), 1);
    CU_ASSERT_STRING_EQUAL(err, "");
    CU_ASSERT_TRUE(call_is(fake.nr_calls - 4, AXVM_HC_DOMAIN_ADD_DEVICE, &exit, sizeof(exit)));
    CU_ASSERT_TRUE(
        call_is(fake.nr_calls - 3, AXVM_HC_DOMAIN_ADD_DEVICE, &testdev, sizeof(testdev)));
}

static void test_builder_refuses_what_the_arch_lacks(void)
{
    char want[512];

    config_x86_multiboot();
    cfg.os.arch = DC_ARCH_ARM64;
    snprintf(want, sizeof(want), "loading %s: Multiboot kernels are x86 only", cfg.os.kernel);
    check_refused(-AXVM_EINVAL, want);
    teardown();
    setup();
    config_arm64_linux();
    free(cfg.os.kernel);
    cfg.os.kernel = strdup(temp_pattern(4096, 0));
    snprintf(want, sizeof(want), "loading %s: no arm64 Image magic (\"ARM\\x64\" at offset 56)",
             cfg.os.kernel);
    check_refused(-AXVM_EINVAL, want);
    teardown();
    setup();
    config_arm64_linux();
    cfg.memory_bytes = MIB(4); /* the tree's 2 MiB block, then the 2 MiB Image: no initrd room */
    snprintf(want, sizeof(want),
             "loading %s: the Image and its initrd do not fit in the domain's RAM", cfg.os.kernel);
    check_refused(-AXVM_EINVAL, want);
}

static void test_builder_refuses_bad_configurations(void)
{
    char want[512];

    config_x86_raw();
    memset(cfg.name, 'n', sizeof(cfg.name)); /* no room for the NUL */
    check_refused(-AXVM_EINVAL, "creating the domain: the name must have 1 to 31 bytes");
    CU_ASSERT_EQUAL(fake.nr_calls, 0);
    strcpy(cfg.name, "raw");
    cfg.nr_vcpus = 0;
    err[0] = '\0';
    check_refused(-AXVM_EINVAL, "creating domain 'raw': 0 vCPUs (1 to 16)");
    CU_ASSERT_EQUAL(fake.nr_calls, 0);
    cfg.nr_vcpus = 1;
    cfg.os.load_addr = MIB(16);
    err[0] = '\0';
    snprintf(want, sizeof(want), "loading %s: load address 0x1000000 is not in RAM", cfg.os.kernel);
    check_refused(-AXVM_EINVAL, want);
    cfg.os.load_addr = 0x100000;
    cfg.os.initrd = cfg.os.kernel;
    err[0] = '\0';
    snprintf(want, sizeof(want), "loading %s: a raw image takes no initrd or modules",
             cfg.os.kernel);
    check_refused(-AXVM_EINVAL, want);
    teardown();
    setup();
    config_x86_multiboot();
    cfg.os.initrd = cfg.os.modules[0].path;
    snprintf(want, sizeof(want), "loading %s: Multiboot takes modules, not an initrd",
             cfg.os.kernel);
    check_refused(-AXVM_EINVAL, want);
}

static void test_builder_reports_a_refused_create(void)
{
    config_x86_raw();
    fake_transport_fail_nr(&fake, AXVM_HC_DOMAIN_CREATE, 1, -AXVM_EEXIST);
    check_refused(-AXVM_EEXIST, "creating domain 'raw': already exists");
    CU_ASSERT_EQUAL(fake.nr_calls, 1); /* nothing to destroy */
    CU_ASSERT_EQUAL(axvmctl_domain_build(NULL, &cfg, err, sizeof(err)), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(axvmctl_domain_build(h, NULL, NULL, 0), -AXVM_EINVAL);
}

static CU_TestInfo builder_tests[] = {
    UNIT_TEST(test_builder_x86_linux_calls_in_order),
    UNIT_TEST(test_builder_x86_linux_puts_the_boot_protocol_in_place),
    UNIT_TEST(test_builder_x86_linux_gets_acpi_tables_and_a_boot_gdt),
    UNIT_TEST(test_builder_x86_linux_keeps_the_users_tsc_options),
    UNIT_TEST(test_builder_x86_linux_needs_the_tsc_frequency),
    UNIT_TEST(test_builder_x86_multiboot_loads_hello_elf),
    UNIT_TEST(test_builder_raw_images_start_at_their_entry),
    UNIT_TEST(test_builder_applies_cputune_before_the_start),
    UNIT_TEST(test_builder_cputune_needs_the_credit_scheduler),
    UNIT_TEST(test_builder_arm64_linux_boots_with_a_device_tree),
    UNIT_TEST(test_builder_unwinds_a_failure_at_every_call),
    UNIT_TEST(test_builder_says_when_the_destroy_fails_too),
    UNIT_TEST(test_builder_names_bad_kernels),
    UNIT_TEST(test_builder_refuses_a_file_too_big_for_ram),
    UNIT_TEST(test_builder_arm64_devices_default_to_the_platform_addresses),
    UNIT_TEST(test_builder_refuses_what_the_arch_lacks),
    UNIT_TEST(test_builder_refuses_bad_configurations),
    UNIT_TEST(test_builder_reports_a_refused_create),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_builder = {"builder", NULL, NULL, setup, teardown, builder_tests};
UNIT_REGISTER_SUITE(unit_suite_builder);
