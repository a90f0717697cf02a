/* SPDX-License-Identifier: MIT */
/*
 * Suite "frame": the bitmap frame allocator in hypervisor/frame.c, over a host RAM window.
 * Memory maps are checked against a per-frame model of what the map allows, by allocating
 * every frame and looking at what comes out.
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <hv/cpu.h>
#include <hv/frame.h>
#include <hv/log.h>
#include <hv/page.h>
#include <public/axvm/errno.h>
#include <host.h>
#include <unit.h>

/* Frame 0x40003 is a multiple of no alignment above 1, so alignment must use absolute frames. */
#define RAM_BASE   ((uint64_t)0x40003000)
#define RAM_FRAMES 1024
#define RAM_SIZE   ((uint64_t)RAM_FRAMES * PAGE_SIZE)
#define F(n)       ((uint64_t)(n)*PAGE_SIZE) /* n frames, in bytes */
#define AT(offset) (RAM_BASE + (offset))     /* an offset into the RAM window, as an hpa */
/* Entries of the lists in a map_spec; END ends each list. */
#define USABLE(offset, size)         \
    {                                \
        (offset), (size), MEM_USABLE \
    }
#define EXCLUDED(offset, size)         \
    {                                  \
        (offset), (size), MEM_RESERVED \
    }
#define END                \
    {                      \
        0, 0, MEM_RESERVED \
    }

static struct boot_info bi;
static hpa_t got[RAM_FRAMES + 1]; /* what alloc_all() received, ascending */

static void frame_setup(void)
{
    bootinfo_init(&bi);
    host_ram_setup(RAM_BASE, RAM_SIZE);
    log_set_level(LOG_LEVEL_INFO);
    host_console_clear();
}

static void frame_teardown(void)
{
    host_ram_teardown();
}

/* A memory map with offsets into the RAM window; each list ends with a size-0 entry. */
struct map_spec {
    const char *name;
    struct mem_range mem[8];
    struct mem_range modules[4]; /* type unused */
    struct mem_range reserved[4];
};

static void build_map(const struct map_spec *spec)
{
    bootinfo_init(&bi);
    for (const struct mem_range *r = spec->mem; r->size_bytes; r++) {
        CU_ASSERT_FATAL(bootinfo_add_mem(&bi, AT(r->base), r->size_bytes, r->type) == 0);
    }
    for (const struct mem_range *r = spec->modules; r->size_bytes; r++) {
        CU_ASSERT_FATAL(
            bootinfo_add_module(&bi, AT(r->base), AT(r->base + r->size_bytes), "m", 1) == 0);
    }
    for (const struct mem_range *r = spec->reserved; r->size_bytes; r++) {
        CU_ASSERT_FATAL(bootinfo_add_reserved(&bi, AT(r->base), r->size_bytes) == 0);
    }
}

static void add_usable(uint64_t offset, uint64_t size_bytes)
{
    CU_ASSERT_FATAL(bootinfo_add_mem(&bi, AT(offset), size_bytes, MEM_USABLE) == 0);
}

static bool overlaps(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
    return a < b + b_size && b < a + a_size;
}

/* The model: the frame at hpa lies wholly in usable RAM and touches nothing excluded. */
static bool map_allows(hpa_t hpa)
{
    bool usable = false;

    for (unsigned int i = 0; i < bi.nr_mem; i++) {
        const struct mem_range *r = &bi.mem[i];

        if (r->type == MEM_USABLE) {
            usable |= r->base <= hpa && hpa + PAGE_SIZE <= r->base + r->size_bytes;
        } else if (overlaps(hpa, PAGE_SIZE, r->base, r->size_bytes)) {
            return false;
        }
    }
    for (unsigned int i = 0; i < bi.nr_modules; i++) {
        const struct boot_module *m = &bi.modules[i];

        if (overlaps(hpa, PAGE_SIZE, m->start, m->end - m->start)) {
            return false;
        }
    }
    for (unsigned int i = 0; i < bi.nr_reserved; i++) {
        if (overlaps(hpa, PAGE_SIZE, bi.reserved[i].base, bi.reserved[i].size_bytes)) {
            return false;
        }
    }
    return usable;
}

