/* SPDX-License-Identifier: MIT */
/*
 * The virtual local APIC of one x86 vCPU: the xAPIC register page (MMIO at APIC_BASE, normally
 * 0xfee00000) and the x2APIC MSR interface (0x800-0x8ff once APIC_BASE.EXTD is set), with IRR,
 * ISR and TMR, task and processor priority, EOI, spurious-vector software enable, the LVT, the
 * timer in one-shot and periodic mode (TSC-deadline is not offered), the error register, and
 * self-IPIs (AMD APM vol. 2, "Advanced Programmable Interrupt Controller (APIC)"; Intel SDM
 * vol. 3A ch. 10/11 for x2APIC). Pure state machine: time, timers and the "an interrupt is
 * pending" notification go through struct vlapic_env, so it is unit-tested on the host.
 */
#ifndef X86_VLAPIC_H
#define X86_VLAPIC_H

#include <hv/types.h>

#define VLAPIC_DEFAULT_BASE     0xfee00000ULL
#define VLAPIC_MSR_APIC_BASE    0x1bu
#define VLAPIC_MSR_X2APIC_FIRST 0x800u
#define VLAPIC_MSR_X2APIC_LAST  0x8ffu

struct vlapic;

struct vlapic_env {
    uint64_t (*now_ns)(void);
    /* Arm (deadline_ns != 0) or cancel (0) the one timer this vLAPIC owns. */
    void (*timer_arm)(struct vlapic *l, uint64_t deadline_ns);
    /* An interrupt became deliverable (the vCPU may be halted: wake it). */
    void (*notify)(struct vlapic *l);
    /* A write to the ICR that targets other CPUs (INIT, SIPI, fixed IPIs to others). */
    void (*send_ipi)(struct vlapic *l, uint32_t dest, uint32_t icr_low);
    uint64_t timer_hz; /* the frequency the timer counts at before the divider */
    /* Optional (NULL: none): the guest EOI'd vector, which was accepted level-triggered. */
    void (*eoi_level)(struct vlapic *l, uint8_t vector);
    /*
     * Optional: an interrupt was posted (vlapic_post_irq), possibly from another CPU; make the
     * vCPU leave guest mode soon so that it picks it up. Called after notify.
     */
    void (*kick)(struct vlapic *l);
};

struct vlapic {
    const struct vlapic_env *env;
    uint32_t id;
    uint64_t apic_base; /* the APIC_BASE MSR: base | EN (bit 11) | EXTD (bit 10) | BSP (bit 8) */
    uint32_t tpr;
    uint32_t svr;
    uint32_t ldr;
    uint32_t dfr;
    uint32_t esr;         /* latched by a write to ESR */
    uint32_t esr_pending; /* errors since */
    uint32_t lvt[6];      /* timer, thermal, perf, LINT0, LINT1, error (0x320-0x370) */
    uint32_t icr_high;
    uint32_t icr_low;
    uint32_t timer_initial;
    uint32_t timer_divide;      /* the TDCR register */
    uint32_t timer_start_count; /* the count at timer_start_ns: timer_initial, or less after a
                                   TDCR write during a count */
    uint64_t timer_start_ns;    /* when the count was timer_start_count */
    uint64_t timer_deadline_ns; /* when it reaches 0, as armed through env; 0: not counting */
    uint32_t irr[8];
    uint32_t isr[8];
    uint32_t tmr[8];
    /* Posted by other CPUs, taken into IRR by vlapic_sync_posted() (atomics; any CPU). */
    uint32_t posted_irr[8];
    uint32_t posted_tmr[8]; /* level-triggered among posted_irr */
};

/*
 * Reset to the power-on state (xAPIC mode, enabled at VLAPIC_DEFAULT_BASE, software-disabled
 * with SVR = 0xff, all LVTs masked).
 */
void vlapic_init(struct vlapic *l, const struct vlapic_env *env, uint32_t apic_id, bool bsp);

/* xAPIC MMIO: offset within the 4 KiB page; width 4 (other widths: reads return 0, writes are
 * ignored, as the register interface is 32-bit). Returns: 0. */
int vlapic_mmio_read(struct vlapic *l, uint64_t offset, unsigned int width, uint64_t *value);
int vlapic_mmio_write(struct vlapic *l, uint64_t offset, unsigned int width, uint64_t value);

