/* SPDX-License-Identifier: MIT */
/*
 * Multiboot (version 1) kernels as a loader sees them (Multiboot Specification 0.6.96): the
 * header in the first 8 KiB, the load plan (ELF32 program headers or the header's address
 * fields) and the information structure the kernel gets in EBX. Pure code shared by the
 * hypervisor (boot-time domains) and the toolstack (domains from XML): it writes guest memory
 * only through the caller's callback. Includes nothing that needs the hypervisor's config.
 */
#ifndef X86_MULTIBOOT1_H
#define X86_MULTIBOOT1_H

#include <hv/types.h>

#define MULTIBOOT1_HEADER_MAGIC 0x1badb002u
#define MULTIBOOT1_BOOT_MAGIC   0x2badb002u /* EAX at entry */
#define MULTIBOOT1_SEARCH_BYTES 8192
#define MULTIBOOT1_MAX_SEGMENTS 16
#define MULTIBOOT1_MAX_MODULES  16
#define MULTIBOOT1_MIN_RAM      0x100000u /* the map has RAM below 640 KiB and from 1 MiB */
#define MULTIBOOT1_LOADER_NAME  "axvm"
#define MULTIBOOT1_LOW_RAM_END  0x9fc00u /* 639 KiB of low RAM, as a PC reports */
#define MULTIBOOT1_HIGH_RAM     0x100000u
#define MULTIBOOT1_MMAP_ENTRIES 4

/*
 * Write len bytes of src (NULL: zeros) at guest-physical gpa. Returns: 0 or a negative
 * -AXVM_E* code, which the loader passes on.
 */
typedef int (*multiboot1_write_fn)(void *ctx, uint64_t gpa, const void *src, size_t len);

/* One piece of the kernel: file bytes to copy to gpa, then zeros up to mem_size. */
struct multiboot1_segment {
    uint64_t gpa;
    uint64_t file_offset;
    uint64_t file_size;
    uint64_t mem_size; /* >= file_size */
};

/* Where a kernel's bytes go and where it starts. */
struct multiboot1_kernel {
    uint32_t entry;
    uint64_t end; /* one past the highest byte it occupies */
    unsigned int nr_segments;
    struct multiboot1_segment segments[MULTIBOOT1_MAX_SEGMENTS];
};

/* A module the guest gets: its bytes and its string. */
struct multiboot1_module {
    const void *data;
    size_t size;
    const char *string;
};

/* Everything multiboot1_load() needs. */
struct multiboot1_guest {
    const void *kernel;
    size_t kernel_size;
    const struct multiboot1_module *modules;
    unsigned int nr_modules;
    const char *name;  /* the command line is "<name> <args>", as QEMU passes "<file> <append>" */
    const char *args;  /* "" for none */
    uint64_t ram_size; /* RAM from guest-physical 0, at least MULTIBOOT1_MIN_RAM */
    multiboot1_write_fn write;
    void *ctx;
};

/* How the kernel starts: 32-bit protected mode, paging off, at entry with EAX and EBX. */
struct multiboot1_boot {
    uint32_t entry;
    uint32_t eax;      /* MULTIBOOT1_BOOT_MAGIC */
    uint32_t ebx;      /* the information structure */
    uint64_t data_end; /* one past the last byte of boot data (modules, strings, structure) */
};

/*
 * Find the Multiboot header: 4-byte aligned, its magic, flags and checksum in the first 8 KiB.
 * Context: any; reads only the image. Returns: true and *offset.
 */
bool multiboot1_find_header(const void *image, size_t size, size_t *offset);

/*
 * Plan where the kernel's bytes go. Context: any; reads only the image. Returns: 0; -AXVM_EINVAL
 * with *why (a sentence for a person) for an image without a header, with inconsistent address
 * fields, that is not a little-endian ELF32 for x86, or whose segments lie outside the file.
 */
int multiboot1_plan_kernel(const void *image, size_t size, struct multiboot1_kernel *plan,
                           const char **why);

/*
 * Load the kernel, then (page-aligned above it) the modules with their strings, the command
 * line, the loader name, the memory map and the information structure, and fill *boot.
 * Context: whatever the write callback needs (boot CPU in the hypervisor; dom0 user space).
 * Returns: 0; -AXVM_EINVAL with *why when the kernel is not understood, when it or its boot
 * data does not fit in ram_size (below 4 GiB), or for more than MULTIBOOT1_MAX_MODULES modules; or
 * the write callback's error, with *why saying what was being written.
 */
int multiboot1_load(const struct multiboot1_guest *g, struct multiboot1_boot *boot,
                    const char **why);

#endif /* X86_MULTIBOOT1_H */
