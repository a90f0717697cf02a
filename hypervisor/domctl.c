/* SPDX-License-Identifier: MIT */
/*
 * Domain and system control (<hv/domctl.h>, ABI <public/axvm/domctl.h>): the privileged
 * domain's hypercalls. Each call copies its struct in from the caller's RAM, checks every field
 * (the *_check half), and only then acts (the *_apply half, which cannot fail, or one core call
 * that fails without changing anything). All of them run under domctl_lock.
 * Lock order: domctl_lock, then domains_lock, then a VM's lock or a console's lock
 * (docs/locking.md); domctl_lock is never held while waiting for another CPU.
 */
#define LOG_TAG "domctl"
#include <hv/console.h>
#include <hv/domctl.h>
#include <hv/frame.h>
#include <hv/log.h>
#include <hv/page.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/spinlock.h>
#include <hv/string.h>
#include <hv/time.h>
#include <hv/virt.h>
#include <hv/vm.h>
#include <generated/version.h>
#include <public/axvm/domctl.h>

#define CHUNK_BYTES 256 /* bytes moved between two guests' RAM at a time, on the stack */
#define PIO_LIMIT   0x10000u

static spinlock_t domctl_lock = SPINLOCK_INIT;

unsigned long domctl_lock_take(void)
{
    return spin_lock_irqsave(&domctl_lock);
}

void domctl_lock_give(unsigned long flags)
{
    spin_unlock_irqrestore(&domctl_lock, flags);
}

/* One call in progress: who made it, its struct (copied in) and its buffer (in the caller). */
struct domctl_call {
    struct vm *caller;
    gpa_t buf_gpa;
    uint64_t buf_size;
    union {
        struct axvm_domain_create create;
        struct axvm_domain_ref ref;
        struct axvm_domain_shutdown shutdown;
        struct axvm_domain_info info;
        struct axvm_domain_list list;
        struct axvm_domain_region region;
        struct axvm_domain_copy copy;
        struct axvm_domain_device device;
        struct axvm_domain_passthrough passthrough;
        struct axvm_vcpu_context context;
        struct axvm_console_read console_read;
        struct axvm_console_input console_input;
        struct axvm_physinfo physinfo;
        struct axvm_sysctl_stats stats;
        struct axvm_sched_credit credit;
        struct axvm_vcpu_pin pin;
    } arg;
};

typedef int64_t (*domctl_fn)(struct domctl_call *c);

/* What the caller's buffer is for. */
enum buffer_use {
    BUF_NONE,  /* must be 0 and 0 */
    BUF_READ,  /* the hypervisor reads it */
    BUF_WRITE, /* the hypervisor writes it */
};

struct domctl_spec {
    domctl_fn fn;
    uint32_t arg_size;
    bool writes_back; /* the struct has outputs */
    enum buffer_use buf;
};

/* ---------------------------------------------------------------------------------------- */
/* Shared checks */

static bool is_zero(const void *p, size_t len)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < len; i++) {
        if (b[i]) {
            return false;
        }
    }
    return true;
}

/*
 * A VM the call may act on: it exists, and is not the caller (a domain does not control
 * itself; AXVM_DOMID_SELF is the caller). Returns: 0 and *out, -AXVM_ENOENT or -AXVM_EINVAL.
 */
static int other_domain(const struct domctl_call *c, uint16_t domid, struct vm **out)
{
    struct vm *vm;

    if (domid == AXVM_DOMID_SELF || domid == c->caller->id) {
        return -AXVM_EINVAL;
    }
    vm = vm_find(domid);
    if (!vm) {
        return -AXVM_ENOENT;
    }
    *out = vm;
    return 0;
}

/* A VM the call may look at: any existing one, AXVM_DOMID_SELF being the caller. */
static int any_domain(const struct domctl_call *c, uint16_t domid, struct vm **out)
{
    struct vm *vm = domid == AXVM_DOMID_SELF ? c->caller : vm_find(domid);

    if (!vm) {
        return -AXVM_ENOENT;
    }
    *out = vm;
    return 0;
}

/* Names are 1 to 31 printable characters without spaces, NUL-terminated, zero-padded. */
static bool is_valid_name(const char *name)
{
    size_t len = strnlen(name, AXVM_DOMAIN_NAME_MAX);

    if (len == 0 || len == AXVM_DOMAIN_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (name[i] <= ' ' || name[i] > '~') {
            return false;
        }
    }
    return is_zero(name + len, AXVM_DOMAIN_NAME_MAX - len);
}

/* ---------------------------------------------------------------------------------------- */
/* Creating, starting, stopping, destroying */