static size_t map_allowed_frames(void)
{
    size_t n = 0;

    for (size_t i = 0; i < RAM_FRAMES; i++) {
        n += map_allows(AT(F(i))) ? 1 : 0;
    }
    return n;
}

/* Allocate single frames until the allocator runs dry. Returns: how many, in got[]. */
static size_t alloc_all(void)
{
    size_t n = 0;

    while (n < ARRAY_SIZE(got) && frame_alloc(1, 1, &got[n]) == 0) {
        n++;
    }
    return n;
}

static void free_all(size_t n)
{
    for (size_t i = 0; i < n; i++) {
        frame_free(got[i], 1);
    }
}

/* Index of the first frame in got[0..n) the model forbids or that is out of order, or n. */
static size_t first_bad_frame(size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!map_allows(got[i]) || (i > 0 && got[i] <= got[i - 1])) {
            return i;
        }
    }
    return n;
}

/*
 * After frame_init(&bi): every frame handed out is one the model allows, lowest first, and
 * all the model allows is handed out except the bitmaps (one bit per frame, twice: for a
 * window this small, one or two frames).
 */
static void check_hands_out_only_allowed(const char *name)
{
    size_t allowed = map_allowed_frames();
    size_t managed = frame_nr_managed();
    size_t n = alloc_all();
    size_t bad = first_bad_frame(n);

    UNIT_CHECK(n == managed && frame_nr_free() == 0, "%s: handed out %zu, manages %zu, %zu free",
               name, n, managed, frame_nr_free());
    UNIT_CHECK(managed < allowed && allowed - managed <= 2,
               "%s: the map allows %zu frames, the allocator manages %zu", name, allowed, managed);
    UNIT_CHECK(bad == n, "%s: frame 0x%" PRIx64 " (#%zu) is excluded or out of order", name,
               bad < n ? got[bad] : 0, bad);
}

static const struct map_spec good_maps[] = {
    {.name = "several ranges with holes",
     .mem = {USABLE(0, F(100)), USABLE(F(200), F(100)), USABLE(F(500), F(524)), END}},
    {.name = "unsorted",
     .mem = {USABLE(F(600), F(100)), USABLE(0, F(50)), USABLE(F(300), F(100)), END}},
    {.name = "overlapping usable ranges",
     .mem = {USABLE(0, F(100)), USABLE(F(50), F(100)), USABLE(F(140), F(20)), USABLE(F(10), F(10)),
             END}},
    {.name = "non-usable ranges over usable ones, in any order",
     .mem = {{F(100), F(1), MEM_ACPI_RECLAIM},
             USABLE(0, F(400)),
             {F(10) + 0x800, F(2), MEM_RESERVED},
             {F(200) - 1, 2, MEM_ACPI_NVS},
             {F(300), F(10), MEM_BAD},
             END}},
    {.name = "unaligned range edges",
     .mem = {USABLE(0x800, F(100)), USABLE(F(200) + 1, F(100) - 2), END}},
    {.name = "modules",
     .mem = {USABLE(0, F(512)), END},
     .modules = {EXCLUDED(F(20) + 0x10, F(2) - 0x20), EXCLUDED(F(100), F(64)), EXCLUDED(F(300), 1),
                 END}},
    {.name = "reserved ranges, one where the bitmaps would go",
     .mem = {USABLE(0, F(512)), END},
     .reserved = {EXCLUDED(0, F(4)), EXCLUDED(F(250) + 0x123, 0x2000), EXCLUDED(F(511), F(1)),
                  END}},
    {.name = "first range too small for the bitmaps",
     .mem = {USABLE(0, F(1)), USABLE(F(10), F(90)), END}},
    {.name = "everything at once",
     .mem = {USABLE(F(700), F(324)),
             {F(690), F(20), MEM_RESERVED},
             USABLE(0x10, F(300)),
             USABLE(F(150), F(100)),
             {F(400), F(5), MEM_BAD},
             END},
     .modules = {EXCLUDED(F(5), F(3)), EXCLUDED(F(1000), F(1)), END},
     .reserved = {EXCLUDED(F(160), 0x10), EXCLUDED(F(720), F(16)), END}},
};

