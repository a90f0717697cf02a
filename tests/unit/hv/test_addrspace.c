/* SPDX-License-Identifier: MIT */
/*
 * Suite "addrspace": a guest's physical address space in hypervisor/addrspace.c, over stage-2
 * tables from the generic walker and frames from the host RAM window. Mappings are checked
 * with pagetable_lookup(), guest copies byte by byte through the host view of each frame, and
 * every test that frees checks that every frame came back.
 */
#include <inttypes.h>
#include <string.h>
#include <hv/addrspace.h>
#include <hv/frame.h>
#include <hv/page.h>
#include <hv/vm_exit.h>
#include <public/axvm/errno.h>
#include <fake_vm.h>
#include <host.h>
#include <unit.h>

/* The layout most tests use (see add_layout()). */
#define RW_GPA      ((gpa_t)0)          /* ALLOC, read-write, eager */
#define RO_GPA      ((gpa_t)KIB(64))    /* ALLOC, read-only, eager; right after RW */
#define HOLE_GPA    ((gpa_t)KIB(128))   /* nothing up to PT_GPA */
#define PT_GPA      ((gpa_t)MIB(1))     /* PASSTHROUGH */
#define LAZY_GPA    ((gpa_t)MIB(2))     /* ALLOC, read-write, lazy */
#define ID_GPA      FAKE_IDENTICAL_HPA  /* IDENTICAL, read-write */
#define REGION_SIZE ((uint64_t)KIB(64)) /* of each */

static const struct pt_attr rw = {.writable = true};
static const struct pt_attr ro = {.writable = false};
static const struct pt_attr rwx = {.writable = true, .executable = true};

static struct addrspace as;
static struct fake_census before; /* before addrspace_init */

static void addrspace_setup(void)
{
    fake_memory_setup();
    before = fake_census_take();
    CU_ASSERT_FATAL(addrspace_init(&as) == 0);
}

static void addrspace_teardown(void)
{
    fake_memory_teardown();
}

static int add(gpa_t gpa, uint64_t size, enum region_kind kind, struct pt_attr attr, bool lazy)
{
    return addrspace_add_region(&as, gpa, size, kind, attr, lazy);
}

static void add_layout(void)
{
    CU_ASSERT_FATAL(add(RW_GPA, REGION_SIZE, REGION_ALLOC, rw, false) == 0);
    CU_ASSERT_FATAL(add(RO_GPA, REGION_SIZE, REGION_ALLOC, ro, false) == 0);
    CU_ASSERT_FATAL(add(PT_GPA, REGION_SIZE, REGION_PASSTHROUGH, rw, false) == 0);
    CU_ASSERT_FATAL(add(LAZY_GPA, REGION_SIZE, REGION_ALLOC, rw, true) == 0);
    CU_ASSERT_FATAL(add(ID_GPA, REGION_SIZE, REGION_IDENTICAL, rw, false) == 0);
}

static bool lookup(gpa_t gpa, hpa_t *hpa, struct pt_attr *attr)
{
    return pagetable_lookup(&as.pt, gpa, hpa, attr);
}

static bool is_mapped(gpa_t gpa)
{
    hpa_t hpa;
    struct pt_attr attr;

    return lookup(gpa, &hpa, &attr);
}

/* The host's view of the guest byte at gpa, or NULL when it is not mapped. */
static uint8_t *host_byte(gpa_t gpa)
{
    hpa_t hpa;
    struct pt_attr attr;

    return lookup(gpa, &hpa, &attr) ? hpa_to_virt(hpa) : NULL;
}

static void hog_frames_leaving(size_t n)
{
    fake_hog_frames_leaving(n);
    CU_ASSERT_FATAL(frame_nr_free() == n);
}

static void check_all_frames_back(const char *what)
{
    struct fake_census now = fake_census_take();

    UNIT_CHECK(fake_census_equal(now, before), "%s: %zu frames free, %zu before", what,
               now.nr_free_frames, before.nr_free_frames);
}

static void test_addrspace_init_takes_one_table_and_no_regions(void)
{
    CU_ASSERT_EQUAL(before.nr_free_frames - frame_nr_free(), 1);
    CU_ASSERT_EQUAL(as.nr_regions, 0);
    CU_ASSERT_EQUAL(as.pt.kind, PT_GUEST);
    CU_ASSERT_EQUAL(addrspace_nr_frames(&as), 0);
    CU_ASSERT_PTR_NULL(addrspace_find(&as, 0));
    addrspace_destroy(&as);
    check_all_frames_back("empty space destroyed");
}

static void test_addrspace_init_without_memory_returns_enomem_and_destroy_is_safe(void)
{
    addrspace_destroy(&as);
    hog_frames_leaving(0);
    CU_ASSERT_EQUAL(addrspace_init(&as), -AXVM_ENOMEM);
    addrspace_destroy(&as);
    CU_ASSERT_EQUAL(frame_nr_free(), 0);
    fake_release_hog();
    check_all_frames_back("after a failed init");
}

