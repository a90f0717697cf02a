/* SPDX-License-Identifier: MIT */
/*
 * System register access. GICv3 CPU-interface registers are named by their encodings
 * (op0_op1_CRn_CRm_op2, Arm GIC architecture specification, "AArch64 System register
 * descriptions") so any assembler accepts them.
 */
#ifndef ARM64_SYSREG_H
#define ARM64_SYSREG_H

#define ICC_PMR_EL1     S3_0_C4_C6_0
#define ICC_IAR1_EL1    S3_0_C12_C12_0
#define ICC_EOIR1_EL1   S3_0_C12_C12_1
#define ICC_BPR1_EL1    S3_0_C12_C12_3
#define ICC_CTLR_EL1    S3_0_C12_C12_4
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_SGI1R_EL1   S3_0_C12_C11_5
#define ICC_SRE_EL2     S3_4_C12_C9_5
#define ICH_VTR_EL2     S3_4_C12_C11_1

#define STRINGIFY_(x) #x
#define STRINGIFY(x)  STRINGIFY_(x)

#define read_sysreg(reg)                                        \
    ({                                                          \
        uint64_t v_;                                            \
        __asm__ volatile("mrs %0, " STRINGIFY(reg) : "=r"(v_)); \
        v_;                                                     \
    })

#define write_sysreg(reg, v)                                                    \
    do {                                                                        \
        uint64_t wv_ = (uint64_t)(v);                                           \
        __asm__ volatile("msr " STRINGIFY(reg) ", %0" : : "r"(wv_) : "memory"); \
    } while (0)

static inline void isb(void)
{
    __asm__ volatile("isb" ::: "memory");
}

static inline void dsb_sy(void)
{
    __asm__ volatile("dsb sy" ::: "memory");
}

#endif /* ARM64_SYSREG_H */
