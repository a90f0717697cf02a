/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's own page tables, replacing the 4 GiB boot map of head.S (<hv/hypmap.h>),
 * plus uncached MMIO on request. The boot map stays for APs, which use it for a few
 * instructions on their way in (arch/x86/trampoline.S).
 */
#define LOG_TAG "paging"
#include <hv/hypmap.h>
#include <hv/log.h>
#include <hv/page.h>
#include <x86/asm.h>
#include <x86/boot.h>
#include <x86/x86.h>

static struct pagetable hyp_pt;

int paging_map_mmio(hpa_t hpa, uint64_t size_bytes)
{
    static const struct pt_attr attr_mmio = {.writable = true, .mem = PT_MEM_DEVICE};
    hpa_t start = ALIGN_DOWN(hpa, PAGE_SIZE);
    int rc = pagetable_map(&hyp_pt, start, start, ALIGN_UP(hpa + size_bytes, PAGE_SIZE) - start,
                           attr_mmio);

    if (!rc && read_cr3() == hyp_pt.root_hpa) {
        write_cr3(hyp_pt.root_hpa); /* the range may have been cached as absent */
    }
    return rc;
}

int paging_init(const struct boot_info *bi)
{
    const struct hypmap_section image[] = {
        {"text", virt_to_hpa(__text_start), virt_to_hpa(__text_end), {.executable = true}},
        {"rodata", virt_to_hpa(__rodata_start), virt_to_hpa(__rodata_end), {.writable = false}},
        {"data",
         virt_to_hpa(__data_start),
         ALIGN_UP(virt_to_hpa(__image_end), PAGE_SIZE),
         {.writable = true}},
    };
    int rc = pagetable_init(&hyp_pt, PT_HYPERVISOR, NULL);

    if (!rc) {
        rc = hypmap_build(&hyp_pt, bi, image, ARRAY_SIZE(image));
    }
    if (!rc) {
        rc = paging_map_mmio(x86_platform.lapic_hpa, PAGE_SIZE);
    }
    if (rc) {
        log_err("cannot build the hypervisor page tables (error %d)", rc);
        return rc;
    }
    paging_load();
    log_info("page tables at 0x%llx (%zu tables): text RX, rodata R, data RW NX, page 0 unmapped",
             (unsigned long long)hyp_pt.root_hpa, hyp_pt.nr_tables);
    return 0;
}

void paging_load(void)
{
    write_cr3(hyp_pt.root_hpa);
}