static void test_addrspace_add_region_rejects_bad_ranges_with_einval(void)
{
    static const struct {
        const char *what;
        gpa_t gpa;
        uint64_t size;
    } cases[] = {
        {"empty", 0x10000, 0},
        {"unaligned gpa", 0x10800, 0x1000},
        {"unaligned size", 0x10000, 0x1800},
        {"size of one byte", 0x10000, 1},
        {"wraps past 2^64", UINT64_MAX - 0xfff, 0x2000},
        {"ends past the walker's limit", PT_VA_LIMIT - 0x1000, 0x2000},
        {"starts at the walker's limit", PT_VA_LIMIT, 0x1000},
    };
    size_t free_frames = frame_nr_free();

    /* Lazy regions map nothing when added, so the walker cannot catch what was missed. */
    for (size_t i = 0; i < 2 * ARRAY_SIZE(cases); i++) {
        size_t c = i / 2;
        int rc = add(cases[c].gpa, cases[c].size, REGION_ALLOC, rw, i % 2 == 1);

        UNIT_CHECK(rc == -AXVM_EINVAL, "%s%s: rc %d", cases[c].what, i % 2 ? " (lazy)" : "", rc);
    }
    CU_ASSERT_EQUAL(as.nr_regions, 0);
    CU_ASSERT_EQUAL(frame_nr_free(), free_frames);
}

static void test_addrspace_add_region_ending_at_the_walker_limit_is_fine(void)
{
    CU_ASSERT_EQUAL(add(PT_VA_LIMIT - 0x2000, 0x2000, REGION_ALLOC, rw, true), 0);
    CU_ASSERT_EQUAL(addrspace_fault(&as, PT_VA_LIMIT - 1, VM_ACCESS_WRITE), 0);
    CU_ASSERT_TRUE(is_mapped(PT_VA_LIMIT - 1));
}

static void test_addrspace_add_region_overlapping_returns_eexist(void)
{
    static const struct {
        const char *what;
        gpa_t gpa;
        uint64_t size;
        enum region_kind kind;
        int rc;
    } cases[] = {
        {"the same range", MIB(1), MIB(1), REGION_ALLOC, -AXVM_EEXIST},
        {"inside", MIB(1) + KIB(4), KIB(4), REGION_IDENTICAL, -AXVM_EEXIST},
        {"over its first page", MIB(1) - KIB(4), KIB(8), REGION_PASSTHROUGH, -AXVM_EEXIST},
        {"over its last page", MIB(2) - KIB(4), KIB(8), REGION_ALLOC, -AXVM_EEXIST},
        {"around it", 0, MIB(4), REGION_ALLOC, -AXVM_EEXIST},
        {"right below", MIB(1) - KIB(4), KIB(4), REGION_ALLOC, 0},
        {"right above", MIB(2), KIB(4), REGION_PASSTHROUGH, 0},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        size_t free_frames;
        int rc;

        addrspace_destroy(&as);
        CU_ASSERT_FATAL(addrspace_init(&as) == 0);
        CU_ASSERT_FATAL(add(MIB(1), MIB(1), REGION_ALLOC, rw, true) == 0);
        free_frames = frame_nr_free();
        rc = add(cases[i].gpa, cases[i].size, cases[i].kind, rw, true);
        UNIT_CHECK(rc == cases[i].rc, "%s: rc %d, want %d", cases[i].what, rc, cases[i].rc);
        if (cases[i].rc) {
            UNIT_CHECK(as.nr_regions == 1 && frame_nr_free() == free_frames,
                       "%s: %u regions, %zu frames taken", cases[i].what, as.nr_regions,
                       free_frames - frame_nr_free());
        }
    }
}

static void test_addrspace_add_region_beyond_max_returns_enospc(void)
{
    for (uint64_t i = 0; i < ADDRSPACE_MAX_REGIONS; i++) {
        UNIT_CHECK(add(MIB(i), KIB(4), REGION_ALLOC, rw, true) == 0, "region %" PRIu64, i);
    }
    CU_ASSERT_EQUAL(add(MIB(100), KIB(4), REGION_ALLOC, rw, true), -AXVM_ENOSPC);
    CU_ASSERT_EQUAL(as.nr_regions, ADDRSPACE_MAX_REGIONS);
    CU_ASSERT_PTR_NULL(addrspace_find(&as, MIB(100)));
}

static void test_addrspace_add_region_alloc_maps_distinct_zeroed_frames(void)
{
    enum { NR_PAGES = 64 };
    hpa_t got[NR_PAGES];
    size_t nr_bad = 0;

    CU_ASSERT_FATAL(add(MIB(8), NR_PAGES * PAGE_SIZE, REGION_ALLOC, ro, false) == 0);
    CU_ASSERT_EQUAL(addrspace_nr_frames(&as), NR_PAGES);
    CU_ASSERT_EQUAL(as.regions[0].nr_populated, NR_PAGES);
    CU_ASSERT_FALSE(as.regions[0].lazy);
    for (size_t i = 0; i < NR_PAGES; i++) {
        gpa_t gpa = MIB(8) + i * PAGE_SIZE;
        struct pt_attr attr;
        const uint8_t *host;
        bool ok = lookup(gpa + 0x123, &got[i], &attr) && frame_is_managed(got[i]) &&
                  !attr.writable && !attr.executable && attr.mem == PT_MEM_NORMAL;

        for (size_t j = 0; ok && j < i; j++) {
            ok = ALIGN_DOWN(got[j], PAGE_SIZE) != ALIGN_DOWN(got[i], PAGE_SIZE);
        }
        host = ok ? hpa_to_virt(ALIGN_DOWN(got[i], PAGE_SIZE)) : NULL;
        for (size_t b = 0; ok && b < PAGE_SIZE; b++) {
            ok = host[b] == 0;
        }
        UNIT_CHECK(ok, "page %zu: unmapped, reused, with the wrong attributes or not zeroed", i);
        nr_bad += ok ? 0 : 1;
    }
    CU_ASSERT_EQUAL(nr_bad, 0);
    CU_ASSERT_FALSE(is_mapped(MIB(8) - 1));
    CU_ASSERT_FALSE(is_mapped(MIB(8) + NR_PAGES * PAGE_SIZE));
    CU_ASSERT(before.nr_free_frames - frame_nr_free() == NR_PAGES + as.pt.nr_tables);
}

