/* SPDX-License-Identifier: MIT */
/*
 * Suite "guest_walk": the guest page-table walker in arch/x86/hvm/guest_walk.c. Each test builds
 * guest page tables in a fake guest RAM, served by a read callback that refuses anything outside
 * it, and checks translations, #PF error codes and instruction fetches in every paging mode.
 */
#include <stdlib.h>
#include <string.h>
#include <hv/compiler.h>
#include <public/axvm/errno.h>
#include <x86/guest_walk.h>
#include <unit.h>

#define CR0_PE   (1ull << 0)
#define CR0_WP   (1ull << 16)
#define CR0_PG   (1ull << 31)
#define CR4_PSE  (1ull << 4)
#define CR4_PAE  (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

#define P   (1ull << 0)
#define W   (1ull << 1)
#define U   (1ull << 2)
#define PS  (1ull << 7)
#define PAT (1ull << 12) /* in a large-page entry */
#define NX  (1ull << 63)

/* #PF error code bits (AMD APM vol. 2 §8.4.2). */
#define PF_P    0x01u
#define PF_W    0x02u
#define PF_U    0x04u
#define PF_RSVD 0x08u
#define PF_ID   0x10u

#define READ  0u
#define WRITE X86_WALK_WRITE
#define USER  X86_WALK_USER
#define FETCH X86_WALK_FETCH

#define RAM_SIZE     MIB(4)
#define TABLES_GPA   0x100000ull /* page tables are handed out from here up */
#define NO_FAULT     0xdeadbeefu /* what fault_code holds when nothing wrote it */
#define MAX_READS    16
#define PAE_PDPT_OFF 0x60 /* CR3 points 32-byte aligned, not page aligned, in PAE mode */

/* A paging mode as the test sees it: table geometry and control registers. */
struct mode {
    const char *name;
    uint8_t nr_levels;
    uint8_t entry_size;
    uint8_t shifts[5];
    uint8_t index_bits[5];
    uint64_t cr4;
    uint64_t efer;
};

static const struct mode mode_2level = {"2-level", 2, 4, {22, 12}, {10, 10}, 0, 0};
static const struct mode mode_2level_pse = {"2-level+PSE", 2, 4, {22, 12}, {10, 10}, CR4_PSE, 0};
static const struct mode mode_pae = {"PAE", 3, 8, {30, 21, 12}, {2, 9, 9}, CR4_PAE, 0};
static const struct mode mode_4level = {
    "4-level", 4, 8, {39, 30, 21, 12}, {9, 9, 9, 9}, CR4_PAE, EFER_LME | EFER_LMA};
static const struct mode mode_5level = {
    "5-level",          5, 8, {48, 39, 30, 21, 12}, {9, 9, 9, 9, 9}, CR4_PAE | CR4_LA57,
    EFER_LME | EFER_LMA};

/* The fake guest: its RAM, its tables, and a log of what the walker read. */
struct guest {
    const struct mode *mode;
    struct x86_paging paging;
    uint8_t *ram;
    uint64_t root_gpa;
    uint64_t next_table_gpa;
    unsigned int nr_reads;
    struct {
        uint64_t gpa;
        size_t len;
    } reads[MAX_READS];
};

static struct guest guest;

static int guest_walk_init(void)
{
    guest.ram = malloc(RAM_SIZE);
    return guest.ram ? 0 : -1;
}

static int guest_walk_cleanup(void)
{
    free(guest.ram);
    return 0;
}

static int ram_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    struct guest *g = ctx;

    if (g->nr_reads < MAX_READS) {
        g->reads[g->nr_reads].gpa = gpa;
        g->reads[g->nr_reads].len = len;
    }
    g->nr_reads++;
    if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa) {
        return -AXVM_EIO;
    }
    memcpy(buf, g->ram + gpa, len);
    return 0;
}

static uint64_t get_entry(const struct guest *g, uint64_t gpa)
{
    uint64_t value = 0;

    CU_ASSERT_FATAL(gpa + g->mode->entry_size <= RAM_SIZE);
    for (size_t i = g->mode->entry_size; i-- > 0;) {
        value = value << 8 | g->ram[gpa + i];
    }
    return value;
}

static void put_entry(struct guest *g, uint64_t gpa, uint64_t value)
{
    CU_ASSERT_FATAL(gpa + g->mode->entry_size <= RAM_SIZE);
    for (size_t i = 0; i < g->mode->entry_size; i++, value >>= 8) {
        g->ram[gpa + i] = (uint8_t)value;
    }
}

static uint64_t alloc_table(struct guest *g)
{
    uint64_t gpa = g->next_table_gpa;

    g->next_table_gpa += PAGE_SIZE;
    CU_ASSERT_FATAL(g->next_table_gpa <= RAM_SIZE);
    return gpa;
}

