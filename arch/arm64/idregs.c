/* SPDX-License-Identifier: MIT */
/*
 * What a guest reads from the ID registers (HCR_EL2.TID3 traps every EL1 read of op0 3, op1 0,
 * CRn 0, CRm 1-7; Arm ARM D19, "HCR_EL2"). A feature the backend does not switch between vCPUs,
 * or that would trap to EL2 with our HCR_EL2/CPTR_EL2/MDCR_EL2, is hidden by lowering its 4-bit
 * field, so the guest never uses it; everything else is the hardware's. Pure: idregs_hw.c reads
 * the hardware, the unit tests feed this file values of their own.
 */
#include <hv/compiler.h>
#include <arm64/idregs.h>

/* ESR_EL2 ISS of EC 0x18 (Arm ARM D19, "ISS encoding for an exception from MSR, MRS..."). */
#define ISS_OP0(esr) (((esr) >> 20) & 3u)
#define ISS_OP2(esr) (((esr) >> 17) & 7u)
#define ISS_OP1(esr) (((esr) >> 14) & 7u)
#define ISS_CRN(esr) (((esr) >> 10) & 0xfu)
#define ISS_CRM(esr) (((esr) >> 1) & 0xfu)

/* A register of the ID space as one number. */
#define ID_REG(crm, op2) ((crm)*8u + (op2))

#define ID_AA64PFR0  ID_REG(4, 0)
#define ID_AA64PFR1  ID_REG(4, 1)
#define ID_AA64DFR0  ID_REG(5, 0)
#define ID_AA64ISAR0 ID_REG(6, 0)
#define ID_AA64ISAR1 ID_REG(6, 1)
#define ID_AA64ISAR2 ID_REG(6, 2)
#define ID_AA64MMFR0 ID_REG(7, 0)
#define ID_AA64MMFR1 ID_REG(7, 1)
#define ID_AA64MMFR2 ID_REG(7, 2)

/*
 * The registers the guest sees the hardware's value of (after the limits below). The rest of
 * the space reads as zero, which is what the architecture gives for its unallocated encodings
 * and for a feature that is absent:
 * - the AArch32 views (CRm 1-3: ID_PFR0 ... ID_MMFR5, MVFR0-2): the guest is AArch64-only
 *   (ID_AA64PFR0_EL1.EL0/EL1 below), so they describe nothing it can use;
 * - ID_AA64ZFR0_EL1 and ID_AA64SMFR0_EL1: SVE and SME are hidden;
 * - ID_AA64AFR0/1_EL1: IMPLEMENTATION DEFINED features cannot be vetted (HCR_EL2.TIDCP traps
 *   the IMPLEMENTATION DEFINED registers anyway);
 * - the registers newer than the backend (ID_AA64PFR2, FPFR0, DFR1, DFR2, ISAR3, MMFR3,
 *   MMFR4): FPMR, TCR2_EL1, SCTLR2_EL1, the permission-indirection registers and the debug
 *   and PMU extensions they describe are all EL1 state that nobody switches.
 */
static const uint8_t passed_through[] = {
    ID_AA64PFR0,  ID_AA64PFR1,  ID_AA64DFR0,  ID_AA64ISAR0, ID_AA64ISAR1,
    ID_AA64ISAR2, ID_AA64MMFR0, ID_AA64MMFR1, ID_AA64MMFR2,
};

/* The most a 4-bit field of a passed-through register may say (0: the feature is absent). */
struct id_field_limit {
    uint8_t reg;
    uint8_t shift;
    uint8_t max;
};

