/* SPDX-License-Identifier: MIT */
/*
 * Test inputs for the boot-protocol and builder suites: synthetic bzImage and arm64 Image files
 * built to order, the real Multiboot test guest (build/x86_64/guests/hello.elf), temporary
 * files, and a guest RAM in a heap buffer for the shared loaders' write callbacks.
 */
#ifndef TESTS_CTL_FAKE_IMAGES_H
#define TESTS_CTL_FAKE_IMAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAKE_IMAGES_HELLO "build/x86_64/guests/hello.elf" /* in TS_SOURCE_DIR; make guests */

/* A guest's RAM from base: writes outside it fail with -AXVM_EFAULT, as the hypervisor's. */
struct fake_ram {
    uint8_t *bytes;
    uint64_t base;
    uint64_t size;
    unsigned int nr_writes;
    int fail_at; /* the write (0-based) that fails with -AXVM_EIO; -1: none */
};

/* Returns: a RAM of size zeroed bytes from base (free with fake_images_ram_free()). */
struct fake_ram fake_images_ram(uint64_t base, uint64_t size);
void fake_images_ram_free(struct fake_ram *ram);

/* The loaders' write callback over a struct fake_ram (src NULL writes zeros). */
int fake_images_ram_write(void *ctx, uint64_t gpa, const void *src, size_t len);

/* The setup header fields a synthetic bzImage gets (fake_images_bzimage_spec() = Debian's). */
struct fake_bzimage_spec {
    uint8_t setup_sects;
    uint16_t version;
    uint8_t loadflags;
    uint32_t initrd_addr_max;
    uint32_t kernel_alignment;
    uint8_t relocatable;
    uint16_t xloadflags;
    uint32_t cmdline_size;
    uint64_t pref_address;
    uint32_t init_size;
    size_t kernel_size; /* bytes of protected-mode kernel after the setup sectors */
};

/* Returns: the fields of Debian 12's bzImage (LINUX-GUESTS.md §1.1), init_size 4 MiB. */
struct fake_bzimage_spec fake_images_bzimage_spec(void);

/*
 * Returns: a bzImage as malloc'd bytes (*size of them): setup sectors with the header, then
 * kernel_size bytes of a pattern (byte i = i * 7 + 1), so a test can tell where each went.
 */
uint8_t *fake_images_bzimage(const struct fake_bzimage_spec *spec, size_t *size);

/* Returns: an arm64 Image header and a pattern, file_size bytes, malloc'd. */
uint8_t *fake_images_arm64(uint64_t text_offset, uint64_t image_size, size_t file_size);

/* Returns: size bytes of pattern seed (byte i = i * 13 + seed), malloc'd. */
uint8_t *fake_images_pattern(size_t size, uint8_t seed);

/* Write data to a new temporary file. Returns: its path (free with fake_images_remove()). */
char *fake_images_temp_file(const void *data, size_t size);
void fake_images_remove(char *path);

/* Returns: the file TS_SOURCE_DIR/rel in a malloc'd buffer of *size bytes, or NULL. */
void *fake_images_source_file(const char *rel, size_t *size);

/* Returns: the absolute path of TS_SOURCE_DIR/rel, malloc'd. */
char *fake_images_source_path(const char *rel);

#endif /* TESTS_CTL_FAKE_IMAGES_H */