/* Fresh RAM (zero) and an empty top-level table; CR3 also carries PWT and PCD. */
static void guest_init(const struct mode *mode, uint64_t cr0_extra, uint64_t efer_extra)
{
    guest.mode = mode;
    memset(guest.ram, 0, RAM_SIZE);
    guest.next_table_gpa = TABLES_GPA;
    guest.root_gpa = alloc_table(&guest);
    if (mode == &mode_pae) {
        guest.root_gpa += PAE_PDPT_OFF;
    }
    guest.paging = (struct x86_paging){
        .cr0 = CR0_PE | CR0_PG | cr0_extra,
        .cr3 = guest.root_gpa | 0x18,
        .cr4 = mode->cr4,
        .efer = mode->efer | efer_extra,
    };
    guest.nr_reads = 0;
}

static uint64_t table_index(const struct mode *mode, uint64_t gva, unsigned int depth)
{
    return gva >> mode->shifts[depth] & ((1ull << mode->index_bits[depth]) - 1);
}

/* The flags of a table pointer: a PAE PDPTE has only P; the others allow everything. */
static uint64_t table_flags(const struct mode *mode, unsigned int depth)
{
    return mode == &mode_pae && depth == 0 ? P : P | W | U;
}

/* Returns: the gpa of the entry for gva at depth (0 is the top), making tables on the way. */
static uint64_t entry_gpa(struct guest *g, uint64_t gva, unsigned int depth)
{
    uint64_t table_gpa = g->root_gpa;
    uint64_t addr_mask = g->mode->entry_size == 4 ? 0xfffff000ull : 0x000ffffffffff000ull;

    for (unsigned int d = 0;; d++) {
        uint64_t gpa = table_gpa + table_index(g->mode, gva, d) * g->mode->entry_size;
        uint64_t entry;

        if (d == depth) {
            return gpa;
        }
        entry = get_entry(g, gpa);
        if (!(entry & P)) {
            entry = alloc_table(g) | table_flags(g->mode, d);
            put_entry(g, gpa, entry);
        }
        table_gpa = entry & addr_mask;
    }
}

static void set_entry(struct guest *g, uint64_t gva, unsigned int depth, uint64_t value)
{
    put_entry(g, entry_gpa(g, gva, depth), value);
}

static void or_entry(struct guest *g, uint64_t gva, unsigned int depth, uint64_t bits)
{
    uint64_t gpa = entry_gpa(g, gva, depth);

    put_entry(g, gpa, get_entry(g, gpa) | bits);
}

/* Keep the address in the entry for gva at depth, and replace everything else with flags. */
static void set_flags(struct guest *g, uint64_t gva, unsigned int depth, uint64_t flags)
{
    uint64_t gpa = entry_gpa(g, gva, depth);
    uint64_t addr_mask = g->mode->entry_size == 4 ? 0xfffff000ull : 0x000ffffffffff000ull;

    put_entry(g, gpa, (get_entry(g, gpa) & addr_mask) | flags);
}

static unsigned int leaf_depth(const struct mode *mode)
{
    return mode->nr_levels - 1u;
}

static void map_4k(struct guest *g, uint64_t gva, uint64_t leaf)
{
    set_entry(g, gva, leaf_depth(g->mode), leaf);
}

static int translate(uint64_t gva, unsigned int access, uint64_t *gpa, uint32_t *fault_code)
{
    *gpa = 0;
    *fault_code = NO_FAULT;
    guest.nr_reads = 0;
    return x86_guest_translate(&guest.paging, gva, access, ram_read, &guest, gpa, fault_code);
}

static void test_x86_guest_translate_without_paging_passes_addresses_through(void)
{
    static const struct {
        uint64_t efer;
        uint64_t gva, gpa;
    } cases[] = {
        {0, 0x12345678, 0x12345678},
        {0, 0x123456789, 0x23456789},
        {EFER_LMA, 0x123456789, 0x123456789},
        {EFER_NXE, 0xffffffffffffffff, 0xffffffff},
    };
    uint64_t gpa;
    uint32_t code;

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int rc;

        guest_init(&mode_4level, 0, 0);
        guest.paging.cr0 = CR0_PE | CR0_WP;
        guest.paging.efer = cases[i].efer;
        rc = translate(cases[i].gva, WRITE | USER, &gpa, &code);
        UNIT_CHECK(rc == 0 && gpa == cases[i].gpa && guest.nr_reads == 0,
                   "gva 0x%llx, EFER 0x%llx: rc %d gpa 0x%llx after %u reads",
                   (unsigned long long)cases[i].gva, (unsigned long long)cases[i].efer, rc,
                   (unsigned long long)gpa, guest.nr_reads);
    }
}

