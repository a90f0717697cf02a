/* SPDX-License-Identifier: MIT */
/* Scalar types of the hypervisor: fixed-width integers and the address kinds. */
#ifndef HV_TYPES_H
#define HV_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A host-physical address and a host frame number (hpa >> PAGE_SHIFT). */
typedef uint64_t hpa_t;
typedef uint64_t mfn_t;

/* A guest-physical address: what a guest calls physical, translated by stage 2. */
typedef uint64_t gpa_t;

/* A domain's number, as the ABI and the toolstack know it (dom0 is 0). */
typedef uint16_t domid_t;

#define PAGE_SHIFT 12
#define PAGE_SIZE  ((uint64_t)1 << PAGE_SHIFT)

#define hpa_to_mfn(hpa) ((mfn_t)((hpa) >> PAGE_SHIFT))
#define mfn_to_hpa(mfn) ((hpa_t)(mfn) << PAGE_SHIFT)

#endif /* HV_TYPES_H */
