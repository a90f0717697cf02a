/* SPDX-License-Identifier: MIT */
/*
 * Suite "pagetable": the generic four-level walker in hypervisor/pagetable.c, over the host
 * twin's entry format (guest trees take 1 GiB leaves, hypervisor trees 2 MiB). Tables come
 * from the host RAM window through host_pt_alloc(), so tests can count them and starve them.
 */
#include <inttypes.h>
#include <string.h>
#include <hv/frame.h>
#include <hv/page.h>
#include <hv/pagetable.h>
#include <public/axvm/errno.h>
#include <host.h>
#include <unit.h>

#define POOL_BASE  ((hpa_t)0x7f000000)
#define POOL_PAGES 1024
#define VA_TOP     ((uint64_t)1 << 48) /* four levels of 9 bits over 4 KiB pages */

static const struct pt_attr rw_nx = {.writable = true};
static const struct pt_attr rx = {.executable = true};
static const struct pt_attr rw_device = {.writable = true, .mem = PT_MEM_DEVICE};

static struct pagetable pt;

static void pagetable_setup(void)
{
    host_ram_setup(POOL_BASE, (uint64_t)POOL_PAGES * PAGE_SIZE);
    host_pt_reset();
    memset(&pt, 0, sizeof(pt));
}

static void pagetable_teardown(void)
{
    host_ram_teardown();
}

static void init_pt(enum pt_kind kind)
{
    host_pt_reset();
    CU_ASSERT_FATAL(pagetable_init(&pt, kind, host_pt_alloc) == 0);
}

static bool attr_equal(struct pt_attr a, struct pt_attr b)
{
    return a.writable == b.writable && a.executable == b.executable && a.mem == b.mem;
}

static const uint64_t *table_at(hpa_t hpa)
{
    return hpa_to_virt(hpa);
}

static unsigned int index_at(uint64_t va, unsigned int level)
{
    return (unsigned int)(va >> (PAGE_SHIFT + 9 * (level - 1))) & (PT_ENTRIES - 1);
}

/*
 * An oracle independent of the walker: decode the host twin's bits by hand.
 * Returns: the level of the leaf that maps va (1, 2 or 3), or 0 when nothing does.
 */
static unsigned int leaf_level(uint64_t va)
{
    const uint64_t *table = table_at(pt.root_hpa);

    for (unsigned int level = PT_LEVELS; level >= 1; level--) {
        uint64_t e = table[index_at(va, level)];

        if (!(e & HOST_PTE_PRESENT)) {
            return 0;
        }
        if (level == 1 || (e & HOST_PTE_LEAF)) {
            return level;
        }
        table = table_at(e & HOST_PTE_ADDR);
    }
    return 0;
}

/* Add the leaves of the table at hpa (at level) and below to nr_leaves[level]. */
static void count_leaves(hpa_t hpa, unsigned int level, size_t nr_leaves[PT_LEVELS + 1])
{
    const uint64_t *table = table_at(hpa);

    for (unsigned int i = 0; i < PT_ENTRIES; i++) {
        uint64_t e = table[i];

        if (!(e & HOST_PTE_PRESENT)) {
            continue;
        }
        if (level == 1 || (e & HOST_PTE_LEAF)) {
            nr_leaves[level]++;
        } else {
            count_leaves(e & HOST_PTE_ADDR, level - 1, nr_leaves);
        }
    }
}

static bool root_is_empty(void)
{
    const uint64_t *root = table_at(pt.root_hpa);

    for (unsigned int i = 0; i < PT_ENTRIES; i++) {
        if (root[i]) {
            return false;
        }
    }
    return true;
}

/* Does va translate to hpa with attr? */
static bool maps_to(uint64_t va, hpa_t hpa, struct pt_attr attr)
{
    hpa_t got = 0;
    struct pt_attr got_attr;

    return pagetable_lookup(&pt, va, &got, &got_attr) && got == hpa && attr_equal(got_attr, attr);
}

