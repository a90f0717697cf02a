/* SPDX-License-Identifier: MIT */
/*
 * Builds the hypervisor's 1:1 map of RAM with a write-xor-execute image (<hv/hypmap.h>). It
 * must not log: arm64 runs it with the MMU off, before the console may take its lock.
 */
#define LOG_TAG "hypmap"
#include <hv/hypmap.h>

static const struct pt_attr attr_ram = {.writable = true, .mem = PT_MEM_NORMAL};

static int map_1to1(struct pagetable *pt, hpa_t start, hpa_t end, struct pt_attr attr)
{
    return end > start ? pagetable_map(pt, start, start, end - start, attr) : 0;
}

static bool is_ram(enum mem_type type)
{
    return type == MEM_USABLE || type == MEM_ACPI_RECLAIM || type == MEM_ACPI_NVS;
}

int hypmap_build(struct pagetable *pt, const struct boot_info *bi,
                 const struct hypmap_section *sections, unsigned int nr_sections)
{
    hpa_t hole = UINT64_MAX, hole_end = 0;
    int rc = 0;

    for (unsigned int i = 0; i < nr_sections; i++) {
        hole = MIN(hole, sections[i].start);
        hole_end = MAX(hole_end, sections[i].end);
    }
    for (unsigned int i = 0; i < bi->nr_mem && !rc; i++) {
        const struct mem_range *r = &bi->mem[i];
        hpa_t start = MAX(ALIGN_UP(r->base, PAGE_SIZE), PAGE_SIZE); /* page 0 stays unmapped */
        hpa_t end = ALIGN_DOWN(r->base + r->size_bytes, PAGE_SIZE);

        if (!is_ram(r->type) || r->base > ALIGN_DOWN(UINT64_MAX, PAGE_SIZE)) {
            continue; /* not RAM, or no whole page in it (rounding its base up would wrap) */
        }
        rc = map_1to1(pt, start, MIN(end, hole), attr_ram);
        if (!rc) {
            rc = map_1to1(pt, MAX(start, hole_end), end, attr_ram);
        }
    }
    for (unsigned int i = 0; i < nr_sections && !rc; i++) {
        const struct hypmap_section *s = &sections[i];

        rc = map_1to1(pt, s->start, s->end, s->attr);
    }
    return rc;
}
