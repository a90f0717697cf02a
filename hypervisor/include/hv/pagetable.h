/* SPDX-License-Identifier: MIT */
/*
 * The generic page-table walker: a four-level radix tree of 512-entry tables with 4 KiB, 2 MiB
 * and 1 GiB leaves, the shape shared by x86-64 paging, AMD NPT and arm64's 4 KiB granule. The
 * walker lives here; the arch encodes and decodes single entries (STYLE.md §2), for the
 * hypervisor's own tables and for guests' stage-2 tables alike.
 */
#ifndef HV_PAGETABLE_H
#define HV_PAGETABLE_H

#include <hv/types.h>

#define PT_LEVELS   4 /* level 4 is the root; level 1 holds 4 KiB leaves */
#define PT_ENTRIES  512
#define PT_VA_LIMIT ((uint64_t)1 << 48) /* what four levels translate */

enum pt_kind {
    PT_HYPERVISOR, /* the hypervisor's own address space */
    PT_GUEST,      /* a guest's stage 2 (nested paging) */
};

enum pt_mem {
    PT_MEM_NORMAL, /* cacheable RAM */
    PT_MEM_DEVICE, /* MMIO: uncached, no speculation */
};

struct pt_attr {
    bool writable;
    bool executable;
    enum pt_mem mem;
};

/* Give one page for a new table. Returns: 0 and *out, or a negative error. */
typedef int (*pt_alloc_fn)(hpa_t *out);

struct pagetable {
    enum pt_kind kind;
    hpa_t root_hpa;
    pt_alloc_fn alloc;
    size_t nr_tables; /* tables allocated, root included */
};

#include <arch/pagetable.h>

/*
 * The twin <arch/pagetable.h> provides these static inlines, for each kind:
 *   arch_pt_table_entry(kind, table_hpa)         entry pointing at a next-level table
 *   arch_pt_leaf_entry(kind, hpa, level, attr)    leaf mapping hpa at level (1, 2 or 3)
 *   arch_pt_is_present(kind, e), arch_pt_is_table(kind, e, level)
 *   arch_pt_entry_hpa(kind, e), arch_pt_entry_attr(kind, e)
 *   arch_pt_max_leaf_level(kind)                  largest leaf the hardware takes
 */

/*
 * Start an empty table tree whose pages come from alloc (frame_alloc-backed when NULL).
 * Context: any. Returns: 0 or the allocator's error.
 */
int pagetable_init(struct pagetable *pt, enum pt_kind kind, pt_alloc_fn alloc);

/*
 * Map [va, va+size) to [hpa, hpa+size) with attr, using the largest leaves that alignment and
 * the hardware allow. Existing leaves in the range are replaced; a larger leaf that covers part
 * of the range is split first, keeping its attributes elsewhere. va, hpa and size must be
 * page-aligned and the range must end at or below PT_VA_LIMIT. The caller flushes TLBs where
 * the tree is live.
 * Context: the caller serialises changes to pt. Returns: 0, -AXVM_EINVAL, or -AXVM_ENOMEM
 * (the part mapped so far stays mapped).
 */
int pagetable_map(struct pagetable *pt, uint64_t va, hpa_t hpa, uint64_t size, struct pt_attr attr);

/*
 * Unmap [va, va+size): leaves inside it are cleared, a larger leaf straddling its edge is split
 * first, absent parts are skipped. Tables that become empty stay. The caller flushes TLBs.
 * Returns: 0, -AXVM_EINVAL (unaligned or past PT_VA_LIMIT), or -AXVM_ENOMEM from a split (what
 * was unmapped so far stays unmapped).
 */
int pagetable_unmap(struct pagetable *pt, uint64_t va, uint64_t size);

/*
 * Fold the tables on va's path back into single leaves, lowest first, while every entry of a
 * table is a leaf of one run (contiguous addresses, equal attributes) that a leaf one level up
 * can map: what pagetable_unmap()'s splits made, once the hole is mapped again. The folded
 * tables are unhooked, not freed: their addresses go to freed[] (at most max), for the caller
 * to give back with frame_free() once no CPU can still walk them (after a TLB flush, for a live
 * pt). Returns: how many were unhooked. Context: any.
 */
unsigned int pagetable_merge(struct pagetable *pt, uint64_t va, hpa_t *freed, unsigned int max);

/* Type of the callback that gives a table page back (frame_free()-backed when NULL). */
typedef void (*pt_free_fn)(hpa_t hpa);

/*
 * Free every table of pt, the root included, with free_table. Leaves' memory is the caller's.
 * Context: pt is no longer live anywhere.
 */
void pagetable_destroy(struct pagetable *pt, pt_free_fn free_table);

/*
 * Look up va. Returns: true with the host address and the leaf's attributes when mapped.
 */
bool pagetable_lookup(const struct pagetable *pt, uint64_t va, hpa_t *hpa, struct pt_attr *attr);

/* Returns: the bytes one leaf covers at level (1: 4 KiB, 2: 2 MiB, 3: 1 GiB). */
static inline uint64_t pagetable_level_size(unsigned int level)
{
    return (uint64_t)1 << (PAGE_SHIFT + 9 * (level - 1));
}

#endif /* HV_PAGETABLE_H */
