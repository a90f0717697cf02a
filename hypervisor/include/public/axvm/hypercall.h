/* SPDX-License-Identifier: MIT */
/*
 * The axvm hypercall ABI, shared verbatim by the hypervisor, the dom0 module, the toolstack and
 * guests. Fixed-width types only; structs have explicit padding and asserted sizes.
 *
 * Register convention (docs/hypercalls.md):
 *   x86, 64-bit guest: VMMCALL with RAX = number, RDI, RSI, RDX, R10, R8, R9 = arguments 0-5;
 *                      the result comes back in RAX.
 *   x86, 32-bit guest: VMMCALL with EAX = number, EBX, ECX, EDX, ESI, EDI = arguments 0-4;
 *                      the result comes back in EAX.
 *   arm64:             HVC #0 with x0 = number, x1-x6 = arguments 0-5; the result in x0.
 * A result >= 0 is success; a negative result is -AXVM_E<name> from <public/axvm/errno.h>.
 * Buffers are passed as guest-physical addresses and are checked against the caller's memory.
 */
#ifndef AXVM_PUBLIC_HYPERCALL_H
#define AXVM_PUBLIC_HYPERCALL_H

#include "errno.h"
#include "version.h"

/* Returns AXVM_ABI_VERSION. */
#define AXVM_HC_ABI_VERSION 0

/*
 * console_write(gpa buf, u64 len): append len bytes (at most AXVM_CONSOLE_WRITE_MAX) to the
 * caller's console. Returns the number of bytes written; -AXVM_EFAULT if any byte of the
 * buffer is outside the caller's RAM; -AXVM_EINVAL if len is over the limit.
 */
#define AXVM_HC_CONSOLE_WRITE  1
#define AXVM_CONSOLE_WRITE_MAX 4096

/* vcpu_yield(): give up the rest of this time slice. Returns 0. */
#define AXVM_HC_VCPU_YIELD 2

/*
 * vm_shutdown(u64 reason, u64 code): stop the calling domain for good. Does not return on
 * success; -AXVM_EINVAL for an unknown reason.
 */
#define AXVM_HC_VM_SHUTDOWN 3

#define AXVM_HC_MAX 4 /* one past the highest number */

/* Why a domain stopped (vm_shutdown's reason, 0-2; also what dom0 sees). */
#define AXVM_SHUTDOWN_POWEROFF 0
#define AXVM_SHUTDOWN_REBOOT   1
#define AXVM_SHUTDOWN_CRASH    2
#define AXVM_SHUTDOWN_EXIT     3 /* the debug-exit device; the code is the value written */

/* CPUID leaves axvm offers its x86 guests. */
#define AXVM_CPUID_SIGNATURE 0x40000000u /* EAX: highest leaf; EBX,ECX,EDX: "axvmaxvmaxvm" */
#define AXVM_CPUID_TIMING    0x40000010u /* EAX: TSC kHz; EBX: local APIC timer kHz */

#endif /* AXVM_PUBLIC_HYPERCALL_H */
