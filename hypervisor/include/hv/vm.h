/* SPDX-License-Identifier: MIT */
/*
 * A virtual machine (ARCHITECTURE.md §4, after the axvm design). The immutable part (id, name,
 * config, vCPUs, device registry) is fixed when vm_create() returns; the mutable part is the
 * guest-physical address space behind vm->lock; the lifecycle is two atomic flags, running and
 * shutting_down. Creation is staged (vCPUs, memory, pass-through, devices, per-vCPU setup) and
 * unwinds completely on failure. The ABI and the toolstack call a VM a domain.
 */
#ifndef HV_VM_H
#define HV_VM_H

#include <hv/addrspace.h>
#include <hv/devbus.h>
#include <hv/spinlock.h>
#include <hv/types.h>
#include <hv/vcpu.h>
#include <hv/vconsole.h>

struct vm;

#include <arch/vm.h>

/* The twin <arch/vm.h> provides struct arch_vm. */

#define VM_NAME_MAX        32
#define VM_MAX_VCPUS       16
#define VM_MAX_PASSTHROUGH 8
#define VM_MAX_DOMAINS     64

/* Emulated devices a VM can be given (config.devices). */
#define VM_DEV_UART       (1u << 0) /* a 16550 (x86: COM1, port 0x3f8) */
#define VM_DEV_DEBUG_EXIT (1u << 1) /* a write of v to port 0xf4 ends the domain with code v */
#define VM_DEV_TESTDEV    (1u << 2) /* the MMIO test device (tests/guests/mmio) */

struct vm_region_config {
    gpa_t gpa;
    uint64_t size_bytes;
    enum region_kind kind;
    struct pt_attr attr;
    bool lazy;
};

struct vm_passthrough_config {
    enum dev_space space;
    uint64_t base;
    uint64_t size;
};

struct vm_config {
    char name[VM_NAME_MAX];
    unsigned int nr_vcpus;
    int pcpu; /* CPU for vCPU 0 (vCPU n on pcpu + n, wrapping over online CPUs); -1: any */
    unsigned int nr_regions;
    struct vm_region_config regions[ADDRSPACE_MAX_REGIONS];
    unsigned int nr_passthrough;
    struct vm_passthrough_config passthrough[VM_MAX_PASSTHROUGH];
    uint32_t devices; /* VM_DEV_* */
};

enum vm_state {
    VM_STATE_CREATED,  /* built, not booted */
    VM_STATE_RUNNING,  /* booted */
    VM_STATE_SHUTDOWN, /* stopped by itself or dom0: poweroff, reboot, debug exit */
    VM_STATE_CRASHED,  /* stopped because it broke the rules or could not go on */
};

struct vm {
    /* Immutable once vm_create() returns. */
    domid_t id;
    char name[VM_NAME_MAX];
    struct vm_config config;
    unsigned int nr_vcpus;
    struct vcpu *vcpus[VM_MAX_VCPUS];
    struct devbus devices;

    /* Mutable. */
    spinlock_t lock;     /* guards as */
    struct addrspace as; /* under lock */

    /* Lifecycle: atomics. */
    bool running;               /* vm_boot() succeeded */
    bool shutting_down;         /* vm_shutdown() was called; set once */
    uint32_t shutdown_reason;   /* AXVM_SHUTDOWN_*, valid once shutting_down */
    uint64_t exit_code;         /* from vm_shutdown() or the debug-exit device */
    unsigned int nr_vcpus_live; /* vCPUs that have not stopped for good */
    bool destroy_when_stopped;  /* boot-time domains: free everything after the last vCPU */
    bool published;             /* vm_find() may return it */

    struct vconsole console;
    struct arch_vm arch;
};

/* Result of vm_run_vcpu(): why the vCPU left its CPU. */
enum vcpu_run_result {
    VCPU_RUN_PREEMPTED, /* time slice over, or it yielded: still runnable */
    VCPU_RUN_BLOCKED,   /* halted with nothing pending */
    VCPU_RUN_STOPPED,   /* the VM is shutting down: never runs again */
};

