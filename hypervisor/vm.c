/* SPDX-License-Identifier: MIT */
/*
 * Virtual machines (<hv/vm.h>): the domain table, staged creation that unwinds on failure, the
 * lifecycle, and the exit loop, the one place where exits are dispatched: MMIO and port I/O to
 * the device bus, stage-2 faults to the address space, hypercalls to the hypercall layer, and
 * back to the scheduler on anything else.
 * Lock order: domctl_lock, then domains_lock, then vm->lock, then the frame allocator's lock
 * (docs/locking.md).
 */
#define LOG_TAG "vm"
#include <hv/cpu.h>
#include <hv/devices.h>
#include <hv/dom0.h>
#include <hv/domctl.h>
#include <hv/fmt.h>
#include <hv/frame.h>
#include <hv/heap.h>
#include <hv/hypercall.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/string.h>
#include <hv/time.h>
#include <hv/virt.h>
#include <hv/vm.h>
#include <public/axvm/domctl.h>
#include <public/axvm/hypercall.h>

#define KEEP_RUNNING (-1) /* handle_exit(): stay in the loop */

static spinlock_t domains_lock = SPINLOCK_INIT;
static struct vm *domains[VM_MAX_DOMAINS]; /* under domains_lock; slot = domain id */
static domid_t last_id;                    /* under domains_lock */

static const char *const exit_names[VM_EXIT_NR_KINDS] = {
    [VM_EXIT_NONE] = "none",
    [VM_EXIT_MMIO_READ] = "mmio-read",
    [VM_EXIT_MMIO_WRITE] = "mmio-write",
    [VM_EXIT_IO_READ] = "io-read",
    [VM_EXIT_IO_WRITE] = "io-write",
    [VM_EXIT_PAGE_FAULT] = "page-fault",
    [VM_EXIT_HYPERCALL] = "hypercall",
    [VM_EXIT_HALT] = "halt",
    [VM_EXIT_SHUTDOWN] = "shutdown",
    [VM_EXIT_CPU_UP] = "cpu-up",
    [VM_EXIT_PREEMPT] = "preempt",
};

const char *vm_exit_kind_name(enum vm_exit_kind kind)
{
    return kind < VM_EXIT_NR_KINDS ? exit_names[kind] : "?";
}

static const char *const reason_names[AXVM_EXIT_NR] = AXVM_EXIT_NAMES;

const char *vm_exit_reason_name(unsigned int reason)
{
    return reason < AXVM_EXIT_NR && reason_names[reason] ? reason_names[reason] : "?";
}

unsigned int vm_exit_reason(const struct vm_exit *exit)
{
    static const uint8_t of_kind[VM_EXIT_NR_KINDS] = {
        [VM_EXIT_NONE] = AXVM_EXIT_OTHER,          [VM_EXIT_MMIO_READ] = AXVM_EXIT_MMIO,
        [VM_EXIT_MMIO_WRITE] = AXVM_EXIT_MMIO,     [VM_EXIT_IO_READ] = AXVM_EXIT_IO,
        [VM_EXIT_IO_WRITE] = AXVM_EXIT_IO,         [VM_EXIT_PAGE_FAULT] = AXVM_EXIT_NPF,
        [VM_EXIT_HYPERCALL] = AXVM_EXIT_HYPERCALL, [VM_EXIT_HALT] = AXVM_EXIT_HALT,
        [VM_EXIT_SHUTDOWN] = AXVM_EXIT_SHUTDOWN,   [VM_EXIT_CPU_UP] = AXVM_EXIT_CPU_UP,
        [VM_EXIT_PREEMPT] = AXVM_EXIT_INTR,
    };

    if (exit->reason && exit->reason < AXVM_EXIT_NR) {
        return exit->reason;
    }
    return exit->kind < VM_EXIT_NR_KINDS ? of_kind[exit->kind] : AXVM_EXIT_OTHER;
}

/* ---------------------------------------------------------------------------------------- */
/* Creation */

static int check_config(const struct vm_config *cfg)
{
    if (!cfg->name[0] || strnlen(cfg->name, VM_NAME_MAX) == VM_NAME_MAX) {
        return -AXVM_EINVAL;
    }
    if (cfg->nr_vcpus == 0 || cfg->nr_vcpus > VM_MAX_VCPUS ||
        cfg->nr_regions > ADDRSPACE_MAX_REGIONS || cfg->nr_passthrough > VM_MAX_PASSTHROUGH) {
        return -AXVM_EINVAL;
    }
    if (cfg->cpumask && !(cfg->cpumask & percpu_online_mask())) {
        return -AXVM_EINVAL;
    }
    return 0;
}

/*
 * Reserve a free domain id: 0 for the privileged VM (dom0), else 1 and up, going round from the
 * last one given out, so a new domain does not take the id of one that just went away (as Xen
 * does).
 */