static void test_addrspace_add_region_lazy_maps_nothing_until_a_fault(void)
{
    size_t free_frames, tables;

    CU_ASSERT_FATAL(add(LAZY_GPA, REGION_SIZE, REGION_ALLOC, rwx, true) == 0);
    CU_ASSERT_TRUE(as.regions[0].lazy);
    for (uint64_t off = 0; off < REGION_SIZE; off += PAGE_SIZE) {
        UNIT_CHECK(!is_mapped(LAZY_GPA + off), "page at +0x%" PRIx64 " mapped early", off);
    }
    CU_ASSERT_EQUAL(addrspace_nr_frames(&as), 0);
    free_frames = frame_nr_free();
    tables = as.pt.nr_tables;
    CU_ASSERT_EQUAL(addrspace_fault(&as, LAZY_GPA + 3 * PAGE_SIZE + 0x10, VM_ACCESS_WRITE), 0);
    CU_ASSERT_TRUE(is_mapped(LAZY_GPA + 3 * PAGE_SIZE));
    CU_ASSERT_FALSE(is_mapped(LAZY_GPA + 2 * PAGE_SIZE));
    CU_ASSERT_FALSE(is_mapped(LAZY_GPA + 4 * PAGE_SIZE));
    CU_ASSERT_EQUAL(addrspace_nr_frames(&as), 1);
    CU_ASSERT_EQUAL(*host_byte(LAZY_GPA + 3 * PAGE_SIZE + 0xfff), 0);
    /* A second fault on the page (another vCPU got there first) takes nothing. */
    CU_ASSERT_EQUAL(addrspace_fault(&as, LAZY_GPA + 3 * PAGE_SIZE, VM_ACCESS_EXEC), 0);
    CU_ASSERT_EQUAL(addrspace_nr_frames(&as), 1);
    CU_ASSERT_EQUAL(free_frames - frame_nr_free(), 1 + as.pt.nr_tables - tables);
}

static void test_addrspace_add_region_lazy_applies_to_alloc_regions_only(void)
{
    CU_ASSERT_FATAL(add(ID_GPA, REGION_SIZE, REGION_IDENTICAL, rw, true) == 0);
    CU_ASSERT_FALSE(as.regions[0].lazy);
    CU_ASSERT_TRUE(is_mapped(ID_GPA));
}

static void test_addrspace_add_region_identical_maps_gpa_to_the_same_hpa(void)
{
    size_t free_frames = frame_nr_free();
    size_t tables = as.pt.nr_tables;

    CU_ASSERT_FATAL(add(ID_GPA, MIB(1), REGION_IDENTICAL, rwx, false) == 0);
    for (uint64_t off = 0; off < MIB(1); off += 0x3000) {
        hpa_t hpa = 0;
        struct pt_attr attr;

        UNIT_CHECK(lookup(ID_GPA + off + 0x45, &hpa, &attr) && hpa == ID_GPA + off + 0x45 &&
                       attr.writable && attr.executable && attr.mem == PT_MEM_NORMAL,
                   "gpa 0x%" PRIx64 " maps to 0x%" PRIx64, ID_GPA + off + 0x45, hpa);
    }
    CU_ASSERT_EQUAL(addrspace_nr_frames(&as), 0);
    CU_ASSERT_EQUAL(free_frames - frame_nr_free(), as.pt.nr_tables - tables);
}

static void test_addrspace_add_region_passthrough_forces_device_memory(void)
{
    hpa_t hpa = 0;
    struct pt_attr attr = {0};

    CU_ASSERT_FATAL(add(PT_GPA, REGION_SIZE, REGION_PASSTHROUGH, rwx, false) == 0);
    CU_ASSERT_EQUAL(as.regions[0].attr.mem, PT_MEM_DEVICE);
    CU_ASSERT_TRUE(lookup(PT_GPA + 0x2010, &hpa, &attr));
    CU_ASSERT_EQUAL(hpa, PT_GPA + 0x2010);
    CU_ASSERT_EQUAL(attr.mem, PT_MEM_DEVICE);
    CU_ASSERT_TRUE(attr.writable);
    CU_ASSERT_FALSE(addrspace_is_ram(&as, PT_GPA, 1, VM_ACCESS_READ));
    CU_ASSERT_EQUAL(addrspace_nr_frames(&as), 0);
}

static void test_addrspace_find_matches_the_region_edges(void)
{
    static const struct {
        gpa_t gpa;
        int region; /* index in the layout order, -1: none */
    } cases[] = {
        {RW_GPA, 0},
        {RO_GPA - 1, 0},
        {RO_GPA, 1},
        {HOLE_GPA - 1, 1},
        {HOLE_GPA, -1},
        {PT_GPA - 1, -1},
        {PT_GPA, 2},
        {PT_GPA + REGION_SIZE - 1, 2},
        {PT_GPA + REGION_SIZE, -1},
        {LAZY_GPA + 0x1234, 3},
        {ID_GPA + REGION_SIZE - 1, 4},
        {ID_GPA + REGION_SIZE, -1},
        {UINT64_MAX, -1},
    };

    add_layout();
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const struct as_region *r = addrspace_find(&as, cases[i].gpa);
        const struct as_region *want = cases[i].region < 0 ? NULL : &as.regions[cases[i].region];

        UNIT_CHECK(r == want, "gpa 0x%" PRIx64 ": region %d, want %d", cases[i].gpa,
                   r ? (int)(r - as.regions) : -1, cases[i].region);
    }
}

