/* SPDX-License-Identifier: MIT */
/*
 * Fakes of the arch, boot-time domain and scheduler hooks vm.c calls (see fake_vm.h): each
 * records its call, the fallible ones fail on request, and arch_vcpu_run() plays a script.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hv/devices.h>
#include <hv/dom0.h>
#include <hv/domctl.h>
#include <hv/frame.h>
#include <hv/heap.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/virt.h>
#include <public/axvm/domctl.h>
#include <public/axvm/errno.h>
#include <public/axvm/testdev.h>
#include <fake_vm.h>
#include <host.h>

#define PREWARM_BLOCKS 128     /* free blocks each small heap class gets ahead of a test */
#define RUNAWAY_RUNS   100000u /* arch_vcpu_run() calls that mean the exit loop never stops */

struct fake_vm fake;

static hpa_t hog[FAKE_HOG_MAX];
static size_t nr_hog;

void fake_log(char *log, const char *fmt, ...)
{
    size_t used = strlen(log);
    va_list ap;

    if (used + 2 >= FAKE_LOG_SIZE) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(log + used, FAKE_LOG_SIZE - used - 1, fmt, ap);
    va_end(ap);
    used = strlen(log);
    log[used] = ' ';
    log[used + 1] = '\0';
}

void fake_vm_reset(void)
{
    unsigned int nr_sched_vcpus = fake.nr_sched_vcpus;

    memset(&fake, 0, sizeof(fake));
    fake.nr_sched_vcpus = nr_sched_vcpus;
    fake.virt_usable = true;
    fake.fail_rc = -AXVM_ENOMEM;
    fake.decode_width = 4;
    fake.boot_entry = 0x100000;
    fake.cpu_khz = 2600000;
}

/* Count a call of hook. Returns: the error it is to fail with this time, or 0. */
static int hook_result(enum fake_hook hook)
{
    unsigned int call = fake.nr_calls[hook]++;

    return fake.fail_hook == hook && fake.fail_call == call ? fake.fail_rc : 0;
}

/* A half-built VM must not be visible (ARCHITECTURE.md §4). */
static void note_visibility(struct vm *vm)
{
    if (vm_find(vm->id) == vm) {
        fake.nr_seen_early++;
    }
}

static void prewarm_heap(void)
{
    static void *blocks[PREWARM_BLOCKS];

    for (size_t size = 16; size <= 1024; size *= 2) {
        for (size_t i = 0; i < PREWARM_BLOCKS; i++) {
            blocks[i] = heap_alloc(size);
        }
        for (size_t i = 0; i < PREWARM_BLOCKS; i++) {
            heap_free(blocks[i]);
        }
    }
}

void fake_memory_setup(void)
{
    static struct boot_info bi;

    host_ram_setup(FAKE_RAM_BASE, FAKE_RAM_SIZE);
    bootinfo_init(&bi);
    if (bootinfo_add_mem(&bi, FAKE_RAM_BASE, FAKE_IDENTICAL_HPA - FAKE_RAM_BASE, MEM_USABLE) ||
        frame_init(&bi)) {
        fprintf(stderr, "unit: cannot start the frame allocator for the fakes\n");
        abort();
    }
    heap_init();
    prewarm_heap();
    nr_hog = 0;
    fake_vm_reset();
    fake.nr_sched_vcpus = 0;
    log_set_level(LOG_LEVEL_INFO);
    host_console_clear();
}

void fake_hog_frames_leaving(size_t nr_frames)
{
    while (frame_nr_free() > nr_frames && nr_hog < FAKE_HOG_MAX &&
           frame_alloc(1, 1, &hog[nr_hog]) == 0) {
        nr_hog++;
    }
}

void fake_release_hog(void)
{
    while (nr_hog) {
        frame_free(hog[--nr_hog], 1);
    }
}

void fake_memory_teardown(void)
{
    for (domid_t id = 0; id < VM_MAX_DOMAINS; id++) {
        struct vm *vm = vm_find(id);

        if (vm) {
            vm_destroy(vm);
        }
    }
    host_ram_teardown();
}

