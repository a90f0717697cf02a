/* SPDX-License-Identifier: MIT */
/*
 * Loading x86 boot-time domains: a Multiboot (version 1) kernel, entered as the Multiboot
 * specification 0.6.96 and QEMU's -kernel do: 32-bit protected mode, paging off, EAX = the
 * boot magic, EBX = the guest-physical address of a Multiboot information structure with the
 * memory map, the command line ("<domain name> <arguments>", as QEMU passes "<file> <append>")
 * and the guest's own modules. Kernels are ELF32 or use the header's address fields.
 */
#define LOG_TAG "bootdom"
#include <hv/bootdom.h>
#include <hv/fmt.h>
#include <hv/log.h>
#include <hv/page.h>
#include <hv/string.h>
#include <public/axvm/errno.h>

#define MB1_HEADER_MAGIC 0x1badb002u
#define MB1_BOOT_MAGIC   0x2badb002u
#define MB1_SEARCH_BYTES 8192
#define MB1_FLAG_ADDRESS (1u << 16) /* header carries load addresses (the "a.out kludge") */

#define MBI_MEM     (1u << 0)
#define MBI_CMDLINE (1u << 2)
#define MBI_MODS    (1u << 3)
#define MBI_MMAP    (1u << 6)
#define MBI_LOADER  (1u << 9)

#define LOW_RAM_END 0x9fc00u /* 639 KiB, as a PC reports */
#define EBDA_END    0xa0000u
#define BIOS_START  0xf0000u
#define HIGH_RAM    0x100000u

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
    uint32_t type;
} __attribute__((packed));

