/* SPDX-License-Identifier: MIT */
/*
 * The Multiboot v1 loader of <x86/multiboot1.h>, after the Multiboot Specification 0.6.96: the
 * header search, the kernel's load plan, and the information structure with its memory map,
 * command line, modules and loader name. Freestanding; guest memory is written by a callback.
 */
#include <x86/multiboot1.h>
#include <hv/string.h>
#include <public/axvm/errno.h>

#define MB1_FLAG_ADDRESS (1u << 16) /* the header carries load addresses (the "a.out kludge") */
#define MB1_HEADER_MIN   12         /* magic, flags, checksum */
#define MIN_SIZE(a, b)   ((a) < (b) ? (a) : (b))

#define MBI_MEM     (1u << 0)
#define MBI_CMDLINE (1u << 2)
#define MBI_MODS    (1u << 3)
#define MBI_MMAP    (1u << 6)
#define MBI_LOADER  (1u << 9)

#define EBDA_END    0xa0000u
#define BIOS_START  0xf0000u
#define LIMIT_4G    0x100000000ull /* the information structure holds 32-bit addresses */
#define ELF_PT_LOAD 1
#define ELF_EM_386  3

#define NO_FIT_KERNEL "the kernel does not fit in the domain's memory"
#define NO_FIT_DATA   "the modules and Multiboot information do not fit in the domain's memory"

struct mb1_header {
    uint32_t magic, flags, checksum;                                          /* 0x00 */
    uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr; /* 0x0c */
};

struct mb1_info {
    uint32_t flags;                                    /* 0x00 */
    uint32_t mem_lower;                                /* 0x04 */
    uint32_t mem_upper;                                /* 0x08 */
    uint32_t boot_device;                              /* 0x0c */
    uint32_t cmdline;                                  /* 0x10 */
    uint32_t mods_count;                               /* 0x14 */
    uint32_t mods_addr;                                /* 0x18 */
    uint32_t syms[4];                                  /* 0x1c */
    uint32_t mmap_length;                              /* 0x2c */
    uint32_t mmap_addr;                                /* 0x30 */
    uint32_t drives_length, drives_addr, config_table; /* 0x34 */
    uint32_t boot_loader_name;                         /* 0x40 */
    uint32_t apm_table;                                /* 0x44 */
};
_Static_assert(sizeof(struct mb1_info) == 0x48, "Multiboot information up to APM");

struct mb1_module {
    uint32_t mod_start, mod_end, string, reserved;
};

struct mb1_mmap_entry {
    uint32_t size; /* of the rest: 20 */
    uint64_t base, length;
    uint32_t type; /* 1 = RAM, 2 = reserved */
} __attribute__((packed));
_Static_assert(sizeof(struct mb1_mmap_entry) == 24, "Multiboot memory map entry");

struct elf32_header {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf32_phdr {
    uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

/* Where the next boot data goes while the information structure is put together. */
struct mb1_cursor {
    const struct multiboot1_guest *g;
    uint64_t next;
    uint64_t limit; /* RAM end, at most 4 GiB */
    const char **why;
};

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static int invalid(const char **why, const char *sentence)
{
    *why = sentence;
    return -AXVM_EINVAL;
}

bool multiboot1_find_header(const void *image, size_t size, size_t *offset)
{
    const uint8_t *bytes = image;
    size_t span = size < MULTIBOOT1_SEARCH_BYTES ? size : MULTIBOOT1_SEARCH_BYTES;

    /* The magic, flags and checksum must lie in the first 8 KiB; the address fields follow. */
    for (size_t off = 0; off + MB1_HEADER_MIN <= span; off += 4) {
        uint32_t h[3];

        memcpy(h, bytes + off, sizeof(h));
        if (h[0] == MULTIBOOT1_HEADER_MAGIC && h[0] + h[1] + h[2] == 0) {
            *offset = off;
            return true;
        }
    }
    return false;
}

static int plan_by_address(const struct mb1_header *h, size_t hdr_off, size_t size,
                           struct multiboot1_kernel *plan, const char **why)
{
    uint64_t file_off = hdr_off - (uint64_t)(h->header_addr - h->load_addr);
    uint64_t len = h->load_end_addr ? (uint64_t)h->load_end_addr - h->load_addr : size - file_off;
    uint64_t end = h->bss_end_addr ? h->bss_end_addr : h->load_addr + len;

