/* SPDX-License-Identifier: MIT */
/*
 * The hardware half of the guest's ID registers: a trapped read is answered from the same
 * register read at EL2 (HCR_EL2.TID3 traps EL1 reads only), through idregs.c. The registers
 * are named by their encodings, which every assembler accepts (ID_AA64ISAR2_EL1 and others
 * are newer than some).
 */
#include <arm64/idregs.h>
#include <arm64/sysreg.h>

#define ISS_OP2(esr) ((unsigned int)((esr) >> 17) & 7u)
#define ISS_CRM(esr) ((unsigned int)((esr) >> 1) & 0xfu)

/* The hardware's value of a register idregs_is_passed_through() names; 0 for the others. */
static uint64_t read_hw(unsigned int crm, unsigned int op2)
{
    switch (crm * 8 + op2) {
    case 4 * 8 + 0:
        return read_sysreg(S3_0_C0_C4_0); /* ID_AA64PFR0_EL1 */
    case 4 * 8 + 1:
        return read_sysreg(S3_0_C0_C4_1); /* ID_AA64PFR1_EL1 */
    case 5 * 8 + 0:
        return read_sysreg(S3_0_C0_C5_0); /* ID_AA64DFR0_EL1 */
    case 6 * 8 + 0:
        return read_sysreg(S3_0_C0_C6_0); /* ID_AA64ISAR0_EL1 */
    case 6 * 8 + 1:
        return read_sysreg(S3_0_C0_C6_1); /* ID_AA64ISAR1_EL1 */
    case 6 * 8 + 2:
        return read_sysreg(S3_0_C0_C6_2); /* ID_AA64ISAR2_EL1 */
    case 7 * 8 + 0:
        return read_sysreg(S3_0_C0_C7_0); /* ID_AA64MMFR0_EL1 */
    case 7 * 8 + 1:
        return read_sysreg(S3_0_C0_C7_1); /* ID_AA64MMFR1_EL1 */
    case 7 * 8 + 2:
        return read_sysreg(S3_0_C0_C7_2); /* ID_AA64MMFR2_EL1 */
    default:
        return 0;
    }
}

uint64_t idregs_hw_read(uint64_t esr)
{
    unsigned int crm = ISS_CRM(esr), op2 = ISS_OP2(esr);

    if (!idregs_is_passed_through(crm, op2)) {
        return 0;
    }
    return idregs_guest_value(crm, op2, read_hw(crm, op2));
}