static bool is_mapped(uint64_t va)
{
    hpa_t hpa;
    struct pt_attr attr;

    return pagetable_lookup(&pt, va, &hpa, &attr);
}

/*
 * Check that [va, va+size) maps to [hpa, hpa+size) with attr: every page of small ranges, a
 * few hundred spread over large ones, and always the first and last byte.
 * Returns: how many probes failed; *first_bad_va is the first.
 */
static size_t count_bad_probes(uint64_t va, hpa_t hpa, uint64_t size, struct pt_attr attr,
                               uint64_t *first_bad_va)
{
    uint64_t step = MAX(PAGE_SIZE, ALIGN_DOWN(size / 512, PAGE_SIZE));
    size_t nr_bad = 0;

    for (uint64_t off = 0; off < size; off += step) {
        uint64_t probes[] = {off, off + 0x123, off + PAGE_SIZE - 1};

        for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
            if (!maps_to(va + probes[i], hpa + probes[i], attr) && nr_bad++ == 0) {
                *first_bad_va = va + probes[i];
            }
        }
    }
    if (!maps_to(va + size - 1, hpa + size - 1, attr) && nr_bad++ == 0) {
        *first_bad_va = va + size - 1;
    }
    return nr_bad;
}

#define CHECK_MAPS(what, va, hpa, size, attr)                                                \
    do {                                                                                     \
        uint64_t bad_va_ = 0;                                                                \
        size_t nr_bad_ = count_bad_probes((va), (hpa), (size), (attr), &bad_va_);            \
        UNIT_CHECK(nr_bad_ == 0, "%s: %zu probes wrong, the first at va 0x%" PRIx64, (what), \
                   nr_bad_, bad_va_);                                                        \
    } while (0)

static void test_pagetable_level_size_is_4k_2m_1g_512g(void)
{
    CU_ASSERT_EQUAL(pagetable_level_size(1), KIB(4));
    CU_ASSERT_EQUAL(pagetable_level_size(2), MIB(2));
    CU_ASSERT_EQUAL(pagetable_level_size(3), GIB(1));
    CU_ASSERT_EQUAL(pagetable_level_size(4), GIB(512));
}

static void test_pagetable_init_takes_one_zeroed_root(void)
{
    static const enum pt_kind kinds[] = {PT_HYPERVISOR, PT_GUEST};

    for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
        init_pt(kinds[i]);
        UNIT_CHECK(pt.kind == kinds[i] && pt.nr_tables == 1 && host_pt_nr_allocated() == 1,
                   "kind %d: %zu tables, %zu pages taken", (int)kinds[i], pt.nr_tables,
                   host_pt_nr_allocated());
        UNIT_CHECK(pt.root_hpa == POOL_BASE, "kind %d: root at 0x%" PRIx64, (int)kinds[i],
                   pt.root_hpa);
        UNIT_CHECK(root_is_empty(), "kind %d: the root still holds poison", (int)kinds[i]);
        CU_ASSERT_FALSE(is_mapped(0));
        CU_ASSERT_FALSE(is_mapped(GIB(1)));
        CU_ASSERT_FALSE(is_mapped(VA_TOP - PAGE_SIZE));
    }
}

static void test_pagetable_init_returns_the_allocator_error(void)
{
    host_pt_reset();
    host_pt_fail_after(0);
    CU_ASSERT_EQUAL(pagetable_init(&pt, PT_GUEST, host_pt_alloc), -AXVM_ENOMEM);
    CU_ASSERT_EQUAL(pt.nr_tables, 0);
}

