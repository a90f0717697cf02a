/* SPDX-License-Identifier: MIT */
/*
 * Synthetic kernels, temporary files and a heap-backed guest RAM for the ctl suites (see
 * fake_images.h). The bzImage header offsets are the ones boot.rst documents; the arm64 Image
 * header is booting.rst's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <public/axvm/errno.h>
#include "fake_images.h"

static void put(uint8_t *p, uint64_t v, unsigned int bytes)
{
    for (unsigned int i = 0; i < bytes; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static void *xmalloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);

    if (!p) {
        abort();
    }
    return p;
}

struct fake_ram fake_images_ram(uint64_t base, uint64_t size)
{
    return (struct fake_ram){xmalloc((size_t)size), base, size, 0, -1};
}

void fake_images_ram_free(struct fake_ram *ram)
{
    free(ram->bytes);
    ram->bytes = NULL;
}

int fake_images_ram_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
    struct fake_ram *ram = ctx;

    if (ram->nr_writes++ == (unsigned int)ram->fail_at) {
        return -AXVM_EIO;
    }
    if (gpa < ram->base || gpa - ram->base > ram->size || len > ram->size - (gpa - ram->base)) {
        return -AXVM_EFAULT;
    }
    if (src) {
        memcpy(ram->bytes + (gpa - ram->base), src, len);
    } else {
        memset(ram->bytes + (gpa - ram->base), 0, len);
    }
    return 0;
}

struct fake_bzimage_spec fake_images_bzimage_spec(void)
{
    return (struct fake_bzimage_spec){
        .setup_sects = 39,
        .version = 0x020f,
        .loadflags = 0x01,
        .initrd_addr_max = 0x7fffffff,
        .kernel_alignment = 0x200000,
        .relocatable = 1,
        .xloadflags = 0x7f,
        .cmdline_size = 2047,
        .pref_address = 0x1000000,
        .init_size = 0x400000,
        .kernel_size = 12288,
    };
}

uint8_t *fake_images_bzimage(const struct fake_bzimage_spec *s, size_t *size)
{
    size_t setup = ((size_t)(s->setup_sects ? s->setup_sects : 4) + 1) * 512;
    uint8_t *b = xmalloc(setup + s->kernel_size);

    b[0x1f1] = s->setup_sects;
    put(b + 0x1fe, 0xaa55, 2);
    b[0x200] = 0xeb; /* a short jump over the header, which ends at 0x202 + 0x6a */
    b[0x201] = 0x6a;
    memcpy(b + 0x202, "HdrS", 4);
    put(b + 0x206, s->version, 2);
    b[0x211] = s->loadflags;
    put(b + 0x214, 0x100000, 4);
    put(b + 0x22c, s->initrd_addr_max, 4);
    put(b + 0x230, s->kernel_alignment, 4);
    b[0x234] = s->relocatable;
    b[0x235] = 21;
    put(b + 0x236, s->xloadflags, 2);
    put(b + 0x238, s->cmdline_size, 4);
    put(b + 0x258, s->pref_address, 8);
    put(b + 0x260, s->init_size, 4);
    for (size_t i = 0; i < s->kernel_size; i++) {
        b[setup + i] = (uint8_t)(i * 7 + 1);
    }
    *size = setup + s->kernel_size;
    return b;
}

uint8_t *fake_images_arm64(uint64_t text_offset, uint64_t image_size, size_t file_size)
{
    uint8_t *b = fake_images_pattern(file_size, 5);

    memset(b, 0, 64);
    put(b + 0x08, text_offset, 8);
    put(b + 0x10, image_size, 8);
    put(b + 0x18, 0xa, 8); /* 4 KiB pages, anywhere in RAM: Debian's */
    memcpy(b + 0x38, "ARM\x64", 4);
    return b;
}

uint8_t *fake_images_pattern(size_t size, uint8_t seed)
{
    uint8_t *b = xmalloc(size);

    for (size_t i = 0; i < size; i++) {
        b[i] = (uint8_t)(i * 13 + seed);
    }
    return b;
}

char *fake_images_temp_file(const void *data, size_t size)
{
    char *path = xmalloc(64);
    int fd;

    snprintf(path, 64, "/tmp/axvmctl-test-XXXXXX");
    fd = mkstemp(path);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
        abort();
    }
    close(fd);
    return path;
}

void fake_images_remove(char *path)
{
    if (path) {
        unlink(path);
        free(path);
    }
}

char *fake_images_source_path(const char *rel)
{
    size_t n = strlen(TS_SOURCE_DIR) + strlen(rel) + 2;
    char *path = xmalloc(n);

    snprintf(path, n, "%s/%s", TS_SOURCE_DIR, rel);
    return path;
}

void *fake_images_source_file(const char *rel, size_t *size)
{
    char *path = fake_images_source_path(rel);
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    long n;

    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
        data = xmalloc((size_t)n);
        if (fread(data, 1, (size_t)n, f) != (size_t)n) {
            free(data);
            data = NULL;
        }
        *size = (size_t)n;
    }
    if (f) {
        fclose(f);
    }
    if (!data) {
        fprintf(stderr, "toolstack-tests: cannot read %s (make guests builds it)\n", path);
    }
    free(path);
    return data;
}
