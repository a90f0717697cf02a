/* SPDX-License-Identifier: MIT */
/*
 * Physical frame allocator. Two bitmaps over the frames between the lowest and the highest
 * usable address: "managed" (the allocator owns the frame) and "free". They live in usable RAM
 * that nothing else claims, and are excluded from the pool themselves.
 */
#define LOG_TAG "frame"
#include <hv/frame.h>
#include <hv/log.h>
#include <hv/page.h>
#include <hv/spinlock.h>
#include <hv/string.h>
#include <public/axvm/errno.h>

#define BITS_PER_WORD 64

static struct {
    spinlock_t lock;   /* guards everything below after frame_init */
    uint64_t *free;    /* bit set: frame is free */
    uint64_t *managed; /* bit set: frame belongs to the allocator */
    mfn_t base_mfn;    /* frame of bit 0 */
    size_t nr_bits;    /* frames covered by the bitmaps */
    size_t nr_words;
    size_t nr_free;
    size_t nr_managed;
    size_t hint_word; /* no free frame lies below this word */
} fa;

static bool test_bit(const uint64_t *map, size_t bit)
{
    return (map[bit / BITS_PER_WORD] >> (bit % BITS_PER_WORD)) & 1;
}

static void set_bit(uint64_t *map, size_t bit)
{
    map[bit / BITS_PER_WORD] |= (uint64_t)1 << (bit % BITS_PER_WORD);
}

static void clear_bit(uint64_t *map, size_t bit)
{
    map[bit / BITS_PER_WORD] &= ~((uint64_t)1 << (bit % BITS_PER_WORD));
}

/* Set or clear the bits of the frames wholly (inner) or partly (outer) in [base, base+size). */
static void mark_range(uint64_t *map, uint64_t base, uint64_t size, bool set, bool inner)
{
    uint64_t end = base + size < base ? UINT64_MAX : base + size;
    uint64_t part_first = inner && (base & (PAGE_SIZE - 1)) ? 1 : 0;
    uint64_t part_last = !inner && (end & (PAGE_SIZE - 1)) ? 1 : 0;
    mfn_t first = MAX(hpa_to_mfn(base) + part_first, fa.base_mfn);
    mfn_t last = MIN(hpa_to_mfn(end) + part_last, fa.base_mfn + fa.nr_bits); /* exclusive */

    for (mfn_t m = first; m < last; m++) {
        if (set) {
            set_bit(map, m - fa.base_mfn);
        } else {
            clear_bit(map, m - fa.base_mfn);
        }
    }
}

static bool ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
    return a < b + b_size && b < a + a_size;
}

/*
 * Returns: the end of a range that [base, base+size) must not overlap (a non-usable map entry,
 * a module or a reserved range), or 0 if it overlaps none.
 */
static uint64_t first_conflict_end(const struct boot_info *bi, uint64_t base, uint64_t size)
{
    for (unsigned int i = 0; i < bi->nr_mem; i++) {
        const struct mem_range *r = &bi->mem[i];

        if (r->type != MEM_USABLE && ranges_overlap(base, size, r->base, r->size_bytes)) {
            return r->base + r->size_bytes;
        }
    }
    for (unsigned int i = 0; i < bi->nr_modules; i++) {
        const struct boot_module *m = &bi->modules[i];

        if (ranges_overlap(base, size, m->start, m->end - m->start)) {
            return m->end;
        }
    }
    for (unsigned int i = 0; i < bi->nr_reserved; i++) {
        const struct mem_range *r = &bi->reserved[i];

        if (ranges_overlap(base, size, r->base, r->size_bytes)) {
            return r->base + r->size_bytes;
        }
    }
    return 0;
}

