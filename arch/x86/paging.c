/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's own page tables, replacing the 4 GiB boot map of head.S: RAM mapped 1:1 and
 * non-executable, the image with per-section rights (text RX, rodata R, data and bss RW), MMIO
 * uncached on request, page 0 and everything else unmapped. The boot map stays for APs, which
 * use it for a few instructions on their way in (arch/x86/trampoline.S).
 */
#define LOG_TAG "paging"
#include <hv/log.h>
#include <hv/page.h>
#include <hv/pagetable.h>
#include <x86/asm.h>
#include <x86/boot.h>
#include <x86/x86.h>

static const struct pt_attr attr_ram = {.writable = true, .mem = PT_MEM_NORMAL};
static const struct pt_attr attr_mmio = {.writable = true, .mem = PT_MEM_DEVICE};

static struct pagetable hyp_pt;

static int map_1to1(hpa_t start, hpa_t end, struct pt_attr attr)
{
    start = ALIGN_DOWN(start, PAGE_SIZE);
    end = ALIGN_UP(end, PAGE_SIZE);
    return end > start ? pagetable_map(&hyp_pt, start, start, end - start, attr) : 0;
}

/* Map the RAM-like ranges of the map, except [hole, hole_end) (the image, mapped apart). */
static int map_ram(const struct boot_info *bi, hpa_t hole, hpa_t hole_end)
{
    for (unsigned int i = 0; i < bi->nr_mem; i++) {
        const struct mem_range *r = &bi->mem[i];
        hpa_t start = MAX(ALIGN_UP(r->base, PAGE_SIZE), PAGE_SIZE); /* page 0 stays unmapped */
        hpa_t end = ALIGN_DOWN(r->base + r->size_bytes, PAGE_SIZE);
        int rc = 0;

        if (r->type != MEM_USABLE && r->type != MEM_ACPI_RECLAIM && r->type != MEM_ACPI_NVS) {
            continue;
        }
        if (start < MIN(end, hole)) {
            rc = map_1to1(start, MIN(end, hole), attr_ram);
        }
        if (!rc && MAX(start, hole_end) < end) {
            rc = map_1to1(MAX(start, hole_end), end, attr_ram);
        }
        if (rc) {
            return rc;
        }
    }
    return 0;
}

static int map_image(void)
{
    static const struct {
        const char *start, *end;
        struct pt_attr attr;
    } parts[] = {
        {__text_start, __text_end, {.executable = true}},
        {__rodata_start, __rodata_end, {.writable = false}},
        {__data_start, __image_end, {.writable = true}},
    };

    for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
        int rc = map_1to1(virt_to_hpa(parts[i].start), virt_to_hpa(parts[i].end), parts[i].attr);

        if (rc) {
            return rc;
        }
    }
    return 0;
}

int paging_map_mmio(hpa_t hpa, uint64_t size_bytes)
{
    int rc = map_1to1(hpa, hpa + size_bytes, attr_mmio);

    if (!rc && read_cr3() == hyp_pt.root_hpa) {
        write_cr3(hyp_pt.root_hpa); /* the range may have been cached as absent */
    }
    return rc;
}

int paging_init(const struct boot_info *bi)
{
    hpa_t image_start = ALIGN_DOWN(virt_to_hpa(__image_start), PAGE_SIZE);
    hpa_t image_end = ALIGN_UP(virt_to_hpa(__image_end), PAGE_SIZE);
    int rc = pagetable_init(&hyp_pt, PT_HYPERVISOR, NULL);

    if (!rc) {
        rc = map_ram(bi, image_start, image_end);
    }
    if (!rc) {
        rc = map_image();
    }
    if (!rc) {
        rc = map_1to1(x86_platform.lapic_hpa, x86_platform.lapic_hpa + PAGE_SIZE, attr_mmio);
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