static void test_frame_init_hands_out_only_frames_the_map_allows(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(good_maps); i++) {
        build_map(&good_maps[i]);
        UNIT_CHECK(frame_init(&bi) == 0, "%s: frame_init failed", good_maps[i].name);
        check_hands_out_only_allowed(good_maps[i].name);
    }
}

static void test_frame_init_empty_map_returns_einval(void)
{
    CU_ASSERT_EQUAL(frame_init(&bi), -AXVM_EINVAL);
    CU_ASSERT_EQUAL(frame_nr_managed(), 0);
    CU_ASSERT_EQUAL(frame_nr_free(), 0);
}

static void test_frame_init_map_without_a_whole_usable_frame_returns_einval(void)
{
    static const struct map_spec maps[] = {
        {.name = "only reserved",
         .mem = {{0, F(64), MEM_RESERVED}, {F(64), F(1), MEM_ACPI_NVS}, END}},
        {.name = "less than a frame", .mem = {USABLE(0, F(1) - 1), END}},
        {.name = "straddling two frames", .mem = {USABLE(0x800, F(1)), END}},
    };

    for (size_t i = 0; i < ARRAY_SIZE(maps); i++) {
        build_map(&maps[i]);
        UNIT_CHECK(frame_init(&bi) == -AXVM_EINVAL, "%s: not -AXVM_EINVAL", maps[i].name);
    }
}

/* One-frame ranges a gigabyte apart: the bitmaps need hundreds of KiB in one piece. */
static void test_frame_init_fragmented_map_returns_enomem(void)
{
    for (uint64_t i = 0; i < 8; i++) {
        add_usable(GIB(i), F(1));
    }
    CU_ASSERT_EQUAL(frame_init(&bi), -AXVM_ENOMEM);
}

static void test_frame_init_excludes_partial_frames_at_unaligned_edges(void)
{
    add_usable(0x800, F(10));
    CU_ASSERT_EQUAL_FATAL(frame_init(&bi), 0);
    CU_ASSERT_FALSE(frame_is_managed(AT(0)));
    CU_ASSERT_FALSE(frame_is_managed(AT(0xfff)));
    CU_ASSERT_FALSE(frame_is_managed(AT(F(10))));
    CU_ASSERT_EQUAL(map_allowed_frames(), 9);
    check_hands_out_only_allowed("one range with unaligned edges");
}

/* If the bitmaps were handed out, writing every frame would corrupt them and free would panic. */
static void write_and_free_all(void *ctx)
{
    const int *fill = ctx;
    size_t n = alloc_all();

    for (size_t i = 0; i < n; i++) {
        memset(hpa_to_virt(got[i]), *fill, (size_t)PAGE_SIZE);
    }
    free_all(n);
}

static void test_frame_init_keeps_the_bitmaps_out_of_the_pool(void)
{
    static const int fills[] = {0x00, 0xff, 0x00};

    add_usable(0, RAM_SIZE);
    CU_ASSERT_EQUAL_FATAL(frame_init(&bi), 0);
    for (size_t i = 0; i < ARRAY_SIZE(fills); i++) {
        UNIT_CHECK(!host_cpu_halts(write_and_free_all, (void *)&fills[i]),
                   "fill 0x%02x: freeing panicked", fills[i]);
        UNIT_CHECK(frame_nr_free() == frame_nr_managed(), "fill 0x%02x: %zu of %zu free", fills[i],
                   frame_nr_free(), frame_nr_managed());
    }
    CU_ASSERT_EQUAL(alloc_all(), frame_nr_managed());
}