/* Find room for size bytes, page-aligned, in usable RAM that nothing claims. */
static int place_bitmaps(const struct boot_info *bi, uint64_t size, hpa_t *out)
{
    for (unsigned int i = 0; i < bi->nr_mem; i++) {
        const struct mem_range *r = &bi->mem[i];
        uint64_t end = ALIGN_DOWN(r->base + r->size_bytes, PAGE_SIZE);
        uint64_t base = ALIGN_UP(r->base, PAGE_SIZE);

        if (r->type != MEM_USABLE) {
            continue;
        }
        while (base + size > base && base + size <= end) {
            uint64_t conflict_end = first_conflict_end(bi, base, size);

            if (conflict_end == 0) {
                *out = base;
                return 0;
            }
            base = ALIGN_UP(conflict_end, PAGE_SIZE);
        }
    }
    return -AXVM_ENOMEM;
}

/* Lowest and highest (exclusive) frame wholly inside some usable range. */
static bool usable_frame_bounds(const struct boot_info *bi, mfn_t *lo, mfn_t *hi)
{
    bool found = false;

    for (unsigned int i = 0; i < bi->nr_mem; i++) {
        const struct mem_range *r = &bi->mem[i];
        mfn_t first = hpa_to_mfn(ALIGN_UP(r->base, PAGE_SIZE));
        mfn_t last = hpa_to_mfn(r->base + r->size_bytes);

        if (r->type != MEM_USABLE || last <= first) {
            continue;
        }
        *lo = found ? MIN(*lo, first) : first;
        *hi = found ? MAX(*hi, last) : last;
        found = true;
    }
    return found;
}

/* Population count without libgcc (which a freestanding x86-64 build would need). */
static unsigned int popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (unsigned int)((x * 0x0101010101010101ULL) >> 56);
}

static size_t count_bits(const uint64_t *map, size_t nr_words)
{
    size_t n = 0;

    for (size_t i = 0; i < nr_words; i++) {
        n += popcount64(map[i]);
    }
    return n;
}

int frame_init(const struct boot_info *bi)
{
    mfn_t lo, hi;
    hpa_t maps_hpa;
    uint64_t map_bytes;
    int rc;

    memset(&fa, 0, sizeof(fa));
    spin_lock_init(&fa.lock);
    if (!usable_frame_bounds(bi, &lo, &hi)) {
        return -AXVM_EINVAL;
    }
    fa.base_mfn = lo;
    fa.nr_bits = hi - lo;
    fa.nr_words = (fa.nr_bits + BITS_PER_WORD - 1) / BITS_PER_WORD;
    map_bytes = ALIGN_UP((uint64_t)fa.nr_words * sizeof(uint64_t), PAGE_SIZE);
    rc = place_bitmaps(bi, 2 * map_bytes, &maps_hpa);
    if (rc) {
        return rc;
    }
    fa.managed = hpa_to_virt(maps_hpa);
    fa.free = hpa_to_virt(maps_hpa + map_bytes);
    memset(fa.managed, 0, 2 * map_bytes);

    for (unsigned int i = 0; i < bi->nr_mem; i++) {
        if (bi->mem[i].type == MEM_USABLE) {
            mark_range(fa.managed, bi->mem[i].base, bi->mem[i].size_bytes, true, true);
        }
    }
    for (unsigned int i = 0; i < bi->nr_mem; i++) {
        if (bi->mem[i].type != MEM_USABLE) {
            mark_range(fa.managed, bi->mem[i].base, bi->mem[i].size_bytes, false, false);
        }
    }
    for (unsigned int i = 0; i < bi->nr_modules; i++) {
        const struct boot_module *m = &bi->modules[i];

        mark_range(fa.managed, m->start, m->end - m->start, false, false);
    }
    for (unsigned int i = 0; i < bi->nr_reserved; i++) {
        mark_range(fa.managed, bi->reserved[i].base, bi->reserved[i].size_bytes, false, false);
    }
    mark_range(fa.managed, maps_hpa, 2 * map_bytes, false, false);

    memcpy(fa.free, fa.managed, fa.nr_words * sizeof(uint64_t));
    fa.nr_managed = count_bits(fa.managed, fa.nr_words);
    fa.nr_free = fa.nr_managed;
    log_info("%zu frames (%llu MiB) free, bitmaps at 0x%llx", fa.nr_free,
             (unsigned long long)(fa.nr_free * PAGE_SIZE >> 20), (unsigned long long)maps_hpa);
    return 0;
}

