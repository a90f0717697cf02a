/* SPDX-License-Identifier: MIT */
/*
 * Domain and system control (ABI: <public/axvm/domctl.h>, docs/hypercalls.md): the hypercalls
 * with which the privileged domain builds, runs, watches and tears down the others. They are
 * serialised by domctl_lock, which also decides when a stopping VM is freed (vm_vcpu_stopped).
 */
#ifndef HV_DOMCTL_H
#define HV_DOMCTL_H

#include <hv/types.h>
#include <hv/vcpu.h>

struct axvm_physinfo;

/*
 * Handle control hypercall nr (AXVM_HC_CONTROL_FIRST..AXVM_HC_CONTROL_LAST) from v: arguments
 * are the struct's gpa and size and the data buffer's gpa and size, all in v's RAM. Only a
 * privileged VM may make them. Every argument is checked before anything changes.
 * Context: v's exit loop, IRQs off, no locks; takes domctl_lock.
 * Returns: the call's result (>= 0), or -AXVM_EPERM (not privileged), -AXVM_EINVAL,
 * -AXVM_EFAULT, -AXVM_ENOENT and the others docs/hypercalls.md lists per call.
 */
int64_t domctl_dispatch(struct vcpu *v, uint64_t nr, const uint64_t args[6]);

/*
 * domctl_lock: the outermost lock (docs/locking.md). Held around every control hypercall and
 * by a VM's last vCPU while it decides whether to free the VM, so whoever holds it sees every
 * VM that vm_find() returned stay allocated. Never held across a wait for another CPU.
 * Returns (take): the IRQ flags to give back.
 */
unsigned long domctl_lock_take(void);
void domctl_lock_give(unsigned long flags);

/* Arch hooks: implemented in arch/<a>/domctl.c */

/*
 * Fill the arch's part of the physical information: arch (AXVM_ARCH_*), cpu_khz (x86: the TSC
 * frequency), the AXVM_FEATURE_* bits other than HVM, and virt ("svm", "el2", ...; "" when
 * the CPU has none). Context: any.
 */
void arch_domctl_physinfo(struct axvm_physinfo *info);

#endif /* HV_DOMCTL_H */