static void test_frame_init_again_starts_afresh(void)
{
    hpa_t hpa;

    add_usable(0, F(64));
    CU_ASSERT_EQUAL_FATAL(frame_init(&bi), 0);
    CU_ASSERT_EQUAL(frame_alloc(8, 1, &hpa), 0);
    CU_ASSERT_EQUAL(frame_init(&bi), 0);
    CU_ASSERT_EQUAL(frame_nr_free(), frame_nr_managed());
    CU_ASSERT_EQUAL(alloc_all(), frame_nr_managed());
}

static void test_frame_is_managed_matches_the_map(void)
{
    size_t mismatches = 0;

    build_map(&good_maps[ARRAY_SIZE(good_maps) - 1]);
    CU_ASSERT_EQUAL_FATAL(frame_init(&bi), 0);
    alloc_all(); /* allocated frames stay managed */
    for (size_t i = 0; i < RAM_FRAMES; i++) {
        hpa_t hpa = AT(F(i));

        UNIT_CHECK(!frame_is_managed(hpa) || map_allows(hpa), "frame 0x%" PRIx64 " is managed",
                   hpa);
        UNIT_CHECK(frame_is_managed(hpa) == frame_is_managed(hpa + 0xabc), "frame 0x%" PRIx64, hpa);
        mismatches += map_allows(hpa) && !frame_is_managed(hpa) ? 1 : 0;
    }
    CU_ASSERT(mismatches >= 1 && mismatches <= 2); /* the bitmaps */
    CU_ASSERT_FALSE(frame_is_managed(0));
    CU_ASSERT_FALSE(frame_is_managed(RAM_BASE - 1));
    CU_ASSERT_FALSE(frame_is_managed(RAM_BASE + RAM_SIZE));
    CU_ASSERT_FALSE(frame_is_managed(UINT64_MAX));
}

static void test_frame_alloc_hands_out_lowest_address_first(void)
{
    hpa_t hpa;
    size_t n;

    build_map(&good_maps[1]); /* unsorted */
    CU_ASSERT_EQUAL_FATAL(frame_init(&bi), 0);
    n = alloc_all();
    CU_ASSERT_FATAL(n > 100);
    CU_ASSERT_EQUAL(first_bad_frame(n), n);
    frame_free(got[100], 1);
    frame_free(got[5], 1);
    CU_ASSERT(frame_alloc(1, 1, &hpa) == 0 && hpa == got[5]);
    CU_ASSERT(frame_alloc(1, 1, &hpa) == 0 && hpa == got[100]);
    CU_ASSERT_EQUAL(frame_alloc(1, 1, &hpa), -AXVM_ENOMEM);
}

static void test_frame_alloc_rejects_bad_count_or_alignment(void)
{
    static const struct {
        size_t nr, align;
    } cases[] = {{0, 1}, {1, 0}, {1, 3}, {2, 6}, {1, 12}, {4, SIZE_MAX}};
    hpa_t hpa = 0x1234;

    add_usable(0, F(64));
    CU_ASSERT_EQUAL_FATAL(frame_init(&bi), 0);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int rc = frame_alloc(cases[i].nr, cases[i].align, &hpa);

        UNIT_CHECK(rc == -AXVM_EINVAL, "frame_alloc(%zu, %zu): rc %d", cases[i].nr, cases[i].align,
                   rc);
    }
    CU_ASSERT_EQUAL(hpa, 0x1234);
    CU_ASSERT_EQUAL(frame_nr_free(), frame_nr_managed());
}

static const struct map_spec run_map = {
    .name = "runs",
    .mem = {USABLE(0, F(40)), USABLE(F(41), F(49)), USABLE(F(100), F(924)), END},
    .reserved = {EXCLUDED(F(60), F(1)), END},
};

/* The model's answer: lowest index of nr free frames whose first frame number is aligned. */
static bool expected_run(const bool *is_free, size_t nr, size_t align, size_t *index)
{
    for (size_t i = 0; i + nr <= RAM_FRAMES; i++) {
        size_t j = 0;

        if (hpa_to_mfn(AT(F(i))) % align != 0) {
            continue;
        }
        while (j < nr && is_free[i + j]) {
            j++;
        }
        if (j == nr) {
            *index = i;
            return true;
        }
    }
    return false;
}