static void test_addrspace_is_ram_checks_every_byte_and_the_access(void)
{
    static const struct {
        const char *what;
        gpa_t gpa;
        uint64_t len;
        unsigned int access;
        bool want;
    } cases[] = {
        {"read-write RAM, read", RW_GPA, REGION_SIZE, VM_ACCESS_READ, true},
        {"read-write RAM, write", RW_GPA + 5, 100, VM_ACCESS_WRITE, true},
        {"read-write RAM, exec (NX)", RW_GPA, 1, VM_ACCESS_EXEC, false},
        {"read-only RAM, read", RO_GPA, 8, VM_ACCESS_READ, true},
        {"read-only RAM, write", RO_GPA + 8, 8, VM_ACCESS_WRITE, false},
        {"across two RAM regions, read", RO_GPA - 4, 8, VM_ACCESS_READ, true},
        {"across two RAM regions, write", RO_GPA - 4, 8, VM_ACCESS_WRITE, false},
        {"last byte of RAM", HOLE_GPA - 1, 1, VM_ACCESS_READ, true},
        {"one byte into the hole", HOLE_GPA - 1, 2, VM_ACCESS_READ, false},
        {"in the hole", HOLE_GPA + 0x1000, 4, VM_ACCESS_READ, false},
        {"pass-through", PT_GPA, 4, VM_ACCESS_READ, false},
        {"lazy RAM not yet populated", LAZY_GPA, REGION_SIZE, VM_ACCESS_WRITE, true},
        {"identical RAM", ID_GPA + 0x10, 0x20, VM_ACCESS_WRITE, true},
        {"identical RAM into the hole above", ID_GPA + REGION_SIZE - 2, 4, VM_ACCESS_READ, false},
        {"nothing at the top", UINT64_MAX - 3, 4, VM_ACCESS_READ, false},
    };

    add_layout();
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        bool got = addrspace_is_ram(&as, cases[i].gpa, cases[i].len, cases[i].access);

        UNIT_CHECK(got == cases[i].want, "%s: %d", cases[i].what, got);
    }
}

static void test_addrspace_fault_outside_lazy_ram_returns_efault(void)
{
    static const struct {
        const char *what;
        gpa_t gpa;
        unsigned int access;
    } cases[] = {
        {"the hole", HOLE_GPA, VM_ACCESS_READ},
        {"pass-through", PT_GPA, VM_ACCESS_WRITE},
        {"identical RAM", ID_GPA, VM_ACCESS_READ},
        {"write to read-only RAM", RO_GPA + 0x10, VM_ACCESS_WRITE},
        {"exec from NX lazy RAM", LAZY_GPA, VM_ACCESS_EXEC},
        {"write to NX lazy RAM with exec", LAZY_GPA, VM_ACCESS_WRITE | VM_ACCESS_EXEC},
        {"the top", UINT64_MAX, VM_ACCESS_READ},
    };
    size_t free_frames;

    add_layout();
    free_frames = frame_nr_free();
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int rc = addrspace_fault(&as, cases[i].gpa, cases[i].access);

        UNIT_CHECK(rc == -AXVM_EFAULT, "%s: rc %d", cases[i].what, rc);
    }
    CU_ASSERT_EQUAL(frame_nr_free(), free_frames);
    CU_ASSERT_FALSE(is_mapped(LAZY_GPA));
}

static void test_addrspace_fault_without_a_free_frame_returns_enomem(void)
{
    CU_ASSERT_FATAL(add(LAZY_GPA, REGION_SIZE, REGION_ALLOC, rw, true) == 0);
    hog_frames_leaving(0);
    CU_ASSERT_EQUAL(addrspace_fault(&as, LAZY_GPA, VM_ACCESS_READ), -AXVM_ENOMEM);
    CU_ASSERT_FALSE(is_mapped(LAZY_GPA));
    CU_ASSERT_EQUAL(addrspace_nr_frames(&as), 0);
    fake_release_hog();
    CU_ASSERT_EQUAL(addrspace_fault(&as, LAZY_GPA, VM_ACCESS_READ), 0);
}

/* The page's frame comes first; when its tables then run out, the frame must go back. */
static void test_addrspace_fault_without_memory_for_tables_keeps_no_frame(void)
{
    CU_ASSERT_FATAL(add(GIB(3), REGION_SIZE, REGION_ALLOC, rw, true) == 0);
    hog_frames_leaving(1); /* the page needs three new tables under the root */
    CU_ASSERT_EQUAL(addrspace_fault(&as, GIB(3), VM_ACCESS_WRITE), -AXVM_ENOMEM);
    CU_ASSERT_FALSE(is_mapped(GIB(3)));
    CU_ASSERT_EQUAL(addrspace_nr_frames(&as), 0);
    CU_ASSERT_EQUAL(frame_nr_free() + (as.pt.nr_tables - 1), 1);
    fake_release_hog();
    addrspace_destroy(&as);
    check_all_frames_back("destroyed after the failed fault");
}

