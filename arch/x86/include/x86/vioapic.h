/* SPDX-License-Identifier: MIT */
/*
 * The virtual I/O APIC of an x86 VM: one 82093AA-style I/O APIC with 24 pins at guest-physical
 * 0xfec00000 (Intel 82093AA datasheet, "Register Description"). Pins are driven by emulated
 * devices and by physical interrupts routed to the VM (arch/x86/ioapic.c); messages go to the
 * VM's virtual local APICs, which may run on other CPUs (vlapic_post_irq). A level-triggered
 * pin's EOI comes back from the local APIC through vioapic_eoi().
 */
#ifndef X86_VIOAPIC_H
#define X86_VIOAPIC_H

#include <hv/spinlock.h>
#include <hv/types.h>

#define VIOAPIC_BASE       0xfec00000ULL
#define VIOAPIC_SIZE       0x1000ULL
#define VIOAPIC_NR_PINS    24
#define VIOAPIC_MAX_LAPICS 16

/* Redirection table entry bits (82093AA datasheet, "I/O Redirection Table Registers"). */
#define VIOAPIC_RTE_VECTOR     0xffULL
#define VIOAPIC_RTE_MODE_SHIFT 8
#define VIOAPIC_RTE_LOGICAL    (1ULL << 11)
#define VIOAPIC_RTE_PENDING    (1ULL << 12) /* delivery status: always 0 here */
#define VIOAPIC_RTE_ACTIVE_LOW (1ULL << 13)
#define VIOAPIC_RTE_REMOTE_IRR (1ULL << 14)
#define VIOAPIC_RTE_LEVEL      (1ULL << 15)
#define VIOAPIC_RTE_MASKED     (1ULL << 16)
#define VIOAPIC_RTE_DEST_SHIFT 56

struct vlapic;

/* A level-triggered pin was EOI'd by the guest (its Remote IRR has just been cleared). */
typedef void (*vioapic_eoi_fn)(void *ctx, unsigned int pin);
/* The guest wrote half of pin's redirection entry (read it with vioapic_read_rte()). */
typedef void (*vioapic_rte_fn)(void *ctx, unsigned int pin);

struct vioapic {
    spinlock_t lock; /* guards everything below; taken from interrupt context too */
    domid_t domid;
    unsigned int nr_lapics;                    /* 0 once detached */
    struct vlapic *lapics[VIOAPIC_MAX_LAPICS]; /* the VM's vCPUs, in vCPU order */
    uint32_t id;                               /* ID register bits 27:24 */
    uint32_t ioregsel;                         /* the register IOWIN reaches */
    uint64_t rte[VIOAPIC_NR_PINS];
    uint32_t asserted;         /* pins whose input is high */
    uint32_t warned_modes;     /* delivery modes already logged as ignored */
    unsigned int masked_edges; /* rising edges dropped on masked pins (logged, the first few) */
    vioapic_eoi_fn eoi_fn[VIOAPIC_NR_PINS];
    void *eoi_ctx[VIOAPIC_NR_PINS];
    vioapic_rte_fn rte_fn;
    void *rte_ctx;
};

/* Power-on state: every pin masked, edge, deasserted. lapics[i] is vCPU i's local APIC. */
void vioapic_init(struct vioapic *v, domid_t domid, struct vlapic *const *lapics,
                  unsigned int nr_lapics);

/*
 * Stop delivering for good (the VM goes away): messages, hooks and inputs are dropped from
 * now on. Context: any; no hook runs after it returns on another CPU's behalf.
 */
void vioapic_detach(struct vioapic *v);

/*
 * The MMIO window: IOREGSEL at offset 0x00, IOWIN at 0x10, 32-bit accesses. Anything else
 * reads all-ones and writes nothing. Returns: 0. Context: any vCPU of the VM.
 */
int vioapic_mmio_read(struct vioapic *v, uint64_t offset, unsigned int width, uint64_t *value);
int vioapic_mmio_write(struct vioapic *v, uint64_t offset, unsigned int width, uint64_t value);

/*
 * Drive pin's input (level: asserted). Edge pins send a message on a rising edge; level pins
 * while asserted with Remote IRR clear, which then sets Remote IRR. A pin number past the
 * last is ignored. Context: any CPU, any IRQ state, including interrupt handlers.
 */
void vioapic_set_irq(struct vioapic *v, unsigned int pin, bool level);

/*
 * A local APIC EOI'd a level-triggered vector: Remote IRR clears on the pins with that vector,
 * each pin's EOI hook runs, and a pin still asserted sends again. Context: any CPU, no locks.
 */
void vioapic_eoi(struct vioapic *v, uint8_t vector);

/* Call fn(ctx, pin) after each guest EOI of pin (fn NULL: none). Context: any. */
void vioapic_set_eoi_hook(struct vioapic *v, unsigned int pin, vioapic_eoi_fn fn, void *ctx);

/* Call fn(ctx, pin) after each guest write to a redirection entry (fn NULL: none). */
void vioapic_set_rte_hook(struct vioapic *v, vioapic_rte_fn fn, void *ctx);

/* Returns: pin's redirection entry as the guest would read it (0 past the last pin). */
uint64_t vioapic_read_rte(struct vioapic *v, unsigned int pin);

#endif /* X86_VIOAPIC_H */
