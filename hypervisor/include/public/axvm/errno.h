/* SPDX-License-Identifier: MIT */
/*
 * The one list of error codes shared by the hypervisor, the dom0 module and the toolstack.
 * Values are Linux errno numbers, so dom0 can hand them to user space unchanged; functions
 * return them negated (-AXVM_EINVAL).
 */
#ifndef AXVM_PUBLIC_ERRNO_H
#define AXVM_PUBLIC_ERRNO_H

/* X(name, value, message) */
#define AXVM_ERRNO_LIST(X)                 \
    X(EPERM, 1, "operation not permitted") \
    X(ENOENT, 2, "no such object")         \
    X(EIO, 5, "input/output error")        \
    X(E2BIG, 7, "argument list too long")  \
    X(EAGAIN, 11, "try again")             \
    X(ENOMEM, 12, "out of memory")         \
    X(EFAULT, 14, "bad address")           \
    X(EBUSY, 16, "busy")                   \
    X(EEXIST, 17, "already exists")        \
    X(ENODEV, 19, "no such device")        \
    X(EINVAL, 22, "invalid argument")      \
    X(ENOSPC, 28, "no space left")         \
    X(ERANGE, 34, "out of range")          \
    X(ENOSYS, 38, "not implemented")       \
    X(EOPNOTSUPP, 95, "not supported")     \
    X(EALREADY, 114, "already in that state")

enum axvm_errno {
#define AXVM_ERRNO_ENUM(name, value, msg) AXVM_##name = value,
    AXVM_ERRNO_LIST(AXVM_ERRNO_ENUM)
#undef AXVM_ERRNO_ENUM
};

#endif /* AXVM_PUBLIC_ERRNO_H */
