/* SPDX-License-Identifier: MIT */
/*
 * Host twin of <hv/pagetable.h>: a simple x86-like entry format. Guest trees take leaves up to
 * 1 GiB and hypervisor trees up to 2 MiB, so the tests meet both ceilings the real arches have.
 * Guest entries carry HOST_PTE_GUEST, so a test can tell which kind wrote an entry.
 */
#ifndef ARCH_HOST_PAGETABLE_H
#define ARCH_HOST_PAGETABLE_H

#include <hv/pagetable.h> /* the types this twin encodes; hv/pagetable.h includes us back */
#include <hv/types.h>

#define HOST_PTE_PRESENT (1ULL << 0)
#define HOST_PTE_WRITE   (1ULL << 1)
#define HOST_PTE_GUEST   (1ULL << 2)
#define HOST_PTE_DEVICE  (1ULL << 4)
#define HOST_PTE_LEAF    (1ULL << 7) /* in levels 2 and 3: a leaf, not a table */
#define HOST_PTE_NX      (1ULL << 63)
#define HOST_PTE_ADDR    0x000ffffffffff000ULL

static inline uint64_t arch_pt_kind_bits(enum pt_kind kind)
{
    return kind == PT_GUEST ? HOST_PTE_GUEST : 0;
}

static inline uint64_t arch_pt_table_entry(enum pt_kind kind, hpa_t table)
{
    return table | HOST_PTE_PRESENT | HOST_PTE_WRITE | arch_pt_kind_bits(kind);
}

static inline uint64_t arch_pt_leaf_entry(enum pt_kind kind, hpa_t hpa, unsigned int level,
                                          struct pt_attr attr)
{
    uint64_t e = hpa | HOST_PTE_PRESENT | arch_pt_kind_bits(kind);

    e |= attr.writable ? HOST_PTE_WRITE : 0;
    e |= attr.executable ? 0 : HOST_PTE_NX;
    e |= attr.mem == PT_MEM_DEVICE ? HOST_PTE_DEVICE : 0;
    e |= level > 1 ? HOST_PTE_LEAF : 0;
    return e;
}

static inline bool arch_pt_is_present(enum pt_kind kind, uint64_t e)
{
    (void)kind;
    return e & HOST_PTE_PRESENT;
}

static inline bool arch_pt_is_table(enum pt_kind kind, uint64_t e, unsigned int level)
{
    (void)kind;
    return level > 1 && !(e & HOST_PTE_LEAF);
}

static inline hpa_t arch_pt_entry_hpa(enum pt_kind kind, uint64_t e)
{
    (void)kind;
    return e & HOST_PTE_ADDR;
}

static inline struct pt_attr arch_pt_entry_attr(enum pt_kind kind, uint64_t e)
{
    struct pt_attr attr = {
        .writable = (e & HOST_PTE_WRITE) != 0,
        .executable = !(e & HOST_PTE_NX),
        .mem = (e & HOST_PTE_DEVICE) ? PT_MEM_DEVICE : PT_MEM_NORMAL,
    };

    (void)kind;
    return attr;
}

static inline unsigned int arch_pt_max_leaf_level(enum pt_kind kind)
{
    return kind == PT_GUEST ? 3 : 2;
}

#endif /* ARCH_HOST_PAGETABLE_H */