static void test_pagetable_map_round_trips_at_every_level(void)
{
    static const struct {
        const char *name;
        enum pt_kind kind;
        uint64_t va;
        hpa_t hpa;
        uint64_t size;
        unsigned int level; /* of every leaf */
        size_t nr_tables;   /* root included */
    } cases[] = {
        {"4 KiB, guest", PT_GUEST, 0x1000, 0x5000, KIB(4), 1, 4},
        {"4 KiB, hypervisor", PT_HYPERVISOR, 0x1000, 0x5000, KIB(4), 1, 4},
        {"top page of the address space", PT_GUEST, VA_TOP - PAGE_SIZE, 0x123456789000, KIB(4), 1,
         4},
        {"2 MiB, guest", PT_GUEST, MIB(2), MIB(6), MIB(2), 2, 3},
        {"2 MiB, hypervisor", PT_HYPERVISOR, MIB(4), MIB(8), MIB(2), 2, 3},
        {"1 GiB, guest: one leaf", PT_GUEST, GIB(1), GIB(3), GIB(1), 3, 2},
        {"1 GiB, hypervisor: 512 leaves", PT_HYPERVISOR, GIB(1), GIB(3), GIB(1), 2, 3},
        {"4 GiB, guest, above 4 GiB", PT_GUEST, GIB(8), GIB(64), GIB(4), 3, 2},
        {"across a 512 GiB boundary", PT_GUEST, GIB(512) - MIB(2), MIB(100), MIB(4), 2, 5},
        {"52-bit host address", PT_GUEST, MIB(2), 0x000fffffffe00000, MIB(2), 2, 3},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint64_t va = cases[i].va, size = cases[i].size;
        int rc;

        init_pt(cases[i].kind);
        rc = pagetable_map(&pt, va, cases[i].hpa, size, rw_nx);
        UNIT_CHECK(rc == 0, "%s: rc %d", cases[i].name, rc);
        CHECK_MAPS(cases[i].name, va, cases[i].hpa, size, rw_nx);
        UNIT_CHECK(!is_mapped(va - 1), "%s: the byte below is mapped", cases[i].name);
        UNIT_CHECK(va + size >= VA_TOP || !is_mapped(va + size), "%s: the byte above is mapped",
                   cases[i].name);
        UNIT_CHECK(leaf_level(va) == cases[i].level && leaf_level(va + size - 1) == cases[i].level,
                   "%s: leaves at levels %u..%u, want %u", cases[i].name, leaf_level(va),
                   leaf_level(va + size - 1), cases[i].level);
        UNIT_CHECK(pt.nr_tables == cases[i].nr_tables &&
                       host_pt_nr_allocated() == cases[i].nr_tables,
                   "%s: %zu tables counted, %zu pages taken, want %zu", cases[i].name, pt.nr_tables,
                   host_pt_nr_allocated(), cases[i].nr_tables);
    }
}

static void test_pagetable_map_uses_the_largest_leaf_alignment_allows(void)
{
    /* Two pages, a gigabyte, two megabytes and a page; va and hpa equally aligned. */
    static const uint64_t size = 2 * KIB(4) + GIB(1) + MIB(2) + KIB(4);
    static const struct {
        const char *name;
        enum pt_kind kind;
        uint64_t va;
        hpa_t hpa;
        uint64_t size;
        size_t nr_leaves[PT_LEVELS + 1];
        size_t nr_tables;
    } cases[] = {
        {"guest", PT_GUEST, GIB(1) - 2 * KIB(4), GIB(5) - 2 * KIB(4), size, {0, 3, 1, 1, 0}, 6},
        {"hypervisor: no 1 GiB leaves",
         PT_HYPERVISOR,
         GIB(1) - 2 * KIB(4),
         GIB(5) - 2 * KIB(4),
         size,
         {0, 3, 513, 0, 0},
         7},
        {"hpa only page-aligned", PT_GUEST, GIB(1), GIB(1) + KIB(4), MIB(4), {0, 1024, 0, 0, 0}, 5},
        {"va only 2 MiB-aligned",
         PT_GUEST,
         GIB(1) + MIB(2),
         GIB(2) + MIB(2),
         GIB(1),
         {0, 0, 512, 0, 0},
         4},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        size_t nr_leaves[PT_LEVELS + 1] = {0};

        init_pt(cases[i].kind);
        CU_ASSERT_EQUAL_FATAL(pagetable_map(&pt, cases[i].va, cases[i].hpa, cases[i].size, rx), 0);
        CHECK_MAPS(cases[i].name, cases[i].va, cases[i].hpa, cases[i].size, rx);
        count_leaves(pt.root_hpa, PT_LEVELS, nr_leaves);
        UNIT_CHECK(memcmp(nr_leaves, cases[i].nr_leaves, sizeof(nr_leaves)) == 0,
                   "%s: %zu/%zu/%zu leaves of 4K/2M/1G, want %zu/%zu/%zu", cases[i].name,
                   nr_leaves[1], nr_leaves[2], nr_leaves[3], cases[i].nr_leaves[1],
                   cases[i].nr_leaves[2], cases[i].nr_leaves[3]);
        UNIT_CHECK(pt.nr_tables == cases[i].nr_tables, "%s: %zu tables, want %zu", cases[i].name,
                   pt.nr_tables, cases[i].nr_tables);
    }
}