static void check_run(const bool *is_free, size_t nr, size_t align)
{
    size_t want;
    bool fits = expected_run(is_free, nr, align, &want);
    hpa_t hpa = 0;
    int rc;

    CU_ASSERT_FATAL(frame_init(&bi) == 0);
    rc = frame_alloc(nr, align, &hpa);
    if (!fits) {
        UNIT_CHECK(rc == -AXVM_ENOMEM, "frame_alloc(%zu, %zu): rc %d, want ENOMEM", nr, align, rc);
        return;
    }
    UNIT_CHECK(rc == 0 && hpa == AT(F(want)),
               "frame_alloc(%zu, %zu): rc %d, 0x%" PRIx64 " not 0x%" PRIx64, nr, align, rc, hpa,
               AT(F(want)));
    UNIT_CHECK(frame_nr_free() == frame_nr_managed() - nr, "frame_alloc(%zu, %zu): %zu free", nr,
               align, frame_nr_free());
}

static void test_frame_alloc_runs_are_aligned_and_lowest_possible(void)
{
    static const struct {
        size_t nr, align;
    } cases[] = {{1, 1},  {2, 1},  {1, 2},  {1, 16},   {3, 4},     {8, 8},   {16, 16},
                 {19, 1}, {20, 1}, {45, 1}, {200, 64}, {256, 256}, {900, 1}, {1000, 1}};
    bool is_free[RAM_FRAMES] = {false};
    size_t n;

    build_map(&run_map);
    CU_ASSERT_EQUAL_FATAL(frame_init(&bi), 0);
    n = alloc_all();
    for (size_t i = 0; i < n; i++) {
        is_free[(got[i] - RAM_BASE) / PAGE_SIZE] = true;
    }
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        check_run(is_free, cases[i].nr, cases[i].align);
    }
}

static void test_frame_alloc_exhaustion_returns_enomem_until_a_free(void)
{
    hpa_t hpa = 0;
    size_t n;

    add_usable(0, F(100));
    CU_ASSERT_EQUAL_FATAL(frame_init(&bi), 0);
    n = alloc_all();
    CU_ASSERT_EQUAL_FATAL(n, frame_nr_managed());
    CU_ASSERT_EQUAL(frame_alloc(1, 1, &hpa), -AXVM_ENOMEM);
    CU_ASSERT_EQUAL(frame_alloc(2, 1, &hpa), -AXVM_ENOMEM);
    CU_ASSERT_EQUAL(frame_alloc(1, 4, &hpa), -AXVM_ENOMEM);
    frame_free(got[n / 2], 1);
    CU_ASSERT_EQUAL(frame_nr_free(), 1);
    CU_ASSERT_EQUAL(frame_alloc(1, 1, &hpa), 0);
    CU_ASSERT_EQUAL(hpa, got[n / 2]);
    CU_ASSERT_EQUAL(frame_alloc(1, 1, &hpa), -AXVM_ENOMEM);
}

static void test_frame_alloc_run_longer_than_any_gap_returns_enomem(void)
{
    hpa_t hpa;

    for (uint64_t i = 0; i < 10; i++) {
        add_usable(F(20 * i), F(8)); /* 8-frame ranges with holes between them */
    }
    CU_ASSERT_EQUAL_FATAL(frame_init(&bi), 0);
    CU_ASSERT(frame_nr_free() > 9);
    CU_ASSERT_EQUAL(frame_alloc(9, 1, &hpa), -AXVM_ENOMEM);
    CU_ASSERT_EQUAL(frame_alloc(frame_nr_free() + 1, 1, &hpa), -AXVM_ENOMEM);
    CU_ASSERT_EQUAL(frame_alloc(8, 1, &hpa), 0);
    CU_ASSERT_EQUAL(frame_nr_free(), frame_nr_managed() - 8);
}

static uint32_t lcg_next(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state >> 8;
}

struct owned_run {
    hpa_t hpa;
    size_t nr;
};