static const struct id_field_limit limits[] = {
    /* ID_AA64PFR0_EL1 */
    {ID_AA64PFR0, 0, 1},  /* EL0 AArch64 only: an exit from AArch32 would end the domain */
    {ID_AA64PFR0, 4, 1},  /* EL1 AArch64 only: HCR_EL2.RW */
    {ID_AA64PFR0, 32, 0}, /* SVE: Z/P/FFR and ZCR_EL1 not switched; CPTR_EL2.TZ traps */
    {ID_AA64PFR0, 40, 0}, /* MPAM: MPAM1_EL1 not switched */
    {ID_AA64PFR0, 44, 0}, /* AMU: the host's activity monitors, not offset per vCPU */
    /* ID_AA64PFR1_EL1 */
    {ID_AA64PFR1, 8, 0},  /* MTE: tags and GCR/RGSR/TFSR_EL1 not switched; HCR_EL2.ATA traps */
    {ID_AA64PFR1, 16, 0}, /* MPAM_frac, with MPAM */
    {ID_AA64PFR1, 24, 0}, /* SME: ZA, SVCR, SMCR/SMPRI_EL1 not switched; CPTR_EL2.TSM traps */
    {ID_AA64PFR1, 36, 0}, /* NMI: the vGIC has no superpriority */
    {ID_AA64PFR1, 44, 0}, /* GCS: GCSCR/GCSPR_EL1 not switched */
    {ID_AA64PFR1, 48, 0}, /* THE: RCWMASK_EL1 not switched */
    /*
     * ID_AA64DFR0_EL1. MDCR_EL2 keeps its reset value (HPMN = all counters, no traps), so the
     * guest would reach the host's PMU, trace and profiling registers directly; none of them
     * is switched and the PMU interrupt is not virtualised. Breakpoints and watchpoints stay:
     * the architecture has no way to say there are none.
     */
    {ID_AA64DFR0, 4, 0},  /* TraceVer: trace unit registers (CPTR_EL2.TTA clear) */
    {ID_AA64DFR0, 8, 0},  /* PMUVer */
    {ID_AA64DFR0, 16, 0}, /* PMSS: PMU snapshots */
    {ID_AA64DFR0, 32, 0}, /* PMSVer: statistical profiling (SPE) */
    {ID_AA64DFR0, 40, 0}, /* TraceFilt: TRFCR_EL1 */
    {ID_AA64DFR0, 44, 0}, /* TraceBuffer: TRBE (MDCR_EL2.E2TB 0 traps its registers) */
    {ID_AA64DFR0, 48, 0}, /* MTPMU, with the PMU */
    {ID_AA64DFR0, 52, 0}, /* BRBE: branch records */
    {ID_AA64DFR0, 60, 0}, /* HPMN0, with the PMU */
    /* ID_AA64ISAR1_EL1: pointer authentication keys are not switched (HCR_EL2.API/APK clear) */
    {ID_AA64ISAR1, 4, 0},  /* APA */
    {ID_AA64ISAR1, 8, 0},  /* API */
    {ID_AA64ISAR1, 24, 0}, /* GPA */
    {ID_AA64ISAR1, 28, 0}, /* GPI */
    {ID_AA64ISAR1, 60, 0}, /* LS64: HCRX_EL2.EnALS/EnAS0 clear trap LD64B/ST64B* */
    /* ID_AA64ISAR2_EL1 */
    {ID_AA64ISAR2, 0, 0},  /* WFxT: a trapped WFIT would halt past its timeout (HCR_EL2.TWI) */
    {ID_AA64ISAR2, 8, 0},  /* GPA3, pointer authentication */
    {ID_AA64ISAR2, 12, 0}, /* APA3, pointer authentication */
    {ID_AA64ISAR2, 16, 0}, /* MOPS: UNDEFINED at EL1 while HCRX_EL2.MSCEn is clear */
    {ID_AA64ISAR2, 24, 0}, /* PAC_frac, pointer authentication */
    /* ID_AA64MMFR0_EL1 */
    {ID_AA64MMFR0, 0, IDREGS_GUEST_PARANGE}, /* PARange: its IPA space, not the host's */
    /* ID_AA64MMFR1_EL1 */
    {ID_AA64MMFR1, 16, 0}, /* LO: LORegions registers not switched (HCR_EL2.TLOR clear) */
};

bool idregs_is_id_space(uint64_t esr)
{
    unsigned int crm = ISS_CRM(esr);

    return ISS_OP0(esr) == 3 && ISS_OP1(esr) == 0 && ISS_CRN(esr) == 0 && crm >= IDREGS_CRM_FIRST &&
           crm <= IDREGS_CRM_LAST;
}

bool idregs_is_passed_through(unsigned int crm, unsigned int op2)
{
    if (crm < IDREGS_CRM_FIRST || crm > IDREGS_CRM_LAST || op2 > 7) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(passed_through); i++) {
        if (passed_through[i] == ID_REG(crm, op2)) {
            return true;
        }
    }
    return false;
}

uint64_t idregs_guest_value(unsigned int crm, unsigned int op2, uint64_t hw_value)
{
    uint64_t value = hw_value;

    if (!idregs_is_passed_through(crm, op2)) {
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(limits); i++) {
        const struct id_field_limit *l = &limits[i];
        uint64_t field = (value >> l->shift) & 0xf;

        if (l->reg == ID_REG(crm, op2) && field > l->max) {
            value = (value & ~(0xfull << l->shift)) | ((uint64_t)l->max << l->shift);
        }
    }
    return value;
}