static const struct {
    const char *name;
    uint64_t va;
    hpa_t hpa;
    uint64_t size;
} bad_ranges[] = {
    {"va not page-aligned", MIB(2) + 1, MIB(4), MIB(2)},
    {"va off by half a page", MIB(2) + 0x800, MIB(4), KIB(8)},
    {"hpa not page-aligned", MIB(2), MIB(4) + 0x10, MIB(2)},
    {"size not a whole page", MIB(2), MIB(4), KIB(6)},
    {"size of one byte", MIB(2), MIB(4), 1},
    {"va + size wraps", UINT64_MAX - KIB(4) + 1, MIB(4), KIB(8)},
    {"hpa + size wraps", MIB(2), UINT64_MAX - KIB(4) + 1, KIB(8)},
    {"size near 2^64", KIB(4), KIB(4), UINT64_MAX - KIB(4) + 1},
};

static void test_pagetable_map_rejects_bad_ranges_and_maps_nothing(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(bad_ranges); i++) {
        int rc;

        init_pt(PT_GUEST);
        rc = pagetable_map(&pt, bad_ranges[i].va, bad_ranges[i].hpa, bad_ranges[i].size, rw_nx);
        UNIT_CHECK(rc == -AXVM_EINVAL, "%s: rc %d", bad_ranges[i].name, rc);
        UNIT_CHECK(pt.nr_tables == 1 && host_pt_nr_allocated() == 1 && root_is_empty(),
                   "%s: %zu tables, root %s", bad_ranges[i].name, pt.nr_tables,
                   root_is_empty() ? "empty" : "written");
        UNIT_CHECK(!is_mapped(ALIGN_DOWN(bad_ranges[i].va, PAGE_SIZE)), "%s: va mapped",
                   bad_ranges[i].name);
    }
}

static void test_pagetable_map_of_zero_bytes_maps_nothing(void)
{
    init_pt(PT_GUEST);
    CU_ASSERT_EQUAL(pagetable_map(&pt, GIB(1), GIB(1), 0, rw_nx), 0);
    CU_ASSERT_EQUAL(pt.nr_tables, 1);
    CU_ASSERT_TRUE(root_is_empty());
}

