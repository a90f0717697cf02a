/* SPDX-License-Identifier: MIT */
/*
 * A virtual machine (ARCHITECTURE.md §4, after the axvm design). The immutable part (id, name,
 * config, vCPUs, device registry) is fixed when vm_create() returns; the mutable part is the
 * guest-physical address space behind vm->lock; the lifecycle is atomic flags (running, paused,
 * shutting_down). Creation is staged (vCPUs, memory, pass-through, devices, per-vCPU setup) and
 * unwinds completely on failure. A VM may also be created empty and built up afterwards
 * (vm_add_region() and friends) until it first boots: that is how dom0's toolstack builds
 * domains (domctl.c). The ABI and the toolstack call a VM a domain.
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
struct axvm_vcpu_context;

#include <arch/vm.h>

/* The twin <arch/vm.h> provides struct arch_vm. */

#define VM_NAME_MAX        32
#define VM_MAX_VCPUS       16
#define VM_MAX_PASSTHROUGH 8
#define VM_MAX_DOMAINS     64

/* Emulated devices a VM can be given (config.devices). */
#define VM_DEV_UART       (1u << 0) /* the platform UART (x86: 16550 at COM1; arm64: PL011) */
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
    int pcpu;         /* CPU for vCPU 0 (vCPU n on pcpu + n, wrapping over online CPUs); -1: any */
    uint64_t cpumask; /* if not 0: vCPU n on the n-th online CPU of this mask (wrapping) */
    bool privileged;  /* domain 0: may use the control hypercalls; at most one exists */
    uint8_t uuid[16];
    /* What happens when the VM stops for each reason: destroyed, or kept until vm_destroy. */
    bool destroy_on_poweroff; /* also the debug-exit device */
    bool destroy_on_reboot;
    bool destroy_on_crash;
    unsigned int nr_regions; /* may be 0: regions come later (vm_add_region) */
    struct vm_region_config regions[ADDRSPACE_MAX_REGIONS];
    unsigned int nr_passthrough;
    struct vm_passthrough_config passthrough[VM_MAX_PASSTHROUGH];
    uint32_t devices; /* VM_DEV_* */
};

/* The scheduler's part of a VM (sched.c, sched_credit.c). */
struct sched_domain {
    uint32_t weight;        /* credit: share of each vCPU relative to others; atomic */
    uint32_t cap;           /* credit: percent of one CPU for the whole VM, 0 = none; atomic */
    spinlock_t cap_lock;    /* guards the two below */
    int64_t cap_budget_ns;  /* run time left in the current cap period (may be negative) */
    uint64_t cap_period_ns; /* when the current cap period started */
};

enum vm_state {
    VM_STATE_CREATED,  /* built, not booted */
    VM_STATE_RUNNING,  /* booted */
    VM_STATE_PAUSED,   /* booted, then paused: its vCPUs do not run until vm_unpause() */
    VM_STATE_SHUTDOWN, /* stopped by itself or dom0: poweroff, reboot, debug exit */
    VM_STATE_CRASHED,  /* stopped because it broke the rules or could not go on */
};

/* An MMIO range a domain took from dom0 (vm_add_passthrough()), dom0's again at its destroy. */
struct vm_mmio_taken {
    uint64_t base;
    uint64_t size_bytes;
};

struct vm {
    /* Immutable once vm_create() returns. */
    domid_t id;
    char name[VM_NAME_MAX];
    struct vm_config config;
    unsigned int nr_vcpus;
    struct vcpu *vcpus[VM_MAX_VCPUS];
    struct devbus devices;

    uint64_t created_ns; /* arch_time_now_ns() when vm_create() succeeded */

    /* Mutable. */
    spinlock_t lock;     /* guards as, paused and each vCPU's parked */
    struct addrspace as; /* under lock */
    bool paused;         /* under lock (read without it by the exit loop) */

    /* Lifecycle: atomics. */
    bool running;               /* vm_boot() succeeded */
    bool shutting_down;         /* vm_shutdown() was called; set once */
    uint32_t shutdown_reason;   /* AXVM_SHUTDOWN_*, valid once shutting_down */
    uint64_t exit_code;         /* from vm_shutdown() or the debug-exit device */
    unsigned int nr_vcpus_live; /* vCPUs that have not stopped for good */
    bool destroy_when_stopped;  /* boot-time domains: free everything after the last vCPU */
    bool published;             /* vm_find() may return it */
    /* Under domctl_lock (<hv/domctl.h>): */
    bool destroy_requested;     /* vm_kill() ran while vCPUs were live: the last one frees it */
    bool all_stopped;           /* the last vCPU stopped and the VM was kept (preserved) */
    bool has_boot_context;      /* vCPU 0 was given its boot state; before boot only */
    unsigned int nr_mmio_taken; /* set while it is built, read by vm_destroy() */
    struct vm_mmio_taken mmio_taken[VM_MAX_PASSTHROUGH];

    struct sched_domain sched;
    struct vconsole console;
    struct arch_vm arch;
};

