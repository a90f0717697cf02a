/* SPDX-License-Identifier: MIT */
/*
 * The x86 Linux boot protocol of <x86/bzimage.h>, after Linux's Documentation/arch/x86/boot.rst
 * (setup header fields, the 32-bit entry) and zero-page.rst (boot_params offsets). Every read of
 * the image and write of the zero page is by byte, so neither alignment nor host order matters.
 */
#include <x86/bzimage.h>
#include <hv/string.h>
#include <public/axvm/errno.h>

/* Setup header fields, at their offsets in the file and in the zero page. */
#define HDR_SETUP_SECTS      0x1f1
#define HDR_VID_MODE         0x1fa
#define HDR_BOOT_FLAG        0x1fe
#define HDR_JUMP_OFFSET      0x201 /* the header ends at 0x202 plus this byte */
#define HDR_MAGIC            0x202 /* "HdrS" */
#define HDR_VERSION          0x206
#define HDR_TYPE_OF_LOADER   0x210
#define HDR_LOADFLAGS        0x211
#define HDR_CODE32_START     0x214
#define HDR_RAMDISK_IMAGE    0x218
#define HDR_RAMDISK_SIZE     0x21c
#define HDR_CMD_LINE_PTR     0x228
#define HDR_INITRD_ADDR_MAX  0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE      0x234
#define HDR_XLOADFLAGS       0x236
#define HDR_CMDLINE_SIZE     0x238
#define HDR_PREF_ADDRESS     0x258
#define HDR_INIT_SIZE        0x260
#define HDR_MIN_END          0x264 /* what protocol 2.12's fields need */

/* boot_params fields outside the setup header. */
#define BP_ACPI_RSDP_ADDR    0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE  0x0c4
#define BP_EXT_CMD_LINE_PTR  0x0c8
#define BP_E820_ENTRIES      0x1e8
#define BP_E820_TABLE        0x2d0
#define BP_E820_ENTRY_SIZE   20

#define HDRS_MAGIC        0x53726448u /* "HdrS" little-endian */
#define BOOT_FLAG         0xaa55u
#define LOADER_UNASSIGNED 0xff /* type_of_loader for a loader without an assigned ID */
#define VID_MODE_NORMAL   0xffff
#define SECTOR_SIZE       512
#define INITRD_ALIGN      4096
#define LIMIT_4G          0x100000000ull
#define MAX_BUSY          4

/* Ranges the initrd must keep clear of. */
struct busy {
    uint64_t start[MAX_BUSY], end[MAX_BUSY];
    unsigned int nr;
};

static uint32_t get(const uint8_t *p, unsigned int bytes)
{
    uint32_t v = 0;

    for (unsigned int i = bytes; i-- > 0;) {
        v = v << 8 | p[i];
    }
    return v;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get(p + 4, 4) << 32 | get(p, 4);
}