static uint32_t host_arch(void)
{
    struct axvm_physinfo info;

    memset(&info, 0, sizeof(info));
    arch_domctl_physinfo(&info);
    return info.arch;
}

static int create_check(const struct axvm_domain_create *a)
{
    uint64_t online =
        percpu_nr_online() >= 64 ? UINT64_MAX : ((uint64_t)1 << percpu_nr_online()) - 1;

    if (a->nr_vcpus == 0 || a->nr_vcpus > VM_MAX_VCPUS || a->arch != host_arch() ||
        !is_valid_name(a->name) || !is_zero(a->pad, sizeof(a->pad)) ||
        a->on_poweroff > AXVM_ACTION_PRESERVE || a->on_reboot > AXVM_ACTION_PRESERVE ||
        a->on_crash > AXVM_ACTION_PRESERVE || (a->cpumask && !(a->cpumask & online))) {
        return -AXVM_EINVAL;
    }
    return vm_find_by_name(a->name) ? -AXVM_EEXIST : 0;
}

static int64_t dc_create(struct domctl_call *c)
{
    struct axvm_domain_create *a = &c->arg.create;
    struct vm_config cfg;
    struct vm *vm;
    int rc = create_check(a);

    if (rc) {
        return rc;
    }
    memset(&cfg, 0, sizeof(cfg));
    memcpy(cfg.name, a->name, sizeof(cfg.name));
    cfg.nr_vcpus = a->nr_vcpus;
    cfg.pcpu = -1;
    cfg.cpumask = a->cpumask;
    memcpy(cfg.uuid, a->uuid, sizeof(cfg.uuid));
    cfg.destroy_on_poweroff = a->on_poweroff == AXVM_ACTION_DESTROY;
    cfg.destroy_on_reboot = a->on_reboot == AXVM_ACTION_DESTROY;
    cfg.destroy_on_crash = a->on_crash == AXVM_ACTION_DESTROY;
    rc = vm_create(&cfg, &vm);
    if (rc) {
        return rc;
    }
    a->domid = vm->id;
    return 0;
}

/* A reference to another domain: padding zero, the domain exists, it is not the caller. */
static int ref_check(const struct domctl_call *c, struct vm **vm)
{
    if (!is_zero(c->arg.ref.pad, sizeof(c->arg.ref.pad))) {
        return -AXVM_EINVAL;
    }
    return other_domain(c, c->arg.ref.domid, vm);
}

static int64_t dc_destroy(struct domctl_call *c)
{
    struct vm *vm;
    int rc = ref_check(c, &vm);

    if (!rc) {
        vm_kill(vm);
    }
    return rc;
}

static int64_t dc_pause(struct domctl_call *c)
{
    struct vm *vm;
    int rc = ref_check(c, &vm);

    if (rc) {
        return rc;
    }
    /* A domain that never ran is as good as paused already. */
    return vm_get_state(vm) == VM_STATE_CREATED ? -AXVM_EALREADY : vm_pause(vm);
}

/* The first unpause boots the domain; later ones resume it. */
static int64_t dc_unpause(struct domctl_call *c)
{
    struct vm *vm;
    int rc = ref_check(c, &vm);

    if (rc) {
        return rc;
    }
    if (vm_get_state(vm) != VM_STATE_CREATED) {
        return vm_unpause(vm);
    }
    if (!vm_has_boot_context(vm)) {
        return -AXVM_EINVAL; /* VCPU_SET_CONTEXT for vCPU 0 first */
    }
    return vm_boot(vm);
}

/*
 * There is no channel to ask a guest to shut down yet: the domain is stopped with the reason
 * at its next exits, as if it had asked, and its on_* action applies once its vCPUs stopped.
 */