static void test_pagetable_map_inside_a_2mib_leaf_splits_it_and_keeps_the_rest(void)
{
    static const struct pt_attr ro_x_device = {.executable = true, .mem = PT_MEM_DEVICE};
    const uint64_t va = MIB(4), page_va = MIB(4) + 5 * KIB(4);
    const hpa_t hpa = MIB(10);

    init_pt(PT_HYPERVISOR);
    CU_ASSERT_EQUAL_FATAL(pagetable_map(&pt, va, hpa, MIB(2), rw_nx), 0);
    CU_ASSERT_EQUAL_FATAL(leaf_level(va), 2);
    CU_ASSERT_EQUAL_FATAL(pt.nr_tables, 3);
    CU_ASSERT_EQUAL(pagetable_map(&pt, page_va, GIB(2), KIB(4), ro_x_device), 0);
    CU_ASSERT_EQUAL(pt.nr_tables, 4);
    CU_ASSERT(maps_to(page_va, GIB(2), ro_x_device));
    CU_ASSERT(maps_to(page_va + 0xfff, GIB(2) + 0xfff, ro_x_device));
    CHECK_MAPS("below the new page", va, hpa, page_va - va, rw_nx);
    CHECK_MAPS("above the new page", page_va + KIB(4), hpa + (page_va - va) + KIB(4),
               va + MIB(2) - page_va - KIB(4), rw_nx);
    CU_ASSERT_EQUAL(leaf_level(va), 1);
    CU_ASSERT_EQUAL(leaf_level(va + MIB(2) - 1), 1);
    CU_ASSERT_FALSE(is_mapped(va + MIB(2)));
}

static void test_pagetable_map_inside_a_1gib_leaf_splits_it_twice(void)
{
    const uint64_t va = GIB(2), page_va = GIB(2) + MIB(300) + 3 * KIB(4);
    const uint64_t region = ALIGN_DOWN(page_va, MIB(2));
    const hpa_t hpa = GIB(7);
    size_t bad_levels = 0;

    init_pt(PT_GUEST);
    CU_ASSERT_EQUAL_FATAL(pagetable_map(&pt, va, hpa, GIB(1), rx), 0);
    CU_ASSERT_EQUAL_FATAL(pt.nr_tables, 2);
    CU_ASSERT_EQUAL(pagetable_map(&pt, page_va, 0x1000, KIB(4), rw_device), 0);
    CU_ASSERT_EQUAL(pt.nr_tables, 4);
    CU_ASSERT(maps_to(page_va, 0x1000, rw_device));
    CHECK_MAPS("below the page's 2 MiB", va, hpa, region - va, rx);
    CHECK_MAPS("in the page's 2 MiB, below it", region, hpa + (region - va), page_va - region, rx);
    CHECK_MAPS("in the page's 2 MiB, above it", page_va + KIB(4), hpa + (page_va - va) + KIB(4),
               region + MIB(2) - page_va - KIB(4), rx);
    CHECK_MAPS("above the page's 2 MiB", region + MIB(2), hpa + (region - va) + MIB(2),
               va + GIB(1) - region - MIB(2), rx);
    for (uint64_t r = va; r < va + GIB(1); r += MIB(2)) {
        bad_levels += leaf_level(r) != (r == region ? 1u : 2u) ? 1 : 0;
    }
    CU_ASSERT_EQUAL(bad_levels, 0);
}

static void test_pagetable_map_over_existing_tables_uses_smaller_leaves(void)
{
    const uint64_t va = GIB(1), old_page = GIB(1) + MIB(2) + 7 * KIB(4);
    size_t nr_leaves[PT_LEVELS + 1] = {0};

    init_pt(PT_GUEST);
    CU_ASSERT_EQUAL_FATAL(pagetable_map(&pt, old_page, 0x9000, KIB(4), rw_device), 0);
    CU_ASSERT_EQUAL_FATAL(pt.nr_tables, 4);
    CU_ASSERT_EQUAL(pagetable_map(&pt, va, GIB(4), GIB(1), rw_nx), 0);
    CHECK_MAPS("the gigabyte", va, GIB(4), GIB(1), rw_nx);
    CU_ASSERT(maps_to(old_page, GIB(4) + (old_page - va), rw_nx));
    CU_ASSERT_EQUAL(leaf_level(va), 2);
    CU_ASSERT_EQUAL(leaf_level(va + MIB(2)), 1);
    CU_ASSERT_EQUAL(leaf_level(va + MIB(4)), 2);
    count_leaves(pt.root_hpa, PT_LEVELS, nr_leaves);
    CU_ASSERT(nr_leaves[1] == 512 && nr_leaves[2] == 511 && nr_leaves[3] == 0);
    CU_ASSERT_EQUAL(pt.nr_tables, 4);
}

