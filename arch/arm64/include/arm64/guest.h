/* SPDX-License-Identifier: MIT */
/* Interfaces between the arm64 guest files (vcpu.c, vpsci.c, vm.c, guest_entry.S). */
#ifndef ARM64_GUEST_H
#define ARM64_GUEST_H

#include <hv/types.h>

struct boot_module;
struct guest_fdt_params;
struct vcpu;
struct vm;
struct vm_exit;
struct guest_regs;

/* guest_entry.S: run the guest until it exits; returns the vector slot it exited through. */
uint64_t arm64_guest_enter(struct guest_regs *regs);
/* guest_entry.S: q0-q31, then FPSR and FPCR, to and from 66 u64s. */
void fpsimd_save(uint64_t *buf);
void fpsimd_restore(const uint64_t *buf);

/* vcpu.c: the guest's virtual timer fired (PPI 27) on this CPU. Context: IRQ. */
void vcpu_vtimer_irq(void);

/* vpsci.c: PSCI 1.0 for guests, through HVC or SMC (the function ID in x0). */
#define PSCI_NOT_SUPPORTED (-1)
bool psci_is_call(uint64_t x0);
/* Carry out v's call: the result in x0, or *exit says what the core must do. */
void psci_call(struct vcpu *v, struct vm_exit *exit);
/* v was started by CPU_ON and now runs on its CPU, loaded: give it the state CPU_ON asked. */
void psci_cpu_started(struct vcpu *v);
/* Reset v's registers as a CPU starts (vcpu.c). Context: v not running, or loaded here. */
void vcpu_reset_state(struct vcpu *v, gpa_t entry, const uint64_t args[6]);
/* Push v's EL1 state (after vcpu_reset_state) into this CPU, where v is loaded. */
void vcpu_reload_el1(struct vcpu *v);

/* vm.c: copy into the VM's RAM and clean it to memory (the guest starts with caches off). */
int arm64_write_guest(struct vm *vm, gpa_t gpa, const void *src, size_t len);

/*
 * vm.c: load an arm64 Image into the RAM from ram (ram_size bytes) as the Linux boot protocol
 * asks, 2 MiB in (+ its text_offset), and the initrd (NULL: none) at the next 2 MiB boundary
 * after it, noted in p; the device tree goes at ram, written by the caller.
 * Returns: 0 and *entry; -AXVM_EINVAL after logging why; a copy error.
 */
int arm64_load_image(struct vm *vm, gpa_t ram, uint64_t ram_size, const struct boot_module *kernel,
                     const struct boot_module *initrd, struct guest_fdt_params *p, gpa_t *entry);

#endif /* ARM64_GUEST_H */
