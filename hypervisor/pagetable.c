/* SPDX-License-Identifier: MIT */
/* The generic four-level page-table walker; entry formats come from <arch/pagetable.h>. */
#define LOG_TAG "pagetable"
#include <hv/frame.h>
#include <hv/page.h>
#include <hv/pagetable.h>
#include <hv/string.h>
#include <public/axvm/errno.h>

static int frame_table_alloc(hpa_t *out)
{
    return frame_alloc(1, 1, out);
}

static unsigned int index_at(uint64_t va, unsigned int level)
{
    return (unsigned int)((va >> (PAGE_SHIFT + 9 * (level - 1))) & (PT_ENTRIES - 1));
}

static uint64_t *table_of(hpa_t hpa)
{
    return hpa_to_virt(hpa);
}

static int new_table(struct pagetable *pt, hpa_t *out)
{
    int rc = pt->alloc(out);

    if (rc) {
        return rc;
    }
    memset(table_of(*out), 0, PAGE_SIZE);
    pt->nr_tables++;
    return 0;
}

int pagetable_init(struct pagetable *pt, enum pt_kind kind, pt_alloc_fn alloc)
{
    pt->kind = kind;
    pt->alloc = alloc ? alloc : frame_table_alloc;
    pt->nr_tables = 0;
    return new_table(pt, &pt->root_hpa);
}

/* Replace the leaf *e at level with a table of next-level leaves mapping the same memory. */
static int split_leaf(struct pagetable *pt, uint64_t *e, unsigned int level)
{
    hpa_t base = arch_pt_entry_hpa(pt->kind, *e);
    struct pt_attr attr = arch_pt_entry_attr(pt->kind, *e);
    uint64_t step = pagetable_level_size(level - 1);
    uint64_t *table;
    hpa_t hpa;
    int rc = new_table(pt, &hpa);

    if (rc) {
        return rc;
    }
    table = table_of(hpa);
    for (unsigned int i = 0; i < PT_ENTRIES; i++) {
        table[i] = arch_pt_leaf_entry(pt->kind, base + i * step, level - 1, attr);
    }
    *e = arch_pt_table_entry(pt->kind, hpa);
    return 0;
}

/* Find (creating tables, splitting leaves) the entry for va at level. */
static int walk_to(struct pagetable *pt, uint64_t va, unsigned int level, uint64_t **out)
{
    uint64_t *table = table_of(pt->root_hpa);

    for (unsigned int l = PT_LEVELS; l > level; l--) {
        uint64_t *e = &table[index_at(va, l)];
        int rc = 0;

        if (!arch_pt_is_present(pt->kind, *e)) {
            hpa_t hpa;

            rc = new_table(pt, &hpa);
            if (!rc) {
                *e = arch_pt_table_entry(pt->kind, hpa);
            }
        } else if (!arch_pt_is_table(pt->kind, *e, l)) {
            rc = split_leaf(pt, e, l);
        }
        if (rc) {
            return rc;
        }
        table = table_of(arch_pt_entry_hpa(pt->kind, *e));
    }
    *out = &table[index_at(va, level)];
    return 0;
}

/* The largest level whose leaf fits at va/hpa with size bytes left. */
static unsigned int best_level(const struct pagetable *pt, uint64_t va, hpa_t hpa, uint64_t left)
{
    unsigned int level = arch_pt_max_leaf_level(pt->kind);

    while (level > 1) {
        uint64_t size = pagetable_level_size(level);

        if (IS_ALIGNED(va, size) && IS_ALIGNED(hpa, size) && left >= size) {
            break;
        }
        level--;
    }
    return level;
}

int pagetable_map(struct pagetable *pt, uint64_t va, hpa_t hpa, uint64_t size, struct pt_attr attr)
{
    if (!IS_ALIGNED(va | hpa | size, PAGE_SIZE) || va + size < va || hpa + size < hpa ||
        va + size > PT_VA_LIMIT) {
        return -AXVM_EINVAL;
    }
    while (size) {
        unsigned int level = best_level(pt, va, hpa, size);
        uint64_t *e;
        int rc;

        /* A table already hangs where a large leaf would go: fill it with smaller leaves. */
        for (;; level--) {
            rc = walk_to(pt, va, level, &e);
            if (rc) {
                return rc;
            }
            if (level == 1 || !arch_pt_is_present(pt->kind, *e) ||
                !arch_pt_is_table(pt->kind, *e, level)) {
                break;
            }
        }
        *e = arch_pt_leaf_entry(pt->kind, hpa, level, attr);
        va += pagetable_level_size(level);
        hpa += pagetable_level_size(level);
        size -= pagetable_level_size(level);
    }
    return 0;
}

/* The entry that maps va (a leaf at *level), or NULL when nothing does. */
static uint64_t *find_leaf(const struct pagetable *pt, uint64_t va, unsigned int *level)
{
    uint64_t *table = table_of(pt->root_hpa);

    for (unsigned int l = PT_LEVELS; l >= 1; l--) {
        uint64_t *e = &table[index_at(va, l)];

        if (!arch_pt_is_present(pt->kind, *e)) {
            *level = l;
            return NULL;
        }
        if (l == 1 || !arch_pt_is_table(pt->kind, *e, l)) {
            *level = l;
            return e;
        }
        table = table_of(arch_pt_entry_hpa(pt->kind, *e));
    }
    return NULL;
}

