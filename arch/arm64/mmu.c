/* SPDX-License-Identifier: MIT */
/*
 * The EL2 stage-1 MMU: the hypervisor's 1:1 map (<hv/hypmap.h>) plus the devices it drives,
 * built with the MMU off from a static pool of table pages (the frame allocator does not exist
 * yet), then switched on with caches before anything uses an atomic (Arm ARM D8, "The VMSAv8-64
 * address translation system"; exclusives on Device memory are unpredictable).
 */
#define LOG_TAG "mmu"
#include <hv/hypmap.h>
#include <hv/page.h>
#include <public/axvm/errno.h>
#include <arm64/arm64.h>
#include <arm64/sysreg.h>

#define PT_POOL_PAGES 64

/* MAIR_EL2 slots, matching ARM64_MAIR_* in <arch/pagetable.h>. */
#define MAIR_VALUE ((0x00ULL << 0) | (0xffULL << 8) | (0x04ULL << 16))

#define TCR_T0SZ_48BIT 16ULL
#define TCR_IRGN0_WBWA (1ULL << 8)
#define TCR_ORGN0_WBWA (1ULL << 10)
#define TCR_SH0_INNER  (3ULL << 12)
#define TCR_TG0_4K     (0ULL << 14)
#define TCR_PS_SHIFT   16
#define TCR_EL2_RES1   ((1ULL << 31) | (1ULL << 23))
#define PARANGE_48BIT  5

#define SCTLR_EL2_RES1 0x30c50830ULL
#define SCTLR_M        (1ULL << 0)
#define SCTLR_C        (1ULL << 2)
#define SCTLR_SA       (1ULL << 3)
#define SCTLR_I        (1ULL << 12)
#define SCTLR_WXN      (1ULL << 19)

#define CACHE_LINE_MIN 64 /* smallest line we step by; CTR_EL0 may say larger */

static uint8_t pt_pool[PT_POOL_PAGES][PAGE_SIZE] __attribute__((aligned(4096)));
static unsigned int pt_pool_used;
static struct pagetable hyp_pt;

struct mmu_regs mmu_regs;

static int pool_alloc(hpa_t *out)
{
    if (pt_pool_used == PT_POOL_PAGES) {
        return -AXVM_ENOMEM;
    }
    *out = virt_to_hpa(pt_pool[pt_pool_used++]);
    return 0;
}

void dcache_clean_range(const void *start, size_t size)
{
    uintptr_t p = ALIGN_DOWN((uintptr_t)start, (uintptr_t)CACHE_LINE_MIN);

    for (; p < (uintptr_t)start + size; p += CACHE_LINE_MIN) {
        __asm__ volatile("dc cvac, %0" : : "r"(p) : "memory");
    }
    __asm__ volatile("dsb sy" ::: "memory");
}

/* Drop any cache lines over [start, start+size) that predate our writes with the MMU off. */
static void dcache_invalidate_range(const void *start, size_t size)
{
    uintptr_t p = ALIGN_DOWN((uintptr_t)start, (uintptr_t)CACHE_LINE_MIN);

    for (; p < (uintptr_t)start + size; p += CACHE_LINE_MIN) {
        __asm__ volatile("dc ivac, %0" : : "r"(p) : "memory");
    }
    __asm__ volatile("dsb sy" ::: "memory");
}

static int map_device(hpa_t hpa, uint64_t size)
{
    static const struct pt_attr attr = {.writable = true, .mem = PT_MEM_DEVICE};
    hpa_t start = ALIGN_DOWN(hpa, PAGE_SIZE);

    if (!hpa || !size) {
        return 0;
    }
    return pagetable_map(&hyp_pt, start, start, ALIGN_UP(hpa + size, PAGE_SIZE) - start, attr);
}

static uint64_t tcr_value(void)
{
    uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;

    return TCR_EL2_RES1 | TCR_T0SZ_48BIT | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER |
           TCR_TG0_4K | (MIN(parange, PARANGE_48BIT) << TCR_PS_SHIFT);
}

int mmu_init(const struct boot_info *bi, const struct arm64_platform *plat)
{
    const struct hypmap_section image[] = {
        {"text", virt_to_hpa(__text_start), virt_to_hpa(__text_end), {.executable = true}},
        {"rodata", virt_to_hpa(__rodata_start), virt_to_hpa(__rodata_end), {.writable = false}},
        {"data", virt_to_hpa(__data_start), virt_to_hpa(__image_end), {.writable = true}},
    };
    int rc = pagetable_init(&hyp_pt, PT_HYPERVISOR, pool_alloc);

    if (!rc) {
        rc = hypmap_build(&hyp_pt, bi, image, ARRAY_SIZE(image));
    }
    if (!rc) {
        rc = map_device(plat->uart_hpa, PAGE_SIZE);
    }
    if (!rc) {
        rc = map_device(plat->gicd_hpa, plat->gicd_size);
    }
    if (!rc) {
        rc = map_device(plat->gicr_hpa, plat->gicr_size);
    }
    if (rc) {
        return rc;
    }
    mmu_regs.mair = MAIR_VALUE;
    mmu_regs.tcr = tcr_value();
    mmu_regs.ttbr0 = hyp_pt.root_hpa;
    mmu_regs.sctlr = SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I | SCTLR_WXN;
    dcache_invalidate_range(pt_pool, sizeof(pt_pool));
    /* Secondaries read these with their MMU off: push them out to memory. */
    dcache_clean_range(&mmu_regs, sizeof(mmu_regs));
    mmu_enable(&mmu_regs);
    return 0;
}

size_t mmu_nr_tables(void)
{
    return hyp_pt.nr_tables;
}
