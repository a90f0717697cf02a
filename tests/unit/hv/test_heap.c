/* SPDX-License-Identifier: MIT */
/*
 * Suite "heap": hypervisor/heap.c on top of the frame allocator, over a host RAM window that
 * starts out full of HOST_RAM_POISON. Size classes, large blocks, zeroing, reuse and panics.
 */
#include <stdint.h>
#include <string.h>
#include <hv/frame.h>
#include <hv/log.h>
#include <hv/heap.h>
#include <hv/page.h>
#include <host.h>
#include <unit.h>

#define RAM_BASE   ((uint64_t)0x80000000)
#define RAM_FRAMES 256
#define RAM_SIZE   ((uint64_t)RAM_FRAMES * PAGE_SIZE)

static struct boot_info bi;

/* A fresh frame allocator and heap over the whole window. */
static void heap_restart(void)
{
    bootinfo_init(&bi);
    CU_ASSERT_FATAL(bootinfo_add_mem(&bi, RAM_BASE, RAM_SIZE, MEM_USABLE) == 0);
    CU_ASSERT_FATAL(frame_init(&bi) == 0);
    heap_init();
}

static void heap_setup(void)
{
    host_ram_setup(RAM_BASE, RAM_SIZE);
    log_set_level(LOG_LEVEL_INFO);
    heap_restart();
}

static void heap_teardown(void)
{
    host_ram_teardown();
}

static bool block_in_ram(const void *p, size_t size)
{
    const uint8_t *b = p;

    return b >= host_ram_va && size <= host_ram_size_bytes &&
           (uint64_t)(b - host_ram_va) <= host_ram_size_bytes - size;
}

static bool all_bytes_are(const void *p, size_t size, uint8_t value)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < size; i++) {
        if (b[i] != value) {
            return false;
        }
    }
    return true;
}

/* Sizes on both sides of every class boundary (16 B to 1 KiB) and into large blocks. */
static const size_t boundary_sizes[] = {1,   15,   16,   17,   31,   32,   33,   63,   64,
                                        65,  127,  128,  129,  255,  256,  257,  511,  512,
                                        513, 1023, 1024, 1025, 2000, 4080, 4081, 8192, 12345};

static void test_heap_alloc_size_0_returns_null(void)
{
    CU_ASSERT_PTR_NULL(heap_alloc(0));
    CU_ASSERT_PTR_NULL(heap_zalloc(0));
    CU_ASSERT_EQUAL(heap_nr_frames(), 0);
}

static void test_heap_alloc_returns_16_byte_aligned_blocks_in_ram(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(boundary_sizes); i++) {
        for (int copy = 0; copy < 3; copy++) {
            void *p = heap_alloc(boundary_sizes[i]);

            UNIT_CHECK(p && (uintptr_t)p % 16 == 0 && block_in_ram(p, boundary_sizes[i]),
                       "size %zu: block %p", boundary_sizes[i], p);
        }
    }
}

#define BLOCKS_PER_SIZE 40

/* Fill many blocks of one size with distinct bytes; a block too small would spoil a neighbour. */
static void check_blocks_do_not_overlap(size_t size)
{
    void *blocks[BLOCKS_PER_SIZE];
    size_t intact = 0;

    for (size_t i = 0; i < BLOCKS_PER_SIZE; i++) {
        blocks[i] = heap_alloc(size);
        CU_ASSERT_PTR_NOT_NULL_FATAL(blocks[i]);
        memset(blocks[i], (int)(i + 1), size);
    }
    for (size_t i = 0; i < BLOCKS_PER_SIZE; i++) {
        intact += all_bytes_are(blocks[i], size, (uint8_t)(i + 1)) ? 1 : 0;
    }
    UNIT_CHECK(intact == BLOCKS_PER_SIZE, "size %zu: %zu of %d blocks intact", size, intact,
               BLOCKS_PER_SIZE);
    for (size_t i = 0; i < BLOCKS_PER_SIZE; i++) {
        heap_free(blocks[i]);
    }
}

static void test_heap_alloc_blocks_do_not_overlap_at_class_boundaries(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(boundary_sizes); i++) {
        check_blocks_do_not_overlap(boundary_sizes[i]);
    }
}

/* Two sizes share a slab frame exactly when they fall in the same class. */
static void test_heap_alloc_sizes_share_a_class_only_within_a_boundary(void)
{
    static const struct {
        size_t a, b;
        bool same_class;
    } cases[] = {
        {1, 16, true},     {15, 16, true},    {16, 17, false},     {17, 32, true},
        {32, 33, false},   {33, 64, true},    {64, 65, false},     {65, 128, true},
        {128, 129, false}, {129, 256, true},  {256, 257, false},   {257, 512, true},
        {512, 513, false}, {513, 1024, true}, {1024, 1025, false},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        size_t want = cases[i].same_class ? 1 : 2;

        heap_restart();
        CU_ASSERT_PTR_NOT_NULL(heap_alloc(cases[i].a));
        CU_ASSERT_PTR_NOT_NULL(heap_alloc(cases[i].b));
        UNIT_CHECK(heap_nr_frames() == want, "sizes %zu and %zu: %zu frames, want %zu", cases[i].a,
                   cases[i].b, heap_nr_frames(), want);
    }
}

