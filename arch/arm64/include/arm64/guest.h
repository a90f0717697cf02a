/* SPDX-License-Identifier: MIT */
/* Interfaces between the arm64 guest files (vcpu.c, vpsci.c, vm.c, guest_entry.S). */
#ifndef ARM64_GUEST_H
#define ARM64_GUEST_H

#include <hv/types.h>

struct vcpu;
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

#endif /* ARM64_GUEST_H */