static void test_pagetable_map_replaces_a_leaf_in_place(void)
{
    init_pt(PT_HYPERVISOR);
    CU_ASSERT_EQUAL_FATAL(pagetable_map(&pt, MIB(2), MIB(2), MIB(2), rw_nx), 0);
    CU_ASSERT_EQUAL_FATAL(pagetable_map(&pt, GIB(1), GIB(1), KIB(4), rw_nx), 0);
    CU_ASSERT_EQUAL_FATAL(pt.nr_tables, 5);
    CU_ASSERT_EQUAL(pagetable_map(&pt, MIB(2), GIB(3), MIB(2), rx), 0);
    CU_ASSERT_EQUAL(pagetable_map(&pt, GIB(1), 0x42000, KIB(4), rw_device), 0);
    CU_ASSERT_EQUAL(pt.nr_tables, 5);
    CHECK_MAPS("the 2 MiB leaf", MIB(2), GIB(3), MIB(2), rx);
    CU_ASSERT(maps_to(GIB(1), 0x42000, rw_device));
    CU_ASSERT_EQUAL(leaf_level(MIB(2)), 2);
}

static void test_pagetable_map_keeps_every_attribute_combination(void)
{
    static const enum pt_kind kinds[] = {PT_HYPERVISOR, PT_GUEST};
    static const uint64_t sizes[] = {KIB(4), MIB(2)};

    for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
        for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
            init_pt(kinds[k]);
            for (unsigned int bits = 0; bits < 8; bits++) {
                struct pt_attr attr = {
                    .writable = bits & 1,
                    .executable = (bits & 2) != 0,
                    .mem = bits & 4 ? PT_MEM_DEVICE : PT_MEM_NORMAL,
                };
                uint64_t va = GIB(1) + bits * sizes[s];
                hpa_t hpa = GIB(9) + (7 - bits) * sizes[s];

                CU_ASSERT_EQUAL_FATAL(pagetable_map(&pt, va, hpa, sizes[s], attr), 0);
            }
            for (unsigned int bits = 0; bits < 8; bits++) {
                struct pt_attr attr = {
                    .writable = bits & 1,
                    .executable = (bits & 2) != 0,
                    .mem = bits & 4 ? PT_MEM_DEVICE : PT_MEM_NORMAL,
                };
                uint64_t va = GIB(1) + bits * sizes[s];
                hpa_t hpa = GIB(9) + (7 - bits) * sizes[s];

                UNIT_CHECK(maps_to(va + sizes[s] - 1, hpa + sizes[s] - 1, attr),
                           "kind %d, %" PRIu64 "-byte leaf: w%d x%d %s came back different",
                           (int)kinds[k], sizes[s], attr.writable, attr.executable,
                           attr.mem == PT_MEM_DEVICE ? "device" : "normal");
                UNIT_CHECK(leaf_level(va) == (s == 0 ? 1u : 2u), "kind %d: leaf level %u",
                           (int)kinds[k], leaf_level(va));
            }
        }
    }
}

