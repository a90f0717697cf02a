/* SPDX-License-Identifier: MIT */
/*
 * Hardware virtualization on x86 behind one table of operations, chosen at run time from the
 * CPU vendor (STYLE.md §2): SVM on AMD and Hygon; VMX can be added as a second table.
 */
#ifndef X86_HVM_H
#define X86_HVM_H

#include <hv/types.h>
#include <hv/virt.h>

struct hvm_ops {
    const char *name;
    /*
     * Check and enable the extension on the executing CPU and log what it offers.
     * Context: each CPU once, IRQs off. Returns: 0, -AXVM_ENODEV (absent),
     * -AXVM_EPERM (disabled by firmware) or -AXVM_ENOMEM.
     */
    int (*cpu_enable)(void);
    /* Fill banner lines for the boot CPU. Returns: the number filled. */
    unsigned int (*describe)(struct virt_feature *out, unsigned int max);
};

extern const struct hvm_ops svm_ops;

#endif /* X86_HVM_H */
