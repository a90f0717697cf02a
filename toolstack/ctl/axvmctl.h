/* SPDX-License-Identifier: MIT */
/*
 * libaxvmctl: the toolstack's way to the hypervisor. One function per hypercall of
 * <public/axvm/domctl.h>, over a transport: the real one opens /dev/axvm (the dom0 module) and
 * issues AXVM_IOCTL_HYPERCALL; tests plug in a fake that records the calls. On top of it, the
 * domain builder turns a struct domain_config into a running domain.
 * Every function returns 0 (or a count) on success and a negative -AXVM_E* code on failure.
 */
#ifndef TOOLSTACK_AXVMCTL_H
#define TOOLSTACK_AXVMCTL_H

#include <stddef.h>
#include <stdint.h>
#include <public/axvm/domctl.h>
#include <public/axvm/errno.h>
#include "../config/domain_config.h"

/*
 * A transport: make hypercall nr with the call's struct (arg, arg_size bytes, written back for
 * outputs) and data buffer (buf, buf_size; may be NULL/0).
 * Returns: the hypercall's result (>= 0), or a negative -AXVM_E* code.
 */
struct axvmctl_transport {
    int64_t (*call)(void *ctx, uint32_t nr, void *arg, uint32_t arg_size, void *buf,
                    uint64_t buf_size);
    void (*close)(void *ctx); /* may be NULL */
    void *ctx;
};

struct axvmctl;

/*
 * Open /dev/axvm (or $AXVM_DEVICE). Returns: 0 and *out; -AXVM_ENOENT when the device does not
 * exist; -AXVM_EPERM when it may not be opened (not root). axvmctl_open_error() then has the
 * sentence to show, e.g. "cannot reach the hypervisor: /dev/axvm not found (is this dom0 of an
 * axvm host?)".
 */
int axvmctl_open(struct axvmctl **out);
const char *axvmctl_open_error(int rc);

/* A handle over any transport (tests). Returns: 0 or -AXVM_ENOMEM. */
int axvmctl_open_transport(const struct axvmctl_transport *t, struct axvmctl **out);

void axvmctl_close(struct axvmctl *h);

/* Returns: a short description of a -AXVM_E* code, from <public/axvm/errno.h>'s list. */
const char *axvmctl_strerror(int rc);

/*
 * One function per hypercall. Each checks its arguments before the call (NULL pointers, a
 * domid of AXVM_DOMID_INVALID or more, names that are empty or too long, unknown constants,
 * unaligned or wrapping ranges: -AXVM_EINVAL) and zeroes the structs' padding.
 */
int axvmctl_abi_version(struct axvmctl *h, uint32_t *version);
int axvmctl_physinfo(struct axvmctl *h, struct axvm_physinfo *info);
int axvmctl_domain_create(struct axvmctl *h, struct axvm_domain_create *req); /* sets domid */
int axvmctl_domain_destroy(struct axvmctl *h, uint16_t domid);
int axvmctl_domain_pause(struct axvmctl *h, uint16_t domid);
int axvmctl_domain_unpause(struct axvmctl *h, uint16_t domid);
int axvmctl_domain_shutdown(struct axvmctl *h, uint16_t domid, uint32_t reason);
int axvmctl_domain_getinfo(struct axvmctl *h, uint16_t domid, struct axvm_domain_info *info);
/*
 * Fills up to max entries (at most AXVM_COPY_MAX / sizeof(*infos) = 630 per call, what the dom0
 * module moves); *total (if not NULL) gets how many domains exist. Returns: entries filled.
 */
int axvmctl_domain_list(struct axvmctl *h, struct axvm_domain_info *infos, unsigned int max,
                        unsigned int *total);
int axvmctl_domain_add_region(struct axvmctl *h, const struct axvm_domain_region *region);
/* Copies len bytes in AXVM_COPY_MAX pieces. */
int axvmctl_domain_copy(struct axvmctl *h, uint16_t domid, uint64_t gpa, const void *data,
                        size_t len);
int axvmctl_domain_add_device(struct axvmctl *h, const struct axvm_domain_device *dev);
int axvmctl_domain_passthrough(struct axvmctl *h, const struct axvm_domain_passthrough *pt);
int axvmctl_vcpu_set_context(struct axvmctl *h, const struct axvm_vcpu_context *ctx);
/*
 * Read console bytes from *pos on (moved past them), at most AXVM_COPY_MAX per call. Start with
 * *pos = 0. The hypervisor starts at *pos, or at the oldest byte its ring still holds when *pos
 * is older, and returns the position after the last byte it placed; so *lost (if not NULL) gets
 * how many bytes were overwritten before they could be read, whatever the ring's size.
 * Returns: bytes read (0: nothing new), or -AXVM_EIO when the answer contradicts itself.
 */
int axvmctl_console_read(struct axvmctl *h, uint16_t domid, uint64_t *pos, char *buf, size_t size,
                         uint64_t *lost);
/* The same for the hypervisor's own log. */
int axvmctl_log_read(struct axvmctl *h, uint64_t *pos, char *buf, size_t size, uint64_t *lost);

/*
 * Type len bytes into domid's console (at most AXVM_CONSOLE_INPUT_MAX go in one call).
 * Returns: how many the domain's console device took (0 when its receive buffer is full), or
 * -AXVM_ENODEV when it has no console device that takes input.
 */
int axvmctl_console_input(struct axvmctl *h, uint16_t domid, const void *buf, size_t len);

/*
 * Find a domain by name (among the first 630 domains the list returns). Returns: its id (>= 0),
 * -AXVM_ENOENT, or -AXVM_EINVAL for an empty name or one of AXVM_DOMAIN_NAME_MAX bytes or more.
 */
int axvmctl_domain_lookup(struct axvmctl *h, const char *name);

/*
 * Build and start a domain from cfg: create, memory regions, kernel/initrd/modules/command
 * line loaded by cfg->os.type's boot protocol (Linux bzImage on x86, Image + generated device
 * tree on arm64, Multiboot ELF, raw), devices, pass-through, vCPU 0's context, unpause.
 * The main RAM starts at guest-physical 0 on x86 and at 0x4000_0000 on arm64 (QEMU virt's
 * layout, which the device tree describes); files are read with stdio and refused when larger
 * than the RAM they would go to. A failure at any step destroys the half-built domain.
 * Returns: the new domid (>= 0), or a negative code with a one-line reason in err (if not
 * NULL) that names the step and the cause, e.g. "loading linux/vmlinuz: not a bzImage (no
 * HdrS signature)".
 */
int axvmctl_domain_build(struct axvmctl *h, const struct domain_config *cfg, char *err,
                         size_t err_size);

#endif /* TOOLSTACK_AXVMCTL_H */
