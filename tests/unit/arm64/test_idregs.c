/* SPDX-License-Identifier: MIT */
/*
 * Suite "arm64_idregs": the ID register values arm64 guests read (arch/arm64/idregs.c), from
 * hardware values of our own: which encodings are the ID space, which registers pass through,
 * and which fields are hidden or lowered. The expectations are written out here field by field
 * from the Arm ARM layouts, not taken from the implementation's table.
 */
#include <hv/compiler.h>
#include <arm64/idregs.h>
#include <unit.h>

#define FIELD(shift, v) ((uint64_t)(v) << (shift))
#define NIBBLE(shift)   FIELD(shift, 0xf)

/* ESR_EL2 of a trapped MRS (read) or MSR of op0 op1 CRn CRm op2 with Rt 5. */
static uint64_t sys_esr(unsigned int op0, unsigned int op1, unsigned int crn, unsigned int crm,
                        unsigned int op2, bool read)
{
    return (0x18ull << 26) | (1ull << 25) | ((uint64_t)op0 << 20) | ((uint64_t)op2 << 17) |
           ((uint64_t)op1 << 14) | ((uint64_t)crn << 10) | (5ull << 5) | ((uint64_t)crm << 1) |
           (read ? 1u : 0u);
}

static void test_idregs_is_id_space_takes_crm_1_to_7_of_op0_3_op1_0_crn_0(void)
{
    static const struct {
        unsigned int op0, op1, crn, crm, op2;
        bool want;
    } cases[] = {
        {3, 0, 0, 4, 0, true},   /* ID_AA64PFR0_EL1 */
        {3, 0, 0, 1, 0, true},   /* ID_PFR0_EL1 */
        {3, 0, 0, 3, 3, true},   /* unallocated, still trapped by TID3 */
        {3, 0, 0, 7, 7, true},   /* unallocated */
        {3, 0, 0, 0, 0, false},  /* MIDR_EL1: VPIDR_EL2, not TID3 */
        {3, 0, 0, 0, 5, false},  /* MPIDR_EL1 */
        {3, 0, 0, 8, 0, false},  /* beyond the ID space */
        {3, 1, 0, 0, 0, false},  /* CCSIDR_EL1 (TID2) */
        {3, 0, 1, 0, 0, false},  /* SCTLR_EL1 */
        {3, 0, 1, 2, 0, false},  /* ZCR_EL1: must stay undefined */
        {2, 0, 0, 4, 0, false},  /* op0 2: debug registers */
        {3, 3, 0, 4, 0, false},  /* op1 3 */
        {3, 0, 12, 11, 5, false} /* ICC_SGI1R_EL1 */
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        for (int read = 0; read <= 1; read++) {
            uint64_t esr =
                sys_esr(cases[i].op0, cases[i].op1, cases[i].crn, cases[i].crm, cases[i].op2, read);

            UNIT_CHECK(idregs_is_id_space(esr) == cases[i].want, "S%u_%u_C%u_C%u_%u %s: want %d",
                       cases[i].op0, cases[i].op1, cases[i].crn, cases[i].crm, cases[i].op2,
                       read ? "read" : "write", cases[i].want);
        }
    }
}

/* The registers whose hardware value the guest sees; the rest of CRm 1-7 reads as zero. */
static bool is_expected_passed_through(unsigned int crm, unsigned int op2)
{
    return (crm == 4 && op2 <= 1) || (crm == 5 && op2 == 0) || (crm == 6 && op2 <= 2) ||
           (crm == 7 && op2 <= 2);
}

static void test_idregs_guest_value_is_zero_outside_the_passed_registers(void)
{
    for (unsigned int crm = 0; crm <= 9; crm++) {
        for (unsigned int op2 = 0; op2 <= 8; op2++) {
            bool want = crm >= 1 && crm <= 7 && op2 <= 7 && is_expected_passed_through(crm, op2);
            uint64_t got = idregs_guest_value(crm, op2, ~0ull);

            UNIT_CHECK(idregs_is_passed_through(crm, op2) == want, "CRm %u op2 %u: passed %d", crm,
                       op2, want);
            if (!want) {
                UNIT_CHECK(got == 0, "CRm %u op2 %u: 0x%016llx, want 0", crm, op2,
                           (unsigned long long)got);
            } else {
                UNIT_CHECK(got != 0, "CRm %u op2 %u: all of it hidden", crm, op2);
            }
        }
    }
}

