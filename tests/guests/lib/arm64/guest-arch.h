/* SPDX-License-Identifier: MIT */
/*
 * The arm64 side of the test-guest library (included by lib/guest.h). The guest platform is
 * the one of docs (issue #7): RAM from 0x40000000, a PL011 at 0x09000000, a GICv3, the
 * virtual timer on PPI 27, PSCI 1.0 and axvm's hypercalls through HVC #0. Guests run at EL1h
 * with the MMU on over an identity map (lib/arm64/start.S).
 */
#ifndef GUEST_ARCH_H
#define GUEST_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#define GUEST_CYCLES_NAME     "counter ticks"
#define GUEST_CHEAP_EXIT_NAME "psci_version exit"

#define GUEST_RAM_BASE       0x40000000u
#define GUEST_UART           0x09000000u /* PL011, SPI 1 = INTID 33 */
#define GUEST_UART_INTID     33u
#define GUEST_DEBUG_EXIT_GPA 0x09100000u /* AXVM_DEBUG_EXIT_ARM64_GPA, with `debugexit` */
#define GUEST_TESTDEV_GPA    0x0a000000u /* AXVM_TESTDEV_ARM64_GPA, with `testdev` */
#define GUEST_GICD           0x08000000u
#define GUEST_GICR           0x080a0000u /* vCPU n's redistributor: + n * GUEST_GICR_STRIDE */
#define GUEST_GICR_STRIDE    0x20000u
#define GUEST_VTIMER_INTID   27u
#define GUEST_MAX_CPUS       8u

/* PSCI 1.0 function IDs (SMC Calling Convention, 64-bit where there is a choice). */
#define PSCI_VERSION       0x84000000u
#define PSCI_CPU_OFF       0x84000002u
#define PSCI_CPU_ON        0xc4000003u
#define PSCI_AFFINITY_INFO 0xc4000004u
#define PSCI_SYSTEM_OFF    0x84000008u
#define PSCI_SYSTEM_RESET  0x84000009u
#define PSCI_FEATURES      0x8400000au

#define PSCI_SUCCESS          0
#define PSCI_NOT_SUPPORTED    (-1)
#define PSCI_INVALID_PARAMS   (-2)
#define PSCI_DENIED           (-3)
#define PSCI_ALREADY_ON       (-4)
#define PSCI_ON_PENDING       (-5)
#define PSCI_INTERNAL_FAILURE (-6)

/* What only arm64 guests get. */
struct guest_arch_boot {
    const void *dtb;      /* as x0 held it; NULL when it was not a device tree */
    unsigned int nr_cpus; /* cpu@ nodes under /cpus (1 when the tree says nothing) */
};

/* What the exception vectors saved (lib/arm64/start.S). */
struct trap_frame {
    uint64_t x[31];
    uint64_t elr, spsr, esr, far;
    uint64_t pad;
};

#define ESR_EC(esr)        ((uint32_t)((esr) >> 26) & 0x3fu)
#define EC_DABT_CUR        0x25u /* data abort taken without a change of EL */
#define EC_IABT_CUR        0x21u
#define ESR_ISV            (1u << 24)
#define ESR_DFSC(esr)      ((uint32_t)(esr)&0x3fu)
#define DFSC_SYNC_EXTERNAL 0x10u

/*
 * A synchronous exception handler for this guest (all vCPUs): returns true when it dealt with
 * the exception (it may move f->elr on); false lets the library report it and fail.
 */
typedef bool (*sync_handler_fn)(struct trap_frame *f);
void guest_set_sync_handler(sync_handler_fn fn);

/* An interrupt handler, called with the INTID acknowledged, before its end of interrupt. */
typedef void (*irq_handler_fn)(uint32_t intid);

/*
 * The GICv3 (lib/arm64/gic.c). gic_init on the boot vCPU (it sets the distributor up once: later
 * calls do nothing), gic_init_cpu on every other vCPU.
 */
void gic_init(void);
void gic_init_cpu(void);
void gic_set_handler(uint32_t intid, irq_handler_fn fn);
/* Enable or disable an interrupt: SGIs and PPIs on the calling vCPU, SPIs routed to vCPU 0. */
void gic_enable(uint32_t intid, bool on);
/* A software-generated interrupt to the vCPUs of target_mask (bit n = vCPU n). */
void gic_send_sgi(uint32_t intid, uint32_t target_mask);
/* A software-generated interrupt to every vCPU but this one. */
void gic_send_sgi_others(uint32_t intid);
/* The interrupts no handler claimed (spurious ones not counted). */
uint32_t gic_nr_unhandled(void);
/* Read one redistributor register of vCPU cpu (RD frame). */
uint64_t gic_redist_read64(unsigned int cpu, unsigned int offset);
uint32_t gic_dist_read32(unsigned int offset);

/* A PSCI call through HVC #0. Returns: x0. */
int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);

/*
 * Start vCPU cpu (MPIDR Aff0 = cpu) with PSCI CPU_ON: it enters through start.S, MMU on, on a
 * stack of its own, and calls fn(arg); when fn returns, it turns itself off (CPU_OFF).
 * Returns: the PSCI result.
 */
int64_t guest_cpu_on(unsigned int cpu, void (*fn)(void *arg), void *arg);

/* PSCI CPU_OFF for the calling vCPU; does not return. */
__attribute__((noreturn)) void guest_cpu_off(void);

/* This vCPU's number: MPIDR_EL1 Aff0. */
unsigned int guest_cpu_id(void);

/* The counter frequency (CNTFRQ_EL0), Hz. */
uint64_t guest_counter_hz(void);

#define read_sysreg(reg)                              \
    ({                                                \
        uint64_t v_;                                  \
        __asm__ volatile("mrs %0, " #reg : "=r"(v_)); \
        v_;                                           \
    })
#define write_sysreg(reg, v) __asm__ volatile("msr " #reg ", %0" : : "r"((uint64_t)(v)))

static inline void irq_enable(void)
{
    __asm__ volatile("msr daifclr, #2" ::: "memory");
}

static inline void irq_disable(void)
{
    __asm__ volatile("msr daifset, #2" ::: "memory");
}

/*
 * With interrupts masked: WFI (a pending interrupt wakes it even masked), then take whatever is
 * pending and mask again. The arm64 form of x86's "sti; hlt; cli".
 */
static inline void guest_wait_irq(void)
{
    __asm__ volatile("dsb sy\n\twfi\n\tmsr daifclr, #2\n\tisb\n\tmsr daifset, #2" ::: "memory");
}

/* Take whatever interrupt is pending now, then mask again ("sti; nop; cli"). */
static inline void guest_take_irqs(void)
{
    __asm__ volatile("msr daifclr, #2\n\tisb\n\tmsr daifset, #2" ::: "memory");
}

static inline void cpu_relax(void)
{
    __asm__ volatile("yield" ::: "memory");
}

/*
 * Device register accesses as single plain loads and stores: a volatile pointer lets the
 * compiler pick a post-indexed or paired form, which carries no syndrome for the hypervisor
 * to emulate (it refuses them with an abort, as KVM does). Linux's readl/writel do the same.
 */
static inline uint32_t mmio_read32(uintptr_t addr)
{
    uint32_t v;

    __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

static inline uint64_t mmio_read64(uintptr_t addr)
{
    uint64_t v;

    __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
    __asm__ volatile("str %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

static inline void mmio_write64(uintptr_t addr, uint64_t v)
{
    __asm__ volatile("str %x0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

#endif /* GUEST_ARCH_H */