struct fake_census fake_census_take(void)
{
    return (struct fake_census){frame_nr_free(), heap_nr_frames()};
}

bool fake_census_equal(struct fake_census a, struct fake_census b)
{
    return a.nr_free_frames == b.nr_free_frames && a.nr_heap_frames == b.nr_heap_frames;
}

void fake_vm_config(struct vm_config *cfg, const char *name, unsigned int nr_vcpus)
{
    static const struct pt_attr rwx = {.writable = true, .executable = true};

    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->name, sizeof(cfg->name), "%s", name);
    cfg->nr_vcpus = nr_vcpus;
    cfg->pcpu = -1;
    cfg->nr_regions = 1;
    cfg->regions[0] = (struct vm_region_config){0, KIB(64), REGION_ALLOC, rwx, false};
}

struct vm *fake_find_vm(const char *name)
{
    for (domid_t id = 0; id < VM_MAX_DOMAINS; id++) {
        struct vm *vm = vm_find(id);

        if (vm && strcmp(vm->name, name) == 0) {
            return vm;
        }
    }
    return NULL;
}

unsigned int fake_nr_vms(void)
{
    unsigned int n = 0;

    for (domid_t id = 0; id < VM_MAX_DOMAINS; id++) {
        n += vm_find(id) ? 1 : 0;
    }
    return n;
}

/* ---------------------------------------------------------------------------------------- */
/* A recording device */

static struct fake_device *to_fake_device(struct device *dev)
{
    return container_of(dev, struct fake_device, dev);
}

static int fake_device_read(struct device *dev, struct vcpu *v, uint64_t offset, unsigned int width,
                            uint64_t *value)
{
    struct fake_device *d = to_fake_device(dev);

    d->nr_reads++;
    d->last_vcpu = v;
    d->last_offset = offset;
    d->last_width = width;
    *value = d->read_value;
    return d->rc;
}

static int fake_device_write(struct device *dev, struct vcpu *v, uint64_t offset,
                             unsigned int width, uint64_t value)
{
    struct fake_device *d = to_fake_device(dev);

    d->nr_writes++;
    d->last_vcpu = v;
    d->last_offset = offset;
    d->last_width = width;
    d->last_value = value;
    return d->rc;
}

static void fake_device_destroy(struct device *dev)
{
    to_fake_device(dev)->nr_destroys++;
    fake_log(fake.arch_log, "dev_destroy:%s", dev->name);
}

static const struct device_ops fake_device_ops = {
    .read = fake_device_read,
    .write = fake_device_write,
    .destroy = fake_device_destroy,
};

void fake_device_init(struct fake_device *d, const char *name, enum dev_space space, uint64_t base,
                      uint64_t size)
{
    memset(d, 0, sizeof(*d));
    d->dev = (struct device){name, space, base, size, &fake_device_ops};
}

/* ---------------------------------------------------------------------------------------- */
/* <hv/virt.h>, <hv/vm.h>, <hv/bootdom.h> */

bool arch_virt_is_usable(void)
{
    return fake.virt_usable;
}

int arch_vm_create(struct vm *vm)
{
    int rc = hook_result(FAKE_HOOK_ARCH_VM_CREATE);

    fake_log(fake.arch_log, "vm_create");
    note_visibility(vm);
    if (!rc) {
        vm->arch.host_magic = HOST_VM_LIVE;
    }
    return rc;
}

void arch_vm_destroy(struct vm *vm)
{
    fake_log(fake.arch_log, "vm_destroy");
    if (vm->arch.host_magic != HOST_VM_LIVE) {
        fake.nr_bad_undo++;
    }
    vm->arch.host_magic = 0;
}

/* A 16550 with no interrupt: the host has no interrupt controller model. */
int arch_vm_add_uart(struct vm *vm, enum vm_device model, enum dev_space space, uint64_t base,
                     unsigned int irq)
{
    (void)irq;
    return model == VM_DEVICE_UART16550 ? uart16550_create(vm, space, base) : -AXVM_EOPNOTSUPP;
}