/* Every field at its largest value: what the guest may see of each passed register. */
static void test_idregs_guest_value_hides_unswitched_features_of_all_ones(void)
{
    static const struct {
        const char *name;
        unsigned int crm, op2;
        uint64_t want;
    } cases[] = {
        {"ID_AA64PFR0_EL1", 4, 0,
         ~(NIBBLE(0) | NIBBLE(4) | NIBBLE(32) | NIBBLE(40) | NIBBLE(44)) | FIELD(0, 1) |
             FIELD(4, 1)},
        {"ID_AA64PFR1_EL1", 4, 1,
         ~(NIBBLE(8) | NIBBLE(16) | NIBBLE(24) | NIBBLE(36) | NIBBLE(44) | NIBBLE(48))},
        {"ID_AA64DFR0_EL1", 5, 0,
         ~(NIBBLE(4) | NIBBLE(8) | NIBBLE(16) | NIBBLE(32) | NIBBLE(40) | NIBBLE(44) | NIBBLE(48) |
           NIBBLE(52) | NIBBLE(60))},
        {"ID_AA64ISAR0_EL1", 6, 0, ~0ull},
        {"ID_AA64ISAR1_EL1", 6, 1, ~(NIBBLE(4) | NIBBLE(8) | NIBBLE(24) | NIBBLE(28) | NIBBLE(60))},
        {"ID_AA64ISAR2_EL1", 6, 2, ~(NIBBLE(0) | NIBBLE(8) | NIBBLE(12) | NIBBLE(16) | NIBBLE(24))},
        {"ID_AA64MMFR0_EL1", 7, 0, ~NIBBLE(0) | FIELD(0, 4)},
        {"ID_AA64MMFR1_EL1", 7, 1, ~NIBBLE(16)},
        {"ID_AA64MMFR2_EL1", 7, 2, ~0ull},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint64_t got = idregs_guest_value(cases[i].crm, cases[i].op2, ~0ull);

        UNIT_CHECK(got == cases[i].want, "%s: 0x%016llx, want 0x%016llx", cases[i].name,
                   (unsigned long long)got, (unsigned long long)cases[i].want);
    }
}