static void test_addrspace_add_region_enomem_undoes_the_region(void)
{
    size_t free_frames, tables;
    uint64_t size;
    int rc;

    CU_ASSERT_FATAL(add(RW_GPA, REGION_SIZE, REGION_ALLOC, rw, false) == 0);
    free_frames = frame_nr_free();
    tables = as.pt.nr_tables;
    size = (uint64_t)(free_frames + 8) * PAGE_SIZE;
    rc = add(MIB(64), size, REGION_ALLOC, rw, false);
    CU_ASSERT_EQUAL(rc, -AXVM_ENOMEM);
    CU_ASSERT_EQUAL(as.nr_regions, 1);
    CU_ASSERT_EQUAL(addrspace_nr_frames(&as), REGION_SIZE / PAGE_SIZE);
    CU_ASSERT_PTR_NULL(addrspace_find(&as, MIB(64)));
    for (uint64_t off = 0; off < size; off += MIB(1)) {
        UNIT_CHECK(!is_mapped(MIB(64) + off), "gpa 0x%" PRIx64 " still mapped", MIB(64) + off);
    }
    /* Only the tables it made stay, until the space goes. */
    CU_ASSERT_EQUAL(free_frames - frame_nr_free(), as.pt.nr_tables - tables);
    CU_ASSERT_TRUE(is_mapped(RW_GPA));
    CU_ASSERT_EQUAL(add(MIB(64), MIB(1), REGION_ALLOC, rw, false), 0);
    addrspace_destroy(&as);
    check_all_frames_back("destroyed after the failed region");
}

static void test_addrspace_add_region_identical_without_tables_maps_nothing(void)
{
    hog_frames_leaving(1);
    CU_ASSERT_EQUAL(add(ID_GPA, MIB(1), REGION_IDENTICAL, rw, false), -AXVM_ENOMEM);
    CU_ASSERT_EQUAL(as.nr_regions, 0);
    for (uint64_t off = 0; off < MIB(1); off += PAGE_SIZE) {
        UNIT_CHECK(!is_mapped(ID_GPA + off), "gpa 0x%" PRIx64 " still mapped", ID_GPA + off);
    }
    fake_release_hog();
    CU_ASSERT_EQUAL(add(ID_GPA, MIB(1), REGION_IDENTICAL, rw, false), 0);
    addrspace_destroy(&as);
    check_all_frames_back("destroyed after the failed region");
}

static void fill_pattern(uint8_t *buf, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(seed + i * 7 + (i >> 8));
    }
}

static void test_addrspace_write_then_read_round_trips_byte_by_byte(void)
{
    static const struct {
        const char *what;
        gpa_t gpa;
        size_t len;
    } cases[] = {
        {"one byte", RW_GPA + 0x10, 1},
        {"across a page boundary", RW_GPA + PAGE_SIZE - 3, 7},
        {"several pages from an odd offset", RW_GPA + 0x123, 3 * PAGE_SIZE + 0x321},
        {"the whole region", RW_GPA, REGION_SIZE},
        {"across two adjacent regions", RO_GPA - 0x20, 0x10},
        {"lazy RAM", LAZY_GPA + 0x1ffe, 0x1004},
        {"identical RAM", ID_GPA + 0xff0, 0x20},
    };
    static uint8_t in[KIB(64)], out[KIB(64)];

    CU_ASSERT_FATAL(add(RW_GPA, REGION_SIZE, REGION_ALLOC, rw, false) == 0);
    CU_ASSERT_FATAL(add(RO_GPA, REGION_SIZE, REGION_ALLOC, rw, false) == 0);
    CU_ASSERT_FATAL(add(LAZY_GPA, REGION_SIZE, REGION_ALLOC, rw, true) == 0);
    CU_ASSERT_FATAL(add(ID_GPA, REGION_SIZE, REGION_IDENTICAL, rw, false) == 0);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        size_t nr_bad = 0, first_bad = 0;

        fill_pattern(in, cases[i].len, (uint8_t)i);
        UNIT_CHECK(addrspace_write(&as, cases[i].gpa, in, cases[i].len) == 0, "%s: write failed",
                   cases[i].what);
        for (size_t b = 0; b < cases[i].len; b++) {
            const uint8_t *host = host_byte(cases[i].gpa + b);

            if ((!host || *host != in[b]) && nr_bad++ == 0) {
                first_bad = b;
            }
        }
        UNIT_CHECK(nr_bad == 0, "%s: %zu guest bytes wrong, the first at +%zu", cases[i].what,
                   nr_bad, first_bad);
        memset(out, 0, cases[i].len);
        UNIT_CHECK(addrspace_read(&as, out, cases[i].gpa, cases[i].len) == 0 &&
                       memcmp(in, out, cases[i].len) == 0,
                   "%s: read back differs", cases[i].what);
    }
}

static void test_addrspace_copy_populates_only_the_lazy_pages_it_touches(void)
{
    uint8_t buf[3] = {1, 2, 3};

    CU_ASSERT_FATAL(add(LAZY_GPA, REGION_SIZE, REGION_ALLOC, rw, true) == 0);
    CU_ASSERT_EQUAL(addrspace_write(&as, LAZY_GPA + 5 * PAGE_SIZE - 1, buf, sizeof(buf)), 0);
    CU_ASSERT_EQUAL(addrspace_nr_frames(&as), 2);
    CU_ASSERT_TRUE(is_mapped(LAZY_GPA + 4 * PAGE_SIZE));
    CU_ASSERT_TRUE(is_mapped(LAZY_GPA + 5 * PAGE_SIZE));
    CU_ASSERT_FALSE(is_mapped(LAZY_GPA + 6 * PAGE_SIZE));
    /* A fresh lazy page reads as zeros, never as what the frame held before. */
    memset(buf, 0xee, sizeof(buf));
    CU_ASSERT_EQUAL(addrspace_read(&as, buf, LAZY_GPA + 9 * PAGE_SIZE, sizeof(buf)), 0);
    CU_ASSERT(buf[0] == 0 && buf[1] == 0 && buf[2] == 0);
}

