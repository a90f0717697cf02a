/* SPDX-License-Identifier: MIT */
/*
 * The arch-neutral device models (hypervisor/devices/). Each create function allocates a
 * model, places it at the given address and adds it to the VM's device bus; the bus destroys
 * it with the VM.
 */
#ifndef HV_DEVICES_H
#define HV_DEVICES_H

#include <hv/devbus.h>
#include <hv/vm.h>

/*
 * Drive a device model's interrupt output (level: asserted), on each change of the line.
 * Context: called with the model's lock held, so it may take only locks ordered after it (the
 * interrupt controller's).
 */
typedef void (*dev_irq_fn)(void *ctx, bool level);

/*
 * A 16550 UART whose output is the VM's console and whose receiver is fed by the console's
 * input; its interrupt output calls set_irq(irq_ctx, level) on each change (set_irq NULL: not
 * wired). Returns: 0, -AXVM_ENOMEM or devbus_add()'s error.
 */
int uart16550_create_irq(struct vm *vm, enum dev_space space, uint64_t base, dev_irq_fn set_irq,
                         void *irq_ctx);

/* The same with its interrupt output not wired. */
int uart16550_create(struct vm *vm, enum dev_space space, uint64_t base);

/*
 * A PL011 UART (Arm PrimeCell UART TRM, DDI 0183) in its 4 KiB MMIO page at base, as QEMU's virt
 * board has it: output to the VM's console, its receiver fed by the console's input, its one
 * combined interrupt output (UARTINTR) driven through set_irq(irq_ctx, level) (set_irq NULL: not
 * wired). Context: while the VM is built. Returns: 0, -AXVM_ENOMEM or devbus_add()'s error.
 */
int pl011_create(struct vm *vm, uint64_t base, dev_irq_fn set_irq, void *irq_ctx);

/*
 * The debug-exit device: a write of v shuts the VM down with exit code v. A 4-byte window at
 * addr, a port (as QEMU's isa-debug-exit) or an MMIO address (arm64). Returns: 0,
 * -AXVM_EINVAL (the window does not fit the space), -AXVM_ENOMEM or devbus_add()'s error.
 */
int debugexit_create(struct vm *vm, enum dev_space space, uint64_t addr);

/* The MMIO test device of <public/axvm/testdev.h> at gpa. */
int testdev_create(struct vm *vm, gpa_t gpa);

#endif /* HV_DEVICES_H */