static void put(uint8_t *p, uint64_t v, unsigned int bytes)
{
    for (unsigned int i = 0; i < bytes; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static int invalid(const char **why, const char *sentence)
{
    *why = sentence;
    return -AXVM_EINVAL;
}

static bool is_pow2(uint64_t v)
{
    return v && !(v & (v - 1));
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static void read_header(const uint8_t *b, struct bzimage_header *h)
{
    unsigned int sects = b[HDR_SETUP_SECTS] ? b[HDR_SETUP_SECTS] : 4; /* 0 means 4 */

    h->version = (uint16_t)get(b + HDR_VERSION, 2);
    h->loadflags = b[HDR_LOADFLAGS];
    h->relocatable = b[HDR_RELOCATABLE] != 0;
    h->xloadflags = (uint16_t)get(b + HDR_XLOADFLAGS, 2);
    h->kernel_alignment = get(b + HDR_KERNEL_ALIGNMENT, 4);
    h->initrd_addr_max = get(b + HDR_INITRD_ADDR_MAX, 4);
    h->cmdline_size = get(b + HDR_CMDLINE_SIZE, 4);
    h->pref_address = get64(b + HDR_PREF_ADDRESS);
    h->init_size = get(b + HDR_INIT_SIZE, 4);
    h->setup_size = (size_t)(sects + 1) * SECTOR_SIZE;
    h->header_end = 0x202 + (size_t)b[HDR_JUMP_OFFSET];
}

int bzimage_parse(const void *image, size_t size, struct bzimage_header *h, const char **why)
{
    const uint8_t *b = image;

    if (size < HDR_MIN_END + 4) {
        return invalid(why, "not a bzImage (too small for a setup header)");
    }
    if (get(b + HDR_MAGIC, 4) != HDRS_MAGIC) {
        return invalid(why, "not a bzImage (no HdrS signature)");
    }
    if (get(b + HDR_BOOT_FLAG, 2) != BOOT_FLAG) {
        return invalid(why, "not a bzImage (no 0xaa55 boot flag)");
    }
    read_header(b, h);
    if (h->version < BZIMAGE_MIN_VERSION) {
        return invalid(why, "the kernel's boot protocol is older than 2.12");
    }
    if (!(h->loadflags & BZIMAGE_LOADED_HIGH)) {
        return invalid(why, "not a bzImage (a zImage, which loads below 1 MiB)");
    }
    if (h->header_end < HDR_MIN_END || h->header_end > h->setup_size) {
        return invalid(why, "the setup header's length does not match its version");
    }
    if (h->setup_size >= size) {
        return invalid(why, "the file ends before its protected-mode kernel");
    }
    if (h->relocatable && !is_pow2(h->kernel_alignment)) {
        return invalid(why, "the kernel's kernel_alignment is not a power of two");
    }
    if (h->init_size == 0) {
        return invalid(why, "the kernel's init_size is 0");
    }
    return 0;
}

unsigned int bzimage_pc_e820(uint64_t ram_size, struct bzimage_e820 map[3])
{
    map[0] = (struct bzimage_e820){0, BZIMAGE_LOW_RAM_END, BZIMAGE_E820_RAM};
    map[1] = (struct bzimage_e820){BZIMAGE_LOW_RAM_END, BZIMAGE_HIGH_RAM - BZIMAGE_LOW_RAM_END,
                                   BZIMAGE_E820_RESERVED};
    map[2] = (struct bzimage_e820){BZIMAGE_HIGH_RAM,
                                   ram_size > BZIMAGE_HIGH_RAM ? ram_size - BZIMAGE_HIGH_RAM : 0,
                                   BZIMAGE_E820_RAM};
    return 3;
}

/* Returns: whether [start, start + len) lies in one RAM entry of the map. */
static bool is_ram(const struct bzimage_guest *g, uint64_t start, uint64_t len)
{
    for (unsigned int i = 0; i < g->nr_e820; i++) {
        const struct bzimage_e820 *e = &g->e820[i];

        if (e->type == BZIMAGE_E820_RAM && start >= e->addr && start + len >= start &&
            start + len <= e->addr + e->size) {
            return true;
        }
    }
    return false;
}

/* The lowest kernel_alignment-aligned RAM address from 1 MiB where span bytes fit, or 0. */
static uint64_t lowest_fit(const struct bzimage_guest *g, uint64_t span, uint64_t align)
{
    uint64_t best = 0;

    for (unsigned int i = 0; i < g->nr_e820; i++) {
        const struct bzimage_e820 *e = &g->e820[i];
        uint64_t at = align_up(e->addr > BZIMAGE_HIGH_RAM ? e->addr : BZIMAGE_HIGH_RAM, align);

        if (e->type == BZIMAGE_E820_RAM && is_ram(g, at, span) && (!best || at < best)) {
            best = at;
        }
    }
    return best;
}

static int place_kernel(const struct bzimage_guest *g, struct bzimage_plan *p, const char **why)
{
    const struct bzimage_header *h = &p->header;
    uint64_t span = h->init_size > p->kernel_size ? h->init_size : p->kernel_size;

    if (!h->relocatable) {
        /* Loaded at 1 MiB, it decompresses itself to pref_address. */
        p->kernel_gpa = BZIMAGE_HIGH_RAM;
        p->runtime_start = h->pref_address;
        p->runtime_end = h->pref_address + h->init_size;
        if (!is_ram(g, BZIMAGE_HIGH_RAM, p->kernel_size) ||
            !is_ram(g, h->pref_address, h->init_size)) {
            return invalid(why, "the kernel's load and run addresses are not in the domain's RAM");
        }
        return 0;
    }
    p->kernel_gpa = align_up(h->pref_address, h->kernel_alignment);
    if (p->kernel_gpa < BZIMAGE_HIGH_RAM || !is_ram(g, p->kernel_gpa, span)) {
        p->kernel_gpa = lowest_fit(g, span, h->kernel_alignment);
    }
    if (!p->kernel_gpa || p->kernel_gpa + span > LIMIT_4G) {
        return invalid(why, "the kernel's init_size does not fit in the domain's RAM");
    }
    p->runtime_start = p->kernel_gpa;
    p->runtime_end = p->kernel_gpa + span;
    return 0;
}

static bool overlaps(uint64_t a, uint64_t a_len, uint64_t b, uint64_t b_len)
{
    return a < b + b_len && b < a + a_len;
}

/* The highest page-aligned start for size bytes in entry e below top, clear of busy, or 0. */
static uint64_t highest_in(const struct bzimage_e820 *e, uint64_t top, uint64_t size,
                           const struct busy *busy)
{
    uint64_t floor = e->addr > BZIMAGE_HIGH_RAM ? e->addr : BZIMAGE_HIGH_RAM;

    top = top < e->addr + e->size ? top : e->addr + e->size;
    for (unsigned int i = 0; top >= size && i <= busy->nr; i++) {
        uint64_t start = (top - size) & ~(uint64_t)(INITRD_ALIGN - 1);
        bool moved = false;

        if (start < floor) {
            return 0;
        }
        for (unsigned int j = 0; j < busy->nr && !moved; j++) {
            if (overlaps(start, size, busy->start[j], busy->end[j] - busy->start[j])) {
                top = busy->start[j];
                moved = true;
            }
        }
        if (!moved) {
            return start;
        }
    }
    return 0;
}

static int place_initrd(const struct bzimage_guest *g, struct bzimage_plan *p, const char **why)
{
    const struct bzimage_header *h = &p->header;
    uint64_t top =
        (h->xloadflags & BZIMAGE_XLF_ABOVE_4G) ? UINT64_MAX : (uint64_t)h->initrd_addr_max + 1;
    struct busy busy = {{p->kernel_gpa, p->runtime_start, p->zero_page_gpa, p->cmdline_gpa},
                        {p->kernel_gpa + p->kernel_size, p->runtime_end,
                         p->zero_page_gpa + BZIMAGE_ZERO_PAGE_SIZE,
                         p->cmdline_gpa + p->cmdline_len + 1},
                        MAX_BUSY};

    p->initrd_size = g->initrd_size;
    if (!g->initrd_size) {
        return 0;
    }
    for (unsigned int i = 0; i < g->nr_e820; i++) {
        uint64_t at = g->e820[i].type == BZIMAGE_E820_RAM
                          ? highest_in(&g->e820[i], top, g->initrd_size, &busy)
                          : 0;

        p->initrd_gpa = at > p->initrd_gpa ? at : p->initrd_gpa;
    }
    if (!p->initrd_gpa) {
        return invalid(why, "the initrd does not fit in the domain's RAM beside the kernel");
    }
    return 0;
}

static void build_zero_page(const struct bzimage_guest *g, struct bzimage_plan *p)
{
    uint8_t *zp = p->zero_page;

    memset(zp, 0, sizeof(p->zero_page));
    memcpy(zp + HDR_SETUP_SECTS, (const uint8_t *)g->kernel + HDR_SETUP_SECTS,
           p->header.header_end - HDR_SETUP_SECTS);
    zp[HDR_TYPE_OF_LOADER] = LOADER_UNASSIGNED;
    put(zp + HDR_VID_MODE, VID_MODE_NORMAL, 2);
    put(zp + HDR_CODE32_START, p->kernel_gpa, 4);
    put(zp + HDR_CMD_LINE_PTR, p->cmdline_gpa, 4);
    put(zp + BP_EXT_CMD_LINE_PTR, p->cmdline_gpa >> 32, 4);
    put(zp + HDR_RAMDISK_IMAGE, p->initrd_gpa, 4);
    put(zp + BP_EXT_RAMDISK_IMAGE, p->initrd_gpa >> 32, 4);
    put(zp + HDR_RAMDISK_SIZE, p->initrd_size, 4);
    put(zp + BP_EXT_RAMDISK_SIZE, p->initrd_size >> 32, 4);
    put(zp + BP_ACPI_RSDP_ADDR, g->acpi_rsdp_gpa, 8);
    zp[BP_E820_ENTRIES] = (uint8_t)g->nr_e820;
    for (unsigned int i = 0; i < g->nr_e820; i++) {
        uint8_t *e = zp + BP_E820_TABLE + (size_t)i * BP_E820_ENTRY_SIZE;

        put(e, g->e820[i].addr, 8);
        put(e + 8, g->e820[i].size, 8);
        put(e + 16, g->e820[i].type, 4);
    }
}

/* Returns: whether [start, start + len) meets the loaded kernel or the RAM it runs in. */
static bool is_in_kernel(const struct bzimage_plan *p, uint64_t start, uint64_t len)
{
    return overlaps(start, len, p->kernel_gpa, p->kernel_size) ||
           overlaps(start, len, p->runtime_start, p->runtime_end - p->runtime_start);
}

static int check_boot_data(const struct bzimage_guest *g, const struct bzimage_plan *p,
                           const char **why)
{
    if (g->nr_e820 > BZIMAGE_E820_MAX) {
        return invalid(why, "the memory map has more entries than the zero page holds");
    }
    if (g->cmdline_len > p->header.cmdline_size || g->cmdline_len >= UINT32_MAX) {
        return invalid(why, "the command line is longer than the kernel's cmdline_size");
    }
    if (g->zero_page_gpa + BZIMAGE_ZERO_PAGE_SIZE > LIMIT_4G ||
        g->cmdline_gpa + g->cmdline_len + 1 > LIMIT_4G ||
        !is_ram(g, g->zero_page_gpa, BZIMAGE_ZERO_PAGE_SIZE) ||
        !is_ram(g, g->cmdline_gpa, g->cmdline_len + 1) ||
        overlaps(g->zero_page_gpa, BZIMAGE_ZERO_PAGE_SIZE, g->cmdline_gpa, g->cmdline_len + 1)) {
        return invalid(why, "the zero page and command line need their own RAM below 4 GiB");
    }
    if (is_in_kernel(p, g->zero_page_gpa, BZIMAGE_ZERO_PAGE_SIZE) ||
        is_in_kernel(p, g->cmdline_gpa, g->cmdline_len + 1)) {
        return invalid(why, "the zero page or command line would lie in the kernel's way");
    }
    return 0;
}

int bzimage_plan_boot(const struct bzimage_guest *g, struct bzimage_plan *plan, const char **why)
{
    int rc;

    memset(plan, 0, sizeof(*plan));
    rc = bzimage_parse(g->kernel, g->kernel_size, &plan->header, why);
    if (rc) {
        return rc;
    }
    plan->kernel_offset = plan->header.setup_size;
    plan->kernel_size = g->kernel_size - plan->header.setup_size;
    plan->zero_page_gpa = g->zero_page_gpa;
    plan->cmdline_gpa = g->cmdline_gpa;
    plan->cmdline_len = g->cmdline_len;
    rc = place_kernel(g, plan, why);
    rc = rc ? rc : check_boot_data(g, plan, why);
    rc = rc ? rc : place_initrd(g, plan, why);
    if (rc) {
        return rc;
    }
    build_zero_page(g, plan);
    plan->entry = (uint32_t)plan->kernel_gpa;
    plan->esi = (uint32_t)plan->zero_page_gpa;
    return 0;
}

int bzimage_load(const struct bzimage_plan *plan, const void *kernel, const char *cmdline,
                 const void *initrd, bzimage_write_fn write, void *ctx, const char **why)
{
    int rc = write(ctx, plan->kernel_gpa, (const uint8_t *)kernel + plan->kernel_offset,
                   (size_t)plan->kernel_size);

    if (rc) {
        *why = "cannot write the kernel into the domain's memory";
        return rc;
    }
    rc = write(ctx, plan->zero_page_gpa, plan->zero_page, sizeof(plan->zero_page));
    rc = rc ? rc : write(ctx, plan->cmdline_gpa, cmdline, (size_t)plan->cmdline_len);
    rc = rc ? rc : write(ctx, plan->cmdline_gpa + plan->cmdline_len, "", 1);
    if (rc) {
        *why = "cannot write the zero page or command line into the domain's memory";
        return rc;
    }
    rc = plan->initrd_size ? write(ctx, plan->initrd_gpa, initrd, (size_t)plan->initrd_size) : 0;
    if (rc) {
        *why = "cannot write the initrd into the domain's memory";
    }
    return rc;
}

bool bzimage_cmdline_has(const char *cmdline, const char *prefix)
{
    size_t n = strlen(prefix);

    for (const char *p = cmdline; *p; p++) {
        if ((p == cmdline || p[-1] == ' ') && strncmp(p, prefix, n) == 0) {
            return true;
        }
    }
    return false;
}