/* Allocate a random run; the frames must be new to us. Returns: frames taken (0 if none). */
static size_t take_random_run(uint32_t *seed, bool *owned, struct owned_run *run)
{
    size_t nr = 1 + lcg_next(seed) % 5;
    size_t align = (size_t)1 << (lcg_next(seed) % 3);
    int rc = frame_alloc(nr, align, &run->hpa);

    UNIT_CHECK(rc == 0 || rc == -AXVM_ENOMEM, "frame_alloc(%zu, %zu): rc %d", nr, align, rc);
    if (rc) {
        return 0;
    }
    run->nr = nr;
    for (size_t f = 0; f < nr; f++) {
        size_t index = (size_t)((run->hpa - RAM_BASE) / PAGE_SIZE) + f;

        UNIT_CHECK(index < RAM_FRAMES && !owned[index] && map_allows(run->hpa + F(f)),
                   "frame 0x%" PRIx64 " handed out twice or outside the map", run->hpa + F(f));
        if (index < RAM_FRAMES) {
            owned[index] = true;
        }
    }
    return nr;
}

static void give_back_run(bool *owned, const struct owned_run *run)
{
    frame_free(run->hpa, run->nr);
    for (size_t f = 0; f < run->nr; f++) {
        owned[(run->hpa - RAM_BASE) / PAGE_SIZE + f] = false;
    }
}

static void test_frame_free_keeps_counts_consistent(void)
{
    static struct owned_run runs[RAM_FRAMES];
    bool owned[RAM_FRAMES] = {false};
    size_t nr_runs = 0, nr_owned = 0, bad_steps = 0;
    uint32_t seed = 12345;

    build_map(&good_maps[ARRAY_SIZE(good_maps) - 1]);
    CU_ASSERT_EQUAL_FATAL(frame_init(&bi), 0);
    for (unsigned int step = 0; step < 4000; step++) {
        if (nr_runs == 0 || lcg_next(&seed) % 8 < 5) {
            size_t nr = take_random_run(&seed, owned, &runs[nr_runs]);

            nr_owned += nr;
            nr_runs += nr ? 1 : 0;
        } else {
            size_t victim = lcg_next(&seed) % nr_runs;

            give_back_run(owned, &runs[victim]);
            nr_owned -= runs[victim].nr;
            runs[victim] = runs[--nr_runs];
        }
        bad_steps += frame_nr_free() + nr_owned != frame_nr_managed() ? 1 : 0;
    }
    CU_ASSERT_EQUAL(bad_steps, 0);
    while (nr_runs) {
        give_back_run(owned, &runs[--nr_runs]);
    }
    CU_ASSERT_EQUAL(frame_nr_free(), frame_nr_managed());
}

struct free_args {
    hpa_t hpa;
    size_t nr;
};

static void call_frame_free(void *ctx)
{
    const struct free_args *args = ctx;

    frame_free(args->hpa, args->nr);
}

static void test_frame_free_twice_panics(void)
{
    struct free_args args = {0, 1};

    add_usable(0, F(64));
    CU_ASSERT_EQUAL_FATAL(frame_init(&bi), 0);
    CU_ASSERT_EQUAL_FATAL(frame_alloc(1, 1, &args.hpa), 0);
    CU_ASSERT_FALSE(host_cpu_halts(call_frame_free, &args));
    CU_ASSERT_TRUE(host_cpu_halts(call_frame_free, &args));
}

static void test_frame_free_run_reaching_a_free_frame_panics(void)
{
    struct free_args args = {0, 3};

    add_usable(0, F(64));
    CU_ASSERT_EQUAL_FATAL(frame_init(&bi), 0);
    CU_ASSERT_EQUAL_FATAL(frame_alloc(2, 1, &args.hpa), 0);
    CU_ASSERT_TRUE(host_cpu_halts(call_frame_free, &args));
}