struct map_case {
    const struct mode *mode;
    unsigned int depth; /* where the leaf goes: the last level for 4 KiB pages */
    uint64_t gva;
    uint64_t leaf;
    uint64_t gpa;
};

static const struct map_case map_cases[] = {
    /* 4 KiB pages in every mode */
    {&mode_2level, 1, 0xc0123456, 0x00abc000 | P | W | U, 0x00abc456},
    {&mode_2level_pse, 1, 0xc0123456, 0x00abc000 | P | W | U, 0x00abc456},
    {&mode_pae, 2, 0xbfe01234, 0x123456000 | P | W | U, 0x123456234},
    {&mode_pae, 2, 0x00001fff, 0x00005000 | P, 0x00005fff},
    {&mode_4level, 3, 0x00007f1234567abc, 0xfedcba000 | P | W | U, 0xfedcbaabc},
    {&mode_4level, 3, 0xffff800012345678, 0x00042000 | P, 0x00042678},
    {&mode_5level, 4, 0x00ff123456789abc, 0x000fffffffff0000 | P | W, 0x000fffffffff0abc},
    {&mode_5level, 4, 0xff80000000001000, 0x00043000 | P, 0x00043000},
    /* large pages */
    {&mode_2level_pse, 0, 0x80123456, 0x12c00000 | P | W | U | PS, 0x12d23456},
    {&mode_2level_pse, 0, 0x80123456, 0x00400000 | 0x5ull << 13 | P | PS, 0x500523456},
    {&mode_pae, 1, 0x40123456, 0x123400000 | P | PS, 0x123523456},
    {&mode_pae, 1, 0x40123456, 0x00200000 | PAT | P | PS, 0x00323456},
    {&mode_4level, 2, 0x00007f1234567abc, 0x40000000 | P | W | U | PS, 0x40167abc},
    {&mode_4level, 1, 0x00007f1234567abc, 0x2c0000000 | PAT | P | PS, 0x2f4567abc},
    {&mode_5level, 2, 0x00ff123456789abc, 0x80000000 | P | PS, 0x96789abc},
    /* long mode: bits 62:52 belong to software and are not address bits */
    {&mode_4level, 3, 0x00007f1234567abc, 0x7ffull << 52 | 0x00044000 | P, 0x00044abc},
    {&mode_4level, 2, 0x00007f1234567abc, 0x7ffull << 52 | 0x00600000 | P | PS, 0x00767abc},
};

static void test_x86_guest_translate_maps_pages_of_every_size_in_every_mode(void)
{
    uint64_t gpa;
    uint32_t code;

    for (size_t i = 0; i < ARRAY_SIZE(map_cases); i++) {
        const struct map_case *c = &map_cases[i];
        int rc;

        guest_init(c->mode, 0, 0);
        set_entry(&guest, c->gva, c->depth, c->leaf);
        rc = translate(c->gva, READ, &gpa, &code);
        UNIT_CHECK(rc == 0 && gpa == c->gpa && code == NO_FAULT,
                   "%s, leaf 0x%llx at depth %u, gva 0x%llx: rc %d gpa 0x%llx (want 0x%llx) "
                   "code 0x%x",
                   c->mode->name, (unsigned long long)c->leaf, c->depth, (unsigned long long)c->gva,
                   rc, (unsigned long long)gpa, (unsigned long long)c->gpa, code);
    }
}

/* Without CR4.PSE, a PDE's PS bit is ignored and the PDE points to a page table. */
static void test_x86_guest_translate_ignores_ps_without_cr4_pse(void)
{
    uint64_t gpa;
    uint32_t code;
    int rc;

    guest_init(&mode_2level, 0, 0);
    map_4k(&guest, 0x80123456, 0x00777000 | P);
    or_entry(&guest, 0x80123456, 0, PS);
    rc = translate(0x80123456, READ, &gpa, &code);
    UNIT_CHECK(rc == 0 && gpa == 0x00777456, "rc %d gpa 0x%llx", rc, (unsigned long long)gpa);
}

/* In 32-bit modes only the low 32 bits of the address count. */
static void test_x86_guest_translate_truncates_gva_outside_long_mode(void)
{
    const struct mode *modes[] = {&mode_2level, &mode_pae};
    uint64_t gpa;
    uint32_t code;

    for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
        int rc;

        guest_init(modes[i], 0, 0);
        map_4k(&guest, 0x00401000, 0x00055000 | P);
        rc = translate(0x500401234, READ, &gpa, &code);
        UNIT_CHECK(rc == 0 && gpa == 0x00055234, "%s: rc %d gpa 0x%llx", modes[i]->name, rc,
                   (unsigned long long)gpa);
    }
}