static int claim_id(struct vm *vm)
{
    unsigned long flags = spin_lock_irqsave(&domains_lock);
    int rc = -AXVM_ENOSPC;

    if (vm->config.privileged) {
        rc = domains[0] ? -AXVM_EEXIST : 0;
        if (!rc) {
            vm->id = 0;
            domains[0] = vm;
        }
        spin_unlock_irqrestore(&domains_lock, flags);
        return rc;
    }
    for (unsigned int n = 0; n < VM_MAX_DOMAINS - 1; n++) {
        domid_t id = (domid_t)((last_id + n) % (VM_MAX_DOMAINS - 1) + 1);

        if (!domains[id]) {
            last_id = id;
            vm->id = id;
            domains[id] = vm; /* reserved; vm_find() ignores it until it is published */
            rc = 0;
            break;
        }
    }
    spin_unlock_irqrestore(&domains_lock, flags);
    return rc;
}

static void release_id(struct vm *vm)
{
    unsigned long flags = spin_lock_irqsave(&domains_lock);

    domains[vm->id] = NULL;
    spin_unlock_irqrestore(&domains_lock, flags);
}

static void destroy_vcpus(struct vm *vm)
{
    while (vm->nr_vcpus) {
        struct vcpu *v = vm->vcpus[--vm->nr_vcpus];

        sched_remove_vcpu(v);
        arch_vcpu_destroy(v);
        heap_free(v);
        vm->vcpus[vm->nr_vcpus] = NULL;
    }
}

/*
 * The CPU vCPU i is pinned to: with a cpumask, the i-th online CPU in it (wrapping); else
 * config.pcpu + i, wrapping over the online CPUs; -1: any.
 */
static int pin_for(const struct vm_config *cfg, unsigned int i)
{
    uint64_t mask = cfg->cpumask & percpu_online_mask();

    if (mask) {
        unsigned int nr_cpus = 0, nth;

        for (uint64_t m = mask; m; m &= m - 1) {
            nr_cpus++;
        }
        for (nth = i % nr_cpus; nth; nth--) {
            mask &= mask - 1; /* drop the lowest CPU */
        }
        return __builtin_ctzll(mask);
    }
    if (cfg->pcpu < 0) {
        return -1;
    }
    return (int)(((unsigned int)cfg->pcpu + i) % MAX(percpu_nr_online(), 1u));
}

/*
 * The CPUs the VM's vCPUs may run on: its cpumask; with a first CPU (pcpu) but no mask, the one
 * each is placed on, as before (pinned); else any (0).
 */
static uint64_t affinity_for(const struct vm_config *cfg, unsigned int i)
{
    if (cfg->cpumask || cfg->pcpu < 0) {
        return cfg->cpumask;
    }
    return 1ull << pin_for(cfg, i);
}

static int create_vcpus(struct vm *vm)
{
    for (unsigned int i = 0; i < vm->config.nr_vcpus; i++) {
        struct vcpu *v = heap_zalloc(sizeof(*v));
        int rc;

        if (!v) {
            destroy_vcpus(vm);
            return -AXVM_ENOMEM;
        }
        v->vm = vm;
        v->id = i;
        rc = arch_vcpu_create(v);
        if (!rc) {
            rc = sched_add_vcpu(v, pin_for(&vm->config, i), affinity_for(&vm->config, i));
            if (rc) {
                arch_vcpu_destroy(v);
            }
        }
        if (rc) {
            heap_free(v);
            destroy_vcpus(vm);
            return rc;
        }
        vm->vcpus[vm->nr_vcpus++] = v;
    }
    return 0;
}

static int create_memory(struct vm *vm)
{
    int rc = addrspace_init(&vm->as);

    for (unsigned int i = 0; !rc && i < vm->config.nr_regions; i++) {
        const struct vm_region_config *r = &vm->config.regions[i];

        rc = addrspace_add_region(&vm->as, r->gpa, r->size_bytes, r->kind, r->attr, r->lazy);
    }
    return rc;
}

/*
 * With dom0 running, the MMIO a domain is given is dom0's: taken out of dom0's pass-through
 * regions for as long as the domain exists (dom0 then reads all-ones there and its writes
 * vanish) and given back, its stage-2 splits folded again, by give_back_mmio(). A range dom0
 * does not hold (the hypervisor's devices, RAM, another domain's) cannot be handed on:
 * -AXVM_EBUSY. Before dom0 runs (boot-time domains) and for dom0 itself nothing is taken.
 * Context: domctl_lock held, or the boot CPU; neither VM's lock.
 */
