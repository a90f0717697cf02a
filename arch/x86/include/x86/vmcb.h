/* SPDX-License-Identifier: MIT */
/*
 * The AMD virtual machine control block (AMD APM vol. 2, appendix B "Layout of VMCB"): the
 * control area the hypervisor programs and the state-save area VMRUN loads and #VMEXIT stores.
 * Every field's offset is asserted below.
 */
#ifndef X86_VMCB_H
#define X86_VMCB_H

#include <hv/compiler.h>
#include <hv/types.h>

/* Intercept vector 3 (offset 0x0c) */
#define SVM_INTERCEPT_INTR        (1u << 0)
#define SVM_INTERCEPT_NMI         (1u << 1)
#define SVM_INTERCEPT_SMI         (1u << 2)
#define SVM_INTERCEPT_INIT        (1u << 3)
#define SVM_INTERCEPT_VINTR       (1u << 4)
#define SVM_INTERCEPT_CPUID       (1u << 18)
#define SVM_INTERCEPT_INVD        (1u << 22)
#define SVM_INTERCEPT_HLT         (1u << 24)
#define SVM_INTERCEPT_INVLPGA     (1u << 26)
#define SVM_INTERCEPT_IOIO        (1u << 27)
#define SVM_INTERCEPT_MSR         (1u << 28)
#define SVM_INTERCEPT_FERR_FREEZE (1u << 30)
#define SVM_INTERCEPT_SHUTDOWN    (1u << 31)
/* Intercept vector 4 (offset 0x10) */
#define SVM_INTERCEPT_VMRUN       (1u << 0)
#define SVM_INTERCEPT_VMMCALL     (1u << 1)
#define SVM_INTERCEPT_VMLOAD      (1u << 2)
#define SVM_INTERCEPT_VMSAVE      (1u << 3)
#define SVM_INTERCEPT_STGI        (1u << 4)
#define SVM_INTERCEPT_CLGI        (1u << 5)
#define SVM_INTERCEPT_SKINIT      (1u << 6)
#define SVM_INTERCEPT_WBINVD      (1u << 9)
#define SVM_INTERCEPT_MONITOR     (1u << 10)
#define SVM_INTERCEPT_MWAIT       (1u << 11)
#define SVM_INTERCEPT_MWAIT_ARMED (1u << 12)
#define SVM_INTERCEPT_XSETBV      (1u << 13)

/* V_INTR fields (offset 0x60) */
#define SVM_VINTR_V_IRQ        (1ULL << 8)
#define SVM_VINTR_PRIO_SHIFT   16
#define SVM_VINTR_V_IGN_TPR    (1ULL << 20)
#define SVM_VINTR_MASKING      (1ULL << 24)
#define SVM_VINTR_VECTOR_SHIFT 32 /* V_INTR_VECTOR: the vector V_IRQ delivers */

/* EVENTINJ and EXITINTINFO */
#define SVM_EVT_VECTOR_MASK 0xffu
#define SVM_EVT_TYPE_SHIFT  8
#define SVM_EVT_TYPE_INTR   (0u << 8)
#define SVM_EVT_TYPE_NMI    (2u << 8)
#define SVM_EVT_TYPE_EXCEPT (3u << 8)
#define SVM_EVT_TYPE_SOFT   (4u << 8)
#define SVM_EVT_TYPE_MASK   (7u << 8)
#define SVM_EVT_EV          (1u << 11) /* error code valid */
#define SVM_EVT_V           (1u << 31)

/* Exit codes (AMD APM vol. 2, appendix C) */
#define SVM_EXIT_EXCP_BASE   0x040
#define SVM_EXIT_INTR        0x060
#define SVM_EXIT_NMI         0x061
#define SVM_EXIT_SMI         0x062
#define SVM_EXIT_INIT        0x063
#define SVM_EXIT_VINTR       0x064
#define SVM_EXIT_CPUID       0x072
#define SVM_EXIT_INVD        0x076
#define SVM_EXIT_HLT         0x078
#define SVM_EXIT_INVLPGA     0x07a
#define SVM_EXIT_IOIO        0x07b
#define SVM_EXIT_MSR         0x07c
#define SVM_EXIT_FERR_FREEZE 0x07e
#define SVM_EXIT_SHUTDOWN    0x07f
#define SVM_EXIT_VMRUN       0x080
#define SVM_EXIT_VMMCALL     0x081
#define SVM_EXIT_VMLOAD      0x082
#define SVM_EXIT_VMSAVE      0x083
#define SVM_EXIT_STGI        0x084
#define SVM_EXIT_CLGI        0x085
#define SVM_EXIT_SKINIT      0x086
#define SVM_EXIT_WBINVD      0x089
#define SVM_EXIT_MONITOR     0x08a
#define SVM_EXIT_MWAIT       0x08b
#define SVM_EXIT_MWAIT_ARMED 0x08c
#define SVM_EXIT_XSETBV      0x08d
#define SVM_EXIT_NPF         0x400
#define SVM_EXIT_INVALID     0xffffffffu /* compare the low 32 bits: TCG does not sign-extend */