struct elf32_header {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf32_phdr {
    uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

/* Building the guest's memory: where the next boot data goes, and the image's limits. */
struct loader {
    struct vm *vm;
    const uint8_t *image;
    size_t image_size;
    uint64_t ram_size;
    gpa_t kernel_end; /* one past the highest byte the kernel occupies */
};

static int fail(const struct loader *l, const char *why)
{
    log_err("d%u (%s): %s", l->vm->id, l->vm->name, why);
    return -AXVM_EINVAL;
}

static int put(struct loader *l, gpa_t gpa, const void *src, size_t len)
{
    return gpa + len > l->ram_size ? fail(l, "the kernel does not fit in the domain's memory")
                                   : vm_write_guest(l->vm, gpa, src, len);
}

static int zero(struct loader *l, gpa_t gpa, size_t len)
{
    static const uint8_t zeros[256];

    while (len) {
        size_t n = MIN(len, sizeof(zeros));
        int rc = put(l, gpa, zeros, n);

        if (rc) {
            return rc;
        }
        gpa += n;
        len -= n;
    }
    return 0;
}

static const struct mb1_header *find_header(const struct loader *l, size_t *offset)
{
    for (size_t off = 0; off + sizeof(struct mb1_header) <= MIN(l->image_size, MB1_SEARCH_BYTES);
         off += 4) {
        const struct mb1_header *h = (const void *)(l->image + off);

        if (h->magic == MB1_HEADER_MAGIC && h->magic + h->flags + h->checksum == 0) {
            *offset = off;
            return h;
        }
    }
    return NULL;
}

static int load_by_address(struct loader *l, const struct mb1_header *h, size_t hdr_off,
                           uint32_t *entry)
{
    uint64_t file_off = hdr_off - (uint64_t)(h->header_addr - h->load_addr);
    uint64_t len = h->load_end_addr ? h->load_end_addr - h->load_addr : l->image_size - file_off;
    uint64_t end = h->bss_end_addr ? h->bss_end_addr : h->load_addr + len;
    int rc;

    if (h->header_addr < h->load_addr || file_off > l->image_size ||
        len > l->image_size - file_off || end < h->load_addr + len) {
        return fail(l, "the Multiboot header's address fields are inconsistent");
    }
    rc = put(l, h->load_addr, l->image + file_off, (size_t)len);
    if (!rc) {
        rc = zero(l, h->load_addr + len, (size_t)(end - h->load_addr - len));
    }
    l->kernel_end = end;
    *entry = h->entry_addr;
    return rc;
}

static int load_segment(struct loader *l, const struct elf32_phdr *ph)
{
    int rc;

    if (ph->filesz > ph->memsz || ph->offset > l->image_size ||
        ph->filesz > l->image_size - ph->offset) {
        return fail(l, "an ELF segment lies outside the kernel file");
    }
    rc = put(l, ph->paddr, l->image + ph->offset, ph->filesz);
    if (!rc) {
        rc = zero(l, (gpa_t)ph->paddr + ph->filesz, ph->memsz - ph->filesz);
    }
    l->kernel_end = MAX(l->kernel_end, (gpa_t)ph->paddr + ph->memsz);
    return rc;
}

static int load_elf(struct loader *l, uint32_t *entry)
{
    const struct elf32_header *eh = (const void *)l->image;
    int rc = 0;

    if (l->image_size < sizeof(*eh) || memcmp(eh->ident, "\177ELF", 4) != 0) {
        return fail(l, "the kernel is neither ELF nor has Multiboot address fields");
    }
    if (eh->ident[4] != 1 || eh->ident[5] != 1 || eh->machine != 3) {
        return fail(l, "the kernel is not a little-endian 32-bit x86 ELF (Multiboot needs ELF32)");
    }
    if (eh->phentsize < sizeof(struct elf32_phdr) ||
        eh->phoff + (uint64_t)eh->phnum * eh->phentsize > l->image_size) {
        return fail(l, "the ELF program headers lie outside the kernel file");
    }
    for (unsigned int i = 0; i < eh->phnum && !rc; i++) {
        struct elf32_phdr ph;

        memcpy(&ph, l->image + eh->phoff + (size_t)i * eh->phentsize, sizeof(ph));
        if (ph.type == 1 /* PT_LOAD */ && ph.memsz) {
            rc = load_segment(l, &ph);
        }
    }
    *entry = eh->entry;
    return rc;
}

/* Append len bytes of boot data after what is placed so far; *cursor moves past them. */
static int place(struct loader *l, gpa_t *cursor, const void *src, size_t len, uint32_t *gpa)
{
    int rc = put(l, *cursor, src, len);

    *gpa = (uint32_t)*cursor;
    *cursor = ALIGN_UP(*cursor + len, 16);
    return rc;
}

static int place_modules(struct loader *l, gpa_t *cursor, const struct boot_module *mods,
                         unsigned int nr, struct mb1_module *out)
{
    int rc = 0;

    for (unsigned int i = 0; i < nr && !rc; i++) {
        size_t size = (size_t)(mods[i].end - mods[i].start);

        *cursor = ALIGN_UP(*cursor, PAGE_SIZE); /* Multiboot: modules are page-aligned */
        rc = place(l, cursor, hpa_to_virt(mods[i].start), size, &out[i].mod_start);
        out[i].mod_end = out[i].mod_start + (uint32_t)size;
        if (!rc) {
            rc = place(l, cursor, mods[i].string, strlen(mods[i].string) + 1, &out[i].string);
        }
        out[i].reserved = 0;
    }
    return rc;
}

static int place_info(struct loader *l, gpa_t *cursor, const char *cmdline,
                      const struct mb1_module *mods, unsigned int nr_mods, uint32_t *mbi_gpa)
{
    const struct mb1_mmap_entry map[] = {
        {20, 0, LOW_RAM_END, 1},
        {20, LOW_RAM_END, EBDA_END - LOW_RAM_END, 2},
        {20, BIOS_START, HIGH_RAM - BIOS_START, 2},
        {20, HIGH_RAM, l->ram_size - HIGH_RAM, 1},
    };
    struct mb1_info mbi = {
        .flags = MBI_MEM | MBI_CMDLINE | MBI_MODS | MBI_MMAP | MBI_LOADER,
        .mem_lower = LOW_RAM_END / 1024,
        .mem_upper = (uint32_t)((l->ram_size - HIGH_RAM) / 1024),
        .mods_count = nr_mods,
        .mmap_length = sizeof(map),
    };
    int rc = place(l, cursor, cmdline, strlen(cmdline) + 1, &mbi.cmdline);

    rc = rc ? rc : place(l, cursor, "axvm", 5, &mbi.boot_loader_name);
    rc = rc ? rc : place(l, cursor, map, sizeof(map), &mbi.mmap_addr);
    rc = rc ? rc : place(l, cursor, mods, nr_mods * sizeof(*mods), &mbi.mods_addr);
    return rc ? rc : place(l, cursor, &mbi, sizeof(mbi), mbi_gpa);
}

int arch_bootdom_load(struct vm *vm, const struct boot_module *kernel,
                      const struct boot_module *mods, unsigned int nr_mods, const char *cmdline,
                      struct vcpu_boot *boot)
{
    struct loader l = {vm, hpa_to_virt(kernel->start), (size_t)(kernel->end - kernel->start),
                       vm->config.regions[0].size_bytes, 0};
    struct mb1_module mb_mods[BOOTDOM_MAX_MODULES];
    char full_cmdline[VM_NAME_MAX + BOOTDOM_CMDLINE_MAX + 1];
    uint32_t entry = 0, mbi_gpa = 0;
    size_t hdr_off;
    const struct mb1_header *h = find_header(&l, &hdr_off);
    gpa_t cursor;
    int rc;

    if (!h) {
        return fail(&l, "no Multiboot header in the first 8 KiB of the kernel");
    }
    rc = (h->flags & MB1_FLAG_ADDRESS) ? load_by_address(&l, h, hdr_off, &entry)
                                       : load_elf(&l, &entry);
    cursor = ALIGN_UP(l.kernel_end, PAGE_SIZE);
    rc = rc ? rc : place_modules(&l, &cursor, mods, nr_mods, mb_mods);
    fmt_snprintf(full_cmdline, sizeof(full_cmdline), "%s%s%s", vm->name, cmdline[0] ? " " : "",
                 cmdline);
    rc = rc ? rc : place_info(&l, &cursor, full_cmdline, mb_mods, nr_mods, &mbi_gpa);
    if (rc) {
        return rc;
    }
    *boot = (struct vcpu_boot){entry, {MB1_BOOT_MAGIC, mbi_gpa, 0, 0}};
    return 0;
}