/*
 * Build a VM from cfg. Nothing is visible to other CPUs until it succeeds; on failure every
 * stage done so far is undone. Context: any CPU, no locks.
 * Returns: 0 and *out; -AXVM_EINVAL (bad config); -AXVM_ENOMEM; -AXVM_ENOSPC (no domain id);
 * -AXVM_EOPNOTSUPP (no hardware virtualization).
 */
int vm_create(const struct vm_config *cfg, struct vm **out);

/*
 * Start vCPU 0. Returns: 0; -AXVM_EOPNOTSUPP without hardware virtualization on every CPU;
 * -AXVM_EALREADY if it was booted or shut down before.
 */
int vm_boot(struct vm *vm);

/*
 * Stop the VM for good: its vCPUs leave at their next exit and never run again. Only the first
 * call counts. Context: any, including the VM's own vCPUs.
 * Returns: 0, or -AXVM_EALREADY when it was already shutting down.
 */
int vm_shutdown(struct vm *vm, uint32_t reason, uint64_t code);

/* Shut the VM down as crashed and say why in the log. Context: any. */
void vm_crash(struct vm *vm, const char *why);

/* Returns: the VM's state, derived from its flags. */
enum vm_state vm_get_state(const struct vm *vm);

/*
 * The exit loop: run vCPU vcpu_id on this CPU until it must leave it.
 * Context: the vCPU's CPU, scheduler context, IRQs off, no locks.
 * Returns: an enum vcpu_run_result, or -AXVM_ENOENT for a vCPU the VM does not have.
 */
int vm_run_vcpu(struct vm *vm, unsigned int vcpu_id);

/*
 * The scheduler saw v stop for good. When it was the VM's last vCPU and the VM is to be
 * destroyed then, this destroys it. Context: v's CPU, scheduler context, IRQs off.
 */
void vm_vcpu_stopped(struct vcpu *v);

/* Free everything the VM holds and give its id back. Context: none of its vCPUs runs. */
void vm_destroy(struct vm *vm);

/* Returns: the VM with that id, or NULL. */
struct vm *vm_find(domid_t id);

/* Returns: frames the VM's lazily populated regions have taken so far. Context: takes vm->lock. */
size_t vm_lazy_frames(struct vm *vm);

/*
 * Copy between the hypervisor and the VM's RAM, every byte checked against its regions.
 * Context: any, takes vm->lock. Returns: 0, -AXVM_EFAULT or -AXVM_ENOMEM.
 */
int vm_read_guest(struct vm *vm, void *dst, gpa_t gpa, size_t len);
int vm_write_guest(struct vm *vm, gpa_t gpa, const void *src, size_t len);

/* Arch hooks: implemented in arch/<a>/vm.c */

/* Set up the arch part of a new VM (vm->id and vm->config are set). Returns: 0 or an error. */
int arch_vm_create(struct vm *vm);

/* Undo arch_vm_create(). */
void arch_vm_destroy(struct vm *vm);

/* Add the platform devices every guest of this arch has (x86: the local APIC page). */
int arch_vm_add_devices(struct vm *vm);

/* Hand the port range [base, base+size) through to the VM. Returns: 0 or -AXVM_EOPNOTSUPP. */
int arch_vm_passthrough_pio(struct vm *vm, uint64_t base, uint64_t size);

/*
 * Hand physical interrupt gsi to the VM (x86: as pin gsi of its I/O APIC), taken from dom0 if
 * dom0 has it, given back when the VM is destroyed. Context: the VM is built, no locks.
 * Returns: 0; -AXVM_EINVAL (no such interrupt); -AXVM_EBUSY (the hypervisor or another
 * domain holds it); -AXVM_EOPNOTSUPP (the arch cannot).
 */
int arch_vm_passthrough_irq(struct vm *vm, unsigned int gsi);

#endif /* HV_VM_H */
