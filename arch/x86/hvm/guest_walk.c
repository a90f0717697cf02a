/* SPDX-License-Identifier: MIT */
/*
 * The guest page-table walker behind <x86/guest_walk.h>. It follows the guest's tables as the
 * MMU would (AMD APM vol. 2 §5 "Page Translation and Protection"; Intel SDM vol. 3A ch. 4
 * "Paging"), so that the hypervisor can fetch the instruction that touched emulated MMIO.
 */
#include <hv/compiler.h>
#include <public/axvm/errno.h>
#include <x86/guest_walk.h>

#define CR0_WP   (1ull << 16)
#define CR0_PG   (1ull << 31)
#define CR4_PSE  (1ull << 4)
#define CR4_PAE  (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

#define PTE_P  (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)

/* The #PF error code (AMD APM vol. 2 §8.4.2, "Page-Fault Error Code"). */
#define PF_P    (1u << 0)
#define PF_W    (1u << 1)
#define PF_U    (1u << 2)
#define PF_RSVD (1u << 3)
#define PF_ID   (1u << 4)

/* Bits hi..lo, inclusive. */
#define BITS(hi, lo) ((~0ull >> (63 - (hi))) & ~((1ull << (lo)) - 1))

/* Bits 62:52 are reserved in PAE entries; in long mode they are free for software. */
#define PAE_RSVD BITS(62, 52)

struct level {
    uint8_t shift;       /* the lowest gva bit that indexes this table */
    uint8_t index_bits;  /* how many gva bits index it */
    bool has_perms;      /* R/W, U/S and NX count (they are reserved in a PAE PDPTE) */
    bool can_be_large;   /* PS = 1 maps a page here instead of pointing to a table */
    bool is_pse36;       /* a 4 MiB entry holds address bits 39:32 in its bits 20:13 */
    uint64_t rsvd;       /* reserved when the entry points to a table or a 4 KiB page */
    uint64_t rsvd_large; /* reserved when it maps a large page */
};

struct paging_mode {
    const struct level *levels;
    uint8_t nr_levels;
    uint8_t entry_size; /* bytes: 4 in 2-level mode, else 8 */
    uint8_t va_bits;    /* 48 or 57 in long mode (canonical check); 32 elsewhere */
    uint64_t cr3_mask;  /* where CR3 keeps the top table's address */
    uint64_t addr_mask; /* where an entry keeps the next table's or page's address */
};

/* PS is reserved in a PML5E and a PML4E; bit 7 of a PTE is PAT. */
static const struct level long_mode_levels[] = {
    {.shift = 48, .index_bits = 9, .has_perms = true, .rsvd = PTE_PS}, /* PML5E */
    {.shift = 39, .index_bits = 9, .has_perms = true, .rsvd = PTE_PS}, /* PML4E */
    /* PDPE: 1 GiB pages */
    {.shift = 30,
     .index_bits = 9,
     .has_perms = true,
     .can_be_large = true,
     .rsvd_large = BITS(29, 13)},
    /* PDE: 2 MiB pages */
    {.shift = 21,
     .index_bits = 9,
     .has_perms = true,
     .can_be_large = true,
     .rsvd_large = BITS(20, 13)},
    {.shift = 12, .index_bits = 9, .has_perms = true}, /* PTE */
};

/*
 * The four PDPTEs carry only P, PWT and PCD. Intel checks them when CR3 is loaded (#GP); a
 * walk that finds a reserved bit reports it as a #PF with RSVD, as AMD does.
 */
static const struct level pae_levels[] = {
    {.shift = 30, .index_bits = 2, .rsvd = BITS(63, 52) | BITS(8, 5) | BITS(2, 1)}, /* PDPTE */
    /* PDE: 2 MiB pages */
    {.shift = 21,
     .index_bits = 9,
     .has_perms = true,
     .can_be_large = true,
     .rsvd = PAE_RSVD,
     .rsvd_large = PAE_RSVD | BITS(20, 13)},
    {.shift = 12, .index_bits = 9, .has_perms = true, .rsvd = PAE_RSVD}, /* PTE */
};

/* Without CR4.PSE the PS bit of a PDE is ignored. */
static const struct level legacy_levels[] = {
    {.shift = 22, .index_bits = 10, .has_perms = true}, /* PDE */
    {.shift = 12, .index_bits = 10, .has_perms = true}, /* PTE */
};

/* With CR4.PSE, 4 MiB pages with PSE-36: address bits 39:32 in bits 20:13, bit 21 reserved. */
static const struct level legacy_pse_levels[] = {
    /* PDE: 4 MiB pages */
    {.shift = 22,
     .index_bits = 10,
     .has_perms = true,
     .can_be_large = true,
     .is_pse36 = true,
     .rsvd_large = BITS(21, 21)},
    {.shift = 12, .index_bits = 10, .has_perms = true}, /* PTE */
};