static void test_frame_free_of_a_frame_never_managed_panics(void)
{
    static const struct {
        const char *what;
        hpa_t hpa;
    } cases[] = {
        {"reserved frame inside the range", AT(F(20))},
        {"module frame", AT(F(30))},
        {"non-usable map entry", AT(F(40))},
        {"frame in a hole", AT(F(70))},
        {"below all RAM", 0},
        {"just below the window", RAM_BASE - PAGE_SIZE},
        {"above all RAM", AT(F(200))},
        {"top of the address space", UINT64_MAX & ~(PAGE_SIZE - 1)},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct free_args args = {cases[i].hpa, 1};

        bootinfo_init(&bi);
        add_usable(0, F(64));
        add_usable(F(80), F(100));
        bootinfo_add_reserved(&bi, AT(F(20)), F(1));
        bootinfo_add_module(&bi, AT(F(30)), AT(F(31)), "m", 1);
        bootinfo_add_mem(&bi, AT(F(40)), F(1), MEM_ACPI_NVS);
        CU_ASSERT_FATAL(frame_init(&bi) == 0); /* also resets a lock the last panic held */
        UNIT_CHECK(host_cpu_halts(call_frame_free, &args), "%s (0x%" PRIx64 "): no panic",
                   cases[i].what, args.hpa);
    }
}

static void test_frame_free_of_an_unaligned_address_panics(void)
{
    struct free_args args = {0, 1};

    add_usable(0, F(64));
    CU_ASSERT_EQUAL_FATAL(frame_init(&bi), 0);
    CU_ASSERT_EQUAL_FATAL(frame_alloc(1, 1, &args.hpa), 0);
    args.hpa += 0x10;
    CU_ASSERT_TRUE(host_cpu_halts(call_frame_free, &args));
}

static void test_frame_alloc_leaves_irq_state_as_it_was(void)
{
    hpa_t hpa;

    add_usable(0, F(64));
    CU_ASSERT_EQUAL_FATAL(frame_init(&bi), 0);
    arch_irq_enable();
    CU_ASSERT_EQUAL(frame_alloc(1, 1, &hpa), 0);
    CU_ASSERT_TRUE(host_irqs_enabled);
    frame_free(hpa, 1);
    CU_ASSERT_TRUE(host_irqs_enabled);
    arch_irq_disable();
    CU_ASSERT_EQUAL(frame_alloc(2, 2, &hpa), 0);
    CU_ASSERT_FALSE(host_irqs_enabled);
    arch_irq_enable();
}

static CU_TestInfo frame_tests[] = {
    UNIT_TEST(test_frame_init_hands_out_only_frames_the_map_allows),
    UNIT_TEST(test_frame_init_empty_map_returns_einval),
    UNIT_TEST(test_frame_init_map_without_a_whole_usable_frame_returns_einval),
    UNIT_TEST(test_frame_init_fragmented_map_returns_enomem),
    UNIT_TEST(test_frame_init_excludes_partial_frames_at_unaligned_edges),
    UNIT_TEST(test_frame_init_keeps_the_bitmaps_out_of_the_pool),
    UNIT_TEST(test_frame_init_again_starts_afresh),
    UNIT_TEST(test_frame_is_managed_matches_the_map),
    UNIT_TEST(test_frame_alloc_hands_out_lowest_address_first),
    UNIT_TEST(test_frame_alloc_rejects_bad_count_or_alignment),
    UNIT_TEST(test_frame_alloc_runs_are_aligned_and_lowest_possible),
    UNIT_TEST(test_frame_alloc_exhaustion_returns_enomem_until_a_free),
    UNIT_TEST(test_frame_alloc_run_longer_than_any_gap_returns_enomem),
    UNIT_TEST(test_frame_free_keeps_counts_consistent),
    UNIT_TEST(test_frame_free_twice_panics),
    UNIT_TEST(test_frame_free_run_reaching_a_free_frame_panics),
    UNIT_TEST(test_frame_free_of_a_frame_never_managed_panics),
    UNIT_TEST(test_frame_free_of_an_unaligned_address_panics),
    UNIT_TEST(test_frame_alloc_leaves_irq_state_as_it_was),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_frame = {"frame", NULL, NULL, frame_setup, frame_teardown, frame_tests};
UNIT_REGISTER_SUITE(unit_suite_frame);