/* Result of vm_run_vcpu(): why the vCPU left its CPU. */
enum vcpu_run_result {
    VCPU_RUN_PREEMPTED, /* time slice over, or it yielded: still runnable */
    VCPU_RUN_BLOCKED,   /* halted with nothing pending, or its VM is paused */
    VCPU_RUN_STOPPED,   /* the VM is shutting down: never runs again */
};

/* Emulated devices vm_add_device() can attach (config.devices has the fixed-place ones). */
enum vm_device {
    VM_DEVICE_UART16550,  /* at a port or MMIO address */
    VM_DEVICE_DEBUG_EXIT, /* at a port or MMIO address */
    VM_DEVICE_TESTDEV,    /* at an MMIO address */
    VM_DEVICE_PL011,      /* at an MMIO address */
};

/*
 * Build a VM from cfg. Nothing is visible to other CPUs until it succeeds; on failure every
 * stage done so far is undone. A privileged VM gets domain id 0, the others 1 and up.
 * Context: any CPU, no locks.
 * Returns: 0 and *out; -AXVM_EINVAL (bad config, or a cpumask with no online CPU);
 * -AXVM_ENOMEM; -AXVM_ENOSPC (no domain id); -AXVM_EEXIST (a privileged VM exists already);
 * -AXVM_EOPNOTSUPP (no hardware virtualization).
 */
int vm_create(const struct vm_config *cfg, struct vm **out);

/*
 * Build a created VM further, before it first boots: add a RAM or pass-through region, a
 * pass-through port range, an emulated device, or set a vCPU's boot state. The VM's vCPUs have
 * never run, so nothing else looks at what changes. A failure changes nothing.
 * Context: domctl_lock held (or the boot CPU before the VM boots), no other locks.
 * Returns: 0; -AXVM_EBUSY once the VM has booted; otherwise addrspace_add_region()'s,
 * arch_vm_passthrough_pio()'s or the device model's errors (-AXVM_EINVAL, -AXVM_EEXIST,
 * -AXVM_ENOSPC, -AXVM_ENOMEM, -AXVM_EOPNOTSUPP). With dom0 running, a pass-through MMIO range
 * is taken from dom0 until the VM is destroyed (dom0 reads all-ones there meanwhile): also
 * -AXVM_EBUSY when dom0 does not hold all of it (another domain has it, or the hypervisor).
 */
int vm_add_region(struct vm *vm, const struct vm_region_config *r);
int vm_add_passthrough(struct vm *vm, const struct vm_passthrough_config *p);
int vm_add_device(struct vm *vm, enum vm_device kind, enum dev_space space, uint64_t base,
                  unsigned int irq);
/* Also -AXVM_ENOENT for a vCPU the VM does not have, -AXVM_EINVAL for a mode of another arch. */
int vm_set_vcpu_context(struct vm *vm, unsigned int vcpu_id, const struct axvm_vcpu_context *ctx);

/* Returns: whether vCPU 0 was given a boot state (vm_set_vcpu_context or vm_set_vcpu_boot). */
bool vm_has_boot_context(const struct vm *vm);

/* Set vCPU 0's boot state from a loader (boot-time domains, dom0). Context: before vm_boot. */
void vm_set_vcpu_boot(struct vm *vm, const struct vcpu_boot *boot);

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

/*
 * Pause a running VM: its vCPUs leave their CPUs at their next exit (remote CPUs are kicked)
 * and are not scheduled again, so its CPU time stops growing; vm_unpause() makes the vCPUs
 * that had started runnable again. Context: any CPU but the VM's own vCPUs; does not wait.
 * Returns: 0; -AXVM_EALREADY (already paused / not paused); -AXVM_EBUSY (never booted, or
 * shutting down).
 */
int vm_pause(struct vm *vm);
int vm_unpause(struct vm *vm);

/*
 * Destroy the VM whatever its state: it disappears from vm_find() at once; it is freed here
 * when no vCPU can run any more (never booted, or stopped and kept), otherwise it is shut down
 * (AXVM_SHUTDOWN_POWEROFF, code 0, unless it was stopping already) and its last vCPU frees it
 * as it stops, on its own CPU, moments later. Either way every frame goes back and the id
 * becomes free. Context: any CPU but the VM's own vCPUs; domctl_lock held.
 */
void vm_kill(struct vm *vm);

/* Returns: the VM's state, derived from its flags. */
enum vm_state vm_get_state(const struct vm *vm);

/* Returns: the CPU time all its vCPUs have used so far, in ns. Context: any. */
uint64_t vm_cpu_time_ns(const struct vm *vm);

/*
 * Returns: the bytes of RAM the VM holds now (frames of its alloc regions, plus its identical
 * RAM) / the bytes its RAM regions span. Context: takes vm->lock.
 */
/* Returns: frames the hypervisor allocated for vm: its ALLOC RAM and stage-2 tables. */
uint64_t vm_nr_pages(struct vm *vm);

