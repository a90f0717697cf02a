/* SPDX-License-Identifier: MIT */
/*
 * arm64 boot: from head.S (EL2, MMU off) through the device tree and the MMU to the core's
 * setup_main(), and the arch_setup() and arch_smp_boot() steps the core calls back.
 */
#define LOG_TAG "arm64"
#include <hv/bootinfo.h>
#include <hv/fmt.h>
#include <hv/log.h>
#include <hv/page.h>
#include <hv/percpu.h>
#include <hv/setup.h>
#include <arm64/arm64.h>

#define FALLBACK_UART 0x09000000 /* QEMU virt's PL011, for messages when the DT is unreadable */

static struct boot_info boot_info;
static struct arm64_platform platform;

const struct arm64_platform *arm64_platform_get(void)
{
    return &platform;
}

/* Say why we cannot boot on the only console we may have, then stop. MMU off, no locks. */
static __noreturn void early_fail(hpa_t uart, const char *what, const char *why)
{
    char line[200];

    fmt_snprintf(line, sizeof(line), "axvm: cannot boot: %s: %s\n", what, why);
    pl011_early_puts(uart ? uart : FALLBACK_UART, line);
    for (;;) {
        __asm__ volatile("wfe");
    }
}

void arm64_wrong_el(hpa_t dtb_hpa, uint64_t el);
void arm64_wrong_el(hpa_t dtb_hpa, uint64_t el)
{
    const char *why;
    char what[48];

    bootinfo_init(&boot_info);
    bootfdt_parse(hpa_to_virt(dtb_hpa), ARM64_DTB_MAX_SIZE, &boot_info, &platform, &why);
    fmt_snprintf(what, sizeof(what), "entered at EL%u", (unsigned int)el);
    early_fail(platform.uart_hpa, what, "axvm runs at EL2 (with QEMU: -M virt,virtualization=on)");
}

void arm64_start(hpa_t dtb_hpa)
{
    const char *why = "";
    int rc;

    percpu_install(0);
    bootinfo_init(&boot_info);
    rc = bootfdt_parse(hpa_to_virt(dtb_hpa), ARM64_DTB_MAX_SIZE, &boot_info, &platform, &why);
    if (rc) {
        early_fail(platform.uart_hpa, "the device tree", why);
    }
    bootinfo_add_reserved(&boot_info, virt_to_hpa(__image_start),
                          (uint64_t)(__image_end - __image_start));
    if (mmu_init(&boot_info, &platform)) {
        early_fail(platform.uart_hpa, "the EL2 page tables", "out of table pages");
    }
    pl011_init(platform.uart_hpa);
    log_info("EL2 MMU and caches on (%zu tables); device tree at 0x%llx, %u bytes", mmu_nr_tables(),
             (unsigned long long)dtb_hpa, boot_info.arch.dtb_size);
    if (platform.nr_items_dropped || platform.nr_cpus_ignored) {
        log_warn("device tree: %u memory ranges or modules and %u CPUs over our limits ignored",
                 platform.nr_items_dropped, platform.nr_cpus_ignored);
    }
    setup_main(&boot_info);
}

int arch_setup(const struct boot_info *bi)
{
    int rc;

    (void)bi;
    time_init(&platform); /* the GIC's timeouts read the clock */
    rc = gic_init(&platform);
    if (rc) {
        return rc;
    }
    time_init_cpu();
    return 0;
}

unsigned int arch_smp_boot(unsigned int max_cpus)
{
    return smp_boot_secondaries(&platform, max_cpus);
}

void arch_selftest_fault(void)
{
    __asm__ volatile("udf #0");
}