int pagetable_unmap(struct pagetable *pt, uint64_t va, uint64_t size)
{
    if (!IS_ALIGNED(va | size, PAGE_SIZE) || va + size < va || va + size > PT_VA_LIMIT) {
        return -AXVM_EINVAL;
    }
    while (size) {
        unsigned int level;
        uint64_t *e = find_leaf(pt, va, &level);
        uint64_t span = pagetable_level_size(level);
        uint64_t skip = span - (va & (span - 1)); /* to the end of this entry's span */

        if (e && (skip != span || size < span)) {
            int rc = split_leaf(pt, e, level); /* the range covers only part of this leaf */

            if (rc) {
                return rc;
            }
            continue;
        }
        if (e) {
            *e = 0;
        }
        va += MIN(skip, size);
        size -= MIN(skip, size);
    }
    return 0;
}

/* Whether the table under entry e (at level) maps one run; *leaf: the leaf that would do. */
static bool is_one_run(const struct pagetable *pt, uint64_t e, unsigned int level, uint64_t *leaf)
{
    const uint64_t *table = table_of(arch_pt_entry_hpa(pt->kind, e));
    uint64_t step = pagetable_level_size(level - 1);
    hpa_t base = arch_pt_entry_hpa(pt->kind, table[0]);
    struct pt_attr attr = arch_pt_entry_attr(pt->kind, table[0]);

    if (level > arch_pt_max_leaf_level(pt->kind) ||
        !IS_ALIGNED(base, pagetable_level_size(level))) {
        return false;
    }
    for (unsigned int i = 0; i < PT_ENTRIES; i++) {
        struct pt_attr a = arch_pt_entry_attr(pt->kind, table[i]);

        if (!arch_pt_is_present(pt->kind, table[i]) ||
            (level - 1 > 1 && arch_pt_is_table(pt->kind, table[i], level - 1)) ||
            arch_pt_entry_hpa(pt->kind, table[i]) != base + i * step ||
            a.writable != attr.writable || a.executable != attr.executable || a.mem != attr.mem) {
            return false;
        }
    }
    *leaf = arch_pt_leaf_entry(pt->kind, base, level, attr);
    return true;
}

unsigned int pagetable_merge(struct pagetable *pt, uint64_t va, hpa_t *freed, unsigned int max)
{
    uint64_t *path[PT_LEVELS + 1] = {NULL}; /* path[l]: va's entry at level l, a table */
    uint64_t *table = table_of(pt->root_hpa);
    unsigned int lowest = PT_LEVELS + 1, n = 0;
    uint64_t leaf;

    for (unsigned int l = PT_LEVELS; l > 1; l--) {
        uint64_t *e = &table[index_at(va, l)];

        if (!arch_pt_is_present(pt->kind, *e) || !arch_pt_is_table(pt->kind, *e, l)) {
            break;
        }
        path[l] = e;
        lowest = l;
        table = table_of(arch_pt_entry_hpa(pt->kind, *e));
    }
    for (unsigned int l = lowest; l <= PT_LEVELS && n < max && path[l]; l++) {
        hpa_t under = arch_pt_entry_hpa(pt->kind, *path[l]);

        if (!is_one_run(pt, *path[l], l, &leaf)) {
            break;
        }
        *path[l] = leaf; /* the same translations: a walk sees either form */
        freed[n++] = under;
        pt->nr_tables--;
    }
    return n;
}

static void frame_table_free(hpa_t hpa)
{
    frame_free(hpa, 1);
}

static void destroy_table(struct pagetable *pt, hpa_t table_hpa, unsigned int level,
                          pt_free_fn free_table)
{
    const uint64_t *table = table_of(table_hpa);

    for (unsigned int i = 0; level > 1 && i < PT_ENTRIES; i++) {
        if (arch_pt_is_present(pt->kind, table[i]) && arch_pt_is_table(pt->kind, table[i], level)) {
            destroy_table(pt, arch_pt_entry_hpa(pt->kind, table[i]), level - 1, free_table);
        }
    }
    free_table(table_hpa);
    pt->nr_tables--;
}

void pagetable_destroy(struct pagetable *pt, pt_free_fn free_table)
{
    destroy_table(pt, pt->root_hpa, PT_LEVELS, free_table ? free_table : frame_table_free);
    pt->root_hpa = 0;
}

bool pagetable_lookup(const struct pagetable *pt, uint64_t va, hpa_t *hpa, struct pt_attr *attr)
{
    const uint64_t *table = table_of(pt->root_hpa);

    for (unsigned int l = PT_LEVELS; l >= 1; l--) {
        uint64_t e = table[index_at(va, l)];

        if (!arch_pt_is_present(pt->kind, e)) {
            return false;
        }
        if (l == 1 || !arch_pt_is_table(pt->kind, e, l)) {
            uint64_t offset = va & (pagetable_level_size(l) - 1);

            *hpa = arch_pt_entry_hpa(pt->kind, e) + offset;
            *attr = arch_pt_entry_attr(pt->kind, e);
            return true;
        }
        table = table_of(arch_pt_entry_hpa(pt->kind, e));
    }
    return false;
}
