/* SPDX-License-Identifier: MIT */
/*
 * The ID registers a guest reads (HCR_EL2.TID3 traps them): the hardware's values with the
 * features the backend does not switch or virtualise hidden, so the guest never uses them.
 * idregs.c decides (pure, unit-tested); idregs_hw.c reads the hardware.
 */
#ifndef ARM64_IDREGS_H
#define ARM64_IDREGS_H

#include <hv/types.h>

/* The ID register space TID3 traps: op0 3, op1 0, CRn 0, CRm 1-7, op2 0-7. */
#define IDREGS_CRM_FIRST 1u
#define IDREGS_CRM_LAST  7u

/*
 * The guest's physical address size, as ID_AA64MMFR0_EL1.PARange: 4 = 44 bits, also the PS of
 * the VTCR_EL2 every guest gets (arch/arm64/vcpu.c; its T0SZ 20 is the same 44 bits).
 */
#define IDREGS_GUEST_PARANGE 4u

/*
 * Whether esr (ESR_EL2 of an EC 0x18 exit: a trapped MRS or MSR) names a register of the ID
 * space above, allocated or not.
 * Context: any. Returns: true for op0 3, op1 0, CRn 0, CRm 1-7.
 */
bool idregs_is_id_space(uint64_t esr);

/*
 * Whether the guest's value of ID register (crm, op2) is derived from the hardware's; the
 * others read as zero and need no hardware read.
 * Context: any. Returns: true for the registers listed in idregs.c.
 */
bool idregs_is_passed_through(unsigned int crm, unsigned int op2);

/*
 * The value the guest reads from ID register (crm, op2) when the hardware's is hw_value: the
 * hidden fields cleared or lowered, and zero for the registers not passed through.
 * Context: any; pure. Returns: the guest's value.
 */
uint64_t idregs_guest_value(unsigned int crm, unsigned int op2, uint64_t hw_value);

/*
 * What a guest's trapped read (ESR_EL2 esr, for which idregs_is_id_space() holds) returns:
 * the register read at EL2, through idregs_guest_value().
 * Context: the vCPU's exit path. Returns: the value for the guest's Rt.
 */
uint64_t idregs_hw_read(uint64_t esr);

#endif /* ARM64_IDREGS_H */