/* Each table entry is one read of the entry's size, at an aligned address in the table. */
static void test_x86_guest_translate_reads_whole_entries(void)
{
    static const struct {
        const struct mode *mode;
        uint64_t gva;
    } cases[] = {
        {&mode_2level, 0xbfe01234},
        {&mode_pae, 0xbfe01234},
        {&mode_4level, 0x00007f1234567abc},
        {&mode_5level, 0x00ff123456789abc},
    };
    uint64_t gpa;
    uint32_t code;

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const struct mode *mode = cases[i].mode;
        bool reads_ok = true;

        guest_init(mode, 0, 0);
        map_4k(&guest, cases[i].gva, 0x00066000 | P);
        CU_ASSERT_EQUAL(translate(cases[i].gva, READ, &gpa, &code), 0);
        for (unsigned int d = 0; d < guest.nr_reads && d < mode->nr_levels; d++) {
            reads_ok = reads_ok && guest.reads[d].len == mode->entry_size &&
                       guest.reads[d].gpa == entry_gpa(&guest, cases[i].gva, d);
        }
        UNIT_CHECK(guest.nr_reads == mode->nr_levels && reads_ok,
                   "%s: %u reads (want %u), sizes and addresses %s", mode->name, guest.nr_reads,
                   mode->nr_levels, reads_ok ? "right" : "wrong");
    }
}

/* The header promises no accessed or dirty bits: guest memory is only read. */
static void test_x86_guest_translate_leaves_guest_memory_unchanged(void)
{
    uint8_t *before = malloc(RAM_SIZE);
    uint64_t gpa;
    uint32_t code;

    if (!before) {
        CU_FAIL("out of memory");
        return;
    }
    guest_init(&mode_4level, CR0_WP, 0);
    map_4k(&guest, 0x00007f1234567000, 0x00077000 | P | W);
    memcpy(before, guest.ram, RAM_SIZE);
    CU_ASSERT_EQUAL(translate(0x00007f1234567000, WRITE, &gpa, &code), 0);
    CU_ASSERT(memcmp(before, guest.ram, RAM_SIZE) == 0);
    free(before);
}

struct access_case {
    uint64_t efer;
    unsigned int access;
    uint32_t code; /* I/D only counts with PAE or long-mode tables */
};

static const struct access_case not_present_accesses[] = {
    {0, READ, 0},
    {0, WRITE, PF_W},
    {0, USER, PF_U},
    {0, WRITE | USER, PF_W | PF_U},
    {0, FETCH, 0},
    {EFER_NXE, FETCH, PF_ID},
    {EFER_NXE, FETCH | USER, PF_ID | PF_U},
};

static void check_not_present(const struct mode *mode, unsigned int depth,
                              const struct access_case *a)
{
    uint64_t gva = 0x00000000bfe01234, gpa;
    uint32_t code, want = a->code;
    int rc;

    guest_init(mode, 0, a->efer);
    map_4k(&guest, gva, 0x00088000 | P | W | U);
    /* not present, and every other bit set: none of them may count */
    set_entry(&guest, gva, depth, ~P & (mode->entry_size == 4 ? 0xffffffff : ~0ull));
    if (mode->entry_size == 4) {
        want &= ~PF_ID;
    }
    rc = translate(gva, a->access, &gpa, &code);
    UNIT_CHECK(rc == -AXVM_EFAULT && code == want,
               "%s depth %u access 0x%x EFER 0x%llx: rc %d code 0x%x, want 0x%x", mode->name, depth,
               a->access, (unsigned long long)a->efer, rc, code, want);
}

/* Not present at each level in turn: P = 0 in the code, plus what the access was. */
static void test_x86_guest_translate_reports_not_present_at_every_level(void)
{
    const struct mode *modes[] = {&mode_2level, &mode_pae, &mode_4level, &mode_5level};

    for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
        for (unsigned int depth = 0; depth < modes[m]->nr_levels; depth++) {
            for (size_t a = 0; a < ARRAY_SIZE(not_present_accesses); a++) {
                check_not_present(modes[m], depth, &not_present_accesses[a]);
            }
        }
    }
}

struct perm_case {
    const struct mode *mode;
    uint64_t pde, pte; /* the flags of the last two levels */
    uint64_t cr0, efer;
    unsigned int access;
    int rc;
    uint32_t code;
};

