/* SPDX-License-Identifier: MIT */
/*
 * The arch-neutral boot sequence: options, memory, platform, CPUs, then the banner the boot
 * tests read, then idle. The banner's first line is a contract (docs/booting.md):
 *   axvm <version> (<arch>): <n> CPUs online, <total> MiB RAM, <free> MiB free
 */
#define LOG_TAG "setup"
#include <generated/version.h>
#include <hv/bootdom.h>
#include <hv/bootinfo.h>
#include <hv/cmdline.h>
#include <hv/console.h>
#include <hv/cpu.h>
#include <hv/dom0.h>
#include <hv/frame.h>
#include <hv/heap.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/setup.h>
#include <hv/string.h>
#include <hv/time.h>
#include <hv/timer.h>
#include <hv/virt.h>

#define TICK_WAIT_NS      (3 * NSEC_PER_SEC) /* TCG on a loaded 2-core host is slow */
#define TICKS_TO_PROVE    2
#define MAX_VIRT_FEATURES 8

/* Wait (bounded) until every online CPU has taken a few timer ticks. */
static void check_ticks(void)
{
    uint64_t start = arch_time_now_ns();
    unsigned int ticking;
    struct percpu *pc;

    do {
        ticking = 0;
        for_each_online_cpu (pc) {
            ticking += READ_ONCE(pc->ticks) >= TICKS_TO_PROVE ? 1 : 0;
        }
        if (ticking == percpu_nr_online()) {
            break;
        }
        arch_cpu_idle(); /* our own tick wakes us */
    } while (arch_time_now_ns() - start < TICK_WAIT_NS);

    if (ticking == percpu_nr_online()) {
        log_info("%u Hz tick running on all %u CPUs", CONFIG_HZ, ticking);
        return;
    }
    for_each_online_cpu (pc) {
        if (READ_ONCE(pc->ticks) < TICKS_TO_PROVE) {
            log_err("no timer tick on cpu%u after %llu ms", pc->cpu_id,
                    (unsigned long long)(TICK_WAIT_NS / NSEC_PER_MSEC));
        }
    }
}

static void print_banner(const struct boot_info *bi)
{
    struct virt_feature features[MAX_VIRT_FEATURES];
    unsigned int nr = arch_virt_describe(features, MAX_VIRT_FEATURES);

    console_printf("axvm %s (%s): %u CPUs online, %llu MiB RAM, %llu MiB free\n", AXVM_VERSION,
                   CONFIG_ARCH_NAME, percpu_nr_online(),
                   (unsigned long long)(bootinfo_usable_bytes(bi) >> 20),
                   (unsigned long long)((frame_nr_free() * PAGE_SIZE) >> 20));
    for (unsigned int i = 0; i < nr; i++) {
        console_printf("virt: %s: %s\n", features[i].name, features[i].value);
    }
    console_printf("cmdline: %s\n", bi->cmdline);
}

/* An impossible dom0_mem= stops the boot with a clear message, before anything is built. */
static void check_dom0_options(void)
{
    uint64_t free_bytes = frame_nr_free() * PAGE_SIZE;
    uint64_t mem = hv_opts.dom0_mem_bytes;

    if (mem > free_bytes) {
        panic("dom0_mem=%llu MiB does not fit: only %llu MiB of RAM are free; lower dom0_mem=",
              (unsigned long long)(mem >> 20), (unsigned long long)(free_bytes >> 20));
    }
}

/* Addresses the self-tests poke at, kept out of the optimiser's sight. */
static volatile uintptr_t selftest_null;

static void selftest_write_text(void)
{
    volatile uint8_t *text = (volatile uint8_t *)(uintptr_t)&setup_main;

    *text = *text; /* the image's text is mapped read-only: this must fault */
}

static void selftest_read_null(void)
{
    volatile const uint64_t *p = (volatile const uint64_t *)selftest_null;

    (void)*p; /* page 0 is unmapped: this must fault */
}

/*
 * "selftest=NAME" makes the boot CPU do something that must trap, so the boot tests can prove
 * the trap path and the memory protections. Returning from the test is the failure.
 */
static void run_selftest(void)
{
    static const struct {
        const char *name;
        void (*run)(void);
    } tests[] = {
        {"fault", arch_selftest_fault},
        {"write-text", selftest_write_text},
        {"read-null", selftest_read_null},
    };

    if (!hv_opts.selftest[0]) {
        return;
    }
    for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
        if (strcmp(hv_opts.selftest, tests[i].name) == 0) {
            log_info("selftest: %s on purpose on cpu%u", tests[i].name, this_cpu_id());
            tests[i].run();
            log_err("selftest: %s did not trap", tests[i].name);
            return;
        }
    }
    log_warn("selftest=%s: unknown self-test, ignored", hv_opts.selftest);
}

void setup_main(struct boot_info *bi)
{
    unsigned int nr_found;
    int rc;

    cmdline_parse(bi->cmdline, &hv_opts);
    log_set_level(hv_opts.loglvl);
    if (hv_opts.console[0] && console_select(hv_opts.console)) {
        log_warn("console=%s: no such console on %s, keeping the default", hv_opts.console,
                 CONFIG_ARCH_NAME);
    }
    bootinfo_log(bi);

    rc = frame_init(bi);
    if (rc) {
        panic("no usable RAM for the frame allocator (error %d): the boot loader's memory map "
              "has no usable range big enough",
              rc);
    }
    heap_init();
    rc = arch_setup(bi);
    if (rc) {
        panic("platform setup failed (error %d)", rc);
    }
    timer_start_tick();

    percpu_set_online(); /* the boot CPU */
    nr_found = arch_smp_boot(CONFIG_NR_CPUS);
    if (percpu_nr_online() < nr_found) {
        log_warn("only %u of the %u CPUs found came online", percpu_nr_online(), nr_found);
    }
    check_ticks();
    print_banner(bi);
    check_dom0_options();
    run_selftest();
    sched_init();
    dom0_start(bi);
    if (bootdom_start_all(bi)) {
        log_info("boot-time domains started");
    }
    sched_run_cpu();
}

void setup_secondary(void)
{
    timer_start_tick();
    percpu_set_online();
    sched_run_cpu();
}