/* IOIO EXITINFO1 */
#define SVM_IOIO_IN         (1u << 0)
#define SVM_IOIO_STR        (1u << 2)
#define SVM_IOIO_REP        (1u << 3)
#define SVM_IOIO_SZ8        (1u << 4)
#define SVM_IOIO_SZ16       (1u << 5)
#define SVM_IOIO_SZ32       (1u << 6)
#define SVM_IOIO_PORT_SHIFT 16

/* NPF EXITINFO1 (a #PF-style error code) */
#define SVM_NPF_PRESENT (1ULL << 0)
#define SVM_NPF_WRITE   (1ULL << 1)
#define SVM_NPF_FETCH   (1ULL << 4)

#define SVM_TLB_FLUSH_ALL 1

struct vmcb_seg {
    uint16_t selector; /* 0x0 */
    uint16_t attrib;   /* 0x2: descriptor bits 40-47 in 0-7, 52-55 in 8-11 */
    uint32_t limit;    /* 0x4 */
    uint64_t base;     /* 0x8 */
};

struct vmcb {
    /* Control area */
    uint16_t intercept_cr_read;    /* 0x000 */
    uint16_t intercept_cr_write;   /* 0x002 */
    uint16_t intercept_dr_read;    /* 0x004 */
    uint16_t intercept_dr_write;   /* 0x006 */
    uint32_t intercept_exceptions; /* 0x008 */
    uint32_t intercept_vec3;       /* 0x00c */
    uint32_t intercept_vec4;       /* 0x010 */
    uint32_t intercept_vec5;       /* 0x014 */
    uint8_t reserved_018[0x03c - 0x018];
    uint16_t pause_filter_threshold; /* 0x03c */
    uint16_t pause_filter_count;     /* 0x03e */
    uint64_t iopm_base_pa;           /* 0x040 */
    uint64_t msrpm_base_pa;          /* 0x048 */
    uint64_t tsc_offset;             /* 0x050 */
    uint32_t guest_asid;             /* 0x058 */
    uint8_t tlb_control;             /* 0x05c */
    uint8_t reserved_05d[3];
    uint64_t vintr;            /* 0x060 */
    uint64_t interrupt_shadow; /* 0x068 */
    uint64_t exitcode;         /* 0x070 */
    uint64_t exitinfo1;        /* 0x078 */
    uint64_t exitinfo2;        /* 0x080 */
    uint64_t exitintinfo;      /* 0x088 */
    uint64_t np_enable;        /* 0x090 */
    uint64_t avic_apic_bar;    /* 0x098 */
    uint64_t ghcb_pa;          /* 0x0a0 */
    uint64_t eventinj;         /* 0x0a8 */
    uint64_t n_cr3;            /* 0x0b0 */
    uint64_t lbr_virt_enable;  /* 0x0b8 */
    uint32_t vmcb_clean;       /* 0x0c0 */
    uint32_t reserved_0c4;
    uint64_t nrip;          /* 0x0c8 */
    uint8_t insn_len;       /* 0x0d0 */
    uint8_t insn_bytes[15]; /* 0x0d1 */
    uint8_t reserved_0e0[0x400 - 0x0e0];