static int take_mmio_from_dom0(struct vm *vm, uint64_t base, uint64_t size)
{
    struct vm *dom0 = dom0_get();
    unsigned long flags;
    int rc;

    if (!dom0 || dom0 == vm) {
        return 0;
    }
    if (vm->nr_mmio_taken == ARRAY_SIZE(vm->mmio_taken)) {
        return -AXVM_ENOSPC;
    }
    flags = spin_lock_irqsave(&dom0->lock);
    rc = addrspace_revoke(&dom0->as, base, size);
    spin_unlock_irqrestore(&dom0->lock, flags);
    if (rc) {
        return rc;
    }
    /* dom0's vCPUs run on: none may keep a translation of the range past this point */
    arch_vm_flush_tlbs(dom0);
    vm->mmio_taken[vm->nr_mmio_taken].base = base;
    vm->mmio_taken[vm->nr_mmio_taken].size_bytes = size;
    vm->nr_mmio_taken++;
    log_info("d%u (%s): MMIO %#llx (+%#llx) taken from dom0 until it is destroyed", vm->id,
             vm->name, (unsigned long long)base, (unsigned long long)size);
    return 0;
}

/*
 * Map what take_mmio_from_dom0() took back into dom0, last taken first, all but the first keep
 * ranges. Adding a mapping needs no TLB flush; freeing the tables a fold unhooked does.
 * Context: neither VM's lock held.
 */
static void give_back_mmio(struct vm *vm, unsigned int keep)
{
    struct vm *dom0 = dom0_get();

    while (dom0 && vm->nr_mmio_taken > keep) {
        const struct vm_mmio_taken *t = &vm->mmio_taken[--vm->nr_mmio_taken];
        hpa_t tables[PT_LEVELS * 4];
        unsigned int nr_tables = ARRAY_SIZE(tables);
        unsigned long flags = spin_lock_irqsave(&dom0->lock);
        int rc = addrspace_restore(&dom0->as, t->base, t->size_bytes, tables, &nr_tables);

        spin_unlock_irqrestore(&dom0->lock, flags);
        if (nr_tables) {
            arch_vm_flush_tlbs(dom0); /* no walk may hold the split tables any more */
            for (unsigned int i = 0; i < nr_tables; i++) {
                frame_free(tables[i], 1);
            }
        }
        if (rc) {
            log_err("d%u (%s): MMIO %#llx (+%#llx) not given back to dom0 (error %d)", vm->id,
                    vm->name, (unsigned long long)t->base, (unsigned long long)t->size_bytes, rc);
        } else {
            log_info("d%u (%s): MMIO %#llx (+%#llx) given back to dom0", vm->id, vm->name,
                     (unsigned long long)t->base, (unsigned long long)t->size_bytes);
        }
    }
}

static int add_passthrough(struct vm *vm, const struct vm_passthrough_config *p)
{
    static const struct pt_attr attr = {.writable = true, .mem = PT_MEM_DEVICE};
    unsigned long flags;
    unsigned int nr_taken = vm->nr_mmio_taken;
    int rc;

    if (p->space != DEV_SPACE_MMIO) {
        return arch_vm_passthrough_pio(vm, p->base, p->size);
    }
    rc = take_mmio_from_dom0(vm, p->base, p->size);
    if (rc) {
        return rc;
    }
    flags = spin_lock_irqsave(&vm->lock);
    rc = addrspace_add_region(&vm->as, p->base, p->size, REGION_PASSTHROUGH, attr, false);
    spin_unlock_irqrestore(&vm->lock, flags);
    if (rc) {
        give_back_mmio(vm, nr_taken);
    }
    return rc;
}

static int create_passthrough(struct vm *vm)
{
    for (unsigned int i = 0; i < vm->config.nr_passthrough; i++) {
        int rc = add_passthrough(vm, &vm->config.passthrough[i]);

        if (rc) {
            return rc;
        }
    }
    return 0;
}

/* The stages of vm_create, each undone (in reverse) only if it succeeded. */
static int build_vm(struct vm *vm)
{
    int rc = arch_vm_create(vm);

    if (rc) {
        return rc;
    }
    rc = create_vcpus(vm);
    if (rc) {
        goto err_arch;
    }
    rc = create_memory(vm);
    if (!rc) {
        rc = create_passthrough(vm);
    }
    if (rc) {
        goto err_memory;
    }
    rc = arch_vm_add_devices(vm);
    if (rc) {
        goto err_devices;
    }
    for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
        arch_vcpu_setup(vm->vcpus[i], vm->as.pt.root_hpa);
    }
    return 0;

err_devices:
    devbus_destroy(&vm->devices);
err_memory:
    addrspace_destroy(&vm->as);
    give_back_mmio(vm, 0);
    destroy_vcpus(vm);
err_arch:
    arch_vm_destroy(vm);
    return rc;
}