static const struct perm_case perm_cases[] = {
    /* user and supervisor, read and write, CR0.WP */
    {&mode_4level, P | W | U, P | W | U, 0, 0, USER | WRITE, 0, 0},
    {&mode_4level, P | W | U, P | U, 0, 0, USER, 0, 0},
    {&mode_4level, P | W | U, P | U, CR0_WP, 0, USER | WRITE, -AXVM_EFAULT, PF_P | PF_W | PF_U},
    {&mode_4level, P | W | U, P | U, 0, 0, USER | WRITE, -AXVM_EFAULT, PF_P | PF_W | PF_U},
    {&mode_4level, P | W | U, P | U, 0, 0, WRITE, 0, 0},
    {&mode_4level, P | W | U, P | U, CR0_WP, 0, WRITE, -AXVM_EFAULT, PF_P | PF_W},
    {&mode_4level, P | W | U, P | W, 0, 0, USER, -AXVM_EFAULT, PF_P | PF_U},
    {&mode_4level, P | W | U, P | W, CR0_WP, 0, WRITE, 0, 0},
    /* a restriction in a higher level counts as much as one in the leaf */
    {&mode_4level, P | W, P | W | U, 0, 0, USER, -AXVM_EFAULT, PF_P | PF_U},
    {&mode_4level, P | U, P | W | U, 0, 0, USER | WRITE, -AXVM_EFAULT, PF_P | PF_W | PF_U},
    {&mode_4level, P | U, P | W | U, CR0_WP, 0, WRITE, -AXVM_EFAULT, PF_P | PF_W},
    {&mode_4level, P | U, P | W | U, 0, 0, WRITE, 0, 0},
    /* no-execute needs EFER.NXE and affects only fetches */
    {&mode_4level, P | W | U, P | W | U | NX, 0, EFER_NXE, FETCH, -AXVM_EFAULT, PF_P | PF_ID},
    {&mode_4level, P | W | U, P | U | NX, 0, EFER_NXE, FETCH | USER, -AXVM_EFAULT,
     PF_P | PF_U | PF_ID},
    {&mode_4level, P | W | U | NX, P | W | U, 0, EFER_NXE, FETCH, -AXVM_EFAULT, PF_P | PF_ID},
    {&mode_4level, P | W | U, P | W | U | NX, CR0_WP, EFER_NXE, USER | WRITE, 0, 0},
    {&mode_4level, P | W | U, P | W | U, 0, EFER_NXE, FETCH, 0, 0},
    {&mode_4level, P | W | U, P | U, CR0_WP, 0, FETCH | USER, 0, 0},
    {&mode_4level, P | W | U, P | W, 0, 0, FETCH | USER, -AXVM_EFAULT, PF_P | PF_U},
    {&mode_4level, P | W | U, P | W, 0, EFER_NXE, FETCH | USER, -AXVM_EFAULT, PF_P | PF_U | PF_ID},
    {&mode_5level, P | W | U, P | U, CR0_WP, 0, WRITE, -AXVM_EFAULT, PF_P | PF_W},
    {&mode_5level, P | W | U, P | W | U | NX, 0, EFER_NXE, FETCH, -AXVM_EFAULT, PF_P | PF_ID},
    /* PAE: the PDPTE carries no R/W or U/S (they are reserved and 0), so it restricts nothing */
    {&mode_pae, P | W | U, P | W | U, CR0_WP, 0, USER | WRITE, 0, 0},
    {&mode_pae, P | W, P | W | U, 0, 0, USER, -AXVM_EFAULT, PF_P | PF_U},
    {&mode_pae, P | W | U, P | U, CR0_WP, 0, WRITE, -AXVM_EFAULT, PF_P | PF_W},
    {&mode_pae, P | W | U | NX, P | W | U, 0, EFER_NXE, FETCH, -AXVM_EFAULT, PF_P | PF_ID},
    /* 2-level: no no-execute at all, so no I/D bit either */
    {&mode_2level, P | W | U, P | U, 0, 0, USER | WRITE, -AXVM_EFAULT, PF_P | PF_W | PF_U},
    {&mode_2level, P | W, P | W | U, 0, 0, USER, -AXVM_EFAULT, PF_P | PF_U},
    {&mode_2level, P | W | U, P | U, 0, 0, WRITE, 0, 0},
    {&mode_2level, P | W | U, P | U, CR0_WP, 0, WRITE, -AXVM_EFAULT, PF_P | PF_W},
    {&mode_2level, P | W | U, P | W, 0, EFER_NXE, FETCH | USER, -AXVM_EFAULT, PF_P | PF_U},
    {&mode_2level, P | W | U, P | W | U, 0, EFER_NXE, FETCH, 0, 0},
};