    /* State-save area */
    struct vmcb_seg es;   /* 0x400 */
    struct vmcb_seg cs;   /* 0x410 */
    struct vmcb_seg ss;   /* 0x420 */
    struct vmcb_seg ds;   /* 0x430 */
    struct vmcb_seg fs;   /* 0x440 */
    struct vmcb_seg gs;   /* 0x450 */
    struct vmcb_seg gdtr; /* 0x460 */
    struct vmcb_seg ldtr; /* 0x470 */
    struct vmcb_seg idtr; /* 0x480 */
    struct vmcb_seg tr;   /* 0x490 */
    uint8_t reserved_4a0[0x4cb - 0x4a0];
    uint8_t cpl; /* 0x4cb */
    uint32_t reserved_4cc;
    uint64_t efer; /* 0x4d0 */
    uint8_t reserved_4d8[0x548 - 0x4d8];
    uint64_t cr4;    /* 0x548 */
    uint64_t cr3;    /* 0x550 */
    uint64_t cr0;    /* 0x558 */
    uint64_t dr7;    /* 0x560 */
    uint64_t dr6;    /* 0x568 */
    uint64_t rflags; /* 0x570 */
    uint64_t rip;    /* 0x578 */
    uint8_t reserved_580[0x5d8 - 0x580];
    uint64_t rsp;            /* 0x5d8 */
    uint64_t s_cet;          /* 0x5e0 */
    uint64_t ssp;            /* 0x5e8 */
    uint64_t isst_addr;      /* 0x5f0 */
    uint64_t rax;            /* 0x5f8 */
    uint64_t star;           /* 0x600 */
    uint64_t lstar;          /* 0x608 */
    uint64_t cstar;          /* 0x610 */
    uint64_t sfmask;         /* 0x618 */
    uint64_t kernel_gs_base; /* 0x620 */
    uint64_t sysenter_cs;    /* 0x628 */
    uint64_t sysenter_esp;   /* 0x630 */
    uint64_t sysenter_eip;   /* 0x638 */
    uint64_t cr2;            /* 0x640 */
    uint8_t reserved_648[0x668 - 0x648];
    uint64_t g_pat;          /* 0x668 */
    uint64_t dbgctl;         /* 0x670 */
    uint64_t br_from;        /* 0x678 */
    uint64_t br_to;          /* 0x680 */
    uint64_t last_excp_from; /* 0x688 */
    uint64_t last_excp_to;   /* 0x690 */
    uint8_t reserved_698[0x1000 - 0x698];
};

#define VMCB_OFFSET_CHECK(field, off) \
    _Static_assert(__builtin_offsetof(struct vmcb, field) == (off), "VMCB " #field)
VMCB_OFFSET_CHECK(intercept_exceptions, 0x008);
VMCB_OFFSET_CHECK(intercept_vec3, 0x00c);
VMCB_OFFSET_CHECK(intercept_vec4, 0x010);
VMCB_OFFSET_CHECK(iopm_base_pa, 0x040);
VMCB_OFFSET_CHECK(msrpm_base_pa, 0x048);
VMCB_OFFSET_CHECK(tsc_offset, 0x050);
VMCB_OFFSET_CHECK(guest_asid, 0x058);
VMCB_OFFSET_CHECK(tlb_control, 0x05c);
VMCB_OFFSET_CHECK(vintr, 0x060);
VMCB_OFFSET_CHECK(interrupt_shadow, 0x068);
VMCB_OFFSET_CHECK(exitcode, 0x070);
VMCB_OFFSET_CHECK(exitinfo1, 0x078);
VMCB_OFFSET_CHECK(exitinfo2, 0x080);
VMCB_OFFSET_CHECK(exitintinfo, 0x088);
VMCB_OFFSET_CHECK(np_enable, 0x090);
VMCB_OFFSET_CHECK(eventinj, 0x0a8);
VMCB_OFFSET_CHECK(n_cr3, 0x0b0);
VMCB_OFFSET_CHECK(vmcb_clean, 0x0c0);
VMCB_OFFSET_CHECK(nrip, 0x0c8);
VMCB_OFFSET_CHECK(insn_len, 0x0d0);
VMCB_OFFSET_CHECK(es, 0x400);
VMCB_OFFSET_CHECK(cs, 0x410);
VMCB_OFFSET_CHECK(tr, 0x490);
VMCB_OFFSET_CHECK(cpl, 0x4cb);
VMCB_OFFSET_CHECK(efer, 0x4d0);
VMCB_OFFSET_CHECK(cr4, 0x548);
VMCB_OFFSET_CHECK(cr3, 0x550);
VMCB_OFFSET_CHECK(cr0, 0x558);
VMCB_OFFSET_CHECK(dr7, 0x560);
VMCB_OFFSET_CHECK(dr6, 0x568);
VMCB_OFFSET_CHECK(rflags, 0x570);
VMCB_OFFSET_CHECK(rip, 0x578);
VMCB_OFFSET_CHECK(rsp, 0x5d8);
VMCB_OFFSET_CHECK(rax, 0x5f8);
VMCB_OFFSET_CHECK(star, 0x600);
VMCB_OFFSET_CHECK(kernel_gs_base, 0x620);
VMCB_OFFSET_CHECK(cr2, 0x640);
VMCB_OFFSET_CHECK(g_pat, 0x668);
_Static_assert(sizeof(struct vmcb) == 0x1000, "a VMCB is one page");

#endif /* X86_VMCB_H */