int vm_create(const struct vm_config *cfg, struct vm **out)
{
    struct vm *vm;
    int rc = check_config(cfg);

    if (rc) {
        return rc;
    }
    if (!arch_virt_is_usable()) {
        return -AXVM_EOPNOTSUPP;
    }
    vm = heap_zalloc(sizeof(*vm));
    if (!vm) {
        return -AXVM_ENOMEM;
    }
    vm->config = *cfg;
    strlcpy(vm->name, cfg->name, sizeof(vm->name));
    spin_lock_init(&vm->lock);
    sched_domain_init(vm);
    devbus_init(&vm->devices);
    rc = claim_id(vm);
    if (!rc) {
        vconsole_init(&vm->console, vm->id);
        rc = build_vm(vm);
        if (rc) {
            release_id(vm);
        }
    }
    if (rc) {
        heap_free(vm);
        return rc;
    }
    vm->nr_vcpus_live = vm->nr_vcpus;
    vm->created_ns = arch_time_now_ns();
    __atomic_store_n(&vm->published, true, __ATOMIC_RELEASE);
    log_info("d%u (%s) created: %u vCPU%s, %zu KiB of RAM taken", vm->id, vm->name, vm->nr_vcpus,
             vm->nr_vcpus == 1 ? "" : "s", addrspace_nr_frames(&vm->as) * (PAGE_SIZE / 1024));
    *out = vm;
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Building in stages, before the first boot */

/* Whether the VM may still be built: it has never booted, nor been stopped. */
static bool is_buildable(const struct vm *vm)
{
    return !__atomic_load_n(&vm->running, __ATOMIC_ACQUIRE) &&
           !__atomic_load_n(&vm->shutting_down, __ATOMIC_ACQUIRE);
}

int vm_add_region(struct vm *vm, const struct vm_region_config *r)
{
    unsigned long flags;
    int rc;

    if (!is_buildable(vm)) {
        return -AXVM_EBUSY;
    }
    flags = spin_lock_irqsave(&vm->lock);
    rc = addrspace_add_region(&vm->as, r->gpa, r->size_bytes, r->kind, r->attr, r->lazy);
    spin_unlock_irqrestore(&vm->lock, flags);
    return rc;
}

int vm_add_passthrough(struct vm *vm, const struct vm_passthrough_config *p)
{
    if (!is_buildable(vm)) {
        return -AXVM_EBUSY;
    }
    return add_passthrough(vm, p); /* takes vm->lock itself, not around dom0's */
}

/* The device bus takes no lock on lookups: it may change only while no vCPU has run. */
int vm_add_device(struct vm *vm, enum vm_device kind, enum dev_space space, uint64_t base,
                  unsigned int irq)
{
    if (!is_buildable(vm)) {
        return -AXVM_EBUSY;
    }
    switch (kind) {
    case VM_DEVICE_UART16550:
    case VM_DEVICE_PL011:
        return arch_vm_add_uart(vm, kind, space, base, irq);
    case VM_DEVICE_DEBUG_EXIT:
        return debugexit_create(vm, space, base);
    case VM_DEVICE_TESTDEV:
        return space == DEV_SPACE_MMIO ? testdev_create(vm, base) : -AXVM_EINVAL;
    }
    return -AXVM_EINVAL;
}

int vm_set_vcpu_context(struct vm *vm, unsigned int vcpu_id, const struct axvm_vcpu_context *ctx)
{
    int rc;

    if (!is_buildable(vm)) {
        return -AXVM_EBUSY;
    }
    if (vcpu_id >= vm->nr_vcpus) {
        return -AXVM_ENOENT;
    }
    rc = arch_vcpu_set_context(vm->vcpus[vcpu_id], ctx);
    if (!rc && vcpu_id == 0) {
        vm->has_boot_context = true;
    }
    return rc;
}

void vm_set_vcpu_boot(struct vm *vm, const struct vcpu_boot *boot)
{
    arch_vcpu_set_boot(vm->vcpus[0], boot);
    vm->has_boot_context = true;
}

bool vm_has_boot_context(const struct vm *vm)
{
    return vm->has_boot_context;
}

/* ---------------------------------------------------------------------------------------- */
/* Lifecycle */

int vm_boot(struct vm *vm)
{
    bool expected = false;

    if (!arch_virt_is_usable()) {
        return -AXVM_EOPNOTSUPP;
    }
    if (__atomic_load_n(&vm->shutting_down, __ATOMIC_ACQUIRE) ||
        !__atomic_compare_exchange_n(&vm->running, &expected, true, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        return -AXVM_EALREADY;
    }
    sched_wake(vm->vcpus[0]);
    return 0;
}

int vm_shutdown(struct vm *vm, uint32_t reason, uint64_t code)
{
    bool expected = false;
    unsigned long flags;

    if (!__atomic_compare_exchange_n(&vm->shutting_down, &expected, true, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        return -AXVM_EALREADY;
    }
    vm->shutdown_reason = reason;
    vm->exit_code = code;
    /*
     * A paused VM's parked vCPUs too: sched_wake() leaves a parked vCPU alone, and no unpause
     * comes for a stopping VM, so one left parked never stops and the VM is never freed.
     * Under vm->lock, against park_if_paused(), which parks none once this flag is set.
     */
    flags = spin_lock_irqsave(&vm->lock);
    for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
        vm->vcpus[i]->parked = false;
    }
    spin_unlock_irqrestore(&vm->lock, flags);
    for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
        sched_kick(vm->vcpus[i]); /* running ones leave at their next exit */
        sched_wake(vm->vcpus[i]); /* blocked ones run once more to see the flag */
    }
    return 0;
}

void vm_crash(struct vm *vm, const char *why)
{
    log_err("d%u (%s) crashed: %s", vm->id, vm->name, why);
    vm_shutdown(vm, AXVM_SHUTDOWN_CRASH, 0);
}

enum vm_state vm_get_state(const struct vm *vm)
{
    if (__atomic_load_n(&vm->shutting_down, __ATOMIC_ACQUIRE)) {
        return vm->shutdown_reason == AXVM_SHUTDOWN_CRASH ? VM_STATE_CRASHED : VM_STATE_SHUTDOWN;
    }
    if (!__atomic_load_n(&vm->running, __ATOMIC_ACQUIRE)) {
        return VM_STATE_CREATED;
    }
    return __atomic_load_n(&vm->paused, __ATOMIC_ACQUIRE) ? VM_STATE_PAUSED : VM_STATE_RUNNING;
}

int vm_pause(struct vm *vm)
{
    unsigned long flags = spin_lock_irqsave(&vm->lock);
    int rc = 0;

    if (vm_get_state(vm) == VM_STATE_PAUSED) {
        rc = -AXVM_EALREADY;
    } else if (vm_get_state(vm) != VM_STATE_RUNNING) {
        rc = -AXVM_EBUSY;
    } else {
        __atomic_store_n(&vm->paused, true, __ATOMIC_SEQ_CST);
    }
    spin_unlock_irqrestore(&vm->lock, flags);
    for (unsigned int i = 0; !rc && i < vm->nr_vcpus; i++) {
        sched_kick(vm->vcpus[i]); /* running ones leave at their next exit */
    }
    return rc;
}

int vm_unpause(struct vm *vm)
{
    struct vcpu *parked[VM_MAX_VCPUS];
    unsigned int nr_parked = 0;
    unsigned long flags = spin_lock_irqsave(&vm->lock);
    int rc = 0;

    if (vm_get_state(vm) == VM_STATE_RUNNING) {
        rc = -AXVM_EALREADY;
    } else if (vm_get_state(vm) != VM_STATE_PAUSED) {
        rc = -AXVM_EBUSY;
    } else {
        __atomic_store_n(&vm->paused, false, __ATOMIC_SEQ_CST);
        for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
            if (vm->vcpus[i]->parked) {
                vm->vcpus[i]->parked = false;
                parked[nr_parked++] = vm->vcpus[i];
            }
        }
    }
    spin_unlock_irqrestore(&vm->lock, flags);
    for (unsigned int i = 0; i < nr_parked; i++) {
        sched_wake(parked[i]); /* after vm->lock: the run-queue lock is not inside it */
    }
    return rc;
}