static void test_addrspace_copy_refuses_any_byte_outside_ram_with_efault(void)
{
    static const struct {
        const char *what;
        gpa_t gpa;
        size_t len;
        bool is_write;
    } cases[] = {
        {"read ending one byte into the hole", HOLE_GPA - 8, 9, false},
        {"write ending one byte into the hole", HOLE_GPA - 8, 9, true},
        {"read starting in the hole, ending in lazy RAM", LAZY_GPA - 4, 8, false},
        {"write starting in the hole, ending in lazy RAM", LAZY_GPA - 4, 8, true},
        {"write to read-only RAM", RO_GPA + 0x100, 4, true},
        {"write from read-write into read-only RAM", RO_GPA - 2, 4, true},
        {"read of pass-through", PT_GPA, 4, false},
        {"write of pass-through", PT_GPA + 0x10, 4, true},
        {"read wrapping past 2^64", UINT64_MAX - 1, 4, false},
        {"write wrapping past 2^64 into RAM at 0", UINT64_MAX - 1, 4, true},
        {"read of the last byte of the address space", UINT64_MAX, 1, false},
        {"read spanning a hole between RAM", RO_GPA + REGION_SIZE - 4, MIB(2), false},
    };
    static uint8_t buf[MIB(2)];
    size_t nr_changed = 0;

    add_layout();
    memset(hpa_to_virt(FAKE_IDENTICAL_HPA), 0x5a, REGION_SIZE);
    for (gpa_t gpa = RW_GPA; gpa < HOLE_GPA; gpa++) {
        *host_byte(gpa) = 0x5a;
    }
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int rc;

        memset(buf, 0xc3, cases[i].len);
        rc = cases[i].is_write ? addrspace_write(&as, cases[i].gpa, buf, cases[i].len)
                               : addrspace_read(&as, buf, cases[i].gpa, cases[i].len);
        UNIT_CHECK(rc == -AXVM_EFAULT, "%s: rc %d", cases[i].what, rc);
    }
    /* A refused write wrote nothing, not even the bytes that were RAM. */
    for (gpa_t gpa = RW_GPA; gpa < HOLE_GPA; gpa++) {
        nr_changed += *host_byte(gpa) != 0x5a ? 1 : 0;
    }
    CU_ASSERT_EQUAL(nr_changed, 0);
    CU_ASSERT_EQUAL(addrspace_nr_frames(&as), 2 * REGION_SIZE / PAGE_SIZE);
}

static void test_addrspace_copy_of_zero_bytes_succeeds_and_touches_nothing(void)
{
    uint8_t buf[1] = {0x77};

    add_layout();
    CU_ASSERT_EQUAL(addrspace_read(&as, buf, LAZY_GPA, 0), 0);
    CU_ASSERT_EQUAL(addrspace_write(&as, RW_GPA, buf, 0), 0);
    CU_ASSERT_EQUAL(buf[0], 0x77);
    CU_ASSERT_EQUAL(addrspace_nr_frames(&as), 2 * REGION_SIZE / PAGE_SIZE);
}

static void test_addrspace_nr_frames_counts_alloc_frames_only(void)
{
    add_layout();
    CU_ASSERT_EQUAL(addrspace_nr_frames(&as), 2 * REGION_SIZE / PAGE_SIZE);
    CU_ASSERT_EQUAL(addrspace_fault(&as, LAZY_GPA + PAGE_SIZE, VM_ACCESS_READ), 0);
    CU_ASSERT_EQUAL(addrspace_nr_frames(&as), 2 * REGION_SIZE / PAGE_SIZE + 1);
}

static void test_addrspace_destroy_returns_every_frame(void)
{
    uint8_t byte = 1;

    add_layout();
    CU_ASSERT_FATAL(add(GIB(2), MIB(4), REGION_ALLOC, rw, false) == 0);
    CU_ASSERT_FATAL(addrspace_write(&as, LAZY_GPA + 0x3000, &byte, 1) == 0);
    CU_ASSERT_FATAL(addrspace_fault(&as, LAZY_GPA + 0x9000, VM_ACCESS_READ) == 0);
    CU_ASSERT(frame_nr_free() < before.nr_free_frames - MIB(4) / PAGE_SIZE);
    addrspace_destroy(&as);
    CU_ASSERT_EQUAL(as.nr_regions, 0);
    check_all_frames_back("layout destroyed");
}

/* addrspace_restore(), freeing the tables it unhooked. Returns: its result; *nr: how many. */
static int restore(gpa_t gpa, uint64_t size, unsigned int *nr)
{
    hpa_t freed[8];
    unsigned int n = 8;
    int rc = addrspace_restore(&as, gpa, size, freed, &n);

    for (unsigned int i = 0; i < n; i++) {
        frame_free(freed[i], 1);
    }
    if (nr) {
        *nr = n;
    }
    return rc;
}