/* As x86 does: the devices config.devices asks for, then the test's own. */
int arch_vm_add_devices(struct vm *vm)
{
    uint32_t want = vm->config.devices;
    int fail_rc = hook_result(FAKE_HOOK_ADD_DEVICES);
    int rc = 0;

    fake_log(fake.arch_log, "add_devices");
    note_visibility(vm);
    if (want & VM_DEV_UART) {
        rc = uart16550_create(vm, DEV_SPACE_PIO, FAKE_UART_PORT);
    }
    if (!rc && (want & VM_DEV_DEBUG_EXIT)) {
        rc = debugexit_create(vm, DEV_SPACE_PIO, AXVM_DEBUG_EXIT_PORT);
    }
    if (!rc && (want & VM_DEV_TESTDEV)) {
        rc = testdev_create(vm, AXVM_TESTDEV_X86_GPA);
    }
    for (size_t i = 0; !rc && i < FAKE_DEVICES && fake.extra_devices[i]; i++) {
        rc = devbus_add(&vm->devices, fake.extra_devices[i]);
    }
    return rc ? rc : fail_rc;
}

void arch_vm_flush_tlbs(struct vm *vm)
{
    fake_log(fake.arch_log, "flush_tlbs:d%u", vm->id);
}

/* <hv/dom0.h>: hypervisor/dom0.c is not built here. */
struct vm *dom0_get(void)
{
    return fake.dom0;
}

int arch_vm_passthrough_pio(struct vm *vm, uint64_t base, uint64_t size)
{
    (void)vm;
    fake_log(fake.arch_log, "passthrough_pio:%#llx+%#llx", (unsigned long long)base,
             (unsigned long long)size);
    return hook_result(FAKE_HOOK_PASSTHROUGH_PIO);
}

int arch_vm_passthrough_irq(struct vm *vm, unsigned int gsi)
{
    int rc = hook_result(FAKE_HOOK_PASSTHROUGH_IRQ);

    (void)vm;
    fake_log(fake.arch_log, "passthrough_irq:%u", gsi);
    fake.last_irq = gsi;
    return rc ? rc : fake.irq_passthrough_works ? 0 : -AXVM_EOPNOTSUPP;
}

/* <hv/domctl.h>: a host that calls itself x86. */
void arch_domctl_physinfo(struct axvm_physinfo *info)
{
    info->arch = AXVM_ARCH_X86_64;
    info->cpu_khz = fake.cpu_khz;
    info->features |= AXVM_FEATURE_NPT;
    snprintf(info->virt, sizeof(info->virt), "fake");
}

int arch_bootdom_load(struct vm *vm, const struct boot_module *kernel,
                      const struct boot_module *mods, unsigned int nr_mods, const char *cmdline,
                      struct vcpu_boot *boot)
{
    int rc = hook_result(FAKE_HOOK_BOOTDOM_LOAD);