/* Smallest bit >= bit whose frame number is a multiple of align (a power of two). */
static size_t align_bit(size_t bit, size_t align)
{
    return (size_t)(ALIGN_UP(fa.base_mfn + bit, (mfn_t)align) - fa.base_mfn);
}

static bool find_single(size_t *out)
{
    for (size_t w = fa.hint_word; w < fa.nr_words; w++) {
        if (fa.free[w]) {
            fa.hint_word = w;
            *out = w * BITS_PER_WORD + (size_t)__builtin_ctzll(fa.free[w]);
            return true;
        }
    }
    fa.hint_word = fa.nr_words;
    return false;
}

static bool find_run(size_t nr, size_t align, size_t *out)
{
    size_t bit = align_bit(fa.hint_word * BITS_PER_WORD, align);

    while (bit < fa.nr_bits && nr <= fa.nr_bits - bit) {
        size_t i = 0;

        while (i < nr && test_bit(fa.free, bit + i)) {
            i++;
        }
        if (i == nr) {
            *out = bit;
            return true;
        }
        bit = align_bit(bit + i + 1, align);
    }
    return false;
}

int frame_alloc(size_t nr_frames, size_t align_frames, hpa_t *out)
{
    unsigned long flags;
    size_t bit;
    bool found;

    if (nr_frames == 0 || align_frames == 0 || (align_frames & (align_frames - 1))) {
        return -AXVM_EINVAL;
    }
    flags = spin_lock_irqsave(&fa.lock);
    if (nr_frames == 1 && align_frames == 1) {
        found = find_single(&bit);
    } else {
        found = nr_frames <= fa.nr_free && find_run(nr_frames, align_frames, &bit);
    }
    if (found) {
        for (size_t i = 0; i < nr_frames; i++) {
            clear_bit(fa.free, bit + i);
        }
        fa.nr_free -= nr_frames;
    }
    spin_unlock_irqrestore(&fa.lock, flags);
    if (!found) {
        return -AXVM_ENOMEM;
    }
    *out = mfn_to_hpa(fa.base_mfn + bit);
    return 0;
}

void frame_free(hpa_t hpa, size_t nr_frames)
{
    mfn_t mfn = hpa_to_mfn(hpa);
    unsigned long flags;

    BUG_ON(!IS_ALIGNED(hpa, PAGE_SIZE));
    flags = spin_lock_irqsave(&fa.lock);
    for (size_t i = 0; i < nr_frames; i++) {
        size_t bit = (size_t)(mfn + i - fa.base_mfn);

        if (mfn + i < fa.base_mfn || bit >= fa.nr_bits || !test_bit(fa.managed, bit) ||
            test_bit(fa.free, bit)) {
            panic("frame_free: frame 0x%llx is not an allocated frame",
                  (unsigned long long)mfn_to_hpa(mfn + i));
        }
        set_bit(fa.free, bit);
        fa.hint_word = MIN(fa.hint_word, bit / BITS_PER_WORD);
    }
    fa.nr_free += nr_frames;
    spin_unlock_irqrestore(&fa.lock, flags);
}

size_t frame_nr_free(void)
{
    return READ_ONCE(fa.nr_free);
}

size_t frame_nr_managed(void)
{
    return fa.nr_managed;
}

bool frame_is_managed(hpa_t hpa)
{
    mfn_t mfn = hpa_to_mfn(hpa);

    return mfn >= fa.base_mfn && mfn - fa.base_mfn < fa.nr_bits &&
           test_bit(fa.managed, (size_t)(mfn - fa.base_mfn));
}
