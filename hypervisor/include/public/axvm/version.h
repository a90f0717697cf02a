/* SPDX-License-Identifier: MIT */
/*
 * Version of the hypercall ABI shared with dom0 and the toolstack. Bump the minor number for
 * additions, the major number for anything that breaks an existing caller.
 */
#ifndef AXVM_PUBLIC_VERSION_H
#define AXVM_PUBLIC_VERSION_H

#define AXVM_ABI_VERSION_MAJOR 0
#define AXVM_ABI_VERSION_MINOR                                                                   \
    4 /* 2: domain and system control (domctl.h); 3: console input; 4: scheduling and statistics \
       */
#define AXVM_ABI_VERSION ((AXVM_ABI_VERSION_MAJOR << 16) | AXVM_ABI_VERSION_MINOR)

#endif /* AXVM_PUBLIC_VERSION_H */