static const struct paging_mode mode_5level = {
    .levels = long_mode_levels,
    .nr_levels = 5,
    .entry_size = 8,
    .va_bits = 57,
    .cr3_mask = BITS(51, 12),
    .addr_mask = BITS(51, 12),
};

static const struct paging_mode mode_4level = {
    .levels = long_mode_levels + 1,
    .nr_levels = 4,
    .entry_size = 8,
    .va_bits = 48,
    .cr3_mask = BITS(51, 12),
    .addr_mask = BITS(51, 12),
};

/* CR3 holds the 32-byte aligned PDPT below 4 GiB. */
static const struct paging_mode mode_pae = {
    .levels = pae_levels,
    .nr_levels = 3,
    .entry_size = 8,
    .va_bits = 32,
    .cr3_mask = BITS(31, 5),
    .addr_mask = BITS(51, 12),
};

static const struct paging_mode mode_legacy = {
    .levels = legacy_levels,
    .nr_levels = 2,
    .entry_size = 4,
    .va_bits = 32,
    .cr3_mask = BITS(31, 12),
    .addr_mask = BITS(31, 12),
};

static const struct paging_mode mode_legacy_pse = {
    .levels = legacy_pse_levels,
    .nr_levels = 2,
    .entry_size = 4,
    .va_bits = 32,
    .cr3_mask = BITS(31, 12),
    .addr_mask = BITS(31, 12),
};

struct walk {
    const struct x86_paging *p;
    const struct paging_mode *mode;
    x86_read_gpa_fn read;
    void *ctx;
    unsigned int access; /* X86_WALK_* */
    bool has_nx;         /* EFER.NXE with 8-byte entries: bit 63 means no-execute */
    /* The permissions of the levels walked so far (AMD APM vol. 2 §5.6). */
    bool is_writable;
    bool is_user;
    bool is_nx;
    uint32_t *fault_code; /* written only when the walk itself faults */
};

static const struct paging_mode *select_mode(const struct x86_paging *p)
{
    if (p->efer & EFER_LMA) {
        return p->cr4 & CR4_LA57 ? &mode_5level : &mode_4level;
    }
    if (p->cr4 & CR4_PAE) {
        return &mode_pae;
    }
    return p->cr4 & CR4_PSE ? &mode_legacy_pse : &mode_legacy;
}

/* Bits 63 down to the top implemented bit must all be equal (AMD APM vol. 2 §5.3.1). */
static bool is_canonical(uint64_t gva, unsigned int va_bits)
{
    uint64_t top = gva >> (va_bits - 1);

    return top == 0 || top == ~0ull >> (va_bits - 1);
}

/*
 * The error code describes the access as well as the cause. I/D is defined only when
 * no-execute is (EFER.NXE with PAE or long-mode tables; SMEP is not modelled).
 */
static int fault(struct walk *w, uint32_t cause)
{
    bool is_fetch = w->access & X86_WALK_FETCH;

    uint32_t code = cause;

    if ((w->access & X86_WALK_WRITE) && !is_fetch) {
        code |= PF_W;
    }
    if (w->access & X86_WALK_USER) {
        code |= PF_U;
    }
    if (is_fetch && w->has_nx) {
        code |= PF_ID;
    }
    *w->fault_code = code;
    return -AXVM_EFAULT;
}

/* Entries are little-endian in guest memory, 4 or 8 bytes, read in one go. */
static int read_entry(const struct walk *w, const struct level *l, uint64_t table_gpa, uint64_t gva,
                      uint64_t *entry)
{
    uint64_t index = gva >> l->shift & ((1ull << l->index_bits) - 1);
    size_t size = w->mode->entry_size;
    uint8_t bytes[8];
    uint64_t value = 0;
    int rc = w->read(w->ctx, table_gpa + index * size, bytes, size);

    if (rc) {
        return rc;
    }
    for (size_t i = size; i-- > 0;) {
        value = value << 8 | bytes[i];
    }
    *entry = value;
    return 0;
}

static uint64_t reserved_bits(const struct walk *w, const struct level *l, bool is_large)
{
    uint64_t rsvd = is_large ? l->rsvd_large : l->rsvd;

    /* Without EFER.NXE, bit 63 of a PAE or long-mode entry is reserved. */
    if (l->has_perms && w->mode->entry_size == 8 && !w->has_nx) {
        rsvd |= PTE_NX;
    }
    return rsvd;
}