static int64_t dc_shutdown(struct domctl_call *c)
{
    const struct axvm_domain_shutdown *a = &c->arg.shutdown;
    struct vm *vm;
    int rc;

    if (a->pad || (a->reason != AXVM_SHUTDOWN_POWEROFF && a->reason != AXVM_SHUTDOWN_REBOOT)) {
        return -AXVM_EINVAL;
    }
    rc = other_domain(c, a->domid, &vm);
    return rc ? rc : vm_shutdown(vm, a->reason, 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Looking at domains */

static uint32_t abi_state(enum vm_state state)
{
    switch (state) {
    case VM_STATE_CREATED:
        return AXVM_STATE_CREATED;
    case VM_STATE_RUNNING:
        return AXVM_STATE_RUNNING;
    case VM_STATE_PAUSED:
        return AXVM_STATE_PAUSED;
    case VM_STATE_SHUTDOWN:
        return AXVM_STATE_SHUTDOWN;
    case VM_STATE_CRASHED:
        break;
    }
    return AXVM_STATE_CRASHED;
}

static void fill_info(struct vm *vm, struct axvm_domain_info *info)
{
    enum vm_state state = vm_get_state(vm);
    bool stopped = state == VM_STATE_SHUTDOWN || state == VM_STATE_CRASHED;

    memset(info, 0, sizeof(*info));
    info->domid = vm->id;
    info->nr_vcpus = (uint16_t)vm->nr_vcpus;
    info->state = abi_state(state);
    strlcpy(info->name, vm->name, sizeof(info->name));
    memcpy(info->uuid, vm->config.uuid, sizeof(info->uuid));
    info->mem_kib = vm_ram_bytes(vm) / 1024;
    info->max_mem_kib = vm_max_ram_bytes(vm) / 1024;
    info->cpu_time_ns = vm_cpu_time_ns(vm);
    info->shutdown_reason = stopped ? vm->shutdown_reason : 0;
    info->exit_code = stopped ? vm->exit_code : 0;
    info->created_ns = vm->created_ns;
}

static int64_t dc_getinfo(struct domctl_call *c)
{
    struct axvm_domain_info *info = &c->arg.info;
    struct vm *vm;
    int rc = any_domain(c, info->domid, &vm);

    if (!rc) {
        fill_info(vm, info);
    }
    return rc;
}

static int64_t dc_list(struct domctl_call *c)
{
    struct axvm_domain_list *a = &c->arg.list;
    domid_t ids[VM_MAX_DOMAINS];
    unsigned int total, nr;

    if (a->pad || (uint64_t)a->max * sizeof(struct axvm_domain_info) > c->buf_size) {
        return -AXVM_EINVAL;
    }
    total = vm_list_ids(ids, VM_MAX_DOMAINS);
    nr = 0;
    for (unsigned int i = 0; i < MIN(total, (unsigned int)VM_MAX_DOMAINS) && nr < a->max; i++) {
        struct vm *vm = vm_find(ids[i]); /* domctl_lock: it cannot have been freed meanwhile */
        struct axvm_domain_info info;
        int rc;

        if (!vm) {
            continue;
        }
        fill_info(vm, &info);
        rc = vm_write_guest(c->caller, c->buf_gpa + nr * sizeof(info), &info, sizeof(info));
        if (rc) {
            return rc;
        }
        nr++;
    }
    a->nr = nr;
    a->total = total;
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Building a domain */

static int region_check(const struct domctl_call *c, struct vm **vm)
{
    const struct axvm_domain_region *a = &c->arg.region;
    int rc;

    if ((a->map != AXVM_MAP_ALLOC && a->map != AXVM_MAP_IDENTICAL) ||
        !(a->access & AXVM_ACCESS_R) ||
        (a->access & ~(AXVM_ACCESS_R | AXVM_ACCESS_W | AXVM_ACCESS_X)) ||
        (a->flags & ~(uint32_t)AXVM_REGION_LAZY) ||
        ((a->flags & AXVM_REGION_LAZY) && a->map != AXVM_MAP_ALLOC) || a->size == 0 ||
        !IS_ALIGNED(a->gpa | a->size, PAGE_SIZE) || a->gpa + a->size < a->gpa) {
        return -AXVM_EINVAL;
    }
    rc = other_domain(c, a->domid, vm);
    if (rc) {
        return rc;
    }
    /* Only the privileged domain may see host RAM as it is, and it cannot target itself. */
    return a->map == AXVM_MAP_IDENTICAL && !(*vm)->config.privileged ? -AXVM_EPERM : 0;
}

static int64_t dc_add_region(struct domctl_call *c)
{
    const struct axvm_domain_region *a = &c->arg.region;
    struct vm_region_config r = {
        .gpa = a->gpa,
        .size_bytes = a->size,
        .kind = a->map == AXVM_MAP_IDENTICAL ? REGION_IDENTICAL : REGION_ALLOC,
        .attr = {.writable = (a->access & AXVM_ACCESS_W) != 0,
                 .executable = (a->access & AXVM_ACCESS_X) != 0},
        .lazy = (a->flags & AXVM_REGION_LAZY) != 0,
    };
    struct vm *vm;
    int rc = region_check(c, &vm);

    return rc ? rc : vm_add_region(vm, &r);
}

/* Move the caller's buffer into the domain's RAM, a chunk at a time (both were checked). */
static int64_t dc_copy(struct domctl_call *c)
{
    const struct axvm_domain_copy *a = &c->arg.copy;
    uint8_t chunk[CHUNK_BYTES];
    struct vm *vm;
    int rc;

    if (!is_zero(a->pad, sizeof(a->pad)) || c->buf_size > AXVM_COPY_MAX) {
        return -AXVM_EINVAL;
    }
    rc = other_domain(c, a->domid, &vm);
    if (rc) {
        return rc;
    }
    if (vm_get_state(vm) != VM_STATE_CREATED) {
        return -AXVM_EBUSY;
    }
    if (!vm_is_ram(vm, a->gpa, c->buf_size, true)) {
        return -AXVM_EFAULT;
    }
    for (uint64_t done = 0; done < c->buf_size;) {
        size_t n = (size_t)MIN(c->buf_size - done, (uint64_t)sizeof(chunk));

        rc = vm_read_guest(c->caller, chunk, c->buf_gpa + done, n);
        rc = rc ? rc : vm_write_guest(vm, a->gpa + done, chunk, n);
        if (rc) {
            return rc; /* only -AXVM_ENOMEM for a lazy page can get here */
        }
        done += n;
    }
    return 0;
}

static int device_check(const struct axvm_domain_device *a, enum vm_device *kind)
{
    bool pio = a->space == AXVM_SPACE_PIO;

    if (a->space != AXVM_SPACE_PIO && a->space != AXVM_SPACE_MMIO) {
        return -AXVM_EINVAL;
    }
    switch (a->type) {
    case AXVM_DEV_UART16550:
        *kind = VM_DEVICE_UART16550;
        return (pio ? a->base <= PIO_LIMIT - 8 : a->base <= UINT64_MAX - 8) ? 0 : -AXVM_EINVAL;
    case AXVM_DEV_DEBUG_EXIT:
        *kind = VM_DEVICE_DEBUG_EXIT;
        return (pio ? a->base <= PIO_LIMIT - 4
                    : IS_ALIGNED(a->base, 4) && a->base <= UINT64_MAX - 4)
                   ? 0
                   : -AXVM_EINVAL;
    case AXVM_DEV_TESTDEV:
        *kind = VM_DEVICE_TESTDEV;
        return !pio && IS_ALIGNED(a->base, PAGE_SIZE) && a->base <= UINT64_MAX - PAGE_SIZE
                   ? 0
                   : -AXVM_EINVAL;
    case AXVM_DEV_PL011:
        *kind = VM_DEVICE_PL011;
        return !pio && IS_ALIGNED(a->base, PAGE_SIZE) && a->base <= UINT64_MAX - PAGE_SIZE
                   ? 0
                   : -AXVM_EINVAL;
    default:
        return -AXVM_EINVAL;
    }
}

/* A UART's interrupt goes to irq (0: the platform's usual line for its address). */
static int64_t dc_add_device(struct domctl_call *c)
{
    const struct axvm_domain_device *a = &c->arg.device;
    enum vm_device kind = VM_DEVICE_UART16550;
    struct vm *vm;
    int rc = device_check(a, &kind);

    rc = rc ? rc : other_domain(c, a->domid, &vm);
    if (rc) {
        return rc;
    }
    return vm_add_device(vm, kind, a->space == AXVM_SPACE_PIO ? DEV_SPACE_PIO : DEV_SPACE_MMIO,
                         a->base, a->irq);
}

/* Pass-through MMIO must not be RAM the hypervisor hands out: that would share frames. */
static bool is_host_ram(uint64_t base, uint64_t size)
{
    for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
        if (frame_is_managed(base + off)) {
            return true;
        }
    }
    return false;
}

static int passthrough_check(const struct axvm_domain_passthrough *a)
{
    if (!is_zero(a->pad, sizeof(a->pad)) || a->size == 0 || a->base + a->size < a->base) {
        return -AXVM_EINVAL;
    }
    switch (a->kind) {
    case AXVM_PT_MMIO:
        if (!IS_ALIGNED(a->base | a->size, PAGE_SIZE)) {
            return -AXVM_EINVAL;
        }
        return is_host_ram(a->base, a->size) ? -AXVM_EPERM : 0;
    case AXVM_PT_PIO:
        return a->base + a->size <= PIO_LIMIT ? 0 : -AXVM_EINVAL;
    case AXVM_PT_IRQ:
        return a->size == 1 && a->base <= UINT32_MAX ? 0 : -AXVM_EINVAL;
    default:
        return -AXVM_EINVAL;
    }
}

static int64_t dc_passthrough(struct domctl_call *c)
{
    const struct axvm_domain_passthrough *a = &c->arg.passthrough;
    struct vm_passthrough_config p = {a->kind == AXVM_PT_PIO ? DEV_SPACE_PIO : DEV_SPACE_MMIO,
                                      a->base, a->size};
    struct vm *vm;
    int rc = passthrough_check(a);

    rc = rc ? rc : other_domain(c, a->domid, &vm);
    if (rc) {
        return rc;
    }
    if (a->kind != AXVM_PT_IRQ) {
        return vm_add_passthrough(vm, &p);
    }
    if (vm_get_state(vm) != VM_STATE_CREATED) {
        return -AXVM_EBUSY;
    }
    return arch_vm_passthrough_irq(vm, (unsigned int)a->base);
}

static int64_t dc_vcpu_set_context(struct domctl_call *c)
{
    const struct axvm_vcpu_context *a = &c->arg.context;
    struct vm *vm;
    int rc = other_domain(c, a->domid, &vm);

    if (rc) {
        return rc;
    }
    if (a->vcpu >= vm->nr_vcpus) {
        return -AXVM_EINVAL;
    }
    return vm_set_vcpu_context(vm, a->vcpu, a);
}

/* ---------------------------------------------------------------------------------------- */
/* Consoles and the system */

/* Fill the caller's buffer from a ring through read(), a chunk at a time. */
static int64_t ring_to_caller(struct domctl_call *c, struct vconsole *vc)
{
    struct axvm_console_read *a = &c->arg.console_read;
    char chunk[CHUNK_BYTES];
    uint64_t pos = a->pos, written = 0, done = 0;
    size_t n = 1;

    while (done < c->buf_size && n) {
        size_t want = (size_t)MIN(c->buf_size - done, (uint64_t)sizeof(chunk));
        int rc;

        n = vc ? vconsole_read(vc, &pos, chunk, want)
               : console_ring_read(&pos, chunk, want, &written);
        rc = n ? vm_write_guest(c->caller, c->buf_gpa + done, chunk, n) : 0;
        if (rc) {
            return rc;
        }
        done += n;
    }
    if (vc) {
        written = vconsole_written(vc);
    } else if (done == 0) {
        console_ring_read(&pos, chunk, 0, &written); /* clamps pos and reads the count */
    }
    a->pos = pos;
    a->written = MAX(written, pos);
    a->nr = done;
    return (int64_t)done;
}

static int64_t dc_console_read(struct domctl_call *c)
{
    struct vm *vm;
    int rc;

    if (!is_zero(c->arg.console_read.pad, sizeof(c->arg.console_read.pad))) {
        return -AXVM_EINVAL;
    }
    rc = any_domain(c, c->arg.console_read.domid, &vm);
    return rc ? rc : ring_to_caller(c, &vm->console);
}

static int64_t dc_log_read(struct domctl_call *c)
{
    if (!is_zero(c->arg.console_read.pad, sizeof(c->arg.console_read.pad))) {
        return -AXVM_EINVAL;
    }
    return ring_to_caller(c, NULL);
}

static int64_t dc_physinfo(struct domctl_call *c)
{
    struct axvm_physinfo *info = &c->arg.physinfo;

    memset(info, 0, sizeof(*info));
    arch_domctl_physinfo(info);
    info->abi_version = AXVM_ABI_VERSION;
    info->nr_cpus = percpu_nr_online();
    info->total_kib = (uint64_t)frame_nr_managed() * (PAGE_SIZE / 1024);
    info->free_kib = (uint64_t)frame_nr_free() * (PAGE_SIZE / 1024);
    info->features |= arch_virt_is_usable() ? AXVM_FEATURE_HVM : 0;
    info->uptime_ns = arch_time_now_ns();
    strlcpy(info->version, AXVM_VERSION, sizeof(info->version));
    return 0;
}

/* Hand the caller's bytes to the domain's console input, as many as its device takes. */
static int64_t dc_console_input(struct domctl_call *c)
{
    const struct axvm_console_input *a = &c->arg.console_input;
    uint8_t chunk[CHUNK_BYTES];
    uint64_t done = 0;
    struct vm *vm;
    int rc;

    if (!is_zero(a->pad, sizeof(a->pad)) || a->size != c->buf_size ||
        a->size > AXVM_CONSOLE_INPUT_MAX) {
        return -AXVM_EINVAL;
    }
    rc = any_domain(c, a->domid, &vm);
    rc = rc ? rc : vconsole_input(&vm->console, chunk, 0); /* -AXVM_ENODEV without a device */
    while (!rc && done < a->size) {
        size_t n = (size_t)MIN(a->size - done, (uint64_t)sizeof(chunk));
        int taken;

        rc = vm_read_guest(c->caller, chunk, c->buf_gpa + done, n);
        taken = rc ? 0 : vconsole_input(&vm->console, chunk, n);
        rc = rc ? rc : taken < 0 ? taken : 0;
        done += (uint64_t)MAX(taken, 0);
        if ((size_t)MAX(taken, 0) < n) {
            break; /* its buffer is full */
        }
    }
    return rc && done == 0 ? rc : (int64_t)done;
}

/* ---------------------------------------------------------------------------------------- */
/* Scheduling and statistics */

/* A vCPU its guest has switched off waits like a halted one; it is shown as offline. */
static uint16_t abi_vcpu_state(struct vcpu *v, enum vcpu_state state)
{
    switch (state) {
    case VCPU_RUNNABLE:
        return AXVM_VCPU_RUNNABLE;
    case VCPU_RUNNING:
        return AXVM_VCPU_RUNNING;
    case VCPU_BLOCKED:
        return arch_vcpu_is_off(v) ? AXVM_VCPU_OFFLINE : AXVM_VCPU_BLOCKED;
    case VCPU_OFFLINE:
        break;
    }
    return AXVM_VCPU_OFFLINE;
}

static void fill_domain_stats(struct vm *vm, struct axvm_domain_stats *d)
{
    enum vm_state state = vm_get_state(vm);

    memset(d, 0, sizeof(*d));
    d->domid = vm->id;
    d->nr_vcpus = (uint16_t)vm->nr_vcpus;
    d->state = abi_state(state);
    strlcpy(d->name, vm->name, sizeof(d->name));
    d->cpu_time_ns = vm_cpu_time_ns(vm);
    d->mem_kib = vm_ram_bytes(vm) / 1024;
    d->max_mem_kib = vm_max_ram_bytes(vm) / 1024;
    d->pages = vm_nr_pages(vm);
    for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
        d->nr_hypercalls +=
            __atomic_load_n(&vm->vcpus[i]->exits[AXVM_EXIT_HYPERCALL], __ATOMIC_RELAXED);
    }
    d->created_ns = vm->created_ns;
    d->weight = __atomic_load_n(&vm->sched.weight, __ATOMIC_RELAXED);
    d->cap = __atomic_load_n(&vm->sched.cap, __ATOMIC_RELAXED);
    d->flags = vm->config.privileged ? AXVM_STATS_DOMAIN_FLAG_PRIVILEGED : 0;
    d->shutdown_reason =
        state == VM_STATE_SHUTDOWN || state == VM_STATE_CRASHED ? vm->shutdown_reason : 0;
}

static void fill_vcpu_stats(struct vcpu *v, struct axvm_vcpu_stats *s)
{
    struct sched_vcpu sv;
    enum vcpu_state state;
    unsigned int pcpu;

    memset(s, 0, sizeof(*s));
    sched_vcpu_snapshot(v, &state, &pcpu, &sv);
    s->domid = v->vm->id;
    s->vcpu = (uint16_t)v->id;
    s->state = abi_vcpu_state(v, state);
    s->pcpu = (uint16_t)pcpu;
    s->affinity = sv.affinity;
    s->ran_on = sv.ran_on;
    s->cpu_time_ns = __atomic_load_n(&v->run_ns, __ATOMIC_RELAXED);
    s->nr_scheduled = sv.nr_scheduled;
    s->nr_migrations = sv.nr_migrations;
    s->credit = sv.credit;
    for (unsigned int r = 0; r < AXVM_EXIT_NR; r++) {
        s->exits[r] = __atomic_load_n(&v->exits[r], __ATOMIC_RELAXED);
    }
    s->nr_hypercalls = s->exits[AXVM_EXIT_HYPERCALL];
}

/*
 * Every domain, vCPU and CPU in one answer: domain records, then vCPU records, then CPU
 * records, each array at the place the caller's maxima give it in the buffer.
 */
static int64_t dc_sysctl_stats(struct domctl_call *c)
{
    struct axvm_sysctl_stats *a = &c->arg.stats;
    uint64_t vcpu_base = (uint64_t)a->max_domains * sizeof(struct axvm_domain_stats);
    uint64_t pcpu_base = vcpu_base + (uint64_t)a->max_vcpus * sizeof(struct axvm_vcpu_stats);
    uint64_t end = pcpu_base + (uint64_t)a->max_pcpus * sizeof(struct axvm_pcpu_stats);
    domid_t ids[VM_MAX_DOMAINS];
    unsigned int total, nr_dom = 0, nr_vcpu = 0, all_vcpus = 0, nr_pcpu = 0;

    if (a->total_pcpus || a->max_domains > VM_MAX_DOMAINS ||
        a->max_vcpus > VM_MAX_DOMAINS * VM_MAX_VCPUS || a->max_pcpus > CONFIG_NR_CPUS ||
        end > c->buf_size) {
        return -AXVM_EINVAL;
    }
    total = MIN(vm_list_ids(ids, VM_MAX_DOMAINS), (unsigned int)VM_MAX_DOMAINS);
    for (unsigned int i = 0; i < total; i++) {
        struct vm *vm = vm_find(ids[i]); /* domctl_lock: it cannot have been freed meanwhile */
        struct axvm_domain_stats d;
        int rc;

        if (!vm) {
            continue;
        }
        all_vcpus += vm->nr_vcpus;
        if (nr_dom >= a->max_domains || nr_vcpu + vm->nr_vcpus > a->max_vcpus) {
            continue; /* no room for it whole: total_* tell the caller */
        }
        for (unsigned int k = 0; k < vm->nr_vcpus; k++) {
            struct axvm_vcpu_stats s;

            fill_vcpu_stats(vm->vcpus[k], &s);
            rc = vm_write_guest(c->caller, c->buf_gpa + vcpu_base + (nr_vcpu + k) * sizeof(s), &s,
                                sizeof(s));
            if (rc) {
                return rc;
            }
        }
        fill_domain_stats(vm, &d);
        rc = vm_write_guest(c->caller, c->buf_gpa + nr_dom * sizeof(d), &d, sizeof(d));
        if (rc) {
            return rc;
        }
        nr_dom++;
        nr_vcpu += vm->nr_vcpus;
    }
    /* Online CPUs are numbered from 0 without gaps. */
    for (unsigned int cpu = 0; cpu < percpu_nr_online() && nr_pcpu < a->max_pcpus; cpu++) {
        struct axvm_pcpu_stats p;
        int rc;

        memset(&p, 0, sizeof(p));
        sched_pcpu_stats(cpu, &p);
        rc = vm_write_guest(c->caller, c->buf_gpa + pcpu_base + nr_pcpu * sizeof(p), &p, sizeof(p));
        if (rc) {
            return rc;
        }
        nr_pcpu++;
    }
    a->sched = sched_policy_id();
    a->nr_domains = nr_dom;
    a->nr_vcpus = nr_vcpu;
    a->nr_pcpus = nr_pcpu;
    a->total_pcpus = percpu_nr_online();
    a->total_domains = total;
    a->total_vcpus = all_vcpus;
    a->now_ns = arch_time_now_ns();
    a->total_kib = (uint64_t)frame_nr_managed() * (PAGE_SIZE / 1024);
    a->free_kib = (uint64_t)frame_nr_free() * (PAGE_SIZE / 1024);
    return 0;
}

/* Read, and with flags set change, a domain's weight and cap; the values in effect go back. */
static int64_t dc_sched_credit(struct domctl_call *c)
{
    struct axvm_sched_credit *a = &c->arg.credit;
    struct vm *vm;
    int rc;

    if (a->pad) {
        return -AXVM_EINVAL;
    }
    rc = any_domain(c, a->domid, &vm);
    rc = rc ? rc : sched_set_credit(vm, a->flags, a->weight, a->cap);
    if (rc) {
        return rc;
    }
    a->weight = __atomic_load_n(&vm->sched.weight, __ATOMIC_RELAXED);
    a->cap = __atomic_load_n(&vm->sched.cap, __ATOMIC_RELAXED);
    if (a->flags) {
        log_info("d%u (%s): weight %u, cap %u%%", vm->id, vm->name, a->weight, a->cap);
    }
    return 0;
}

static int64_t dc_vcpu_pin(struct domctl_call *c)
{
    const struct axvm_vcpu_pin *a = &c->arg.pin;
    struct vm *vm;
    int rc;

    if (a->pad) {
        return -AXVM_EINVAL;
    }
    rc = any_domain(c, a->domid, &vm);
    if (rc) {
        return rc;
    }
    if (a->vcpu != AXVM_VCPU_ALL && a->vcpu >= vm->nr_vcpus) {
        return -AXVM_EINVAL;
    }
    for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
        if (a->vcpu != AXVM_VCPU_ALL && a->vcpu != i) {
            continue;
        }
        rc = sched_set_affinity(vm->vcpus[i], a->cpumask); /* fails for all or none */
        if (rc) {
            return rc;
        }
    }
    log_info("d%u (%s): vCPU %s pinned to CPUs 0x%llx", vm->id, vm->name,
             a->vcpu == AXVM_VCPU_ALL ? "all" : "one", (unsigned long long)a->cpumask);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Dispatch */

#define CALL(nr, fn, type, out, buf) [nr - AXVM_HC_CONTROL_FIRST] = {fn, sizeof(type), out, buf}

static const struct domctl_spec specs[AXVM_HC_CONTROL_LAST - AXVM_HC_CONTROL_FIRST + 1] = {
    CALL(AXVM_HC_DOMAIN_CREATE, dc_create, struct axvm_domain_create, true, BUF_NONE),
    CALL(AXVM_HC_DOMAIN_DESTROY, dc_destroy, struct axvm_domain_ref, false, BUF_NONE),
    CALL(AXVM_HC_DOMAIN_PAUSE, dc_pause, struct axvm_domain_ref, false, BUF_NONE),
    CALL(AXVM_HC_DOMAIN_UNPAUSE, dc_unpause, struct axvm_domain_ref, false, BUF_NONE),
    CALL(AXVM_HC_DOMAIN_SHUTDOWN, dc_shutdown, struct axvm_domain_shutdown, false, BUF_NONE),
    CALL(AXVM_HC_DOMAIN_GETINFO, dc_getinfo, struct axvm_domain_info, true, BUF_NONE),
    CALL(AXVM_HC_DOMAIN_LIST, dc_list, struct axvm_domain_list, true, BUF_WRITE),
    CALL(AXVM_HC_DOMAIN_ADD_REGION, dc_add_region, struct axvm_domain_region, false, BUF_NONE),
    CALL(AXVM_HC_DOMAIN_COPY, dc_copy, struct axvm_domain_copy, false, BUF_READ),
    CALL(AXVM_HC_DOMAIN_ADD_DEVICE, dc_add_device, struct axvm_domain_device, false, BUF_NONE),
    CALL(AXVM_HC_DOMAIN_PASSTHROUGH, dc_passthrough, struct axvm_domain_passthrough, false,
         BUF_NONE),
    CALL(AXVM_HC_VCPU_SET_CONTEXT, dc_vcpu_set_context, struct axvm_vcpu_context, false, BUF_NONE),
    CALL(AXVM_HC_CONSOLE_READ, dc_console_read, struct axvm_console_read, true, BUF_WRITE),
    CALL(AXVM_HC_LOG_READ, dc_log_read, struct axvm_console_read, true, BUF_WRITE),
    CALL(AXVM_HC_PHYSINFO, dc_physinfo, struct axvm_physinfo, true, BUF_NONE),
    CALL(AXVM_HC_CONSOLE_INPUT, dc_console_input, struct axvm_console_input, false, BUF_READ),
    CALL(AXVM_HC_SYSCTL_STATS, dc_sysctl_stats, struct axvm_sysctl_stats, true, BUF_WRITE),
    CALL(AXVM_HC_SCHED_CREDIT, dc_sched_credit, struct axvm_sched_credit, true, BUF_NONE),
    CALL(AXVM_HC_VCPU_PIN, dc_vcpu_pin, struct axvm_vcpu_pin, false, BUF_NONE),
};

/* The struct and buffer lie in the caller's RAM with the access the call needs. */
static int check_memory(struct vm *caller, const struct domctl_spec *spec, const uint64_t args[6])
{
    if (args[1] != spec->arg_size) {
        return -AXVM_EINVAL;
    }
    if (spec->buf == BUF_NONE && (args[2] || args[3])) {
        return -AXVM_EINVAL;
    }
    if (!vm_is_ram(caller, args[0], args[1], spec->writes_back) ||
        (args[3] && !vm_is_ram(caller, args[2], args[3], spec->buf == BUF_WRITE))) {
        return -AXVM_EFAULT;
    }
    return 0;
}

int64_t domctl_dispatch(struct vcpu *v, uint64_t nr, const uint64_t args[6])
{
    const struct domctl_spec *spec;
    struct domctl_call c;
    unsigned long flags;
    int64_t result;
    int rc;

    if (!v->vm->config.privileged) {
        return -AXVM_EPERM;
    }
    if (nr < AXVM_HC_CONTROL_FIRST || nr > AXVM_HC_CONTROL_LAST) {
        return -AXVM_ENOSYS;
    }
    spec = &specs[nr - AXVM_HC_CONTROL_FIRST];
    rc = check_memory(v->vm, spec, args);
    if (rc) {
        return rc;
    }
    memset(&c, 0, sizeof(c));
    c.caller = v->vm;
    c.buf_gpa = args[2];
    c.buf_size = args[3];
    rc = vm_read_guest(v->vm, &c.arg, args[0], spec->arg_size);
    if (rc) {
        return rc;
    }
    flags = domctl_lock_take();
    result = spec->fn(&c);
    domctl_lock_give(flags);
    if (result >= 0 && spec->writes_back) {
        rc = vm_write_guest(v->vm, args[0], &c.arg, spec->arg_size);
        result = rc ? rc : result;
    }
    return result;
}
