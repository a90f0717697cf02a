/* SPDX-License-Identifier: MIT */
/*
 * arm64 twin of <hv/pagetable.h>: VMSAv8-64 descriptors for the 4 KiB granule (Arm ARM D8,
 * "VMSAv8-64 translation table format descriptors"). Generic level 4..1 is Arm's level 0..3.
 * Hypervisor (EL2 stage 1) memory types index MAIR_EL2 as set in arch/arm64/mmu.c; guest
 * (stage 2) entries carry MemAttr directly.
 */
#ifndef ARCH_ARM64_PAGETABLE_H
#define ARCH_ARM64_PAGETABLE_H

#include <hv/pagetable.h> /* the types this twin encodes; hv/pagetable.h includes us back */
#include <hv/types.h>

#define ARM64_DESC_VALID (1ULL << 0)
#define ARM64_DESC_TABLE (1ULL << 1) /* table at levels 0-2, page at level 3 */
#define ARM64_DESC_AF    (1ULL << 10)
#define ARM64_DESC_SH_IS (3ULL << 8)
#define ARM64_DESC_XN    (1ULL << 54)
#define ARM64_DESC_ADDR  0x0000fffffffff000ULL

/* EL2 stage 1: AttrIndx[4:2] selects a MAIR_EL2 slot; AP[2] (bit 7) set = read-only. */
#define ARM64_MAIR_DEVICE_NGNRE 2
#define ARM64_MAIR_NORMAL_WB    1
#define ARM64_S1_ATTRIDX(i)     ((uint64_t)(i) << 2)
#define ARM64_S1_AP_RW          (1ULL << 6) /* AP[1] is RES1 with one privilege level */
#define ARM64_S1_AP_RO          (3ULL << 6)

/* Stage 2: MemAttr[5:2] (0xf normal write-back, 0x1 device nGnRE), S2AP[7:6]. */
#define ARM64_S2_MEMATTR_NORMAL (0xfULL << 2)
#define ARM64_S2_MEMATTR_DEVICE (0x1ULL << 2)
#define ARM64_S2_AP_R           (1ULL << 6)
#define ARM64_S2_AP_W           (1ULL << 7)

static inline uint64_t arch_pt_table_entry(enum pt_kind kind, hpa_t table)
{
    (void)kind;
    return table | ARM64_DESC_VALID | ARM64_DESC_TABLE;
}

static inline uint64_t arch_pt_leaf_entry(enum pt_kind kind, hpa_t hpa, unsigned int level,
                                          struct pt_attr attr)
{
    uint64_t e = hpa | ARM64_DESC_VALID | ARM64_DESC_AF | (level == 1 ? ARM64_DESC_TABLE : 0);
    bool device = attr.mem == PT_MEM_DEVICE;

    e |= device ? 0 : ARM64_DESC_SH_IS;
    e |= attr.executable && !device ? 0 : ARM64_DESC_XN;
    if (kind == PT_GUEST) {
        e |= device ? ARM64_S2_MEMATTR_DEVICE : ARM64_S2_MEMATTR_NORMAL;
        e |= ARM64_S2_AP_R | (attr.writable ? ARM64_S2_AP_W : 0);
    } else {
        e |= ARM64_S1_ATTRIDX(device ? ARM64_MAIR_DEVICE_NGNRE : ARM64_MAIR_NORMAL_WB);
        e |= attr.writable ? ARM64_S1_AP_RW : ARM64_S1_AP_RO;
    }
    return e;
}

static inline bool arch_pt_is_present(enum pt_kind kind, uint64_t e)
{
    (void)kind;
    return e & ARM64_DESC_VALID;
}

static inline bool arch_pt_is_table(enum pt_kind kind, uint64_t e, unsigned int level)
{
    (void)kind;
    return level > 1 && (e & ARM64_DESC_TABLE);
}

static inline hpa_t arch_pt_entry_hpa(enum pt_kind kind, uint64_t e)
{
    (void)kind;
    return e & ARM64_DESC_ADDR;
}

static inline struct pt_attr arch_pt_entry_attr(enum pt_kind kind, uint64_t e)
{
    struct pt_attr attr = {.executable = !(e & ARM64_DESC_XN)};

    if (kind == PT_GUEST) {
        attr.writable = (e & ARM64_S2_AP_W) != 0;
        attr.mem = (e & (0xfULL << 2)) == ARM64_S2_MEMATTR_NORMAL ? PT_MEM_NORMAL : PT_MEM_DEVICE;
    } else {
        attr.writable = (e & ARM64_S1_AP_RO) == ARM64_S1_AP_RW;
        attr.mem = (e & (7ULL << 2)) == ARM64_S1_ATTRIDX(ARM64_MAIR_NORMAL_WB) ? PT_MEM_NORMAL
                                                                               : PT_MEM_DEVICE;
    }
    return attr;
}

static inline unsigned int arch_pt_max_leaf_level(enum pt_kind kind)
{
    (void)kind;
    return 3; /* 1 GiB blocks at Arm level 1 */
}

#endif /* ARCH_ARM64_PAGETABLE_H */