static void test_x86_guest_translate_checks_user_write_and_nx_permissions(void)
{
    uint64_t gva = 0x0000000080654321, gpa;
    uint32_t code;

    for (size_t i = 0; i < ARRAY_SIZE(perm_cases); i++) {
        const struct perm_case *c = &perm_cases[i];
        unsigned int pte_depth = leaf_depth(c->mode);
        int rc;

        guest_init(c->mode, c->cr0, c->efer);
        map_4k(&guest, gva, 0x00099000 | c->pte);
        set_flags(&guest, gva, pte_depth - 1, c->pde);
        rc = translate(gva, c->access, &gpa, &code);
        UNIT_CHECK(rc == c->rc && (rc ? code == c->code : gpa == 0x00099321),
                   "%s PDE 0x%llx PTE 0x%llx CR0 0x%llx EFER 0x%llx access 0x%x: rc %d code 0x%x "
                   "gpa 0x%llx, want rc %d code 0x%x",
                   c->mode->name, (unsigned long long)c->pde, (unsigned long long)c->pte,
                   (unsigned long long)c->cr0, (unsigned long long)c->efer, c->access, rc, code,
                   (unsigned long long)gpa, c->rc, c->code);
    }
}

struct rsvd_case {
    const char *what;
    const struct mode *mode;
    unsigned int depth;  /* where the bits go */
    uint64_t large_leaf; /* nonzero: map this large page at depth instead of a 4 KiB page */
    uint64_t bits;
    uint64_t efer;
    unsigned int access;
    uint32_t code;
};

static const struct rsvd_case rsvd_cases[] = {
    {"PS in a PML4E", &mode_4level, 0, 0, PS, 0, READ, PF_P | PF_RSVD},
    {"PS in a PML4E, user write", &mode_4level, 0, 0, PS, 0, USER | WRITE,
     PF_P | PF_RSVD | PF_W | PF_U},
    {"PS in a PML5E", &mode_5level, 0, 0, PS, 0, READ, PF_P | PF_RSVD},
    {"PS in a PML4E under LA57", &mode_5level, 1, 0, PS, 0, READ, PF_P | PF_RSVD},
    {"NX in a PTE without EFER.NXE", &mode_4level, 3, 0, NX, 0, READ, PF_P | PF_RSVD},
    {"NX in a PDE without EFER.NXE", &mode_4level, 2, 0, NX, 0, READ, PF_P | PF_RSVD},
    {"NX in a PML4E without EFER.NXE", &mode_4level, 0, 0, NX, 0, READ, PF_P | PF_RSVD},
    {"NX in a PAE PTE without EFER.NXE", &mode_pae, 2, 0, NX, 0, READ, PF_P | PF_RSVD},
    {"2 MiB page not 2 MiB aligned", &mode_4level, 2, 0x00200000 | P | PS, 1ull << 13, 0, READ,
     PF_P | PF_RSVD},
    {"2 MiB page, bit 20", &mode_4level, 2, 0x00200000 | P | PS, 1ull << 20, 0, READ,
     PF_P | PF_RSVD},
    {"1 GiB page not 1 GiB aligned", &mode_4level, 1, 0x40000000 | P | PS, 1ull << 21, 0, READ,
     PF_P | PF_RSVD},
    {"1 GiB page, bit 29", &mode_4level, 1, 0x40000000 | P | PS, 1ull << 29, 0, READ,
     PF_P | PF_RSVD},
    {"PAE PDPTE R/W", &mode_pae, 0, 0, W, 0, READ, PF_P | PF_RSVD},
    {"PAE PDPTE U/S", &mode_pae, 0, 0, U, 0, READ, PF_P | PF_RSVD},
    {"PAE PDPTE bit 5", &mode_pae, 0, 0, 1ull << 5, 0, READ, PF_P | PF_RSVD},
    {"PAE PDPTE bit 8", &mode_pae, 0, 0, 1ull << 8, 0, READ, PF_P | PF_RSVD},
    {"PAE PDPTE NX even with NXE", &mode_pae, 0, 0, NX, EFER_NXE, READ, PF_P | PF_RSVD},
    {"PAE PDPTE bit 52", &mode_pae, 0, 0, 1ull << 52, 0, READ, PF_P | PF_RSVD},
    {"PAE PDE bit 52", &mode_pae, 1, 0, 1ull << 52, 0, READ, PF_P | PF_RSVD},
    {"PAE PTE bit 62", &mode_pae, 2, 0, 1ull << 62, 0, WRITE, PF_P | PF_RSVD | PF_W},
    {"PAE PTE bit 52, user fetch", &mode_pae, 2, 0, 1ull << 52, EFER_NXE, USER | FETCH,
     PF_P | PF_RSVD | PF_U | PF_ID},
    {"PAE 2 MiB page not aligned", &mode_pae, 1, 0x00200000 | P | PS, 1ull << 13, 0, READ,
     PF_P | PF_RSVD},
    {"4 MiB page, bit 21", &mode_2level_pse, 0, 0x00400000 | P | PS, 1ull << 21, 0, READ,
     PF_P | PF_RSVD},
    /* a reserved bit wins over a protection violation found further down */
    {"NX without NXE in a PDE above a supervisor PTE", &mode_4level, 2, 0, NX, 0, USER,
     PF_P | PF_RSVD | PF_U},
};

