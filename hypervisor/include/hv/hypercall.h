/* SPDX-License-Identifier: MIT */
/* Hypercall dispatch (ABI: <public/axvm/hypercall.h>, docs/hypercalls.md). */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include <hv/types.h>
#include <hv/vcpu.h>

/*
 * Handle hypercall nr from v. Every handler checks all its arguments before it changes
 * anything (STYLE.md §4); a bad argument gives an error to the caller, never more.
 * Context: v's exit loop. Returns: the value for the guest's result register (>= 0, or a
 * negative -AXVM_E* code).
 */
int64_t hypercall_dispatch(struct vcpu *v, uint64_t nr, const uint64_t args[6]);

#endif /* HV_HYPERCALL_H */
