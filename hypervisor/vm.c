/* SPDX-License-Identifier: MIT */
/*
 * Virtual machines (<hv/vm.h>): the domain table, staged creation that unwinds on failure, the
 * lifecycle, and the exit loop, the one place where exits are dispatched: MMIO and port I/O to
 * the device bus, stage-2 faults to the address space, hypercalls to the hypercall layer, and
 * back to the scheduler on anything else.
 * Lock order: domains_lock, then vm->lock, then the frame allocator's lock.
 */
#define LOG_TAG "vm"
#include <hv/cpu.h>
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

/* ---------------------------------------------------------------------------------------- */
/* Creation */

static int check_config(const struct vm_config *cfg)
{
    if (!cfg->name[0] || strnlen(cfg->name, VM_NAME_MAX) == VM_NAME_MAX) {
        return -AXVM_EINVAL;
    }
    if (cfg->nr_vcpus == 0 || cfg->nr_vcpus > VM_MAX_VCPUS || cfg->nr_regions == 0 ||
        cfg->nr_regions > ADDRSPACE_MAX_REGIONS || cfg->nr_passthrough > VM_MAX_PASSTHROUGH) {
        return -AXVM_EINVAL;
    }
    return 0;
}

/*
 * Reserve a free domain id (1 and up: 0 is dom0's), going round from the last one given out,
 * so a new domain does not take the id of one that just went away (as Xen does).
 */
static int claim_id(struct vm *vm)
{
    unsigned long flags = spin_lock_irqsave(&domains_lock);
    int rc = -AXVM_ENOSPC;

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

/* The CPU vCPU i is pinned to: config.pcpu + i, wrapping over the online CPUs; -1: any. */
static int pin_for(const struct vm_config *cfg, unsigned int i)
{
    if (cfg->pcpu < 0) {
        return -1;
    }
    return (int)(((unsigned int)cfg->pcpu + i) % MAX(percpu_nr_online(), 1u));
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
            rc = sched_add_vcpu(v, pin_for(&vm->config, i));
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

static int create_passthrough(struct vm *vm)
{
    static const struct pt_attr attr = {.writable = true, .mem = PT_MEM_DEVICE};

    for (unsigned int i = 0; i < vm->config.nr_passthrough; i++) {
        const struct vm_passthrough_config *p = &vm->config.passthrough[i];
        int rc = p->space == DEV_SPACE_MMIO ? addrspace_add_region(&vm->as, p->base, p->size,
                                                                   REGION_PASSTHROUGH, attr, false)
                                            : arch_vm_passthrough_pio(vm, p->base, p->size);

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
    __atomic_store_n(&vm->published, true, __ATOMIC_RELEASE);
    log_info("d%u (%s) created: %u vCPU%s, %zu KiB of RAM taken", vm->id, vm->name, vm->nr_vcpus,
             vm->nr_vcpus == 1 ? "" : "s", addrspace_nr_frames(&vm->as) * (PAGE_SIZE / 1024));
    *out = vm;
    return 0;
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

    if (!__atomic_compare_exchange_n(&vm->shutting_down, &expected, true, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        return -AXVM_EALREADY;
    }
    vm->shutdown_reason = reason;
    vm->exit_code = code;
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
    return __atomic_load_n(&vm->running, __ATOMIC_ACQUIRE) ? VM_STATE_RUNNING : VM_STATE_CREATED;
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

/* What the VM cost: per vCPU, its CPU time and slices, its exits by kind; lazy frames. */
static void log_vm_stats(struct vm *vm)
{
    for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
        const struct vcpu *v = vm->vcpus[i];
        char exits[160];
        size_t used = 0;

        exits[0] = '\0';
        for (unsigned int k = 1; k < VM_EXIT_NR_KINDS && used < sizeof(exits); k++) {
            if (v->nr_exits[k]) {
                used += fmt_snprintf(exits + used, sizeof(exits) - used, " %s=%llu",
                                     vm_exit_kind_name((enum vm_exit_kind)k),
                                     (unsigned long long)v->nr_exits[k]);
            }
        }
        log_info("d%uv%u: ran %llu ms on cpu%u, preempted %llu times; exits:%s", vm->id, v->id,
                 (unsigned long long)(v->run_ns / NSEC_PER_MSEC), v->pcpu,
                 (unsigned long long)v->nr_preempted, exits[0] ? exits : " none");
    }
    log_info("d%u: %zu frames were populated on demand", vm->id, vm_lazy_frames(vm));
}

void vm_vcpu_stopped(struct vcpu *v)
{
    struct vm *vm = v->vm;

    if (__atomic_sub_fetch(&vm->nr_vcpus_live, 1, __ATOMIC_ACQ_REL) != 0) {
        return;
    }
    vconsole_flush(&vm->console);
    log_info("d%u (%s) %s, code %llu", vm->id, vm->name, reason_name(vm->shutdown_reason),
             (unsigned long long)vm->exit_code);
    log_vm_stats(vm);
    if (vm->destroy_when_stopped) {
        vm_destroy(vm);
    }
}

void vm_destroy(struct vm *vm)
{
    size_t frames_before = frame_nr_free();

    release_id(vm);
    devbus_destroy(&vm->devices);
    addrspace_destroy(&vm->as);
    destroy_vcpus(vm);
    arch_vm_destroy(vm);
    log_info("d%u (%s) destroyed, %zu frames returned", vm->id, vm->name,
             frame_nr_free() - frames_before);
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
    /* Not RAM: an emulated device, or empty space. */
    if (arch_vcpu_decode_mmio(v, exit)) {
        log_guest(ERR, vm->id, v->id, "unsupported instruction touching gpa 0x%llx",
                  (unsigned long long)exit->fault.gpa);
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
        vm_crash(v->vm, exit->shutdown.why);
        return VCPU_RUN_STOPPED;
    case VM_EXIT_CPU_UP:
        return handle_cpu_up(v, exit);
    default:
        return KEEP_RUNNING; /* NONE, PREEMPT: the loop looks at the scheduler */
    }
}

int vm_run_vcpu(struct vm *vm, unsigned int vcpu_id)
{
    struct vcpu *v = vcpu_id < vm->nr_vcpus ? vm->vcpus[vcpu_id] : NULL;
    uint64_t start = arch_time_now_ns();
    int result = KEEP_RUNNING;

    if (!v) {
        return -AXVM_ENOENT;
    }
    while (result == KEEP_RUNNING) {
        struct vm_exit exit = {.kind = VM_EXIT_NONE};

        if (__atomic_load_n(&vm->shutting_down, __ATOMIC_ACQUIRE)) {
            result = VCPU_RUN_STOPPED;
        } else if (sched_should_preempt()) {
            result = VCPU_RUN_PREEMPTED;
        } else {
            arch_vcpu_run(v, &exit);
            v->nr_exits[exit.kind < VM_EXIT_NR_KINDS ? exit.kind : VM_EXIT_NONE]++;
            result = handle_exit(v, &exit);
        }
    }
    v->run_ns += arch_time_now_ns() - start;
    return result;
}