static void test_x86_guest_translate_reports_reserved_bits(void)
{
    uint64_t gva = 0x000000007fe12345, gpa;
    uint32_t code;

    for (size_t i = 0; i < ARRAY_SIZE(rsvd_cases); i++) {
        const struct rsvd_case *c = &rsvd_cases[i];
        int rc;

        guest_init(c->mode, 0, c->efer);
        /* a supervisor page: for user accesses the reserved bit must win over U/S */
        map_4k(&guest, gva, 0x000aa000 | P | W);
        if (c->large_leaf) {
            set_entry(&guest, gva, c->depth, c->large_leaf | W | U);
        }
        or_entry(&guest, gva, c->depth, c->bits);
        rc = translate(gva, c->access, &gpa, &code);
        UNIT_CHECK(rc == -AXVM_EFAULT && code == c->code, "%s (%s): rc %d code 0x%x, want 0x%x",
                   c->what, c->mode->name, rc, code, c->code);
    }
}

static void test_x86_guest_translate_refuses_non_canonical_addresses(void)
{
    static const struct {
        const struct mode *mode;
        uint64_t gva;
        int rc;
    } cases[] = {
        {&mode_4level, 0x00007ffffffff000, 0},
        {&mode_4level, 0xffff800000000000, 0},
        {&mode_4level, 0x0000800000000000, -AXVM_ERANGE},
        {&mode_4level, 0xffff7ffffffff000, -AXVM_ERANGE},
        {&mode_4level, 0x8000000000000000, -AXVM_ERANGE},
        {&mode_5level, 0x0000800000000000, 0},
        {&mode_5level, 0x00fffffffffff000, 0},
        {&mode_5level, 0xff00000000000000, 0},
        {&mode_5level, 0x0100000000000000, -AXVM_ERANGE},
        {&mode_5level, 0xfeff800000000000, -AXVM_ERANGE},
    };
    uint64_t gpa;
    uint32_t code;

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int rc;

        guest_init(cases[i].mode, 0, 0);
        if (cases[i].rc == 0) {
            map_4k(&guest, cases[i].gva, 0x000bb000 | P);
        }
        rc = translate(cases[i].gva, READ, &gpa, &code);
        UNIT_CHECK(rc == cases[i].rc &&
                       (rc == 0 ? gpa == 0x000bb000 : guest.nr_reads == 0 && code == NO_FAULT),
                   "%s gva 0x%llx: rc %d gpa 0x%llx code 0x%x after %u reads, want rc %d",
                   cases[i].mode->name, (unsigned long long)cases[i].gva, rc,
                   (unsigned long long)gpa, code, guest.nr_reads, cases[i].rc);
    }
}

/* A table the callback can not read: its error comes back as it is, with no #PF code. */
static void test_x86_guest_translate_passes_on_read_errors(void)
{
    uint64_t gva = 0x00007f0000001000, gpa;
    uint32_t code;
    int rc;

    guest_init(&mode_4level, 0, 0);
    map_4k(&guest, gva, 0x000cc000 | P);
    set_entry(&guest, gva, 2, 0x80000000 | P | W | U);
    rc = translate(gva, READ, &gpa, &code);
    UNIT_CHECK(rc == -AXVM_EIO && code == NO_FAULT, "PDE beyond RAM: rc %d code 0x%x", rc, code);

    guest_init(&mode_2level, 0, 0);
    guest.paging.cr3 = 0xfffff000;
    rc = translate(0x1000, READ, &gpa, &code);
    UNIT_CHECK(rc == -AXVM_EIO && code == NO_FAULT, "CR3 beyond RAM: rc %d code 0x%x", rc, code);
}

static int fetch(uint64_t gva, void *buf, size_t len)
{
    guest.nr_reads = 0;
    return x86_guest_fetch(&guest.paging, gva, buf, len, ram_read, &guest);
}

/* Fill a run of guest RAM with the bytes start, start + 1, ... */
static void fill_ram(uint64_t gpa, size_t len, uint8_t start)
{
    for (size_t i = 0; i < len; i++) {
        guest.ram[gpa + i] = (uint8_t)(start + i);
    }
}