static void test_addrspace_revoke_unmaps_a_passthrough_range_until_restored(void)
{
    unsigned int nr = 99;
    hpa_t hpa = 0;
    struct pt_attr attr = {0};

    add_layout();
    CU_ASSERT_EQUAL(addrspace_revoke(&as, PT_GPA + 0x2000, 0x2000), 0);
    CU_ASSERT_FALSE(is_mapped(PT_GPA + 0x2000));
    CU_ASSERT_FALSE(is_mapped(PT_GPA + 0x3ff8));
    CU_ASSERT_TRUE(is_mapped(PT_GPA + 0x1ff8));
    CU_ASSERT_TRUE(is_mapped(PT_GPA + 0x4000));
    CU_ASSERT_PTR_EQUAL(addrspace_find(&as, PT_GPA + 0x2000), &as.regions[2]); /* still its */
    /* taken once: again, or overlapping, is busy */
    CU_ASSERT_EQUAL(addrspace_revoke(&as, PT_GPA + 0x2000, 0x1000), -AXVM_EBUSY);
    CU_ASSERT_EQUAL(addrspace_revoke(&as, PT_GPA + 0x1000, 0x2000), -AXVM_EBUSY);
    CU_ASSERT_TRUE(is_mapped(PT_GPA + 0x1000));
    /* given back only as taken */
    CU_ASSERT_EQUAL(restore(PT_GPA + 0x2000, 0x1000, NULL), -AXVM_ENOENT);
    CU_ASSERT_EQUAL(restore(PT_GPA + 0x2000, 0x2000, &nr), 0);
    CU_ASSERT_EQUAL(nr, 0); /* its table maps RAM too: nothing to fold */
    CU_ASSERT_TRUE(lookup(PT_GPA + 0x3010, &hpa, &attr));
    CU_ASSERT_EQUAL(hpa, PT_GPA + 0x3010);
    CU_ASSERT_EQUAL(attr.mem, PT_MEM_DEVICE);
    CU_ASSERT_TRUE(attr.writable);
    CU_ASSERT_EQUAL(restore(PT_GPA + 0x2000, 0x2000, &nr), -AXVM_ENOENT);
    CU_ASSERT_EQUAL(nr, 0);
    CU_ASSERT_EQUAL(addrspace_revoke(&as, PT_GPA + 0x2000, 0x1000), 0); /* free again */
    addrspace_destroy(&as);
    check_all_frames_back("destroyed with a range taken");
}

