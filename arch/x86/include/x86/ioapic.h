/* SPDX-License-Identifier: MIT */
/*
 * The physical I/O APICs (Intel 82093AA datasheet; found in the MADT) and the routing of their
 * interrupts to VMs. Every pin is masked at boot. A GSI routed to a VM arrives on the boot CPU
 * at vector VECTOR_GSI_BASE + GSI and is passed to a pin of the VM's virtual I/O APIC: an edge
 * as a pulse, a level by masking the physical pin until the guest EOIs the virtual one, so a
 * guest that never EOIs cannot flood the host. dom0, once attached, owns every GSI that neither
 * the hypervisor nor another VM holds, and its virtual I/O APIC's entries are mirrored onto the
 * physical pins (mask, trigger, polarity; the vector stays the hypervisor's).
 * Lock order: the routing lock, then a VM's virtual I/O APIC lock, then run-queue locks.
 */
#ifndef X86_IOAPIC_H
#define X86_IOAPIC_H

#include <hv/types.h>

struct vm;

/* How a routed GSI is wired (ioapic_route_gsi_mode). */
#define IOAPIC_LEVEL      (1u << 0) /* level-triggered (else edge) */
#define IOAPIC_ACTIVE_LOW (1u << 1) /* active low (else high) */

/*
 * Map the I/O APICs the MADT lists and mask every pin. Context: boot CPU, after paging_init()
 * and acpi_init(), before any VM exists.
 */
void ioapic_init(void);

/* Keep gsi for the hypervisor: no VM, dom0 included, can be given it. Context: boot. */
void ioapic_reserve_gsi(unsigned int gsi);

/* Returns: the GSI ISA IRQ irq arrives on (the MADT's overrides, else the same number). */
unsigned int ioapic_isa_to_gsi(unsigned int irq);

/*
 * Route gsi to pin vpin of vm's virtual I/O APIC, wired as the MADT says (an override's flags,
 * else ISA GSIs 0-15 edge/active-high and others level/active-low). A GSI dom0 owns is taken
 * from it. Context: any, no locks.
 * Returns: 0; -AXVM_EINVAL (no such GSI or pin, or past what we route); -AXVM_EBUSY (the
 * hypervisor or another domain holds it).
 */
int ioapic_route_gsi(unsigned int gsi, struct vm *vm, unsigned int vpin);

/* The same with the wiring given: IOAPIC_* flags. */
int ioapic_route_gsi_mode(unsigned int gsi, struct vm *vm, unsigned int vpin, unsigned int mode);

/* Undo a route: the GSI goes back to dom0 if one is attached, else its pin is masked. */
void ioapic_unroute_gsi(unsigned int gsi);

/* Release every GSI vm holds (it goes away). Context: before its vCPUs are freed. */
void ioapic_release_vm(struct vm *vm);

/*
 * Make dom0 the owner of every GSI (below NR_ROUTED_GSIS) nobody holds, as pin GSI of its
 * virtual I/O APIC, and mirror its writes to those entries onto the physical pins.
 * Context: once, after dom0's devices exist and before it runs. Returns: 0, or -AXVM_EBUSY
 * if a dom0 is attached already.
 */
int ioapic_dom0_attach(struct vm *dom0);

/* The interrupt for routed gsi arrived. Context: interrupt handler, boot CPU, IRQs off. */
void ioapic_handle_irq(unsigned int gsi);

#endif /* X86_IOAPIC_H */