/*
 * The exit loop found the VM paused: park v (vm_unpause() wakes it) and leave as blocked.
 * Returns: VCPU_RUN_BLOCKED, parked; VCPU_RUN_STOPPED when the VM is shutting down (parked now,
 * v would miss vm_shutdown()'s wake); KEEP_RUNNING when the VM was unpaused meanwhile.
 */
static int park_if_paused(struct vcpu *v)
{
    struct vm *vm = v->vm;
    unsigned long flags = spin_lock_irqsave(&vm->lock);
    int result = KEEP_RUNNING;

    if (__atomic_load_n(&vm->shutting_down, __ATOMIC_ACQUIRE)) {
        result = VCPU_RUN_STOPPED;
    } else if (vm->paused) {
        v->parked = true;
        result = VCPU_RUN_BLOCKED;
    }
    spin_unlock_irqrestore(&vm->lock, flags);
    return result;
}

uint64_t vm_cpu_time_ns(const struct vm *vm)
{
    uint64_t ns = 0;

    for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
        ns += __atomic_load_n(&vm->vcpus[i]->run_ns, __ATOMIC_RELAXED);
    }
    return ns;
}

uint64_t vm_nr_pages(struct vm *vm)
{
    unsigned long flags = spin_lock_irqsave(&vm->lock);
    uint64_t pages = (uint64_t)addrspace_nr_frames(&vm->as) + vm->as.pt.nr_tables;

    spin_unlock_irqrestore(&vm->lock, flags);
    return pages;
}

uint64_t vm_ram_bytes(struct vm *vm)
{
    unsigned long flags = spin_lock_irqsave(&vm->lock);
    uint64_t bytes = (uint64_t)addrspace_nr_frames(&vm->as) * PAGE_SIZE;

    for (unsigned int i = 0; i < vm->as.nr_regions; i++) {
        if (vm->as.regions[i].kind == REGION_IDENTICAL) {
            bytes += vm->as.regions[i].size_bytes;
        }
    }
    spin_unlock_irqrestore(&vm->lock, flags);
    return bytes;
}

