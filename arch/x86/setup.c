/* SPDX-License-Identifier: MIT */
/*
 * x86 boot: from head.S's long-mode entry to the core's setup_main(), and the arch_setup()
 * and arch_smp_boot() steps the core calls back.
 */
#define LOG_TAG "x86"
#include <hv/bootinfo.h>
#include <hv/log.h>
#include <hv/page.h>
#include <hv/percpu.h>
#include <hv/setup.h>
#include <x86/asm.h>
#include <x86/boot.h>
#include <x86/ioapic.h>
#include <x86/multiboot2.h>
#include <x86/x86.h>

#define LOW_MEMORY_END MIB(1) /* BIOS data, EBDA, option ROMs and the AP trampoline */
#define MBI_MAX_SIZE   MIB(1) /* sanity bound on the loader's total_size */

static struct boot_info boot_info;
static uint8_t bsp_ist_stacks[NR_IST_STACKS][IST_STACK_SIZE] __attribute__((aligned(4096)));

static void install_bsp_percpu(void)
{
    struct percpu *pc;

    percpu_install(0);
    pc = this_cpu();
    for (unsigned int i = 0; i < NR_IST_STACKS; i++) {
        pc->arch.ist_stacks[i] = virt_to_hpa(bsp_ist_stacks[i]);
    }
}

static void read_boot_info(uint32_t magic, uint64_t mbi_hpa)
{
    bootinfo_init(&boot_info);
    if (magic != MB2_BOOT_MAGIC) {
        panic("not started by a Multiboot2 loader (EAX 0x%x); boot axvm.elf with GRUB's "
              "multiboot2 command",
              magic);
    }
    if (mb2_parse(hpa_to_virt(mbi_hpa), MBI_MAX_SIZE, &boot_info)) {
        log_err("the boot information is damaged; continuing with what could be read");
    }
    bootinfo_add_reserved(&boot_info, 0, LOW_MEMORY_END);
    bootinfo_add_reserved(&boot_info, virt_to_hpa(__image_start),
                          (uint64_t)(__image_end - __image_start));
}

void x86_start(uint32_t magic, uint64_t mbi_hpa)
{
    install_bsp_percpu();
    serial_init_default();
    traps_init();
    gdt_load_cpu();
    traps_load();
    pic_disable();
    read_boot_info(magic, mbi_hpa);
    setup_main(&boot_info);
}

int arch_setup(const struct boot_info *bi)
{
    int rc;

    acpi_init(bi); /* before paging_init: reads firmware tables through the boot map */
    rc = paging_init(bi);
    if (rc) {
        return rc;
    }
    lapic_init_cpu();
    this_cpu()->arch.apic_id = lapic_id();
    ioapic_init(); /* every pin masked until a VM is given one */
    time_calibrate();
    hvm_init();
    hvm_cpu_enable();
    return 0;
}

unsigned int arch_smp_boot(unsigned int max_cpus)
{
    return smp_boot_aps(max_cpus);
}

void arch_selftest_fault(void)
{
    __asm__ volatile("ud2");
}
