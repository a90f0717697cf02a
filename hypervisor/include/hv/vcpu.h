/* SPDX-License-Identifier: MIT */
/*
 * A virtual CPU: its place in the scheduler, its statistics and its arch state (registers,
 * VMCB or EL1 context, virtual interrupt controller), embedded by value from <arch/vcpu.h>.
 */
#ifndef HV_VCPU_H
#define HV_VCPU_H

#include <hv/types.h>
#include <hv/vm_exit.h>
#include <public/axvm/domctl.h>

struct vm;
struct vcpu;
struct axvm_vcpu_context;

#include <arch/vcpu.h>

/* The twin <arch/vcpu.h> provides struct arch_vcpu. */

enum vcpu_state {
    VCPU_OFFLINE,  /* not started (or stopped for good) */
    VCPU_RUNNABLE, /* on its CPU's run queue */
    VCPU_RUNNING,  /* in the exit loop on its CPU */
    VCPU_BLOCKED,  /* halted, waiting for an interrupt */
};

/* How a guest starts: where, and the values of its first argument registers. */
struct vcpu_boot {
    gpa_t entry;
    uint64_t args[6]; /* x86: EAX, EBX, ECX, EDX, ESI, EDI; arm64: x0-x5 */
};

/* The scheduler's part of a vCPU (sched.c and its policies); under its CPU's run-queue lock. */
struct sched_vcpu {
    struct vcpu *member_next; /* next vCPU assigned to the same CPU */
    uint64_t affinity;        /* CPUs it may run on (hard affinity), never 0 */
    uint64_t ran_on;          /* CPUs it was put on since its affinity was last set */
    int64_t credit;           /* credit policy: ns of weight-256 run time left this round */
    bool boosted;             /* credit policy: woken from a halt, goes first once */
    uint64_t nr_scheduled;    /* times it was put on a CPU */
    uint64_t nr_migrations;   /* times it moved to another CPU's run queue */
    uint64_t vtime;           /* service: run time at weight 256 (ns), sleep not banked */
};

struct vcpu {
    struct vm *vm;         /* owner; immutable */
    unsigned int id;       /* index in the VM; immutable */
    unsigned int pcpu;     /* the CPU whose run queue has it; changes only when the
                              vCPU is not running, under both run-queue locks */
    enum vcpu_state state; /* under that CPU's run-queue lock */
    bool wake_pending;     /* woken while running: do not block; same lock */
    bool dead;             /* stopped for good: never runs again; same lock */
    bool parked; /* left its CPU as its VM paused; written under vm->lock (sched_wake reads) */
    struct vcpu *runq_next;       /* run-queue link, under the same lock */
    struct sched_vcpu sched;      /* same lock */
    uint64_t run_ns;              /* time spent in the exit loop */
    uint64_t nr_preempted;        /* times its slice ended while it still wanted to run */
    uint64_t exits[AXVM_EXIT_NR]; /* by AXVM_EXIT_* reason; written by its own CPU only */
    struct arch_vcpu arch;
};

/* Arch hooks: implemented in arch/<a>/vcpu.c */

/*
 * Allocate and reset the arch state of v (v->vm and v->id are set). Context: vm_create, no
 * locks. Returns: 0, -AXVM_ENOMEM, or -AXVM_EOPNOTSUPP without hardware virtualization.
 */
int arch_vcpu_create(struct vcpu *v);

/* Free what arch_vcpu_create allocated. Context: the vCPU never runs again. */
void arch_vcpu_destroy(struct vcpu *v);

/* Point v at its VM's stage-2 tables. Context: vm_create, after the address space is built. */
void arch_vcpu_setup(struct vcpu *v, hpa_t stage2_root);

/* Set the state v starts in (x86: 32-bit flat protected mode; arm64: EL1h, MMU off). */
void arch_vcpu_set_boot(struct vcpu *v, const struct vcpu_boot *boot);

/*
 * Set the state v starts in from dom0's description (<public/axvm/domctl.h>): the mode, the
 * entry point, the argument registers and the stack pointer. Context: v has never run;
 * domctl_lock held. Returns: 0, or -AXVM_EINVAL for a mode this arch cannot start in.
 */
int arch_vcpu_set_context(struct vcpu *v, const struct axvm_vcpu_context *ctx);

/*
 * Run the guest until an exit the core must handle, filling *exit. Interrupts arriving for
 * the host are taken before returning (then kind may be VM_EXIT_PREEMPT).
 * Context: v's CPU, in the exit loop, IRQs off on entry and return, no locks held.
 */
void arch_vcpu_run(struct vcpu *v, struct vm_exit *exit);

/*
 * Finish an exit the core handled: deliver value (MMIO or port read, hypercall result) and
 * step past the instruction. Context: as arch_vcpu_run, right after it.
 */
void arch_vcpu_complete(struct vcpu *v, const struct vm_exit *exit, uint64_t value);

/*
 * Turn a VM_EXIT_PAGE_FAULT that is not RAM into VM_EXIT_MMIO_READ or VM_EXIT_MMIO_WRITE by
 * decoding the faulting instruction. Context: as arch_vcpu_complete.
 * Returns: 0; -AXVM_EFAULT when the arch refused the access by raising a fault in the guest
 * (arm64: an access without an instruction syndrome), which goes on; or -AXVM_EOPNOTSUPP for
 * an instruction the arch does not emulate, which stops the VM.
 */
int arch_vcpu_decode_mmio(struct vcpu *v, struct vm_exit *exit);

/*
 * Log what shows why v's guest crashed: registers and the last entries and exits.
 * Context: as arch_vcpu_complete, when the core stops a VM for what this vCPU did.
 */
void arch_vcpu_dump(struct vcpu *v);

/*
 * Returns: whether v has an interrupt it can take now, so a halted v should run.
 * Context: v's CPU, or any CPU while v is not running.
 */
bool arch_vcpu_has_work(struct vcpu *v);

/*
 * Returns: whether v's guest has switched it off, or not yet on (arm64: PSCI CPU_OFF, or a
 * secondary before CPU_ON; x86: waiting for INIT-SIPI), so that it waits for another vCPU
 * rather than an interrupt. Context: any CPU; the answer may be stale at once.
 */
bool arch_vcpu_is_off(struct vcpu *v);

/*
 * v is about to run on this CPU (load) / has just stopped running on it (put): move state that
 * stays in the CPU between exits, like the FPU registers, in and out of v. The put after which
 * a stopping VM's vCPU never runs again is the place to drop what ties it to this CPU (timers).
 * Context: v's CPU, scheduler context, IRQs off.
 */
void arch_vcpu_load(struct vcpu *v);
void arch_vcpu_put(struct vcpu *v);

/*
 * v, runnable but not running, moves from this CPU's run queue to cpu's: hand over what ties
 * it to this CPU (x86: the LAPIC timer, re-armed by the next arch_vcpu_load on cpu).
 * Context: v's old CPU, scheduler context, IRQs off, both run-queue locks held.
 */
void arch_vcpu_migrate(struct vcpu *v, unsigned int cpu);

#endif /* HV_VCPU_H */