uint64_t vm_max_ram_bytes(struct vm *vm)
{
    unsigned long flags = spin_lock_irqsave(&vm->lock);
    uint64_t bytes = 0;

    for (unsigned int i = 0; i < vm->as.nr_regions; i++) {
        if (vm->as.regions[i].kind != REGION_PASSTHROUGH) {
            bytes += vm->as.regions[i].size_bytes;
        }
    }
    spin_unlock_irqrestore(&vm->lock, flags);
    return bytes;
}

static const char *reason_name(uint32_t reason)
{
    switch (reason) {
    case AXVM_SHUTDOWN_POWEROFF:
        return "powered off";
    case AXVM_SHUTDOWN_REBOOT:
        return "asked to reboot";
    case AXVM_SHUTDOWN_CRASH:
        return "crashed";
    case AXVM_SHUTDOWN_EXIT:
        return "exited";
    default:
        return "stopped";
    }
}

/* What the VM cost: per vCPU, its CPU time and slices, its exits by reason; lazy frames. */
static void log_vm_stats(struct vm *vm)
{
    for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
        const struct vcpu *v = vm->vcpus[i];
        char exits[160];
        size_t used = 0;

        exits[0] = '\0';
        for (unsigned int r = 0; r < AXVM_EXIT_NR && used < sizeof(exits); r++) {
            if (v->exits[r]) {
                used += fmt_snprintf(exits + used, sizeof(exits) - used, " %s=%llu",
                                     vm_exit_reason_name(r), (unsigned long long)v->exits[r]);
            }
        }
        log_info("d%uv%u: ran %llu ms on cpu%u, preempted %llu times; exits:%s", vm->id, v->id,
                 (unsigned long long)(v->run_ns / NSEC_PER_MSEC), v->pcpu,
                 (unsigned long long)v->nr_preempted, exits[0] ? exits : " none");
    }
    log_info("d%u: %zu frames were populated on demand", vm->id, vm_lazy_frames(vm));
}

/* Whether the VM is to be freed now that it stopped for its reason. Context: domctl_lock. */
static bool is_destroyed_when_stopped(const struct vm *vm)
{
    if (vm->destroy_when_stopped || vm->destroy_requested) {
        return true;
    }
    switch (vm->shutdown_reason) {
    case AXVM_SHUTDOWN_REBOOT:
        return vm->config.destroy_on_reboot;
    case AXVM_SHUTDOWN_CRASH:
        return vm->config.destroy_on_crash;
    default: /* poweroff, the debug-exit device */
        return vm->config.destroy_on_poweroff;
    }
}

void vm_vcpu_stopped(struct vcpu *v)
{
    struct vm *vm = v->vm;
    unsigned long flags;

    if (__atomic_sub_fetch(&vm->nr_vcpus_live, 1, __ATOMIC_ACQ_REL) != 0) {
        return;
    }
    vconsole_flush(&vm->console);
    if (vm->destroy_requested) {
        log_info("d%u (%s) stopped: destroyed by dom0", vm->id, vm->name);
    } else {
        log_info("d%u (%s) %s, code %llu", vm->id, vm->name, reason_name(vm->shutdown_reason),
                 (unsigned long long)vm->exit_code);
    }
    log_vm_stats(vm);
    /* Decided under domctl_lock, so a control hypercall never sees the VM freed under it. */
    flags = domctl_lock_take();
    if (is_destroyed_when_stopped(vm)) {
        vm_destroy(vm);
    } else {
        vm->all_stopped = true;
    }
    domctl_lock_give(flags);
}

void vm_kill(struct vm *vm)
{
    __atomic_store_n(&vm->published, false, __ATOMIC_RELEASE);
    /* No vCPU was ever woken (a shutdown wakes them all), or every one has stopped for good. */
    if ((!__atomic_load_n(&vm->running, __ATOMIC_ACQUIRE) &&
         !__atomic_load_n(&vm->shutting_down, __ATOMIC_ACQUIRE)) ||
        vm->all_stopped) {
        vm_destroy(vm);
        return;
    }
    vm->destroy_requested = true; /* its last vCPU frees it (vm_vcpu_stopped) */
    if (vm_shutdown(vm, AXVM_SHUTDOWN_POWEROFF, 0) == 0) {
        log_info("d%u (%s) is being destroyed", vm->id, vm->name);
    }
}

void vm_destroy(struct vm *vm)
{
    size_t frames_before = frame_nr_free();

    __atomic_store_n(&vm->published, false, __ATOMIC_RELEASE);
    devbus_destroy(&vm->devices);
    addrspace_destroy(&vm->as);
    give_back_mmio(vm, 0); /* the domain's own mappings are gone and its vCPUs stopped */
    destroy_vcpus(vm);
    arch_vm_destroy(vm);
    log_info("d%u (%s) destroyed, %zu frames returned", vm->id, vm->name,
             frame_nr_free() - frames_before);
    release_id(vm); /* last: the id is free only once every frame is back */
    heap_free(vm);
}

