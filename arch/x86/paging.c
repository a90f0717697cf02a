/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's own page tables, replacing the 4 GiB boot map of head.S: RAM mapped 1:1 and
 * non-executable, the image with per-section rights (text RX, rodata R, data and bss RW), MMIO
 * uncached on request, page 0 and everything else unmapped (AMD APM vol. 2, "Long-Mode Page
 * Translation"). The boot map stays for APs, which use it for a few instructions on their way
 * in (arch/x86/trampoline.S).
 */
#define LOG_TAG "paging"
#include <hv/frame.h>
#include <hv/log.h>
#include <hv/page.h>
#include <hv/string.h>
#include <public/axvm/errno.h>
#include <x86/asm.h>
#include <x86/boot.h>
#include <x86/x86.h>

#define PTE_P   (1ULL << 0)
#define PTE_W   (1ULL << 1)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_PS  (1ULL << 7)
#define PTE_NX  (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

#define PAGE_2M ((uint64_t)2 << 20)
#define LEVEL_PT 1 /* 4 KiB leaves */
#define LEVEL_PD 2 /* 2 MiB leaves */

#define ATTR_RAM  (PTE_P | PTE_W | PTE_NX)
#define ATTR_TEXT (PTE_P)
#define ATTR_RO   (PTE_P | PTE_NX)
#define ATTR_MMIO (PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_NX)

static uint64_t *root; /* PML4 */
static hpa_t root_hpa;

static unsigned int index_at(uint64_t va, unsigned int level)
{
    return (unsigned int)((va >> (12 + 9 * (level - 1))) & 511);
}

static int new_table(uint64_t **table, hpa_t *hpa)
{
    int rc = frame_alloc(1, 1, hpa);

    if (rc) {
        return rc;
    }
    *table = hpa_to_virt(*hpa);
    memset(*table, 0, PAGE_SIZE);
    return 0;
}

/*
 * The entry for va at level, creating intermediate tables. Returns NULL with *rc set when
 * memory runs out, or when a large page already covers va (then *rc is 0: already mapped).
 */
static uint64_t *entry_for(uint64_t va, unsigned int level, int *rc)
{
    uint64_t *table = root;

    *rc = 0;
    for (unsigned int l = 4; l > level; l--) {
        uint64_t *e = &table[index_at(va, l)];

        if (*e & PTE_PS) {
            return NULL;
        }
        if (!(*e & PTE_P)) {
            hpa_t hpa;
            uint64_t *next;

            *rc = new_table(&next, &hpa);
            if (*rc) {
                return NULL;
            }
            *e = hpa | PTE_P | PTE_W; /* rights are decided at the leaf */
        }
        table = hpa_to_virt(*e & PTE_ADDR_MASK);
    }
    return &table[index_at(va, level)];
}

/* Map [hpa, hpa+size) 1:1 with attr, in 2 MiB pages where alignment allows. */
static int map_range(hpa_t hpa, uint64_t size, uint64_t attr)
{
    uint64_t end = ALIGN_UP(hpa + size, PAGE_SIZE);

    for (uint64_t va = ALIGN_DOWN(hpa, PAGE_SIZE); va < end;) {
        bool big = IS_ALIGNED(va, PAGE_2M) && end - va >= PAGE_2M;
        int rc;
        uint64_t *e = big ? entry_for(va, LEVEL_PD, &rc) : NULL;

        if (big && e && (*e & PTE_P) && !(*e & PTE_PS)) {
            big = false; /* part of this 2 MiB is already mapped in 4 KiB pages */
        }
        if (!big) {
            e = entry_for(va, LEVEL_PT, &rc);
        }
        if (!e && rc) {
            return rc;
        }
        if (e) {
            *e = va | attr | (big ? PTE_PS : 0);
        }
        va += big ? PAGE_2M : PAGE_SIZE;
    }
    return 0;
}

/* Map RAM-like ranges of the map except [hole, hole_end), which is mapped separately. */
static int map_ram(const struct boot_info *bi, hpa_t hole, hpa_t hole_end)
{
    for (unsigned int i = 0; i < bi->nr_mem; i++) {
        const struct mem_range *r = &bi->mem[i];
        hpa_t start = MAX(r->base, PAGE_SIZE); /* page 0 stays unmapped */
        hpa_t end = r->base + r->size_bytes;
        int rc = 0;

        if ((r->type != MEM_USABLE && r->type != MEM_ACPI_RECLAIM && r->type != MEM_ACPI_NVS) ||
            end <= start) {
            continue;
        }
        if (start < hole) {
            rc = map_range(start, MIN(end, hole) - start, ATTR_RAM);
        }
        if (!rc && end > hole_end) {
            hpa_t from = MAX(start, hole_end);

            rc = map_range(from, end - from, ATTR_RAM);
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
        uint64_t attr;
    } parts[] = {
        {__text_start, __text_end, ATTR_TEXT},
        {__rodata_start, __rodata_end, ATTR_RO},
        {__data_start, __image_end, ATTR_RAM},
    };

    for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
        hpa_t start = virt_to_hpa(parts[i].start);
        int rc = map_range(start, virt_to_hpa(parts[i].end) - start, parts[i].attr);

        if (rc) {
            return rc;
        }
    }
    return 0;
}

int paging_map_mmio(hpa_t hpa, uint64_t size_bytes)
{
    int rc = map_range(hpa, size_bytes, ATTR_MMIO);

    if (!rc && root_hpa == read_cr3()) {
        write_cr3(root_hpa); /* flush: the range may have been absent before */
    }
    return rc;
}

int paging_init(const struct boot_info *bi)
{
    hpa_t image_start = ALIGN_DOWN(virt_to_hpa(__image_start), PAGE_SIZE);
    hpa_t image_end = ALIGN_UP(virt_to_hpa(__image_end), PAGE_SIZE);
    int rc = new_table(&root, &root_hpa);

    if (!rc) {
        rc = map_ram(bi, image_start, image_end);
    }
    if (!rc) {
        rc = map_image();
    }
    if (!rc) {
        rc = map_range(x86_platform.lapic_hpa, PAGE_SIZE, ATTR_MMIO);
    }
    if (rc) {
        log_err("out of memory building the page tables");
        return rc;
    }
    paging_load();
    log_info("hypervisor page tables at 0x%llx: text RX, rodata R, data RW NX, page 0 unmapped",
             (unsigned long long)root_hpa);
    return 0;
}

void paging_load(void)
{
    write_cr3(root_hpa);
}
