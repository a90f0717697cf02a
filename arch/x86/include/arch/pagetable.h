/* SPDX-License-Identifier: MIT */
/*
 * x86 twin of <hv/pagetable.h>: long-mode page-table entries (AMD APM vol. 2, "Long-Mode Page
 * Translation"). Nested (NPT) entries have the same format and must carry U=1, because nested
 * walks are user accesses (PLATFORM.md §3).
 */
#ifndef ARCH_X86_PAGETABLE_H
#define ARCH_X86_PAGETABLE_H

#include <hv/pagetable.h> /* the types this twin encodes; hv/pagetable.h includes us back */
#include <hv/types.h>

#define X86_PTE_P    (1ULL << 0)
#define X86_PTE_W    (1ULL << 1)
#define X86_PTE_U    (1ULL << 2)
#define X86_PTE_PWT  (1ULL << 3)
#define X86_PTE_PCD  (1ULL << 4)
#define X86_PTE_PS   (1ULL << 7)
#define X86_PTE_NX   (1ULL << 63)
#define X86_PTE_ADDR 0x000ffffffffff000ULL

static inline uint64_t arch_pt_kind_bits(enum pt_kind kind)
{
    return kind == PT_GUEST ? X86_PTE_U : 0;
}

static inline uint64_t arch_pt_table_entry(enum pt_kind kind, hpa_t table)
{
    return table | X86_PTE_P | X86_PTE_W | arch_pt_kind_bits(kind); /* rights live in leaves */
}

static inline uint64_t arch_pt_leaf_entry(enum pt_kind kind, hpa_t hpa, unsigned int level,
                                          struct pt_attr attr)
{
    uint64_t e = hpa | X86_PTE_P | arch_pt_kind_bits(kind);

    e |= attr.writable ? X86_PTE_W : 0;
    e |= attr.executable ? 0 : X86_PTE_NX;
    e |= attr.mem == PT_MEM_DEVICE ? X86_PTE_PCD | X86_PTE_PWT : 0;
    e |= level > 1 ? X86_PTE_PS : 0;
    return e;
}

static inline bool arch_pt_is_present(enum pt_kind kind, uint64_t e)
{
    (void)kind;
    return e & X86_PTE_P;
}

static inline bool arch_pt_is_table(enum pt_kind kind, uint64_t e, unsigned int level)
{
    (void)kind;
    return level > 1 && !(e & X86_PTE_PS);
}

static inline hpa_t arch_pt_entry_hpa(enum pt_kind kind, uint64_t e)
{
    (void)kind;
    return e & X86_PTE_ADDR;
}

static inline struct pt_attr arch_pt_entry_attr(enum pt_kind kind, uint64_t e)
{
    struct pt_attr attr = {
        .writable = (e & X86_PTE_W) != 0,
        .executable = !(e & X86_PTE_NX),
        .mem = (e & X86_PTE_PCD) ? PT_MEM_DEVICE : PT_MEM_NORMAL,
    };

    (void)kind;
    return attr;
}

static inline unsigned int arch_pt_max_leaf_level(enum pt_kind kind)
{
    (void)kind;
    return 2; /* 2 MiB; 1 GiB leaves need CPUID.80000001h:EDX.Page1GB, not yet probed */
}

#endif /* ARCH_X86_PAGETABLE_H */
