/* SPDX-License-Identifier: MIT */
/*
 * The real transport of libaxvmctl: the dom0 device /dev/axvm (or $AXVM_DEVICE), one
 * AXVM_IOCTL_HYPERCALL per hypercall (<public/axvm/dom0.h>), and the sentence a person sees when
 * the device cannot be opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <public/axvm/dom0.h>
#include "transport.h"

struct device {
    int fd;
};

/* What the last axvmctl_open() tried, for axvmctl_open_error(); the CLI opens one handle. */
static char last_path[256] = AXVM_DEVICE_PATH;
static int last_errno;
static char open_message[512];

/* The sentences axvm-xl prints after "axvm-xl: ", each with the device's path. */
static const struct {
    int rc;
    const char *format;
} open_messages[] = {
    {-AXVM_ENOENT, "cannot reach the hypervisor: %s not found (is this dom0 of an axvm host?)"},
    {-AXVM_EPERM, "cannot reach the hypervisor: permission denied on %s (run axvm-xl as root)"},
    {-AXVM_ENODEV, "cannot reach the hypervisor: %s is not the axvm device (module loaded?)"},
};

static bool is_axvm_errno(int err)
{
    switch (err) {
#define AXVM_ERRNO_CASE(name, value, msg) case value:
        AXVM_ERRNO_LIST(AXVM_ERRNO_CASE)
#undef AXVM_ERRNO_CASE
        return true;
    default:
        return false;
    }
}

int transport_errno_to_rc(int err)
{
    if (is_axvm_errno(err)) {
        return -err;
    }
    switch (err) {
    case EACCES:
        return -AXVM_EPERM;
    case ENXIO:
        return -AXVM_ENODEV;
    case ENOTTY:
        return -AXVM_ENOSYS;
    default:
        return -AXVM_EIO;
    }
}

static int64_t device_call(void *ctx, uint32_t nr, void *arg, uint32_t arg_size, void *buf,
                           uint64_t buf_size)
{
    const struct device *dev = ctx;
    struct axvm_ioctl_hypercall req = {
        .nr = nr,
        .arg_size = arg_size,
        .arg = (uint64_t)(uintptr_t)arg,
        .buf = (uint64_t)(uintptr_t)buf,
        .buf_size = buf_size,
    };
    int rc;

    /* The module returns EINTR only before the hypercall was made, so trying again is safe. */
    do {
        rc = ioctl(dev->fd, AXVM_IOCTL_HYPERCALL, &req);
    } while (rc < 0 && errno == EINTR);
    return rc < 0 ? transport_errno_to_rc(errno) : req.result;
}

static void device_close(void *ctx)
{
    struct device *dev = ctx;

    close(dev->fd);
    free(dev);
}

int transport_open(const char *path, struct axvmctl_transport *out)
{
    struct device *dev = NULL;
    struct stat st;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    int rc = 0;

    last_errno = fd < 0 ? errno : 0;
    if (fd < 0) {
        rc = transport_errno_to_rc(last_errno);
        goto out;
    }
    if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode)) {
        rc = -AXVM_ENODEV;
        goto out;
    }
    dev = malloc(sizeof(*dev));
    if (!dev) {
        rc = -AXVM_ENOMEM;
        goto out;
    }
    dev->fd = fd;
    *out = (struct axvmctl_transport){device_call, device_close, dev};
    fd = -1;
out:
    if (fd >= 0) {
        close(fd);
    }
    return rc;
}

int axvmctl_open(struct axvmctl **out)
{
    const char *env = getenv(TRANSPORT_DEVICE_ENV);
    struct axvmctl_transport t;
    int rc;

    snprintf(last_path, sizeof(last_path), "%s", env && env[0] ? env : AXVM_DEVICE_PATH);
    rc = transport_open(last_path, &t);
    if (rc) {
        return rc;
    }
    rc = axvmctl_open_transport(&t, out);
    if (rc) {
        t.close(t.ctx);
    }
    return rc;
}

const char *axvmctl_open_error(int rc)
{
    for (size_t i = 0; i < sizeof(open_messages) / sizeof(open_messages[0]); i++) {
        if (open_messages[i].rc == rc) {
            snprintf(open_message, sizeof(open_message), open_messages[i].format, last_path);
            return open_message;
        }
    }
    snprintf(open_message, sizeof(open_message), "cannot reach the hypervisor: %s: %s", last_path,
             last_errno ? strerror(last_errno) : axvmctl_strerror(rc));
    return open_message;
}