/* A large block is whole frames with a 16-byte header in front (which keeps it aligned). */
static void test_heap_alloc_large_block_takes_frames_and_free_returns_them(void)
{
    static const struct {
        size_t size, frames;
    } cases[] = {{1025, 1}, {2048, 1}, {4080, 1}, {4081, 2}, {8192, 3}, {10000, 3}, {65536, 17}};

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        size_t free_before = frame_nr_free();
        void *p = heap_alloc(cases[i].size);

        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        memset(p, 0x5a, cases[i].size);
        UNIT_CHECK(heap_nr_frames() == cases[i].frames &&
                       frame_nr_free() == free_before - cases[i].frames,
                   "size %zu: heap has %zu frames, %zu taken, want %zu", cases[i].size,
                   heap_nr_frames(), free_before - frame_nr_free(), cases[i].frames);
        heap_free(p);
        UNIT_CHECK(heap_nr_frames() == 0 && frame_nr_free() == free_before,
                   "size %zu: after free the heap has %zu frames, %zu free of %zu", cases[i].size,
                   heap_nr_frames(), frame_nr_free(), free_before);
    }
}

static void test_heap_zalloc_returns_zeroed_memory(void)
{
    void *dirty = heap_alloc(64);

    CU_ASSERT_PTR_NOT_NULL_FATAL(dirty);
    memset(dirty, 0xee, 64);
    heap_free(dirty);
    for (size_t i = 0; i < ARRAY_SIZE(boundary_sizes); i++) {
        void *p = heap_zalloc(boundary_sizes[i]);

        UNIT_CHECK(p && all_bytes_are(p, boundary_sizes[i], 0), "size %zu: not zeroed",
                   boundary_sizes[i]);
    }
}

static void test_heap_free_then_alloc_reuses_the_block(void)
{
    void *first = heap_alloc(48);
    size_t reused = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(first);
    heap_free(first);
    for (int i = 0; i < 1000; i++) {
        void *p = heap_alloc(48);

        reused += p == first ? 1 : 0;
        heap_free(p);
    }
    CU_ASSERT_EQUAL(reused, 1000);
    CU_ASSERT_EQUAL(heap_nr_frames(), 0); /* the slab went back with its last block */
}

/* A slab goes back to the frame allocator when its last block is freed, and only then. */
static void test_heap_free_returns_a_slab_with_its_last_block(void)
{
    enum { PER_SLAB = (PAGE_SIZE - 16) / 64 }; /* 63 blocks of 64 bytes after the header */
    size_t free_before = frame_nr_free();
    void *blocks[PER_SLAB + 1];

    for (size_t i = 0; i < ARRAY_SIZE(blocks); i++) {
        blocks[i] = heap_alloc(64);
        CU_ASSERT_PTR_NOT_NULL_FATAL(blocks[i]);
    }
    CU_ASSERT_EQUAL(heap_nr_frames(), 2);
    /* The second slab's one block: it goes, the first slab stays and still hands out blocks. */
    heap_free(blocks[PER_SLAB]);
    CU_ASSERT_EQUAL(heap_nr_frames(), 1);
    CU_ASSERT_EQUAL(frame_nr_free(), free_before - 1);
    heap_free(blocks[0]);
    blocks[0] = heap_alloc(64);
    CU_ASSERT_PTR_NOT_NULL_FATAL(blocks[0]);
    CU_ASSERT_EQUAL(heap_nr_frames(), 1);
    for (size_t i = 1; i < PER_SLAB; i++) {
        heap_free(blocks[i]);
        UNIT_CHECK(heap_nr_frames() == 1, "block %zu freed: %zu frames", i, heap_nr_frames());
    }
    heap_free(blocks[0]);
    CU_ASSERT_EQUAL(heap_nr_frames(), 0);
    CU_ASSERT_EQUAL(frame_nr_free(), free_before);
    /* And the class still works afterwards, from a fresh slab. */
    blocks[0] = heap_alloc(64);
    CU_ASSERT_PTR_NOT_NULL(blocks[0]);
    CU_ASSERT_EQUAL(heap_nr_frames(), 1);
    heap_free(blocks[0]);
}

static void test_heap_free_then_alloc_reuses_large_frames(void)
{
    size_t free_before = frame_nr_free();

    for (int i = 0; i < 100; i++) {
        void *p = heap_alloc(3 * PAGE_SIZE);

        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        heap_free(p);
    }
    CU_ASSERT_EQUAL(frame_nr_free(), free_before);
    CU_ASSERT_EQUAL(heap_nr_frames(), 0);
}

static void call_heap_free(void *ctx)
{
    heap_free(ctx);
}

static void test_heap_free_null_is_ignored(void)
{
    CU_ASSERT_PTR_NOT_NULL(heap_alloc(32));
    CU_ASSERT_FALSE(host_cpu_halts(call_heap_free, NULL));
    CU_ASSERT_EQUAL(heap_nr_frames(), 1);
}