static void test_pagetable_map_without_tables_returns_enomem_and_keeps_what_was_mapped(void)
{
    int rc;

    /* Hypervisor: each gigabyte needs its own table of 2 MiB leaves. */
    init_pt(PT_HYPERVISOR);
    host_pt_fail_after(3); /* the level-3 table and two level-2 tables */
    rc = pagetable_map(&pt, GIB(1), GIB(1), GIB(3), rw_nx);
    CU_ASSERT_EQUAL(rc, -AXVM_ENOMEM);
    CHECK_MAPS("the first two gigabytes", GIB(1), GIB(1), GIB(2), rw_nx);
    CU_ASSERT_FALSE(is_mapped(GIB(3)));
    CU_ASSERT_FALSE(is_mapped(GIB(4) - 1));
    CU_ASSERT_EQUAL(pt.nr_tables, 4);

    /* Guest: 1 GiB leaves need nothing below the level-3 table. */
    init_pt(PT_GUEST);
    host_pt_fail_after(1);
    CU_ASSERT_EQUAL(pagetable_map(&pt, GIB(1), GIB(1), GIB(3), rw_nx), 0);
    CHECK_MAPS("three 1 GiB leaves", GIB(1), GIB(1), GIB(3), rw_nx);
    CU_ASSERT_EQUAL(pagetable_map(&pt, 0, 0, KIB(4), rw_nx), -AXVM_ENOMEM);
    CU_ASSERT_FALSE(is_mapped(0));
}

static void test_pagetable_map_cannot_split_without_memory_and_keeps_the_leaf(void)
{
    init_pt(PT_HYPERVISOR);
    CU_ASSERT_EQUAL_FATAL(pagetable_map(&pt, MIB(4), MIB(8), MIB(2), rw_nx), 0);
    host_pt_fail_after(0);
    CU_ASSERT_EQUAL(pagetable_map(&pt, MIB(5), 0x1000, KIB(4), rx), -AXVM_ENOMEM);
    CHECK_MAPS("the 2 MiB leaf", MIB(4), MIB(8), MIB(2), rw_nx);
    CU_ASSERT_EQUAL(leaf_level(MIB(4)), 2);
    CU_ASSERT_EQUAL(pt.nr_tables, 3);
}

static void test_pagetable_init_without_an_allocator_uses_frame_alloc(void)
{
    const hpa_t ram = GIB(2);
    struct boot_info bi;
    size_t nr_free;
    hpa_t hpa;

    host_ram_setup(ram, MIB(1));
    bootinfo_init(&bi);
    CU_ASSERT_FATAL(bootinfo_add_mem(&bi, ram, MIB(1), MEM_USABLE) == 0);
    CU_ASSERT_FATAL(frame_init(&bi) == 0);
    nr_free = frame_nr_free();
    CU_ASSERT_EQUAL_FATAL(pagetable_init(&pt, PT_GUEST, NULL), 0);
    CU_ASSERT_TRUE(frame_is_managed(pt.root_hpa));
    CU_ASSERT_EQUAL(frame_nr_free(), nr_free - 1);
    CU_ASSERT_TRUE(root_is_empty());
    CU_ASSERT_EQUAL(pagetable_map(&pt, GIB(1), ram, KIB(4), rw_nx), 0);
    CU_ASSERT_EQUAL(frame_nr_free(), nr_free - 4);
    CU_ASSERT(maps_to(GIB(1), ram, rw_nx));
    while (frame_alloc(1, 1, &hpa) == 0) {
    }
    CU_ASSERT_EQUAL(pagetable_map(&pt, GIB(5), ram, KIB(4), rw_nx), -AXVM_ENOMEM);
    CU_ASSERT_FALSE(is_mapped(GIB(5)));
    CU_ASSERT(maps_to(GIB(1), ram, rw_nx));
}