/*
 * MSR interface: APIC_BASE, and 0x800-0x8ff in x2APIC mode.
 * Returns: 0, or -AXVM_EINVAL where the hardware would raise #GP (x2APIC MSR while not in
 * x2APIC mode, reserved or read-only register, reserved bits set, illegal APIC_BASE change).
 */
int vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t *value);
int vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t value);

/* Returns: the base of the xAPIC page when it is reachable by MMIO (enabled, not x2APIC), else 0.
 */
uint64_t vlapic_mmio_base(const struct vlapic *l);

/* Raise vector (16-255) in IRR, edge-triggered; notifies when it becomes deliverable. */
void vlapic_set_irq(struct vlapic *l, uint8_t vector);

/*
 * Post vector from any CPU (an I/O APIC message): level says it is level-triggered, so its TMR
 * bit is set on acceptance and its EOI reaches env->eoi_level. Calls env->notify and env->kick;
 * the vCPU takes the vector into IRR at its next vlapic_sync_posted().
 * Context: any CPU, any IRQ state; lock-free.
 */
void vlapic_post_irq(struct vlapic *l, uint8_t vector, bool level);

/*
 * Whether an I/O APIC message with the 8-bit destination dest reaches this local APIC: physical
 * mode compares the APIC id (0xff: all), logical mode the LDR in the flat or cluster model of
 * the DFR. A disabled local APIC matches nothing. Context: any CPU (reads the registers once).
 */
bool vlapic_match_dest(const struct vlapic *l, uint8_t dest, bool logical);

/* What an IPI asks of the local APICs it reaches: the ICR's delivery mode, decoded. */
enum vlapic_ipi_kind {
    VLAPIC_IPI_NONE,  /* nothing: SMI, reserved modes, and INIT level de-assert */
    VLAPIC_IPI_FIXED, /* raise the vector (fixed and lowest priority) */
    VLAPIC_IPI_NMI,
    VLAPIC_IPI_INIT, /* enter wait-for-SIPI */
    VLAPIC_IPI_SIPI, /* start-up: leave wait-for-SIPI at vector << 12 in real mode */
};

/*
 * Decode an ICR low word as env->send_ipi passes it. An INIT with the level bit clear is the
 * "INIT level de-assert" of old multiprocessor start-up code and does nothing (Intel SDM vol.
 * 3A, "Interrupt Command Register").
 * Returns: the kind, and the vector (SIPI: the start page) in *vector.
 */
enum vlapic_ipi_kind vlapic_ipi_kind(uint32_t icr_low, uint8_t *vector);

/*
 * Which of lapics[0..nr) an IPI that sender handed to env->send_ipi (dest, icr_low as given)
 * reaches: its shorthand, else its physical or logical destination read in sender's mode
 * (xAPIC: 8 bits, 0xff broadcast; x2APIC: 32 bits, cluster and member bits when logical). A
 * hardware-disabled APIC is reached by nothing. Lowest priority reaches only the matching APIC
 * with the lowest task priority (the first of equals). sender is one of lapics.
 * Context: any CPU; reads the other APICs' registers once each. Returns: a mask of indices.
 */
uint32_t vlapic_ipi_targets(const struct vlapic *sender, struct vlapic *const *lapics,
                            unsigned int nr, uint32_t dest, uint32_t icr_low);

/*
 * INIT: every register back to its power-on value except the id and APIC_BASE, and nothing
 * pending (Intel SDM vol. 3A, "Local APIC State After an INIT Reset"). Context: the vCPU's CPU.
 */
void vlapic_init_reset(struct vlapic *l);

/* Take what was posted into IRR, as if it arrived now. Context: the vCPU's CPU. */
void vlapic_sync_posted(struct vlapic *l);

/* Returns: the highest IRR vector whose priority class is above the processor priority, or -1. */
int vlapic_pending_vector(const struct vlapic *l);

/* The vector was delivered to the guest: move it from IRR to ISR. */
void vlapic_accept(struct vlapic *l, uint8_t vector);

/* Called by the owner when the timer armed through env->timer_arm expires. */
void vlapic_timer_expired(struct vlapic *l);

#endif /* X86_VLAPIC_H */