enum bogus_kind {
    BOGUS_INSIDE_SMALL_BLOCK,
    BOGUS_ONE_BYTE_INTO_SMALL_BLOCK,
    BOGUS_SLAB_HEADER,
    BOGUS_INSIDE_LARGE_BLOCK,
    BOGUS_LARGE_BLOCK_FREED_TWICE,
    BOGUS_FRAME_NOT_FROM_THE_HEAP,
};

/* A pointer heap_free() must refuse, made on a fresh heap. */
static void *make_bogus_pointer(enum bogus_kind kind)
{
    uint8_t *small = heap_alloc(64);
    uint8_t *large = heap_alloc(5000);
    hpa_t hpa;

    CU_ASSERT_FATAL(small && large && frame_alloc(1, 1, &hpa) == 0);
    switch (kind) {
    case BOGUS_INSIDE_SMALL_BLOCK:
        return small + 16;
    case BOGUS_ONE_BYTE_INTO_SMALL_BLOCK:
        return small + 1;
    case BOGUS_SLAB_HEADER:
        return (void *)ALIGN_DOWN((uintptr_t)small, (uintptr_t)PAGE_SIZE);
    case BOGUS_INSIDE_LARGE_BLOCK:
        return large + 16;
    case BOGUS_LARGE_BLOCK_FREED_TWICE:
        heap_free(large);
        return large;
    case BOGUS_FRAME_NOT_FROM_THE_HEAP:
        memset(hpa_to_virt(hpa), 0, (size_t)PAGE_SIZE);
        return (uint8_t *)hpa_to_virt(hpa) + 16;
    }
    return NULL;
}

static void test_heap_free_of_a_bogus_pointer_panics(void)
{
    static const char *const names[] = {
        "inside a small block", "one byte into a small block", "slab header",
        "inside a large block", "large block freed twice",     "frame not from the heap",
    };

    for (size_t kind = 0; kind < ARRAY_SIZE(names); kind++) {
        void *p;

        heap_restart(); /* also resets any lock the last panic held */
        p = make_bogus_pointer((enum bogus_kind)kind);
        UNIT_CHECK(host_cpu_halts(call_heap_free, p), "%s (%p): no panic", names[kind], p);
    }
}

static void test_heap_alloc_returns_null_for_impossible_sizes(void)
{
    static const size_t sizes[] = {
        SIZE_MAX,        SIZE_MAX - 15,    SIZE_MAX - PAGE_SIZE, SIZE_MAX - PAGE_SIZE + 1,
        (size_t)1 << 40, (size_t)RAM_SIZE,
    };
    size_t free_before = frame_nr_free();

    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        void *p = heap_alloc(sizes[i]);

        UNIT_CHECK(p == NULL, "size %zu: got %p", sizes[i], p);
        UNIT_CHECK(frame_nr_free() == free_before, "size %zu: frames leaked", sizes[i]);
    }
    CU_ASSERT_PTR_NULL(heap_zalloc(SIZE_MAX));
    CU_ASSERT_EQUAL(heap_nr_frames(), 0);
}

static void test_heap_alloc_returns_null_when_frames_run_out(void)
{
    hpa_t hpa;

    while (frame_alloc(1, 1, &hpa) == 0) {
    }
    CU_ASSERT_EQUAL_FATAL(frame_nr_free(), 0);
    CU_ASSERT_PTR_NULL(heap_alloc(16));
    CU_ASSERT_PTR_NULL(heap_alloc(1024));
    CU_ASSERT_PTR_NULL(heap_alloc(2000));
    CU_ASSERT_PTR_NULL(heap_zalloc(100));
    CU_ASSERT_EQUAL(heap_nr_frames(), 0);
    frame_free(hpa, 1); /* the last frame handed out: room for one slab */
    CU_ASSERT_PTR_NOT_NULL(heap_alloc(16));
    CU_ASSERT_PTR_NULL(heap_alloc(32));
}

static CU_TestInfo heap_tests[] = {
    UNIT_TEST(test_heap_alloc_size_0_returns_null),
    UNIT_TEST(test_heap_alloc_returns_16_byte_aligned_blocks_in_ram),
    UNIT_TEST(test_heap_alloc_blocks_do_not_overlap_at_class_boundaries),
    UNIT_TEST(test_heap_alloc_sizes_share_a_class_only_within_a_boundary),
    UNIT_TEST(test_heap_alloc_large_block_takes_frames_and_free_returns_them),
    UNIT_TEST(test_heap_zalloc_returns_zeroed_memory),
    UNIT_TEST(test_heap_free_then_alloc_reuses_the_block),
    UNIT_TEST(test_heap_free_returns_a_slab_with_its_last_block),
    UNIT_TEST(test_heap_free_then_alloc_reuses_large_frames),
    UNIT_TEST(test_heap_free_null_is_ignored),
    UNIT_TEST(test_heap_free_of_a_bogus_pointer_panics),
    UNIT_TEST(test_heap_alloc_returns_null_for_impossible_sizes),
    UNIT_TEST(test_heap_alloc_returns_null_when_frames_run_out),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_heap = {"heap", NULL, NULL, heap_setup, heap_teardown, heap_tests};
UNIT_REGISTER_SUITE(unit_suite_heap);