static void test_pagetable_merge_folds_only_tables_that_map_one_run(void)
{
    hpa_t freed[PT_LEVELS];
    size_t tables;

    init_pt(PT_GUEST);
    /* 2 MiB in 4 KiB leaves, one run: folds into a 2 MiB leaf, then (1 GiB of one run) no more */
    for (uint64_t off = 0; off < MIB(2); off += KIB(4)) {
        CU_ASSERT_FATAL(pagetable_map(&pt, GIB(1) + MIB(4) + off, GIB(3) + MIB(4) + off, KIB(4),
                                      rw_device) == 0);
    }
    tables = pt.nr_tables;
    CU_ASSERT_EQUAL(leaf_level(GIB(1) + MIB(4)), 1);
    CU_ASSERT_EQUAL(pagetable_merge(&pt, GIB(1) + MIB(5), freed, PT_LEVELS), 1);
    CU_ASSERT_EQUAL(pt.nr_tables, tables - 1);
    CU_ASSERT_EQUAL(leaf_level(GIB(1) + MIB(4)), 2);
    CU_ASSERT_EQUAL(leaf_level(GIB(1) + MIB(6)), 0); /* the level-2 table is not one run */
    /* one leaf of another kind, or one missing, keeps the table */
    CU_ASSERT_FATAL(pagetable_map(&pt, GIB(1) + MIB(8), GIB(3) + MIB(8), MIB(2), rw_device) == 0);
    CU_ASSERT_FATAL(
        pagetable_map(&pt, GIB(1) + MIB(8) + KIB(8), GIB(3) + MIB(8) + KIB(8), KIB(4), rw_nx) == 0);
    CU_ASSERT_EQUAL(pagetable_merge(&pt, GIB(1) + MIB(8), freed, PT_LEVELS), 0);
    CU_ASSERT_EQUAL(leaf_level(GIB(1) + MIB(8)), 1);
    CU_ASSERT_FATAL(pagetable_unmap(&pt, GIB(1) + MIB(8) + KIB(8), KIB(4)) == 0);
    CU_ASSERT_EQUAL(pagetable_merge(&pt, GIB(1) + MIB(8), freed, PT_LEVELS), 0);
    CU_ASSERT_FATAL(pagetable_map(&pt, GIB(1) + MIB(8) + KIB(8), GIB(3) + MIB(8) + KIB(8), KIB(4),
                                  rw_device) == 0);
    CU_ASSERT_EQUAL(pagetable_merge(&pt, GIB(1) + MIB(8), freed, 0), 0); /* no room: kept */
    CU_ASSERT_EQUAL(pagetable_merge(&pt, GIB(1) + MIB(8), freed, PT_LEVELS), 1);
    CU_ASSERT_EQUAL(leaf_level(GIB(1) + MIB(9)), 2);
    CU_ASSERT_EQUAL(pagetable_merge(&pt, GIB(9), freed, PT_LEVELS), 0); /* nothing mapped */
}

static CU_TestInfo pagetable_tests[] = {
    UNIT_TEST(test_pagetable_level_size_is_4k_2m_1g_512g),
    UNIT_TEST(test_pagetable_init_takes_one_zeroed_root),
    UNIT_TEST(test_pagetable_init_returns_the_allocator_error),
    UNIT_TEST(test_pagetable_map_round_trips_at_every_level),
    UNIT_TEST(test_pagetable_map_uses_the_largest_leaf_alignment_allows),
    UNIT_TEST(test_pagetable_map_rejects_bad_ranges_and_maps_nothing),
    UNIT_TEST(test_pagetable_map_of_zero_bytes_maps_nothing),
    UNIT_TEST(test_pagetable_map_inside_a_2mib_leaf_splits_it_and_keeps_the_rest),
    UNIT_TEST(test_pagetable_map_inside_a_1gib_leaf_splits_it_twice),
    UNIT_TEST(test_pagetable_map_over_existing_tables_uses_smaller_leaves),
    UNIT_TEST(test_pagetable_map_replaces_a_leaf_in_place),
    UNIT_TEST(test_pagetable_map_keeps_every_attribute_combination),
    UNIT_TEST(test_pagetable_map_without_tables_returns_enomem_and_keeps_what_was_mapped),
    UNIT_TEST(test_pagetable_map_cannot_split_without_memory_and_keeps_the_leaf),
    UNIT_TEST(test_pagetable_init_without_an_allocator_uses_frame_alloc),
    UNIT_TEST(test_pagetable_merge_folds_only_tables_that_map_one_run),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_pagetable = {
    "pagetable", NULL, NULL, pagetable_setup, pagetable_teardown, pagetable_tests,
};
UNIT_REGISTER_SUITE(unit_suite_pagetable);