static void test_addrspace_revoke_takes_only_from_passthrough_regions(void)
{
    add_layout();
    CU_ASSERT_EQUAL(addrspace_revoke(&as, RW_GPA, PAGE_SIZE), -AXVM_EBUSY);   /* RAM */
    CU_ASSERT_EQUAL(addrspace_revoke(&as, ID_GPA, PAGE_SIZE), -AXVM_EBUSY);   /* RAM */
    CU_ASSERT_EQUAL(addrspace_revoke(&as, HOLE_GPA, PAGE_SIZE), -AXVM_EBUSY); /* nothing */
    CU_ASSERT_EQUAL(addrspace_revoke(&as, PT_GPA + REGION_SIZE - PAGE_SIZE, 2 * PAGE_SIZE),
                    -AXVM_EBUSY); /* past its end */
    CU_ASSERT_EQUAL(addrspace_revoke(&as, PT_GPA + 0x10, PAGE_SIZE), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(addrspace_revoke(&as, PT_GPA, 0), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(addrspace_revoke(&as, PT_GPA, (uint64_t)0 - PAGE_SIZE), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(as.nr_revoked, 0);
    CU_ASSERT_TRUE(is_mapped(RW_GPA));
    CU_ASSERT_TRUE(is_mapped(PT_GPA + REGION_SIZE - PAGE_SIZE));
    for (unsigned int i = 0; i < ADDRSPACE_MAX_REVOKED; i++) {
        CU_ASSERT_EQUAL(addrspace_revoke(&as, PT_GPA + i * PAGE_SIZE, PAGE_SIZE), 0);
    }
    CU_ASSERT_EQUAL(addrspace_revoke(&as, PT_GPA + ADDRSPACE_MAX_REVOKED * PAGE_SIZE, PAGE_SIZE),
                    -AXVM_ENOSPC);
}

static void test_addrspace_revoke_splits_a_large_mapping_and_restore_folds_it_back(void)
{
    size_t tables, free_before;
    hpa_t hpa = 0, freed[8];
    unsigned int nr = 8;
    struct pt_attr attr = {0};

    CU_ASSERT_FATAL(add(GIB(1), GIB(1), REGION_PASSTHROUGH, rw, false) == 0);
    tables = as.pt.nr_tables;
    free_before = frame_nr_free();
    CU_ASSERT_EQUAL(addrspace_revoke(&as, GIB(1) + MIB(401), PAGE_SIZE), 0);
    CU_ASSERT_EQUAL(as.pt.nr_tables, tables + 2); /* 1 GiB, then 2 MiB, split */
    CU_ASSERT_FALSE(is_mapped(GIB(1) + MIB(401)));
    CU_ASSERT_TRUE(lookup(GIB(1) + MIB(401) + PAGE_SIZE, &hpa, &attr));
    CU_ASSERT_EQUAL(hpa, GIB(1) + MIB(401) + PAGE_SIZE);
    CU_ASSERT_TRUE(lookup(GIB(1) + MIB(3), &hpa, &attr));
    CU_ASSERT_EQUAL(hpa, GIB(1) + MIB(3));
    hog_frames_leaving(0);
    CU_ASSERT_EQUAL(addrspace_restore(&as, GIB(1) + MIB(401), PAGE_SIZE, freed, &nr), 0);
    CU_ASSERT_EQUAL(nr, 2); /* folded back into the 1 GiB leaf */
    CU_ASSERT_EQUAL(as.pt.nr_tables, tables);
    CU_ASSERT_TRUE(lookup(GIB(1) + MIB(401) + 0x18, &hpa, &attr));
    CU_ASSERT_EQUAL(hpa, GIB(1) + MIB(401) + 0x18);
    CU_ASSERT_EQUAL(attr.mem, PT_MEM_DEVICE);
    CU_ASSERT_TRUE(attr.writable);
    CU_ASSERT_TRUE(lookup(GIB(2) - PAGE_SIZE, &hpa, &attr));
    CU_ASSERT_EQUAL(hpa, GIB(2) - PAGE_SIZE);
    fake_release_hog();
    for (unsigned int i = 0; i < nr; i++) {
        frame_free(freed[i], 1);
    }
    CU_ASSERT_EQUAL(frame_nr_free(), free_before); /* every table it split came back */
    /* a restore with no room for the tables' addresses folds nothing */
    CU_ASSERT_EQUAL(addrspace_revoke(&as, GIB(1), PAGE_SIZE), 0);
    nr = 0;
    CU_ASSERT_EQUAL(addrspace_restore(&as, GIB(1), PAGE_SIZE, freed, &nr), 0);
    CU_ASSERT_EQUAL(nr, 0);
    CU_ASSERT_TRUE(is_mapped(GIB(1)));
    addrspace_destroy(&as);
    check_all_frames_back("destroyed after the split");
}

static void test_addrspace_revoke_without_memory_for_a_split_keeps_it_mapped(void)
{
    CU_ASSERT_FATAL(add(GIB(1), GIB(1), REGION_PASSTHROUGH, rw, false) == 0);
    hog_frames_leaving(1); /* the 1 GiB split, not the 2 MiB one */
    CU_ASSERT_EQUAL(addrspace_revoke(&as, GIB(1) + MIB(401), PAGE_SIZE), -AXVM_ENOMEM);
    CU_ASSERT_TRUE(is_mapped(GIB(1) + MIB(401)));
    CU_ASSERT_EQUAL(as.nr_revoked, 0);
    fake_release_hog();
    CU_ASSERT_EQUAL(addrspace_revoke(&as, GIB(1) + MIB(401), PAGE_SIZE), 0);
    addrspace_destroy(&as);
    check_all_frames_back("destroyed after the failed split");
}

static CU_TestInfo addrspace_tests[] = {
    UNIT_TEST(test_addrspace_init_takes_one_table_and_no_regions),
    UNIT_TEST(test_addrspace_init_without_memory_returns_enomem_and_destroy_is_safe),
    UNIT_TEST(test_addrspace_add_region_rejects_bad_ranges_with_einval),
    UNIT_TEST(test_addrspace_add_region_ending_at_the_walker_limit_is_fine),
    UNIT_TEST(test_addrspace_add_region_overlapping_returns_eexist),
    UNIT_TEST(test_addrspace_add_region_beyond_max_returns_enospc),
    UNIT_TEST(test_addrspace_add_region_alloc_maps_distinct_zeroed_frames),
    UNIT_TEST(test_addrspace_add_region_lazy_maps_nothing_until_a_fault),
    UNIT_TEST(test_addrspace_add_region_lazy_applies_to_alloc_regions_only),
    UNIT_TEST(test_addrspace_add_region_identical_maps_gpa_to_the_same_hpa),
    UNIT_TEST(test_addrspace_add_region_passthrough_forces_device_memory),
    UNIT_TEST(test_addrspace_find_matches_the_region_edges),
    UNIT_TEST(test_addrspace_is_ram_checks_every_byte_and_the_access),
    UNIT_TEST(test_addrspace_fault_outside_lazy_ram_returns_efault),
    UNIT_TEST(test_addrspace_fault_without_a_free_frame_returns_enomem),
    UNIT_TEST(test_addrspace_fault_without_memory_for_tables_keeps_no_frame),
    UNIT_TEST(test_addrspace_add_region_enomem_undoes_the_region),
    UNIT_TEST(test_addrspace_add_region_identical_without_tables_maps_nothing),
    UNIT_TEST(test_addrspace_write_then_read_round_trips_byte_by_byte),
    UNIT_TEST(test_addrspace_copy_populates_only_the_lazy_pages_it_touches),
    UNIT_TEST(test_addrspace_copy_refuses_any_byte_outside_ram_with_efault),
    UNIT_TEST(test_addrspace_copy_of_zero_bytes_succeeds_and_touches_nothing),
    UNIT_TEST(test_addrspace_nr_frames_counts_alloc_frames_only),
    UNIT_TEST(test_addrspace_destroy_returns_every_frame),
    UNIT_TEST(test_addrspace_revoke_unmaps_a_passthrough_range_until_restored),
    UNIT_TEST(test_addrspace_revoke_takes_only_from_passthrough_regions),
    UNIT_TEST(test_addrspace_revoke_splits_a_large_mapping_and_restore_folds_it_back),
    UNIT_TEST(test_addrspace_revoke_without_memory_for_a_split_keeps_it_mapped),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_addrspace = {"addrspace",        NULL,           NULL, addrspace_setup,
                                     addrspace_teardown, addrspace_tests};
UNIT_REGISTER_SUITE(unit_suite_addrspace);
