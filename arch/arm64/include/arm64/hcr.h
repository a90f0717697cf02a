/* SPDX-License-Identifier: MIT */
/* HCR_EL2 bits the hypervisor sets (Arm ARM D13, "HCR_EL2"); shared by C and assembly. */
#ifndef ARM64_HCR_H
#define ARM64_HCR_H

#define HCR_FMO (1 << 3)   /* physical FIQs to EL2 */
#define HCR_IMO (1 << 4)   /* physical IRQs to EL2: without it none is taken at EL2 */
#define HCR_AMO (1 << 5)   /* SErrors to EL2 */
#define HCR_RW  0x80000000 /* EL1 is AArch64 */

/* At boot: interrupts come to EL2; while a guest runs vcpu.c adds VM, TSC and the rest. */
#define HCR_EL2_BOOT (HCR_RW | HCR_AMO | HCR_IMO | HCR_FMO)

#endif /* ARM64_HCR_H */