/* The two pages are far apart in guest-physical memory, the second one below the first. */
static void test_x86_guest_fetch_joins_bytes_across_a_page_boundary(void)
{
    uint64_t gva = 0x00007f0000001ffa;
    uint8_t buf[15], want[15];
    int rc;

    guest_init(&mode_4level, CR0_WP, EFER_NXE);
    map_4k(&guest, 0x00007f0000001000, 0x00300000 | P);
    map_4k(&guest, 0x00007f0000002000, 0x00280000 | P | U);
    fill_ram(0x00300ffa, 6, 0x10);
    fill_ram(0x00280000, 9, 0x16);
    fill_ram(0x00301000, 9, 0xee); /* what a fetch that ignored the page boundary would get */
    for (size_t i = 0; i < sizeof(want); i++) {
        want[i] = (uint8_t)(0x10 + i);
    }
    rc = fetch(gva, buf, sizeof(buf));
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(memcmp(buf, want, sizeof(want)) == 0);
}

static void test_x86_guest_fetch_within_one_page_and_without_paging(void)
{
    uint8_t buf[15];

    guest_init(&mode_2level, 0, 0);
    map_4k(&guest, 0xc0000000, 0x00310000 | P);
    fill_ram(0x00310100, sizeof(buf), 0x40);
    CU_ASSERT_EQUAL(fetch(0xc0000100, buf, sizeof(buf)), 0);
    CU_ASSERT(buf[0] == 0x40 && buf[14] == 0x4e);

    guest.paging.cr0 = CR0_PE;
    fill_ram(0x00320ff8, sizeof(buf), 0x60);
    CU_ASSERT_EQUAL(fetch(0x00320ff8, buf, sizeof(buf)), 0);
    CU_ASSERT(buf[0] == 0x60 && buf[14] == 0x6e);

    CU_ASSERT_EQUAL(fetch(0x00320ff8, buf, 0), 0);
    CU_ASSERT_EQUAL(guest.nr_reads, 0);
}

/* What stops a fetch: the second page of an instruction that crosses into it. */
static void test_x86_guest_fetch_fails_on_the_second_page(void)
{
    static const struct {
        const char *what;
        uint64_t efer;
        uint64_t second_pte;
        int rc;
    } cases[] = {
        {"not present", 0, 0, -AXVM_EFAULT},
        {"no-execute", EFER_NXE, 0x00310000 | P | NX, -AXVM_EFAULT},
        {"NX bit without EFER.NXE (reserved)", 0, 0x00310000 | P | NX, -AXVM_EFAULT},
        {"beyond guest RAM", 0, 0x40000000 | P, -AXVM_EIO},
        {"supervisor, read-only: fine", EFER_NXE, 0x00310000 | P, 0},
    };
    uint8_t buf[15];

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int rc;

        guest_init(&mode_4level, CR0_WP, cases[i].efer);
        map_4k(&guest, 0x00007f0000001000, 0x00300000 | P | W | U);
        map_4k(&guest, 0x00007f0000002000, cases[i].second_pte);
        rc = fetch(0x00007f0000001ff8, buf, sizeof(buf));
        UNIT_CHECK(rc == cases[i].rc, "%s: rc %d, want %d", cases[i].what, rc, cases[i].rc);
    }
}

static CU_TestInfo guest_walk_tests[] = {
    UNIT_TEST(test_x86_guest_translate_without_paging_passes_addresses_through),
    UNIT_TEST(test_x86_guest_translate_maps_pages_of_every_size_in_every_mode),
    UNIT_TEST(test_x86_guest_translate_ignores_ps_without_cr4_pse),
    UNIT_TEST(test_x86_guest_translate_truncates_gva_outside_long_mode),
    UNIT_TEST(test_x86_guest_translate_reads_whole_entries),
    UNIT_TEST(test_x86_guest_translate_leaves_guest_memory_unchanged),
    UNIT_TEST(test_x86_guest_translate_reports_not_present_at_every_level),
    UNIT_TEST(test_x86_guest_translate_checks_user_write_and_nx_permissions),
    UNIT_TEST(test_x86_guest_translate_reports_reserved_bits),
    UNIT_TEST(test_x86_guest_translate_refuses_non_canonical_addresses),
    UNIT_TEST(test_x86_guest_translate_passes_on_read_errors),
    UNIT_TEST(test_x86_guest_fetch_joins_bytes_across_a_page_boundary),
    UNIT_TEST(test_x86_guest_fetch_within_one_page_and_without_paging),
    UNIT_TEST(test_x86_guest_fetch_fails_on_the_second_page),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_guest_walk = {
    "guest_walk", guest_walk_init, guest_walk_cleanup, NULL, NULL, guest_walk_tests,
};
UNIT_REGISTER_SUITE(unit_suite_guest_walk);
