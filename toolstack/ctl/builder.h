/* SPDX-License-Identifier: MIT */
/*
 * The domain builder's insides, private to ctl/: the state of one build (builder.c) and the
 * loaders that put a kernel into the new domain per os type and arch (load_*.c). Each loader
 * reads its files, writes guest memory through builder_write() and fills the vCPU 0 context.
 */
#ifndef TOOLSTACK_CTL_BUILDER_H
#define TOOLSTACK_CTL_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "axvmctl.h"

/* The platform's default device addresses, for a <serial>/<debug-exit>/<testdev> without one. */
#define BUILDER_X86_COM1_PORT 0x3f8u

struct builder {
    struct axvmctl *h;
    const struct domain_config *cfg;
    uint16_t domid;
    bool created;
    uint64_t ram_gpa;               /* the main RAM: [ram_gpa, ram_gpa + cfg->memory_bytes) */
    struct axvm_vcpu_context vcpu0; /* filled by the loader */
    char *err;
    size_t err_size;
};

/* Record "MESSAGE" in the builder's err when rc < 0 (the first failure wins). Returns: rc. */
int builder_fail(struct builder *b, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Write len bytes of src (NULL: zeros) at gpa of the domain being built: the write callback of
 * the shared loaders (<x86/multiboot1.h>, <x86/bzimage.h>). Returns: 0 or the copy's error.
 */
int builder_write(void *ctx, uint64_t gpa, const void *src, size_t len);

/*
 * Read the file at path into memory, refusing one larger than max bytes. Returns: 0, *data
 * (free() it) and *size; or an error, with "loading PATH: ..." recorded.
 */
int builder_read_file(struct builder *b, const char *path, uint64_t max, void **data, size_t *size);

/* Returns: the bytes from gpa to the end of the main RAM or <memory-region> holding it, or 0. */
uint64_t builder_room(const struct builder *b, uint64_t gpa);

/*
 * The domain's console device, if it has one: its base (the platform's default filled in) and
 * interrupt. Returns: whether there is one.
 */
bool builder_serial(const struct builder *b, uint64_t *base, unsigned int *irq);

/* Loaders: 0, or an error recorded with builder_fail(). */
int load_x86_linux(struct builder *b);     /* load_x86.c: bzImage, 32-bit boot protocol */
int load_x86_multiboot(struct builder *b); /* load_x86.c: Multiboot v1 ELF or address kernel */
int load_arm64_linux(struct builder *b);   /* load_arm64.c: Image + generated device tree */
int load_raw(struct builder *b);           /* load_raw.c: flat image at load_addr */

#endif /* TOOLSTACK_CTL_BUILDER_H */