    (void)vm;
    fake_log(fake.arch_log, "bootdom_load");
    fake.load_kernel = kernel->string;
    fake.load_nr_mods = nr_mods;
    for (unsigned int i = 0; i < nr_mods && i < FAKE_MAX_MODS; i++) {
        fake.load_mods[i] = mods[i].string;
    }
    snprintf(fake.load_cmdline, sizeof(fake.load_cmdline), "%s", cmdline);
    if (!rc) {
        *boot = (struct vcpu_boot){.entry = fake.boot_entry, .args = {nr_mods, 2, 3, 4}};
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* <hv/vcpu.h> */

int arch_vcpu_create(struct vcpu *v)
{
    int rc = hook_result(FAKE_HOOK_ARCH_VCPU_CREATE);

    fake_log(fake.arch_log, "vcpu_create:%u", v->id);
    note_visibility(v->vm);
    if (!rc) {
        v->arch.host_magic = HOST_VCPU_LIVE;
    }
    return rc;
}

void arch_vcpu_destroy(struct vcpu *v)
{
    fake_log(fake.arch_log, "vcpu_destroy:%u", v->id);
    if (v->arch.host_magic != HOST_VCPU_LIVE) {
        fake.nr_bad_undo++;
    }
    v->arch.host_magic = 0;
}

void arch_vcpu_setup(struct vcpu *v, hpa_t stage2_root)
{
    fake_log(fake.arch_log, "vcpu_setup:%u", v->id);
    v->arch.host_stage2_root = stage2_root;
}

void arch_vcpu_set_boot(struct vcpu *v, const struct vcpu_boot *boot)
{
    fake_log(fake.arch_log, "set_boot:%u", v->id);
    v->arch.host_entry = boot->entry;
    memcpy(v->arch.host_args, boot->args, sizeof(v->arch.host_args));
}

/* As x86: flat 32-bit mode, every value within 32 bits. */
int arch_vcpu_set_context(struct vcpu *v, const struct axvm_vcpu_context *ctx)
{
    int rc = hook_result(FAKE_HOOK_SET_CONTEXT);

    fake_log(fake.arch_log, "set_context:%u", v->id);
    if (rc) {
        return rc;
    }
    if (ctx->mode != AXVM_VCPU_X86_PROTECTED32 || ctx->entry > UINT32_MAX ||
        ctx->stack > UINT32_MAX) {
        return -AXVM_EINVAL;
    }
    v->arch.host_entry = ctx->entry;
    memcpy(v->arch.host_regs, ctx->regs, sizeof(v->arch.host_regs));
    v->arch.host_stack = ctx->stack;
    return 0;
}

void arch_vcpu_run(struct vcpu *v, struct vm_exit *exit)
{
    unsigned int run = fake.nr_runs++;

    if (fake.nr_runs > RUNAWAY_RUNS) {
        fprintf(stderr, "unit: the exit loop ran %u exits and does not stop\n", RUNAWAY_RUNS);
        abort();
    }
    v->arch.host_nr_runs++;
    if (fake.on_run) {
        fake.on_run(v, run);
    }
    if (fake.next_script < fake.nr_script) {
        *exit = fake.script[fake.next_script++];
        return;
    }
    fake.need_resched = true; /* the script is over: a timer interrupt */
    *exit = (struct vm_exit){.kind = VM_EXIT_PREEMPT};
}

void arch_vcpu_complete(struct vcpu *v, const struct vm_exit *exit, uint64_t value)
{
    if (fake.nr_completions < FAKE_SCRIPT_MAX) {
        fake.completions[fake.nr_completions] = (struct fake_completion){v->id, *exit, value};
    }
    fake.nr_completions++;
}

void arch_vcpu_dump(struct vcpu *v)
{
    (void)v;
    fake.nr_dumps++;
}

int arch_vcpu_decode_mmio(struct vcpu *v, struct vm_exit *exit)
{
    gpa_t gpa = exit->fault.gpa;
    bool is_write = (exit->fault.access & VM_ACCESS_WRITE) != 0;

    (void)v;
    fake.nr_decodes++;
    if (fake.decode_rc) {
        return fake.decode_rc;
    }
    *exit = (struct vm_exit){.kind = is_write ? VM_EXIT_MMIO_WRITE : VM_EXIT_MMIO_READ};
    exit->mmio.gpa = gpa;
    exit->mmio.width = fake.decode_width;
    exit->mmio.value = is_write ? fake.decode_value : 0;
    return 0;
}

bool arch_vcpu_has_work(struct vcpu *v)
{
    (void)v;
    return fake.has_work;
}

bool arch_vcpu_is_off(struct vcpu *v)
{
    return v->id < FAKE_VCPUS && fake.vcpu_off[v->id];
}

/* ---------------------------------------------------------------------------------------- */
/* <hv/sched.h>: what sched.c does to a vCPU's fields, without run queues or CPUs */

int sched_add_vcpu(struct vcpu *v, int cfg_pcpu, uint64_t affinity)
{
    int rc = hook_result(FAKE_HOOK_SCHED_ADD_VCPU);

    fake_log(fake.sched_log, "add:%u@%d", v->id, cfg_pcpu);
    v->sched.affinity = affinity;
    if (!rc && cfg_pcpu >= FAKE_NR_CPUS) {
        rc = -AXVM_EINVAL; /* as sched.c: not an online CPU */
    }
    if (rc) {
        return rc;
    }
    v->pcpu = cfg_pcpu < 0 ? fake.nr_sched_vcpus % FAKE_NR_CPUS : (unsigned int)cfg_pcpu;
    v->state = VCPU_OFFLINE;
    fake.nr_sched_vcpus++;
    return 0;
}

void sched_remove_vcpu(struct vcpu *v)
{
    fake_log(fake.sched_log, "remove:%u", v->id);
    if (fake.nr_sched_vcpus == 0) {
        fake.nr_bad_undo++;
    } else {
        fake.nr_sched_vcpus--;
    }
    v->state = VCPU_OFFLINE;
    v->dead = true;
}

void sched_wake(struct vcpu *v)
{
    fake_log(fake.sched_log, "wake:%u", v->id);
    /* As sched.c: a parked vCPU (its VM paused) stays blocked whatever wakes it. */
    if (!v->dead && !v->parked && (v->state == VCPU_OFFLINE || v->state == VCPU_BLOCKED)) {
        v->state = VCPU_RUNNABLE;
    }
}

void sched_kick(struct vcpu *v)
{
    fake_log(fake.sched_log, "kick:%u", v->id);
}

void sched_yield(void)
{
    fake.nr_yields++;
    fake.need_resched = true;
}

bool sched_should_preempt(void)
{
    return fake.need_resched;
}

/* The scheduling calls of the control hypercalls: the fields sched.c would set, and a policy. */
void sched_domain_init(struct vm *vm)
{
    vm->sched.weight = AXVM_WEIGHT_DEFAULT;
    vm->sched.cap = 0;
}

unsigned int sched_policy_id(void)
{
    return fake.sched_rr ? AXVM_SCHED_RR : AXVM_SCHED_CREDIT;
}

int sched_set_credit(struct vm *vm, unsigned int flags, uint32_t weight, uint32_t cap)
{
    fake_log(fake.sched_log, "credit:d%u/%u/%u/%u", vm->id, flags, weight, cap);
    if ((flags & ~3u) || ((flags & AXVM_SCHED_SET_WEIGHT) && (weight < 1 || weight > 65535)) ||
        ((flags & AXVM_SCHED_SET_CAP) && cap > 100u * vm->nr_vcpus)) {
        return -AXVM_EINVAL;
    }
    if (flags && fake.sched_rr) {
        return -AXVM_EOPNOTSUPP;
    }
    vm->sched.weight = flags & AXVM_SCHED_SET_WEIGHT ? weight : vm->sched.weight;
    vm->sched.cap = flags & AXVM_SCHED_SET_CAP ? cap : vm->sched.cap;
    return 0;
}

int sched_set_affinity(struct vcpu *v, uint64_t mask)
{
    uint64_t online = FAKE_NR_CPUS >= 64 ? ~0ull : (1ull << FAKE_NR_CPUS) - 1;

    fake_log(fake.sched_log, "pin:%u/0x%llx", v->id, (unsigned long long)mask);
    if (!(mask & online)) {
        return -AXVM_EINVAL;
    }
    v->sched.affinity = mask & online;
    v->sched.ran_on = 0;
    return 0;
}

void sched_pcpu_stats(unsigned int cpu, struct axvm_pcpu_stats *out)
{
    out->cpu = (uint16_t)cpu;
    out->domid = AXVM_DOMID_INVALID;
    out->idle_ns = 1000u * (cpu + 1);
    out->nr_switches = cpu + 7;
}

void sched_vcpu_snapshot(struct vcpu *v, enum vcpu_state *state, unsigned int *pcpu,
                         struct sched_vcpu *out)
{
    *state = v->state;
    *pcpu = v->pcpu;
    *out = v->sched;
}

/* <hv/percpu.h>: the fake scheduler's CPUs are all online. */
unsigned int percpu_nr_online(void)
{
    return FAKE_NR_CPUS;
}