uint64_t vm_ram_bytes(struct vm *vm);
uint64_t vm_max_ram_bytes(struct vm *vm);

/*
 * The exit loop: run vCPU vcpu_id on this CPU until it must leave it.
 * Context: the vCPU's CPU, scheduler context, IRQs off, no locks.
 * Returns: an enum vcpu_run_result, or -AXVM_ENOENT for a vCPU the VM does not have.
 */
int vm_run_vcpu(struct vm *vm, unsigned int vcpu_id);

/*
 * The scheduler saw v stop for good. When it was the VM's last vCPU, this reports how the VM
 * ended and applies the action for its reason (config.destroy_on_*): destroyed, or kept.
 * Context: v's CPU (or the CPU that stopped v for good), IRQs off; takes domctl_lock, which
 * keeps the VM allocated for whoever else holds it.
 */
void vm_vcpu_stopped(struct vcpu *v);

/*
 * Free everything the VM holds and give its id back (last, so a VM's id is free only once all
 * its frames are). Context: none of its vCPUs runs or can be woken again.
 */
void vm_destroy(struct vm *vm);

/* Returns: the VM with that id, or NULL. */
struct vm *vm_find(domid_t id);

/* Returns: the VM called name (published ones only), or NULL. Context: takes domains_lock. */
struct vm *vm_find_by_name(const char *name);

/*
 * Fill ids with the ids of published VMs, lowest first, at most max of them.
 * Returns: how many VMs are published (may be more than max).
 */
unsigned int vm_list_ids(domid_t *ids, unsigned int max);

/* Returns: frames the VM's lazily populated regions have taken so far. Context: takes vm->lock. */
size_t vm_lazy_frames(struct vm *vm);

/*
 * Copy between the hypervisor and the VM's RAM, every byte checked against its regions.
 * Context: any, takes vm->lock. Returns: 0, -AXVM_EFAULT or -AXVM_ENOMEM.
 */
int vm_read_guest(struct vm *vm, void *dst, gpa_t gpa, size_t len);
int vm_write_guest(struct vm *vm, gpa_t gpa, const void *src, size_t len);

/*
 * Returns: whether every byte of [gpa, gpa+len) is the VM's RAM that it may read (and write,
 * with write), without wrapping past 2^64. Context: any, takes vm->lock.
 */
bool vm_is_ram(struct vm *vm, gpa_t gpa, uint64_t len, bool write);

/* Arch hooks: implemented in arch/<a>/vm.c */

/* Set up the arch part of a new VM (vm->id and vm->config are set). Returns: 0 or an error. */
int arch_vm_create(struct vm *vm);

/* Undo arch_vm_create(). */
void arch_vm_destroy(struct vm *vm);

/*
 * vm's stage-2 (nested-paging) tables lost a mapping while its vCPUs may run: make every CPU
 * forget the translations it cached for vm (arm64: broadcast TLBI of its VMID; x86: each vCPU
 * takes a fresh ASID, and one in its guest is kicked out first). On return no vCPU of vm uses
 * a translation its tables no longer hold. Context: any; it may spin until other CPUs have
 * left vm's guest, which needs nothing from the caller (not a lock, not an interrupt).
 * Cannot fail.
 */
void arch_vm_flush_tlbs(struct vm *vm);

/* Add the platform devices every guest of this arch has (x86: the local APIC page). */
int arch_vm_add_devices(struct vm *vm);

/*
 * Add an emulated UART of the given model (VM_DEVICE_UART16550 or VM_DEVICE_PL011) at base
 * whose interrupt goes to the VM's interrupt controller input irq (0: the platform's usual one
 * for that address, if any). Returns: 0; -AXVM_EINVAL (no such input); -AXVM_EOPNOTSUPP (the
 * platform has no such UART model); -AXVM_ENOSPC; -AXVM_ENOMEM.
 */
int arch_vm_add_uart(struct vm *vm, enum vm_device model, enum dev_space space, uint64_t base,
                     unsigned int irq);

/*
 * Hand the port range [base, base+size) through to the VM. With dom0 running, a domain's ports
 * are taken from dom0 until the domain is destroyed (x86). Returns: 0; -AXVM_EINVAL;
 * -AXVM_EBUSY (dom0 does not hold them all: the hypervisor's or another domain's);
 * -AXVM_ENOSPC (too many ranges); -AXVM_EOPNOTSUPP (no port I/O).
 */
int arch_vm_passthrough_pio(struct vm *vm, uint64_t base, uint64_t size);

/*
 * Hand physical interrupt gsi to the VM (x86: as pin gsi of its I/O APIC), taken from dom0 if
 * dom0 has it, given back when the VM is destroyed. Context: the VM is built, no locks.
 * Returns: 0; -AXVM_EINVAL (no such interrupt); -AXVM_EBUSY (the hypervisor or another
 * domain holds it); -AXVM_EOPNOTSUPP (the arch cannot).
 */
int arch_vm_passthrough_irq(struct vm *vm, unsigned int gsi);

#endif /* HV_VM_H */
