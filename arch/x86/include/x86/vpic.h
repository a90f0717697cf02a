/* SPDX-License-Identifier: MIT */
/*
 * The virtual 8259 PICs of an x86 VM: a master at ports 0x20-0x21, a slave at 0xa0-0xa1 and
 * the edge/level control registers at 0x4d0-0x4d1. They answer the initialisation sequence,
 * mask, IRR/ISR and EOI commands, so that a guest probing for a PIC finds one, but they never
 * deliver an interrupt: every interrupt of an axvm guest goes through its virtual I/O APIC.
 */
#ifndef X86_VPIC_H
#define X86_VPIC_H

#include <hv/devbus.h>

#define VPIC_MASTER_PORT 0x20
#define VPIC_SLAVE_PORT  0xa0
#define VPIC_ELCR_PORT   0x4d0

/* Add both PICs and the ELCR to bus. Returns: 0, -AXVM_ENOMEM or devbus_add()'s error. */
int vpic_create(struct devbus *bus);

#endif /* X86_VPIC_H */
