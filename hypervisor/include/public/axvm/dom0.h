/* SPDX-License-Identifier: MIT */
/*
 * The dom0 device /dev/axvm: one ioctl that makes a hypercall on behalf of a root process.
 * The dom0 module copies the call's struct and data buffer into kernel memory (at most
 * AXVM_IOCTL_MAX_ARG and AXVM_COPY_MAX bytes), passes their guest-physical addresses as
 * <public/axvm/domctl.h> describes, and copies outputs back. The ioctl returns 0 or -1 with
 * errno set to the hypercall's error (AXVM_E* values are Linux errno values).
 */
#ifndef AXVM_PUBLIC_DOM0_H
#define AXVM_PUBLIC_DOM0_H

#ifndef __KERNEL__
#include <stdint.h>
#endif

#define AXVM_DEVICE_PATH   "/dev/axvm"
#define AXVM_IOCTL_MAX_ARG 256 /* bytes of a call's struct */

struct axvm_ioctl_hypercall {
    uint32_t nr;       /* 0x00: AXVM_HC_* */
    uint32_t arg_size; /* 0x04: bytes at arg */
    uint64_t arg;      /* 0x08: user pointer to the call's struct (read and written back) */
    uint64_t buf;      /* 0x10: user pointer to the data buffer, or 0 */
    uint64_t buf_size; /* 0x18: its size */
    int64_t result;    /* 0x20: out: the hypercall's return value when >= 0 */
};
_Static_assert(sizeof(struct axvm_ioctl_hypercall) == 0x28, "axvm_ioctl_hypercall");

/* _IOWR('A', 0x01, struct axvm_ioctl_hypercall) spelled out: dir 3, size 0x28, type 'A', nr 1. */
#define AXVM_IOCTL_HYPERCALL 0xc0284101u

#endif /* AXVM_PUBLIC_DOM0_H */