struct vm *vm_find(domid_t id)
{
    unsigned long flags = spin_lock_irqsave(&domains_lock);
    struct vm *vm = id < VM_MAX_DOMAINS ? domains[id] : NULL;

    if (vm && !__atomic_load_n(&vm->published, __ATOMIC_ACQUIRE)) {
        vm = NULL;
    }
    spin_unlock_irqrestore(&domains_lock, flags);
    return vm;
}

struct vm *vm_find_by_name(const char *name)
{
    unsigned long flags = spin_lock_irqsave(&domains_lock);
    struct vm *found = NULL;

    for (unsigned int id = 0; id < VM_MAX_DOMAINS && !found; id++) {
        struct vm *vm = domains[id];

        if (vm && __atomic_load_n(&vm->published, __ATOMIC_ACQUIRE) &&
            strncmp(vm->name, name, VM_NAME_MAX) == 0) {
            found = vm;
        }
    }
    spin_unlock_irqrestore(&domains_lock, flags);
    return found;
}

unsigned int vm_list_ids(domid_t *ids, unsigned int max)
{
    unsigned long flags = spin_lock_irqsave(&domains_lock);
    unsigned int n = 0;

    for (unsigned int id = 0; id < VM_MAX_DOMAINS; id++) {
        struct vm *vm = domains[id];

        if (vm && __atomic_load_n(&vm->published, __ATOMIC_ACQUIRE)) {
            if (n < max) {
                ids[n] = (domid_t)id;
            }
            n++;
        }
    }
    spin_unlock_irqrestore(&domains_lock, flags);
    return n;
}

size_t vm_lazy_frames(struct vm *vm)
{
    unsigned long flags = spin_lock_irqsave(&vm->lock);
    size_t n = 0;

    for (unsigned int i = 0; i < vm->as.nr_regions; i++) {
        n += vm->as.regions[i].lazy ? vm->as.regions[i].nr_populated : 0;
    }
    spin_unlock_irqrestore(&vm->lock, flags);
    return n;
}

int vm_read_guest(struct vm *vm, void *dst, gpa_t gpa, size_t len)
{
    unsigned long flags = spin_lock_irqsave(&vm->lock);
    int rc = addrspace_read(&vm->as, dst, gpa, len);

    spin_unlock_irqrestore(&vm->lock, flags);
    return rc;
}

int vm_write_guest(struct vm *vm, gpa_t gpa, const void *src, size_t len)
{
    unsigned long flags = spin_lock_irqsave(&vm->lock);
    int rc = addrspace_write(&vm->as, gpa, src, len);

    spin_unlock_irqrestore(&vm->lock, flags);
    return rc;
}

bool vm_is_ram(struct vm *vm, gpa_t gpa, uint64_t len, bool write)
{
    unsigned long flags;
    bool ok;

    if (gpa + len < gpa) {
        return false;
    }
    flags = spin_lock_irqsave(&vm->lock);
    ok = addrspace_is_ram(&vm->as, gpa, len, write ? VM_ACCESS_WRITE : VM_ACCESS_READ);
    spin_unlock_irqrestore(&vm->lock, flags);
    return ok;
}

/* ---------------------------------------------------------------------------------------- */
/* The exit loop */

static uint64_t all_ones(unsigned int width)
{
    return width >= 8 ? UINT64_MAX : ((uint64_t)1 << (8 * width)) - 1;
}

/* Loads from empty space read as all-ones and stores vanish, as on a PC bus. */
static int handle_access(struct vcpu *v, const struct vm_exit *exit)
{
    bool mmio = exit->kind == VM_EXIT_MMIO_READ || exit->kind == VM_EXIT_MMIO_WRITE;
    enum dev_space space = mmio ? DEV_SPACE_MMIO : DEV_SPACE_PIO;
    uint64_t addr = mmio ? exit->mmio.gpa : exit->io.port;
    unsigned int width = mmio ? exit->mmio.width : exit->io.width;
    uint64_t value = 0;

    if (exit->kind == VM_EXIT_MMIO_READ || exit->kind == VM_EXIT_IO_READ) {
        if (devbus_read(&v->vm->devices, v, space, addr, width, &value)) {
            value = all_ones(width);
        }
    } else {
        devbus_write(&v->vm->devices, v, space, addr, width,
                     (mmio ? exit->mmio.value : exit->io.value) & all_ones(width));
    }
    arch_vcpu_complete(v, exit, value & all_ones(width));
    return KEEP_RUNNING;
}

