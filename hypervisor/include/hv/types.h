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

#define PAGE_SHIFT 12
#define PAGE_SIZE  ((uint64_t)1 << PAGE_SHIFT)

#define hpa_to_mfn(hpa) ((mfn_t)((hpa) >> PAGE_SHIFT))
#define mfn_to_hpa(mfn) ((hpa_t)(mfn) << PAGE_SHIFT)

#endif /* HV_TYPES_H */
