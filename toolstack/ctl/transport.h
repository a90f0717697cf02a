/* SPDX-License-Identifier: MIT */
/*
 * libaxvmctl's real transport (transport.c), private to ctl/ and its tests: how an ioctl on
 * /dev/axvm becomes a hypercall result. axvmctl.h has the public side (axvmctl_open).
 */
#ifndef TOOLSTACK_CTL_TRANSPORT_H
#define TOOLSTACK_CTL_TRANSPORT_H

#include "axvmctl.h"

/* The environment variable that names another device node than AXVM_DEVICE_PATH. */
#define TRANSPORT_DEVICE_ENV "AXVM_DEVICE"

/*
 * Translate a Linux errno from open() or ioctl() into a libaxvmctl result.
 * Returns: -err when err is one of <public/axvm/errno.h>'s codes (they are Linux's numbers),
 * -AXVM_EPERM for EACCES, -AXVM_ENODEV for ENXIO, -AXVM_ENOSYS for ENOTTY (the node does not
 * know the ioctl), else -AXVM_EIO.
 */
int transport_errno_to_rc(int err);

/*
 * Open the device node at path as a transport. Returns: 0 and *out (its close() frees it);
 * a negative code as transport_errno_to_rc() gives, or -AXVM_ENODEV when path is not a
 * character device.
 */
int transport_open(const char *path, struct axvmctl_transport *out);

#endif /* TOOLSTACK_CTL_TRANSPORT_H */
