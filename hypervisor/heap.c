/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor heap. Small blocks come from one-frame slabs per size class; a slab frame
 * starts with a header naming its class and counting its blocks in use, so heap_free() needs no
 * size, and a slab whose last block is freed goes back to the frame allocator (what a domain
 * took returns when it is destroyed, whatever the peak was). Larger blocks take whole frames
 * behind the same kind of header.
 */
/* Lock order: heap.lock, then the frame allocator's lock (refill, release_slab). */
#define LOG_TAG "heap"
#include <hv/frame.h>
#include <hv/heap.h>
#include <hv/log.h>
#include <hv/page.h>
#include <hv/spinlock.h>
#include <hv/string.h>

#define HEAP_MAGIC_SLAB  0x48534c42u /* "HSLB" */
#define HEAP_MAGIC_LARGE 0x484c5247u /* "HLRG" */
#define HEAP_ALIGN       16
#define NR_CLASSES       7 /* 16, 32, ... 1024 bytes */
#define SMALLEST_CLASS   16

struct frame_header {
    uint32_t magic;
    uint32_t class_or_frames; /* slab: class index; large: frames in the block */
    uint32_t used;            /* slab: blocks handed out */
    uint32_t reserved;
};
_Static_assert(sizeof(struct frame_header) == HEAP_ALIGN, "blocks must stay 16-byte aligned");

struct free_block {
    struct free_block *next;
};

static struct {
    spinlock_t lock;                     /* guards everything below */
    struct free_block *free[NR_CLASSES]; /* free blocks per class */
    size_t nr_frames;                    /* frames taken from the frame allocator */
} heap;

static size_t class_size(unsigned int class)
{
    return (size_t)SMALLEST_CLASS << class;
}

static struct frame_header *header_of(const void *ptr)
{
    return (struct frame_header *)ALIGN_DOWN((uintptr_t)ptr, (uintptr_t)PAGE_SIZE);
}

void heap_init(void)
{
    memset(&heap, 0, sizeof(heap));
    spin_lock_init(&heap.lock);
}

/* Carve a fresh frame into blocks of one class. Context: heap lock held. */
static bool refill(unsigned int class)
{
    struct frame_header *hdr;
    size_t size = class_size(class);
    hpa_t hpa;

    if (frame_alloc(1, 1, &hpa)) {
        return false;
    }
    hdr = hpa_to_virt(hpa);
    hdr->magic = HEAP_MAGIC_SLAB;
    hdr->class_or_frames = class;
    hdr->used = 0;
    for (size_t off = sizeof(*hdr); off + size <= PAGE_SIZE; off += size) {
        struct free_block *b = (struct free_block *)((char *)hdr + off);

        b->next = heap.free[class];
        heap.free[class] = b;
    }
    heap.nr_frames++;
    return true;
}

/* Give an unused slab's frame back: its blocks leave the free list first. Context: heap lock
 * held; O(free blocks of its class). */
static void release_slab(struct frame_header *hdr)
{
    struct free_block **link = &heap.free[hdr->class_or_frames];

    while (*link) {
        if (header_of(*link) == hdr) {
            *link = (*link)->next;
        } else {
            link = &(*link)->next;
        }
    }
    hdr->magic = 0;
    frame_free(virt_to_hpa(hdr), 1);
    heap.nr_frames--;
}

static void *alloc_large(size_t size)
{
    size_t nr = (size_t)((size + sizeof(struct frame_header) + PAGE_SIZE - 1) / PAGE_SIZE);
    struct frame_header *hdr;
    unsigned long flags;
    hpa_t hpa;

    if (nr > UINT32_MAX || frame_alloc(nr, 1, &hpa)) {
        return NULL;
    }
    hdr = hpa_to_virt(hpa);
    hdr->magic = HEAP_MAGIC_LARGE;
    hdr->class_or_frames = (uint32_t)nr;
    flags = spin_lock_irqsave(&heap.lock);
    heap.nr_frames += nr;
    spin_unlock_irqrestore(&heap.lock, flags);
    return hdr + 1;
}

void *heap_alloc(size_t size)
{
    unsigned int class = 0;
    struct free_block *b = NULL;
    unsigned long flags;

    if (size == 0 || size > SIZE_MAX - PAGE_SIZE) {
        return NULL;
    }
    while (class < NR_CLASSES && class_size(class) < size) {
        class ++;
    }
    if (class == NR_CLASSES) {
        return alloc_large(size);
    }
    flags = spin_lock_irqsave(&heap.lock);
    if (heap.free[class] || refill(class)) {
        b = heap.free[class];
        heap.free[class] = b->next;
        header_of(b)->used++;
    }
    spin_unlock_irqrestore(&heap.lock, flags);
    return b;
}

void *heap_zalloc(size_t size)
{
    void *p = heap_alloc(size);

    if (p) {
        memset(p, 0, size);
    }
    return p;
}

void heap_free(void *ptr)
{
    struct frame_header *hdr;
    unsigned long flags;

    if (!ptr) {
        return;
    }
    hdr = header_of(ptr);
    if (hdr->magic == HEAP_MAGIC_LARGE && ptr == (void *)(hdr + 1)) {
        size_t nr = hdr->class_or_frames;

        hdr->magic = 0;
        frame_free(virt_to_hpa(hdr), nr);
        flags = spin_lock_irqsave(&heap.lock);
        heap.nr_frames -= nr;
        spin_unlock_irqrestore(&heap.lock, flags);
        return;
    }
    if (hdr->magic != HEAP_MAGIC_SLAB || hdr->class_or_frames >= NR_CLASSES ||
        (uintptr_t)ptr < (uintptr_t)(hdr + 1) ||
        ((uintptr_t)ptr - (uintptr_t)(hdr + 1)) % class_size(hdr->class_or_frames) != 0) {
        panic("heap_free: %p is not a heap block", ptr);
    }
    flags = spin_lock_irqsave(&heap.lock);
    ((struct free_block *)ptr)->next = heap.free[hdr->class_or_frames];
    heap.free[hdr->class_or_frames] = ptr;
    if (--hdr->used == 0) {
        release_slab(hdr);
    }
    spin_unlock_irqrestore(&heap.lock, flags);
}

size_t heap_nr_frames(void)
{
    return READ_ONCE(heap.nr_frames);
}
