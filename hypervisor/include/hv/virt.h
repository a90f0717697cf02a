/* SPDX-License-Identifier: MIT */
/* What the hardware offers for virtualization, as the boot banner and (later) vm_boot see it. */
#ifndef HV_VIRT_H
#define HV_VIRT_H

#include <hv/types.h>

#define VIRT_FEATURE_VALUE_MAX 48

struct virt_feature {
    const char *name;                   /* e.g. "svm revision", "list registers" */
    char value[VIRT_FEATURE_VALUE_MAX]; /* e.g. "1", "4", "yes" */
};

/* Arch hooks: implemented in arch/<a>/virt.c */

/*
 * Describe the boot CPU's virtualization features, one entry each, for the banner.
 * Context: boot CPU, after arch_setup(). Returns: the number of entries filled (<= max).
 */
unsigned int arch_virt_describe(struct virt_feature *out, unsigned int max);

/* Returns: whether every online CPU can run guests (hardware support found and enabled). */
bool arch_virt_is_usable(void);

#endif /* HV_VIRT_H */