    if (h->header_addr < h->load_addr || file_off > size || len > size - file_off ||
        end < h->load_addr + len) {
        return invalid(why, "the Multiboot header's address fields are inconsistent");
    }
    plan->segments[0] =
        (struct multiboot1_segment){h->load_addr, file_off, len, end - h->load_addr};
    plan->nr_segments = 1;
    plan->end = end;
    plan->entry = h->entry_addr;
    return 0;
}

static int plan_segment(const struct elf32_phdr *ph, size_t size, struct multiboot1_kernel *plan,
                        const char **why)
{
    if (ph->filesz > ph->memsz || ph->offset > size || ph->filesz > size - ph->offset) {
        return invalid(why, "an ELF segment lies outside the kernel file");
    }
    if (plan->nr_segments == MULTIBOOT1_MAX_SEGMENTS) {
        return invalid(why, "the kernel has more than 16 loadable ELF segments");
    }
    plan->segments[plan->nr_segments++] =
        (struct multiboot1_segment){ph->paddr, ph->offset, ph->filesz, ph->memsz};
    if ((uint64_t)ph->paddr + ph->memsz > plan->end) {
        plan->end = (uint64_t)ph->paddr + ph->memsz;
    }
    return 0;
}

static int plan_elf(const uint8_t *image, size_t size, struct multiboot1_kernel *plan,
                    const char **why)
{
    struct elf32_header eh;
    int rc = 0;

    if (size < sizeof(eh) || memcmp(image, "\177ELF", 4) != 0) {
        return invalid(why, "the kernel is neither ELF nor has Multiboot address fields");
    }
    memcpy(&eh, image, sizeof(eh));
    if (eh.ident[4] != 1 || eh.ident[5] != 1 || eh.machine != ELF_EM_386) {
        return invalid(why,
                       "the kernel is not a little-endian 32-bit x86 ELF (Multiboot needs ELF32)");
    }
    if (eh.phentsize < sizeof(struct elf32_phdr) ||
        eh.phoff + (uint64_t)eh.phnum * eh.phentsize > size) {
        return invalid(why, "the ELF program headers lie outside the kernel file");
    }
    for (unsigned int i = 0; i < eh.phnum && !rc; i++) {
        struct elf32_phdr ph;

        memcpy(&ph, image + eh.phoff + (size_t)i * eh.phentsize, sizeof(ph));
        if (ph.type == ELF_PT_LOAD && ph.memsz) {
            rc = plan_segment(&ph, size, plan, why);
        }
    }
    plan->entry = eh.entry;
    return rc;
}

int multiboot1_plan_kernel(const void *image, size_t size, struct multiboot1_kernel *plan,
                           const char **why)
{
    size_t hdr_off;
    struct mb1_header h;

    *plan = (struct multiboot1_kernel){0};
    if (!multiboot1_find_header(image, size, &hdr_off)) {
        return invalid(why, "no Multiboot header in the first 8 KiB of the kernel");
    }
    memset(&h, 0, sizeof(h));
    memcpy(&h, (const uint8_t *)image + hdr_off, MIN_SIZE(sizeof(h), size - hdr_off));
    if ((h.flags & MB1_FLAG_ADDRESS) && size - hdr_off < sizeof(h)) {
        return invalid(why, "the Multiboot header's address fields are inconsistent");
    }
    return (h.flags & MB1_FLAG_ADDRESS) ? plan_by_address(&h, hdr_off, size, plan, why)
                                        : plan_elf(image, size, plan, why);
}

static int load_kernel(const struct multiboot1_guest *g, const struct multiboot1_kernel *plan,
                       const char **why)
{
    const uint8_t *image = g->kernel;
    int rc = 0;

    for (unsigned int i = 0; i < plan->nr_segments; i++) {
        if (plan->segments[i].gpa + plan->segments[i].mem_size > g->ram_size) {
            return invalid(why, NO_FIT_KERNEL);
        }
    }
    for (unsigned int i = 0; i < plan->nr_segments && !rc; i++) {
        const struct multiboot1_segment *s = &plan->segments[i];

        rc = g->write(g->ctx, s->gpa, image + s->file_offset, (size_t)s->file_size);
        if (!rc && s->mem_size > s->file_size) {
            rc =
                g->write(g->ctx, s->gpa + s->file_size, NULL, (size_t)(s->mem_size - s->file_size));
        }
    }
    if (rc) {
        *why = "cannot write the kernel into the domain's memory";
    }
    return rc;
}

/* Reserve len bytes at the cursor (aligned to align) and write src there if not NULL. */
static int place(struct mb1_cursor *c, uint64_t align, const void *src, size_t len, uint32_t *gpa)
{
    uint64_t at = align_up(c->next, align);
    int rc;

    if (at > c->limit || len > c->limit - at) {
        return invalid(c->why, NO_FIT_DATA);
    }
    rc = src && len ? c->g->write(c->g->ctx, at, src, len) : 0;
    if (rc) {
        *c->why = "cannot write the Multiboot information into the domain's memory";
        return rc;
    }
    *gpa = (uint32_t)at;
    c->next = at + len;
    return 0;
}

/* The command line "<name> <args>" (just "<name>" without arguments), written in pieces. */
static int place_cmdline(struct mb1_cursor *c, uint32_t *gpa)
{
    const struct multiboot1_guest *g = c->g;
    size_t name_len = strlen(g->name), args_len = strlen(g->args);
    size_t sep = args_len ? 1 : 0;
    int rc = place(c, 16, NULL, name_len + sep + args_len + 1, gpa);

    if (rc) {
        return rc;
    }
    rc = name_len ? g->write(g->ctx, *gpa, g->name, name_len) : 0;
    rc = rc || !sep ? rc : g->write(g->ctx, *gpa + name_len, " ", sep);
    rc = rc ? rc : g->write(g->ctx, *gpa + name_len + sep, g->args, args_len + 1);
    if (rc) {
        *c->why = "cannot write the command line into the domain's memory";
    }
    return rc;
}

static int place_modules(struct mb1_cursor *c, struct mb1_module *out)
{
    const struct multiboot1_guest *g = c->g;
    int rc = 0;

    for (unsigned int i = 0; i < g->nr_modules && !rc; i++) {
        const struct multiboot1_module *m = &g->modules[i];

        /* Multiboot header flag bit 0 may ask for page-aligned modules: always give them. */
        rc = place(c, PAGE_SIZE, m->data, m->size, &out[i].mod_start);
        rc = rc ? rc : place(c, 16, m->string, strlen(m->string) + 1, &out[i].string);
        out[i].mod_end = rc ? 0 : out[i].mod_start + (uint32_t)m->size;
        out[i].reserved = 0;
    }
    return rc;
}

static int place_info(struct mb1_cursor *c, const struct mb1_module *mods, uint32_t *mbi_gpa)
{
    uint64_t ram = c->g->ram_size;
    const struct mb1_mmap_entry map[MULTIBOOT1_MMAP_ENTRIES] = {
        {20, 0, MULTIBOOT1_LOW_RAM_END, 1},
        {20, MULTIBOOT1_LOW_RAM_END, EBDA_END - MULTIBOOT1_LOW_RAM_END, 2},
        {20, BIOS_START, MULTIBOOT1_HIGH_RAM - BIOS_START, 2},
        {20, MULTIBOOT1_HIGH_RAM, ram - MULTIBOOT1_HIGH_RAM, 1},
    };
    uint64_t upper_kib = (ram - MULTIBOOT1_HIGH_RAM) / 1024;
    struct mb1_info mbi = {
        .flags = MBI_MEM | MBI_CMDLINE | MBI_MODS | MBI_MMAP | MBI_LOADER,
        .mem_lower = MULTIBOOT1_LOW_RAM_END / 1024,
        .mem_upper = upper_kib > UINT32_MAX ? UINT32_MAX : (uint32_t)upper_kib,
        .mods_count = c->g->nr_modules,
        .mmap_length = sizeof(map),
    };
    int rc = place_cmdline(c, &mbi.cmdline);

    rc = rc ? rc
            : place(c, 16, MULTIBOOT1_LOADER_NAME, sizeof(MULTIBOOT1_LOADER_NAME),
                    &mbi.boot_loader_name);
    rc = rc ? rc : place(c, 16, map, sizeof(map), &mbi.mmap_addr);
    rc = rc ? rc : place(c, 16, mods, c->g->nr_modules * sizeof(*mods), &mbi.mods_addr);
    return rc ? rc : place(c, 16, &mbi, sizeof(mbi), mbi_gpa);
}

int multiboot1_load(const struct multiboot1_guest *g, struct multiboot1_boot *boot,
                    const char **why)
{
    struct multiboot1_kernel plan;
    struct mb1_module mods[MULTIBOOT1_MAX_MODULES];
    struct mb1_cursor c = {g, 0, g->ram_size < LIMIT_4G ? g->ram_size : LIMIT_4G, why};
    uint32_t mbi_gpa = 0;
    int rc;

    if (g->ram_size < MULTIBOOT1_MIN_RAM) {
        return invalid(why, NO_FIT_KERNEL);
    }
    if (g->nr_modules > MULTIBOOT1_MAX_MODULES) {
        return invalid(why, "a Multiboot kernel gets at most 16 modules here");
    }
    rc = multiboot1_plan_kernel(g->kernel, g->kernel_size, &plan, why);
    rc = rc ? rc : load_kernel(g, &plan, why);
    c.next = align_up(plan.end, PAGE_SIZE);
    rc = rc ? rc : place_modules(&c, mods);
    rc = rc ? rc : place_info(&c, mods, &mbi_gpa);
    if (rc) {
        return rc;
    }
    *boot = (struct multiboot1_boot){plan.entry, MULTIBOOT1_BOOT_MAGIC, mbi_gpa, c.next};
    return 0;
}