static void combine_perms(struct walk *w, const struct level *l, uint64_t entry)
{
    if (!l->has_perms) {
        return;
    }
    w->is_writable = w->is_writable && (entry & PTE_RW);
    w->is_user = w->is_user && (entry & PTE_US);
    w->is_nx = w->is_nx || (w->has_nx && (entry & PTE_NX));
}

static uint64_t leaf_gpa(const struct walk *w, const struct level *l, uint64_t entry, uint64_t gva)
{
    uint64_t offset_mask = (1ull << l->shift) - 1;
    uint64_t frame = entry & w->mode->addr_mask & ~offset_mask;

    if (l->is_pse36) {
        frame |= (entry >> 13 & 0xff) << 32;
    }
    return frame | (gva & offset_mask);
}

/*
 * A supervisor write to a read-only page faults only with CR0.WP; a user access needs U/S
 * and, to write, R/W at every level (AMD APM vol. 2 §5.6, Intel SDM vol. 3A §4.6).
 */
static int check_access(struct walk *w)
{
    bool is_user = w->access & X86_WALK_USER;

    if (is_user && !w->is_user) {
        return fault(w, PF_P);
    }
    if ((w->access & X86_WALK_WRITE) && !w->is_writable && (is_user || (w->p->cr0 & CR0_WP))) {
        return fault(w, PF_P);
    }
    if ((w->access & X86_WALK_FETCH) && w->is_nx) {
        return fault(w, PF_P);
    }
    return 0;
}

/* A missing entry is reported before its reserved bits, which do not count then. */
static int walk_tables(struct walk *w, uint64_t gva, uint64_t *gpa)
{
    uint64_t table_gpa = w->p->cr3 & w->mode->cr3_mask;
    const struct level *l = w->mode->levels;
    uint64_t entry;

    for (size_t i = 0;; i++, l++) {
        bool is_large;
        int rc = read_entry(w, l, table_gpa, gva, &entry);

        if (rc) {
            return rc;
        }
        if (!(entry & PTE_P)) {
            return fault(w, 0);
        }
        is_large = l->can_be_large && (entry & PTE_PS);
        if (entry & reserved_bits(w, l, is_large)) {
            return fault(w, PF_P | PF_RSVD);
        }
        combine_perms(w, l, entry);
        if (is_large || i + 1 == w->mode->nr_levels) {
            break;
        }
        table_gpa = entry & w->mode->addr_mask;
    }
    *gpa = leaf_gpa(w, l, entry, gva);
    return check_access(w);
}

/*
 * A non-canonical address raises #GP, not #PF, so it has no error code: it is reported as
 * -AXVM_ERANGE. Accessed and dirty bits are left alone.
 */
int x86_guest_translate(const struct x86_paging *p, uint64_t gva, unsigned int access,
                        x86_read_gpa_fn read, void *ctx, uint64_t *gpa, uint32_t *fault_code)
{
    struct walk w = {.p = p, .read = read, .ctx = ctx, .access = access, .fault_code = fault_code};

    if (!(p->cr0 & CR0_PG)) {
        *gpa = p->efer & EFER_LMA ? gva : gva & 0xffffffffu;
        return 0;
    }
    w.mode = select_mode(p);
    if (w.mode->va_bits == 32) {
        gva &= 0xffffffffu;
    } else if (!is_canonical(gva, w.mode->va_bits)) {
        return -AXVM_ERANGE;
    }
    w.has_nx = (p->efer & EFER_NXE) && w.mode->entry_size == 8;
    w.is_writable = true;
    w.is_user = true;
    return walk_tables(&w, gva, gpa);
}

/*
 * The bytes are checked as a supervisor instruction fetch: the guest has run them already, and
 * without SMEP only no-execute can refuse a supervisor fetch. The #PF error code is dropped, as
 * the contract has nowhere to return it.
 */
int x86_guest_fetch(const struct x86_paging *p, uint64_t gva, void *buf, size_t len,
                    x86_read_gpa_fn read, void *ctx)
{
    uint8_t *dst = buf;

    while (len > 0) {
        size_t chunk = MIN(len, (size_t)(PAGE_SIZE - (gva & (PAGE_SIZE - 1))));
        uint32_t fault_code;
        uint64_t gpa;
        int rc = x86_guest_translate(p, gva, X86_WALK_FETCH, read, ctx, &gpa, &fault_code);

        if (!rc) {
            rc = read(ctx, gpa, dst, chunk);
        }
        if (rc) {
            return rc;
        }
        dst += chunk;
        gva += chunk;
        len -= chunk;
    }
    return 0;
}