static int handle_fault(struct vcpu *v, struct vm_exit *exit)
{
    struct vm *vm = v->vm;
    unsigned long flags = spin_lock_irqsave(&vm->lock);
    int rc = addrspace_fault(&vm->as, exit->fault.gpa, exit->fault.access);

    spin_unlock_irqrestore(&vm->lock, flags);
    if (rc == 0) {
        return KEEP_RUNNING;
    }
    if (rc == -AXVM_ENOMEM) {
        vm_crash(vm, "no free memory to back a page of its RAM");
        return VCPU_RUN_STOPPED;
    }
    /* Not RAM: an emulated device, or empty space; neither holds code. */
    if (exit->fault.access == VM_ACCESS_EXEC) {
        log_guest(ERR, vm->id, v->id, "instruction fetch from gpa 0x%llx, which is not its memory",
                  (unsigned long long)exit->fault.gpa);
        arch_vcpu_dump(v);
        vm_crash(vm, "it jumped outside its memory");
        return VCPU_RUN_STOPPED;
    }
    rc = arch_vcpu_decode_mmio(v, exit);
    if (rc == -AXVM_EFAULT) {
        return KEEP_RUNNING; /* refused: the guest takes a fault of its own */
    }
    if (rc) {
        log_guest(ERR, vm->id, v->id, "unsupported instruction touching gpa 0x%llx",
                  (unsigned long long)exit->fault.gpa);
        arch_vcpu_dump(v);
        vm_crash(vm, "an instruction the hypervisor cannot emulate touched MMIO");
        return VCPU_RUN_STOPPED;
    }
    return handle_access(v, exit);
}

static int handle_halt(struct vcpu *v, const struct vm_exit *exit)
{
    arch_vcpu_complete(v, exit, 0);
    return arch_vcpu_has_work(v) ? KEEP_RUNNING : VCPU_RUN_BLOCKED;
}

static int handle_cpu_up(struct vcpu *v, const struct vm_exit *exit)
{
    struct vm *vm = v->vm;

    /* The arch finished the instruction and prepared the target's state already. */
    if (exit->cpu_up.target < vm->nr_vcpus) {
        sched_wake(vm->vcpus[exit->cpu_up.target]);
    }
    return KEEP_RUNNING;
}

static int handle_exit(struct vcpu *v, struct vm_exit *exit)
{
    switch (exit->kind) {
    case VM_EXIT_MMIO_READ:
    case VM_EXIT_MMIO_WRITE:
    case VM_EXIT_IO_READ:
    case VM_EXIT_IO_WRITE:
        return handle_access(v, exit);
    case VM_EXIT_PAGE_FAULT:
        return handle_fault(v, exit);
    case VM_EXIT_HYPERCALL:
        arch_vcpu_complete(
            v, exit, (uint64_t)hypercall_dispatch(v, exit->hypercall.nr, exit->hypercall.args));
        return KEEP_RUNNING;
    case VM_EXIT_HALT:
        return handle_halt(v, exit);
    case VM_EXIT_SHUTDOWN:
        arch_vcpu_dump(v);
        vm_crash(v->vm, exit->shutdown.why);
        return VCPU_RUN_STOPPED;
    case VM_EXIT_CPU_UP:
        return handle_cpu_up(v, exit);
    default:
        return KEEP_RUNNING; /* NONE, PREEMPT: the loop looks at the scheduler */
    }
}

/*
 * Add the time since last to v's CPU time at each exit, so a vCPU that keeps its CPU for long
 * still shows its time growing; the time a paused or stopping vCPU spends only looking at its
 * flags is not counted. Returns: now.
 */
static uint64_t account_run_time(struct vcpu *v, uint64_t last)
{
    uint64_t now = arch_time_now_ns();

    __atomic_store_n(&v->run_ns, v->run_ns + (now - last), __ATOMIC_RELAXED);
    return now;
}

int vm_run_vcpu(struct vm *vm, unsigned int vcpu_id)
{
    struct vcpu *v = vcpu_id < vm->nr_vcpus ? vm->vcpus[vcpu_id] : NULL;
    uint64_t last = arch_time_now_ns();
    int result = KEEP_RUNNING;

    if (!v) {
        return -AXVM_ENOENT;
    }
    while (result == KEEP_RUNNING) {
        struct vm_exit exit = {.kind = VM_EXIT_NONE};

        if (__atomic_load_n(&vm->shutting_down, __ATOMIC_ACQUIRE)) {
            result = VCPU_RUN_STOPPED;
        } else if (__atomic_load_n(&vm->paused, __ATOMIC_ACQUIRE)) {
            result = park_if_paused(v); /* KEEP_RUNNING: unpaused meanwhile, look again */
        } else if (sched_should_preempt()) {
            result = VCPU_RUN_PREEMPTED;
        } else {
            arch_vcpu_run(v, &exit);
            last = account_run_time(v, last);
            result = handle_exit(v, &exit);
            v->exits[vm_exit_reason(&exit)]++; /* after: a page fault may have become MMIO */
        }
    }
    return result;
}