/* Values as a -cpu max like CPU has them: only what is hidden changes, nothing is raised. */
static void test_idregs_guest_value_keeps_what_the_hardware_says_below_the_limits(void)
{
    /* EL0/EL1 AArch64+AArch32, EL2, GIC, RAS, SVE, SEL2, AMU, DIT, CSV2, CSV3 */
    uint64_t pfr0 = FIELD(0, 2) | FIELD(4, 2) | FIELD(8, 1) | FIELD(24, 1) | FIELD(28, 1) |
                    FIELD(32, 1) | FIELD(36, 1) | FIELD(44, 1) | FIELD(48, 1) | FIELD(56, 1) |
                    FIELD(60, 1);
    uint64_t pfr0_want = FIELD(0, 1) | FIELD(4, 1) | FIELD(8, 1) | FIELD(24, 1) | FIELD(28, 1) |
                         FIELD(36, 1) | FIELD(48, 1) | FIELD(56, 1) | FIELD(60, 1);
    /* an AArch64-only EL0 and EL1 and an FP field of 0xf (no FP) stay as they are */
    uint64_t pfr0_a64 = FIELD(0, 1) | FIELD(4, 1) | FIELD(16, 0xf) | FIELD(20, 0xf);
    /* BT, SSBS 2, MTE 3, SME 1 */
    uint64_t pfr1 = FIELD(0, 1) | FIELD(4, 2) | FIELD(8, 3) | FIELD(24, 1);
    /* DebugVer 9, PMUVer 6, BRPs 5, WRPs 3, CTX_CMPs 1, PMSVer 1, DoubleLock 0xf (absent) */
    uint64_t dfr0 = FIELD(0, 9) | FIELD(8, 6) | FIELD(12, 5) | FIELD(20, 3) | FIELD(28, 1) |
                    FIELD(32, 1) | FIELD(36, 0xf);
    uint64_t dfr0_want = FIELD(0, 9) | FIELD(12, 5) | FIELD(20, 3) | FIELD(28, 1) | FIELD(36, 0xf);
    /* DPB 2, APA 5, JSCVT, FCMA, LRCPC 2, GPA 1, FRINTTS, SB, SPECRES, BF16, DGH, I8MM */
    uint64_t isar1 = FIELD(0, 2) | FIELD(4, 5) | FIELD(12, 1) | FIELD(16, 1) | FIELD(20, 2) |
                     FIELD(24, 1) | FIELD(32, 1) | FIELD(36, 1) | FIELD(40, 1) | FIELD(44, 1) |
                     FIELD(48, 1) | FIELD(52, 1);
    uint64_t isar1_want = isar1 & ~(NIBBLE(4) | NIBBLE(24));
    /* RPRES, APA3 5, MOPS, BC */
    uint64_t isar2 = FIELD(4, 1) | FIELD(12, 5) | FIELD(16, 1) | FIELD(20, 1);
    uint64_t isar2_want = FIELD(4, 1) | FIELD(20, 1);
    static const struct {
        unsigned int crm, op2;
        uint64_t hw, want;
    } fixed[] = {
        {4, 1, FIELD(0, 1) | FIELD(4, 2), FIELD(0, 1) | FIELD(4, 2)},
        {6, 0, 0x0221100110212120ull, 0x0221100110212120ull},
        {7, 2, 0x1221011110101011ull, 0x1221011110101011ull},
        {7, 1, FIELD(16, 1) | FIELD(20, 3) | FIELD(8, 1), FIELD(20, 3) | FIELD(8, 1)},
    };
    struct {
        unsigned int crm, op2;
        uint64_t hw, want;
    } cases[] = {
        {4, 0, pfr0, pfr0_want},
        {4, 0, pfr0_a64, pfr0_a64},
        {4, 1, pfr1, FIELD(0, 1) | FIELD(4, 2)},
        {5, 0, dfr0, dfr0_want},
        {6, 1, isar1, isar1_want},
        {6, 2, isar2, isar2_want},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint64_t got = idregs_guest_value(cases[i].crm, cases[i].op2, cases[i].hw);

        UNIT_CHECK(got == cases[i].want, "case %zu (CRm %u op2 %u): 0x%016llx, want 0x%016llx", i,
                   cases[i].crm, cases[i].op2, (unsigned long long)got,
                   (unsigned long long)cases[i].want);
    }
    for (size_t i = 0; i < ARRAY_SIZE(fixed); i++) {
        uint64_t got = idregs_guest_value(fixed[i].crm, fixed[i].op2, fixed[i].hw);

        UNIT_CHECK(got == fixed[i].want, "fixed %zu (CRm %u op2 %u): 0x%016llx, want 0x%016llx", i,
                   fixed[i].crm, fixed[i].op2, (unsigned long long)got,
                   (unsigned long long)fixed[i].want);
    }
}

/* PARange: the guest's IPA space (44 bits), or less when the hardware has less. */
static void test_idregs_guest_value_limits_parange_to_the_ipa_size(void)
{
    static const struct {
        unsigned int hw, want;
    } cases[] = {{0, 0}, {2, 2}, {4, 4}, {5, 4}, {6, 4}, {7, 4}};
    uint64_t other = FIELD(4, 2) | FIELD(28, 0) | FIELD(24, 0xf) | FIELD(56, 1);

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint64_t got = idregs_guest_value(7, 0, other | cases[i].hw);

        UNIT_CHECK(got == (other | cases[i].want), "PARange %u: 0x%016llx, want %u", cases[i].hw,
                   (unsigned long long)got, cases[i].want);
    }
}

static CU_TestInfo arm64_idregs_tests[] = {
    UNIT_TEST(test_idregs_is_id_space_takes_crm_1_to_7_of_op0_3_op1_0_crn_0),
    UNIT_TEST(test_idregs_guest_value_is_zero_outside_the_passed_registers),
    UNIT_TEST(test_idregs_guest_value_hides_unswitched_features_of_all_ones),
    UNIT_TEST(test_idregs_guest_value_keeps_what_the_hardware_says_below_the_limits),
    UNIT_TEST(test_idregs_guest_value_limits_parange_to_the_ipa_size),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_arm64_idregs = {"arm64_idregs", NULL, NULL, NULL, NULL, arm64_idregs_tests};
UNIT_REGISTER_SUITE(unit_suite_arm64_idregs);
