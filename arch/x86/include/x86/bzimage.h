/* SPDX-License-Identifier: MIT */
/*
 * The x86 Linux boot protocol for a kernel that a hypervisor or toolstack loads itself (Linux's
 * Documentation/arch/x86/boot.rst, "32-bit Boot Protocol"; zero-page.rst): check a bzImage's
 * setup header, plan where the protected-mode kernel, the zero page (boot_params), the command
 * line and the initrd go in the guest's RAM, build the zero page with its e820 map, and write it
 * all through the caller's callback. Pure code shared by the toolstack (domUs) and the
 * hypervisor (dom0); it includes nothing that needs the hypervisor's config.
 */
#ifndef X86_BZIMAGE_H
#define X86_BZIMAGE_H

#include <hv/types.h>

#define BZIMAGE_ZERO_PAGE_SIZE 4096
#define BZIMAGE_E820_MAX       128 /* entries the zero page holds */
#define BZIMAGE_E820_RAM       1
#define BZIMAGE_E820_RESERVED  2
#define BZIMAGE_MIN_VERSION    0x020c /* 2.12: xloadflags, and everything before it */

/* The layout a domU gets (LINUX-GUESTS.md §2.3) and where its boot data goes by default. */
#define BZIMAGE_LOW_RAM_END   0x9fc00u  /* RAM below; reserved from here to 1 MiB */
#define BZIMAGE_HIGH_RAM      0x100000u /* 1 MiB: the protected-mode kernel's classic home */
#define BZIMAGE_ZERO_PAGE_GPA 0x7000u
#define BZIMAGE_CMDLINE_GPA   0x20000u
#define BZIMAGE_CMDLINE_ROOM  (BZIMAGE_LOW_RAM_END - BZIMAGE_CMDLINE_GPA)

/* loadflags and xloadflags bits (boot.rst, "Details of Header Fields"). */
#define BZIMAGE_LOADED_HIGH   (1u << 0)
#define BZIMAGE_XLF_KERNEL_64 (1u << 0)
#define BZIMAGE_XLF_ABOVE_4G  (1u << 1) /* kernel, boot_params, cmdline, initrd may be high */

/*
 * Write len bytes of src at guest-physical gpa. Returns: 0 or a negative -AXVM_E* code, which
 * the loader passes on.
 */
typedef int (*bzimage_write_fn)(void *ctx, uint64_t gpa, const void *src, size_t len);

/* One e820 entry: [addr, addr + size) of a type (BZIMAGE_E820_*). */
struct bzimage_e820 {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
};

/* What the setup header says, once checked. */
struct bzimage_header {
    uint16_t version;          /* 0x0206 */
    uint8_t loadflags;         /* 0x0211 */
    bool relocatable;          /* 0x0234 */
    uint16_t xloadflags;       /* 0x0236 */
    uint32_t kernel_alignment; /* 0x0230 */
    uint32_t initrd_addr_max;  /* 0x022c: highest address the initrd's last byte may have */
    uint32_t cmdline_size;     /* 0x0238: longest command line, NUL not counted */
    uint64_t pref_address;     /* 0x0258 */
    uint32_t init_size;        /* 0x0260: bytes needed from the runtime start */
    size_t setup_size;         /* bytes before the protected-mode kernel: (setup_sects + 1) * 512 */
    size_t header_end;         /* one past the setup header: 0x202 + the byte at 0x201 */
};

/* What the loader knows about the guest. */
struct bzimage_guest {
    const void *kernel; /* the bzImage file */
    size_t kernel_size;
    const struct bzimage_e820 *e820; /* the guest's memory map, at most BZIMAGE_E820_MAX */
    unsigned int nr_e820;
    uint64_t zero_page_gpa; /* in RAM below 4 GiB, like the command line */
    uint64_t cmdline_gpa;
    size_t cmdline_len;     /* bytes, NUL not counted */
    uint64_t initrd_size;   /* 0: no initrd */
    uint64_t acpi_rsdp_gpa; /* 0: the kernel searches for it */
};

/* Where everything goes and how the kernel starts. */
struct bzimage_plan {
    struct bzimage_header header;
    uint64_t kernel_gpa;    /* the protected-mode kernel, and its 32-bit entry */
    uint64_t kernel_offset; /* its first byte in the file */
    uint64_t kernel_size;
    uint64_t runtime_start; /* where it decompresses and runs: kernel_gpa when relocatable */
    uint64_t runtime_end;   /* one past the RAM it needs before it reads the e820 map */
    uint64_t zero_page_gpa;
    uint64_t cmdline_gpa;
    uint64_t cmdline_len;
    uint64_t initrd_gpa; /* 0 without initrd */
    uint64_t initrd_size;
    uint32_t entry; /* EIP: 32-bit protected mode, paging off, interrupts off */
    uint32_t esi;   /* the zero page; EBX, EBP and EDI are 0 */
    uint8_t zero_page[BZIMAGE_ZERO_PAGE_SIZE];
};

/*
 * Check a bzImage's setup header (the boot.rst rules: "HdrS", boot flag 0xaa55, protocol 2.12
 * or later, loaded high, a protected-mode part, a power-of-two kernel_alignment when
 * relocatable). Context: any; reads only the image. Returns: 0 and *h; -AXVM_EINVAL with *why, a
 * sentence for a person.
 */
int bzimage_parse(const void *image, size_t size, struct bzimage_header *h, const char **why);

/*
 * Fill map with the PC layout of a domU with ram_size bytes of RAM from guest-physical 0: RAM
 * below BZIMAGE_LOW_RAM_END, reserved up to 1 MiB, RAM from 1 MiB. Context: any.
 * Returns: entries (3).
 */
unsigned int bzimage_pc_e820(uint64_t ram_size, struct bzimage_e820 map[3]);

/*
 * Plan the guest's boot: the kernel at pref_address, or (relocatable) the lowest aligned RAM
 * from 1 MiB where its init_size fits; the initrd as high as the kernel allows, page-aligned,
 * clear of the kernel; the zero page built. Context: any; writes only *plan. Returns: 0;
 * -AXVM_EINVAL with *why when the image is not a usable bzImage or something does not fit in the
 * map's RAM.
 */
int bzimage_plan_boot(const struct bzimage_guest *g, struct bzimage_plan *plan, const char **why);

/*
 * Write the planned kernel, zero page, command line (its first cmdline_len bytes and a NUL)
 * and initrd (initrd_size bytes; NULL without one). Context: whatever the callback needs.
 * Returns: 0, or the callback's error with *why.
 */
int bzimage_load(const struct bzimage_plan *plan, const void *kernel, const char *cmdline,
                 const void *initrd, bzimage_write_fn write, void *ctx, const char **why);

/*
 * Whether the kernel command line (words separated by spaces) has a word starting with prefix,
 * e.g. "nr_cpus=": loaders add their options only when the user did not give them.
 */
bool bzimage_cmdline_has(const char *cmdline, const char *prefix);

#endif /* X86_BZIMAGE_H */
